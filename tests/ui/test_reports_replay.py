"""Replaying, a land report shows the verification status it had at the cursor.

An officer who moves the cursor back to before a report was verified must not read
"verified" on it: the Reports table (row and status filter), the map symbol's colour,
Details and the timeline marker all read the status from the report's audited trail
at the cursor; live, nothing changes. Expected colours are the palette of UX.md
(cop_app/core/style.py): reported grey, under verification amber, verified red.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from cop_app.core.entities import LandReport
from cop_app.core.enums import EventType
from cop_app.core.picture import Picture
from cop_app.core.style import STATUS_COLOURS
from cop_app.core.timeutil import format_dtg
from cop_app.core.verification import Transition, transition
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.map.reports_layer import ReportLayer
from cop_app.ui.map.view import MapView
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.reports import ACTIVE, ReportsPanel
from cop_app.ui.timeline import TimelineView

T = 1_795_000_000.0  # when R1 is verified and R2 rejected
H = 3600.0
BEFORE = T - 2.5 * H  # R1 reported, R2 under verification
AFTER = T + 600.0  # R1 verified, R2 rejected (hidden by default)
WAIT = 15000


def trail(*steps: tuple[S, float]) -> list[Transition]:
    """Created at T-3h, then each step through the state machine (illegal ones raise)."""
    out = [Transition(S.REPORTED, S.REPORTED, "feed", T - 3 * H, "created")]
    for to, t in steps:
        out.append(transition(out[-1].to_status, to, actor="vera", time=t, rationale="seen"))
    return out


def picture() -> Picture:
    pic = Picture()
    pic.restore_report(LandReport(
        id="R1", time=T - 3 * H, lat=48.0, lon=35.0, event_type=EventType.OTHER,
        status=S.VERIFIED, title="Shelling near the line",
        trail=trail((S.TRIAGED, T - 2 * H), (S.UNDER_VERIFICATION, T - 1.5 * H),
                    (S.CORROBORATED, T - H), (S.VERIFIED, T))))  # fmt: skip
    pic.restore_report(LandReport(
        id="R2", time=T - 3 * H, lat=47.0, lon=33.0, event_type=EventType.OTHER,
        status=S.REJECTED, title="Rumour",
        trail=trail((S.TRIAGED, T - 2.8 * H), (S.UNDER_VERIFICATION, T - 2.6 * H),
                    (S.REJECTED, T))))  # fmt: skip
    return pic


def close(c: QColor, hex_: str, tol: int = 20) -> bool:
    e = QColor(hex_)
    return max(abs(c.red() - e.red()), abs(c.green() - e.green()), abs(c.blue() - e.blue())) <= tol


@pytest.fixture
def hub():
    h = Hub(picture())
    h.set_cursor(T + H)
    yield h
    h.close()


def row(panel: ReportsPanel, rid: str) -> list[str] | None:
    """The row's cells as the table shows them, in display order; None if not shown."""
    header = panel.table.horizontalHeader()
    for r in range(panel.proxy.rowCount()):
        if panel.proxy.index(r, 0).data() == rid:
            return [panel.proxy.index(r, header.logicalIndex(v)).data()
                    for v in range(header.count())]  # fmt: skip
    return None


def status_cell(panel: ReportsPanel, rid: str) -> str | None:
    cells = row(panel, rid)
    return None if cells is None else cells[1]  # DTG, Status, ...


def test_reports_table_rows_and_status_filter_follow_the_cursor(hub, qtbot):
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    assert status_cell(panel, "R1") == "verified" and row(panel, "R2") is None  # live
    hub.set_live(False)
    hub.set_cursor(BEFORE)
    qtbot.waitUntil(lambda: status_cell(panel, "R1") == "reported", timeout=WAIT)
    cells = row(panel, "R1")
    assert cells[0] == format_dtg(T - 3 * H) and cells[3] == "Shelling near the line"
    assert status_cell(panel, "R2") == "under verification"  # not yet rejected: shown
    tip = panel.proxy.index(0, 1).data(0x03)  # ToolTipRole on the status column
    assert f"at {format_dtg(BEFORE)}" in tip and "now " in tip
    panel.status.setCurrentText("verified")  # the filter reads the status at the cursor
    assert panel.shown_ids() == []
    hub.set_cursor(AFTER)
    qtbot.waitUntil(lambda: panel.shown_ids() == ["R1"], timeout=WAIT)
    panel.status.setCurrentText(ACTIVE)
    assert status_cell(panel, "R1") == "verified" and row(panel, "R2") is None
    # Under a time filter the set is the window's, the statuses still the cursor's.
    hub.set_window((T - 4 * H, T + H))
    hub.set_cursor(BEFORE)
    qtbot.waitUntil(lambda: status_cell(panel, "R1") == "reported", timeout=WAIT)
    hub.set_live(True)
    assert status_cell(panel, "R1") == "verified"


