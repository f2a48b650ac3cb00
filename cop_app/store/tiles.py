"""Raster tile cache on disk as MBTiles 1.3 (SQLite), and offline pack import.

MBTiles stores rows in TMS order (y counts from the south); the map asks in XYZ
order (y from the north), so every read and write flips y: ``row = 2**z - 1 - y``.
One file can be handed to another station or built by a tile packager, then merged
with ``import_mbtiles``. Thread-safe: fetch workers write while the UI thread reads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

IMPORT_CHUNK = 500
RASTER_FORMATS = ("png", "jpg", "jpeg", "webp")
SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_name ON metadata (name);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
"""


def tms_row(z: int, y: int) -> int:
    """XYZ y (from the north) <-> TMS row (from the south); the flip is its own inverse."""
    return (1 << z) - 1 - y


class MBTiles:
    """A tile cache file: ``get``/``put`` in XYZ numbering, stored per the spec."""

    def __init__(self, path: Path | str, *, name: str = "cop-app tile cache",
                 fmt: str = "png") -> None:  # fmt: skip
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        with self._lock:
            for key, value in (("name", name), ("format", fmt), ("type", "baselayer"),
                               ("version", "1.3")):  # fmt: skip
                self._db.execute(
                    "INSERT OR IGNORE INTO metadata (name, value) VALUES (?, ?)", (key, value)
                )

    def get(self, z: int, x: int, y: int) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, tms_row(z, y)),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) "
                "VALUES (?, ?, ?, ?)",
                (z, x, tms_row(z, y), sqlite3.Binary(data)),
            )

    def metadata(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT name, value FROM metadata").fetchall())

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM tiles").fetchone()[0])

    def has(self, z: int, x: int, y: int) -> bool:
        with self._lock:
            return self._db.execute(
                "SELECT 1 FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, tms_row(z, y)),
            ).fetchone() is not None

    def import_mbtiles(self, pack: Path | str, *,
                       progress: Callable[[int, int], None] | None = None,
                       check: Callable[[], None] | None = None) -> int:  # fmt: skip
        """Merge an offline pack (another MBTiles file); its tiles win. Returns how many.

        All or nothing: the pack is read and checked in chunks inside one transaction,
        and any fault (a damaged or foreign file, a tile off the grid, or ``check``
        raising to cancel) rolls back, leaving the cache as it was. Errors are
        ValueError with a one-line reason an officer can act on.
        """
        pack = Path(pack)
        if not pack.is_file():
            raise FileNotFoundError(pack)
        src = sqlite3.connect(f"file:{pack}?mode=ro", uri=True)
        imported = 0
        try:
            total = _pack_size(src, pack.name)
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    rows = src.execute(
                        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
                    while chunk := rows.fetchmany(IMPORT_CHUNK):
                        if check is not None:
                            check()
                        self._db.executemany(
                            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, "
                            "tile_data) VALUES (?, ?, ?, ?)",
                            [_checked_row(r, pack.name) for r in chunk],
                        )
                        imported += len(chunk)
                        if progress is not None:
                            progress(imported, total)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{pack.name} is not a readable MBTiles file ({exc})") from None
        finally:
            src.close()
        return imported

    def close(self) -> None:
        with self._lock:
            self._db.close()


def import_mbtiles(cache: MBTiles | Path | str, pack: Path | str, **kw: Any) -> int:
    """Merge ``pack`` into ``cache`` (a path opens it); returns the number of tiles."""
    if isinstance(cache, MBTiles):
        return cache.import_mbtiles(pack, **kw)
    target = MBTiles(cache)
    try:
        return target.import_mbtiles(pack, **kw)
    finally:
        target.close()


def has_tiles(path: Path | str) -> bool:
    """Whether a cache file exists and holds a tile; never creates or changes the file."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT 1 FROM tiles LIMIT 1").fetchone() is not None
        finally:
            db.close()
    except sqlite3.Error:
        return False


def _pack_size(src: sqlite3.Connection, name: str) -> int:
    """The pack's tile count, after checking it is a raster MBTiles file at all."""
    tables = {r[0] for r in src.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}  # fmt: skip
    if "tiles" not in tables:
        raise ValueError(f"{name} is not an MBTiles file (no tiles table)")
    if "metadata" in tables:
        meta = dict(src.execute("SELECT name, value FROM metadata").fetchall())
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in RASTER_FORMATS:
            raise ValueError(f"{name} holds {fmt} tiles; only raster packs (png, jpg, webp) "
                             "can be drawn")  # fmt: skip
    return int(src.execute("SELECT COUNT(*) FROM tiles").fetchone()[0])


def _checked_row(row: tuple, name: str) -> tuple[int, int, int, sqlite3.Binary]:
    z, col, tms, data = row
    ok = (all(isinstance(v, int) for v in (z, col, tms)) and 0 <= z <= 30
          and 0 <= col < (1 << z) and 0 <= tms < (1 << z))  # fmt: skip
    if not ok or not isinstance(data, bytes) or not data:
        raise ValueError(f"{name} has a damaged tile row (zoom {z!r}, column {col!r}, "
                         f"row {tms!r})")  # fmt: skip
    return z, col, tms, sqlite3.Binary(data)
