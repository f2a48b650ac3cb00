"""An aircraft squawking an emergency leads the Tracks table in a red row, whatever the
sort (tar1090's habit): an officer sees it without scrolling or searching."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.tracks import C_NAME, EMERGENCY_ROW, TracksPanel

T = 1_800_000_000.0


def test_an_emergency_row_comes_first_in_red(qtbot):
    pic = Picture()
    for i, (callsign, squawk) in enumerate([("AAA1", "1000"), ("BBB2", "2000"),
                                            ("ZZZ9", "7700"), ("CCC3", "")]):
        pic.upsert(TrackUpdate(key=f"icao:{i:06x}", domain=Domain.AIR, source="t", time=T,
                               lat=48.0, lon=30.0 + i,
                               fields={"callsign": callsign, "squawk": squawk}))  # fmt: skip
    hub = Hub(pic)
    hub.set_live(False)
    hub.set_cursor(T + 1)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    m = panel.model
    names = [m.index(r, C_NAME).data() for r in range(m.rowCount())]
    assert names == ["ZZZ9", "AAA1", "BBB2", "CCC3"]  # by name, the emergency first
    m.sort(C_NAME, Qt.SortOrder.DescendingOrder)
    assert m.index(0, C_NAME).data() == "ZZZ9"
    red = m.index(0, C_NAME).data(Qt.ItemDataRole.BackgroundRole)
    assert red is not None and red.name().upper() == EMERGENCY_ROW[0]
    assert m.index(1, C_NAME).data(Qt.ItemDataRole.BackgroundRole) is None
    hub.close()
