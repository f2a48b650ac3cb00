"""Track layers as a person sees them: colours at positions in a grab of the map.

Expected colours are the 2525C light fills in shared/UX.md (salmon #FF8080 hostile,
crystal blue #80E0FF friend) and tar1090's red for emergency squawks.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.map import MapView
from cop_app.ui.map.tracks import add_track_layers, zoom_to_selection

T = 1_800_000_000.0
SALMON = QColor("#FF8080")
CRYSTAL = QColor("#80E0FF")
RED = QColor("#FF1A1A")
SELECT_INK = QColor("#FFFFFF")  # the selection brackets (map/symbols.py)


def count_near(img: QImage, p: QPointF, colour: QColor, r: int = 14, tol: int = 30) -> int:
    """Pixels within ``tol`` (per channel) of ``colour`` in a box of half-side ``r``."""
    x0, y0 = int(p.x()) - r, int(p.y()) - r
    n = 0
    for y in range(max(y0, 0), min(y0 + 2 * r + 1, img.height())):
        for x in range(max(x0, 0), min(x0 + 2 * r + 1, img.width())):
            c = img.pixelColor(x, y)
            if (abs(c.red() - colour.red()) <= tol and abs(c.green() - colour.green()) <= tol
                    and abs(c.blue() - colour.blue()) <= tol):  # fmt: skip
                n += 1
    return n


def dark_pixels(img: QImage, x0: int, y0: int, w: int, h: int) -> int:
    n = 0
    for y in range(y0, y0 + h):
        for x in range(x0, x0 + w):
            if img.pixelColor(x, y).lightness() < 60:
                n += 1
    return n


def up(key: str, domain: Domain, t: float, lat: float, lon: float, **fields) -> TrackUpdate:
    return TrackUpdate(domain=domain, key=key, source="test", time=t, lat=lat, lon=lon,
                       fields=fields)  # fmt: skip


@pytest.fixture
def world(qtbot):
    picture = Picture()
    picture.upsert_many([
        # A hostile aircraft flying east: at 48.0N 34.0E at T-30, 48.0N 35.0E at T.
        up("air:bad", Domain.AIR, T - 30, 48.0, 34.0, identity="hostile", callsign="BAD01",
           altitude_ft=31000.0),
        up("air:bad", Domain.AIR, T, 48.0, 35.0),
        up("sea:ship", Domain.SEA, T - 10, 45.0, 33.0, identity="friend", name="FRIENDLY"),
        # Stopped, so no heading vector crosses its label area.
        up("air:quiet", Domain.AIR, T - 5, 50.0, 31.0, identity="friend", callsign="QUIET7",
           speed_kn=0.0),
    ])  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (900, 700), (29.0, 43.5, 39.0, 52.0))
    yield picture, hub, view, layers
    hub.close()


def open_map(qtbot, picture: Picture, size: tuple[int, int],
             bbox: tuple[float, float, float, float]) -> tuple[Hub, MapView, dict]:  # fmt: skip
    """A shown MapView with the track layers over ``picture`` at time T."""
    hub = Hub(picture)
    hub.set_cursor(T)
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(*size)
    layers = add_track_layers(view, hub)
    view.set_bbox(*bbox)
    view.show()
    qtbot.waitExposed(view)
    return hub, view, layers


def grab(view: MapView) -> QImage:
    return view.grab().toImage()


def test_hostile_air_is_salmon_and_friend_sea_is_crystal_blue(world):
    _, _, view, _ = world
    img = grab(view)
    assert count_near(img, view.latlon_to_widget(48.0, 35.0), SALMON) > 40
    assert count_near(img, view.latlon_to_widget(45.0, 33.0), CRYSTAL) > 40
    # Nothing is drawn where no track is, and the colours do not swap.
    assert count_near(img, view.latlon_to_widget(46.5, 37.5), SALMON) == 0
    assert count_near(img, view.latlon_to_widget(45.0, 33.0), SALMON) == 0


def test_switching_the_air_layer_off_removes_its_pixels(world):
    _, hub, view, _ = world
    hub.set_layer("air", False)
    img = grab(view)
    assert count_near(img, view.latlon_to_widget(48.0, 35.0), SALMON) == 0
    assert count_near(img, view.latlon_to_widget(45.0, 33.0), CRYSTAL) > 40  # sea stays
    hub.set_layer("air", True)
    assert count_near(grab(view), view.latlon_to_widget(48.0, 35.0), SALMON) > 40


def test_replay_moves_a_track_back_to_its_earlier_position(world):
    _, hub, view, _ = world
    now, before = view.latlon_to_widget(48.0, 35.0), view.latlon_to_widget(48.0, 34.0)
    img = grab(view)
    assert count_near(img, now, SALMON) > 40 and count_near(img, before, SALMON) == 0
    hub.set_cursor(T - 30)
    img = grab(view)
    assert count_near(img, before, SALMON) > 40 and count_near(img, now, SALMON) == 0


def test_a_stale_track_loses_its_fill_then_disappears(world):
    picture, hub, view, _ = world
    # ADS-B goes stale after ~60 s (UX.md): heard at T, at T+120 no longer drawn as
    # current (lost: a hollow frame, tests/ui/test_map_lost.py) ...
    hub.set_cursor(T + 120)
    img = grab(view)
    assert count_near(img, view.latlon_to_widget(48.0, 35.0), SALMON) == 0
    # The sea track (class A, 6 min) is still there.
    assert count_near(img, view.latlon_to_widget(45.0, 33.0), CRYSTAL) > 40
    # ... and after its lost period it is gone, ink and all.
    hub.set_cursor(T + picture.stale_seconds("air:bad") + picture.stale.lost_air_s + 1)
    img = grab(view)
    assert count_near(img, view.latlon_to_widget(48.0, 35.0), QColor("#000000"), tol=60) == 0


def test_click_selects_and_the_selected_symbol_is_highlighted(world, qtbot):
    _, hub, view, _ = world
    p = view.latlon_to_widget(48.0, 35.0)
    assert count_near(grab(view), p, SELECT_INK, r=24, tol=8) == 0
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=p.toPoint())
    assert hub.selection == frozenset({"air:bad"})
    assert count_near(grab(view), p, SELECT_INK, r=24, tol=8) > 30
    # Shift-click adds a second track.
    q = view.latlon_to_widget(45.0, 33.0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, q.toPoint())  # fmt: skip
    assert hub.selection == frozenset({"air:bad", "sea:ship"})
    # A click on empty sea selects nothing new.
    e = view.latlon_to_widget(46.5, 37.5)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=e.toPoint())
    assert hub.selection == frozenset({"air:bad", "sea:ship"})


def test_box_drag_selects_many(world, qtbot):
    _, hub, view, _ = world
    a = view.latlon_to_widget(49.0, 32.5).toPoint()
    b = view.latlon_to_widget(44.0, 36.0).toPoint()
    vp = view.viewport()
    left = Qt.MouseButton.LeftButton

    def send(kind: QEvent.Type, p: QPoint, buttons: Qt.MouseButton) -> None:
        # QTest.mouseMove carries no buttons, so a drag is sent as the events themselves.
        QApplication.sendEvent(vp, QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)),
                                               left, buttons, Qt.KeyboardModifier.ShiftModifier))

    send(QEvent.Type.MouseButtonPress, a, left)
    for k in range(1, 11):
        send(QEvent.Type.MouseMove, a + (b - a) * (k / 10), left)
    send(QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)
    assert hub.selection == frozenset({"air:bad", "sea:ship"})  # QUIET7 is outside the box


def test_labels_appear_only_past_the_zoom_threshold(world):
    _, _, view, _ = world
    p = view.latlon_to_widget(50.0, 31.0)
    img = grab(view)
    assert dark_pixels(img, int(p.x()) + 20, int(p.y()) - 12, 70, 36) == 0
    view.center_on(50.0, 31.0, span_km=150)
    p = view.latlon_to_widget(50.0, 31.0)
    img = grab(view)
    img.save("/tmp/cop_map_tracks_labels.png")  # for a person to look at
    assert dark_pixels(img, int(p.x()) + 20, int(p.y()) - 12, 70, 36) > 30


def test_emergency_squawk_is_red_with_its_label(world, qtbot):
    picture, hub, view, layers = world
    picture.upsert(up("air:help", Domain.AIR, T, 46.0, 37.0, identity="friend",
                      callsign="SOS12", squawk="7700"))  # fmt: skip
    hub.set_cursor(T + 1)
    layers["air"].refresh_attributes()  # the 1 Hz attribute scan, now
    p = view.latlon_to_widget(46.0, 37.0)
    img = grab(view)
    assert count_near(img, p, RED, tol=40) > 40
    assert count_near(img, p, CRYSTAL) == 0  # red wins over the friend fill
    # The red EMERGENCY label to the right, even zoomed out.
    assert count_near(img, QPointF(p.x() + 50, p.y() - 4), RED, r=14, tol=60) > 10


def test_hover_tooltip_names_the_track(world):
    _, _, view, layers = world
    air = layers["air"]
    scene = view.mapToScene(view.latlon_to_widget(48.0, 35.0).toPoint() + QPoint(3, 2))
    i, d = air.pick(scene)
    assert i >= 0 and air.keys[i] == "air:bad" and d < 6
    text = air.tooltip(i)
    assert "BAD01" in text and "hostile" in text and "FL310" in text and "Z" in text
    far = view.mapToScene(view.latlon_to_widget(46.5, 37.5).toPoint())
    assert air.pick(far)[0] == -1


def test_trails_show_where_a_track_was_and_switch_off(world):
    _, hub, view, layers = world
    layers["trails"].rebuild()
    mid = view.latlon_to_widget(48.0, 34.5)  # half-way along BAD01's last 30 s
    trail = QColor(SALMON).darker(170)
    assert count_near(grab(view), mid, trail, r=4, tol=25) > 2
    hub.set_layer("trails", False)
    assert count_near(grab(view), mid, trail, r=4, tol=25) == 0


def test_zoom_to_selection_fits_the_selected_tracks(world):
    _, hub, view, _ = world
    hub.select({"sea:ship"})
    assert zoom_to_selection(view, hub)
    w, s, e, n = view.visible_bbox()
    assert w < 33.0 < e and s < 45.0 < n
    assert e - w < 1.0  # zoomed in to about the minimum span, not the theatre
    hub.select(set())
    assert not zoom_to_selection(view, hub)


def test_window_filters_tracks(world):
    _, hub, view, _ = world
    hub.set_window((T - 20, T - 1))  # the ship (T-10) and QUIET7 (T-5) in, BAD01 (T) out
    img = grab(view)
    assert count_near(img, view.latlon_to_widget(48.0, 35.0), SALMON) == 0
    assert count_near(img, view.latlon_to_widget(45.0, 33.0), CRYSTAL) > 40


def test_hover_tooltip_counts_age_from_the_cursor_in_replay(world):
    _, hub, view, layers = world
    air = layers["air"]
    scene = view.mapToScene(view.latlon_to_widget(48.0, 35.0).toPoint() + QPoint(3, 2))
    i, _ = air.pick(scene)
    assert "ago" in air.tooltip(i)  # live: from now
    hub.set_live(False)
    hub.set_cursor(T + 60)
    i, _ = air.pick(scene)
    assert i >= 0 and "1 min before cursor" in air.tooltip(i)
