"""Keeping a Picture (and its offline cache) equal to the server's, through outages.

The order is the one every cursor-synced client uses: read the server's high-water
seq, page through the current state (tracks, reports, zones, alerts), read the
changes log after that seq until caught up, then follow the SSE stream with
``Last-Event-ID``. Every change is applied exactly once and in seq order: a seq at
or below the last applied one is ignored, and a jump past the next expected seq is
filled from ``/v1/changes`` before the newer change is applied. On any failure the
loop backs off (capped exponential with full jitter) and resumes after the last
applied seq; when the server says that seq was pruned (410), it syncs afresh.

Plain callables report state changes, so the Qt UI can wrap them in signals later;
nothing here knows Qt.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import logging
import queue
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests

from cop_app.api.http import ApiClient, ApiError
from cop_app.api.records import (
    apply_report,
    apply_track,
    apply_tracks,
    apply_zone,
    wire_time,
)
from cop_app.api.sse import SSEDecoder
from cop_app.core.picture import Picture
from cop_app.store.cache import AutoSave, PictureCache

log = logging.getLogger("cop_app.api.sync")

_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout,
                     requests.exceptions.ChunkedEncodingError)  # fmt: skip


class ConnectionState(StrEnum):
    OFFLINE = "offline"  # not started, or stopped
    CONNECTING = "connecting"
    SYNCING = "syncing"  # paging state or reading the changes log
    LIVE = "live"  # following the stream
    BACKOFF = "backoff"  # waiting before the next attempt


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the changes log (or one SSE event's data)."""

    seq: int
    time: float | None
    kind: str
    op: str
    id: str
    record: dict[str, Any] | None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Change:
        return cls(seq=int(obj["seq"]), time=wire_time(obj.get("time")), kind=str(obj["kind"]),
                   op=str(obj.get("op") or "upsert"), id=str(obj["id"]),
                   record=obj.get("record"))  # fmt: skip


class Stopped(Exception):
    """Raised inside the worker when ``stop()`` was called."""


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an initial sync runs.

    Decoding and applying 100k records makes millions of objects, none in a cycle
    (reference counting frees them); the collector still walks the growing heap again
    and again, ~20% of the sync. It is paused for the pass only (nested and
    concurrent passes share one pause) and whatever it would have found is collected
    after.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def stream_chunks(resp: requests.Response) -> Iterator[bytes]:
    """The stream's bytes as they arrive.

    ``iter_content(chunk_size=None)`` yields per HTTP chunk on a chunked stream (what
    uvicorn sends) but on a close-delimited one (HTTP/1.0 proxies, ``Connection:
    close`` without chunking) it reads until the server closes: no event would ever
    arrive. ``read1`` returns whatever one socket read brings.
    """
    raw = resp.raw
    if getattr(raw, "chunked", True) or not hasattr(raw, "read1"):
        yield from resp.iter_content(chunk_size=None)
        return
    while data := raw.read1(65536):
        yield data


