"""Lost tracks and heading vectors as a person sees them (officer trial, session 3).

A track past its stale time stays where it was last heard, drawn hollow and grey (the
frame keeps its shape), for its lost period (``StalePolicy``: air 5 min); then it goes.
An emergency squawk stays red and labelled while lost (1 h). The Tracks table keeps a
lost row with "LOST 3 min" in the Age cell. A slow UAV's heading line reaches ~20 px
past its symbol (and its selection brackets) in its course's direction.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_age
from cop_app.ui.panels.tracks import C_AGE, TracksPanel
from tests.ui.test_map_tracks import RED, SALMON, T, count_near, open_map, up

LOST_GREY = QColor("#A8A8A8")  # the hollow frame's ink (map/symbols.py LOST_INK)
AIR_STALE_S = 60.0  # UX.md: ADS-B stale after ~60 s
AIR_LOST_S = 300.0  # then 5 min on show as lost
BBOX = (29.0, 43.5, 39.0, 52.0)


@pytest.fixture
def lost_world(qtbot):
    picture = Picture()
    picture.upsert_many([
        up("air:bad", Domain.AIR, T, 48.0, 35.0, identity="hostile", callsign="BAD01",
           speed_kn=300.0, course_deg=90.0),
        up("air:sos", Domain.AIR, T, 46.0, 37.0, identity="friend", callsign="SOS12",
           squawk="7700"),
    ])  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (900, 700), BBOX)
    yield picture, hub, view, layers
    hub.close()


def grab(view) -> QImage:
    return view.grab().toImage()


def dark_near(img: QImage, x0: float, x1: float, y: float, half: int = 2) -> int:
    """Dark pixels (a heading line's ink) in columns x0..x1 within ``half`` px of row y."""
    n = 0
    x0, x1 = sorted((x0, x1))
    for x in range(round(x0), round(x1) + 1):
        for yy in range(round(y) - half, round(y) + half + 1):
            if img.pixelColor(x, yy).lightness() < 80:
                n += 1
    return n


def test_a_stale_track_is_drawn_hollow_grey_where_it_was_then_goes(lost_world):
    _, hub, view, layers = lost_world
    at = view.latlon_to_widget(48.0, 35.0)
    img = grab(view)
    assert count_near(img, at, SALMON) > 40 and count_near(img, at, LOST_GREY, tol=20) < 6
    # Stale (no report for 2 min) but within its lost period: still there, hollow grey.
    hub.set_cursor(T + AIR_STALE_S + 60)
    img = grab(view)
    img.save("/tmp/cop_map_lost.png")  # for a person to look at
    assert count_near(img, at, SALMON) == 0  # no affiliation fill ...
    assert count_near(img, at, LOST_GREY, tol=20) > 25  # ... a grey frame instead
    assert "air:bad" in layers["air"].keys
    # No heading line from a lost track (it is not known to be moving now).
    assert dark_near(img, at.x() + 25, at.x() + 45, at.y()) == 0
    # Past the lost period it is gone: no ink at all where it was.
    hub.set_cursor(T + AIR_STALE_S + AIR_LOST_S + 5)
    img = grab(view)
    assert count_near(img, at, LOST_GREY, tol=20) == 0
    assert count_near(img, at, QColor("#000000"), tol=60) == 0
    assert "air:bad" not in layers["air"].keys


def test_an_emergency_stays_red_and_labelled_while_lost(lost_world):
    _, hub, view, layers = lost_world
    hub.set_cursor(T + 30 * 60)  # half an hour without a report: lost, not gone
    layers["air"].refresh_attributes()  # the 1 Hz attribute scan, now
    at = view.latlon_to_widget(46.0, 37.0)
    img = grab(view)
    img.save("/tmp/cop_map_lost_emergency.png")
    assert count_near(img, at, RED, tol=40) > 15  # the hollow frame is red
    # The red EMERGENCY label to the right, zoomed out as well (must-label).
    assert count_near(img, QPointF(at.x() + 50, at.y() - 4), RED, r=14, tol=60) > 10
    layer = layers["air"]
    i = layer.keys.index("air:sos")
    lines = layer._label_texts(np.array([i]))[0]
    assert lines[0] == "EMERGENCY" and "LOST 30 min" in lines
    # The hostile one without an emergency went after its 5 min.
    assert "air:bad" not in layer.keys
    hub.set_cursor(T + 3600 + AIR_STALE_S + 5)
    assert "air:sos" not in layer.keys
    assert count_near(grab(view), at, RED, tol=40) == 0


def test_the_tracks_table_keeps_a_lost_row_and_says_lost(lost_world, qtbot):
    _picture, hub, _view, _ = lost_world
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    hub.set_cursor(T + AIR_STALE_S + 120)  # 3 min since the last report
    panel.refresh()
    row = panel.model.row_of("air:bad")
    assert row is not None
    cell = panel.model.index(row, C_AGE)
    assert cell.data() == "LOST " + format_age(180.0).removesuffix(" ago") == "LOST 3 min"
    assert QColor(cell.data(Qt.ItemDataRole.BackgroundRole)) == QColor("#FFB300")
    assert "(2 lost)" in panel.count.text()
    hub.set_cursor(T + AIR_STALE_S + AIR_LOST_S + 5)
    panel.refresh()
    assert panel.model.row_of("air:bad") is None  # gone from the table with the map
    assert panel.model.row_of("air:sos") is not None  # the emergency is kept for 1 h
    panel.close()


@pytest.mark.parametrize(("course", "sign"), [(90.0, 1), (270.0, -1)])
def test_a_slow_uav_heading_line_reads_past_its_symbol_and_brackets(qtbot, course, sign):
    picture = Picture()
    picture.upsert_many([
        up("air:uav", Domain.AIR, T, 48.0, 34.0, identity="friend", callsign="UAV68",
           speed_kn=68.0, course_deg=course),
        up("air:still", Domain.AIR, T, 46.0, 36.0, identity="friend", callsign="HOVER",
           speed_kn=0.3, course_deg=course),
    ])  # fmt: skip
    hub, view, _ = open_map(qtbot, picture, (900, 700), BBOX)
    hub.select({"air:uav"})  # the brackets (half side ~20 px) must not hide the line
    p = view.latlon_to_widget(48.0, 34.0)
    img = grab(view)
    img.save(f"/tmp/cop_map_uav_vector_{int(course)}.png")
    # The symbol and brackets end ~23 px from the centre; ink 20 px on beyond the
    # symbol's edge (~16 px), along the course, none on the other side.
    ahead = dark_near(img, p.x() + sign * 34, p.x() + sign * 40, p.y())
    behind = dark_near(img, p.x() - sign * 40, p.x() - sign * 34, p.y())
    assert ahead >= 7 and behind == 0
    # Stationary (< 0.5 kn): no line.
    q = view.latlon_to_widget(46.0, 36.0)
    assert dark_near(img, q.x() + 26, q.x() + 45, q.y()) == 0
    assert dark_near(img, q.x() - 45, q.x() - 26, q.y()) == 0
    hub.close()
