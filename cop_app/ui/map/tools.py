"""Map tools: range and bearing (geodesic, km/nm, true bearing) and go-to a position.

``parse_position`` reads what officers type: decimal degrees, degrees-minutes-seconds
with hemispheres (``48°35'12"N 037°50'24"E``) and MGRS (``37U DQ 12345 67890``, taken
as the centre of the square it names). Bad input raises ValueError with a reason fit
to show the officer.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPainterPath

from cop_app.core.geo import (
    destination,
    format_bearing,
    format_distance,
    from_mgrs,
    range_bearing,
    to_mercator,
    valid_position,
)
from cop_app.ui.map._draw import cosmetic_pen, haloed_text, label_font
from cop_app.ui.map.overlays import ScreenItem
from cop_app.ui.map.view import MapView

# Decimal commas are not accepted: "48,5 37,8" is ambiguous with a comma separator.
_DECIMAL = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;/\s]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_MGRS = re.compile(r"^\s*\d{1,2}\s*[C-HJ-NP-X]\s*[A-HJ-NP-Z]{2}(?:\s*\d+){0,2}\s*$", re.I)
_HEMI = re.compile(r"[NSEW]", re.I)


def _dms_value(part: str, hemi: str) -> float:
    nums = re.findall(r"\d+(?:\.\d+)?", part.replace(",", "."))
    if not 1 <= len(nums) <= 3:
        raise ValueError(f"cannot read degrees/minutes/seconds in {part.strip()!r}")
    values = [float(n) for n in nums] + [0.0] * (3 - len(nums))
    deg, minutes, seconds = values
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"minutes and seconds must be under 60 in {part.strip()!r}")
    value = deg + minutes / 60.0 + seconds / 3600.0
    return -value if hemi.upper() in "SW" else value


def _parse_dms(text: str) -> tuple[float, float]:
    pieces = _HEMI.split(text)
    hemis = _HEMI.findall(text)
    if len(hemis) != 2:
        raise ValueError("give one latitude (N/S) and one longitude (E/W)")
    trailing = bool(re.search(r"\d", pieces[0]))  # 48°N 37°E vs N48° E37°
    parts = pieces[:2] if trailing else pieces[1:3]
    if not trailing and pieces[0].strip():
        raise ValueError(f"unexpected text {pieces[0].strip()!r}")
    if trailing and pieces[2].strip():
        raise ValueError(f"unexpected text {pieces[2].strip()!r}")
    values = {h.upper(): _dms_value(p, h) for p, h in zip(parts, hemis, strict=True)}
    lat = values.get("N", values.get("S"))
    lon = values.get("E", values.get("W"))
    if lat is None or lon is None:
        raise ValueError("give one latitude (N/S) and one longitude (E/W)")
    return lat, lon


def parse_position(text: str) -> tuple[float, float]:
    """(lat, lon) from decimal degrees, DMS with hemispheres, or MGRS."""
    text = (text or "").strip()
    if not text:
        raise ValueError("no position given")
    if _MGRS.match(text):
        lat, lon = from_mgrs(text)
    elif m := _DECIMAL.match(text):
        lat, lon = (float(g) for g in m.groups())
    elif _HEMI.search(text) and re.search(r"\d", text):
        lat, lon = _parse_dms(text)
    else:
        raise ValueError(
            f"not a position: {text!r} (try 48.5867 37.84, 48°35'12\"N 037°50'24\"E "
            "or 37U DQ 12345 67890)"
        )
    if not valid_position(lat, lon):
        raise ValueError(f"out of range: latitude {lat:g} (±90), longitude {lon:g} (±180)")
    return lat, lon


def go_to(view: MapView, text: str, span_km: float | None = None) -> tuple[float, float]:
    """Centre the map on a typed position; raises ValueError for the caller to show."""
    lat, lon = parse_position(text)
    view.center_on(lat, lon, span_km)
    return lat, lon


def measurement_text(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    dist, bearing = range_bearing(lat1, lon1, lat2, lon2)
    return f"{format_distance(dist)}  {format_bearing(bearing)}°T"


class RangeBearingTool(ScreenItem):
    """Drag from A to B (when active) to measure; the result stays until the next drag.

    The line follows the geodesic (sampled along it), so over long distances it curves
    on the Mercator map the way the measured path really runs.
    """

    measured = Signal(float, float)  # metres, true bearing
    corner = "top-left"
    samples = 48

    def __init__(self, view: MapView, night: bool = False) -> None:
        self.a: tuple[float, float] | None = None
        self.b: tuple[float, float] | None = None
        self.active = False
        super().__init__(view, night)
        self.setZValue(900)

    def _follow(self, *_: object) -> None:
        r = self.view.viewbox.sceneBoundingRect()
        self.prepareGeometryChange()
        self.size = (r.width(), r.height())
        self.setPos(r.topLeft())
        self.update()

    def set_active(self, active: bool) -> None:
        self.active = active
        self.view.setCursor(Qt.CursorShape.CrossCursor if active else Qt.CursorShape.ArrowCursor)

    def clear(self) -> None:
        self.a = self.b = None
        self.update()

    def measure(self, lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
        self.a, self.b = (lat1, lon1), (lat2, lon2)
        dist, bearing = range_bearing(lat1, lon1, lat2, lon2)
        self.measured.emit(dist, bearing)
        self.update()
        return dist, bearing

    def text(self) -> str:
        if self.a is None or self.b is None:
            return ""
        return measurement_text(*self.a, *self.b)

    def mouseDragEvent(self, ev: object) -> None:
        if not self.active or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        a = self.view.scene_to_latlon(ev.buttonDownScenePos())
        b = self.view.scene_to_latlon(ev.scenePos())
        self.measure(*a, *b)

    def _scene(self, lat: float, lon: float) -> QPointF:
        return self.mapFromScene(self.view.viewbox.mapViewToScene(
            QPointF(*_merc(lon, lat))))  # fmt: skip

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self.a is None or self.b is None:
            return
        (lat1, lon1), (lat2, lon2) = self.a, self.b
        dist, bearing = range_bearing(lat1, lon1, lat2, lon2)
        path = QPainterPath(self._scene(lat1, lon1))
        for f in np.linspace(0.0, 1.0, self.samples)[1:]:
            path.lineTo(self._scene(*destination(lat1, lon1, bearing, dist * f)))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(cosmetic_pen(self.halo, 4.0))
        painter.drawPath(path)
        painter.setPen(cosmetic_pen(self.ink, 2.0, Qt.PenStyle.DashLine))
        painter.drawPath(path)
        end = self._scene(lat2, lon2)
        for p in (self._scene(lat1, lon1), end):
            painter.setPen(cosmetic_pen(self.ink, 2.0))
            painter.drawEllipse(p, 4.0, 4.0)
        haloed_text(painter, end + QPointF(8, -8), self.text(), self.ink, self.halo,
                    label_font(12))  # fmt: skip

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)


def _merc(lon: float, lat: float) -> tuple[float, float]:
    x, y = to_mercator(lon, lat)
    return float(x), float(y)
