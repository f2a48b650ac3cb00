"""GET /v1/history: every track's fixes in a time window, paged, against a real server.

The expected fixes are the ones this test fed (SBS-1 positions with known times and
an AIS capture), not an earlier answer of the server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from cop_app.core.timeutil import parse_iso
from tests.server.conftest import LiveServer

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
AIRCRAFT = {"4B1805": (47.9, 36.6), "50808A": (46.5, 33.0), "3C6444": (45.0, 30.0)}
STEPS = 40  # one fix a minute for 40 minutes


def sbs_line(icao: str, t: datetime, lat: float, lon: float) -> str:
    d, c = t.strftime("%Y/%m/%d"), t.strftime("%H:%M:%S.000")
    return f"MSG,3,1,1,{icao},1,{d},{c},{d},{c},,30000,,,{lat:.5f},{lon:.5f},,,0,0,0,0"


def fed_fixes() -> list[tuple[str, float, float, float]]:
    """(icao, epoch, lat, lon) in the order they were fed."""
    out = []
    for k in range(STEPS):
        t = T0 + timedelta(minutes=k)
        for icao, (lat, lon) in AIRCRAFT.items():
            out.append((icao, t.timestamp(), lat + 0.01 * k, lon + 0.02 * k))
    return out


def feed(server: LiveServer) -> None:
    """POST the fixes of ``fed_fixes`` as SBS-1 through the real ingest."""
    text = "\n".join(sbs_line(i, datetime.fromtimestamp(t, UTC), la, lo)
                     for i, t, la, lo in fed_fixes()) + "\n"  # fmt: skip
    r = requests.post(f"{server.url}/v1/ingest/sbs", data=text.encode(),
                      headers=server.headers("feeder"), timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def srv(tmp_path_factory) -> LiveServer:
    server = LiveServer(tmp_path_factory.mktemp("hist") / "server.sqlite")
    server.create_tokens()
    server.start()
    feed(server)
    yield server
    server.kill()


def get(srv: LiveServer, path: str, **params) -> requests.Response:
    return requests.get(srv.url + path, headers=srv.headers("viewer"), params=params, timeout=30)


def read_window(srv: LiveServer, **params) -> tuple[list[dict], int]:
    items, pages, cursor = [], 0, None
    while True:
        body = get(srv, "/v1/history", cursor=cursor, **params).json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def air_id(srv: LiveServer, icao: str) -> str:
    ids = [t["id"] for t in get(srv, "/v1/tracks", domain="air").json()["items"]]
    (tid,) = [i for i in ids if icao.lower() in i.lower()]
    return tid


def test_window_pages_hold_every_fed_fix_once_in_time_order(srv):
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(minutes=29)
    items, pages = read_window(srv, start=start.isoformat(), end=end.isoformat(), limit=7)
    want = sorted((round(t, 3), round(la, 5), round(lo, 5)) for _i, t, la, lo in fed_fixes()
                  if start.timestamp() <= t <= end.timestamp())  # fmt: skip
    got = sorted((round(parse_iso(f["time"]), 3), round(f["lat"], 5), round(f["lon"], 5))
                 for f in items)  # fmt: skip
    assert got == want and len(want) == 20 * len(AIRCRAFT)
    assert pages == -(-len(want) // 7)  # a page boundary falls inside equal times too
    keys = [(parse_iso(f["time"]), f["id"]) for f in items]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_window_agrees_with_each_tracks_own_history(srv):
    start, end = T0, T0 + timedelta(minutes=STEPS)
    items, _ = read_window(srv, start=start.isoformat(), end=end.isoformat())
    for icao in AIRCRAFT:
        tid = air_id(srv, icao)
        own = get(srv, f"/v1/tracks/{tid}/history").json()["points"]
        mine = [{"time": f["time"], "lat": f["lat"], "lon": f["lon"]}
                for f in items if f["id"] == tid]  # fmt: skip
        assert mine == own and len(own) == STEPS


def test_window_filters_by_bbox_and_domain(srv):
    start, end = T0.isoformat(), (T0 + timedelta(minutes=STEPS)).isoformat()
    west_of_32 = read_window(srv, start=start, end=end, bbox="29,44,32,47")[0]
    assert {f["id"] for f in west_of_32} == {air_id(srv, "3C6444")}
    assert all(29 <= f["lon"] <= 32 and 44 <= f["lat"] <= 47 for f in west_of_32)
    assert read_window(srv, start=start, end=end, domain="sea")[0] == []
    assert len(read_window(srv, start=start, end=end, domain="air")[0]) == STEPS * 3


def test_window_rejects_bad_requests_with_problems(srv):
    start, end = T0.isoformat(), (T0 + timedelta(hours=1)).isoformat()
    assert get(srv, "/v1/history", start=end, end=start).status_code == 422
    assert get(srv, "/v1/history", start=start).status_code == 422  # end is required
    bad = get(srv, "/v1/history", start=start, end=end, cursor="not-a-cursor")
    assert bad.status_code == 400 and bad.json()["type"].endswith("bad-cursor")
    track_cursor = get(srv, "/v1/tracks", limit=1).json()["next_cursor"]
    assert get(srv, "/v1/history", start=start, end=end,
               cursor=track_cursor).status_code == 400  # fmt: skip
    assert requests.get(f"{srv.url}/v1/history", params={"start": start, "end": end},
                        timeout=10).status_code == 401  # fmt: skip
