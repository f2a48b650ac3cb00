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


@pytest.fixture(autouse=True)
def _app_look_restored(qapp):
    """Each test starts with the application's palette, style sheet and font as the
    first one found them: a window opened in the night theme sets them on the whole
    application, and a later test's map then drew on a dark background."""
    from PySide6.QtGui import QFont, QPalette

    palette, sheet, font = QPalette(qapp.palette()), qapp.styleSheet(), QFont(qapp.font())
    yield
    if qapp.styleSheet() != sheet:
        qapp.setStyleSheet(sheet)
    if qapp.palette() != palette:
        qapp.setPalette(palette)
    if qapp.font() != font:
        qapp.setFont(font)
