"""All SQL of the reference server, in one place, kept portable.

Why one module: a PostgreSQL/PostGIS backend for a theatre-wide deployment with
several API replicas comes later. Everything here is plain SQL with ``?`` markers
(``INSERT ... ON CONFLICT DO UPDATE``, keyset paging, no ROWID, no JSON1), so that
backend is a new ``Dialect`` plus a connection factory, not a rewrite. What is
SQLite-only (WAL, ``BEGIN IMMEDIATE``, pragmas) sits in ``SqliteDialect``.

Records are stored twice on purpose: as indexed columns for filtering and as the
finished JSON body the API sends, so a 100k-track page is spliced from stored text
instead of being rebuilt object by object. ``state`` holds what the merge engine
needs to resume after a restart (raw fields, sources, stale time, last fixes).

Every write of a record appends to ``changes`` in the same transaction, with a
``seq`` one above the last; the single writer (``Storage.write``) makes commit
order equal seq order, which is what lets a client resume after any seq without
gaps. A PostgreSQL backend with several writers needs a sequence plus a commit
barrier (e.g. an advisory lock around allocation and commit) for the same promise.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 3

# Each entry migrates from version i to i+1; statements are plain portable DDL.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE tokens (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
            secret_sha256 TEXT NOT NULL, created_at REAL NOT NULL, revoked_at REAL)""",
        """CREATE TABLE changes (
            seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,
            op TEXT NOT NULL, id TEXT NOT NULL, body TEXT)""",
        """CREATE TABLE tracks (
            id TEXT PRIMARY KEY, domain TEXT NOT NULL, lat REAL, lon REAL, time REAL,
            updated_at REAL NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL,
            body TEXT NOT NULL, state TEXT NOT NULL)""",
        """CREATE TABLE track_history (
            track_id TEXT NOT NULL, time REAL NOT NULL, lat REAL NOT NULL,
            lon REAL NOT NULL, received_at REAL NOT NULL)""",
        """CREATE INDEX track_history_by_track ON track_history (track_id, time)""",
        """CREATE INDEX track_history_by_received ON track_history (received_at)""",
        """CREATE TABLE reports (
            id TEXT PRIMARY KEY, status TEXT NOT NULL, event_type TEXT NOT NULL,
            time REAL, lat REAL, lon REAL, reliability TEXT, updated_at REAL NOT NULL,
            version INTEGER NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
            state TEXT NOT NULL)""",
        """CREATE TABLE report_trail (
            report_id TEXT NOT NULL, n INTEGER NOT NULL, from_status TEXT,
            to_status TEXT NOT NULL, actor TEXT NOT NULL, time REAL NOT NULL,
            rationale TEXT NOT NULL, PRIMARY KEY (report_id, n))""",
        """CREATE TABLE zones (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, valid_from REAL, valid_to REAL,
            updated_at REAL NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL,
            body TEXT NOT NULL)""",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity INTEGER NOT NULL,
            subject TEXT NOT NULL, time REAL NOT NULL, state TEXT NOT NULL,
            updated_at REAL NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL,
            body TEXT NOT NULL)""",
        """CREATE TABLE alert_acks (
            alert_id TEXT NOT NULL, actor TEXT NOT NULL, time REAL NOT NULL,
            note TEXT NOT NULL)""",
    ],
    [  # 2: the alert life cycle: what an acknowledgement did, and snoozes by subject/rule
        "ALTER TABLE alert_acks ADD COLUMN action TEXT NOT NULL DEFAULT 'ack'",
        "ALTER TABLE alert_acks ADD COLUMN scope TEXT NOT NULL DEFAULT 'alert'",
        "ALTER TABLE alert_acks ADD COLUMN until_time REAL",
        """CREATE TABLE alert_mutes (
            scope TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT, until_time REAL NOT NULL,
            actor TEXT NOT NULL, time REAL NOT NULL, note TEXT NOT NULL)""",
        """CREATE INDEX alerts_by_state ON alerts (state)""",
    ],
    [  # 3: history over a time window for all tracks (replay older than a client's cache)
        """CREATE INDEX track_history_by_time ON track_history (time, track_id)""",
    ],
]


class Dialect:
    """What differs between database engines; the SQL elsewhere is shared."""

    begin_write = "BEGIN"

    def prepare(self, conn: Any) -> None:  # pragma: no cover - interface
        pass


class SqliteDialect(Dialect):
    """SQLite: WAL so readers never block the writer, and an immediate write lock
    so seq allocation and commit happen under one lock."""

    begin_write = "BEGIN IMMEDIATE"

    def prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA busy_timeout=10000")
        # Switching to WAL needs a moment alone with the file; when several processes
        # open a new database at once (token commands, the server) one may get BUSY
        # without the busy handler being consulted, hence the short retry.
        for attempt in range(100):
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint
        conn.execute("PRAGMA foreign_keys=ON")


@dataclass(frozen=True)
class TokenRow:
    id: str
    name: str
    role: str
    secret_sha256: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class ChangeRow:
    seq: int
    time: float
    kind: str
    op: str
    id: str
    body: str | None


class StorageError(RuntimeError):
    pass


class Storage:
    """One database file: a single serialised writer and per-thread readers."""

    def __init__(self, path: str | Path, dialect: Dialect | None = None) -> None:
        self.path = Path(path)
        self.dialect = dialect or SqliteDialect()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    # ---- connections -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0,
                               check_same_thread=False)  # fmt: skip
        self.dialect.prepare(conn)
        with self._all_lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared across threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        with self._all_lock:
            conns, self._all = self._all, []
        for c in conns:
            try:
                c.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    def _migrate(self) -> None:
        conn = self.conn
        conn.execute(self.dialect.begin_write)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path}: schema version {version} is newer than this cop-app "
                    f"({SCHEMA_VERSION}); upgrade cop-app"
                )
            for step in MIGRATIONS[version:]:
                for stmt in step:
                    conn.execute(stmt)
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (?)",
                             (SCHEMA_VERSION,))  # fmt: skip
            else:
                conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM schema_version").fetchone()[0])

    # ---- writing -----------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Writer]:
        """One write transaction; commits on success. Only one writer at a time."""
        with self._write_lock:
            conn = self.conn
            conn.execute(self.dialect.begin_write)
            try:
                last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
                writer = Writer(conn, int(last))
                yield writer
                writer.flush()
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # ---- tokens ------------------------------------------------------------------
    def add_token(self, row: TokenRow) -> None:
        with self._write_lock:
            self.conn.execute(
                "INSERT INTO tokens (id, name, role, secret_sha256, created_at, revoked_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (row.id, row.name, row.role, row.secret_sha256, row.created_at, row.revoked_at),
            )

    def token(self, token_id: str) -> TokenRow | None:
        r = self.conn.execute(
            "SELECT id, name, role, secret_sha256, created_at, revoked_at FROM tokens"
            " WHERE id = ?",
            (token_id,),
        ).fetchone()
        return TokenRow(*r) if r else None

    def tokens(self) -> list[TokenRow]:
        rows = self.conn.execute(
            "SELECT id, name, role, secret_sha256, created_at, revoked_at FROM tokens"
            " ORDER BY created_at, id"
        ).fetchall()
        return [TokenRow(*r) for r in rows]

    def revoke_token(self, token_id: str, when: float) -> bool:
        with self._write_lock:
            cur = self.conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (when, token_id),
            )
            return cur.rowcount > 0

    # ---- reading: high-water and changes -------------------------------------------
    def last_seq(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0])

    def changes_floor(self) -> int:
        """Highest seq pruned away; a client behind it must sync afresh."""
        r = self.conn.execute("SELECT value FROM meta WHERE key = 'changes_floor'").fetchone()
        return int(r[0]) if r else 0

    def changes_after(self, after: int, limit: int) -> list[ChangeRow]:
        rows = self.conn.execute(
            "SELECT seq, time, kind, op, id, body FROM changes WHERE seq > ?"
            " ORDER BY seq LIMIT ?",
            (after, limit),
        ).fetchall()
        return [ChangeRow(*r) for r in rows]

    # ---- reading: tracks -----------------------------------------------------------
    def track_page(
        self,
        *,
        after_id: str | None,
        limit: int,
        domain: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        updated_since: float | None = None,
    ) -> list[tuple[str, str]]:
        """(id, body) in id order after ``after_id``: keyset paging, stable under writes."""
        return self._keyset("tracks", after_id, limit, (
            ("domain", "=", domain), ("updated_at", ">=", updated_since)), bbox)

    def _keyset(self, table: str, after_id: str | None, limit: int,
                conditions: Iterable[tuple[str, str, Any]],
                bbox: Sequence[float] | None = None) -> list[tuple[str, str]]:  # fmt: skip
        """One page of (id, body) rows; ``conditions`` are (column, operator, value)
        triples from code (never from a client), skipped when the value is None."""
        where, params = ["1 = 1"], []
        for column, op, value in (("id", ">", after_id), *conditions):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        _bbox_where(bbox, where, params)
        sql = f"SELECT id, body FROM {table} WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
        return self.conn.execute(sql, (*params, limit)).fetchall()

    def track_body(self, track_id: str) -> str | None:
        r = self.conn.execute("SELECT body FROM tracks WHERE id = ?", (track_id,)).fetchone()
        return r[0] if r else None

    def track_history(
        self, track_id: str, start: float | None, end: float | None, limit: int
    ) -> list[tuple[float, float, float]]:
        """The most recent ``limit`` fixes in [start, end], oldest first."""
        where, params = ["track_id = ?"], [track_id]
        if start is not None:
            where.append("time >= ?")
            params.append(start)
        if end is not None:
            where.append("time <= ?")
            params.append(end)
        rows = self.conn.execute(
            f"SELECT time, lat, lon FROM track_history WHERE {' AND '.join(where)}"
            " ORDER BY time DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        rows.reverse()
        return rows

    def history_window(
        self, start: float, end: float, *, after: tuple[float, str] | None = None,
        limit: int, domain: str | None = None, bbox: Sequence[float] | None = None,
    ) -> list[tuple[str, float, float, float]]:  # fmt: skip
        """Every kept fix in [start, end], in (time, track id) order from ``after`` on.

        Keyset paging on (time, track_id): the index ``track_history_by_time`` makes
        each page a range scan, so page 100 costs what page 1 does.
        """
        where = ["h.time >= ?", "h.time <= ?"]
        params: list[Any] = [start, end]
        if after is not None:
            where.append("(h.time > ? OR (h.time = ? AND h.track_id > ?))")
            params.extend((after[0], after[0], after[1]))
        join = ""
        if domain is not None:
            join = " JOIN tracks t ON t.id = h.track_id"
            where.append("t.domain = ?")
            params.append(domain)
        _bbox_where(bbox, where, params, prefix="h.")
        sql = (f"SELECT h.track_id, h.time, h.lat, h.lon FROM track_history h{join}"
               f" WHERE {' AND '.join(where)} ORDER BY h.time, h.track_id LIMIT ?")
        return self.conn.execute(sql, (*params, limit)).fetchall()

    def track_states(self) -> Iterator[tuple[str, str, int, str]]:
        """(id, domain, version, state) of every track, for the merge engine at start."""
        yield from self.conn.execute("SELECT id, domain, version, state FROM tracks")

    # ---- reading: reports ------------------------------------------------------------
    def report_page(
        self,
        *,
        after_id: str | None,
        limit: int,
        status: str | None = None,
        event_type: str | None = None,
        start: float | None = None,
        end: float | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        min_reliability: str | None = None,
    ) -> list[tuple[str, str]]:
        conditions = [("status", "=", status), ("event_type", "=", event_type),
                      ("time", ">=", start), ("time", "<=", end)]  # fmt: skip
        if min_reliability is not None:  # admiralty code: A is the most reliable
            conditions.append(("reliability IS NOT NULL AND reliability", "<=", min_reliability))
        return self._keyset("reports", after_id, limit, conditions, bbox)

    def report_body(self, report_id: str) -> str | None:
        r = self.conn.execute("SELECT body FROM reports WHERE id = ?", (report_id,)).fetchone()
        return r[0] if r else None

    def report_states(self) -> Iterator[tuple[str, int, str]]:
        yield from self.conn.execute("SELECT id, version, state FROM reports")

    def report_trail(self, report_id: str) -> list[tuple]:
        return self.conn.execute(
            "SELECT from_status, to_status, actor, time, rationale FROM report_trail"
            " WHERE report_id = ? ORDER BY n",
            (report_id,),
        ).fetchall()

    # ---- reading: zones and alerts -------------------------------------------------
    def zone_bodies(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT body FROM zones ORDER BY id")]

    def zone_versions(self) -> dict[str, tuple[int, str]]:
        rows = self.conn.execute("SELECT id, version, body FROM zones").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def alert_page(
        self, *, after_id: str | None, limit: int, state: str | None = None
    ) -> list[tuple[str, str]]:
        return self._keyset("alerts", after_id, limit, (("state", "=", state),))

    def open_alerts(self) -> list[tuple[int, str]]:
        """(version, body) of every alert not cleared (the life cycle resumes on start)."""
        return self.conn.execute(
            "SELECT version, body FROM alerts WHERE state <> 'cleared' ORDER BY id").fetchall()

    def alert_mutes(self, after: float | None = None) -> list[tuple]:
        """(scope, rule, subject, until, actor) of snoozes by subject or rule."""
        return self.conn.execute(
            "SELECT scope, rule, subject, until_time, actor FROM alert_mutes"
            " WHERE until_time > ?", (after if after is not None else time.time(),)).fetchall()

    def alert_acks(self, alert_id: str) -> list[tuple]:
        """(action, scope, actor, time, until, note) of the people's steps on an alert."""
        return self.conn.execute(
            "SELECT action, scope, actor, time, until_time, note FROM alert_acks"
            " WHERE alert_id = ? ORDER BY time", (alert_id,)).fetchall()

    def alert_row(self, alert_id: str) -> tuple[int, str] | None:
        return self.conn.execute(
            "SELECT version, body FROM alerts WHERE id = ?", (alert_id,)
        ).fetchone()

    # ---- retention -----------------------------------------------------------------
    def prune(self, before: float) -> tuple[int, int]:
        """Drop history fixes and change-log rows received before ``before``.

        Current track states, reports, trails, zones and alerts are kept. The change
        log keeps at least its newest row so the high-water seq never goes back.
        """
        with self._write_lock:
            conn = self.conn
            conn.execute(self.dialect.begin_write)
            try:
                h = conn.execute("DELETE FROM track_history WHERE received_at < ?", (before,))
                top = conn.execute(
                    "SELECT MAX(seq) FROM changes WHERE time < ?", (before,)
                ).fetchone()[0]
                last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
                pruned = 0
                if top is not None:
                    top = min(int(top), int(last) - 1)
                    if top > 0:
                        pruned = conn.execute("DELETE FROM changes WHERE seq <= ?",
                                              (top,)).rowcount  # fmt: skip
                        _set_meta(conn, "changes_floor", str(max(top, 0)))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return h.rowcount, pruned


