"""The offline cache of the picture: what the officer saw last, back on the next start.

One SQLite file in WAL mode with ``synchronous=NORMAL``: every save is one
transaction, so a process killed at any instant leaves the last committed picture
(WAL survives application crashes at NORMAL; only a power cut may lose the newest
commit, never the file). Readers (an export, a second window) see a consistent
snapshot while a save is running. A file we cannot use is moved aside, never
deleted (see ``guard``), and a row we cannot decode is counted and skipped.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from cop_app.core.archive import MAX_FIXES as ARCHIVE_MAX_FIXES
from cop_app.core.archive import merge_spans
from cop_app.core.entities import Alert
from cop_app.core.picture import Picture, PictureChange
from cop_app.store import archive_rows, codec
from cop_app.store.guard import CacheProblem, UnusableCache, check, is_damage, move_aside
from cop_app.store.schema import SCHEMA_VERSION, migrate

log = logging.getLogger("cop_app.store")

CACHE_FILENAME = "cache.sqlite"
_BUSY_TIMEOUT_MS = 5000
_NEVER = float("-inf")  # last_time of a track never heard (a NULL in the row)

_INSERT_TRACK = "INSERT OR REPLACE INTO tracks VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_HISTORY = "INSERT OR REPLACE INTO histories VALUES (?, ?, ?, ?, ?)"
_INSERT_REPORT = "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)"
_INSERT_TRAIL = "INSERT INTO report_trail VALUES (?, ?, ?, ?, ?, ?, ?)"
_INSERT_ZONE = "INSERT OR REPLACE INTO zones VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_ALERT = "INSERT OR REPLACE INTO alerts VALUES (?, ?, ?, ?, ?)"
_SELECT_TRACKS = (
    "SELECT t.key, t.domain, t.fields, t.sources, t.last_time, t.stale_s, h.n, h.t, h.lat, h.lon"
    " FROM tracks t LEFT JOIN histories h ON h.key = t.key"
)


def default_cache_path() -> Path:
    """Where the app keeps its cache: the per-user data folder."""
    from cop_app.paths import user_data_dir

    return user_data_dir() / CACHE_FILENAME


class PictureCache:
    """The picture cache at ``path`` (created, migrated or replaced as needed).

    ``problems`` lists what could not be used (a file moved aside, rows skipped),
    newest last; each problem is also logged on ``cop_app.store``.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.problems: list[CacheProblem] = []
        self.skipped: dict[str, int] = {}  # rows skipped by the last load, per table
        self.archive_dropped = 0  # archived fixes let go to keep the file under its cap
        self._lock = threading.RLock()
        self._conn = self._open()

    # ---- opening ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: saves may run on a worker; self._lock serialises use.
        return sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)  # fmt: skip

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("cache %s: WAL unavailable (journal_mode=%s)", self.path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA journal_size_limit = 67108864")  # keep a big save's WAL from lingering
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            migrate(conn)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            check(conn, self.path)
            self._prepare(conn)
            return conn
        except UnusableCache as exc:
            conn.close()
            self.problems.append(move_aside(self.path, exc.kind, exc.reason))
        except sqlite3.DatabaseError as exc:
            conn.close()
            if not is_damage(exc):
                raise
            self.problems.append(move_aside(self.path, "corrupt", f"SQLite cannot read it ({exc})"))
        conn = self._connect()
        self._prepare(conn)
        return conn

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        """The file went bad after opening: move it aside and start afresh."""
        self._conn.close()
        self.problems.append(move_aside(self.path, "corrupt", f"SQLite cannot read it ({exc})"))
        self._conn = self._connect()
        self._prepare(self._conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> PictureCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, mode: str) -> Iterator[sqlite3.Connection]:
        """BEGIN ``mode`` ... COMMIT, rolled back on any error (or interruption)."""
        with self._lock:
            conn = self._conn
            conn.execute(f"BEGIN {mode}")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ---- saving ----------------------------------------------------------------------
    def save(self, picture: Picture, *, alerts: Iterable[Alert] | None = None) -> None:
        """Replace the cached picture with ``picture`` in one transaction.

        Rows are encoded before the write lock is taken, so readers and other
        writers wait only for the inserts.
        """
        tracks, histories, _gone = _track_rows(picture, picture.keys())
        reports = [codec.report_row(r) for r in picture.reports()]
        trail = [row for r in picture.reports() for row in codec.trail_rows(r)]
        zones = [codec.zone_row(z) for z in picture.zones.values()]
        alert_rows = None if alerts is None else [codec.alert_row(a) for a in alerts]
        with self._transaction("IMMEDIATE") as conn:
            for table in ("tracks", "histories", "reports", "report_trail", "zones"):
                conn.execute(f"DELETE FROM {table}")  # table names are constants
            conn.executemany(_INSERT_TRACK, tracks)
            conn.executemany(_INSERT_HISTORY, histories)
            conn.executemany(_INSERT_REPORT, reports)
            conn.executemany(_INSERT_TRAIL, trail)
            conn.executemany(_INSERT_ZONE, zones)
            if alert_rows is not None:
                conn.execute("DELETE FROM alerts")
                conn.executemany(_INSERT_ALERT, alert_rows)
            _stamp(conn)

    def save_changes(self, picture: Picture, change: PictureChange) -> None:
        """Write only what ``change`` names (a Picture notification), in one transaction.

        A key the picture no longer holds is deleted from the cache.
        """
        tracks, histories, gone = _track_rows(picture, sorted(change.tracks))
        reps = [(i, picture.report(i)) for i in sorted(change.reports)]
        zones = [(i, picture.zones.get(i)) for i in sorted(change.zones)]
        with self._transaction("IMMEDIATE") as conn:
            conn.executemany("DELETE FROM tracks WHERE key = ?", [(k,) for k in gone])
            conn.executemany("DELETE FROM histories WHERE key = ?", [(k,) for k in gone])
            conn.executemany(_INSERT_TRACK, tracks)
            conn.executemany(_INSERT_HISTORY, histories)
            for rid, rep in reps:
                conn.execute("DELETE FROM report_trail WHERE report_id = ?", (rid,))
                if rep is None:
                    conn.execute("DELETE FROM reports WHERE id = ?", (rid,))
                else:
                    conn.execute(_INSERT_REPORT, codec.report_row(rep))
                    conn.executemany(_INSERT_TRAIL, codec.trail_rows(rep))
            for zid, zone in zones:
                if zone is None:
                    conn.execute("DELETE FROM zones WHERE id = ?", (zid,))
                else:
                    conn.execute(_INSERT_ZONE, codec.zone_row(zone))
            _stamp(conn)

    def save_tracks(self, picture: Picture, keys: Iterable[str]) -> None:
        """Write the named tracks only (the keys of a Picture change notification)."""
        self.save_changes(picture, PictureChange(tracks=set(keys)))

    def follow(self, picture: Picture) -> AutoSave:
        """Collect the picture's changes so ``flush()`` writes only those."""
        return AutoSave(self, picture)

    def save_alerts(self, alerts: Iterable[Alert]) -> None:
        """Replace the cached alerts."""
        rows = [codec.alert_row(a) for a in alerts]
        with self._transaction("IMMEDIATE") as conn:
            conn.execute("DELETE FROM alerts")
            conn.executemany(_INSERT_ALERT, rows)

    # ---- sync cursor -----------------------------------------------------------------
    def get_cursor(self, name: str) -> int | None:
        with self._lock:
            row = self._conn.execute("SELECT seq FROM sync_state WHERE name = ?",
                                     (name,)).fetchone()  # fmt: skip
        return None if row is None else int(row[0])

    def set_cursor(self, name: str, seq: int) -> None:
        with self._transaction("IMMEDIATE") as conn:
            conn.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)",
                         (name, int(seq), time.time()))  # fmt: skip

    # ---- loading ---------------------------------------------------------------------
    def load(self, picture: Picture | None = None) -> Picture:
        """The cached picture, restored into ``picture`` (a new one by default).

        All tables are read in one snapshot, so a save running in another process
        is either wholly seen or not at all. Rows that fail to decode are skipped
        and reported in ``problems`` and ``skipped``; a file found damaged now is
        moved aside and an empty picture is returned.
        """
        self.skipped = {}
        try:
            with self._transaction("DEFERRED") as conn:
                tracks = conn.execute(_SELECT_TRACKS).fetchall()
                reports = conn.execute("SELECT id, body FROM reports").fetchall()
                trail = conn.execute("SELECT report_id, from_status, to_status, actor, time,"
                                     " rationale FROM report_trail ORDER BY report_id, seq"
                                     ).fetchall()  # fmt: skip
                zones = conn.execute("SELECT id, feature FROM zones").fetchall()
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self._recover(exc)
            return picture if picture is not None else Picture()
        if picture is None:
            picture = Picture(capacity=max(1024, len(tracks)))  # no regrowth while restoring
        trails: dict[str, list[tuple]] = {}
        for rid, *step in trail:
            trails.setdefault(rid, []).append(tuple(step))
        with picture.batch(), _gc_paused():
            self._restore_tracks(picture, tracks)
            self._decode("reports", reports, lambda row: picture.restore_report(
                codec.report_from(row[1], trails.get(row[0], []))))  # fmt: skip
            self._decode("zones", zones, lambda row: picture.set_zone(codec.zone_from(row[1])))
        return picture

    # ---- fetched replay history (the Picture's FixArchive) ----------------------------
    def save_archive_batch(self, picture: Picture, spans: Iterable[tuple[float, float]], *,
                           max_fixes: int = ARCHIVE_MAX_FIXES) -> int:  # fmt: skip
        """Store what ``picture.archive`` holds in each of ``spans`` (the stretches one
        fetch asked for) as new chunks, then drop the oldest chunks over ``max_fixes``.

        Called on the fetch's worker thread right after the fetch: the archive swaps
        its columns whole, so one read of them is consistent. Returns fixes written.
        """
        archive = picture.archive
        cols, covered = archive.cols, list(archive.covered)
        keys = picture.keys()  # after cols: every archived row is named
        stamp = time.time()
        rows = [archive_rows.chunk_row(t0, t1, chunk, stamp) for a, b in spans
                for t0, t1, chunk in archive_rows.batch_chunks(keys, cols, covered, a, b)
                if len(chunk.t) or chunk.spans]  # fmt: skip
        if not rows:
            return 0
        with self._transaction("IMMEDIATE") as conn:
            conn.executemany(archive_rows.INSERT_CHUNK, rows)
            self.archive_dropped += _drop_oldest_chunks(conn, max_fixes)
        return sum(row[2] for row in rows)

    def load_archive(self, picture: Picture) -> int:
        """Restore the stored replay history into ``picture.archive``; returns its size.

        A chunk that cannot be decoded is skipped with its spans (so that stretch is
        fetched again once the server is back), counted in ``skipped`` and reported in
        ``problems``; the others load. Fixes of tracks the picture lacks are dropped by
        the archive as on a fetch.
        """
        self.skipped.pop("archive_chunks", None)
        try:
            with self._transaction("DEFERRED") as conn:
                rows = conn.execute(archive_rows.SELECT_CHUNKS).fetchall()
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self._recover(exc)
            return len(picture.archive)
        chunks: list[archive_rows.Chunk] = []
        decode = archive_rows.chunk_from
        self._decode("archive_chunks", rows, lambda row: chunks.append(decode(row)))
        if not chunks:
            return len(picture.archive)
        # Spans first, into the (empty) archive: each add sorts what is held, so the
        # fixes then go in with one sort, and the cap trims the spans as on a fetch.
        for span in merge_spans([s for c in chunks for s in c.spans]):
            picture.add_archived_fixes([], (), (), (), span=span)
        # Each chunk's keys mapped once, not each fix (rows are positions in keys()).
        row_of = {k: i for i, k in enumerate(picture.keys())}
        rows = np.concatenate([np.fromiter((row_of.get(k, -1) for k in c.keys), np.int32,
                                           len(c.keys))[c.track] for c in chunks])  # fmt: skip
        picture.add_archived_fixes((), *(np.concatenate([getattr(c, a) for c in chunks])
                                         for a in ("t", "lat", "lon")), rows=rows)  # fmt: skip
        return len(picture.archive)

    def load_alerts(self) -> list[Alert]:
        with self._lock:
            rows = self._conn.execute("SELECT id, body FROM alerts ORDER BY time").fetchall()
        out: list[Alert] = []
        self._decode("alerts", rows, lambda row: out.append(codec.alert_from(row[1])))
        return out

    def _decode(self, table: str, rows: list[tuple], restore: Any) -> None:
        """Apply ``restore`` to each row; count, log and skip the ones that fail."""
        bad: dict[int, str] = {}
        for i, row in enumerate(rows):
            try:
                restore(row)
            except Exception as exc:  # a bad row (shapely, json, enum...) must never stop a load
                bad[i] = str(exc)
        self._skipped(table, rows, bad)

    def _restore_tracks(self, picture: Picture, rows: list[tuple]) -> None:
        """Decode the track rows one by one, then restore the good ones in one bulk call."""
        bad: dict[int, str] = {}
        good: list[int] = []
        cols: tuple[list, ...] = ([], [], [], [], [], [], [], [], [], [])
        for i, row in enumerate(rows):
            try:
                decoded = _decode_track(row)
            except Exception as exc:  # json, blob sizes...: skip the row, never the load
                bad[i] = str(exc)
                continue
            good.append(i)
            for col, value in zip(cols, decoded, strict=True):
                col.append(value)
        keys, domains, fields, sources, last, stale, n, t, lat, lon = cols
        n_arr, t2, lat2, lon2 = codec.history_blocks(n, t, lat, lon)
        rejected = picture.restore_tracks(keys, domains, fields=fields, sources=sources,
                                          last_time=last, stale_s=stale, history=(t2, lat2, lon2),
                                          history_n=n_arr, skip_bad=True)  # fmt: skip
        for j, reason in rejected.items():
            bad[good[j]] = reason
        self._skipped("tracks", rows, bad)

    def _skipped(self, table: str, rows: list[tuple], bad: dict[int, str]) -> None:
        """Count, log and report the rows of ``table`` that could not be used."""
        if not bad:
            return
        first = min(bad)
        self.skipped[table] = len(bad)
        problem = CacheProblem(
            kind="bad_rows",
            message=(f"{len(bad)} of {len(rows)} cached {table} in {self.path} could not be "
                     f"read and were skipped (first: {rows[first][0]!r}: {bad[first]})"),
            path=self.path,
            count=len(bad),
        )  # fmt: skip
        self.problems.append(problem)
        log.warning("%s", problem.message)


