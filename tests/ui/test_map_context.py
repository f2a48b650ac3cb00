"""The map's context as an officer sees it: pixels in a grab, legend text, measurements."""

from __future__ import annotations

import time

import pytest
from pyproj import Geod
from PySide6.QtGui import QColor
from shapely.geometry import box

from cop_app.core.entities import LandReport, Zone
from cop_app.core.enums import EventType, ZoneKind
from cop_app.core.geo import to_mgrs
from cop_app.core.picture import Picture
from cop_app.core.style import BASEMAP_DAY, BASEMAP_NIGHT, STATUS_COLOURS, zone_colour
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.map.context import add_context_layers, set_context_night
from cop_app.ui.map.overlays import nice_length
from cop_app.ui.map.tools import go_to, measurement_text, parse_position
from cop_app.ui.map.view import MapView

KYIV = (50.25, 30.3)  # near Kyiv, clear of the town marker and its label
BLACK_SEA = (43.5, 34.0)


def close(c: QColor, hex_: str, tol: int = 12) -> bool:
    e = QColor(hex_)
    return max(abs(c.red() - e.red()), abs(c.green() - e.green()), abs(c.blue() - e.blue())) <= tol


@pytest.fixture
def mapview(qtbot):
    def make(picture: Picture | None = None, night: bool = False, size=(1200, 900)):
        hub = Hub(picture if picture is not None else Picture())  # an empty Picture is falsy
        view = MapView(hub)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        items = add_context_layers(view, hub, night=night)
        view.set_bbox(28.0, 42.0, 41.0, 52.5)
        return hub, view, items

    yield make


def pixel(view: MapView, lat: float, lon: float, dx: int = 0, dy: int = 0) -> QColor:
    img = view.grab().toImage()
    p = view.latlon_to_widget(lat, lon)
    return img.pixelColor(round(p.x()) + dx, round(p.y()) + dy)


@pytest.mark.parametrize("night", [False, True])
def test_land_and_sea_pixels(mapview, night):
    _hub, view, _items = mapview(night=night)
    pal = BASEMAP_NIGHT if night else BASEMAP_DAY
    assert close(pixel(view, *KYIV), pal["land"])
    assert close(pixel(view, *BLACK_SEA), pal["sea"])
    assert not close(pixel(view, *KYIV), pal["sea"], 20)


def test_night_has_no_large_white_or_black_areas(mapview):
    _hub, view, _items = mapview(night=True)
    img = view.grab().toImage()
    n = bright = black = 0
    for y in range(0, img.height(), 10):
        for x in range(0, img.width(), 10):
            c = img.pixelColor(x, y)
            n += 1
            bright += c.lightness() > 200
            black += c.lightness() < 10
    assert bright / n < 0.02 and black / n < 0.02


def test_switching_theme_repaints_the_base_map(mapview):
    _hub, view, items = mapview(night=False)
    set_context_night(items, True)
    assert close(pixel(view, *BLACK_SEA), BASEMAP_NIGHT["sea"])


def test_buffer_zone_fill_shows_over_its_interior(mapview):
    pic = Picture()
    hub, view, _items = mapview(pic)
    outside_before = pixel(view, 49.0, 36.0)
    pic.set_zone(Zone("B1", ZoneKind.BUFFER, "test buffer", box(35.0, 48.0, 37.0, 50.0)))
    hub._flush()
    inside = pixel(view, 49.0, 36.0)
    land = QColor(BASEMAP_DAY["land"])
    assert not close(inside, BASEMAP_DAY["land"], 8)
    # Translucent: a blend of the land and the zone colour, not the opaque zone colour.
    zc = QColor(zone_colour("buffer"))
    for ch in ("red", "green", "blue"):
        lo, hi = sorted((getattr(land, ch)(), getattr(zc, ch)()))
        assert lo - 3 <= getattr(inside, ch)() <= hi + 3
    assert not close(inside, zc.name(), 20)
    assert close(pixel(view, 45.0, 31.0), BASEMAP_DAY["sea"])  # outside: untouched
    assert close(outside_before, BASEMAP_DAY["land"])


