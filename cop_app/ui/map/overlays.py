"""Screen-space furniture over the map: scale bar and north arrow (UX.md: every map
product carries a scale and a north arrow).

They live in the view's scene (scene units are widget pixels in pyqtgraph's
GraphicsView), not in the ViewBox, so they keep their size and corner whatever the
zoom, and they appear in grabs and exported snapshots. They stack at ``FURNITURE_Z``,
above everything in the view box (tracks, count chips, alerts), and each sits on a
backing plate so ship symbols crowding a corner never run through the bar (trial 2).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPolygonF
from PySide6.QtWidgets import QGraphicsObject

from cop_app.core.geo import M_PER_NM, range_bearing
from cop_app.ui.map._draw import cosmetic_pen, haloed_text, label_font
from cop_app.ui.map.view import MapView

MARGIN = 12.0
FURNITURE_Z = 1000.0  # scene z of scale bar, north arrow, legend: over the view box


def nice_length(max_value: float) -> float:
    """Largest 1-2-5 x 10^k not above ``max_value`` (a scale bar's round number)."""
    if max_value <= 0 or not math.isfinite(max_value):
        return 0.0
    exp = math.floor(math.log10(max_value))
    for step in (5.0, 2.0, 1.0):
        value = step * 10.0**exp
        if value <= max_value * (1 + 1e-9):
            return value
    return 10.0 ** (exp - 1) * 5.0


def _fmt(value: float, unit: str) -> str:
    if unit == "km" and value < 1:
        return f"{value * 1000:g} m"
    return f"{value:g} {unit}"


class ScreenItem(QGraphicsObject):
    """An item pinned to a corner of the map area, repainted when the view moves."""

    size = (100.0, 50.0)
    corner = "bottom-left"

    def __init__(self, view: MapView, night: bool = False) -> None:
        super().__init__()
        self.view = view
        self.night = night
        self.setZValue(FURNITURE_Z)
        view.scene().addItem(self)
        view.viewbox.sigRangeChanged.connect(self._follow)
        view.viewbox.sigResized.connect(self._follow)
        self._follow()

    @property
    def ink(self) -> str:
        return "#E0E0E0" if self.night else "#1A1A1A"

    @property
    def halo(self) -> str:
        return "#1F2A33" if self.night else "#FFFFFF"

    def set_night(self, night: bool) -> None:
        self.night = night
        self.update()

    def _follow(self, *_: object) -> None:
        r = self.view.viewbox.sceneBoundingRect()
        w, h = self.size
        x = r.left() + MARGIN if "left" in self.corner else r.right() - MARGIN - w
        y = r.top() + MARGIN if "top" in self.corner else r.bottom() - MARGIN - h
        self.setPos(x, y)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)

    def paint_plate(self, painter: QPainter, rect: QRectF) -> None:
        """A rounded backing plate in the halo colour, mostly opaque."""
        plate = QColor(self.halo)
        plate.setAlpha(215)
        painter.setPen(cosmetic_pen("#555555" if self.night else "#9E9E9E", 1.0))
        painter.setBrush(plate)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setBrush(Qt.BrushStyle.NoBrush)


class ScaleBar(ScreenItem):
    """Two bars, km over nm, with round lengths measured on the geodesic at the centre."""

    size = (200.0, 58.0)
    corner = "bottom-left"
    max_px = 160.0

    def metres_per_px(self) -> float:
        r = self.view.viewbox.sceneBoundingRect()
        c = r.center()
        half = min(50.0, r.width() / 4) or 1.0
        lat1, lon1 = self.view.scene_to_latlon(QPointF(c.x() - half, c.y()))
        lat2, lon2 = self.view.scene_to_latlon(QPointF(c.x() + half, c.y()))
        dist, _ = range_bearing(lat1, lon1, lat2, lon2)
        return dist / (2 * half)

    def bars(self) -> list[tuple[float, str, float]]:
        """(length in the unit, label, length in px) for km and nm."""
        mpp = self.metres_per_px()
        out = []
        for unit, metres in (("km", 1000.0), ("nm", M_PER_NM)):
            value = nice_length(self.max_px * mpp / metres)
            out.append((value, _fmt(value, unit), value * metres / mpp if mpp else 0.0))
        return out

    def labels(self) -> list[str]:
        return [label for _, label, _ in self.bars()]

    def plate_rect(self, bars: list[tuple[float, str, float]] | None = None) -> QRectF:
        """The backing plate: as wide as the longer bar or label, in item coordinates."""
        bars = self.bars() if bars is None else bars
        fm = QFontMetricsF(label_font(11))
        width = max([px for _, _, px in bars] + [fm.horizontalAdvance(t) for _, t, _ in bars]
                    + [0.0])  # fmt: skip
        return QRectF(0.5, 0.5, min(width + 12, self.size[0] - 1), self.size[1] - 1)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = label_font(11)
        bars = self.bars()
        self.paint_plate(painter, self.plate_rect(bars))
        for row, (_, label, px) in enumerate(bars):
            y = 22.0 + row * 28.0
            for colour, pen_w in ((self.halo, 5.0), (self.ink, 2.0)):
                painter.setPen(cosmetic_pen(colour, pen_w))
                painter.drawLine(QPointF(5, y), QPointF(5 + px, y))
                painter.drawLine(QPointF(5, y - 6), QPointF(5, y + 1))
                painter.drawLine(QPointF(5 + px, y - 6), QPointF(5 + px, y + 1))
            haloed_text(painter, QPointF(5, y - 8), label, self.ink, self.halo, font)


class NorthArrow(ScreenItem):
    """North is up everywhere in Web Mercator, so the arrow never turns."""

    size = (34.0, 54.0)
    corner = "top-right"

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.paint_plate(painter, QRectF(0.5, 0.5, self.size[0] - 1, self.size[1] - 1))
        cx = self.size[0] / 2
        left = QPolygonF([QPointF(cx, 18), QPointF(cx - 10, 52), QPointF(cx, 44)])
        right = QPolygonF([QPointF(cx, 18), QPointF(cx + 10, 52), QPointF(cx, 44)])
        painter.setPen(cosmetic_pen(self.ink, 1.5))
        painter.setBrush(QColor(self.ink))
        painter.drawPolygon(left)
        painter.setBrush(QColor(self.halo))
        painter.drawPolygon(right)
        font = label_font(12)
        haloed_text(painter, QPointF(cx - 6, 15), "N", self.ink, self.halo, font)
        painter.setBrush(Qt.BrushStyle.NoBrush)
