"""MBTiles cache: the spec's TMS row flip, metadata, and merging an offline pack."""

from __future__ import annotations

import sqlite3

import pytest

from cop_app.store.tiles import MBTiles, import_mbtiles, tms_row


def test_rows_are_stored_in_tms_order_per_the_spec(tmp_path):
    # MBTiles 1.3: tile_row follows TMS, y = 0 at the south edge. XYZ tile (z=3, y=1)
    # is near the north edge, so it is stored at row 2**3 - 1 - 1 = 6.
    db = MBTiles(tmp_path / "c.mbtiles")
    db.put(3, 4, 1, b"north")
    db.close()
    raw = sqlite3.connect(tmp_path / "c.mbtiles")
    rows = raw.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").fetchall()
    meta = dict(raw.execute("SELECT name, value FROM metadata").fetchall())
    raw.close()
    assert rows == [(3, 4, 6, b"north")]
    # The spec's required metadata rows.
    assert meta["name"] and meta["format"] == "png"
    assert tms_row(0, 0) == 0 and tms_row(1, 0) == 1 and tms_row(4, tms_row(4, 5)) == 5


def test_get_put_round_trip_and_replace(tmp_path):
    db = MBTiles(tmp_path / "c.mbtiles")
    assert db.get(5, 1, 2) is None
    db.put(5, 1, 2, b"a")
    db.put(5, 1, 2, b"b")
    assert db.get(5, 1, 2) == b"b" and db.count() == 1
    assert db.get(5, 1, 3) is None


def test_import_pack_merges_and_its_tiles_win(tmp_path):
    pack = MBTiles(tmp_path / "pack.mbtiles")
    pack.put(7, 10, 20, b"pack")
    pack.put(7, 11, 20, b"new")
    pack.close()
    cache = MBTiles(tmp_path / "cache.mbtiles")
    cache.put(7, 10, 20, b"old")
    cache.put(6, 1, 1, b"keep")
    assert cache.import_mbtiles(tmp_path / "pack.mbtiles") == 2
    assert cache.get(7, 10, 20) == b"pack" and cache.get(7, 11, 20) == b"new"
    assert cache.get(6, 1, 1) == b"keep"
    cache.close()
    assert import_mbtiles(tmp_path / "cache.mbtiles", tmp_path / "pack.mbtiles") == 2


def test_import_rejects_what_is_not_mbtiles(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.close()
    cache = MBTiles(tmp_path / "cache.mbtiles")
    with pytest.raises(ValueError, match="not an MBTiles"):
        cache.import_mbtiles(other)
    with pytest.raises(FileNotFoundError):
        cache.import_mbtiles(tmp_path / "missing.mbtiles")