def test_zone_outside_its_validity_is_not_drawn(mapview):
    pic = Picture()
    hub, view, _items = mapview(pic)
    t = time.time()
    pic.set_zone(Zone("TRA", ZoneKind.BUFFER, "later", box(35.0, 48.0, 37.0, 50.0),
                      valid_from=t + 3600, valid_to=t + 7200))  # fmt: skip
    hub._flush()
    assert close(pixel(view, 49.0, 36.0), BASEMAP_DAY["land"])
    hub.set_live(False)
    hub.set_cursor(t + 4000)
    assert not close(pixel(view, 49.0, 36.0), BASEMAP_DAY["land"], 8)


def _report(rid, lat, lon, status, t=None, event=EventType.EXPLOSION):
    return LandReport(id=rid, time=t or time.time() - 60, lat=lat, lon=lon, status=status,
                      event_type=event, title=rid)  # fmt: skip


def test_verified_report_draws_red_and_rejected_is_hidden(mapview):
    pic = Picture()
    pic.restore_report(_report("V", 48.0, 35.0, S.VERIFIED, event=EventType.OTHER))
    pic.restore_report(_report("X", 47.0, 33.0, S.REJECTED, event=EventType.OTHER))
    _hub, view, items = mapview(pic)
    assert close(pixel(view, 48.0, 35.0), STATUS_COLOURS["verified"], 20)
    assert close(pixel(view, 47.0, 33.0), BASEMAP_DAY["land"])
    items["reports"].set_status_visible("rejected", True)
    assert not close(pixel(view, 47.0, 33.0), BASEMAP_DAY["land"], 8)


def test_reports_follow_the_time_window_and_click_selects(mapview, qtbot):
    pic = Picture()
    now = time.time()
    pic.restore_report(_report("OLD", 48.0, 35.0, S.VERIFIED, t=now - 7200,
                               event=EventType.OTHER))  # fmt: skip
    hub, view, items = mapview(pic)
    assert close(pixel(view, 48.0, 35.0), STATUS_COLOURS["verified"], 20)
    hub.set_window((now - 3600, now))
    assert close(pixel(view, 48.0, 35.0), BASEMAP_DAY["land"])
    hub.set_window(None)
    layer = items["reports"]
    scene = view.mapToScene(view.latlon_to_widget(48.0, 35.0).toPoint())
    i = layer.pick(scene)
    assert i >= 0 and "Verified" in layer.tooltip(i) and to_mgrs(48.0, 35.0) in layer.tooltip(i)
    with qtbot.waitSignal(hub.selectionChanged):
        qtbot.mouseClick(view.viewport(), qtbot_left(),
                         pos=view.latlon_to_widget(48.0, 35.0).toPoint())  # fmt: skip
    assert hub.selection == frozenset({"OLD"})


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_legend_lists_every_status_and_event(mapview):
    _hub, view, items = mapview()
    items["legend"].set_expanded(True)  # a 1200 px map starts with it collapsed
    lines = items["legend"].lines()
    for word in ("Reported", "Triaged", "Under verification", "Corroborated", "Verified",
                 "Unverifiable", "Rejected (hidden)", "Retracted (hidden)", "Explosion",
                 "Civilian harm"):  # fmt: skip
        assert word in lines
    # And it is drawn: the verified swatch's red is in the legend's corner of the grab.
    img = view.grab().toImage()
    r = items["legend"].sceneBoundingRect()
    reds = sum(close(img.pixelColor(x, y), STATUS_COLOURS["verified"], 10)
               for x in range(int(r.left()), int(r.right()), 2)
               for y in range(int(r.top()), int(r.bottom()), 2))  # fmt: skip
    assert reds > 5


@pytest.mark.parametrize(
    "a,b", [((46.48, 30.73), (41.01, 28.98)), ((50.45, 30.52), (48.0, 37.8)),
            ((44.6, 33.5), (44.6, 33.6))],
)
def test_range_bearing_matches_pyproj_geod(mapview, a, b):
    _hub, _view, items = mapview()
    ruler = items["ruler"]
    dist, brg = ruler.measure(*a, *b)
    az, _, d = Geod(ellps="WGS84").inv(a[1], a[0], b[1], b[0])
    assert dist == pytest.approx(d, abs=0.01)
    assert brg == pytest.approx(az % 360, abs=1e-6)
    text = ruler.text()
    assert f"{d / 1000:.2f} km" in text and f"{d / 1852:.2f} nm" in text
    assert f"{round(az % 360) % 360:03d}°T" in text
    assert text == measurement_text(*a, *b)


