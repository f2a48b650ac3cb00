"""Labels while the map is dragged (issue 4: the live map stays smooth zoomed in).

What a person sees: a label already on the map stays beside its track, moved by exactly
the pan (it never jumps to another side of its symbol mid-drag); tracks that come into
view get their labels, at the latest once the map is idle; no two labels ever overlap.
"""

from __future__ import annotations

import numpy as np
import pytest

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.ui.map import declutter as dc
from cop_app.ui.map.labels import LabelSprites
from tests.ui.test_map_tracks import T, dark_pixels, open_map, up

VIEW = (30.6, 46.15, 31.2, 46.45)  # ~900 x 700 px at working scale


@pytest.fixture
def sea(qtbot):
    """Five hundred ships over a stretch of sea three views wide, zoomed to one view."""
    rng = np.random.default_rng(11)
    ups = [up(f"sea:s{i}", Domain.SEA, T, float(rng.uniform(46.1, 46.5)),
              float(rng.uniform(30.5, 32.4)), identity="unknown", name=f"SHIP{i:03d}",
              speed_kn=0.0) for i in range(500)]  # fmt: skip
    ups += [up(f"air:a{i}", Domain.AIR, T, float(rng.uniform(46.1, 46.5)),
               float(rng.uniform(30.5, 32.4)), identity="hostile", callsign=f"UAV{i}",
               altitude_ft=3000.0, speed_kn=0.0) for i in range(30)]  # fmt: skip
    picture = Picture()
    picture.upsert_many(ups)
    hub, view, layers = open_map(qtbot, picture, (900, 700), VIEW)
    yield hub, view, layers
    hub.close()


def on_screen(view, layers) -> dict[str, tuple[float, float, float, float]]:
    """Track key -> its label's rectangle in widget px, as the layers drew the last frame."""
    out = {}
    for name in ("land", "sea", "air"):
        layer = layers[name]
        tr = layer.deviceTransform(view.viewportTransform())
        for (_, i), r in layer.declutter.placed(layer, tr, tr.mapRect(layer.viewRect())):
            out[layer.keys[i]] = r
    return out


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_apart(rects) -> None:
    rects = list(rects)
    for k, a in enumerate(rects):
        for b in rects[k + 1:]:
            assert not overlaps(a, b), (a, b)


def pan(view, fraction: float) -> float:
    """Move the map left by ``fraction`` of the view (the view goes east) and paint;
    returns how far the map moved in widget px."""
    vb = view.viewbox
    before = view.latlon_to_widget(46.3, 31.0).x()
    (x0, x1), (y0, y1) = vb.viewRange()
    d = (x1 - x0) * fraction
    vb.setRange(xRange=(x0 + d, x1 + d), yRange=(y0, y1), padding=0)
    view.grab()
    return view.latlon_to_widget(46.3, 31.0).x() - before


def settle(qtbot, view, shared) -> None:
    """Wait for the idle passes: the margin round the view is placed."""
    view.grab()
    qtbot.waitUntil(lambda: shared._idle is not None and not shared._idle.isActive()
                    and shared._region.width() > view.viewbox.width() * 1.2,
                    timeout=15000)  # fmt: skip


def test_a_drag_keeps_placed_labels_and_labels_what_comes_into_view(qtbot, sea):
    _, view, layers = sea
    shared = layers["sea"].declutter
    settle(qtbot, view, shared)
    before = on_screen(view, layers)
    assert len(before) >= 15
    width = view.viewport().width()
    moved_total = 0.0
    for _ in range(8):  # 8 x 6% of the view: past the placed margin (12%) several times
        prev = on_screen(view, layers)
        moved = pan(view, 0.06)
        moved_total += moved
        now = on_screen(view, layers)
        for key in prev.keys() & now.keys():  # still on screen: moved with the map, exactly
            assert now[key] == pytest.approx(tuple(v + (moved if k % 2 == 0 else 0.0)
                                                   for k, v in enumerate(prev[key]))), key
        assert_apart(now.values())
        assert_apart(shared.board.placed)
    assert moved_total < -0.4 * width  # the map went left by almost half a view
    # Ships that came in from the right (the right 40% of the view) carry labels once
    # the map is idle, and the labels are drawn there.
    settle(qtbot, view, shared)
    img = view.grab().toImage()
    entered = {k: r for k, r in on_screen(view, layers).items()
               if k not in before and r[0] > 0.6 * width}  # fmt: skip
    assert len(entered) >= 5
    inked = [dark_pixels(img, int(r[0]), int(r[1]), int(r[2] - r[0]), int(r[3] - r[1]))
             for r in entered.values() if r[2] < width and r[3] < view.viewport().height()]
    assert inked and min(inked) > 10


