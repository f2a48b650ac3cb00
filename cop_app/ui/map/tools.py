"""Map tools: range and bearing (geodesic, km/nm, true bearing) and go-to a position.

``parse_position`` reads what officers type: decimal degrees, degrees-minutes-seconds
with hemispheres (``48°35'12"N 037°50'24"E``) and MGRS (``37U DQ 12345 67890``, taken
as the centre of the square it names). Bad input raises ValueError with a reason fit
to show the officer; an MGRS reference whose easting and northing have different
numbers of digits ("36T UR 5800 200000") is refused, not split somewhere in the middle.

After a go-to the map marks the spot for a while (``GoToMarker``): a crosshair, and for
MGRS the square the reference names (UX.md: an MGRS reference names a square, not a
point): 100 m for a 6-digit reference, 10 m for 8 digits, 1 m for 10. The square is
drawn over the crosshair (its arms used to hide a small square's outline), and a label
beside the mark says what it names ("36T UR 58 20 · 1 km square" or the DMS position);
``go_to`` returns a one-line confirmation for the window's status bar.

The range-and-bearing result shows in a fixed box in the map's top-left corner as well
as beside the end point, so it stays readable when the end is off the view or under the
legend; the box also gives the two ends (DMS). ``measured`` carries the same text for
a status bar. Switching the ruler off clears the line and the box.
"""

from __future__ import annotations

import re

import numpy as np
from pyproj import Transformer
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath

from cop_app.core.geo import (
    destination,
    format_bearing,
    format_distance,
    format_dms,
    from_mgrs,
    range_bearing,
    to_mercator,
    valid_position,
)
from cop_app.ui.map._draw import cosmetic_pen, haloed_text, label_font
from cop_app.ui.map.overlays import MARGIN, ScreenItem
from cop_app.ui.map.view import MapView

# Decimal commas are not accepted: "48,5 37,8" is ambiguous with a comma separator.
_DECIMAL = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;/\s]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_MGRS = re.compile(r"^\s*\d{1,2}\s*[C-HJ-NP-X]\s*[A-HJ-NP-Z]{2}(?:\s*\d+)*\s*$", re.I)
_HEMI = re.compile(r"[NSEW]", re.I)
_MGRS_PARTS = re.compile(r"^\s*(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z]{2})((?:\s*\d+)*)\s*$", re.I)
GOTO_PROMPT = ("Latitude and longitude or MGRS, for example\n"
               "48.5867 37.84   ·   48°35'12\"N 037°50'24\"E   ·   37U DQ 12345 67890")
MARK_SECONDS = 30.0  # how long the go-to crosshair stays


