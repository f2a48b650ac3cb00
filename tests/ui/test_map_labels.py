"""Track labels drawn from cached sprites: the same text as before, re-rendered only when
it changes, and a hostile track wins a crowded label cell (UX.md: hostile preferred)."""

from __future__ import annotations

import pytest

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.ui.map.labels import LabelSprites
from tests.ui.test_map_tracks import T, dark_pixels, open_map, up


@pytest.fixture
def zoomed(qtbot):
    picture = Picture()
    picture.upsert_many([
        up("air:a", Domain.AIR, T, 48.0, 34.0, identity="friend", callsign="ALPHA1",
           altitude_ft=12000.0, speed_kn=0.0),
        # Two ships a few hundred metres apart: one label cell, the hostile one wins it.
        up("sea:u", Domain.SEA, T, 47.80, 34.30, identity="unknown", name="UNKNOWNSHIP",
           speed_kn=0.0),
        up("sea:h", Domain.SEA, T, 47.801, 34.301, identity="hostile", name="HOSTILESHIP",
           speed_kn=0.0),
    ])  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (900, 700), (33.0, 47.2, 35.0, 48.6))
    yield picture, hub, view, layers
    hub.close()


def drawn_texts(layer) -> set[str]:
    return {line for lines in layer._label_text.values() for line in lines}


def test_label_sprite_is_made_once_and_remade_when_the_text_changes(zoomed):
    picture, hub, view, layers = zoomed
    air = layers["air"]
    view.grab()
    first = air.sprites.rendered
    assert first >= 1 and ("ALPHA1", "FL120") in [k[0] for k in air.sprites._cache]
    view.grab()
    view.grab()
    assert air.sprites.rendered == first  # repaints blit the cached sprite
    picture.upsert(up("air:a", Domain.AIR, T + 1, 48.0, 34.0, callsign="BRAVO2"))
    hub.set_cursor(T + 1)
    p = view.latlon_to_widget(48.0, 34.0)
    img = view.grab().toImage()
    assert air.sprites.rendered == first + 1
    assert "BRAVO2" in drawn_texts(air) and "ALPHA1" not in drawn_texts(air)
    assert dark_pixels(img, int(p.x()) + 20, int(p.y()) - 12, 70, 36) > 30  # legible ink


def test_hostile_wins_a_crowded_label_cell(zoomed):
    _, _, view, layers = zoomed
    view.grab()
    texts = drawn_texts(layers["sea"])
    assert "HOSTILESHIP" in texts and "UNKNOWNSHIP" not in texts


def test_sprite_cache_is_bounded_and_keeps_the_recent_ones():
    sprites = LabelSprites(limit=3)
    for name in ("A", "B", "C", "A", "D"):  # A is used again, so B is the oldest
        sprites.get((name,), False, False)
    keys = {k[0][0] for k in sprites._cache}
    assert len(sprites) == 3 and keys == {"A", "C", "D"}
    assert sprites.rendered == 4
