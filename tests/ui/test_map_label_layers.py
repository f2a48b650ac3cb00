"""Labels of every map layer keep apart (officer trial 3: "MEDIUM" over Zaporizhzhia,
alert chips over "SFC–FL100", count chips over town names).

What a person sees, read from what the layers drew in the grab (their ``drawn`` and
placed lists): no alert chip, airspace limit or track label covers another or a place
name, a stack's count chip leaves the place name readable, and the alert's ring is
still drawn in magenta where its subject is.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from shapely.geometry import box

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.picture import Picture
from cop_app.ui.map.alerts_layer import RING_PX, add_alert_layer, alert_colour
from cop_app.ui.map.basemap import TOWNS
from cop_app.ui.map.labels import LABEL, PRIME, TOWN, LabelBoard, Request, chip_rect, town_rects
from tests.ui.test_map_readable import alert, count, full_map, overlaps, rgb
from tests.ui.test_map_tracks import T, up

ZAP = next(i for i, t in enumerate(TOWNS) if t[0] == "Zaporizhzhia")
ZAP_LAT, ZAP_LON = TOWNS[ZAP][1], TOWNS[ZAP][2]
UAV = (ZAP_LAT + 0.03, ZAP_LON + 0.06)  # by the town's dot
PATROL1 = (ZAP_LAT - 0.02, ZAP_LON + 0.15)  # "land:l1", the HIGH alert's subject
QUAY = (ZAP_LAT - 0.18, ZAP_LON + 0.8)
OVERVIEW = (29.0, 44.5, 41.0, 51.0)  # ~1.5 km a px: the trial's zoom (merged chips)
ZOOMED = (34.4, 47.5, 35.9, 48.2)  # ~125 m a px: rings and track labels


def scene(qtbot, bbox, size=(900, 700)):
    """An alerted hostile UAV beside Zaporizhzhia's dot, an airspace box whose limit
    label sits on the town, a few tracks round it and stacks of moored ships."""
    picture = Picture()
    ups = [up("air:uav", Domain.AIR, T, *UAV, identity="hostile",
              callsign="UAV7", altitude_ft=3000.0, speed_kn=0.0)]  # fmt: skip
    ups += [up(f"land:l{i}", Domain.LAND, T, PATROL1[0] + 0.04 * (i - 1), PATROL1[1],
               identity="neutral", name=f"PATROL{i}", speed_kn=0.0) for i in range(4)]  # fmt: skip
    ups += [up(f"sea:m{i}", Domain.SEA, T, ZAP_LAT + 1e-4 * (i % 3),
               ZAP_LON - 0.01 + 1e-4 * (i // 3), identity="neutral", name=f"MOOR{i}",
               speed_kn=0.0) for i in range(10)]  # fmt: skip
    # Six more under the end of the name at overview: a chip at their top left would
    # cover it (the trial's "22" over Odesa).
    ups += [up(f"sea:q{i}", Domain.SEA, T, QUAY[0] + 1e-4 * i, QUAY[1], identity="neutral",
               name=f"QUAY{i}", speed_kn=0.0) for i in range(6)]  # fmt: skip
    picture.upsert_many(ups)
    # representative_point of this box lands on the town (its middle latitude).
    picture.set_zone(Zone("R1", ZoneKind.RESTRICTED_AIRSPACE, "TRA",
                          box(ZAP_LON - 0.3, ZAP_LAT - 0.3, ZAP_LON + 0.35, ZAP_LAT + 0.3),
                          floor_ft=0.0, ceiling_ft=10000.0))  # fmt: skip
    hub, view, layers = full_map(qtbot, picture, size, bbox)
    alerts = add_alert_layer(view, hub)
    alerts.set_alerts([alert(1, "air:uav", "medium"), alert(2, "land:l1", "high")])
    return hub, view, layers, alerts


def drawn_rects(view, layers, alerts) -> dict[str, list[tuple[str, tuple]]]:
    """What the last paint drew, by kind, in widget px."""
    def tup(r: QRectF) -> tuple:
        return r.left(), r.top(), r.right(), r.bottom()

    zone_labels = view.layer("zones").label_layer
    out = {"limit": [(t, tup(r)) for t, r in zone_labels.drawn],
           "alert": [(t, tup(r)) for t, r in alerts.drawn], "track": [], "count": []}
    for name in ("land", "sea", "air"):
        layer = layers[name]
        tr = layer.deviceTransform(view.viewportTransform())
        for (_, i), r in layer.declutter.placed(layer, tr, tr.mapRect(layer.viewRect())):
            out["track"].append((layer.keys[i], r))
        out["count"] += [("count", r) for r in layer.badges_drawn]
    return out


def town_on_screen(view, layers) -> tuple:
    layer = layers["air"]
    return town_rects(layer.deviceTransform(view.viewportTransform()))[ZAP]


@pytest.mark.parametrize("bbox", [OVERVIEW, ZOOMED], ids=["overview", "zoomed"])
def test_alert_chips_limits_and_track_labels_keep_off_each_other_and_the_town(qtbot, bbox):
    hub, view, layers, alerts = scene(qtbot, bbox)
    img = view.grab().toImage()
    got = drawn_rects(view, layers, alerts)
    town = town_on_screen(view, layers)
    assert [t for t, _ in got["limit"]] == ["SFC–FL100"]  # the limit shows ...
    assert got["alert"]  # ... and the chips
    labels = got["limit"] + got["alert"] + got["track"]
    for k, (a, ra) in enumerate(labels):
        assert not overlaps(ra, town), (a, ra, town)
        for b, rb in labels[k + 1:]:
            assert not overlaps(ra, rb), (a, ra, b, rb)
    for _, r in got["count"]:  # the stacks' counts leave the town name readable ...
        assert not overlaps(r, town), (r, town)
        for b, rb in labels:  # ... and no label covers them
            assert not overlaps(r, rb), (r, b, rb)
    assert got["count"]
    # The rings are drawn where their subjects are: the worst alert's at any zoom (at
    # overview it stands for both), the UAV's too once zoomed in.
    rings = [(PATROL1, "high")] + ([(UAV, "medium")] if bbox == ZOOMED else [])
    for at, severity in rings:
        p = view.latlon_to_widget(*at)
        ring = (round(p.x()), round(p.y()), int(RING_PX) + 3)
        assert count(rgb(img), alert_colour(severity), 40, ring) > 30, severity
    hub.close()


def test_a_chip_with_no_free_spot_is_left_out_but_its_ring_is_drawn(qtbot, monkeypatch):
    hub, view, _layers, alerts = scene(qtbot, ZOOMED)
    shared = alerts.declutter
    new_board = shared._new_board

    def walled(*args, **kwargs):  # a place name over the whole map: no chip fits
        new_board(*args, **kwargs)
        shared.board.block((-1e5, -1e5, 1e5, 1e5), TOWN)

    monkeypatch.setattr(shared, "_new_board", walled)
    alerts.set_alerts([alert(1, "air:uav", "medium")])  # new data: a new board
    img = view.grab().toImage()
    assert alerts.drawn == []
    p = view.latlon_to_widget(*UAV)
    ring = (round(p.x()), round(p.y()), int(RING_PX) + 3)
    assert count(rgb(img), alert_colour("medium"), 40, ring) > 30
    hub.close()


def test_a_forced_label_takes_the_option_that_covers_least():
    board = LabelBoard()
    board.keep((0, 0, 50, 20), PRIME)  # an alert chip
    board.keep((0, 30, 50, 50), LABEL)  # a track label
    forced = Request(3, [(10, 5, 40, 15), (10, 35, 40, 45)], "sos", force=True)
    assert board.place(forced) == (10, 35, 40, 45)  # over the track label, not the alert
    assert board.worst((1, 1, 2, 2)) == PRIME


def test_a_count_chip_moves_to_the_first_corner_off_a_place_name():
    w, h = 20.0, 18.0
    assert chip_rect(100, 100, w, h, 4, 8, []) == (76, 74, 96, 92)  # top left
    town = (60, 60, 98, 95)  # covers the top left corner only
    r = chip_rect(100, 100, w, h, 4, 8, [town])
    assert r == (104, 74, 124, 92) and not overlaps(r, town)  # top right
    wide = (0, 70, 200, 95)  # a long name across the top corners
    r = chip_rect(100, 100, w, h, 4, 8, [wide])
    assert r[1] >= 100 and not overlaps(r, wide)  # below the symbol
    everywhere = (0, 0, 300, 300)
    assert chip_rect(100, 100, w, h, 4, 8, [everywhere]) == (76, 74, 96, 92)


def test_town_rects_match_the_drawn_name(qtbot):
    """The obstacle is where the base map draws the name: ink of the name inside it."""
    hub, view, layers, _alerts = scene(qtbot, OVERVIEW)
    hub.set_layer("zones", False)
    hub.set_layer("air", False)
    hub.set_layer("land", False)
    hub.set_layer("sea", False)
    hub.set_layer("alerts", False)
    pix = rgb(view.grab().toImage())
    x0, y0, x1, y1 = (round(v) for v in town_on_screen(view, layers))
    part = pix[y0:y1, x0:x1]
    ink = np.abs(part - np.array([0x3A, 0x3A, 0x3A])).max(axis=2) <= 40
    assert ink.sum() > 40  # the name's dark letters are inside the rectangle
    hub.close()
