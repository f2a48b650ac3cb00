"""The XYZ tile grid against the OpenStreetMap wiki's slippy-map formula and EPSG:3857
metres from pyproj, and the tile URL template check."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from cop_app.store.tilegrid import (
    check_template,
    count_tiles,
    iter_tiles,
    tile_span,
    tile_url,
    tile_xy,
    valid_template,
)

TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
HALF_WORLD = math.pi * 6378137.0


def osm_wiki_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """deg2num from https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames (Python)."""
    lat_rad = math.radians(lat)
    n = 2.0**z
    xtile = int((lon + 180.0) / 360.0 * n)
    ytile = int((1.0 - math.log(math.tan(lat_rad) + (1 / math.cos(lat_rad))) / math.pi) / 2.0 * n)
    return xtile, ytile


def pyproj_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The same tile from EPSG:3857 metres: the world is 2**z tiles square, y from the top."""
    x, y = TO_3857.transform(lon, lat)
    size = 2 * HALF_WORLD / (1 << z)
    return int((x + HALF_WORLD) // size), int((HALF_WORLD - y) // size)


@settings(max_examples=300, deadline=None)
@given(lon=st.floats(-179.99, 179.99), lat=st.floats(-85.0, 85.0), z=st.integers(0, 18))
def test_tile_of_a_point_matches_the_osm_formula_and_pyproj(lon, lat, z):
    got = tile_xy(lon, lat, z)
    assert got == osm_wiki_tile(lon, lat, z)
    px, py = pyproj_tile(lon, lat, z)
    # pyproj and the closed form agree to well under a tile, except on a tile edge.
    assert abs(px - got[0]) <= 1 and abs(py - got[1]) <= 1


def test_known_tiles():
    assert tile_xy(0.0, 0.0, 0) == (0, 0)
    # z=1: four quadrants, y from the north.
    assert tile_xy(-90, 45, 1) == (0, 0) and tile_xy(90, -45, 1) == (1, 1)
    # The edges clamp inside the grid (lon 180 and the poles are on the far boundary).
    assert tile_xy(180.0, -90.0, 3) == (7, 7) and tile_xy(-180.0, 90.0, 3) == (0, 0)


@settings(max_examples=100, deadline=None)
@given(w=st.floats(-179, 170), s=st.floats(-80, 70), dw=st.floats(0.01, 9), ds=st.floats(0.01, 9),
       z0=st.integers(0, 10), dz=st.integers(0, 3))
def test_count_equals_the_listed_tiles_and_they_cover_the_corners(w, s, dw, ds, z0, dz):
    bbox = (w, s, w + dw, s + ds)
    keys = list(iter_tiles(bbox, z0, z0 + dz))
    assert count_tiles(bbox, z0, z0 + dz) == len(keys) == len(set(keys))
    for z in range(z0, z0 + dz + 1):
        for lon, lat in ((w, s), (w + dw, s + ds), (w, s + ds), (w + dw, s)):
            assert (z, *osm_wiki_tile(lon, lat, z)) in keys


def test_span_per_level_and_bad_levels():
    cols, rows = tile_span((-180, -85, 180, 85), 2)
    assert list(cols) == [0, 1, 2, 3] and list(rows) == [0, 1, 2, 3]
    assert count_tiles((-180, -85, 180, 85), 0, 2) == 1 + 4 + 16
    with pytest.raises(ValueError):
        count_tiles((0, 0, 1, 1), 5, 4)
    with pytest.raises(ValueError):
        list(iter_tiles((0, 0, 1, 1), 0, 40))


def test_template_check():
    ok = "https://tile.example.org/{z}/{x}/{y}.png?key=abc"
    assert check_template(f"  {ok} ") == ok and valid_template(ok) == ok
    assert tile_url(ok, 3, 4, 5) == "https://tile.example.org/3/4/5.png?key=abc"
    bad = {
        "": "empty",
        "ftp://h/{z}/{x}/{y}": "http",
        "file:///tmp/{z}/{x}/{y}.png": "http",
        "http:///{z}/{x}/{y}": "host",
        "http://h/{z}/{x}.png": "{y}",
        "http://h/{s}/{z}/{x}/{y}.png": "unsupported",
        "http://h/{z}/{x}/{y} .png": "spaces",
        "http://h/{z}/{x}/{y}\n.png": "control",
    }
    for text, why in bad.items():
        with pytest.raises(ValueError, match=why.replace("{", r"\{").replace("}", r"\}")):
            check_template(text)
        assert valid_template(text) is None
    assert valid_template(None) is None and valid_template(42) is None