def test_a_frame_over_budget_leaves_the_rest_to_the_idle_pass(qtbot, sea, monkeypatch):
    _, view, layers = sea
    shared = layers["sea"].declutter
    settle(qtbot, view, shared)
    monkeypatch.setattr(dc, "FRAME_BUDGET_S", 0.0)  # a frame places one chunk only ...
    monkeypatch.setattr(dc, "CHUNK", 1)  # ... of one label
    placed = shared._count
    tried = len(shared._tried)
    pan(view, 0.6)  # far past the margin: a strip of more than half a view came in
    assert len(shared._tried) == tried + 1 and shared._count - placed <= 1
    width = view.viewport().width()
    qtbot.waitUntil(lambda: len([r for r in on_screen(view, layers).values()
                                 if r[0] > 0.45 * width]) >= 8, timeout=15000)  # fmt: skip
    assert_apart(on_screen(view, layers).values())
    assert_apart(shared.board.placed)


def test_a_long_drag_forgets_far_labels_and_keeps_near_ones(qtbot, sea, monkeypatch):
    _, view, layers = sea
    shared = layers["sea"].declutter
    monkeypatch.setattr(dc, "PRUNE_CELLS", 0.0)  # forget whatever is far, every time
    monkeypatch.setattr(dc, "PRUNE_SPARE", 0.0)
    settle(qtbot, view, shared)
    for _ in range(10):
        prev = on_screen(view, layers)
        moved = pan(view, 0.1)
        now = on_screen(view, layers)
        for key in prev.keys() & now.keys():
            assert now[key][0] == pytest.approx(prev[key][0] + moved), key
        assert_apart(shared.board.placed)
        # The board holds what was placed and nothing else: no stale obstacle.
        kept = sorted(r for items in shared._placed.values() for _, r in items)
        assert sorted(shared.board.placed) == kept
    region = shared._region
    cells = region.width() * region.height()
    assert len(shared._tried) < 3 * cells / (dc.LABEL_CELL[0] * dc.LABEL_CELL[1])


def test_labels_are_rendered_only_once_placed(qtbot):
    rng = np.random.default_rng(5)  # sixty ships in a few kilometres: not all get a label
    picture = Picture()
    picture.upsert_many([up(f"sea:s{i}", Domain.SEA, T, 46.3 + rng.uniform(-0.04, 0.04),
                            30.9 + rng.uniform(-0.06, 0.06), identity="unknown",
                            name=f"SHIP{i:02d}", speed_kn=0.0) for i in range(60)])  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (900, 700), VIEW)
    view.grab()
    shared = layers["sea"].declutter
    sprites = [layers[n].sprites for n in ("sea", "air")]
    drawn = {key[0] for s in sprites for key in s._cache}
    placed = {payload[0][0] for items in shared._placed.values() for payload, _ in items}
    tried = {entry[4][0][0] for entry in shared._tried.values()}
    assert len(tried) > len(placed)  # some candidates found no room ...
    assert drawn <= placed  # ... and were never rendered
    hub.close()


@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_label_size_is_the_rendered_sprites_size(qapp, dpr):
    sprites = LabelSprites()
    for lines in (("A",), ("ALPHA1", "FL120"), ("HIJACK", "WWWWWWWWWWWWWWWW", "12 kn")):
        pm, _ = sprites.get(lines, False, False, dpr)
        assert sprites.size(lines, dpr) == (pm.width() / dpr, pm.height() / dpr)
