"""Optional XYZ raster tiles over the offline base map, cached on disk as MBTiles.

Tiles are read from the cache or fetched with requests in worker threads, never on
the UI thread; paint only draws what has already arrived (or a coarser parent tile
scaled up), so a slow or missing tile never holds back a frame. The base map under
this layer always shows where no tile has come yet. With no URL template the layer
draws only what the cache holds (an imported offline pack) and never touches the network.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyqtgraph as pg
import requests
from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtGui import QImage, QPainter

from cop_app.core.geo import EARTH_RADIUS_M
from cop_app.store.tilegrid import tile_url
from cop_app.store.tiles import MBTiles
from cop_app.ui.map.view import MapView

WORLD = math.pi * EARTH_RADIUS_M
TILE_PX = 256
MAX_ZOOM = 18
Key = tuple[int, int, int]


def tile_rect(z: int, x: int, y: int) -> QRectF:
    """The tile's square in Mercator metres (y up)."""
    size = 2 * WORLD / (1 << z)
    return QRectF(-WORLD + x * size, WORLD - (y + 1) * size, size, size)


def zoom_for(metres_per_px: float, max_zoom: int) -> int:
    z = math.log2(2 * WORLD / (TILE_PX * max(metres_per_px, 1e-6)))
    return max(0, min(max_zoom, round(z)))


def view_zoom(view: MapView, max_zoom: int = MAX_ZOOM) -> int:
    """The tile zoom level whose pixels best match the view's current scale."""
    vb = view.viewbox
    (x0, x1), _ = vb.viewRange()
    width_px = max(vb.sceneBoundingRect().width(), 1.0)
    return zoom_for((x1 - x0) / width_px, max_zoom)


class _Bridge(QObject):
    arrived = Signal(object, object)  # key, QImage or None (failed)


class TileLayer(pg.GraphicsObject):
    layer_name = "tiles"
    tileArrived = Signal(int, int, int)

    def __init__(self, view: MapView, url_template: str | None,
                 cache_path: Path | str | None = None,
                 *, max_zoom: int = MAX_ZOOM, timeout_s: float = 5.0, workers: int = 4,
                 memory_tiles: int = 512) -> None:  # fmt: skip
        super().__init__()
        self.view = view
        self.url_template = url_template
        self.max_zoom = max_zoom
        self.timeout_s = timeout_s
        self.cache = MBTiles(cache_path) if cache_path else None
        self.images: OrderedDict[Key, QImage] = OrderedDict()
        self.memory_tiles = memory_tiles
        self.pending: set[Key] = set()
        self.failed: set[Key] = set()
        self.fetched = 0  # tiles that came over the network (tests, status)
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tiles")
        self._bridge = _Bridge()
        self._bridge.arrived.connect(self._arrived)
        self._closed = False
        view.viewbox.sigRangeChanged.connect(lambda *_: self.request_visible())
        view.viewbox.sigResized.connect(lambda *_: self.request_visible())
        self.request_visible()

    # ---- which tiles ------------------------------------------------------------------
    def current_zoom(self) -> int:
        return view_zoom(self.view, self.max_zoom)

    def visible_tiles(self) -> list[Key]:
        (x0, x1), (y0, y1) = self.view.viewbox.viewRange()
        z = self.current_zoom()
        n = 1 << z
        size = 2 * WORLD / n

        def col(v: float) -> int:
            return min(n - 1, max(0, int((v + WORLD) // size)))

        def row(v: float) -> int:
            return min(n - 1, max(0, int((WORLD - v) // size)))

        return [(z, x, y) for x in range(col(x0), col(x1) + 1)
                for y in range(row(y1), row(y0) + 1)]  # fmt: skip

    def request_visible(self) -> None:
        if self._closed or not self.isVisible():
            return
        for key in self.visible_tiles():
            if key not in self.images and key not in self.pending and key not in self.failed:
                self.pending.add(key)
                self._pool.submit(self._load, key)

    # ---- worker side ------------------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
            s.headers["User-Agent"] = "cop-app tile client"
        return s

    def _load(self, key: Key) -> None:
        """Cache first, then the network; the result goes back to the UI thread."""
        image = None
        try:
            data = self.cache.get(*key) if self.cache else None
            template = self.url_template  # None: an offline pack only, no network at all
            if data is None and template:
                resp = self._session().get(tile_url(template, *key),
                                           timeout=self.timeout_s)  # fmt: skip
                if resp.status_code == 200 and resp.content:
                    data = resp.content
                    self.fetched += 1
                    if self.cache:
                        self.cache.put(*key, data)
            if data is not None:
                img = QImage.fromData(data)  # QImage is safe to build off the UI thread
                image = None if img.isNull() else img
        except (requests.RequestException, OSError, ValueError, sqlite3.Error):
            image = None
        if not self._closed:
            self._bridge.arrived.emit(key, image)

    def _arrived(self, key: Key, image: QImage | None) -> None:
        self.pending.discard(key)
        if image is None:
            self.failed.add(key)  # not retried until retry_failed(); never blocks drawing
            return
        self.images[key] = image
        self.images.move_to_end(key)
        while len(self.images) > self.memory_tiles:
            self.images.popitem(last=False)
        self.update()
        self.tileArrived.emit(*key)

    def retry_failed(self) -> None:
        self.failed.clear()
        self.request_visible()

    def set_url(self, template: str | None) -> None:
        """A new tile source (None: cache only); tiles that failed get another try."""
        self.url_template = template
        self.retry_failed()

    def reload(self) -> None:
        """Read every visible tile again (the cache changed under us: a pack import)."""
        self.images.clear()
        self.retry_failed()
        self.update()

    # ---- drawing ----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def _best(self, key: Key) -> tuple[QImage, QRectF] | None:
        """The tile itself, or the part of a coarser cached parent that covers it."""
        z, x, y = key
        for up in range(0, min(z, 4) + 1):
            img = self.images.get((z - up, x >> up, y >> up))
            if img is None:
                continue
            k = 1 << up
            cell = img.width() / k
            src = QRectF((x % k) * cell, (y % k) * cell, cell, cell)
            return img, src
        return None

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        tr = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for key in self.visible_tiles():
            found = self._best(key)
            if found is None:
                continue
            img, src = found
            target = tr.mapRect(tile_rect(*key))
            painter.drawImage(target, img, src)
        painter.restore()
        self.request_visible()

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self.cache:
            self.cache.close()