class Writer:
    """The open write transaction: rows are queued and sent with executemany."""

    def __init__(self, conn: sqlite3.Connection, last_seq: int) -> None:
        self.conn = conn
        self.seq = last_seq
        self._changes: list[tuple] = []
        self._tracks: list[tuple] = []
        self._history: list[tuple] = []
        self._reports: list[tuple] = []

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def change(self, seq: int, time: float, kind: str, op: str, rid: str,
               body: str | None) -> None:  # fmt: skip
        self._changes.append((seq, time, kind, op, rid, body))

    def track(self, rid: str, domain: str, lat: float | None, lon: float | None,
              time: float | None, updated_at: float, version: int, seq: int, body: str,
              state: str) -> None:  # fmt: skip
        self._tracks.append((rid, domain, lat, lon, time, updated_at, version, seq, body, state))

    def history(self, rows: Iterable[tuple[str, float, float, float, float]]) -> None:
        self._history.extend(rows)

    def report(self, rid: str, status: str, event_type: str, time: float | None,
               lat: float | None, lon: float | None, reliability: str | None,
               updated_at: float, version: int, seq: int, body: str,
               state: str) -> None:  # fmt: skip
        self._reports.append((rid, status, event_type, time, lat, lon, reliability,
                              updated_at, version, seq, body, state))  # fmt: skip

    def trail(self, report_id: str, from_status: str | None, to_status: str, actor: str,
              time: float, rationale: str) -> None:  # fmt: skip
        n = self.conn.execute(
            "SELECT COALESCE(MAX(n), 0) FROM report_trail WHERE report_id = ?", (report_id,)
        ).fetchone()[0]
        self.conn.execute(
            "INSERT INTO report_trail (report_id, n, from_status, to_status, actor, time,"
            " rationale) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (report_id, n + 1, from_status, to_status, actor, time, rationale),
        )

    def zone(self, rid: str, kind: str, valid_from: float | None, valid_to: float | None,
             updated_at: float, version: int, seq: int, body: str) -> None:  # fmt: skip
        self.conn.execute(
            "INSERT INTO zones (id, kind, valid_from, valid_to, updated_at, version, seq, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " kind = excluded.kind, valid_from = excluded.valid_from,"
            " valid_to = excluded.valid_to, updated_at = excluded.updated_at,"
            " version = excluded.version, seq = excluded.seq, body = excluded.body",
            (rid, kind, valid_from, valid_to, updated_at, version, seq, body),
        )

    def delete_zone(self, rid: str) -> None:
        self.conn.execute("DELETE FROM zones WHERE id = ?", (rid,))

    def alert(self, rid: str, rule: str, severity: int, subject: str, time: float,
              state: str, updated_at: float, version: int, seq: int,
              body: str) -> None:  # fmt: skip
        self.conn.execute(
            "INSERT INTO alerts (id, rule, severity, subject, time, state, updated_at,"
            " version, seq, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET rule = excluded.rule,"
            " severity = excluded.severity, subject = excluded.subject, time = excluded.time,"
            " state = excluded.state, updated_at = excluded.updated_at,"
            " version = excluded.version, seq = excluded.seq, body = excluded.body",
            (rid, rule, severity, subject, time, state, updated_at, version, seq, body),
        )

    def alert_ack(self, alert_id: str, actor: str, time: float, note: str, *,
                  action: str = "ack", scope: str = "alert",
                  until: float | None = None) -> None:  # fmt: skip
        self.conn.execute(
            "INSERT INTO alert_acks (alert_id, actor, time, note, action, scope, until_time)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (alert_id, actor, time, note, action, scope, until),
        )

    def alert_mute(self, scope: str, rule: str, subject: str | None, until: float,
                   actor: str, time: float, note: str) -> None:  # fmt: skip
        self.conn.execute(
            "INSERT INTO alert_mutes (scope, rule, subject, until_time, actor, time, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", (scope, rule, subject, until, actor, time, note))

    def flush(self) -> None:
        """Send the queued rows: one executemany per table, not one statement per row."""
        c = self.conn
        if self._tracks:
            c.executemany(
                "INSERT INTO tracks (id, domain, lat, lon, time, updated_at, version, seq,"
                " body, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
                " SET domain = excluded.domain, lat = excluded.lat, lon = excluded.lon,"
                " time = excluded.time, updated_at = excluded.updated_at,"
                " version = excluded.version, seq = excluded.seq, body = excluded.body,"
                " state = excluded.state",
                self._tracks,
            )
        if self._history:
            c.executemany(
                "INSERT INTO track_history (track_id, time, lat, lon, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                self._history,
            )
        if self._reports:
            c.executemany(
                "INSERT INTO reports (id, status, event_type, time, lat, lon, reliability,"
                " updated_at, version, seq, body, state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " status = excluded.status, event_type = excluded.event_type,"
                " time = excluded.time, lat = excluded.lat, lon = excluded.lon,"
                " reliability = excluded.reliability, updated_at = excluded.updated_at,"
                " version = excluded.version, seq = excluded.seq, body = excluded.body,"
                " state = excluded.state",
                self._reports,
            )
        if self._changes:
            c.executemany(
                "INSERT INTO changes (seq, time, kind, op, id, body) VALUES (?, ?, ?, ?, ?, ?)",
                self._changes,
            )
        self._tracks, self._history, self._reports, self._changes = [], [], [], []


def _bbox_where(bbox: Sequence[float] | None, where: list[str], params: list[Any],
                prefix: str = "") -> None:  # fmt: skip
    """(west, south, east, north); west > east crosses the antimeridian."""
    if bbox is None:
        return
    w, s, e, n = bbox
    lat, lon = f"{prefix}lat", f"{prefix}lon"
    where.append(f"{lat} IS NOT NULL AND {lat} >= ? AND {lat} <= ?")
    params.extend((s, n))
    if w <= e:
        where.append(f"{lon} >= ? AND {lon} <= ?")
    else:
        where.append(f"({lon} >= ? OR {lon} <= ?)")
    params.extend((w, e))


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def dumps(obj: Any) -> str:
    """Compact JSON as stored and sent; non-JSON values (enums) become their value."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
