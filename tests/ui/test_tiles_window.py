"""Raster tiles in the window: a tile source set at run time, prefetch with progress and
cancel, and offline MBTiles packs (Map menu). Tiles come from a local server on
127.0.0.1 only; what is checked is what a person sees (map pixels, the progress bar,
the status bar)."""

from __future__ import annotations

import itertools
import math
import sqlite3
import time

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QProgressBar, QPushButton

from cop_app.store.cache import PictureCache
from cop_app.store.tiles import MBTiles
from cop_app.ui.app import Session
from cop_app.ui.main_window import MainWindow
from cop_app.ui.settings import AppSettings
from cop_app.ui.tile_actions import PrefetchDialog
from cop_app.ui.workers import TaskRunner
from tests.tile_server import TileServer
from tests.ui.test_map_context_tiles import png

KYIV = (50.45, 30.52)
AREA = (30.40, 50.38, 30.64, 50.52)  # west, south, east, north around Kyiv
SERVER_COLOUR = "#FF00FF"
PACK_COLOUR = "#00FFFF"


def osm_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """deg2num, https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames."""
    n = 2.0**z
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return int((lon + 180.0) / 360.0 * n), int(y)


def osm_keys(bbox, zmin, zmax) -> set[tuple[int, int, int]]:
    west, south, east, north = bbox
    keys = set()
    for z in range(zmin, zmax + 1):
        (x0, y0), (x1, y1) = osm_tile(west, north, z), osm_tile(east, south, z)
        keys |= {(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
    return keys


def cached_keys(path) -> set[tuple[int, int, int]]:
    db = sqlite3.connect(path)
    rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    db.close()
    return {(z, x, (1 << z) - 1 - row) for z, x, row in rows}  # TMS rows, per MBTiles 1.3


@pytest.fixture
def make_window(qtbot, tmp_path):
    made = []

    def make(url: str | None = None, stored: str | None = None) -> MainWindow:
        settings = AppSettings(tmp_path / "s.ini")
        if stored is not None:
            settings.qs.setValue("tiles/url", stored)
        elif url:
            settings.tile_url = url
        win = MainWindow(Session(cache=PictureCache(tmp_path / "c.sqlite")), settings,
                         tile_cache=tmp_path / "tiles.mbtiles")  # fmt: skip
        qtbot.addWidget(win)
        win.resize(1200, 800)
        win.show()
        qtbot.waitExposed(win)
        win.map.set_bbox(*AREA)
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()


def colour_at(win: MainWindow, lat: float, lon: float) -> str:
    p = win.map.latlon_to_widget(lat, lon)
    return win.map.grab().toImage().pixelColor(round(p.x()), round(p.y())).name().upper()


def wait_colour(qtbot, win, colour: str) -> None:
    qtbot.waitUntil(lambda: colour_at(win, *KYIV) == colour, timeout=10_000)


def test_no_source_no_tiles_then_a_source_applies_without_restart(make_window, qtbot, tmp_path):
    server = TileServer(png(SERVER_COLOUR))
    try:
        win = make_window(stored="javascript:alert({z}{x}{y})")  # a bad stored value
        assert win.tiles.url is None and "tiles" not in win.map_layers
        assert colour_at(win, *KYIV) != SERVER_COLOUR
        assert not (tmp_path / "tiles.mbtiles").exists()  # nothing touched the cache file
        problem = win.tiles.set_url("http://127.0.0.1/{z}/{x}.png")
        assert "{y}" in problem and win.tiles.url is None
        assert win.tiles.set_url(server.url) is None
        wait_colour(qtbot, win, SERVER_COLOUR)
        assert AppSettings(tmp_path / "s.ini").tile_url == server.url  # kept for next time
        # The layer switch hides the tiles; the base map is back under them.
        win.hub.set_layer("tiles", False)
        assert colour_at(win, *KYIV) != SERVER_COLOUR
        win.layers_panel.boxes["tiles"].setChecked(True)
        wait_colour(qtbot, win, SERVER_COLOUR)
    finally:
        server.stop()


def test_a_stored_source_shows_the_servers_tiles_at_start(make_window, qtbot):
    server = TileServer(png(SERVER_COLOUR))
    try:
        win = make_window(url=server.url)
        wait_colour(qtbot, win, SERVER_COLOUR)
        assert server.requests and all(p.endswith(".png") for p in server.requests)
    finally:
        server.stop()


def test_prefetch_fills_the_cache_with_this_views_tiles_and_the_bar_reaches_100(
        make_window, qtbot, tmp_path):  # fmt: skip
    server = TileServer(png(SERVER_COLOUR))
    try:
        win = make_window(url=server.url)
        plan = win.tiles.plan(2)
        assert plan.zmin == win.tiles.layer.current_zoom() and plan.zmax == plan.zmin + 2
        want = osm_keys(win.map.visible_bbox(), plan.zmin, plan.zmax)
        assert plan.count == len(want) and 20 < len(want) < 400
        runner = win.tiles.prefetch(2)
        bar = win.tiles.progress.findChild(QProgressBar)
        values: list[int] = []
        bar.valueChanged.connect(values.append)
        wait_task(qtbot, runner, 15_000)
        qtbot.waitUntil(lambda: "Prefetch done" in win.statusBar().currentMessage())
        assert max(values) == bar.maximum()
        result = win.tiles.result
        assert result.fetched + result.skipped == len(want) and result.failed == 0
        got = cached_keys(tmp_path / "tiles.mbtiles")
        assert want <= got
        # Anything else the layer fetched itself for the views it has drawn (the start-up
        # view, then this one), never deeper than the zoom it draws at.
        assert all(k[0] <= plan.zmin for k in got - want)
        assert f"{result.fetched} fetched" in win.statusBar().currentMessage()
    finally:
        server.stop()


def test_cancel_stops_a_slow_prefetch_early_and_the_window_keeps_running(make_window, qtbot):
    server = TileServer(png(SERVER_COLOUR), slow={"/"}, delay=0.1)
    try:
        win = make_window(url=server.url)
        ticks = []
        timer = QTimer(win)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start(20)
        t0 = time.perf_counter()
        runner = win.tiles.prefetch(2)
        total = win.tiles.plan(2).count
        bar = win.tiles.progress.findChild(QProgressBar)
        qtbot.waitUntil(lambda: bar.value() > 0, timeout=10_000)
        win.tiles.progress.findChild(QPushButton).click()  # the dialog's Cancel
        wait_task(qtbot, runner, 10_000)
        elapsed = time.perf_counter() - t0
        result = win.tiles.result
        assert result.cancelled and 0 < result.done < total
        assert "Prefetch cancelled" in win.statusBar().currentMessage()
        # The UI thread kept turning: the 20 ms timer fired during the run and never
        # stopped for a second (how often it fired depends on the machine's load).
        assert len(ticks) >= 3, (len(ticks), elapsed)
        assert max(b - a for a, b in itertools.pairwise(ticks)) < 1.0
        timer.stop()
    finally:
        server.stop()


def test_prefetch_refuses_absurd_counts_and_needs_a_source(make_window, qtbot):
    win = make_window()
    assert win.tiles.prefetch(1) is None
    assert "tile source" in win.statusBar().currentMessage()
    win.tiles.set_url("http://127.0.0.1:9/{z}/{x}/{y}.png")
    win.map.set_bbox(-170, -80, 170, 80)
    assert win.tiles.prefetch(6) is None
    message = win.statusBar().currentMessage()
    assert "too many" in message and "limit" in message
    dialog = PrefetchDialog(win.tiles, win)
    dialog.levels.setValue(6)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert "too many" in dialog.info.text() and not ok.isEnabled()
    win.map.set_bbox(*AREA)
    dialog.levels.setValue(0)
    assert f"{win.tiles.plan(0).count} tiles" in dialog.info.text() and ok.isEnabled()
    dialog.close()


def wait_task(qtbot, runner: TaskRunner, timeout: int) -> None:
    """Until the task has ended and its queued outcome has reached the UI thread.

    Not ``waitSignal(runner.finished)``: the worker may emit before the wait connects
    (a damaged pack fails at once), and the wait then times out on a finished task.
    """
    qtbot.waitUntil(runner.done.is_set, timeout=timeout)
    QCoreApplication.processEvents()  # the outcome was posted before ``done`` was set


def make_pack(path, colour: str) -> int:
    """Tiles over Kyiv from zoom 0 to 13 (the OSM formula), in one colour."""
    data = png(colour)
    pack = MBTiles(path)
    keys = osm_keys((KYIV[1] - 0.2, KYIV[0] - 0.1, KYIV[1] + 0.2, KYIV[0] + 0.1), 0, 13)
    for key in keys:
        pack.put(*key, data)
    pack.close()
    return len(keys)


def test_an_imported_pack_draws_offline_and_a_damaged_one_changes_nothing(
        make_window, qtbot, tmp_path):  # fmt: skip
    n = make_pack(tmp_path / "kyiv.mbtiles", PACK_COLOUR)
    win = make_window()  # no tile source: the pack is all there is
    before = colour_at(win, *KYIV)
    assert before != PACK_COLOUR and "tiles" not in win.map_layers
    runner = win.tiles.import_pack(tmp_path / "kyiv.mbtiles")
    wait_task(qtbot, runner, 10_000)
    assert win.statusBar().currentMessage() == f"Imported {n:,} tiles from kyiv.mbtiles"
    wait_colour(qtbot, win, PACK_COLOUR)
    assert win.tiles.layer.fetched == 0  # cache only: no network at all

    damaged = tmp_path / "damaged.mbtiles"
    damaged.write_bytes((tmp_path / "kyiv.mbtiles").read_bytes()[:4096])
    runner = win.tiles.import_pack(damaged)
    wait_task(qtbot, runner, 10_000)
    message = win.statusBar().currentMessage()
    assert message.startswith("Tile pack not imported: damaged.mbtiles is not a readable MBTiles")
    assert "\n" not in message
    assert len(cached_keys(tmp_path / "tiles.mbtiles")) == n
    assert colour_at(win, *KYIV) == PACK_COLOUR


def test_a_cache_with_tiles_shows_at_start_without_a_source(make_window, qtbot, tmp_path):
    make_pack(tmp_path / "tiles.mbtiles", PACK_COLOUR)  # the cache itself, from last time
    win = make_window()
    assert win.tiles.url is None and "tiles" in win.map_layers
    wait_colour(qtbot, win, PACK_COLOUR)


def test_a_cancelled_pack_import_changes_nothing(make_window, qtbot, tmp_path):
    MBTiles(tmp_path / "big.mbtiles").close()
    db = sqlite3.connect(tmp_path / "big.mbtiles")  # 100k rows: the import takes a while
    db.executemany("INSERT INTO tiles VALUES (12, ?, ?, ?)",
                   ((x, y, b"t") for x in range(400) for y in range(250)))  # fmt: skip
    db.commit()
    db.close()
    win = make_window()
    runner = win.tiles.import_pack(tmp_path / "big.mbtiles")
    win.tiles.progress.findChild(QPushButton).click()  # Cancel at once
    wait_task(qtbot, runner, 10_000)
    qtbot.waitUntil(lambda: "cancelled" in win.statusBar().currentMessage())
    assert "nothing changed" in win.statusBar().currentMessage()
    assert "tiles" not in win.map_layers
    assert not cached_keys(tmp_path / "tiles.mbtiles")


def test_a_damaged_cache_file_does_not_stop_the_window(qtbot, tmp_path):
    server = TileServer(png(SERVER_COLOUR))
    (tmp_path / "junk.mbtiles").write_bytes(b"not sqlite" * 500)
    settings = AppSettings(tmp_path / "s.ini")
    settings.tile_url = server.url
    settings.tile_cache = tmp_path / "junk.mbtiles"  # the settings value, no keyword
    try:
        win = MainWindow(Session(cache=PictureCache(tmp_path / "c.sqlite")), settings)
        qtbot.addWidget(win)
        win.resize(1200, 800)
        win.show()
        qtbot.waitExposed(win)
        win.map.set_bbox(*AREA)
        assert win.tiles.cache_path == tmp_path / "junk.mbtiles"
        assert "Tile cache unusable" in win.statusBar().currentMessage()
        wait_colour(qtbot, win, SERVER_COLOUR)  # still drawn, straight from the server
        win.close()
    finally:
        server.stop()
