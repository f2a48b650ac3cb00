"""Small map fixes from trial 2, asserted as a person sees them in a grab.

Go-to says what its mark names; the ruler's box goes when the ruler is switched off;
a buffer zone does not drown the base map when zoomed in; airspace limits are whole or
absent; the scale bar and north arrow sit over ship symbols.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from shapely.geometry import box

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.geo import format_dms
from cop_app.core.picture import Picture
from cop_app.core.style import BASEMAP_NIGHT
from cop_app.ui.map.context import add_context_layers
from cop_app.ui.map.tools import GoToMarker, go_to, mgrs_square, parse_position
from cop_app.ui.map.tracks import add_track_layers
from cop_app.ui.map.zones import fill_factor
from tests.ui.test_map_readable import count, full_map, rgb
from tests.ui.test_map_tracks import T, up

CYAN = "#00B8D4"


def luminance(c: np.ndarray) -> np.ndarray:
    return 0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2]


# ---- 1: go-to says what it names -------------------------------------------------------
def test_go_to_mgrs_labels_the_mark_and_draws_the_1_km_square_over_the_crosshair(qtbot):
    hub, view, _ = full_map(qtbot, Picture(), (900, 700), (30.0, 44.0, 34.0, 47.0))
    ref = "36T UR 58 20"
    said = go_to(view, ref, span_km=25)
    lat, lon = parse_position(ref)
    assert said == f"Centred on 36T UR 58 20 (1 km square), {format_dms(lat, lon)}"
    marker = next(i for i in view.scene().items() if isinstance(i, GoToMarker))
    assert marker.label == "36T UR 58 20 · 1 km square"
    pix = rgb(view.grab().toImage())
    # The label is dark ink beside the crosshair (the base map there is light sea/land).
    r = marker.label_rect().translated(marker.pos()).toRect()
    c = view.latlon_to_widget(lat, lon)
    assert r.left() > c.x() and r.bottom() < c.y() and r.width() > 150
    part = pix[r.top():r.bottom(), r.left():r.right()]
    assert (part.max(axis=2) < 80).sum() > 80
    # Each corner of the 1 km square (~36 px across at 25 km) shows cyan, none hidden
    # by the crosshair's halo.
    for la, lo in mgrs_square(ref):
        p = view.latlon_to_widget(la, lo)
        assert count(pix, CYAN, 40, (round(p.x()), round(p.y()), 2)) > 0
    hub.close()


def test_go_to_decimal_labels_the_mark_with_dms_and_bad_input_still_raises(qtbot):
    hub, view, _ = full_map(qtbot, Picture(), (800, 600), (30.0, 44.0, 34.0, 47.0))
    said = go_to(view, "45.32 31.2", span_km=25)
    assert said == "Centred on 45°19'12\"N 031°12'00\"E"
    marker = next(i for i in view.scene().items() if isinstance(i, GoToMarker))
    assert marker.label == "45°19'12\"N 031°12'00\"E"
    marker.clear()
    assert marker.label_rect().isEmpty()
    try:
        go_to(view, "36T UR 5800 200000")
    except ValueError:
        pass
    else:
        raise AssertionError("unequal MGRS digit groups must be refused")
    assert marker.at is None
    hub.close()


# ---- 2: the ruler's box goes with the ruler ---------------------------------------------
def test_switching_the_ruler_off_clears_its_line_and_box(qtbot):
    hub, view, _ = full_map(qtbot, Picture(), (900, 600), (30.0, 45.0, 34.0, 47.5))
    ruler = next(i for i in view.scene().items() if type(i).__name__ == "RangeBearingTool")
    said: list[str] = []
    ruler.measured.connect(said.append)
    bare = rgb(view.grab().toImage())
    ruler.set_active(True)
    ruler.measure(46.48, 30.73, 46.0, 32.0)
    lines = ruler.readout_lines()
    assert lines[2] == f"From {format_dms(46.48, 30.73)}"
    assert lines[3] == f"To {format_dms(46.0, 32.0)}"
    r = ruler.readout_rect().translated(ruler.pos()).toRect()
    on = rgb(view.grab().toImage())
    assert np.abs(on[r.top():r.bottom(), r.left():r.right()]
                  - bare[r.top():r.bottom(), r.left():r.right()]).max() > 100  # fmt: skip
    ruler.set_active(False)
    assert said[-1] == "" and ruler.text() == ""
    off = rgb(view.grab().toImage())
    # Box, line and end marks all gone (place-name antialiasing may shift a shade).
    assert (np.abs(off - bare).max(axis=2) > 40).sum() == 0
    hub.close()


# ---- 3: a buffer does not drown the base map when zoomed in -----------------------------
def test_buffer_fill_thins_at_close_zoom_so_the_night_base_map_reads(qtbot):
    pic = Picture()
    pic.set_zone(Zone("B1", ZoneKind.BUFFER, "buffer", box(35.0, 48.0, 37.0, 50.0)))
    pic.set_zone(Zone("S1", ZoneKind.SECURITY_ZONE, "security", box(35.5, 48.5, 36.5, 49.5)))
    hub, view, _ = full_map(qtbot, pic, (800, 600), (28.0, 42.0, 41.0, 52.5))
    from cop_app.ui.map.context import set_context_night

    set_context_night({k: view.layer(k) for k in view.layer_names()}, True)
    hub._flush()
    land = QColor(BASEMAP_NIGHT["land"])
    base = luminance(np.array([land.red(), land.green(), land.blue()], float))

    def shift(bbox) -> float:
        view.set_bbox(*bbox)
        p = view.latlon_to_widget(49.0, 36.0)
        pix = rgb(view.grab().toImage())[round(p.y()) - 20:round(p.y()) + 20,
                                         round(p.x()) - 20:round(p.x()) + 20]  # fmt: skip
        return abs(float(luminance(pix.astype(float)).mean()) - base)

    overview = shift((28.0, 42.0, 41.0, 52.5))
    close_in = shift((35.9, 48.9, 36.1, 49.1))  # ~15 km across: inside both zones
    assert overview > 8  # the zones show at overview
    assert close_in < overview * 0.6  # and let the base map through when zoomed in
    assert fill_factor(1000.0) == 1.0 and fill_factor(10.0) < 0.5
    hub.close()


# ---- 4: airspace limits whole or not at all ---------------------------------------------
def test_airspace_limit_label_is_whole_over_a_symbol_or_not_drawn(qtbot):
    pic = Picture()
    zone = Zone("R1", ZoneKind.RESTRICTED_AIRSPACE, "TRA", box(35.0, 48.0, 37.0, 50.0),
                floor_ft=0.0, ceiling_ft=66000.0)  # fmt: skip
    pic.set_zone(zone)
    anchor = zone.geometry.representative_point()
    # A hostile aircraft right on the anchor: the label used to lose "SF" under it.
    pic.upsert_many([up("air:x", Domain.AIR, T, anchor.y, anchor.x + 0.05,
                        identity="hostile")])  # fmt: skip
    hub, view, _ = full_map(qtbot, pic, (800, 600), (33.0, 46.5, 39.0, 51.5))
    labels = next(i for i in view.scene().items() if type(i).__name__ == "ZoneLabelLayer")
    assert labels.zValue() > view.layer("air").zValue()
    view.grab()
    assert [t for t, _ in labels.drawn] == ["SFC–FL660"]
    rect = labels.drawn[0][1].toRect()
    colour = QColor(next(c for _, t, c in labels.zones.limit_labels()))
    pix = rgb(view.grab().toImage())
    # Its first letter's pixels show: the left quarter of the label has label colour.
    left = (rect.left() + rect.width() // 8, rect.center().y(), rect.width() // 8)
    assert count(pix, colour, 30, left) > 5
    # Pan so the anchor is 30 px left of the map's edge: the label would be cut.
    a = view.latlon_to_widget(anchor.y, anchor.x)
    vb = view.viewbox.viewRange()
    dx = view.viewbox.mapSceneToView(QPointF(a.x() + 30, 0)).x() - view.viewbox.mapSceneToView(
        QPointF(0, 0)).x()  # fmt: skip
    view.viewbox.setRange(xRange=(vb[0][0] + dx, vb[0][1] + dx), yRange=vb[1], padding=0)
    view.grab()
    assert labels.drawn == []
    hub.close()


# ---- 5: scale bar and north arrow over the symbols -------------------------------------
def test_scale_bar_and_north_arrow_draw_over_a_ship_under_them(qtbot):
    pic = Picture()
    hub, view, _ = full_map(qtbot, pic, (800, 600), (30.0, 44.0, 34.0, 47.0))
    bar = next(i for i in view.scene().items() if type(i).__name__ == "ScaleBar")
    north = next(i for i in view.scene().items() if type(i).__name__ == "NorthArrow")
    plates = {bar: bar.plate_rect(), north: north.boundingRect()}
    ships = [view.scene_to_latlon(item.mapToScene(plates[item].center())) for item in plates]
    pic.upsert_many([up(f"sea:{k}", Domain.SEA, T, la, lo, identity="hostile")
                     for k, (la, lo) in enumerate(ships)])  # fmt: skip
    hub._flush()
    pix = rgb(view.grab().toImage())
    for item in (bar, north):
        r = item.mapRectToScene(plates[item]).toRect()
        part = pix[r.top() + 2:r.bottom() - 2, r.left() + 2:r.right() - 2]
        # The hostile salmon fill is at most a faint tint through the plate.
        d = np.abs(part - np.array([0xFF, 0x80, 0x80])).max(axis=2)
        assert (d <= 20).sum() == 0
    # The bar's ink is there over the ship.
    r = bar.mapRectToScene(bar.boundingRect()).toRect()
    assert (pix[r.top():r.bottom(), r.left():r.right()].max(axis=2) < 60).sum() > 100
    hub.close()


def test_context_builds_zone_labels_in_night_theme(qtbot):
    from cop_app.ui.hub import Hub
    from cop_app.ui.map.view import MapView

    hub = Hub(Picture())
    view = MapView(hub)
    qtbot.addWidget(view)
    items = add_context_layers(view, hub, night=True)
    add_track_layers(view, hub)
    assert items["zone_labels"].zValue() > items["reports"].zValue()
    items["zones"].setVisible(False)
    assert not items["zone_labels"].isVisible()
    hub.close()
