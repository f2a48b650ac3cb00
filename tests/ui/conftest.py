"""Qt tests run offscreen; pytest-qt provides the QApplication (qtbot)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _collect_on_gui_thread(qapp):
    """From the first Qt test on, cyclic garbage is collected on the GUI thread only
    (cop_app/ui/gc_guard.py; tests/conftest.py does the same for Qt tests elsewhere)."""
    from cop_app.ui.gc_guard import collect_on_gui_thread

    collect_on_gui_thread()
