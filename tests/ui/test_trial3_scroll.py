"""Officer trial, session 3: selecting a report or an alert scrolls its table to the row,
never sideways. The Reports table used to jump to its id column (far right) on every
selection, and DTG, Status, Event type and Title went off-screen."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import ReportUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.alerts import AlertsPanel
from cop_app.ui.panels.reports import COLUMNS, ReportsPanel

T0 = parse_iso("2026-11-26T10:00:00Z")
WAIT_MS = 15000


def reports(n: int = 60) -> Picture:
    pic = Picture()
    pic.upsert_many(ReportUpdate(
        id=f"CF0-2611270{k:02d}-{k:02d}", source="t", time=T0 + 60 * k, lat=48.0, lon=37.5,
        fields={"status": "reported", "event_type": "mine_uxo",
                "title": f"Weapon sighting {k} km NE of Velyka Novosilka"})
        for k in range(n))  # fmt: skip
    return pic


def cell_in_view(table, index: QModelIndex) -> bool:
    """The cell is drawn wholly inside the table's viewport (what the officer sees)."""
    rect = table.visualRect(index)
    return not rect.isEmpty() and table.viewport().rect().contains(rect)


def test_selecting_a_report_scrolls_down_to_it_and_keeps_dtg_status_type_in_view(qtbot):
    hub = Hub(reports())
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    panel.resize(400, 300)  # a narrow dock: the table scrolls sideways
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.table
    bar = table.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    assert bar.value() == 0
    # the oldest report sorts last (newest first): far below the fold
    target = "CF0-261127000-00"
    hub.select({target})
    row = panel.shown_ids().index(target)
    assert row > 20
    assert bar.value() == 0, "the table scrolled sideways"
    for name in ("DTG", "Status", "Event type"):
        index = panel.proxy.index(row, COLUMNS.index(name))
        assert cell_in_view(table, index), name
    assert table.selectionModel().isRowSelected(row)
    # an officer who scrolled sideways keeps that place too
    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    hub.select({"CF0-261127030-30"})
    assert bar.value() == kept
    row = panel.shown_ids().index("CF0-261127030-30")
    left = table.horizontalHeader().logicalIndexAt(1)
    assert table.viewport().rect().intersects(table.visualRect(panel.proxy.index(row, left)))
    hub.close()


def test_selecting_an_alert_keeps_the_alerts_table_where_it_was_sideways(qtbot):
    hub = Hub(Picture())
    panel = AlertsPanel(hub)
    qtbot.addWidget(panel)
    panel.resize(360, 480)
    panel.show()
    qtbot.waitExposed(panel)
    alerts = [{"id": f"a{k}", "rule": "ceasefire_crossing", "severity": "high",
               "subject": f"icao:4ca7{k:02d}", "state": "new",
               "time": f"2026-11-26T10:{k:02d}:00Z",
               "message": "A long message about the crossing " * 3} for k in range(40)]
    panel.set_alerts(alerts)
    table = panel.table
    bar = table.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and table.rowCount() == 40, timeout=WAIT_MS)
    bar.setValue(0)
    far = max(range(40), key=lambda k: panel.row_of(f"a{k}"))
    assert panel.select_alert(f"a{far}")
    r = panel.row_of(f"a{far}")
    assert bar.value() == 0
    first = table.horizontalHeader().logicalIndex(0)  # Severity, the first column shown
    assert cell_in_view(table, table.model().index(r, first))
    hub.close()