def stream_socket(resp: requests.Response) -> socket.socket | None:
    """The socket a streamed response reads from, so ``stop()`` can shut it.

    While the connection may be reused it hangs on the pooled connection; when the
    server said ``Connection: close`` urllib3 detaches it into the http.client response
    (``connection.sock`` is None) and ``resp.close()`` does not wake a blocked read:
    stop then waited for the server (measured: until the server closed, 10 s join
    timeout on the UI thread). Neither requests nor urllib3 exposes it, hence the
    private attributes, each looked up defensively.
    """
    raw = resp.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _prefetched(items: Iterator[Any], stop: threading.Event) -> Iterator[Any]:
    """``items``, produced one ahead on a helper thread.

    The initial sync fetches the next page (the server's query and compression, the
    transfer, the JSON decoding) while the current one is written into the picture;
    on two cores that hides most of the fetching. An error of the producer is raised
    here, in order; closing this generator (the caller raised) stops the producer.
    """
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    done = threading.Event()

    def put(entry: tuple[bool, Any]) -> bool:
        while not (done.is_set() or stop.is_set()):
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((False, exc))

    worker = threading.Thread(target=produce, name="cop-app-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            try:
                ok, item = box.get(timeout=0.1)
            except queue.Empty:
                if stop.is_set():
                    raise Stopped from None
                continue
            if not ok:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        done.set()
        worker.join()


class Syncer:
    """Keeps ``picture`` (and ``cache``, if given) in step with the server.

    ``on_state(state)`` is called on every state change, ``on_change(change)`` once
    per applied seq (after the picture has it), ``on_progress(done, total)`` while
    paging. All run on the syncing thread. ``lock`` is held while the picture is
    written; readers on other threads may take it too.
    """

    def __init__(
        self,
        client: ApiClient,
        picture: Picture,
        cache: PictureCache | None = None,
        *,
        resume: bool = False,
        page_limit: int = 5000,
        changes_limit: int = 5000,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        stream_read_timeout: float = 45.0,
        flush_interval: float = 0.5,
        on_state: Callable[[ConnectionState], None] | None = None,
        on_change: Callable[[Change], None] | None = None,
        on_progress: Callable[[int, int | None], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.picture = picture
        self.cache = cache
        self.page_limit = page_limit
        self.changes_limit = changes_limit
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stream_read_timeout = stream_read_timeout
        self.flush_interval = flush_interval
        self.on_state = on_state
        self.on_change = on_change
        self.on_progress = on_progress
        self.lock = threading.RLock()
        self.cursor_name = f"api:{client.base_url}"
        self.last_seq: int | None = None  # None: no state yet, an initial sync is due
        if resume and cache is not None:
            self.last_seq = cache.get_cursor(self.cursor_name)
        self.state = ConnectionState.OFFLINE
        self.last_contact: float | None = None
        self.last_error: str | None = None
        self.failures = 0
        self.alerts: dict[str, dict[str, Any]] = {}
        self._record_seq: dict[tuple[str, str], int] = {}
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: requests.Response | None = None
        self._autosave: AutoSave | None = cache.follow(picture) if cache is not None else None
        self._last_flush = 0.0

    # ---- state -----------------------------------------------------------------------
    def _set_state(self, state: ConnectionState) -> None:
        if state is not self.state:
            self.state = state
            log.info("sync %s", state.value)
            if self.on_state is not None:
                self.on_state(state)

    def _contact(self) -> None:
        self.last_contact = time.time()

    def data_age(self, now: float | None = None) -> float | None:
        """Seconds since the server was last heard from (None: never)."""
        if self.last_contact is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_contact)

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise Stopped

    # ---- one pass --------------------------------------------------------------------
    def sync_once(self) -> int:
        """Bring the picture up to the server's present and return the last seq.

        An initial sync when there is no cursor (or the server pruned past it), then
        the changes log until caught up. Errors propagate (the CLI reports them).
        """
        self._set_state(ConnectionState.SYNCING)
        try:
            if self.last_seq is None:
                with _gc_paused():
                    self._initial()
            elif not self.alerts:
                self._fetch_alerts()
            try:
                self._catch_up()
            except ApiError as exc:
                if exc.status != 410:
                    raise
                log.warning("server pruned changes after seq %s; syncing afresh", self.last_seq)
                self.last_seq = None
                with _gc_paused():
                    self._initial()
                self._catch_up()
        finally:
            self.flush()
        assert self.last_seq is not None
        return self.last_seq

    def _initial(self) -> None:
        """Page the current state; the cursor becomes the lowest high-water seq the lists
        reported, so anything written while paging comes again from the changes log."""
        marks: list[int] = []
        total = None
        done = 0
        for path, kind in (("/v1/tracks", "track"), ("/v1/reports", "report"),
                           ("/v1/alerts", "alert")):  # fmt: skip
            fetch = _prefetched(self.client.pages(path, limit=self.page_limit), self._stop)
            with contextlib.closing(fetch) as pages:  # the helper thread ends with the loop
                for i, page in enumerate(pages):
                    self._contact()
                    self._check_stop()
                    if i == 0:
                        marks.append(int(page["seq"]))
                    items = page.get("items", ())
                    total = page.get("total", total)
                    with self.lock, self.picture.batch():
                        if kind == "track":
                            keys = apply_tracks(self.picture, items)
                            self._note_seqs(kind, keys, items)
                        else:
                            for rec in items:
                                self._apply_record(kind, rec)
                    done += len(items)
                    if self.on_progress is not None:
                        self.on_progress(done, total)
                    self._maybe_flush()
        zones = self.client.get("/v1/zones")
        self._contact()
        marks.append(int(zones["seq"]))
        with self.lock, self.picture.batch():
            for feature in zones.get("features", ()):
                self._apply_record("zone", feature)
        self.last_seq = min(marks)
        self.flush()

    def _fetch_alerts(self) -> None:
        """The server's alerts as they stand, when resuming from a saved cursor: the
        changes after it carry only alerts that changed since, and a reconnect (or a
        restart) showed "0 new · 0 open" over a server holding eleven (officer trial).
        Changes read after this bring each alert to its latest state, as they do after
        an initial sync."""
        for page in self.client.pages("/v1/alerts", limit=self.page_limit):
            self._contact()
            self._check_stop()
            with self.lock:
                for rec in page.get("items", ()):
                    self._apply_record("alert", rec)

    def _catch_up(self) -> None:
        """Read /v1/changes after the last seq until it reaches the high-water seq."""
        while True:
            self._check_stop()
            page = self.client.get("/v1/changes", after=self.last_seq, limit=self.changes_limit)
            self._contact()
            items = page.get("items", ())
            self.apply_changes(Change.from_json(obj) for obj in items)
            self._maybe_flush()
            if not items or int(page["next_after"]) >= int(page["seq"]):
                return

    # ---- applying --------------------------------------------------------------------
    def _note_seqs(self, kind: str, keys: list[str], records: list[dict[str, Any]]) -> None:
        """Remember each record's seq (``keys`` are the records' ids as text)."""
        seqs = [rec.get("seq") for rec in records]
        if set(map(type, seqs)) == {int}:  # the usual page: pairs built without a loop
            pairs = zip(itertools.repeat(kind, len(keys)), keys, strict=True)
            self._record_seq.update(zip(pairs, seqs, strict=True))
            return
        self._record_seq.update(((kind, key), int(seq)) for key, seq in zip(keys, seqs,
                                strict=True) if seq is not None)  # fmt: skip

    def _apply_record(self, kind: str, rec: dict[str, Any]) -> None:
        if kind == "track":
            apply_track(self.picture, rec)
        elif kind == "report":
            apply_report(self.picture, rec)
        elif kind == "zone":
            apply_zone(self.picture, rec)
        elif kind == "alert":
            self.alerts[str(rec["id"])] = rec
        else:
            log.debug("ignoring record of unknown kind %r", kind)
            return
        seq = rec.get("seq") if isinstance(rec, dict) else None
        if seq is None and kind == "zone":
            seq = (rec.get("properties") or {}).get("seq")
        if seq is not None:
            self._record_seq[(kind, str(rec.get("id")))] = int(seq)

    def apply_changes(self, changes: Iterable[Change]) -> int:
        """Apply changes in order; returns how many were new. Gaps are filled first."""
        n = 0
        with self.lock, self.picture.batch():
            for ch in changes:
                if self.last_seq is not None and ch.seq <= self.last_seq:
                    continue  # already applied (a replay after reconnecting)
                if self.last_seq is not None and ch.seq > self.last_seq + 1:
                    n += self._fill_gap(ch.seq)
                    if ch.seq <= self.last_seq:
                        continue
                self._apply_change(ch)
                n += 1
        return n

    def _fill_gap(self, upto: int) -> int:
        """Fetch and apply the log between the last applied seq and ``upto`` (exclusive)."""
        n = 0
        while self.last_seq is not None and self.last_seq < upto - 1:
            want = min(self.changes_limit, upto - 1 - self.last_seq)
            page = self.client.get("/v1/changes", after=self.last_seq, limit=want)
            self._contact()
            items = [Change.from_json(o) for o in page.get("items", ())]
            items = [c for c in items if self.last_seq < c.seq < upto]
            if not items:
                return n  # seqs are strictly increasing, not necessarily contiguous
            for ch in items:
                self._apply_change(ch)
                n += 1
        return n

    def _apply_change(self, ch: Change) -> None:
        key = (ch.kind, ch.id)
        newer = self._record_seq.get(key)
        if ch.op == "delete":
            self._delete(ch)
        elif ch.record is not None and (newer is None or ch.seq >= newer):
            # A state paged in the initial sync may be newer than this change; keep it.
            self._apply_record(ch.kind, ch.record)
        self.last_seq = ch.seq
        if self.on_change is not None:
            self.on_change(ch)

    def _delete(self, ch: Change) -> None:
        self._record_seq.pop((ch.kind, ch.id), None)
        if ch.kind == "alert":
            self.alerts.pop(ch.id, None)
        elif ch.kind == "zone":
            if self.picture.zones.pop(ch.id, None) is not None and self._autosave is not None:
                self._autosave.pending.zones.add(ch.id)
        else:
            # The Picture has no removal of tracks or reports (they go stale instead);
            # the server deletes only by retention, which the next full sync reflects.
            log.debug("delete of %s %s not applied to the picture", ch.kind, ch.id)

    # ---- the offline cache -------------------------------------------------------------
    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self) -> None:
        """Write collected changes and the cursor to the cache (cursor last)."""
        self._last_flush = time.monotonic()
        if self._autosave is None or self.cache is None or self.last_seq is None:
            return
        with self.lock:
            self._autosave.flush()
            self.cache.set_cursor(self.cursor_name, self.last_seq)

    # ---- following ---------------------------------------------------------------------
    def _stream(self) -> None:
        """Follow /v1/stream from the last seq until it ends or fails."""
        headers = {"Accept": "text/event-stream", "Accept-Encoding": "identity",
                   "Last-Event-ID": str(self.last_seq)}  # fmt: skip
        timeout = (self.client.timeout[0], self.stream_read_timeout)
        resp = self.client.request("GET", "/v1/stream", headers=headers, stream=True,
                                   timeout=timeout)
        self._response = resp
        try:
            self._contact()
            self._set_state(ConnectionState.LIVE)
            self.failures = 0
            decoder = SSEDecoder()
            for chunk in stream_chunks(resp):
                self._check_stop()
                self._contact()
                events = decoder.feed(chunk)
                changes = [Change.from_json(json.loads(e.data)) for e in events
                           if e.event == "change" and e.data]  # fmt: skip
                if changes:
                    self.apply_changes(changes)
                self._maybe_flush()
            self._check_stop()
        finally:
            self._response = None
            resp.close()
            self.flush()

    def run(self) -> None:
        """Sync, then follow, reconnecting with backoff, until ``stop()``."""
        self._stop.clear()
        try:
            while not self._stop.is_set():
                try:
                    self._set_state(ConnectionState.CONNECTING)
                    self.sync_once()
                    self._stream()
                    log.info("stream ended by the server; reconnecting")
                except Stopped:
                    break
                except (ApiError, *_TRANSPORT_ERRORS, ValueError, KeyError) as exc:
                    if self._stop.is_set():
                        break
                    if isinstance(exc, ApiError) and exc.status in (401, 403):
                        self.last_error = str(exc)
                        log.error("sync refused: %s", exc)
                        raise
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    self.failures += 1
                    delay = self.backoff_delay(self.failures)
                    log.info("sync failed (%s); retrying in %.2f s", self.last_error, delay)
                    self._set_state(ConnectionState.BACKOFF)
                    self._stop.wait(delay)
        finally:
            with contextlib.suppress(Exception):
                self.flush()
            self._set_state(ConnectionState.OFFLINE)

    def backoff_delay(self, failures: int) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^n)]."""
        return self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** failures))

    # ---- thread ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_quietly, name="cop-app-sync",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def _run_quietly(self) -> None:
        try:
            self.run()
        except ApiError as exc:
            if exc.status not in (401, 403):  # a refused token: run() said so in one line
                log.exception("sync stopped")
        except Exception:  # the thread's end; last_error and state say why
            if self._stop.is_set():  # stop() cut the stream under a read: expected
                log.debug("sync stopped while stopping", exc_info=True)
            else:
                log.exception("sync stopped")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop following: closes the stream so a blocked read returns at once."""
        self._stop.set()
        resp = self._response
        if resp is not None:
            sock = stream_socket(resp)
            if sock is not None:
                with contextlib.suppress(OSError):  # unblock a read waiting for bytes
                    sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(Exception):
                resp.close()
        if self._thread is not None:
            self._thread.join(timeout)

    # ---- on demand -----------------------------------------------------------------------
    def fetch_history(self, track_id: str, start: float | None = None,
                      end: float | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """A track's past positions from the server (the picture keeps only recent ones)."""
        from cop_app.core.timeutil import format_iso

        params = {"start": format_iso(start) if start is not None else None,
                  "end": format_iso(end) if end is not None else None}  # fmt: skip
        body = self.client.get(f"/v1/tracks/{track_id}/history", **params)
        self._contact()
        return list(body.get("points", []))
