"""Feed text the test writes itself (SBS-1 lines, GeoJSON reports) for live-server tests."""

from __future__ import annotations

import json
import time

import requests

from cop_app.core.timeutil import to_datetime


def sbs_lines(batch: int, aircraft: int, t: float) -> str:
    """One MSG,3 airborne position per aircraft; positions move with ``batch``."""
    dt = to_datetime(t)
    day, clock = dt.strftime("%Y/%m/%d"), dt.strftime("%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"
    out = []
    for a in range(aircraft):
        hexid = f"{0x400000 + a:06X}"
        lat = 46.0 + (a % 50) * 0.05 + batch * 0.001
        lon = 30.0 + (a // 50) * 0.05 + batch * 0.001
        out.append(f"MSG,3,1,1,{hexid},1,{day},{clock},{day},{clock},,{20000 + batch},,,"
                   f"{lat:.5f},{lon:.5f},,,0,0,0,0")
    return "\n".join(out) + "\n"


def report_geojson(batch: int, n: int, t: float) -> str:
    feats = []
    for i in range(n):
        feats.append({"type": "Feature", "id": f"T-{batch:04d}-{i}",
                      "geometry": {"type": "Point", "coordinates": [37.5 + i * 0.01, 48.0]},
                      "properties": {"title": f"test report {batch}/{i}", "event_type": "explosion",
                                     "perception": "heard", "count": i + 1,
                                     "time": to_datetime(t).strftime("%Y-%m-%dT%H:%M:%SZ")}})
    return json.dumps({"type": "FeatureCollection", "features": feats})


def post_until_done(url: str, token: str, fmt: str, body: str, *, deadline_s: float = 30.0,
                    session: requests.Session | None = None) -> dict:
    """POST an ingest, retrying through outages (a lost answer may mean it was applied:
    re-sending the same states is harmless, the server writes the same state again)."""
    s = session or requests
    end = time.monotonic() + deadline_s
    while True:
        try:
            r = s.post(f"{url}/v1/ingest/{fmt}", data=body.encode(),
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "text/plain"}, timeout=(1, 10))  # fmt: skip
            if r.status_code < 500:
                r.raise_for_status()
                return r.json()
        except requests.RequestException:
            pass
        if time.monotonic() > end:
            raise TimeoutError(f"ingest {fmt} kept failing for {deadline_s} s")
        time.sleep(0.05)
