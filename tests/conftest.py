"""Shared test fixtures: where the third-party corpora are, and a clean UTC world."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The corpora live beside the checkout (../shared/corpora) on developer machines and CI;
# COP_CORPORA overrides for other layouts. They are never copied into the repo.
CORPORA = Path(os.environ.get("COP_CORPORA", REPO.parent / "shared" / "corpora"))


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"test corpus missing: {path} (expected ../shared/corpora beside the checkout)"
        )
    return path


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in a non-UTC local zone, so code that leaks local time fails."""
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    import time

    time.tzset()


def _guard_qt_garbage() -> None:
    """Once a QApplication exists, cyclic garbage is collected on the GUI thread only, as
    in the app (cop_app/ui/gc_guard.py): the suite runs servers, syncs and tile loaders in
    threads beside Qt objects, and a dead window collected on one of those threads
    crashes the next timer pass. Between tests the generations are collected here (the
    main thread), so memory does not wait for a test that turns the event loop."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return
    from cop_app.ui.gc_guard import collect_on_gui_thread

    collect_on_gui_thread().check()


@pytest.fixture(autouse=True)
def _qt_garbage_on_gui_thread():
    _guard_qt_garbage()
    yield
    _guard_qt_garbage()