class AutoSave:
    """Remembers which tracks, reports and zones changed since the last ``flush``."""

    def __init__(self, cache: PictureCache, picture: Picture) -> None:
        self.cache = cache
        self.picture = picture
        self.pending = PictureChange()
        self._unsubscribe = picture.subscribe(self._collect)

    def _collect(self, change: PictureChange) -> None:
        self.pending.tracks |= change.tracks
        self.pending.reports |= change.reports
        self.pending.zones |= change.zones

    def flush(self) -> int:
        """Write the collected changes; returns how many records were written."""
        change, self.pending = self.pending, PictureChange()
        if change:
            try:
                self.cache.save_changes(self.picture, change)
            except BaseException:
                self._collect(change)  # keep them for the next try
                raise
        return len(change.tracks) + len(change.reports) + len(change.zones)

    def close(self) -> None:
        self._unsubscribe()


def _track_rows(picture: Picture, keys: Iterable[str]) -> tuple[list, list, list[str]]:
    """(track rows, history rows, keys no longer in the picture)."""
    tracks, histories, gone = [], [], []
    dumps, pack = codec.dumps, codec.pack
    state_of = picture.track_state
    for key in keys:
        st = state_of(key)
        if st is None:
            gone.append(key)
            continue
        t, lat, lon = picture.history(key)
        tracks.append((key, int(st.domain), dumps(st.fields), dumps(st.sources), st.last_time,
                       st.stale_s))  # fmt: skip
        histories.append((key, len(t), pack(t), pack(lat), pack(lon)))
    return tracks, histories, gone