def test_replay_disables_the_status_change_with_the_reason(hub, qtbot):
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    panel.post_transition = lambda rid, to, why: {}
    panel.set_roles({"verifier"})
    panel.show()
    panel.status.setCurrentText("All statuses")
    panel.select_id("R2")  # rejected now; under verification at BEFORE
    hub.set_live(False)
    hub.set_cursor(BEFORE)
    qtbot.waitUntil(lambda: status_cell(panel, "R2") == "under verification", timeout=WAIT)
    panel.select_id("R2")
    assert panel.action.isVisible() and not panel.action.isEnabled()
    assert panel.offered_transitions() == ()
    assert "back to live to change status" in panel.action.toolTip().lower()
    hub.set_live(True)
    panel.select_id("R1")  # corroborated -> verified: only the final states are left
    assert panel.action.isEnabled() and "back to live" not in panel.action.toolTip().lower()
    assert panel.offered_transitions() == (S.RETRACTED, S.SUPERSEDED)


def test_map_symbol_colour_is_the_status_at_the_cursor(hub, qtbot):
    view = MapView(hub)
    qtbot.addWidget(view)
    layer = ReportLayer(hub)
    view.add_layer("reports", layer, 10)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_bbox(31.0, 45.5, 37.0, 49.5)

    def at(lat: float, lon: float) -> QColor:
        img = view.grab().toImage()
        p = view.latlon_to_widget(lat, lon)
        return img.pixelColor(round(p.x()), round(p.y()))

    empty = at(46.0, 36.0)  # the map away from any symbol
    assert close(at(48.0, 35.0), STATUS_COLOURS["verified"])  # live: the latest
    assert close(at(47.0, 33.0), empty.name(), 8)  # rejected: hidden by default
    hub.set_live(False)
    hub.set_cursor(BEFORE)
    assert close(at(48.0, 35.0), STATUS_COLOURS["reported"])
    assert close(at(47.0, 33.0), STATUS_COLOURS["under_verification"])
    assert "Other · Reported (now Verified)" in layer.tooltip(layer.reports.index(
        hub.picture.report("R1")))  # fmt: skip
    hub.set_cursor(AFTER)
    assert close(at(48.0, 35.0), STATUS_COLOURS["verified"])
    assert close(at(47.0, 33.0), empty.name(), 8)


def test_details_say_the_status_at_the_cursor_and_now(hub, qtbot):
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    hub.select({"R1"})
    assert "Status verified" in " ".join(panel.text().split())  # live: as before
    assert "after the cursor" not in panel.text()
    hub.set_live(False)
    hub.set_cursor(BEFORE)
    want = f"reported at {format_dtg(BEFORE)} (now: verified)"
    qtbot.waitUntil(lambda: want in " ".join(panel.text().split()), timeout=WAIT)
    text = panel.text()
    assert text.count("(after the cursor)") == 4  # triaged .. verified came later
    hub.set_cursor(AFTER)
    want = f"verified at {format_dtg(AFTER)} (unchanged since)"
    qtbot.waitUntil(lambda: want in " ".join(panel.text().split()), timeout=WAIT)
    assert "(after the cursor)" not in panel.text()


def test_timeline_marker_takes_the_status_at_the_cursor(hub, qtbot):
    view = TimelineView(hub, hub.picture, clock=lambda: T + H)
    qtbot.addWidget(view)
    view.resize(1200, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_x_range(T - 5 * H, T + H)

    def colour(rid: str) -> str | None:
        p = view.marker_point(rid)
        if p is None:
            return None
        img = view.grab().toImage()
        return img.pixelColor(p * img.devicePixelRatio()).name()

    def shows(rid: str, status: str) -> bool:
        c = colour(rid)
        return c is not None and close(QColor(c), STATUS_COLOURS[status], 12)

    qtbot.waitUntil(lambda: shows("R1", "verified"), timeout=WAIT)
    assert view.marker_point("R2") is None  # rejected: hidden
    hub.set_live(False)
    hub.set_cursor(BEFORE)
    qtbot.waitUntil(lambda: shows("R1", "reported") and shows("R2", "under_verification"),
                    timeout=WAIT)  # fmt: skip
    hub.set_cursor(AFTER)
    qtbot.waitUntil(lambda: shows("R1", "verified") and view.marker_point("R2") is None,
                    timeout=WAIT)  # fmt: skip
    view.close()
