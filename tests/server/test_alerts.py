"""Alert acceptance on Pipeline + Storage (real SQLite file), input through the real
ingest path: one scripted case per rule produces exactly the expected alerts, none
missing, none extra. The expected sets come from the issue's rule definitions and the
geometry of the test zones (tests/server/alert_support.py), not from our output."""

from __future__ import annotations

import pytest

from cop_app.core.updates import air_key, sea_key
from tests.server.alert_support import FAR, T0, Rig, cot, nmea, report, sbs

MIN = 60.0


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "alerts.sqlite")
    yield r
    r.close()


def case_air_zone(r: Rig):
    r.feed("sbs", sbs("a00001", T0, 30.1, 45.1, 5000)  # inside P, under its 10,000 ft ceiling
           + sbs("a00002", T0, 30.1, 45.1, 20000)  # above P's ceiling: no alert
           + sbs("a00003", T0, 30.5, 45.1, 30000), at=T0 + 1)  # buffer B: any altitude
    return {(air_key("a00001"), "air_zone_entry"), (air_key("a00003"), "air_zone_entry")}


def case_crossing(r: Rig):
    r.feed("sbs", sbs("a00004", T0, 30.95, 44.9, 30000), at=T0 + 1)
    r.feed("sbs", sbs("a00004", T0 + 60, 31.05, 44.9, 30000), at=T0 + 61)  # across L
    r.feed("sbs", sbs("a00005", T0, 30.90, 45.8, 30000) + sbs("a00005", T0 + 60, 31.1, 45.8,
                                                              30000), at=T0 + 61)  # past L's end
    return {(air_key("a00004"), "ceasefire_crossing")}


def case_squawk(r: Rig):
    r.feed("sbs", sbs("a00006", T0, *FAR, 30000, "7700") + sbs("a00007", T0, 36.6, 43.0,
                                                               30000, "7500")
           + sbs("a00008", T0, 36.7, 43.0, 30000, "1200"), at=T0 + 1)  # fmt: skip
    return {(air_key("a00006"), "emergency_squawk"), (air_key("a00007"), "emergency_squawk")}


def case_restricted(r: Rig):
    r.feed("nmea", nmea(211000001, T0, 32.1, 44.1) + nmea(211000002, T0, 32.3, 44.1), at=T0)
    return {(sea_key(211000001), "restricted_area_entry")}


def case_departure(r: Rig):
    # COR's edge is at 44.1N; 44.14N is ~4.4 km beyond it (> its 2,000 m buffer),
    # 44.109N only ~1 km (inside the buffer: no alert).
    r.feed("nmea", nmea(211000003, T0, 33.5, 44.09) + nmea(211000004, T0, 33.6, 44.09), at=T0)
    r.feed("nmea", nmea(211000003, T0 + 10 * MIN, 33.5, 44.14)
           + nmea(211000004, T0 + 10 * MIN, 33.6, 44.109), at=T0 + 10 * MIN)  # fmt: skip
    return {(sea_key(211000003), "corridor_departure")}


def case_loiter(r: Rig):
    for k in range(8):  # 35 minutes in the corridor, one at 0.5 kn, one under way
        t = T0 + k * 5 * MIN
        r.feed("nmea", nmea(211000005, t, 33.3, 44.05, sog=0.5)
               + nmea(211000006, t, 33.2 + 0.05 * k, 44.06, sog=20.0), at=t)  # fmt: skip
    return {(sea_key(211000005), "corridor_loiter")}


def case_gap(r: Rig):
    r.feed("nmea", nmea(211000007, T0, *FAR) + nmea(211000008, T0, 36.6, 43.0), at=T0)
    r.feed("nmea", nmea(211000008, T0 + 10 * MIN, 36.61, 43.0), at=T0 + 10 * MIN)
    r.sweep(T0 + 20 * MIN)  # 211000007 silent 20 min: open gap; 211000008 silent 10 min
    [a] = r.alerts()
    assert a["state"] == "new" and a["details"]["silent_lat"] == pytest.approx(43.0, abs=1e-4)
    assert "back_lat" not in a["details"]
    r.feed("nmea", nmea(211000007, T0 + 25 * MIN, 36.52, 43.0), at=T0 + 25 * MIN)
    [a] = r.alerts()  # the same alert, now saying where it came back
    assert a["details"]["back_lon"] == pytest.approx(36.52, abs=1e-4)
    assert a["details"]["silent_lon"] == pytest.approx(36.5, abs=1e-4)
    return {(sea_key(211000007), "ais_gap")}


def case_jump(r: Rig):
    r.feed("nmea", nmea(211000009, T0, 36.0, 42.5) + nmea(211000010, T0, 36.0, 42.7), at=T0)
    r.feed("nmea", nmea(211000009, T0 + MIN, 36.3, 42.5)  # 24.6 km in a minute
           + nmea(211000010, T0 + MIN, 36.005, 42.7), at=T0 + MIN)  # 400 m: 13 kn
    return {(sea_key(211000009), "impossible_jump")}


def case_lost(r: Rig):
    r.feed("cot", cot("G1", T0, 35.1, 46.1, 120) + cot("G2", T0, *FAR, 120), at=T0)
    r.sweep(T0 + 5 * MIN)  # both stale; only G1 was in a zone (SZ)
    return {("cot:G1", "lost_in_zone")}


def case_report_in_zone(r: Rig):
    r.feed("geojson", report("R1", T0, 35.1, 46.1), at=T0 + 1)
    r.feed("geojson", report("R2", T0, *FAR), at=T0 + 1)
    return {("R1", "report_in_zone")}


def case_report_status(r: Rig):
    r.feed("geojson", report("R3", T0, *FAR), at=T0 + 1)
    for step in ("triaged", "under_verification", "corroborated"):
        r.pipe.transition_report("R3", step, "verifier", "test")
    assert r.keys() == {("R3", "report_corroborated")}
    r.pipe.transition_report("R3", "verified", "verifier", "test")
    r.sweep(T0 + 20 * MIN)  # corroborated no longer holds: clears after the hold
    states = {a["rule"]: a["state"] for a in r.alerts()}
    assert states == {"report_corroborated": "cleared", "report_verified": "new"}
    return {("R3", "report_corroborated"), ("R3", "report_verified")}


CASES = [case_air_zone, case_crossing, case_squawk, case_restricted, case_departure,
         case_loiter, case_gap, case_jump, case_lost, case_report_in_zone,
         case_report_status]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_each_rule_raises_exactly_the_expected_alerts(rig, case):
    expected = case(rig)
    assert rig.keys() == expected
    alerts = rig.alerts()
    assert len(alerts) == len(expected)  # one alert per (subject, rule)
    for a in alerts:
        assert a["trail"][0]["action"] == "raised" and a["trail"][0]["actor"] == "system"
        assert a["severity"] in ("low", "medium", "high", "critical")


def test_squawk_is_critical_and_named(rig):
    case_squawk(rig)
    by = {a["subject"]: a for a in rig.alerts()}
    assert by[air_key("a00006")]["severity"] == "critical"
    assert "EMERGENCY" in by[air_key("a00006")]["message"]
    assert "HIJACK" in by[air_key("a00007")]["message"]