def test_range_bearing_drag_measures(mapview, qtbot):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    _hub, view, items = mapview()
    ruler = items["ruler"]
    ruler.set_active(True)
    p1 = view.latlon_to_widget(46.48, 30.73).toPoint()
    p2 = view.latlon_to_widget(44.6, 33.5).toPoint()
    vp = view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p1)
    for k in range(1, 11):
        QTest.mouseMove(vp, p1 + (p2 - p1) * (k / 10) + QPoint(0, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p2)
    assert ruler.a is not None and ruler.b is not None
    assert ruler.a[0] == pytest.approx(46.48, abs=0.05)
    assert ruler.b[1] == pytest.approx(33.5, abs=0.05)
    # The drag ends on whole pixels (~1 km each here): within 1% of the true distance.
    dist = Geod(ellps="WGS84").inv(30.73, 46.48, 33.5, 44.6)[2]
    shown_km = float(ruler.text().split(" km")[0])
    assert shown_km == pytest.approx(dist / 1000, rel=0.01)


@pytest.mark.parametrize(
    "text,lat,lon,tol",
    [
        ("48.5867 37.84", 48.5867, 37.84, 1e-9),
        ("-33.86, 151.21", -33.86, 151.21, 1e-9),
        ("48°35'12\"N 037°50'24\"E", 48 + 35 / 60 + 12 / 3600, 37 + 50 / 60 + 24 / 3600, 1e-9),
        ("N48 35 12 E37 50 24", 48 + 35 / 60 + 12 / 3600, 37 + 50 / 60 + 24 / 3600, 1e-9),
        ("33°51'S 151°12'E", -(33 + 51 / 60), 151.2, 1e-9),
        ("48.5N 37.5W", 48.5, -37.5, 1e-9),
    ],
)
def test_parse_position_decimal_and_dms(text, lat, lon, tol):
    got = parse_position(text)
    assert got[0] == pytest.approx(lat, abs=tol) and got[1] == pytest.approx(lon, abs=tol)


def test_parse_position_mgrs_is_the_centre_of_the_square():
    lat, lon = 48.5867, 37.84
    ref10 = to_mgrs(lat, lon, 5)
    got = parse_position(ref10)
    # 1 m square: the centre is within a metre of the point.
    assert Geod(ellps="WGS84").inv(lon, lat, got[1], got[0])[2] < 1.5
    ref4 = to_mgrs(lat, lon, 2)  # 1 km square
    c = parse_position(ref4)
    assert Geod(ellps="WGS84").inv(lon, lat, c[1], c[0])[2] < 710  # half the diagonal
    assert parse_position(ref4.replace(" ", "").lower()) == pytest.approx(c)


@pytest.mark.parametrize(
    "text,reason",
    [("", "no position"), ("hello", "not a position"), ("95 10", "out of range"),
     ("48°75'N 37°E", "under 60"), ("48N 49N", "longitude"), ("37U ZZ 1 2", "MGRS")],
)
def test_parse_position_errors_are_clear(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_position(text)


def test_go_to_centres_the_view(mapview):
    _hub, view, _ = mapview()
    go_to(view, "44°36'N 033°30'E")
    c = view.viewbox.sceneBoundingRect().center()
    lat, lon = view.scene_to_latlon(c)
    assert lat == pytest.approx(44.6, abs=0.02) and lon == pytest.approx(33.5, abs=0.02)
    with pytest.raises(ValueError):
        go_to(view, "nowhere")


def test_nice_length():
    assert [nice_length(v) for v in (1.0, 1.9, 2.0, 4.99, 7.0, 160.0, 0.37)] == [
        1.0, 1.0, 2.0, 2.0, 5.0, 100.0, 0.2]  # fmt: skip


def test_scale_bar_label_changes_with_zoom(mapview):
    _hub, view, items = mapview()
    bar = items["scalebar"]
    wide = bar.labels()
    mpp = bar.metres_per_px()
    view.center_on(47.0, 35.0, span_km=20)
    near = bar.labels()
    assert wide != near and bar.metres_per_px() < mpp / 10
    km_value, _, px = bar.bars()[0]
    # The bar's pixel length times the ground metres per pixel is its label's length.
    assert px * bar.metres_per_px() == pytest.approx(km_value * 1000, rel=1e-6)
    assert near[0].endswith("km") or near[0].endswith(" m")
    assert near[1].endswith("nm")
