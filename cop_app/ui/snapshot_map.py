"""The map part of a snapshot: the on-screen layers composed afresh, off-screen.

A MapView with ``add_context_layers`` and ``add_track_layers`` (the very items the
window shows, so styles cannot drift) is sized to the map frame and drawn with
``QGraphicsView.render`` into whatever painter the page uses (QImage, QPdfWriter,
QSvgGenerator): nothing is grabbed from a screen. The view is shown with
``WA_DontShowOnScreen`` so Qt lays it out (pyqtgraph sizes its ViewBox on the resize
event) without a window ever appearing.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform

from cop_app.core.geo import to_mercator
from cop_app.core.picture import Picture
from cop_app.ui.hub import LAYERS, Hub
from cop_app.ui.map._draw import cosmetic_pen
from cop_app.ui.map.context import add_context_layers
from cop_app.ui.map.symbols import LOST_OF, SYMBOL_PX, Variant, paint_symbol
from cop_app.ui.map.tracks import VECTOR_STILL_KN, add_track_layers, vector_lengths
from cop_app.ui.map.view import MapView
from cop_app.ui.snapshot_grid import Grid
from cop_app.ui.snapshot_labels import LABELS_Z, VectorTrackLabels

log = logging.getLogger(__name__)
GRID_Z = 5.0  # over the base map, under zones and tracks
SCREEN_ONLY = ("legend", "ruler")
VECTOR_SYMBOLS_MAX = 5000  # the page draws its own legend; no ruler on paper


def hub_layers(layers: set[str]) -> dict[str, bool]:
    """The hub's switches for a snapshot's layer names (``land`` brings the reports:
    the land picture of a ceasefire mission is its observer reports)."""
    on = {name: name in layers for name in LAYERS}
    on["basemap"] = True
    on["labels"] = True
    on["reports"] = "reports" in layers or "land" in layers
    return on


class GridItem(pg.GraphicsObject):
    """Graticule lines in Mercator metres, under everything but the base map."""

    def __init__(self, grid: Grid) -> None:
        super().__init__()
        self.minor = self._path(grid.lines)
        self.major = self._path(grid.major)

    @staticmethod
    def _path(lines: list[np.ndarray]) -> QPainterPath:
        path = QPainterPath()
        for line in lines:
            x, y = to_mercator(line[:, 0], line[:, 1])
            path.addPath(pg.arrayToQPath(np.asarray(x, float), np.asarray(y, float)))
        return path

    def boundingRect(self) -> QRectF:
        return self.minor.boundingRect().united(self.major.boundingRect())

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(cosmetic_pen("#5A6E80", 0.8, Qt.PenStyle.DashLine))
        painter.drawPath(self.minor)
        painter.setPen(cosmetic_pen("#34495E", 1.6))
        painter.drawPath(self.major)


class SnapshotMap:
    """A hub and a map view over ``picture`` at ``at``, showing ``layers`` in ``bbox``."""

    def __init__(self, picture: Picture, *, at: float, window: tuple[float, float] | None,
                 layers: set[str], width: int, height: int,
                 bbox: tuple[float, float, float, float], night: bool = False,
                 vector: bool = False, symbol_scale: float = 1.0,
                 selected: frozenset[str] = frozenset()) -> None:  # fmt: skip
        self.hub = Hub(picture)
        self.hub.set_live(False)
        self.hub.set_cursor(at)
        self.hub.set_window(window)
        self.hub.select(selected)
        for name, on in hub_layers(layers).items():
            self.hub.set_layer(name, on)
        self.view = MapView(self.hub)
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setFrameShape(self.view.Shape.NoFrame)
        self.view.resize(width, height)
        self.view.show()
        self.context = add_context_layers(self.view, self.hub, night=night)
        self.tracks = add_track_layers(self.view, self.hub)
        for name in SCREEN_ONLY:
            self.context[name].setVisible(False)
        track_layers = [self.tracks[n] for n in ("air", "sea", "land")]
        for layer in track_layers:
            if vector:
                vector_symbols(layer, symbol_scale)
            layer.refresh_attributes()  # emergencies now, not on the next 1 Hz tick
        self.labels: VectorTrackLabels | None = None
        if vector:  # labels as text (snapshot_labels); the PNG keeps the layers' sprites
            self.labels = VectorTrackLabels(track_layers, symbol_scale)
            self.labels.setZValue(LABELS_Z)
            self.view.viewbox.addItem(self.labels, ignoreBounds=True)
        self.view.set_bbox(*bbox)  # applied at once: no event loop turn (nothing paints)
        self.bbox = self.view.visible_bbox()

    def add_grid(self, grid: Grid) -> None:
        item = GridItem(grid)
        self.view.add_layer("grid", item, GRID_Z)
        item.setVisible(True)

    def render(self, painter: QPainter, target: QRectF) -> None:
        size = self.view.viewport().size()
        self.view.render(painter, target, QRect(0, 0, size.width(), size.height()),
                         Qt.AspectRatioMode.IgnoreAspectRatio)  # fmt: skip

    def to_widget(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat to the view's widget pixels (whole arrays)."""
        vb = self.view.viewbox
        x, y = to_mercator(np.asarray(lon, float), np.asarray(lat, float))
        tr = vb.childTransform() * vb.sceneTransform() * self.view.viewportTransform()
        xs = tr.m11() * x + tr.m21() * y + tr.dx()
        ys = tr.m12() * x + tr.m22() * y + tr.dy()
        return np.asarray(xs, float), np.asarray(ys, float)

    def point(self, lat: float, lon: float) -> QPointF:
        p = self.view.latlon_to_widget(lat, lon)
        return QPointF(p.x(), p.y())

    def close(self) -> None:
        for layer in self.tracks.values():
            timer = getattr(layer, "_attrs_timer", None)
            if timer is not None:
                timer.stop()
        self.view.hide()
        self.view.deleteLater()
        self.hub.close()
        self.hub.deleteLater()


