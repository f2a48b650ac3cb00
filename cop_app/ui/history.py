"""On-demand history: what the timeline asks for, fetched from the server off the UI thread.

The timeline says which stretch in view lies before the complete local data; this
fetches it (``api.history.fetch_history``) in a worker, one request at a time, with
a row in the status-bar progress strip (Cancel keeps what came). The local data is
complete from the moment the live sync began: before it, only the server knows.
Offline there is nothing to ask; the timeline is told to ask again once the server
is back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from cop_app.api.history import HistoryFetch, fetch_history
from cop_app.api.sync import ConnectionState
from cop_app.core.timeutil import format_dtg, now
from cop_app.ui.workers import TaskRunner, TaskState, run_task

if TYPE_CHECKING:
    from cop_app.ui.app import Session

log = logging.getLogger("cop_app.ui")

# Around a replay cursor before the local data: enough before it for a fix of every
# track still alive then (air goes stale in minutes, ships in tens of minutes), and a
# little after it to interpolate towards.
CURSOR_BEFORE_S = 3600.0
CURSOR_AFTER_S = 900.0


class HistoryFetcher(QObject):
    message = Signal(str)
    fetched = Signal(object)  # HistoryFetch

    def __init__(self, session: Session, timeline: Any, progress: Any = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.session = session
        self.timeline = timeline
        self.progress = progress  # ProgressStrip (or None)
        self.running: TaskRunner | None = None
        self.pending: tuple[float, float] | None = None
        self.live_since: float | None = None
        self.hub = timeline.hub
        timeline.history_requested.connect(self.request)
        session.stateChanged.connect(self._state_changed)
        # A cursor moved before the local data (typed, stepped, dragged) wants the
        # history around it even when the timeline is not showing that stretch.
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.setInterval(300)
        self._cursor_timer.timeout.connect(self._check_cursor)
        self.hub.cursorChanged.connect(lambda _t: self._cursor_timer.start())
        self._state_changed(session.state)

    def _state_changed(self, state: str) -> None:
        if state != ConnectionState.LIVE.value:
            return
        if self.live_since is None:
            self.live_since = now()
            self.timeline.history_floor = self.live_since
        self.timeline.forget_history_requests()  # what was asked offline, ask now
        self._cursor_timer.start()

    def _check_cursor(self) -> None:
        floor = self.live_since
        t = self.hub.cursor
        if self.hub.live or floor is None or t >= floor:
            return
        t0, t1 = t - CURSOR_BEFORE_S, min(t + CURSOR_AFTER_S, floor)
        if self.session.picture.archive.missing(t0, t1):
            self.request(t0, t1)

    def request(self, t0: float, t1: float) -> None:
        """Fetch [t0, t1] (later requests queue behind a running one, merged)."""
        if self.session.client is None or not self.session.live:
            return
        if self.running is not None:
            p = self.pending
            self.pending = (t0, t1) if p is None else (min(p[0], t0), max(p[1], t1))
            return
        self._start(t0, t1)

    def _start(self, t0: float, t1: float) -> None:
        client, picture, cache = self.session.client, self.session.picture, self.session.cache
        assert client is not None

        def work(state: TaskState) -> HistoryFetch:
            result = fetch_history(client, picture, t0, t1, progress=state.progress,
                                   should_stop=lambda: state.cancelled)  # fmt: skip
            if cache is not None and result.spans:  # kept for replay offline after a restart
                try:
                    cache.save_archive_batch(picture, result.spans)
                except Exception:  # a full disk must not lose the fetch shown now
                    log.warning("fetched history not written to the cache", exc_info=True)
            return result

        self.running = run_task(work, parent=self, name="history", on_done=self._done,
                                on_error=self._failed)  # fmt: skip
        if self.progress is not None:
            self.progress.track(self.running, f"History {format_dtg(t0)}–{format_dtg(t1)}")

    def _done(self, result: HistoryFetch) -> None:
        self.running = None
        if result.spans:
            a, b = result.spans[0][0], result.spans[-1][1]
            if result.fixes:
                n = result.fixes
                text = f"History {format_dtg(a)}–{format_dtg(b)}: {n:,} fix{'es' * (n != 1)}"
            else:  # not a fault: the server keeps history only so far back
                text = (f"History {format_dtg(a)}–{format_dtg(b)}: the server holds no "
                        "track fixes in this stretch")
            if result.cancelled:
                text += " (cancelled; what came is kept)"
            elif not result.complete:
                text += " (stopped at the fetch limit: zoom the timeline in for the rest)"
            if result.unknown:
                text += f", {result.unknown:,} of tracks not held"
            self.message.emit(text)
            log.info("%s in %d pages", text, result.pages)
        self.fetched.emit(result)
        self._next()

    def _failed(self, error: str) -> None:
        self.running = None
        self.message.emit(f"History not fetched: {error}")
        self._next()

    def _next(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            self.request(*pending)
