"""Raw input for the alert tests, made the way receivers make it: AIS NMEA with a tag
block time (pyais.encode), SBS-1 lines and CoT XML by hand, GeoJSON reports; and a
test zone set of simple boxes (kinds from the domain model)."""

from __future__ import annotations

import functools
import json
import operator
from dataclasses import dataclass

from pyais.encode import encode_dict

from cop_app.core.timeutil import format_iso, to_datetime
from cop_app.server.alerting import AlertPolicy
from cop_app.server.pipeline import Pipeline
from cop_app.server.storage import Storage

T0 = 1_790_000_000.0
FAR = (36.5, 43.0)  # (lon, lat) outside every test zone


def box(w: float, s: float, e: float, n: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def zone(zid: str, kind: str, geometry: dict, **props) -> dict:
    return {"type": "Feature", "id": zid, "geometry": geometry,
            "properties": {"kind": kind, "name": zid, **props}}  # fmt: skip


ZONES = {"type": "FeatureCollection", "features": [
    zone("P", "prohibited_airspace", box(30.0, 45.0, 30.2, 45.2), floor_ft=0, ceiling_ft=10000),
    zone("B", "buffer", box(30.4, 45.0, 30.6, 45.2)),
    zone("L", "ceasefire_line", {"type": "LineString", "coordinates": [[31.0, 44.5],
                                                                      [31.0, 45.5]]}),
    zone("RA", "restricted_area", box(32.0, 44.0, 32.2, 44.2)),
    zone("COR", "corridor", box(33.0, 44.0, 34.0, 44.1), buffer_m=2000),
    zone("SZ", "security_zone", box(35.0, 46.0, 35.2, 46.2)),
]}  # fmt: skip


def nmea(mmsi: int, t: float, lon: float, lat: float, sog: float = 10.0,
         cog: float = 90.0) -> str:  # fmt: skip
    """One AIS type 1 report with an NMEA 4.10 tag block carrying its time."""
    [sentence] = encode_dict({"type": 1, "mmsi": mmsi, "lat": lat, "lon": lon, "speed": sog,
                              "course": cog}, talker_id="AI", sentence_type="VDM")  # fmt: skip
    tag = f"c:{int(t)}"
    cs = functools.reduce(operator.xor, tag.encode())
    return f"\\{tag}*{cs:02X}\\{sentence}\n"


def sbs(icao: str, t: float, lon: float, lat: float, alt_ft: float,
        squawk: str = "") -> str:  # fmt: skip
    """One SBS-1 MSG,3 (airborne position), generated time in UTC as readsb writes it."""
    d = to_datetime(t)
    date, clock = d.strftime("%Y/%m/%d"), d.strftime("%H:%M:%S.000")
    return (f"MSG,3,1,1,{icao.upper()},1,{date},{clock},{date},{clock},,{alt_ft:.0f},,,"
            f"{lat:.5f},{lon:.5f},,{squawk},0,0,0,0\n")  # fmt: skip


def cot(uid: str, t: float, lon: float, lat: float, stale_s: float) -> str:
    return (f"<event version='2.0' uid='{uid}' type='a-f-G-U-C' time='{format_iso(t)}' "
            f"start='{format_iso(t)}' stale='{format_iso(t + stale_s)}' how='m-g'>"
            f"<point lat='{lat}' lon='{lon}' hae='0' ce='10' le='9999999'/><detail/></event>")


def report(rid: str, t: float, lon: float, lat: float, event: str = "explosion") -> str:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": rid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"event_type": event, "time": format_iso(t)}}]})  # fmt: skip


@dataclass
class Clock:
    t: float = T0

    def __call__(self) -> float:
        return self.t


class Rig:
    """Pipeline + Storage on a real SQLite file, the rules' clock in the test's hand."""

    def __init__(self, path, hold_s: float = 600.0) -> None:
        self.clock = Clock()
        self.pipe = Pipeline(Storage(path), clock=self.clock,
                             alert_policy=AlertPolicy(hold_s=hold_s))  # fmt: skip
        self.pipe.put_zones(ZONES)

    def feed(self, fmt: str, text: str, at: float | None = None) -> None:
        """Ingest through the real parsers with the clock at ``at`` (default: unchanged)."""
        if at is not None:
            self.clock.t = at
        result = self.pipe.ingest_text(fmt, text, "test")
        assert result.rejected == 0, result.as_dict()

    def sweep(self, at: float) -> None:
        self.clock.t = at
        self.pipe.sweep_alerts()

    def alerts(self) -> list[dict]:
        return [json.loads(body) for _id, body in
                self.pipe.storage.alert_page(after_id=None, limit=100_000)]  # fmt: skip

    def keys(self) -> set[tuple[str, str]]:
        return {(a["subject"], a["rule"]) for a in self.alerts()}

    def close(self) -> None:
        self.pipe.close()
