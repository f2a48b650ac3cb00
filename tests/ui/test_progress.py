"""The progress strip in the status bar: what a person sees while long work runs
(label, bar, Cancel) and what Cancel does, for a task and for the initial sync
against the real server (behind a proxy that holds the sync half way)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from PySide6.QtCore import Qt

from cop_app.core.timeutil import format_dtg, parse_iso
from cop_app.store.cache import PictureCache
from cop_app.ui.app import Session
from cop_app.ui.main_window import MainWindow
from cop_app.ui.progress import STEPS, ProgressStrip
from cop_app.ui.settings import AppSettings
from cop_app.ui.status import OFFLINE_PREFIX
from cop_app.ui.workers import TaskRunner, TaskState
from tests.conftest import corpus
from tests.server.conftest import live_server, live_server_factory  # noqa: F401 (fixtures)
from tests.ui.proxy import GatedProxy

WAIT_MS = 30_000


@pytest.fixture
def strip(qtbot) -> ProgressStrip:
    widget = ProgressStrip()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def gated_work(release: threading.Event, fraction: float = 0.4):
    """Work that reports ``fraction`` then waits (honouring cancel) until released."""

    def work(state: TaskState) -> str:
        state.progress(fraction, "page 2 of 5")
        while not release.wait(0.02):
            state.check()
        return "ok"

    return work


def test_a_running_task_shows_its_label_bar_and_cancel_and_cancel_stops_it(qtbot, strip):
    release = threading.Event()
    runner = TaskRunner(gated_work(release), "history").start()
    strip.track(runner, "Fetching history…")
    qtbot.waitUntil(lambda: len(strip.visible_rows()) == 1, timeout=WAIT_MS)
    row = strip.visible_rows()[0]
    qtbot.waitUntil(lambda: row.bar.maximum() == STEPS, timeout=WAIT_MS)
    assert row.label.text() == "Fetching history… page 2 of 5"
    assert row.bar.value() == round(0.4 * STEPS)
    assert strip.isVisible() and row.cancel.isVisible() and row.cancel.text() == "Cancel"
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT_MS):
        qtbot.mouseClick(row.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not strip.visible_rows(), timeout=WAIT_MS)
    assert not strip.isVisible()  # nothing running: the strip takes no room
    release.set()


@pytest.mark.parametrize("ending", ["finish", "fail"])
def test_a_row_goes_when_its_task_ends(qtbot, strip, ending):
    release = threading.Event()

    def work(state: TaskState) -> str:
        gated_work(release)(state)
        if ending == "fail":
            raise OSError("disk gone")
        return "ok"

    runner = TaskRunner(work, "prefetch").start()
    strip.track(runner, "Prefetching tiles…")
    qtbot.waitUntil(lambda: len(strip.visible_rows()) == 1, timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: not strip.visible_rows() and not strip.isVisible(), timeout=WAIT_MS)
    assert not strip.rows


def test_short_work_never_shows_a_row(qtbot, strip):
    runner = TaskRunner(lambda _s: "quick", "me").start()
    runner.done.wait(5)
    strip.track(runner, "Asking who I am…")  # already over: nothing to show
    quick = TaskRunner(lambda _s: time.sleep(0.01), "me").start()
    strip.track(quick, "Asking who I am…")
    shown = []
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:
        qtbot.wait(20)
        shown.append(bool(strip.visible_rows()))
    assert not any(shown) and not strip.rows


# ---- the initial sync ------------------------------------------------------------------
def test_cancelling_the_initial_sync_keeps_the_picture_and_reconnect_goes_live(
        qtbot, live_server, tmp_path):  # noqa: F811
    r = requests.post(live_server.url + "/v1/ingest/nmea",
                      data=corpus("gpsd", "sample.aivdm").read_bytes(),
                      headers=live_server.headers("feeder"), timeout=30)  # fmt: skip
    assert r.ok, r.text
    on_server = requests.get(live_server.url + "/v1/tracks", params={"limit": 5000},
                             headers=live_server.headers("viewer"), timeout=30).json()["items"]
    assert on_server
    proxy = GatedProxy(live_server.url, hold="/v1/reports")  # tracks pass, reports wait
    token = live_server.tokens["viewer"]
    session = Session(cache=PictureCache(tmp_path / "cache.sqlite"))
    win = MainWindow(session, AppSettings(tmp_path / "s.ini"), title="cop-app test")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        session.connect_to(proxy.url, token)
        row = win.progress.sync_row
        assert row is not None
        host = proxy.url.removeprefix("http://")
        want = f"Syncing from {host}… {len(on_server):,} items"
        qtbot.waitUntil(lambda: row.isVisible() and row.label.text() == want, timeout=WAIT_MS)
        assert proxy.held.is_set()
        assert row.bar.maximum() == 0  # busy: the server's lists do not say their size
        qtbot.waitUntil(lambda: win.status.connection.text().startswith("SYNCING"),
                        timeout=5000)  # the status bar ticks once a second  # fmt: skip

        qtbot.mouseClick(row.cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=WAIT_MS)
        assert win.banner.text().startswith("OFFLINE — data as of ")
        newest = max(parse_iso(t["time"]) for t in on_server)  # as of the tracks it loaded
        as_of = f"{OFFLINE_PREFIX}{format_dtg(newest)} ("  # then its age
        qtbot.waitUntil(lambda: win.banner.text().startswith(as_of), timeout=WAIT_MS)
        assert not row.isVisible() and not win.progress.isVisible()
        assert win.status.connection.text().startswith("OFFLINE — data as of ")
        assert {t["id"] for t in on_server} <= set(win.picture.keys())  # kept as loaded
        assert not win.picture.reports()  # the reports never came

        proxy.gate.set()
        assert win.act_reconnect.shortcut().toString() == "F5"
        file_menu = win.menuBar().actions()[0].menu()
        assert "Reconnect" in [a.text() for a in file_menu.actions()]
        win.act_reconnect.trigger()
        qtbot.waitUntil(lambda: win.status.connection.text().startswith("LIVE"),
                        timeout=WAIT_MS)  # fmt: skip
        qtbot.waitUntil(lambda: not win.banner.isVisible(), timeout=WAIT_MS)
        assert proxy.tokens() == {f"Bearer {token}"}  # the same token, every request
        assert sum(path.startswith("/v1/tracks") for path, _ in proxy.seen) >= 2
    finally:
        session.stop()
        win.close()
        proxy.close()