def mgrs_parts(text: str) -> tuple[int, str, str, str, str]:
    """(zone, band, 100 km square, easting digits, northing digits) of a reference.

    Digits come as one run split in half ("12345678") or as two runs of equal length
    ("1234 5678"), 0 to 5 digits each; anything else is refused with the reason.
    """
    m = _MGRS_PARTS.match(text or "")
    if not m:
        raise ValueError(f"not an MGRS reference: {text!r} (for example 37U DQ 12345 67890)")
    zone, band, square, digits = int(m.group(1)), m.group(2).upper(), m.group(3).upper(), m.group(4)
    if not 1 <= zone <= 60:
        raise ValueError(f"MGRS zone {zone} does not exist (1 to 60)")
    runs = digits.split()
    if len(runs) > 2:
        raise ValueError(f"MGRS {text.strip()!r}: give easting and northing, two groups at most")
    if len(runs) == 2:
        east, north = runs
        if len(east) != len(north):
            raise ValueError(f"MGRS {text.strip()!r}: easting ({len(east)} digits) and northing "
                             f"({len(north)} digits) must have the same number of digits")
    else:
        run = runs[0] if runs else ""
        if len(run) % 2:
            raise ValueError(f"MGRS {text.strip()!r}: an odd number of digits ({len(run)}) "
                             "cannot split into easting and northing")
        east, north = run[: len(run) // 2], run[len(run) // 2:]
    if len(east) > 5:
        raise ValueError(f"MGRS {text.strip()!r}: at most 5 digits each for easting and "
                         "northing (1 m)")
    return zone, band, square, east, north


def mgrs_square(text: str) -> list[tuple[float, float]]:
    """The corners (lat, lon) of the square an MGRS reference names, via pyproj's UTM:
    its centre (``from_mgrs``) plus and minus half the side (100 km / 10^digits)."""
    zone, band, _square, east, _north = mgrs_parts(text)
    side = 100_000.0 / 10 ** len(east)
    lat, lon = from_mgrs(text)
    south = band < "N"
    utm = f"+proj=utm +zone={zone} {'+south ' if south else ''}+datum=WGS84"
    fwd = Transformer.from_crs("EPSG:4326", utm, always_xy=True)
    inv = Transformer.from_crs(utm, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(lon, lat)
    h = side / 2.0
    corners = [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)]
    out = []
    for cx, cy in corners:
        clon, clat = inv.transform(cx, cy)
        out.append((float(clat), float(clon)))
    return out


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
        mgrs_parts(text)  # refuses unequal digit groups before the library guesses
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


def square_name(side_m: float) -> str:
    """``1 km square``, ``100 m square``: the size an MGRS reference's digits name."""
    return f"{side_m / 1000:g} km square" if side_m >= 1000 else f"{side_m:g} m square"


def mgrs_label(text: str) -> tuple[str, str]:
    """(the reference as written canonically, its square's size) for an MGRS entry."""
    zone, band, square, east, north = mgrs_parts(text)
    ref = " ".join(p for p in (f"{zone}{band}", square, east, north) if p)
    return ref, square_name(100_000.0 / 10 ** len(east))


def go_to(view: MapView, text: str, span_km: float | None = None) -> str:
    """Centre the map on a typed position and mark it; returns a confirmation to show
    ("Centred on 36T UR 58 20 (1 km square), 45°19'12"N 031°12'00"E"). Raises
    ValueError for the caller to show (the map does not move on bad input)."""
    lat, lon = parse_position(text)
    is_mgrs = bool(_MGRS.match(text.strip()))
    square = mgrs_square(text) if is_mgrs else None
    view.center_on(lat, lon, span_km)
    marker = next((i for i in view.scene().items() if isinstance(i, GoToMarker)), None)
    if marker is None:  # made on first use: take the theme of the map's other furniture
        night = any(getattr(i, "night", False) for i in view.scene().items()
                    if isinstance(i, ScreenItem))  # fmt: skip
        marker = GoToMarker(view, night)
    dms = format_dms(lat, lon)
    if is_mgrs:
        ref, size = mgrs_label(text)
        marker.mark(lat, lon, square, label=f"{ref} · {size}")
        return f"Centred on {ref} ({size}), {dms}"
    marker.mark(lat, lon, square, label=dms)
    return f"Centred on {dms}"


class _FullView(ScreenItem):
    """A screen item as large as the map area (tools that draw anywhere on it)."""

    corner = "top-left"

    def _follow(self, *_: object) -> None:
        r = self.view.viewbox.sceneBoundingRect()
        self.prepareGeometryChange()
        self.size = (r.width(), r.height())
        self.setPos(r.topLeft())
        self.update()

    def _scene(self, lat: float, lon: float) -> QPointF:
        return self.mapFromScene(self.view.viewbox.mapViewToScene(
            QPointF(*_merc(lon, lat))))  # fmt: skip

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)


