"""Raster tile cache on disk as MBTiles 1.3 (SQLite), and offline pack import.

MBTiles stores rows in TMS order (y counts from the south); the map asks in XYZ
order (y from the north), so every read and write flips y: ``row = 2**z - 1 - y``.
One file can be handed to another station or built by a tile packager, then merged
with ``import_mbtiles``. Thread-safe: fetch workers write while the UI thread reads.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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

    def import_mbtiles(self, pack: Path | str) -> int:
        """Merge an offline pack (another MBTiles file); its tiles win. Returns how many."""
        pack = Path(pack)
        if not pack.is_file():
            raise FileNotFoundError(pack)
        src = sqlite3.connect(f"file:{pack}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in src.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}  # fmt: skip
            if "tiles" not in tables:
                raise ValueError(f"{pack.name} is not an MBTiles file (no tiles table)")
            rows = src.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
            ).fetchall()
        finally:
            src.close()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
            self._db.execute("COMMIT")
        return len(rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def import_mbtiles(cache: MBTiles | Path | str, pack: Path | str) -> int:
    """Merge ``pack`` into ``cache`` (a path opens it); returns the number of tiles."""
    if isinstance(cache, MBTiles):
        return cache.import_mbtiles(pack)
    target = MBTiles(cache)
    try:
        return target.import_mbtiles(pack)
    finally:
        target.close()
