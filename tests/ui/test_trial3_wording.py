"""Officer trial, session 3, wording: the Reports table and alert texts said "mine uxo"
where the legend says "Mine / UXO"; Details said "1 fixes"; the Reports status filter
read "Active (hide rejec…" in a normal dock."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.style import EVENT_LABELS
from cop_app.core.timeutil import now
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.alerts import COLUMNS as ALERT_COLUMNS
from cop_app.ui.panels.alerts import AlertsPanel
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.reports import COLUMNS, ReportsPanel

DOCK_PX = 400  # the right docks at 1366 px


def picture(t: float) -> Picture:
    pic = Picture()
    pic.upsert_many([
        ReportUpdate(id="R1", source="t", time=t - 60, lat=48.0, lon=37.5,
                     fields={"status": "reported", "event_type": "mine_uxo"}),
        ReportUpdate(id="R2", source="t", time=t - 120, lat=48.0, lon=37.5,
                     fields={"status": "reported", "event_type": "explosion"}),
        TrackUpdate(Domain.SEA, "mmsi:272123456", "ais", t - 30, 46.4, 30.8, {"name": "ONE"}),
    ])  # fmt: skip
    return pic


def test_event_types_read_as_the_legend_says_them(qtbot):
    hub = Hub(picture(now()))
    reports, details = ReportsPanel(hub), DetailsPanel(hub)
    for w in (reports, details):
        qtbot.addWidget(w)
    label = EVENT_LABELS["mine_uxo"]
    assert label == "Mine / UXO"
    row = reports.shown_ids().index("R1")
    assert reports.proxy.index(row, COLUMNS.index("Event type")).data() == label
    # the type filter offers the same words and filters by them
    items = [reports.etype.itemText(k) for k in range(reports.etype.count())]
    assert label in items and "mine uxo" not in items
    reports.etype.setCurrentText(label)
    assert reports.shown_ids() == ["R1"]
    hub.select({"R1"})
    lines = [s.strip() for s in details.text().splitlines()]
    assert lines[lines.index("Event type") + 1] == label
    hub.close()


def test_alert_texts_say_mine_uxo_as_the_legend_does(qtbot):
    hub = Hub(Picture())
    panel = AlertsPanel(hub)
    qtbot.addWidget(panel)
    panel.set_alerts([
        {"id": "a1", "rule": "report_in_zone", "severity": "medium", "subject": "R1",
         "state": "new", "time": "2026-11-26T10:00:00Z",
         "message": "Mine uxo R1 reported in Buffer zone at 2026-11-26T10:00:00Z"},
        {"id": "a2", "rule": "report_corroborated", "severity": "high", "subject": "R2",
         "state": "new", "time": "2026-11-26T10:05:00Z",
         "message": "Two shells found (mine uxo) corroborated"},
    ])  # fmt: skip
    messages = [r[ALERT_COLUMNS.index("Message")] for r in panel.rows()]
    assert any(m.startswith("Mine / UXO R1 reported in Buffer zone") for m in messages)
    assert "Two shells found (Mine / UXO) corroborated" in messages
    assert not any("uxo" in m for m in messages), messages
    hub.close()


def made(qtbot, panel_class):
    hub = Hub(picture(now()))
    panel = panel_class(hub)
    qtbot.addWidget(panel)
    return hub, panel


def test_one_fix_is_one_fix(qtbot):
    hub, panel = made(qtbot, DetailsPanel)
    hub.select({"mmsi:272123456"})
    lines = [s.strip() for s in panel.text().splitlines()]
    assert lines[lines.index("History") + 1].startswith("1 fix, "), lines
    hub.close()


def test_the_status_filter_reads_whole_in_a_normal_dock(qtbot):
    hub, panel = made(qtbot, ReportsPanel)
    panel.set_roles({"verifier"})
    panel.post_transition = lambda *a: {}
    panel._update_action()  # the "Change status…" button shares the row
    panel.resize(DOCK_PX, 400)
    panel.show()
    qtbot.waitExposed(panel)
    combo = panel.status
    assert combo.currentText().startswith("Active")
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width()
    # what it hides is said where the officer looks for it
    assert "rejected" in combo.toolTip()
    hub.close()
