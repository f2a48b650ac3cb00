"""The map view: one pyqtgraph ViewBox in Web Mercator metres, layers stacked by z.

Layers are QGraphicsItems that draw whole numpy arrays per paint (one item per layer,
never one per track); the view only owns the coordinate frame, visibility and the
mouse. Layers register with ``add_layer`` and follow the hub's layer switches.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QGraphicsItem, QWidget

from cop_app.core.geo import from_mercator, to_mercator
from cop_app.ui.hub import Hub

# Where the exercise happens: eastern Ukraine, the Black Sea and its corridor.
DEFAULT_BBOX = (28.0, 43.5, 41.0, 52.5)


class MapView(pg.GraphicsView):
    cursorMoved = Signal(float, float)  # (lat, lon) under the mouse
    viewChanged = Signal(object)  # (west, south, east, north) now shown

    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=None)
        self.hub = hub
        self.viewbox = pg.ViewBox(lockAspect=True, enableMenu=False, invertY=False)
        self.setCentralItem(self.viewbox)
        self._layers: dict[str, QGraphicsItem] = {}
        self.viewbox.sigRangeChanged.connect(lambda *_: self.viewChanged.emit(self.visible_bbox()))
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        hub.layersChanged.connect(self._apply_layers)
        hub.focusRequested.connect(
            lambda lat, lon, span: self.center_on(lat, lon, span or None))
        self.set_bbox(*DEFAULT_BBOX)

    # ---- layers --------------------------------------------------------------------
    def add_layer(self, name: str, item: QGraphicsItem, z: float) -> None:
        """Stack ``item`` at ``z``; it shows or hides with the hub's switch ``name``."""
        item.setZValue(z)
        self.viewbox.addItem(item, ignoreBounds=True)
        self._layers[name] = item
        item.setVisible(self.hub.layers.get(name, True))

    def layer(self, name: str) -> QGraphicsItem:
        return self._layers[name]

    def layer_names(self) -> list[str]:
        return list(self._layers)

    def _apply_layers(self, layers: dict[str, bool]) -> None:
        for name, item in self._layers.items():
            item.setVisible(layers.get(name, True))

    # ---- the frame -----------------------------------------------------------------
    def set_bbox(self, west: float, south: float, east: float, north: float) -> None:
        x, y = to_mercator(np.array([west, east]), np.array([south, north]))
        self.viewbox.setRange(xRange=(x[0], x[1]), yRange=(y[0], y[1]), padding=0)

    def center_on(self, lat: float, lon: float, span_km: float | None = None) -> None:
        x, y = to_mercator(lon, lat)
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        if span_km is not None:
            # Mercator metres stretch by 1/cos(lat); keep the span true on the ground.
            half = span_km * 500.0 / max(np.cos(np.radians(lat)), 0.01)
            self.viewbox.setRange(xRange=(x - half, x + half), yRange=(y - half, y + half),
                                  padding=0)  # fmt: skip
            return
        hx, hy = (x1 - x0) / 2, (y1 - y0) / 2
        self.viewbox.setRange(xRange=(x - hx, x + hx), yRange=(y - hy, y + hy), padding=0)

    def visible_bbox(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        lon, lat = from_mercator(np.array([x0, x1]), np.array([y0, y1]))
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])

    def scene_to_latlon(self, pos: QPointF) -> tuple[float, float]:
        p = self.viewbox.mapSceneToView(pos)
        lon, lat = from_mercator(p.x(), p.y())
        return float(lat), float(lon)

    def latlon_to_widget(self, lat: float, lon: float) -> QPointF:
        """Where a position is drawn in widget pixels (tests and tools use it)."""
        x, y = to_mercator(lon, lat)
        scene = self.viewbox.mapViewToScene(QPointF(float(x), float(y)))
        return QPointF(self.mapFromScene(scene))

    def _mouse_moved(self, pos: QPointF) -> None:
        if self.viewbox.sceneBoundingRect().contains(pos):
            lat, lon = self.scene_to_latlon(pos)
            self.cursorMoved.emit(lat, lon)