class GoToMarker(_FullView):
    """A crosshair on the place gone to, the MGRS square it names and a label saying
    what it names, for a while."""

    ring_px = 14.0
    label_offset = QPointF(20.0, -18.0)  # the label's baseline start from the centre

    def __init__(self, view: MapView, night: bool = False) -> None:
        self.at: tuple[float, float] | None = None
        self.square: list[tuple[float, float]] | None = None
        self.label = ""
        super().__init__(view, night)
        self.setZValue(950)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.clear)

    def mark(self, lat: float, lon: float, square: list[tuple[float, float]] | None = None,
             seconds: float = MARK_SECONDS, label: str = "") -> None:  # fmt: skip
        self.at, self.square, self.label = (lat, lon), square, label
        self.timer.start(int(seconds * 1000))
        self.update()

    def clear(self) -> None:
        self.at = self.square = None
        self.label = ""
        self.update()

    def label_rect(self) -> QRectF:
        """Where the label is drawn, in this item's coordinates (empty when none)."""
        if self.at is None or not self.label:
            return QRectF()
        fm = QFontMetricsF(label_font(12))
        at = self._scene(*self.at) + self.label_offset
        return QRectF(at.x() - 2, at.y() - fm.ascent() - 2,
                      fm.horizontalAdvance(self.label) + 4, fm.height() + 4)  # fmt: skip

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self.at is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self._paint_crosshair(painter)
        if self.square:  # over the crosshair: a 1 km square at 25 km is under its arms
            path = QPainterPath(self._scene(*self.square[0]))
            for corner in self.square[1:]:
                path.lineTo(self._scene(*corner))
            path.closeSubpath()
            for colour, width in ((self.halo, 4.0), ("#00B8D4", 2.0)):
                painter.setPen(cosmetic_pen(colour, width, Qt.PenStyle.DashLine
                                            if colour != self.halo else Qt.PenStyle.SolidLine))
                painter.drawPath(path)
        if self.label:
            haloed_text(painter, self._scene(*self.at) + self.label_offset, self.label,
                        self.ink, self.halo, label_font(12))  # fmt: skip

    def _paint_crosshair(self, painter: QPainter) -> None:
        c = self._scene(*self.at)
        r, gap = self.ring_px * 2, 5.0
        for colour, width in ((self.halo, 5.0), ("#00B8D4", 2.5)):
            painter.setPen(cosmetic_pen(colour, width))
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                painter.drawLine(c + QPointF(dx * gap, dy * gap), c + QPointF(dx * r, dy * r))
            painter.drawEllipse(c, self.ring_px, self.ring_px)


def measurement_text(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    dist, bearing = range_bearing(lat1, lon1, lat2, lon2)
    return f"{format_distance(dist)}  {format_bearing(bearing)}°T"


class RangeBearingTool(_FullView):
    """Drag from A to B (when active) to measure; the result stays until the next drag.

    The line follows the geodesic (sampled along it), so over long distances it curves
    on the Mercator map the way the measured path really runs. The result also shows
    in a fixed box at the map's top-left corner (``readout_rect``).
    """

    measured = Signal(str)  # the result as shown ("" when cleared): for a status bar
    samples = 48

    def __init__(self, view: MapView, night: bool = False) -> None:
        self.a: tuple[float, float] | None = None
        self.b: tuple[float, float] | None = None
        self.active = False
        super().__init__(view, night)
        self.setZValue(900)

    def set_active(self, active: bool) -> None:
        """Switch the ruler on or off; off clears the line and the box (and says "")."""
        self.active = active
        self.view.setCursor(Qt.CursorShape.CrossCursor if active else Qt.CursorShape.ArrowCursor)
        if not active:
            self.clear()

    def clear(self) -> None:
        self.a = self.b = None
        self.measured.emit("")
        self.update()

    def measure(self, lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
        self.a, self.b = (lat1, lon1), (lat2, lon2)
        dist, bearing = range_bearing(lat1, lon1, lat2, lon2)
        self.measured.emit(self.text())
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

    def readout_lines(self) -> list[str]:
        if self.a is None or self.b is None:
            return []
        dist, bearing = range_bearing(*self.a, *self.b)
        return [f"Range {format_distance(dist)}", f"Bearing {format_bearing(bearing)}°T",
                f"From {format_dms(*self.a)}", f"To {format_dms(*self.b)}"]

    def readout_rect(self) -> QRectF:
        """The fixed result box, top left of the map (the north arrow is top right)."""
        fm = QFontMetricsF(label_font(12))
        lines = self.readout_lines()
        w = max((fm.horizontalAdvance(t) for t in lines), default=0.0) + 16
        return QRectF(MARGIN, MARGIN, w, len(lines) * fm.height() + 10)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self.a is None or self.b is None:
            return
        self._paint_line(painter)
        box = self.readout_rect()
        painter.setPen(cosmetic_pen("#555555" if self.night else "#9E9E9E", 1.0))
        painter.setBrush(QColor("#26292C" if self.night else "#FFFFFF"))
        painter.drawRoundedRect(box, 4, 4)
        font = label_font(12)
        fm = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(QColor(self.ink))
        for k, line in enumerate(self.readout_lines()):
            painter.drawText(QPointF(box.left() + 8, box.top() + 5 + fm.ascent()
                                     + k * fm.height()), line)  # fmt: skip

    def _paint_line(self, painter: QPainter) -> None:
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


def _merc(lon: float, lat: float) -> tuple[float, float]:
    x, y = to_mercator(lon, lat)
    return float(x), float(y)
