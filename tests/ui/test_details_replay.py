"""Details in replay: the track as the Picture held it at the cursor, not its newest record;
and at the default dock width (~280 px) nothing needs a horizontal scrollbar."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont

from cop_app.core.enums import Domain
from cop_app.core.geo import format_dms, to_mgrs
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg
from cop_app.core.updates import TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.panels.details import REPLAY_REFRESH_MS, DetailsPanel

T0 = 1_795_000_000.0  # a fixed UTC instant; the fixes below are 60 s apart
KEY = "mmsi:273456789"
FIXES = [(T0 + 60 * i, 44.0 + 0.01 * i, 33.0 + 0.02 * i) for i in range(5)]


def _picture() -> Picture:
    pic = Picture()
    pic.upsert_many([TrackUpdate(Domain.SEA, KEY, "ais-test", t, lat, lon,
                                 {"name": "NORDIC STAR", "mmsi": "273456789"})
                     for t, lat, lon in FIXES])  # fmt: skip
    return pic


def _value(panel: DetailsPanel, name: str) -> str:
    """The text a person reads under a row name (a value may span lines: Position)."""
    lines = [s.strip() for s in panel.text().splitlines()]
    return lines[lines.index(name) + 1]


def _position(panel: DetailsPanel) -> list[str]:
    lines = [s.strip() for s in panel.text().splitlines()]
    k = lines.index("Position")
    return lines[k + 1:k + 4]


@pytest.fixture
def replay(qtbot):
    hub = Hub(_picture())
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    hub.set_live(False)
    hub.set_cursor(FIXES[2][0])
    hub.select({KEY})
    yield hub, panel
    hub.close()


def test_replay_shows_the_fix_at_the_cursor_not_the_newest(replay):
    _hub, panel = replay
    t, lat, lon = FIXES[2]
    lat_dms, lon_dms = format_dms(lat, lon).split(" ")
    assert _position(panel) == [lat_dms, lon_dms, to_mgrs(lat, lon)]
    assert _value(panel, "Last report").startswith(format_dtg(t))
    newest = format_dtg(FIXES[-1][0])
    assert newest not in _value(panel, "Last report")
    assert "position and times as at the cursor" in panel.text()
    assert "latest known" in panel.text()  # the attributes are the newest, and it says so
    # The history line counts what is held, and how much of it is up to the cursor.
    assert f"5 fixes, {format_dtg(FIXES[0][0])} – {newest}; 3 up to {format_dtg(t)}" \
        in panel.text()


def test_between_fixes_ages_count_from_the_cursor(replay):
    hub, panel = replay
    hub.set_cursor(FIXES[1][0] + 30)
    panel.refresh()
    assert _value(panel, "Last report") == f"{format_dtg(FIXES[1][0])} (30 s before cursor)"


def test_before_the_first_fix_the_track_is_not_in_the_picture(replay, qtbot):
    hub, panel = replay
    before = T0 - 600
    hub.set_cursor(before)
    expected = f"Not in the picture at {format_dtg(before)} — first fix {format_dtg(T0)}"
    qtbot.waitUntil(lambda: expected in panel.text(), timeout=2000)
    assert _value(panel, "Position") == "—" and _value(panel, "Last report") == "—"


def test_long_after_the_last_fix_it_is_stale_and_says_since_when(replay, qtbot):
    hub, panel = replay
    last = FIXES[-1][0]
    stale_s = hub.picture.stale_seconds(KEY)
    lost_s = hub.picture.stale.lost_for(Domain.SEA)
    # Past its stale time the ship is still on the map, lost: Details says since when.
    hub.set_cursor(last + stale_s + 600)
    qtbot.waitUntil(lambda: "LOST since" in panel.text(), timeout=15000)
    assert f"LOST since {format_dtg(last + stale_s)}" in panel.text()
    assert f"until {format_dtg(last + stale_s + lost_s)}" in panel.text()
    assert _value(panel, "Lost since").startswith(format_dtg(last + stale_s))
    # Past its lost period too it has left the picture.
    hub.set_cursor(last + stale_s + lost_s + 600)
    qtbot.waitUntil(lambda: "Not in the picture at" in panel.text(), timeout=15000)
    assert f"stale since {format_dtg(last + stale_s)}" in panel.text()


def test_moving_the_cursor_refreshes_at_most_four_times_a_second(replay, qtbot):
    hub, panel = replay
    paints = []
    panel.browser.textChanged.connect(lambda: paints.append(1))
    for k in range(40):  # a fast replay: the cursor moves every few ms
        hub.set_cursor(FIXES[0][0] + k)
    t, lat, lon = FIXES[3]
    hub.set_cursor(t)
    qtbot.waitUntil(lambda: _value(panel, "Last report").startswith(format_dtg(t)),
                    timeout=2000)  # fmt: skip
    assert _position(panel)[2] == to_mgrs(lat, lon)
    assert 1 <= len(paints) <= 3, len(paints)
    assert REPLAY_REFRESH_MS <= 250


def test_back_to_live_shows_the_newest_record(replay, qtbot):
    hub, panel = replay
    hub.set_live(True)
    assert _value(panel, "Last report").startswith(format_dtg(FIXES[-1][0]))
    assert "Replay at" not in panel.text()


def test_archived_fixes_count_and_show_at_an_old_cursor(replay, qtbot):
    hub, panel = replay
    old = [(T0 - 3600, 43.5, 32.5), (T0 - 3540, 43.51, 32.52)]
    hub.picture.add_archived_fixes([KEY, KEY], [o[0] for o in old], [o[1] for o in old],
                                   [o[2] for o in old], span=(T0 - 3600, T0 - 1))  # fmt: skip
    hub.set_cursor(old[1][0])
    qtbot.waitUntil(lambda: _value(panel, "Last report").startswith(format_dtg(old[1][0])),
                    timeout=2000)  # fmt: skip
    assert _position(panel)[2] == to_mgrs(old[1][1], old[1][2])
    assert f"7 fixes, {format_dtg(old[0][0])} – {format_dtg(FIXES[-1][0])}" in panel.text()


def _lines(panel: DetailsPanel) -> list[str]:
    doc = panel.browser.document()
    out = []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for k in range(layout.lineCount()):
            line = layout.lineAt(k)
            text = block.text()[line.textStart():line.textStart() + line.textLength()]
            out.append(text.replace("\u00a0", " "))  # Qt keeps a nowrap space as NBSP
        block = block.next()
    return out


@pytest.mark.parametrize(("point_size", "height"), [(None, 900), (11, 900), (11, 400)])
def test_at_280_px_nothing_scrolls_sideways_and_the_mgrs_is_one_line(qtbot, point_size,
                                                                     height):
    t = T0
    pic = Picture()
    lat, lon = 49.0731, 37.9123
    pic.upsert(TrackUpdate(Domain.AIR, "cot:CF-UAV-M01", "scenario:ceasefire/cuas", t, lat, lon,
                           {"callsign": "MON-UAV-1", "altitude_ft": 9281.0, "speed_kn": 72.0,
                            "course_deg": 162.0, "position_source": "mlat",
                            "vertical_rate_fpm": -640.0, "geo_altitude_ft": 9400.0}))
    hub = Hub(pic)
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    if point_size:  # UX.md: labels at least 11 pt on the watch floor
        font = QFont(panel.font())
        font.setPointSize(point_size)
        panel.setFont(font)
    hub.select({"cot:CF-UAV-M01"})
    panel.resize(280, height)  # 400: a vertical scrollbar takes its width too
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(20)
    grid = to_mgrs(lat, lon)
    lines = _lines(panel)
    assert any(grid in s for s in lines), "|".join(lines)
    assert any(format_dtg(t) in s for s in lines), lines
    assert any("cot:CF-UAV-M01" in s for s in lines), lines
    bar = panel.browser.horizontalScrollBar()
    assert not bar.isVisible(), (bar.maximum(), lines)
    hub.close()
