"""Qt tests run offscreen; pytest-qt provides the QApplication (qtbot)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
