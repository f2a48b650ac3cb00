"""Alert life cycle on Pipeline + Storage: no storm (hysteresis, deduplication at 1,000
tracks), clearing recorded, acknowledge and snooze by alert, subject and rule, and the
state surviving a restart."""

from __future__ import annotations

import pytest

from cop_app.core.updates import sea_key
from tests.server.alert_support import T0, Rig, nmea

MIN = 60.0
RA_EDGE = 32.2  # east edge of the restricted area RA


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "alerts.sqlite")
    yield r
    r.close()


def test_vessel_dithering_on_a_zone_edge_for_30_minutes_raises_one_alert(rig):
    """OpenCPN #4872: in and out of RA every 30 s for 30 min, with sweeps between."""
    for k in range(61):
        t = T0 + k * 30.0
        lon = RA_EDGE - 0.001 if k % 2 == 0 else RA_EDGE + 0.001  # ~80 m either side
        rig.feed("nmea", nmea(211000001, t, lon, 44.1, sog=0.3), at=t)
        rig.sweep(t + 10)
        assert sum(a["state"] != "cleared" for a in rig.alerts()) <= 1
    [a] = rig.alerts()
    assert a["state"] == "new" and a["rule"] == "restricted_area_entry"
    # It then stays outside: the alert clears once the hold (10 min) has passed, not before.
    last = T0 + 60 * 30.0
    rig.feed("nmea", nmea(211000001, last + 30, RA_EDGE + 0.01, 44.1), at=last + 30)
    rig.sweep(last + 30 + 9 * MIN)
    assert rig.alerts()[0]["state"] == "new"
    rig.sweep(last + 30 + 10 * MIN + 1)
    [a] = rig.alerts()
    assert a["state"] == "cleared" and a["cleared_at"] is not None
    assert a["trail"][-1]["action"] == "cleared" and a["trail"][-1]["actor"] == "system"
    # A new entry after the clearing is a new alert.
    t = last + 30 + 11 * MIN
    rig.feed("nmea", nmea(211000001, t, RA_EDGE - 0.01, 44.1), at=t)
    assert sorted(a["state"] for a in rig.alerts()) == ["cleared", "new"]


