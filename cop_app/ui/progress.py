"""Long work in the status bar: one row per running task (label, bar, Cancel).

Work that takes a while (the initial sync, history fetches, prefetches) runs on
threads (``workers.TaskRunner``, the Syncer); the officer still needs to see it
happen and to stop it. A strip of small rows in the status bar does that without a
modal dialog in the way of the map. A row appears only once its work has run for
``SHOW_AFTER_MS`` (short work never flashes) and goes when the work finishes, fails
or is cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from cop_app.api.sync import ConnectionState
from cop_app.ui.workers import TaskRunner

if TYPE_CHECKING:
    from cop_app.ui.app import Session

SHOW_AFTER_MS = 300
STEPS = 1000  # bar resolution for a fraction 0..1
SYNC_STATES = (ConnectionState.CONNECTING.value, ConnectionState.SYNCING.value)


class ProgressRow(QWidget):
    """What one piece of long work shows: what it is, how far, and a way to stop it."""

    def __init__(self, label: str, on_cancel: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label
        self.label = QLabel(label, self)
        # Cut, never widen: a long "Syncing from host… 12,345 items" must not push the
        # window past the screen (the status bar's minimum is the window's minimum).
        self.label.setMinimumWidth(60)
        self.label.setMaximumWidth(280)
        self.label.setObjectName("progress-label")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("progress-bar")
        self.bar.setFixedWidth(100)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 0)  # busy until the work says how far it is
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("progress-cancel")
        self.cancel.setText("Cancel")
        self.cancel.setToolTip(f"Stop: {label}")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(self._cancel)
        self._on_cancel = on_cancel
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(self.label)
        box.addWidget(self.bar)
        box.addWidget(self.cancel)
        self.hide()

    def set_fraction(self, fraction: float | None, text: str | None = None) -> None:
        """``fraction`` None: busy (unknown total)."""
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, STEPS)
            self.bar.setValue(round(max(0.0, min(1.0, fraction)) * STEPS))
        if text is not None:
            self.label.setText(text)

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.label.setText(f"{self.title} cancelling…")
        if callable(self._on_cancel):
            self._on_cancel()


class ProgressStrip(QWidget):
    """The status-bar strip: ``track(runner, label)`` for a task, ``track_sync(session)``
    for the server sync (its Cancel stops syncing; the picture stays as loaded)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progress")
        self._box = QHBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(8)
        self.rows: dict[TaskRunner, ProgressRow] = {}
        self.sync_row: ProgressRow | None = None
        self._session: Session | None = None
        # Signals end rows at once; the sweep also ends a row whose runner finished
        # before its signals could be connected.
        self._sweep = QTimer(self)
        self._sweep.setInterval(500)
        self._sweep.timeout.connect(self._sweep_done)
        self._sweep.start()
        self._refit()

    # ---- tasks -------------------------------------------------------------------------
    def track(self, runner: TaskRunner, label: str) -> None:
        """Show ``runner`` as ``label`` with a bar and Cancel until it ends."""
        if runner.done.is_set() or runner in self.rows:
            return
        row = ProgressRow(label, runner.cancel, self)
        self.rows[runner] = row
        self._box.addWidget(row)
        queued = Qt.ConnectionType.QueuedConnection

        def progressed(fraction: float, message: str) -> None:
            row.set_fraction(fraction, f"{label} {message}" if message and message != "done"
                             else None)  # fmt: skip

        runner.progressed.connect(progressed, queued)
        for signal in (runner.finished, runner.failed, runner.cancelled):
            signal.connect(lambda *_a, r=runner: self._end(r), queued)
        if runner.last_progress is not None:  # reported before we were connected
            progressed(*runner.last_progress)
        QTimer.singleShot(SHOW_AFTER_MS, lambda: self._show(runner))

    def _show(self, runner: TaskRunner) -> None:
        row = self.rows.get(runner)
        if row is not None and not runner.done.is_set():
            row.show()
            self._refit()

    def _end(self, runner: TaskRunner) -> None:
        row = self.rows.pop(runner, None)
        if row is not None:
            row.hide()
            row.deleteLater()
            self._refit()

    def _sweep_done(self) -> None:
        for runner in [r for r in self.rows if r.done.is_set()]:
            self._end(runner)

    # ---- the server sync ---------------------------------------------------------------
    def track_sync(self, session: Session) -> None:
        """Show connecting and syncing (items so far, % when the total is known)."""
        self._session = session
        if self.sync_row is None:
            self.sync_row = ProgressRow("Syncing", self._cancel_sync, self)
            self.sync_row.setObjectName("progress-sync")
            self._box.insertWidget(0, self.sync_row)
        session.stateChanged.connect(self._sync_state)
        session.progressed.connect(self._sync_progress)
        self._sync_state(session.state)

    def _cancel_sync(self) -> None:
        if self._session is not None:
            self._session.cancel_sync()

    def _sync_state(self, state: str) -> None:
        row, session = self.sync_row, self._session
        if row is None or session is None:
            return
        if state not in SYNC_STATES:
            row.hide()
            self._refit()
            return
        host = urlsplit(session.server_url or "").netloc or "server"
        if state == ConnectionState.CONNECTING.value:
            row.title = f"Connecting to {host}…"
            row.set_fraction(None, row.title)
        else:
            row.title = f"Syncing from {host}…"
            self._sync_progress(*(session.progress or (0, None)))
        row.cancel.setEnabled(True)
        if row.isHidden():
            QTimer.singleShot(SHOW_AFTER_MS, self._show_sync)

    def _show_sync(self) -> None:
        if self.sync_row is not None and self._session is not None and (
                self._session.state in SYNC_STATES):  # fmt: skip
            self.sync_row.show()
            self._refit()

    def _sync_progress(self, done: int, total: int | None) -> None:
        row = self.sync_row
        if row is None or self._session is None or self._session.state not in SYNC_STATES:
            return
        if total:
            row.set_fraction(done / total, f"{row.title} {min(100, 100 * done // total)}%")
        else:  # the lists do not say their size: count what has come
            row.set_fraction(None, f"{row.title} {done:,} items" if done else row.title)

    # ---- layout ------------------------------------------------------------------------
    def visible_rows(self) -> list[ProgressRow]:
        rows = [self.sync_row, *self.rows.values()]
        return [r for r in rows if r is not None and not r.isHidden()]

    def _refit(self) -> None:
        """The strip takes no room in the status bar when nothing runs."""
        self.setVisible(bool(self.visible_rows()))
