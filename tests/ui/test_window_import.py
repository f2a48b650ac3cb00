"""File → Import in a worker (progress, cancel; the UI thread keeps running), and the
scripted demo launch CI uses (``cop-app --demo --screenshot PNG --quit-after S``)."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from cop_app.core.picture import Picture
from cop_app.ingest.files import feed_file
from cop_app.store.cache import PictureCache
from cop_app.ui.app import Session
from cop_app.ui.main_window import MainWindow
from cop_app.ui.settings import AppSettings
from tests.conftest import REPO, corpus


def window(qtbot, tmp_path) -> MainWindow:
    win = MainWindow(Session(cache=PictureCache(tmp_path / "c.sqlite")),
                     AppSettings(tmp_path / "s.ini"))  # fmt: skip
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_import_reads_captures_in_a_worker_into_the_tables(qtbot, tmp_path):
    files = [corpus("gpsd", "sample.aivdm"), corpus("vrs", "SampleMessages.txt")]
    reference = Picture(history_seconds=30 * 86400)
    for f in files:  # the same ingest, straight, for the expected keys
        feed_file(f, "auto", reference.upsert_many, scope_report_ids=True)
    win = window(qtbot, tmp_path)
    win.import_files(files, dialog=False)
    # Wait for what the officer sees, not for the runner's signal: pytest-qt's
    # waitSignal slot runs on the worker thread (its blocker is no QObject), so it could
    # return before the queued end-of-import handler had run on the UI thread (and a
    # fast import could finish before the wait was even connected).
    qtbot.waitUntil(lambda: "Imported" in win.status.currentMessage(), timeout=60_000)
    assert set(win.picture.keys()) == set(reference.keys()) and len(reference) > 0
    assert f"from {len(files)} files" in win.status.currentMessage()
    # the window shows the capture as it stood at its end (not "now", when it is stale)
    qtbot.waitUntil(lambda: win.tracks.model.rowCount() > 0, timeout=30_000)
    win.close()


def test_import_can_be_cancelled(qtbot, tmp_path):
    big = tmp_path / "big.nmea"
    line = corpus("gpsd", "sample.aivdm").read_bytes()
    big.write_bytes(line * 400)
    win = window(qtbot, tmp_path)
    runner = win.import_files([big] * 20, dialog=False)
    runner.cancel()
    # the same race as above: wait for the message the officer reads
    qtbot.waitUntil(lambda: "cancelled" in win.status.currentMessage(), timeout=60_000)
    assert win.status.currentMessage() == "Import cancelled"
    win.close()


def test_scripted_demo_saves_a_screenshot_and_quits(tmp_path):
    png = tmp_path / "demo.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                           "QT_QPA_PLATFORM")}  # fmt: skip
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, "-m", "cop_app.cli", "--demo", "--settings",
                           str(tmp_path / "s.ini"), "--screenshot", str(png), "--quit-after",
                           "6"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    img = QImage(str(png))
    assert not img.isNull() and img.width() >= 800
    assert "demo server http://127.0.0.1:" in proc.stderr


def test_an_import_outside_the_view_moves_the_view_to_it(qtbot, tmp_path):
    baltic = tmp_path / "baltic.sbs"
    lines = [f"MSG,3,1,1,{0x4B0000 + k:06X},1,2026/11/26,03:00:00.000,2026/11/26,"
             f"03:00:00.000,,30000,,,{55.0 + 0.1 * k:.5f},{17.0 + 0.1 * k:.5f},,,0,0,0,0"
             for k in range(5)]  # fmt: skip
    baltic.write_text("\n".join(lines) + "\n")
    win = window(qtbot, tmp_path)
    win.map.set_bbox(30.0, 44.0, 40.0, 50.0)  # Ukraine: nothing of the capture in view
    win.import_files([baltic], dialog=False)
    qtbot.waitUntil(lambda: "Imported" in win.status.currentMessage(), timeout=60_000)
    assert "view moved to the imported data" in win.status.currentMessage()
    w, s, e, n = win.map.visible_bbox()
    assert w <= 17.0 and e >= 17.4 and s <= 55.0 and n >= 55.4
    # a second import of data already in view leaves the view alone
    before = win.map.visible_bbox()
    win.import_files([baltic], dialog=False)
    qtbot.waitUntil(lambda: win.import_task.done.is_set(), timeout=60_000)
    qtbot.waitUntil(lambda: "view moved" not in win.status.currentMessage(), timeout=10_000)
    assert win.map.visible_bbox() == before
    win.close()
