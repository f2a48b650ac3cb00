"""What an officer reads in the panels (trial findings 2, 6, 7, 14, 15): cell text in
the forms UX.md names (DTG, FL390, three-digit °T, HIJACK), rows that follow the replay
cursor, headers in view at the default dock width, and status chips (not bright fills)
in a night grab."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from cop_app.core.entities import LandReport
from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.style import status_colour
from cop_app.core.timeutil import format_age, format_dtg, format_iso, now, parse_iso
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.core.verification import Transition
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.panels import alert_rows as ar
from cop_app.ui.panels.alerts import AlertsPanel
from cop_app.ui.panels.details import DetailsPanel, report_html
from cop_app.ui.panels.reports import ReportsPanel
from cop_app.ui.panels.tracks import COLUMNS as TRACK_COLUMNS
from cop_app.ui.panels.tracks import TracksPanel
from cop_app.ui.theme import DAY, NIGHT, Theme

T0 = parse_iso("2026-11-26T10:00:00Z")
DOCK_PX = 400  # the right docks at 1366 px (main_window: max(380, width / 3.4))


def palette(theme: Theme) -> QPalette:
    pal = QPalette()
    for role, colour in ((QPalette.ColorRole.Base, theme.base),
                         (QPalette.ColorRole.AlternateBase, theme.alt_base),
                         (QPalette.ColorRole.Window, theme.window),
                         (QPalette.ColorRole.Text, theme.text),
                         (QPalette.ColorRole.WindowText, theme.text)):  # fmt: skip
        pal.setColor(role, QColor(colour))
    return pal


def rgb(image) -> np.ndarray:
    image = image.convertToFormat(image.Format.Format_RGB888)
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    return np.frombuffer(bytes(image.constBits()), np.uint8).reshape(h, bpl)[:, :w * 3] \
        .reshape(h, w, 3).astype(int)


def near(pixels: np.ndarray, colour: str, tol: int = 24) -> np.ndarray:
    c = QColor(colour)
    return (np.abs(pixels - (c.red(), c.green(), c.blue())).max(axis=2) <= tol)


def header_in_view(table, logical: int) -> bool:
    h = table.horizontalHeader()
    x = h.sectionViewportPosition(logical)
    return not h.isSectionHidden(logical) and x >= 0 and \
        x + h.sectionSize(logical) <= table.viewport().width()


def air_and_sea(t: float) -> Picture:
    pic = Picture()
    pic.upsert_many([
        TrackUpdate(Domain.AIR, "icao:4ca7e1", "sbs", t - 5, 47.5, 33.2,
                    {"callsign": "RYR7HJ", "altitude_ft": 39000.0, "speed_kn": 77.9482,
                     "course_deg": 241.8, "squawk": "7500"}),
        TrackUpdate(Domain.AIR, "icao:4ca7e2", "sbs", t - 5, 47.6, 33.3,
                    {"callsign": "LOW1", "altitude_ft": 4500.0, "squawk": "3372"}),
        TrackUpdate(Domain.SEA, "mmsi:272123456", "ais", t - 30, 46.4, 30.8,
                    {"name": "NORDIC STAR", "speed_kn": 0.44, "course_deg": 359.7}),
    ])  # fmt: skip
    return pic


# ---- 14: Tracks ------------------------------------------------------------------------
def test_tracks_cells_read_fl_knots_true_bearing_and_the_squawk_name(qtbot):
    hub = Hub(air_and_sea(T0))
    hub.set_live(False)
    hub.set_cursor(T0)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    m = panel.model
    col = {name: k for k, name in enumerate(TRACK_COLUMNS)}
    rows = {m.index(r, col["Name / callsign"]).data():
            {name: m.index(r, k).data() for name, k in col.items()}
            for r in range(m.rowCount())}  # fmt: skip
    hj, low, ship = rows["RYR7HJ"], rows["LOW1"], rows["NORDIC STAR"]
    assert (hj["Alt / FL"], hj["Speed"], hj["Course"]) == ("FL390", "78 kn", "242°T")
    assert hj["Squawk"] == "7500 HIJACK" and low["Squawk"] == "3372"
    assert low["Alt / FL"] == "4,500 ft"
    assert (ship["Speed"], ship["Course"]) == ("0.4 kn", "000°T")  # 359.7 is 000, not 360
    # replaying (the hub is not live): ages count from the cursor, and say so
    assert hj["Age"] == "5 s before cursor" and ship["Age"] == "30 s before cursor"
    assert hj["Last report"] == format_dtg(T0 - 5)
    # the full id is every cell's tooltip (the Track column is last and elides)
    r = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == "RYR7HJ")
    assert m.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) == "icao:4ca7e1"
    # an emergency squawk sorts first
    m.sort(col["Squawk"], Qt.SortOrder.AscendingOrder)
    assert m.index(0, col["Squawk"]).data() == "7500 HIJACK"
    # at the default dock width the columns an officer reads first are in view
    panel.resize(DOCK_PX, 500)
    panel.show()
    panel.table.resizeColumnsToContents()
    qtbot.wait(10)
    for name in ("Name / callsign", "Identity", "Age"):
        assert header_in_view(panel.table, col[name]), name
    hub.close()


# ---- 6: Details ------------------------------------------------------------------------
def test_details_read_fl_feet_knots_bearing_squawk_and_stale_ahead(qtbot):
    t = now()
    hub = Hub(air_and_sea(t))
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    hub.select({"icao:4ca7e1"})
    lines = [s.strip() for s in panel.text().splitlines()]
    value = lambda name: lines[lines.index(name) + 1]  # noqa: E731
    assert value("Altitude") == "FL390 (39,000 ft)"
    assert value("Squawk") == "7500 HIJACK"
    assert value("Speed") == "78 kn" and value("Course") == "242°T"
    # ADS-B goes stale ~60 s after the last fix, so it is still ahead: "in N s"
    stale = value("Stale")
    assert stale.startswith(format_dtg(t - 5 + 60)) and "(in " in stale, stale
    assert value("Last report").endswith("s ago)")
    # no DTG or id is split across lines in a narrow dock
    panel.resize(260, 900)
    panel.show()
    qtbot.wait(10)
    doc = panel.browser.document()
    doc.setTextWidth(panel.browser.viewport().width())
    texts = []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for k in range(layout.lineCount()):
            line = layout.lineAt(k)
            texts.append(block.text()[line.textStart():line.textStart() + line.textLength()])
        block = block.next()
    assert any("icao:4ca7e1" in s for s in texts)
    dtg = format_dtg(t - 5)
    assert any(dtg in s for s in texts), texts
    hub.close()


def test_trail_steps_read_in_plain_words():
    rep = LandReport(id="R9", time=T0, status=S.UNDER_VERIFICATION, trail=[
        Transition(S.REPORTED, S.REPORTED, "feeder", T0, "received"),
        Transition(S.REPORTED, S.TRIAGED, "ops-1", T0 + 60, "plausible"),
        Transition(S.TRIAGED, S.UNDER_VERIFICATION, "ops-2", T0 + 120, "asking")])
    text = report_html(rep, ref=T0 + 300)
    assert "created as reported" in text
    assert "reported → triaged" in text and "triaged → under verification" in text
    assert "under_verification" not in text and "reported → reported" not in text


def test_format_age_says_in_for_a_time_ahead():
    assert format_age(-26.4) == "in 26 s" and format_age(-600) == "in 10 min"
    assert format_age(-0.4) == "0 s ago"  # clock jitter is "now", not the future
    assert format_age(26) == "26 s ago"


# ---- 2: Reports follow the replay cursor ---------------------------------------------
def reports_picture() -> Picture:
    pic = Picture()
    pic.upsert_many(ReportUpdate(id=f"R{k}", source="t", time=T0 + 600 * k, lat=48.0, lon=37.5,
                                 fields={"status": "reported", "event_type": "explosion"})
                    for k in range(5))  # fmt: skip
    return pic


def test_reports_list_only_what_was_known_at_the_replay_cursor(qtbot):
    hub = Hub(reports_picture())
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    assert len(panel.shown_ids()) == 5  # live: everything
    hub.set_cursor(T0 + 700)
    hub.set_live(False)
    assert sorted(panel.shown_ids()) == ["R0", "R1"]
    hub.set_cursor(T0 + 1900)
    qtbot.waitUntil(lambda: len(panel.shown_ids()) == 4, timeout=2000)
    # a 3600x replay: hundreds of cursor steps, a handful of rebuilds
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    for k in range(400):
        hub.set_cursor(T0 + 1900 - k)
    qtbot.wait(600)
    assert sorted(panel.shown_ids()) == ["R0", "R1", "R2"]
    assert len(resets) <= 3, len(resets)
    hub.set_live(True)
    assert len(panel.shown_ids()) == 5
    hub.close()


# ---- 15: chips at night --------------------------------------------------------------
def status_cell(qtbot, theme: Theme) -> tuple[np.ndarray, str]:
    hub = Hub(reports_picture())
    with hub.picture.lock:
        hub.picture.upsert_many([ReportUpdate(id="RV", source="t", time=T0, lat=48.0, lon=37.5,
                                              fields={"status": "verified",
                                                      "event_type": "burst"})])  # fmt: skip
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    panel.table.setPalette(palette(theme))
    panel.resize(DOCK_PX, 400)
    panel.show()
    qtbot.wait(10)
    row = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 0).data() == "RV")
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    image = rgb(panel.table.viewport().grab().toImage())
    hub.close()
    return image[rect.top():rect.bottom(), rect.left():rect.right()], status_colour("verified")


def test_night_status_is_a_small_chip_on_the_dark_cell(qtbot):
    cell, colour = status_cell(qtbot, NIGHT)
    chip = near(cell, colour)
    area = cell.shape[0] * cell.shape[1]
    assert 40 <= chip.sum() <= 0.15 * area, (chip.sum(), area)  # there, and small
    luminance = cell.mean(axis=2)
    assert np.median(luminance) < 80  # the cell stays dark round the chip
    _ys, xs = np.nonzero(chip)
    assert xs.max() < 30  # at the cell's left, before the words


def test_day_status_keeps_the_whole_cell_fill(qtbot):
    cell, colour = status_cell(qtbot, DAY)
    assert near(cell, colour).mean() > 0.5


# ---- 7: Alerts ------------------------------------------------------------------------
def lost_alert(subject: str, t: float) -> dict:
    """An alert record as the demo server writes it (cop_app/server/alerting.py)."""
    return {"kind": "alert", "id": "AL-1", "rule": "lost_in_zone", "severity": "medium",
            "subject": subject, "time": format_iso(t), "lat": 47.5, "lon": 33.2,
            "state": "new", "zone": "CF-BUF-W", "details": {}, "trail": [], "version": 1,
            "message": f"RYR7HJ lost in Buffer zone, west/north side (15 km, CF-BUF-W), "
                       f"last fix {format_iso(t - 61.387)}"}  # fmt: skip


def test_alerts_row_reads_callsign_rule_words_and_dtg(qtbot):
    t = T0 + 0.123
    hub = Hub(air_and_sea(T0))
    panel = AlertsPanel(hub)
    qtbot.addWidget(panel)
    panel.set_alerts([lost_alert("icao:4ca7e1", t)])
    item = lambda name: panel.table.item(0, ar_col(name))  # noqa: E731
    assert item("Subject").text() == "RYR7HJ" and item("Subject").toolTip() == "icao:4ca7e1"
    alert = item("Message").text()
    assert alert.startswith("RYR7HJ lost in Buffer zone")  # a log line: who, what, where
    assert alert.endswith(f"last fix {format_dtg(t - 61.387)}")
    assert "2026-" not in alert and "lost_in_zone" not in alert
    assert item("Time").text() == format_dtg(t)
    assert panel.rule_box.itemText(1) == "Lost in zone"
    # search by what the row shows (the callsign)
    panel.search.setText("ryr7")
    assert panel.table.rowCount() == 1
    panel.search.setText("")
    # at the default dock width: severity, subject and the alert text are in view
    panel.resize(DOCK_PX, 500)
    panel.show()
    qtbot.wait(10)
    for name in ("Severity", "Subject"):
        assert header_in_view(panel.table, ar_col(name)), name
    h = panel.table.horizontalHeader()
    assert h.sectionViewportPosition(ar_col("Message")) < panel.table.viewport().width() - 120
    # the selected alert reads in full under the table
    panel.table.selectRow(0)
    assert "Lost in zone" in panel.trail.text() and format_dtg(t) in panel.trail.text()
    hub.close()


def ar_col(name: str) -> int:
    from cop_app.ui.panels.alerts import COLUMNS

    return COLUMNS.index(name)


def test_unknown_subject_keeps_its_id_and_a_track_without_a_name_drops_the_scheme():
    pic = Picture()
    pic.upsert_many([TrackUpdate(Domain.LAND, "cot:CF-UAV-0007", "cot", T0, 47.0, 35.0, {})])
    assert ar.subject_text(pic, "cot:CF-UAV-0007") == "CF-UAV-0007"
    assert ar.subject_text(pic, "CF0-26112701-00") == "CF0-26112701-00"
