"""The shared declutter grid: what a dense picture still shows an officer.

Past DECLUTTER_MIN symbols in view the three domain layers share one screen grid with
one symbol per cell; the expectations come from the rules in UX.md and the module doc:
an emergency is always drawn (red, on top), selected tracks are always drawn, a hostile
track wins its cell over an unknown one whatever the domain, and no cell holds two.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate
from cop_app.ui.map import MapView
from cop_app.ui.map.declutter import DECLUTTER_MIN, DECLUTTER_PX, project
from tests.ui.test_map_tracks import T, open_map

N = DECLUTTER_MIN + 2000  # unknown sea and land tracks: a carpet past the threshold


def up(key: str, domain: Domain, lat: float, lon: float, **fields) -> TrackUpdate:
    return TrackUpdate(domain=domain, key=key, source="test", time=T, lat=lat, lon=lon,
                       fields=fields)  # fmt: skip


@pytest.fixture
def dense(qtbot):
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(46.0, 48.0, N), rng.uniform(33.0, 36.0, N)
    ups = [up(f"{'sea' if i % 2 else 'land'}:{i}", Domain.SEA if i % 2 else Domain.LAND,
              float(lat[i]), float(lon[i]), identity="unknown", speed_kn=0.0)
           for i in range(N)]  # fmt: skip
    # Where the carpet is: an emergency, two selected tracks a few metres apart (one
    # cell) and a hostile ship, each with unknown tracks on top of it.
    ups += [up("air:sos", Domain.AIR, 47.0, 34.5, identity="friend", squawk="7700"),
            up("air:sel1", Domain.AIR, 47.2, 34.0, identity="unknown"),
            up("sea:sel2", Domain.SEA, 47.2, 34.0001, identity="unknown"),
            up("sea:bad", Domain.SEA, 46.5, 35.5, identity="hostile")]  # fmt: skip
    for i, (la, lo) in enumerate([(47.0, 34.5), (47.2, 34.0), (46.5, 35.5)] * 3):
        ups.append(up(f"land:cover{i}", Domain.LAND, la, lo + 1e-5, identity="unknown"))
    picture = Picture()
    picture.upsert_many(ups)
    hub, view, layers = open_map(qtbot, picture, (800, 600), (32.5, 45.5, 36.5, 48.5))
    layers["air"].refresh_attributes()  # the 1 Hz emergency scan, now
    hub.select({"air:sel1", "sea:sel2"})
    yield hub, view, layers
    hub.close()


def shown(view: MapView, layers: dict) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Per domain layer: keys drawn and their px from the grid's origin, as a paint does."""
    out = {}
    for name in ("land", "sea", "air"):
        layer = layers[name]
        tr = layer.deviceTransform(view.viewportTransform())
        idx = layer.declutter.shown(layer, tr, tr.mapRect(layer.viewRect()))
        px, py = project(tr, layer.mx[idx], layer.my[idx])
        # Grid lines run through the map origin's pixel (tr.dx, tr.dy).
        out[name] = ([layer.keys[i] for i in idx.tolist()], px - tr.dx(), py - tr.dy())
    return out


def test_one_grid_over_all_layers_keeps_emergency_selected_and_hostile(dense):
    _, view, layers = dense
    drawn = shown(view, layers)
    keys = {k for ks, _, _ in drawn.values() for k in ks}
    assert {"air:sos", "air:sel1", "sea:sel2", "sea:bad"} <= keys
    assert not {"land:cover0", "land:cover1", "land:cover2"} & keys
    # One symbol per cell across the three layers, but for the selected pair sharing one.
    px = np.concatenate([p for _, p, _ in drawn.values()])
    py = np.concatenate([p for _, _, p in drawn.values()])
    assert len(px) < N  # decluttered at all
    cells = set()
    for k, x, y in zip([k for ks, _, _ in drawn.values() for k in ks], px, py, strict=True):
        cell = (int(x // DECLUTTER_PX), int(y // DECLUTTER_PX))
        assert cell not in cells or k in ("air:sel1", "sea:sel2"), k
        cells.add(cell)


def test_hiding_a_layer_frees_its_cells_for_the_others(dense):
    hub, view, layers = dense
    before = len(shown(view, layers)["land"][0])
    hub.set_layer("sea", False)
    drawn = shown(view, layers)
    assert drawn["sea"][0] == []
    # The hostile ship's cell now goes to a land track (a cover stacked on it).
    assert {"land:cover2", "land:cover5", "land:cover8"} & set(drawn["land"][0])
    # 3000 land tracks alone are under the threshold: every one is drawn again, those
    # on (nearly) one spot as one symbol whose count chip says how many it stands for.
    # The counts over all layers add up to every track in view (3009 land, 2 aircraft).
    grid = layers["land"].declutter
    assert before < len(drawn["land"][0])
    assert sum(int(grid.counts(layers[n]).sum()) for n in ("land", "air")) == N // 2 + 9 + 2


def test_emergency_is_red_on_top_of_the_carpet(dense):
    _, view, _ = dense
    img: QImage = view.grab().toImage()
    p: QPointF = view.latlon_to_widget(47.0, 34.5)
    red = 0
    for y in range(int(p.y()) - 8, int(p.y()) + 9):
        for x in range(int(p.x()) - 8, int(p.x()) + 9):
            c = img.pixelColor(x, y)
            red += abs(c.red() - 255) < 40 and c.green() < 70 and c.blue() < 70
    assert red > 40
