"""Officer trial, session 3: one long unbreakable id (an imported file's
``file.geojson:sha256:…``) widened the whole Details table, and every "DTG (age)" was
cut at the dock's edge. Ids now elide in the value column and break after ':' or '/'
in the title, so the text stays inside the dock."""

from __future__ import annotations

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, now
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.details import ZWSP, DetailsPanel
from tests.ui.test_details_replay import _lines

HASH = "1bb5ef4c20d1c003b298172c" * 3  # a sha256-sized hex run, no break in it
REPORT_ID = f"evil.geojson:sha256:{HASH}"
TRACK_ID = "cot:EVIL-<b>UID</b>-" + "x" * 40
DOCK_PX = 280  # the left Details dock at 1366 px


def picture(t: float) -> Picture:
    pic = Picture()
    pic.upsert_many([
        ReportUpdate(id=REPORT_ID, source=f"evil.geojson:{HASH}", time=t - 120, lat=47.6,
                     lon=35.9, fields={"status": "verified", "event_type": "explosion",
                                       "title": "<img src=x onerror=alert(1)> TITLE"}),
        TrackUpdate(Domain.AIR, TRACK_ID, "cot", t - 5, 47.5, 35.8,
                    {"callsign": "<img src=x onerror=alert(3)><i>", "speed_kn": 58.0}),
    ])  # fmt: skip
    return pic


def lines_shown(panel: DetailsPanel) -> list[str]:
    """The text of every laid-out line, as the officer reads it down the dock."""
    return [s.replace(ZWSP, "") for s in _lines(panel)]


def shown_in_dock(qtbot, hub: Hub, key: str) -> DetailsPanel:
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX, 900)
    panel.show()
    qtbot.waitExposed(panel)
    hub.select({key})
    bar = panel.browser.horizontalScrollBar()
    # nothing wider than the dock: no sideways scroll, so nothing is cut at its edge
    qtbot.waitUntil(lambda: panel.browser.document().size().width()
                    <= panel.browser.viewport().width() + 1, timeout=15000)  # fmt: skip
    assert bar.maximum() == 0
    return panel


def test_a_long_report_id_stays_inside_the_dock_and_the_time_reads_whole(qtbot):
    t = now()
    hub = Hub(picture(t))
    panel = shown_in_dock(qtbot, hub, REPORT_ID)
    lines = lines_shown(panel)
    # the whole id reads in the title, broken after its colons
    assert "".join(lines).count(REPORT_ID) >= 1, lines
    # the value column shows both ends of it on one line
    assert any(s.startswith("evil.geoj") and "…" in s and s.endswith(HASH[-6:])
               for s in lines), lines
    # the time line: the DTG whole on a line of its own or with its age
    dtg = format_dtg(t - 120)
    assert any(dtg in s for s in lines), lines
    panel.grab().save("/tmp/w_details_report.png")
    hub.close()


def test_a_long_track_id_stays_inside_the_dock(qtbot):
    t = now()
    hub = Hub(picture(t))
    panel = shown_in_dock(qtbot, hub, TRACK_ID)
    lines = lines_shown(panel)
    assert TRACK_ID in "".join(lines)
    assert any(format_dtg(t - 5) in s for s in lines), lines
    panel.grab().save("/tmp/w_details_track.png")
    hub.close()
