"""Server-Sent Events of the changes log, and the in-process notifier that wakes them.

Fan-out: each stream reads the changes table after its own last seq, so a client
that falls behind never loses events and needs no per-client queue. A commit wakes
every stream through one ``asyncio.Event`` swap (cheap for tens of clients); a poll
of the table every ``poll_s`` is the fallback that also catches writes by another
replica sharing the database later (PostgreSQL), where no in-process signal exists.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from starlette.concurrency import run_in_threadpool

from cop_app.core.timeutil import format_iso
from cop_app.server.storage import ChangeRow, Storage

BATCH = 1000


class Notifier:
    """Thread-safe "something was committed" signal for asyncio waiters."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self.seq = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def publish(self, seq: int) -> None:
        """Called by the pipeline after a commit, from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake, seq)

    def _wake(self, seq: int) -> None:
        self.seq = max(self.seq, seq)
        event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    def current(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event


def change_json(row: ChangeRow) -> str:
    """One change as sent by /v1/changes and SSE; the stored record body is spliced in."""
    return (f'{{"seq":{row.seq},"time":"{format_iso(row.time)}","kind":"{row.kind}",'
            f'"op":"{row.op}","id":{json.dumps(row.id, ensure_ascii=False)},'
            f'"record":{row.body if row.body is not None else "null"}}}')  # fmt: skip


def event_text(row: ChangeRow) -> str:
    return f"id: {row.seq}\nevent: change\ndata: {change_json(row)}\n\n"


async def change_events(
    storage: Storage, notifier: Notifier, after: int, *, heartbeat_s: float, poll_s: float,
    retry_ms: int,
) -> AsyncIterator[str]:
    """The stream body: a retry hint, then every change after ``after``, forever."""
    yield f"retry: {retry_ms}\n: cop-app change stream, resuming after seq {after}\n\n"
    last = after
    last_sent = time.monotonic()
    while True:
        wake = notifier.current()  # taken before the read, so no commit slips between
        rows = await run_in_threadpool(storage.changes_after, last, BATCH)
        if rows:
            last = rows[-1].seq
            last_sent = time.monotonic()
            yield "".join(event_text(r) for r in rows)
            continue
        idle = time.monotonic() - last_sent
        if idle >= heartbeat_s:
            last_sent = time.monotonic()
            yield ": heartbeat\n\n"
            continue
        try:
            await asyncio.wait_for(wake.wait(), timeout=min(poll_s, heartbeat_s - idle))
        except TimeoutError:
            pass
