"""XYZ tiles from a local HTTP server (127.0.0.1 only), cached to MBTiles, never blocking."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from cop_app.core.picture import Picture
from cop_app.core.style import BASEMAP_DAY
from cop_app.ui.hub import Hub
from cop_app.ui.map.context import add_context_layers
from cop_app.ui.map.view import MapView
from tests.tile_server import TileServer

TILE_COLOUR = "#FF00FF"
KYIV = (50.45, 30.52)


def png(colour: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


@pytest.fixture
def tile_view(qtbot):
    made = []

    def make(url: str, cache):
        hub = Hub(Picture())
        view = MapView(hub)
        qtbot.addWidget(view)
        view.resize(800, 600)
        view.show()
        qtbot.waitExposed(view)
        view.set_bbox(29.0, 48.0, 32.0, 52.0)
        items = add_context_layers(view, hub, tile_url=url, tile_cache=cache)
        made.append(items["tiles"])
        return view, items["tiles"]

    yield make
    for layer in made:
        layer.close()


def at(view, lat, lon) -> QColor:
    p = view.latlon_to_widget(lat, lon)
    return view.grab().toImage().pixelColor(round(p.x()), round(p.y()))


def test_tiles_arrive_async_then_come_from_the_cache_offline(tile_view, qtbot, tmp_path):
    server = TileServer(png(TILE_COLOUR))
    cache = tmp_path / "tiles.mbtiles"
    try:
        view, layer = tile_view(server.url, cache)
        assert layer.pending  # requested, not fetched on the UI thread before returning
        qtbot.waitUntil(lambda: not layer.pending and bool(layer.images), timeout=10000)
        assert at(view, *KYIV).name().upper() == TILE_COLOUR
        assert layer.fetched > 0 and len(server.requests) >= layer.fetched
        z = layer.current_zoom()
        assert all(p.startswith(f"/{z}/") for p in server.requests)
    finally:
        server.stop()
    # Second run: the server is gone; every tile comes from the MBTiles cache.
    view2, layer2 = tile_view(server.url, cache)
    qtbot.waitUntil(lambda: not layer2.pending, timeout=10000)
    assert layer2.fetched == 0 and not layer2.failed
    assert at(view2, *KYIV).name().upper() == TILE_COLOUR


def test_a_missing_or_slow_tile_never_blocks_the_frame(tile_view, qtbot, tmp_path):
    server = TileServer(png(TILE_COLOUR), slow={"/"}, delay=3.0)
    try:
        view, layer = tile_view(server.url, tmp_path / "t.mbtiles")
        t0 = time.perf_counter()
        colour = at(view, *KYIV)
        assert time.perf_counter() - t0 < 1.0
        # The base map shows while the tile is on its way.
        assert colour.name().upper() == QColor(BASEMAP_DAY["land"]).name().upper()
        assert layer.pending
    finally:
        server.stop()


def test_unreachable_server_marks_tiles_failed_and_base_map_stays(tile_view, qtbot, tmp_path):
    view, layer = tile_view("http://127.0.0.1:9/{z}/{x}/{y}.png", tmp_path / "t.mbtiles")
    qtbot.waitUntil(lambda: not layer.pending, timeout=10000)
    assert layer.failed and not layer.images
    assert at(view, *KYIV).name().upper() == QColor(BASEMAP_DAY["land"]).name().upper()
