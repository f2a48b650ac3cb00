"""Small drawing helpers the context layers share (paths from geometry, haloed text)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen

from cop_app.core.geo import to_mercator

LABEL_POINT_SIZE = 11  # UX.md: legible from 2 m


def mercator_path(geometry: shapely.Geometry) -> QPainterPath:
    """Every ring and line of a lon/lat geometry as one path in Mercator metres."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for part in shapely.get_parts(geometry):
        if isinstance(part, shapely.Polygon):
            lines = [part.exterior, *part.interiors]
        elif isinstance(part, shapely.LineString | shapely.LinearRing):
            lines = [part]
        else:
            continue
        for line in lines:
            xy = shapely.get_coordinates(line)
            if len(xy) < 2:
                continue
            x, y = to_mercator(xy[:, 0], xy[:, 1])
            path.addPath(pg.arrayToQPath(x, y, connect="all"))
    return path


def label_font(point_size: int = LABEL_POINT_SIZE, bold: bool = True) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def haloed_text(painter: QPainter, at: QPointF, text: str, colour: str, halo: str,
                font: QFont | None = None) -> None:  # fmt: skip
    """Text with a 3 px halo, so it reads over land, sea and zones alike."""
    path = QPainterPath()
    path.addText(at, font or label_font(), text)
    stroker = QPainterPathStroker()
    stroker.setWidth(3.0)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(halo))
    painter.drawPath(stroker.createStroke(path))
    painter.setBrush(QColor(colour))
    painter.drawPath(path)


def device_xy(painter: QPainter, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mercator metres to device pixels with the painter's (scale + translate) transform."""
    t = painter.transform()
    return t.m11() * x + t.m21() * y + t.m31(), t.m12() * x + t.m22() * y + t.m32()


def cosmetic_pen(colour: QColor | str, width: float = 1.0,
                 style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:  # fmt: skip
    pen = QPen(QColor(colour), width, style)
    pen.setCosmetic(True)
    return pen
