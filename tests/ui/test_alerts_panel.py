"""The Alerts dock on its own: filtering, sorting by time and severity rank, the
audible cue (off by default, once per batch, not for what was there at start), and the
request bodies the buttons send (the shape openapi.yaml's AckRequest defines)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, format_iso
from cop_app.ui.hub import Hub
from cop_app.ui.panels import alert_rows as ar
from cop_app.ui.panels.alerts import AlertsPanel

T0 = 1_790_000_000.0


def rec(i: int, sev: str, state: str = "new", rule: str = "emergency_squawk", **kw) -> dict:
    return {"id": f"AL-{i}", "rule": rule, "severity": sev, "subject": f"icao:{i:06x}",
            "time": format_iso(T0 + 60 * i), "state": state, "message": f"msg {i}",
            "lat": 45.0, "lon": 30.0 + i / 10, "trail": [], "version": 1, **kw}  # fmt: skip


def make(qtbot) -> AlertsPanel:
    panel = AlertsPanel(Hub(Picture()))
    qtbot.addWidget(panel)
    return panel


def test_filter_by_state_severity_rule_and_text(qtbot):
    panel = make(qtbot)
    panel.set_alerts([rec(1, "low"), rec(2, "high", rule="restricted_area_entry"),
                      rec(3, "critical", state="cleared"), rec(4, "medium", state="snoozed"),
                      rec(5, "critical", state="acknowledged")])  # fmt: skip
    ids = lambda: sorted(panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole + 2)  # noqa: E731
                         for r in range(panel.table.rowCount()))  # fmt: skip
    assert ids() == ["AL-1", "AL-2", "AL-5"]  # "Open": new and acknowledged
    panel.state_box.setCurrentIndex(panel.state_box.findData("all"))
    assert len(ids()) == 5
    panel.severity_box.setCurrentIndex(panel.severity_box.findData("high"))
    assert ids() == ["AL-2", "AL-3", "AL-5"]
    panel.rule_box.setCurrentIndex(panel.rule_box.findData("restricted_area_entry"))
    assert ids() == ["AL-2"]
    panel.rule_box.setCurrentIndex(0)
    panel.search.setText("ICAO:000005")
    assert ids() == ["AL-5"]


def test_sort_by_time_and_by_severity_rank(qtbot):
    panel = make(qtbot)
    panel.set_alerts([rec(1, "low"), rec(2, "critical"), rec(3, "medium"), rec(4, "high")])
    assert [row[3] for row in panel.rows()] == [f"icao:{i:06x}" for i in (4, 3, 2, 1)]
    panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert [row[1] for row in panel.rows()] == ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


def test_who_and_when_come_from_the_trail():
    a = rec(1, "high", state="acknowledged", trail=[
        {"action": "raised", "actor": "system", "time": format_iso(T0), "note": ""},
        {"action": "ack", "actor": "ops-2", "time": format_iso(T0 + 90), "note": "on it"}])
    assert ar.who_text(a) == f"acknowledged by ops-2 {format_dtg(T0 + 90)}: on it"
    assert "ops-2" in ar.trail_text(a).splitlines()[1]
    assert ar.who_text(rec(2, "low")) == ""


def test_sound_is_off_by_default_and_beeps_once_for_new_loud_alerts(qtbot):
    panel = make(qtbot)
    calls = []
    panel.beep = lambda: calls.append(1)
    panel.set_alerts([rec(1, "critical")])  # what was there at start: no alarm
    panel.set_alerts([rec(1, "critical"), rec(2, "critical")])
    assert calls == []  # off by default
    panel.sound_box.setChecked(True)
    panel.set_alerts([rec(1, "critical"), rec(2, "critical"), rec(3, "low")])
    assert calls == []  # a new LOW alert is not loud
    panel.set_alerts([rec(i, "high") for i in (1, 2, 3, 4, 5)])
    assert calls == [1]  # two new HIGH alerts in one batch: one beep


def test_buttons_send_ack_and_snooze_bodies(qtbot):
    panel = make(qtbot)
    sent: list[tuple[str, dict]] = []
    done = threading.Event()

    def post(alert_id: str, body: dict) -> dict:
        sent.append((alert_id, body))
        done.set()
        return {**rec(1, "high"), "state": "snoozed", "version": 2}

    panel.set_alerts([rec(1, "high")])
    assert not panel.ack_button.isEnabled()  # not connected
    panel.set_post_ack(post)
    assert panel.select_alert("AL-1")
    panel.minutes.setValue(15)
    panel.scope_box.setCurrentIndex(panel.scope_box.findData("subject"))
    panel.note.setText("fishing, known")
    panel.snooze_button.click()
    qtbot.waitUntil(lambda: panel.alerts["AL-1"]["state"] == "snoozed", timeout=3000)
    assert sent == [("AL-1", {"action": "snooze", "scope": "subject", "minutes": 15.0,
                              "note": "fishing, known"})]  # fmt: skip


def test_a_long_selected_alert_leaves_the_list_room_on_a_laptop(qtbot):
    panel = make(qtbot)
    long = rec(1, "high", message="inside Buffer zone, east/south side (15 km) " * 12)
    panel.set_alerts([long, *[rec(i, "medium") for i in range(2, 12)]])
    panel.resize(400, 520)  # the right-hand dock on a 1366x768 screen
    panel.show()
    assert panel.select_alert(long["id"])
    qtbot.wait(50)
    assert panel.trail.text() and panel.trail_area.height() <= 130
    row_h = panel.table.rowHeight(0)
    assert panel.table.viewport().height() >= 4 * row_h  # at least four rows of the list
