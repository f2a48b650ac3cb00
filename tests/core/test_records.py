"""Plain-JSON records: the keys ``cop-app import --json`` promises (Foundation issue,
section 3), ISO 8601 UTC times with ``Z``, and JSON that never carries NaN."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.entities import LandReport
from cop_app.core.enums import Domain, EventType
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.core.updates import ReportUpdate, TrackUpdate, air_key, sea_key
from cop_app.core.verification import VerificationStatus

# Every record has these; the others appear "where known" (issue 2, section 3).
ALWAYS = {"kind", "domain", "id", "lat", "lon", "time"}
WHERE_KNOWN = {"mmsi", "icao24", "name", "callsign", "speed_kn", "course_deg", "heading_deg",
               "altitude_ft", "squawk", "ship_type", "imo", "destination", "status"}  # fmt: skip
ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
T_SHIP = datetime(2026, 11, 26, 15, 30, 5, tzinfo=UTC).timestamp()
T_PLANE = datetime(2026, 11, 26, 15, 31, 0, 250_000, tzinfo=UTC).timestamp()


def _picture() -> Picture:
    p = Picture()
    p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais", T_SHIP, 46.4, 30.75, {
        "mmsi": 244123456, "name": "NORDIC STAR", "callsign": "PBXY", "speed_kn": 12.5,
        "course_deg": 93.4, "heading_deg": 95.0, "ship_type": 70, "imo": 9123456,
        "destination": "ODESA", "nav_status": 0, "ais_class": "A"}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.AIR, air_key("4CA1FA"), "sbs", T_PLANE, 48.5, 37.8, {
        "icao24": "4ca1fa", "callsign": "RYR1", "squawk": "7700", "altitude_ft": 35000.0,
        "speed_kn": 430.0, "course_deg": 271.0}))  # fmt: skip
    p.upsert(ReportUpdate("r-17", "patrol", T_SHIP, 47.9, 37.6, None, {
        "event_type": "explosion", "status": "triaged", "title": "Explosions heard",
        "count": 3, "reliability": "B", "credibility": 2}))  # fmt: skip
    return p


def test_ship_record_has_the_promised_keys_and_values():
    rec = track_record(_picture().track(sea_key(244123456)))
    assert ALWAYS <= rec.keys()
    assert rec["kind"] == "track" and rec["domain"] == "sea" and rec["id"] == "mmsi:244123456"
    assert (rec["lat"], rec["lon"]) == (46.4, 30.75)
    assert rec["time"] == "2026-11-26T15:30:05Z"
    expected = {"mmsi": 244123456, "name": "NORDIC STAR", "callsign": "PBXY", "speed_kn": 12.5,
                "course_deg": 93.4, "heading_deg": 95.0, "ship_type": 70, "imo": 9123456,
                "destination": "ODESA"}  # fmt: skip
    assert {k: rec[k] for k in expected} == expected
    assert "icao24" not in rec and "squawk" not in rec


def test_aircraft_record_has_the_promised_keys_and_values():
    rec = track_record(_picture().track(air_key("4ca1fa")))
    assert ALWAYS <= rec.keys()
    assert rec["kind"] == "track" and rec["domain"] == "air" and rec["id"] == "icao:4ca1fa"
    assert rec["time"] == "2026-11-26T15:31:00.250Z"
    expected = {"icao24": "4ca1fa", "callsign": "RYR1", "squawk": "7700",
                "altitude_ft": 35000.0, "speed_kn": 430.0, "course_deg": 271.0}  # fmt: skip
    assert {k: rec[k] for k in expected} == expected
    assert "mmsi" not in rec and "imo" not in rec


def test_report_record_has_the_promised_keys_and_status():
    rec = report_record(_picture().report("r-17"))
    assert ALWAYS <= rec.keys()
    assert rec["kind"] == "report" and rec["domain"] == "land" and rec["id"] == "r-17"
    assert rec["status"] == "triaged" and rec["name"] == "Explosions heard"
    assert rec["time"] == "2026-11-26T15:30:05Z"
    assert (rec["lat"], rec["lon"]) == (47.9, 37.6)


def test_unknown_values_are_left_out_not_null():
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T_PLANE, None, None, {}))
    rec = track_record(p.track(air_key("abcdef")))
    assert ALWAYS <= rec.keys() and rec["lat"] is None and rec["lon"] is None
    assert not (WHERE_KNOWN - {"icao24"}) & rec.keys()


def test_times_are_iso_8601_utc_with_z_whatever_the_local_zone():
    """conftest runs every test in Asia/Kathmandu (UTC+05:45): a local time would show."""
    p = _picture()
    recs = [track_record(t) for t in p.tracks()] + [report_record(r) for r in p.reports()]
    for rec in recs:
        assert ISO_Z.fullmatch(rec["time"]), rec["time"]
        back = datetime.fromisoformat(rec["time"].replace("Z", "+00:00")).timestamp()
        assert back in (T_SHIP, T_PLANE)


def test_report_time_end_and_non_point_geometry():
    ring = [[37, 48], [37.1, 48], [37, 48.1], [37, 48]]
    rep = LandReport(id="r1", time=T_SHIP, time_end=T_PLANE, lat=48.0, lon=37.0,
                     event_type=EventType.PRESENCE_IN_DISENGAGEMENT_AREA,
                     status=VerificationStatus.VERIFIED,
                     geometry={"type": "Polygon", "coordinates": [ring]})  # fmt: skip
    rec = report_record(rep)
    assert rec["time_end"] == "2026-11-26T15:31:00.250Z"
    assert rec["geometry"]["type"] == "Polygon" and rec["status"] == "verified"
    assert json.loads(json.dumps(rec, allow_nan=False)) == rec


_odd = st.one_of(st.floats(), st.integers(-(2**40), 2**40), st.text(max_size=8), st.none(),
                 st.booleans())  # fmt: skip


@given(speed=st.floats(), course=st.floats(), alt=st.floats(), length=st.floats(),
       count=st.one_of(st.none(), st.floats(), st.integers(0, 99)), extra=_odd)  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_nan_and_infinity_never_reach_json(speed, course, alt, length, count, extra):
    p = Picture()
    p.upsert(TrackUpdate(Domain.SEA, sea_key(211000001), "ais", T_SHIP, 46.0, 31.0,
                         {"speed_kn": speed, "course_deg": course, "heading_deg": math.nan,
                          "length_m": length, "imo": extra, "destination": extra}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.AIR, air_key("a1b2c3"), "sbs", T_PLANE, 48.0, 37.0,
                         {"altitude_ft": alt, "squawk": extra, "speed_kn": math.inf}))  # fmt: skip
    p.upsert(ReportUpdate("r", "patrol", T_SHIP, 47.0, 37.0, None,
                          {"count": count, "credibility": extra}))  # fmt: skip
    for rec in [track_record(t) for t in p.tracks()] + [report_record(p.report("r"))]:
        text = json.dumps(rec, allow_nan=False)  # raises on NaN or infinity
        assert "NaN" not in text and "Infinity" not in text


def test_a_track_with_no_time_has_a_null_time_not_a_crash():
    from cop_app.core.enums import Domain
    from cop_app.core.picture import Picture
    from cop_app.core.records import track_record

    p = Picture()
    p.restore_track("mmsi:000000001", Domain.SEA, fields={}, sources=["cache"],
                    last_time=float("-inf"), stale_s=360.0, history=([], [], []))
    assert track_record(p.track("mmsi:000000001"))["time"] is None
