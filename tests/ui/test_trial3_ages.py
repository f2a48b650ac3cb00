"""Officer trial, session 3: in replay "ago" meant two things. The banner's "(2 h ago)"
counts from now, while Details and the Tracks Age column counted from the cursor and
said "ago" too. Ages counted from the cursor now say so ("1 h before cursor"); live
they stay "1 h ago"."""

from __future__ import annotations

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, now
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.readout import age_text
from cop_app.ui.panels.tracks import COLUMNS, TracksPanel

KEY = "mmsi:272123456"


def picture(t: float) -> Picture:
    pic = Picture()
    pic.upsert_many([
        TrackUpdate(Domain.SEA, KEY, "ais", t - 2400, 46.4, 30.8, {"name": "NORDIC STAR"}),
        ReportUpdate(id="R1", source="t", time=t - 2400, lat=48.0, lon=37.5,
                     fields={"status": "reported", "event_type": "explosion"}),
    ])  # fmt: skip
    pic.upsert_many([TrackUpdate(Domain.SEA, KEY, "ais", t - 30, 46.5, 30.9,
                                 {"name": "NORDIC STAR"})])  # fmt: skip
    return pic


def value(panel: DetailsPanel, name: str) -> str:
    lines = [s.strip() for s in panel.text().splitlines()]
    return lines[lines.index(name) + 1]


def age_cell(panel: TracksPanel) -> str:
    return panel.model.index(0, COLUMNS.index("Age")).data()


def test_age_words_say_which_clock():
    assert age_text(3700) == "1 h ago" and age_text(-26) == "in 26 s"
    assert age_text(3700, cursor=True) == "1 h before cursor"
    assert age_text(-26, cursor=True) == "26 s after cursor"


def test_replay_ages_count_from_the_cursor_and_say_so_live_ones_say_ago(qtbot):
    t = now()
    hub = Hub(picture(t))
    hub.set_cursor(t)  # live: the cursor is the clock (the timeline ticks it)
    details, tracks = DetailsPanel(hub), TracksPanel(hub)
    for w in (details, tracks):
        qtbot.addWidget(w)
    # live: ages from now
    hub.select({"R1"})
    assert value(details, "Time") == f"{format_dtg(t - 2400)} (40 min ago)"
    qtbot.waitUntil(lambda: age_cell(tracks) == "30 s ago", timeout=15000)
    # replay 40 s after the report and the first fix (the history kept is an hour)
    hub.set_live(False)
    hub.set_cursor(t - 2400 + 40)
    details.refresh()
    assert value(details, "Time") == f"{format_dtg(t - 2400)} (40 s before cursor)"
    hub.select({KEY})
    assert value(details, "Last report") == f"{format_dtg(t - 2400)} (40 s before cursor)"
    qtbot.waitUntil(lambda: age_cell(tracks) == "40 s before cursor", timeout=15000)
    assert "ago" not in details.text()
    # back to live: "ago" again
    hub.set_live(True)
    hub.set_cursor(t)  # as the timeline's live tick does
    qtbot.waitUntil(lambda: age_cell(tracks) == "30 s ago", timeout=15000)
    hub.close()
