"""The built-in offline base map: Natural Earth land, coast and borders (always works).

Three QPainterPaths are built once from ``resources/basemap/europe.npz`` (see
packaging/build_basemap.py) and drawn with cosmetic pens, so a frame costs a few
milliseconds at any zoom and nothing is ever fetched.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from cop_app.core.geo import EARTH_RADIUS_M, to_mercator
from cop_app.core.style import BASEMAP_DAY, BASEMAP_NIGHT
from cop_app.paths import resource
from cop_app.ui.map._draw import cosmetic_pen, device_xy, haloed_text, label_font

BASEMAP_FILE = ("basemap", "europe.npz")
QUANTUM_M = 10.0  # packaging/build_basemap.py stores 10 m steps
# The whole Web Mercator square: the sea is painted everywhere, land where we have it.
WORLD = np.pi * EARTH_RADIUS_M


# Reference towns for orientation (approximate centres, lat/lon; public knowledge).
# Shown once the view is regional (under ~3 km a pixel) so a continent stays clean.
TOWNS: tuple[tuple[str, float, float], ...] = (
    ("Kyiv", 50.45, 30.52), ("Kharkiv", 49.99, 36.23), ("Dnipro", 48.46, 35.05),
    ("Zaporizhzhia", 47.84, 35.14), ("Donetsk", 48.00, 37.80), ("Luhansk", 48.57, 39.31),
    ("Mariupol", 47.10, 37.55), ("Kherson", 46.64, 32.61), ("Mykolaiv", 46.97, 31.99),
    ("Odesa", 46.48, 30.73), ("Sevastopol", 44.62, 33.53), ("Simferopol", 44.95, 34.10),
    ("Rostov-on-Don", 47.22, 39.72), ("Novorossiysk", 44.72, 37.77), ("Chisinau", 47.01, 28.86),
    ("Constanța", 44.17, 28.63), ("Varna", 43.21, 27.91), ("Istanbul", 41.01, 28.98),
    ("Samsun", 41.29, 36.33), ("Batumi", 41.64, 41.63), ("Sochi", 43.60, 39.73),
)  # fmt: skip
TOWN_MAX_M_PER_PX = 4500.0  # place names from the theatre overview on a 1366-px laptop up
TOWN_DOT_AT = QPointF(5.0, 18.0)  # where the dot sits in a town's label image


def _path(dxy: np.ndarray, offsets: np.ndarray, *, fill: bool) -> QPainterPath:
    xy = np.cumsum(dxy.astype(np.int64), axis=0).astype(np.float64) * QUANTUM_M
    connect = np.ones(len(xy), dtype=np.int32)
    connect[offsets[1:] - 1] = 0  # break between rings/lines
    path = pg.arrayToQPath(xy[:, 0], xy[:, 1], connect=connect)
    if fill:
        path.setFillRule(Qt.FillRule.OddEvenFill)
    return path


@cache
def basemap_paths() -> dict[str, QPainterPath]:
    """land, coast and borders as paths in Mercator metres (built once per process)."""
    with np.load(resource(*BASEMAP_FILE)) as data:
        return {
            name: _path(data[f"{name}_dxy"], data[f"{name}_offsets"], fill=name == "land")
            for name in ("land", "coast", "borders")
        }


class BaseMapLayer(QGraphicsItem):
    """Sea, land, coastline and borders; ``set_night`` swaps the palette."""

    layer_name = "basemap"

    def __init__(self, night: bool = False, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._paths = basemap_paths()
        self._rect = QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)
        self._labels: list[QImage] = []
        self._labels_for: bool | None = None
        self._town_x, self._town_y = to_mercator(np.array([t[2] for t in TOWNS]),
                                                 np.array([t[1] for t in TOWNS]))  # fmt: skip
        self.night = night
        self.set_night(night)

    def set_night(self, night: bool) -> None:
        self.night = night
        pal = BASEMAP_NIGHT if night else BASEMAP_DAY
        self.palette = dict(pal)
        self._sea = QBrush(QColor(pal["sea"]))
        self._land = QBrush(QColor(pal["land"]))
        # 1 px exactly: Qt's raster engine strokes 1 px cosmetic lines on a fast path;
        # 1.2 px took 50-250 ms a frame (measured), 1 px takes 0.3-3.5 ms.
        self._coast = cosmetic_pen(pal["coast"], 1.0)
        self._border = cosmetic_pen(pal["border"], 1.0, Qt.PenStyle.DashLine)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:  # fmt: skip
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(self._rect, self._sea)
        # The fill is not antialiased (33 ms -> 2 ms for all Europe); the antialiased
        # coastline drawn over it hides the stair steps.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(self._land)
        painter.drawPath(self._paths["land"])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self._border)
        painter.drawPath(self._paths["borders"])
        painter.setPen(self._coast)
        painter.drawPath(self._paths["coast"])
        self._draw_towns(painter)

    def _draw_towns(self, painter: QPainter) -> None:
        tr = painter.transform()
        if 1.0 / max(abs(tr.m11()), 1e-12) > TOWN_MAX_M_PER_PX:
            return
        px, py = device_xy(painter, self._town_x, self._town_y)
        painter.save()
        painter.resetTransform()
        for label, x, y in zip(self._town_labels(), px, py, strict=True):
            painter.drawImage(QPointF(x - TOWN_DOT_AT.x(), y - TOWN_DOT_AT.y()), label)
        painter.restore()

    def _town_labels(self) -> list[QImage]:
        """Dot and haloed name per town, rendered once per palette (11 ms -> <1 ms)."""
        key = self.night
        if self._labels_for != key:
            ink = "#C8C8C8" if self.night else "#3A3A3A"
            halo = self.palette["land"]
            font = label_font(11, bold=False)
            width = QFontMetricsF(font).horizontalAdvance
            self._labels = []
            for name, _, _ in TOWNS:
                img = QImage(int(width(name)) + 16, 26, QImage.Format.Format_ARGB32_Premultiplied)
                img.fill(Qt.GlobalColor.transparent)
                p = QPainter(img)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                p.setPen(cosmetic_pen(ink, 1.0))
                p.setBrush(QColor(halo))
                p.drawEllipse(TOWN_DOT_AT, 3.0, 3.0)
                haloed_text(p, TOWN_DOT_AT + QPointF(5, -4), name, ink, halo, font)
                p.end()
                self._labels.append(img)
            self._labels_for = key
        return self._labels