def vector_symbols(layer: Any, scale: float = 1.0) -> None:
    """Draw a track layer's symbols as paths (``paint_symbol``) instead of stamping the
    bitmap atlas, for PDF and SVG: crisp at any zoom, and an SVG does not embed the
    whole atlas once per symbol (measured: 22 MB for 140 tracks). Heading lines as on
    screen; labels come from ``VectorTrackLabels`` (as text, placed across layers).
    Over ``VECTOR_SYMBOLS_MAX`` tracks the layer keeps its own decluttered raster paint.
    ``scale`` sizes symbols and heading lines to the page (``page_symbol_scale``);
    selected tracks carry the screen's selection brackets."""
    raster_paint = layer.paint
    size = SYMBOL_PX * scale

    def paint(painter: QPainter, option: Any, widget: Any = None) -> None:
        n = len(layer.keys)
        if n == 0:
            return
        if n > VECTOR_SYMBOLS_MAX:
            raster_paint(painter, option, widget)
            return
        tr = QTransform(painter.transform())
        px = tr.m11() * layer.mx + tr.m21() * layer.my + tr.dx()
        py = tr.m12() * layer.mx + tr.m22() * layer.my + tr.dy()
        view = tr.mapRect(layer.viewRect())
        m = size
        idx = np.flatnonzero((px > view.left() - m) & (px < view.right() + m)
                             & (py > view.top() - m) & (py < view.bottom() + m))  # fmt: skip
        emergency = np.asarray(getattr(layer, "_emergency_mask", np.zeros(n, bool)))
        idx = idx[np.argsort(emergency[idx], kind="stable")]  # emergencies on top
        px, py = px[idx], py[idx]
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        _heading_lines(painter, layer, idx, px, py, scale)
        selected = np.asarray(getattr(layer, "_selected", np.zeros(n, bool)))
        lost = np.asarray(getattr(layer, "lost", np.zeros(n, bool)))
        for j, i in enumerate(idx.tolist()):
            painter.save()
            painter.translate(float(px[j]), float(py[j]))
            variant = Variant.EMERGENCY if emergency[i] else Variant.NORMAL
            if selected[i]:
                variant = (Variant.EMERGENCY_SELECTED if emergency[i]
                           else Variant.SELECTED)  # fmt: skip
            if lost[i]:  # hollow, as on screen
                variant = Variant(int(LOST_OF[variant]))
            paint_symbol(painter, int(layer.identity[i]), int(layer.domain), variant, size)
            painter.restore()
        painter.restore()

    def guarded(painter: QPainter, option: Any, widget: Any = None) -> None:
        # An exception escaping a Python paint override crashes shiboken 6.11 while it
        # prints it; log it and leave the symbols out instead of losing the product.
        try:
            paint(painter, option, widget)
        except Exception:
            log.exception("vector track symbols failed")

    layer.paint = guarded


def _heading_lines(painter: QPainter, layer: Any, idx: np.ndarray, px: np.ndarray,
                   py: np.ndarray, scale: float = 1.0) -> None:  # fmt: skip
    """Course lines as the screen draws them (length by speed, capped), one drawLine
    each: a PDF or SVG holds a few thousand at most (``VECTOR_SYMBOLS_MAX``)."""
    speed, course = layer.speed[idx], layer.course[idx]
    lost = np.asarray(getattr(layer, "lost", np.zeros(len(layer.speed), bool)))[idx]
    ok = np.flatnonzero((speed > VECTOR_STILL_KN) & ~np.isnan(course) & ~lost)
    if not len(ok):
        return
    length = vector_lengths(speed[ok], layer.domain) * scale
    rad = np.radians(course[ok])
    painter.setPen(QPen(QColor("#101010"), 2.0))
    for k, j in enumerate(ok.tolist()):
        x, y = float(px[j]), float(py[j])
        painter.drawLine(QPointF(x, y), QPointF(x + float(np.sin(rad[k]) * length[k]),
                                                y - float(np.cos(rad[k]) * length[k])))