def test_a_thousand_tracks_each_with_one_condition_give_a_thousand_alerts(rig):
    mmsis = [211100000 + i for i in range(1000)]

    def round_(t: float, dlon: float) -> str:
        return "".join(nmea(m, t, 32.01 + (i % 100) * 0.0015 + dlon, 44.01 + (i // 100) * 0.015)
                       for i, m in enumerate(mmsis))  # fmt: skip

    rig.feed("nmea", round_(T0, 0.0), at=T0)
    rig.feed("nmea", round_(T0 + MIN, 0.0001), at=T0 + MIN)  # every track again
    rig.sweep(T0 + 2 * MIN)
    alerts = rig.alerts()
    assert len(alerts) == 1000
    assert {a["subject"] for a in alerts} == {sea_key(m) for m in mmsis}
    assert {a["rule"] for a in alerts} == {"restricted_area_entry"}


def _in_ra(rig, mmsi: int, t: float) -> dict:
    """A vessel just inside RA's east edge; returns its newest RA alert."""
    rig.feed("nmea", nmea(mmsi, t, 32.195, 44.1, sog=0.2), at=t)
    mine = [a for a in rig.alerts() if a["subject"] == sea_key(mmsi)]
    assert {a["rule"] for a in mine} == {"restricted_area_entry"}
    return max(mine, key=lambda a: a["trail"][0]["time"])


def _leave_ra(rig, mmsi: int, t: float) -> None:
    rig.feed("nmea", nmea(mmsi, t, 32.21, 44.1, sog=0.2), at=t)  # ~1.2 km: no jump


def test_snoozed_alert_stays_quiet_then_returns_while_the_condition_holds(rig):
    a = _in_ra(rig, 211000001, T0)
    rec = rig.pipe.ack_alert(a["id"], "officer-1", "looking", action="snooze", minutes=0.05)
    assert rec["state"] == "snoozed" and rec["trail"][-1]["actor"] == "officer-1"
    for dt in (1.0, 2.0, 2.9):
        rig.feed("nmea", nmea(211000001, T0 + dt, 32.195, 44.1, sog=0.2), at=T0 + dt)
        rig.sweep(T0 + dt)
        assert rig.pipe.alert_record(a["id"])["state"] == "snoozed"
    rig.sweep(T0 + 3.1)  # 0.05 min = 3 s have run out; the vessel is still inside
    back = rig.pipe.alert_record(a["id"])
    assert back["state"] == "new" and back["snoozed_until"] is None
    assert back["trail"][-1]["action"] == "snooze_ended"
    assert len(rig.alerts()) == 1


def test_snooze_by_rule_mutes_new_alerts_of_that_rule_only(rig):
    a = _in_ra(rig, 211000001, T0)
    rig.pipe.ack_alert(a["id"], "officer-1", action="snooze", scope="rule", minutes=5)
    b = _in_ra(rig, 211000002, T0 + 10)  # a new vessel in RA during the snooze
    assert b["state"] == "snoozed" and b["trail"][-1]["scope"] == "rule"
    rig.feed("sbs", "MSG,3,1,1,A00009,1,2026/09/21,14:13:30.000,2026/09/21,14:13:30.000,,"
             "5000,,,45.1,30.1,,,0,0,0,0\n", at=T0 + 10)  # fmt: skip
    other = [x for x in rig.alerts() if x["rule"] == "air_zone_entry"]
    assert [x["state"] for x in other] == ["new"]
    rig.sweep(T0 + 5 * MIN + 11)
    assert {x["state"] for x in rig.alerts() if x["rule"] == "restricted_area_entry"} == {"new"}


def test_snooze_by_subject_covers_a_re_raised_alert_of_that_pair(tmp_path):
    rig = Rig(tmp_path / "a.sqlite", hold_s=30)
    try:
        a = _in_ra(rig, 211000001, T0)
        rig.pipe.ack_alert(a["id"], "officer-2", action="snooze", scope="subject", minutes=10)
        _leave_ra(rig, 211000001, T0 + 60)
        rig.sweep(T0 + 100)  # cleared after the 30 s hold
        assert rig.pipe.alert_record(a["id"])["state"] == "cleared"
        b = _in_ra(rig, 211000001, T0 + 120)  # back inside: a new alert, still muted
        assert b["id"] != a["id"] and b["state"] == "snoozed"
        c = _in_ra(rig, 211000002, T0 + 120)  # another vessel: not covered
        assert c["state"] == "new"
    finally:
        rig.close()


def test_ack_is_idempotent_and_keeps_who_and_when(rig):
    a = _in_ra(rig, 211000001, T0)
    rig.clock.t = T0 + 5
    first = rig.pipe.ack_alert(a["id"], "officer-1", "seen")
    rig.clock.t = T0 + 9
    again = rig.pipe.ack_alert(a["id"], "officer-2")
    assert first["state"] == "acknowledged" and again["version"] == first["version"]
    assert again["acknowledged_by"] == "officer-1"
    assert again["acknowledged_at"] == first["acknowledged_at"]
    step = first["trail"][-1]
    assert (step["action"], step["actor"], step["note"]) == ("ack", "officer-1", "seen")
    acks = rig.pipe.storage.alert_acks(a["id"])
    assert [(x[0], x[2]) for x in acks] == [("ack", "officer-1")]


def test_ack_by_rule_acknowledges_every_open_alert_of_the_rule(rig):
    a = _in_ra(rig, 211000001, T0)
    _in_ra(rig, 211000002, T0)
    rig.pipe.ack_alert(a["id"], "officer-1", scope="rule")
    assert {x["state"] for x in rig.alerts()} == {"acknowledged"}


def test_snooze_of_a_cleared_alert_is_refused_and_unknown_alert_is_keyerror(tmp_path):
    from cop_app.server.alerting import AlertClosed

    rig = Rig(tmp_path / "a.sqlite", hold_s=10)
    try:
        a = _in_ra(rig, 211000001, T0)
        _leave_ra(rig, 211000001, T0 + 60)
        rig.sweep(T0 + 80)
        with pytest.raises(AlertClosed):
            rig.pipe.ack_alert(a["id"], "x", action="snooze", minutes=1)
        with pytest.raises(KeyError):
            rig.pipe.ack_alert("AL-none", "x")
    finally:
        rig.close()


def test_open_alerts_and_snoozes_survive_a_restart(tmp_path):
    rig = Rig(tmp_path / "a.sqlite")
    a = _in_ra(rig, 211000001, T0)
    rig.pipe.ack_alert(a["id"], "officer-1", action="snooze", scope="rule", minutes=10)
    rig.close()
    again = Rig(tmp_path / "a.sqlite")
    try:
        again.clock.t = T0 + 30
        again.feed("nmea", nmea(211000001, T0 + 30, 32.195, 44.1), at=T0 + 30)
        b = _in_ra(again, 211000002, T0 + 40)
        assert len(again.alerts()) == 2  # no duplicate for the known vessel
        assert b["state"] == "snoozed"  # the rule snooze was kept
    finally:
        again.close()