def _decode_track(row: tuple) -> tuple:
    """One joined tracks/histories row as restore_tracks columns (raises on a bad row).

    The domain, the numeric fields, the times and the sources are checked by
    restore_tracks, which skips a row it cannot use.
    """
    key, domain, fields, sources, last_time, stale_s, n, t, lat, lon = row
    if type(key) is not str:
        raise TypeError("track key is not text")
    if n is None:  # a track saved without a history row
        n, t, lat, lon = 0, b"", b"", b""
    codec.check_history(n, t, lat, lon)
    return (key, domain, codec.loads_dict(fields), codec.loads_list(sources),
            _NEVER if last_time is None else last_time, 0.0 if stale_s is None else stale_s,
            n, t, lat, lon)  # fmt: skip


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a load builds ~100k objects that all stay alive: the collector
    would walk them again and again for nothing (a quarter of a 10k-track load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _drop_oldest_chunks(conn: sqlite3.Connection, max_fixes: int) -> int:
    """Delete archive chunks, oldest first, until at most ``max_fixes`` remain."""
    kept = dropped = 0
    drop: list[tuple[int]] = []
    for cid, n in conn.execute("SELECT id, n FROM archive_chunks ORDER BY t0 DESC, id DESC"):
        n = n if type(n) is int else 0  # a damaged count: the load skips that row anyway
        if drop or kept + n > max_fixes:
            drop.append((cid,))
            dropped += n
        else:
            kept += n
    conn.executemany("DELETE FROM archive_chunks WHERE id = ?", drop)
    return dropped


def _stamp(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('saved_at', ?)", (repr(time.time()),))
