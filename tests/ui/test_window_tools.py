"""The window's tools, read where an officer looks: the ruler's result in the status bar,
and Go to's refusal of a malformed MGRS reference."""

from __future__ import annotations

import threading

from pyproj import Geod
from PySide6.QtCore import Qt

from tests.ui.test_window_import import window


def test_the_range_and_bearing_result_reads_in_the_status_bar(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    win.act_ruler.trigger()
    win.map_layers["ruler"].measure(46.48, 30.73, 46.0, 31.5)  # Odesa to the south-east
    az, _, metres = Geod(ellps="WGS84").inv(30.73, 46.48, 31.5, 46.0)
    text = win.status.currentMessage()
    assert text.startswith("Range and bearing: ")
    assert f"{metres / 1000:.1f}" in text and f"{round(az % 360):03d}°T" in text
    win.map_layers["ruler"].clear()
    assert win.status.currentMessage() == ""
    win.close()


def test_go_to_refuses_a_malformed_mgrs_and_leaves_the_view(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    before = win.map.visible_bbox()
    assert not win.go_to("36T UR 5800 200000")  # unequal digit groups: no square
    assert win.status.currentMessage().startswith("Not a coordinate:")
    assert win.map.visible_bbox() == before
    assert win.go_to("36T UR 58 20") and win.map.visible_bbox() != before
    assert win.status.currentMessage().startswith("Centred on 36T UR 58 20 (1 km square)")
    win.close()


def test_a_status_message_gets_room_beside_the_permanent_labels(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    win.resize(1366, 768)
    win.status.set_cursor(48.5867, 37.84)  # the widest the cursor label gets
    win.status.showMessage("Imported 1234 updates from 3 files, 0 errors", 5000)
    qtbot.wait(100)
    label = win.status.message
    assert label.isVisible() and label.width() >= 200  # at 1366 px, the tightest case
    img = label.grab().toImage()
    bg = img.pixelColor(img.width() - 2, img.height() // 2)
    inked = sum(img.pixelColor(x, y) != bg for x in range(0, min(200, img.width()), 2)
                for y in range(img.height()))  # fmt: skip
    assert inked > 50  # the words are drawn, not squeezed to nothing
    assert win.width() == 1366
    qtbot.waitUntil(lambda: win.status.currentMessage() == "", timeout=8000)
    win.close()


def test_long_status_and_progress_texts_never_widen_the_window(qtbot, tmp_path):
    from cop_app.ui.workers import TaskRunner

    win = window(qtbot, tmp_path)
    win.resize(1366, 768)
    qtbot.wait(50)
    gate = threading.Event()
    runner = TaskRunner(lambda state: (state.progress(0.3, "x" * 200), gate.wait(10)), "t", win)
    win.progress.track(runner, "Syncing from a-very-long-host-name.example.org:8443… "
                               "123,456 items")  # fmt: skip
    runner.start()
    win.status.set_connection("OFFLINE — data as of 270238ZNOV26 (23 h ago)   ·   "
                              "reconnecting…", warn=True)  # fmt: skip
    win.status.set_cursor(48.5867, 37.84)
    qtbot.waitUntil(lambda: any(r.isVisible() for r in win.progress.rows.values()),
                    timeout=3000)  # fmt: skip
    qtbot.wait(200)
    assert win.width() == 1366
    gate.set()
    win.close()


def test_the_alert_badge_never_says_zero_when_it_cannot_know(qtbot, tmp_path):
    from tests.server.conftest import free_port

    win = window(qtbot, tmp_path)
    assert win.alert_badge.text() == "ALERTS — no server"  # files only: no alerts exist
    win.session.connect_to(f"http://127.0.0.1:{free_port()}", "token")  # nothing listens
    qtbot.waitUntil(lambda: win.alert_badge.text() == "ALERTS unknown (offline)",
                    timeout=10_000)  # fmt: skip
    win.session.stop()
    win.close()


def test_the_status_bar_says_replay_and_filter_before_the_feed_state(qtbot, tmp_path):
    from cop_app.core.timeutil import format_dtg, now

    win = window(qtbot, tmp_path)
    t = now() - 3 * 3600
    win.hub.set_live(False)
    win.hub.set_cursor(t)
    win._every_second()
    assert win.status.connection.text() == f"REPLAY {format_dtg(t)} · feed LOCAL FILES"
    win.hub.set_live(True)
    win.hub.set_window((t, t + 600))
    win._every_second()
    assert win.status.connection.text() == "TIME FILTER · feed LOCAL FILES"
    win.hub.set_live(False)  # both: each named once, the feed once, last
    win.hub.set_cursor(t)
    win._every_second()
    assert (win.status.connection.text()
            == f"REPLAY {format_dtg(t)} · TIME FILTER · feed LOCAL FILES")
    win.close()


def test_reports_read_when_status_what_first(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    header = win.reports.table.horizontalHeader()
    model = win.reports.table.model()
    shown = [model.headerData(header.logicalIndex(v), Qt.Orientation.Horizontal)
             for v in range(header.count())]  # fmt: skip
    assert shown[:4] == ["DTG", "Status", "Event type", "Title"]
    assert shown[-2:] == ["Report", "Time (UTC)"]
    win.close()


def test_go_to_asks_again_with_the_reason_in_the_dialog(qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    win = window(qtbot, tmp_path)
    prompts: list[str] = []
    answers = iter(["36T UR 5800 200000", "36T UR 58 20"])

    def answer() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QInputDialog) and w.isVisible()]  # fmt: skip
        if not dialogs:
            QTimer.singleShot(50, answer)
            return
        dialogs[0].setTextValue(next(answers))
        prompts.append(dialogs[0].labelText())
        dialogs[0].accept()
        if len(prompts) < 2:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
    win.choose_goto()
    assert len(prompts) == 2 and prompts[1].startswith("Not a coordinate:")
    assert win.status.currentMessage().startswith("Centred on 36T UR 58 20")
    win.close()
