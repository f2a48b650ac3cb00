"""Long work off the UI thread, Orange's habit: a worker with a task state.

The work function runs on a plain thread with a ``TaskState`` it may update
(progress, message, partial result) and must check (``cancelled``). Qt sees only the
runner's signals, delivered on the UI thread, so the window never waits on disk or
network, and a cancel is a flag the work honours at its next check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import requests
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from cop_app.api.http import ApiError

log = logging.getLogger("cop_app.ui")


class Cancelled(Exception):
    """Raised by ``TaskState.check()`` once the task was cancelled."""


class TaskState:
    def __init__(self, runner: TaskRunner) -> None:
        self._runner = runner
        self._cancel = threading.Event()
        self.partial: Any = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        self._runner.last_progress = (fraction, message)  # for a view connected late
        self._runner.emit_safely("progressed", fraction, message)


class TaskRunner(QObject):
    """Runs one function on a daemon thread; signals arrive queued on the UI thread."""

    progressed = Signal(float, str)  # fraction 0..1, message
    finished = Signal(object)  # the result
    failed = Signal(str)  # the error, as text
    cancelled = Signal()

    def __init__(self, fn: Callable[[TaskState], Any], name: str = "task",
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.fn = fn
        self.name = name
        self.state = TaskState(self)
        self.done = threading.Event()
        self.last_progress: tuple[float, str] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TaskRunner:
        self._thread = threading.Thread(target=self._run, name=f"cop-app-{self.name}",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.state.cancel()

    def emit_safely(self, signal: str, *args: Any) -> None:
        """Emit from the worker unless the runner's owner was deleted meanwhile (the
        window closed while the task ran): nobody waits for that outcome, and the
        binding's "Signal source has been deleted" would end the thread in a traceback."""
        if not shiboken6.isValid(self):
            return
        try:
            getattr(self, signal).emit(*args)
        except RuntimeError:  # deleted between the check and the emit
            log.debug("%s: %s after its owner closed", self.name, signal)

    def _run(self) -> None:
        try:
            result = self.fn(self.state)
        except Cancelled:
            self.emit_safely("cancelled")
        except (ApiError, requests.RequestException) as exc:  # the server said no, or is away:
            log.warning("%s failed: %s", self.name, exc)  # expected; one line, no traceback
            self.emit_safely("failed", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # reported to the user; the app keeps running
            log.exception("%s failed", self.name)
            self.emit_safely("failed", f"{type(exc).__name__}: {exc}")
        else:
            self.emit_safely("finished", result)
        finally:
            self.done.set()


def run_task(fn: Callable[[TaskState], Any], *, parent: QObject, name: str = "task",
             on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[str], None] | None = None) -> TaskRunner:  # fmt: skip
    """Start ``fn`` and wire its result and error to UI-thread callbacks.

    Queued explicitly: a plain-callable slot has no receiver thread of its own, so
    Qt would otherwise call it directly on the worker thread.
    """
    runner = TaskRunner(fn, name, parent)
    queued = Qt.ConnectionType.QueuedConnection
    if on_done is not None:
        runner.finished.connect(on_done, queued)
    if on_error is not None:
        runner.failed.connect(on_error, queued)
    return runner.start()

