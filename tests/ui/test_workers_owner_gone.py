"""A task whose owner is deleted while it runs (the window closed) ends quietly: its
outcome goes nowhere, and no "Signal source has been deleted" ends the worker thread
in a traceback."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QObject

from cop_app.ui.workers import TaskRunner, TaskState


def test_a_task_outlives_its_deleted_owner_quietly(qtbot, monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    release = threading.Event()

    def work(state: TaskState) -> str:
        release.wait(10)
        state.progress(0.5, "half")  # emitted after the owner is gone
        return "done"

    owner = QObject()
    runner = TaskRunner(work, "owner-gone", owner).start()
    shiboken6.delete(owner)  # the window closed: its children go with it
    assert not shiboken6.isValid(runner)
    release.set()
    qtbot.waitUntil(runner.done.is_set, timeout=10_000)
    runner._thread.join(5)
    assert errors == []
