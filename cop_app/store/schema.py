"""The cache's SQLite schema and its migrations.

A cache file is ours when its ``PRAGMA application_id`` is ``APPLICATION_ID`` and its
meta table says ``app = cop-app``; ``PRAGMA user_version`` (mirrored in meta as
``schema``) says which migrations have run. ``MIGRATIONS[i]`` takes a cache from
version ``i`` to ``i + 1``, so a fresh file is simply migrated from 0 and a later
issue adds a step by appending a function: never edit a step that has shipped.

Histories are columnar: one row per track holding the kept fixes as three BLOBs of
packed IEEE-754 float64, little-endian (numpy dtype ``<f8``), oldest first. One row
per point would cost ~60x the rows and ~10x the load time (see benchmarks/store.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

APP_NAME = "cop-app"
APPLICATION_ID = 0x434F5041  # "COPA": tells our cache apart from any other SQLite file
HISTORY_DTYPE = np.dtype("<f8")  # fixed on disk, whatever the machine's byte order


def _v1(conn: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would COMMIT the migration's transaction.
    _run_script(
        conn,
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES
            ('app', '{APP_NAME}'),
            ('history_dtype', '{HISTORY_DTYPE.str}'),
            ('history_layout', 'one row per track: t, lat, lon BLOBs, oldest first');

        -- fields and sources are JSON; last_time is UTC epoch seconds.
        CREATE TABLE tracks (
            key TEXT PRIMARY KEY,
            domain INTEGER NOT NULL,
            fields TEXT NOT NULL,
            sources TEXT NOT NULL,
            last_time REAL,
            stale_s REAL
        );
        -- t, lat, lon: n packed little-endian float64 each ('<f8').
        CREATE TABLE histories (
            key TEXT PRIMARY KEY,
            n INTEGER NOT NULL,
            t BLOB NOT NULL,
            lat BLOB NOT NULL,
            lon BLOB NOT NULL
        );
        -- body: the LandReport as JSON (without its trail); the columns are for queries.
        CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            time REAL,
            lat REAL,
            lon REAL,
            status TEXT,
            updated_at REAL,
            body TEXT NOT NULL
        );
        -- The audited verification trail, one row per transition, in order.
        CREATE TABLE report_trail (
            report_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            actor TEXT NOT NULL,
            time REAL NOT NULL,
            rationale TEXT NOT NULL,
            PRIMARY KEY (report_id, seq)
        );
        -- feature: a GeoJSON Feature (geometry + kind, name, version, validity, limits).
        CREATE TABLE zones (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            valid_from REAL,
            valid_to REAL,
            feature TEXT NOT NULL
        );
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            time REAL,
            state TEXT,
            subject TEXT,
            body TEXT NOT NULL
        );
        -- Cursors of the API sync (the server's event seq), by stream name.
        CREATE TABLE sync_state (
            name TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            updated_at REAL NOT NULL
        );
        """,
    )


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute ``;``-separated statements inside the caller's transaction."""
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            conn.execute(buf)
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:60]}")


def _v2(conn: sqlite3.Connection) -> None:
    # History fetched from the server for replay (core FixArchive), so a team that
    # fetched yesterday online can replay it offline after a restart. One row per
    # fetched batch (at most ARCHIVE_CHUNK fixes), never one per fix.
    _run_script(
        conn,
        """
        INSERT OR REPLACE INTO meta (key, value) VALUES
            ('archive_layout', 'one row per fetched batch: keys JSON, track <i4 and '
             || 't, lat, lon <f8 BLOBs sorted by time, spans JSON fetched in full');
        -- keys: JSON list of the batch's track keys; track: n packed little-endian
        -- int32 indexes into keys; t, lat, lon: n packed '<f8'; t0/t1: the batch's time
        -- range (the oldest rows go first when the cap is reached); spans: JSON
        -- [[a, b], ...] of the stretches fetched in full (a lost batch loses its spans
        -- too, so the stretch is fetched again).
        CREATE TABLE archive_chunks (
            id INTEGER PRIMARY KEY,
            t0 REAL NOT NULL,
            t1 REAL NOT NULL,
            n INTEGER NOT NULL,
            keys TEXT NOT NULL,
            track BLOB NOT NULL,
            t BLOB NOT NULL,
            lat BLOB NOT NULL,
            lon BLOB NOT NULL,
            spans TEXT NOT NULL,
            saved_at REAL NOT NULL
        );
        CREATE INDEX archive_chunks_t0 ON archive_chunks (t0);
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Run the steps this file lacks, all in one transaction; returns the old version.

    The connection must be in autocommit mode (``isolation_level=None``); DDL is
    transactional in SQLite, so a failed step leaves the file as it was.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in MIGRATIONS[old:]:
            step(conn)
        if old < SCHEMA_VERSION:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return old
