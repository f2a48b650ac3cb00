"""Prefetch into the MBTiles cache from a local tile server, and the all-or-nothing
pack import (a damaged or foreign pack changes nothing)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from cop_app.store.prefetch import prefetch_tiles
from cop_app.store.tilegrid import iter_tiles, tile_xy
from cop_app.store.tiles import MBTiles, has_tiles, import_mbtiles
from tests.tile_server import TileServer

BODY = b"\x89PNG\r\n\x1a\nnot really"
BBOX = (30.3, 50.3, 30.7, 50.6)  # around Kyiv


def expected_keys(bbox, zmin, zmax):
    """Every tile between the corner tiles per level (tile_xy is checked against the OSM
    wiki formula in test_tilegrid)."""
    keys = set()
    for z in range(zmin, zmax + 1):
        x0, y0 = tile_xy(bbox[0], bbox[3], z)
        x1, y1 = tile_xy(bbox[2], bbox[1], z)
        keys |= {(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
    return keys


def cached_keys(path):
    db = sqlite3.connect(path)
    rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    db.close()
    return {(z, x, (1 << z) - 1 - row) for z, x, row in rows}  # MBTiles rows are TMS


def test_prefetch_fills_the_cache_skips_what_it_has_and_counts_failures(tmp_path):
    zmissing = 9
    server = TileServer(BODY, missing={f"/{zmissing}/"})
    cache = MBTiles(tmp_path / "c.mbtiles")
    keys = list(iter_tiles(BBOX, 6, 10))
    seen = []
    try:
        result = prefetch_tiles(cache, server.url, keys, progress=lambda d, t: seen.append((d, t)))
        want = {k for k in expected_keys(BBOX, 6, 10) if k[0] != zmissing}
        n_missing = len([k for k in keys if k[0] == zmissing])
        assert cached_keys(tmp_path / "c.mbtiles") == want
        assert (result.fetched, result.failed, result.skipped) == (len(want), n_missing, 0)
        assert seen[-1] == (len(keys), len(keys)) and not result.cancelled
        assert cache.get(*sorted(want)[0]) == BODY
        before = len(server.requests)
        again = prefetch_tiles(cache, server.url, keys)
        assert (again.fetched, again.failed, again.skipped) == (0, n_missing, len(want))
        assert len(server.requests) - before == n_missing  # cached tiles are not refetched
        assert "0 fetched" in again.summary() and "already cached" in again.summary()
    finally:
        server.stop()
        cache.close()


def test_prefetch_stops_at_the_next_tile_once_cancelled(tmp_path):
    server = TileServer(BODY, slow={"/"}, delay=0.05)
    cache = MBTiles(tmp_path / "c.mbtiles")
    keys = list(iter_tiles(BBOX, 6, 11))
    stop = threading.Event()

    def progress(done, total):
        if done == 3:
            stop.set()

    try:
        result = prefetch_tiles(cache, server.url, keys, progress=progress, cancelled=stop.is_set)
        assert result.cancelled and result.fetched == 3 and cache.count() == 3
        assert len(server.requests) == 3 < len(keys)
        assert "cancelled" in result.summary()
    finally:
        server.stop()
        cache.close()


def test_unreachable_server_counts_every_tile_failed(tmp_path):
    cache = MBTiles(tmp_path / "c.mbtiles")
    keys = list(iter_tiles(BBOX, 6, 7))
    result = prefetch_tiles(cache, "http://127.0.0.1:9/{z}/{x}/{y}.png", keys, timeout_s=2)
    assert result.failed == len(keys) and cache.count() == 0
    cache.close()


def make_pack(path, tiles):
    pack = MBTiles(path)
    for key, data in tiles.items():
        pack.put(*key, data)
    pack.close()


def test_import_reports_progress_and_can_be_cancelled_leaving_the_cache_as_it_was(tmp_path):
    tiles = {(12, x, y): b"t%d" % (x * 100 + y) for x in range(30) for y in range(40)}
    make_pack(tmp_path / "pack.mbtiles", tiles)
    cache = MBTiles(tmp_path / "cache.mbtiles")
    cache.put(3, 1, 1, b"mine")
    steps = []
    assert cache.import_mbtiles(tmp_path / "pack.mbtiles",
                                progress=lambda d, t: steps.append((d, t))) == len(tiles)
    assert steps[-1] == (len(tiles), len(tiles)) and len(steps) > 1
    assert cache.count() == len(tiles) + 1 and cache.get(12, 3, 4) == b"t304"

    class Stop(Exception):
        pass

    calls = []

    def check():
        calls.append(1)
        if len(calls) == 2:
            raise Stop

    other = MBTiles(tmp_path / "other.mbtiles")
    other.put(3, 1, 1, b"mine")
    with pytest.raises(Stop):
        other.import_mbtiles(tmp_path / "pack.mbtiles", check=check)
    assert other.count() == 1 and other.get(3, 1, 1) == b"mine"  # rolled back
    other.close()
    cache.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "off-grid", "vector"])
def test_a_damaged_or_foreign_pack_is_refused_in_one_line_and_changes_nothing(tmp_path, damage):
    pack = tmp_path / "pack.mbtiles"
    make_pack(pack, {(5, x, 3): b"tile" for x in range(32)})
    if damage == "garbage":
        pack.write_bytes(b"this is not a database at all" * 100)
    elif damage == "truncated":
        pack.write_bytes(pack.read_bytes()[:3000])
    elif damage == "off-grid":
        db = sqlite3.connect(pack)
        db.execute("UPDATE tiles SET tile_column = 99 WHERE tile_column = 31")
        db.commit()
        db.close()
    else:
        db = sqlite3.connect(pack)
        db.execute("UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
        db.commit()
        db.close()
    target = tmp_path / "cache.mbtiles"
    make_pack(target, {(4, 2, 2): b"kept"})
    with pytest.raises(ValueError) as err:
        import_mbtiles(target, pack)
    message = str(err.value)
    assert "pack.mbtiles" in message and "\n" not in message
    cache = MBTiles(target)
    assert cache.count() == 1 and cache.get(4, 2, 2) == b"kept"
    cache.close()


def test_has_tiles_never_creates_a_file(tmp_path):
    path = tmp_path / "none" / "t.mbtiles"
    assert not has_tiles(path) and not path.exists()
    (tmp_path / "junk").write_bytes(b"junk" * 100)
    assert not has_tiles(tmp_path / "junk")
    make_pack(path, {})
    assert not has_tiles(path)
    make_pack(path, {(0, 0, 0): b"x"})
    assert has_tiles(path)
