"""Deciding whether a file is a cache we can use, and moving it aside when it is not.

A cache that cannot be read must never stop the app from starting, and must never
be deleted either: it may hold the only copy of a picture an officer needs. So a
corrupt, foreign or too-new file is renamed to ``<name>.corrupt-<UTC timestamp>``
(with its ``-wal``/``-shm`` companions, which belong to it and would poison a fresh
file of the same name) and the caller starts a new cache in its place.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from cop_app.store.schema import APP_NAME, APPLICATION_ID, SCHEMA_VERSION

log = logging.getLogger("cop_app.store")

SQLITE_HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class CacheProblem:
    """Something the cache could not use, said so an officer can act on it.

    ``kind``: ``corrupt``, ``foreign``, ``newer`` or ``unreadable`` for a whole file
    (then ``moved_to`` says where it went), ``bad_rows`` for rows skipped on load
    (then ``count`` says how many).
    """

    kind: str
    message: str
    path: Path
    moved_to: Path | None = None
    count: int = 0

    def __str__(self) -> str:
        return self.message


class UnusableCache(Exception):
    """The file at the cache path is not a cache this version can use."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


_DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """True when the error says the file itself is bad (not busy, full or read-only)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _DAMAGE_CODES:  # extended codes keep the base
        return True
    text = str(exc)
    return text.startswith(("no such table", "no such column", "file is not a database",
                            "database disk image is malformed"))  # fmt: skip


def check(conn: sqlite3.Connection, path: Path) -> bool:
    """Raise UnusableCache unless ``conn`` is our cache or an empty database.

    Returns True when the file is ours (or empty, to be made ours by migration).
    The header check comes first so random bytes never reach SQLite's parser.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return True
    if head and head != SQLITE_HEADER:
        raise UnusableCache("corrupt", "it is not an SQLite database (bad file header)")
    try:
        ok = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise  # e.g. locked by another process: not a reason to move the file
        raise UnusableCache("corrupt", f"SQLite cannot read it ({exc})") from exc
    if ok != ["ok"]:
        raise UnusableCache("corrupt", f"SQLite integrity check failed: {'; '.join(ok[:3])}")
    if app_id == 0 and version == 0 and not tables:
        return True  # an empty database: ours to initialise
    if app_id != APPLICATION_ID:
        listed = ", ".join(sorted(tables)[:6]) or "none"
        raise UnusableCache("foreign", f"it is another application's database (tables: {listed})")
    if version > SCHEMA_VERSION:
        raise UnusableCache(
            "newer",
            f"it was written by a newer cop-app (cache schema {version}; "
            f"this version knows up to {SCHEMA_VERSION})",
        )
    if version and "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
        if row is None or row[0] != APP_NAME:
            raise UnusableCache("foreign", "its meta table does not name cop-app")
    return True


def move_aside(path: Path, kind: str, reason: str) -> CacheProblem:
    """Rename the file (and companions) out of the way; nothing is deleted."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    path.replace(target)
    for suffix in COMPANIONS:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    problem = CacheProblem(
        kind=kind,
        message=(
            f"The offline cache {path} could not be used: {reason}. It was kept as "
            f"{target} and a new, empty cache was started."
        ),
        path=path,
        moved_to=target,
    )
    log.warning("%s", problem.message)
    return problem
