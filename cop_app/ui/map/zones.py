"""Zones on the map: ceasefire line, buffers, corridor, inspection areas and airspace.

Each zone's QPainterPath is built once per version (Mercator metres); paint only
strokes and fills them. Zones outside their validity period at the map's time are
not drawn (a temporary restricted area disappears when it lapses).

Zoomed in, an area's solid fill fades (``fill_factor``): a buffer that fills the whole
view tinted the base map mid-brown at night (trial 2), so past ``FADE_FROM_MPP`` the
fill thins towards ``FADE_MIN`` of its alpha and a light hatch in the zone's colour
takes over, so the zone stays obvious from inside even with its edge off the view.

Airspace limits ("SFC–FL660") are drawn by ``ZoneLabelLayer`` above the tracks and
reports: drawn in the zone layer (z 10) a symbol on the anchor ate the first letters
("C-FL660" reads as another limit). A label is drawn whole inside the map or not at all.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QTransform

from cop_app.core.entities import Zone
from cop_app.core.enums import ZoneKind
from cop_app.core.geo import EARTH_RADIUS_M, format_altitude, to_mercator
from cop_app.core.picture import PictureChange
from cop_app.core.style import zone_colour
from cop_app.ui.hub import Hub
from cop_app.ui.map._draw import cosmetic_pen, haloed_text, label_font, mercator_path
from cop_app.ui.map.declutter import SharedDeclutter
from cop_app.ui.map.labels import PRIME, Request

log = logging.getLogger(__name__)

FADE_FROM_MPP = 400.0  # metres per pixel: at and above it, areas have their full fill
FADE_TO_MPP = 40.0  # and at and below it (a view ~30 km across), ``FADE_MIN`` of it
FADE_MIN = 0.3
HATCH_ALPHA = 50  # the light hatch that keeps a faded area visible from inside
LIMIT_PRIORITY = 300  # airspace limits place first in the shared label pass (alerts: 100+)

WORLD = 3.1415926535897931 * EARTH_RADIUS_M

K = ZoneKind
_S = Qt.PenStyle
_B = Qt.BrushStyle


@dataclass(frozen=True)
class ZoneStyle:
    width: float  # px
    pen: Qt.PenStyle
    fill_alpha: int  # 0 = no fill
    pattern: Qt.BrushStyle = _B.SolidPattern
    order: int = 0  # fills first, lines last


STYLES: dict[ZoneKind, ZoneStyle] = {
    K.BUFFER: ZoneStyle(1.0, _S.DashLine, 64),
    K.SECURITY_ZONE: ZoneStyle(1.0, _S.DashLine, 48),
    K.CORRIDOR: ZoneStyle(1.5, _S.DashLine, 56),
    K.INSPECTION_AREA: ZoneStyle(1.5, _S.SolidLine, 72, order=1),
    K.RESTRICTED_AREA: ZoneStyle(1.5, _S.DashDotLine, 110, _B.BDiagPattern, order=1),
    K.RESTRICTED_AIRSPACE: ZoneStyle(1.5, _S.DashLine, 130, _B.BDiagPattern, order=2),
    K.PROHIBITED_AIRSPACE: ZoneStyle(2.0, _S.SolidLine, 160, _B.DiagCrossPattern, order=2),
    K.WITHDRAWAL_LINE: ZoneStyle(2.0, _S.DashLine, 0, order=3),
    K.CEASEFIRE_LINE: ZoneStyle(3.0, _S.SolidLine, 0, order=4),
}
LINE_KINDS = frozenset({K.CEASEFIRE_LINE, K.WITHDRAWAL_LINE})
AIRSPACE_KINDS = frozenset({K.RESTRICTED_AIRSPACE, K.PROHIBITED_AIRSPACE})


def altitude_text(ft: float | None) -> str:
    if ft is None:
        return "UNL"
    if ft <= 0:
        return "SFC"
    return format_altitude(ft)


def limits_label(zone: Zone) -> str:
    """``SFC–FL660``: floor and ceiling as officers read an airspace box."""
    return f"{altitude_text(zone.floor_ft)}–{altitude_text(zone.ceiling_ft)}"


def fill_factor(metres_per_px: float) -> float:
    """How much of an area's fill alpha to keep at this zoom (1 at overview)."""
    if not metres_per_px > 0:
        return 1.0
    lo, hi = math.log10(FADE_TO_MPP), math.log10(FADE_FROM_MPP)
    f = (math.log10(metres_per_px) - lo) / (hi - lo)
    return FADE_MIN + (1.0 - FADE_MIN) * min(max(f, 0.0), 1.0)


def _metres_per_px(painter: QPainter) -> float:
    t = painter.transform()
    scale = (t.m11() ** 2 + t.m12() ** 2) ** 0.5  # device px per Mercator metre
    return 1.0 / scale if scale else 0.0


class ZoneLayer(pg.GraphicsObject):
    layer_name = "zones"

    def __init__(self, hub: Hub, night: bool = False) -> None:
        super().__init__()
        self.hub = hub
        self.night = night
        self._paths: dict[str, tuple[int, QPainterPath, tuple[float, float] | None]] = {}
        self.label_layer: ZoneLabelLayer | None = None  # set by the label layer
        hub.pictureChanged.connect(self._on_change)
        hub.cursorChanged.connect(lambda *_: self.update())
        hub.liveChanged.connect(lambda *_: self.update())
        self.refresh()

    def set_night(self, night: bool) -> None:
        self.night = night
        self.update()

    def join_labels(self, declutter: SharedDeclutter) -> None:
        """The airspace limits join the track layers' label pass (tracks.add_track_layers)."""
        if self.label_layer is not None:
            self.label_layer.join_labels(declutter)

    def _on_change(self, change: PictureChange) -> None:
        if change.zones:
            self.refresh()

    def refresh(self) -> None:
        """Rebuild paths of zones that are new or changed version; drop removed ones."""
        zones = self.hub.picture.zones
        for zid in list(self._paths):
            if zid not in zones:
                del self._paths[zid]
        for zid, zone in zones.items():
            cached = self._paths.get(zid)
            if cached is None or cached[0] != zone.version:
                anchor = None
                if zone.kind in AIRSPACE_KINDS:
                    p = zone.geometry.representative_point()
                    x, y = to_mercator(p.x, p.y)
                    anchor = (float(x), float(y))
                self._paths[zid] = (zone.version, mercator_path(zone.geometry), anchor)
        self.update()

    def map_time(self) -> float:
        return time.time() if self.hub.live else self.hub.cursor

    def visible_zones(self) -> list[Zone]:
        t = self.map_time()
        zones = [z for z in self.hub.picture.zones.values() if z.valid_at(t)]
        return sorted(zones, key=lambda z: STYLES.get(z.kind, STYLES[K.BUFFER]).order)

    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        zones = self.visible_zones()
        if not zones:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        halo = "#1F2A33" if self.night else "#FFFFFF"
        fade = fill_factor(_metres_per_px(painter))
        for zone in zones:
            entry = self._paths.get(zone.id)
            if entry is None:
                continue
            _version, path, _anchor = entry
            style = STYLES.get(zone.kind, STYLES[K.BUFFER])
            colour = QColor(zone_colour(zone.kind))
            if self.night:
                colour = colour.lighter(130)
            if zone.kind in LINE_KINDS:
                # A casing under the line keeps it readable over any fill or land.
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(cosmetic_pen(halo, style.width + 2.0))
                painter.drawPath(path)
                painter.setPen(cosmetic_pen(colour, style.width, style.pen))
                painter.drawPath(path)
                continue
            if style.fill_alpha:
                solid = style.pattern == _B.SolidPattern
                fills = [(style.fill_alpha * (fade if solid else 1.0), style.pattern)]
                if solid and fade < 1.0:
                    fills.append((HATCH_ALPHA * (1.0 - fade) / (1.0 - FADE_MIN),
                                  _B.FDiagPattern))  # fmt: skip
                painter.setPen(Qt.PenStyle.NoPen)
                for alpha, pattern in fills:
                    fill = QColor(colour)
                    fill.setAlpha(round(alpha))
                    brush = QBrush(fill, pattern)
                    if pattern != _B.SolidPattern:
                        brush.setTransform(painter.transform().inverted()[0])  # hatch in px
                    painter.setBrush(brush)
                    painter.drawPath(path)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(cosmetic_pen(colour, style.width, style.pen))
            painter.drawPath(path)

    def limit_labels(self) -> list[tuple[QPointF, str, str]]:
        """(anchor in Mercator metres, text, colour) of each visible airspace zone."""
        out = []
        for zone in self.visible_zones():
            entry = self._paths.get(zone.id)
            if entry is None or entry[2] is None:
                continue
            colour = QColor(zone_colour(zone.kind))
            if self.night:
                colour = colour.lighter(130)
            out.append((QPointF(*entry[2]), limits_label(zone), colour.name()))
        return out


class ZoneLabelLayer(pg.GraphicsObject):
    """Airspace limits over the symbols, each whole inside the map or not drawn.

    It follows the zone layer's visibility (``zones.visibleChanged``); the context
    stacks it above tracks and reports and under the alert chips. Its labels go first
    in the map's shared label pass (``declutter.SharedDeclutter``, joined by
    ``join_labels``): a limit names airspace, so it keeps its spot by the zone's anchor
    where it can, moves to the next free one near it where it would cover a place name
    or another label, and every later label (alert chips, track labels) keeps off it.
    """

    layer_name = "zone_labels"

    def __init__(self, zones: ZoneLayer) -> None:
        super().__init__()
        self.zones = zones
        self.drawn: list[tuple[str, QRectF]] = []  # what the last paint showed (tests)
        self.font = label_font()
        self.metrics = QFontMetricsF(self.font)
        self.declutter = SharedDeclutter([])  # alone until ``join_labels``
        self.declutter.annotators.append(self)
        zones.label_layer = self
        zones.visibleChanged.connect(lambda: self.setVisible(zones.isVisible()))
        zones.hub.pictureChanged.connect(lambda ch: self.update() if ch.zones else None)
        zones.hub.cursorChanged.connect(lambda *_: self.update())
        zones.hub.liveChanged.connect(lambda *_: self.update())

    def join_labels(self, declutter: SharedDeclutter) -> None:
        """Take part in the track layers' label pass from now on."""
        if declutter is self.declutter:
            return
        if self in self.declutter.annotators:
            self.declutter.annotators.remove(self)
        if declutter.view is None:
            declutter.view = self.declutter.view
        self.declutter = declutter
        declutter.annotators.append(self)
        self.update()

    def set_night(self, night: bool) -> None:
        """Colours follow the zone layer's theme; this only repaints."""
        self.update()

    @property
    def label_version(self) -> tuple:
        """What the placed labels depend on: a new board when a limit appears, lapses,
        changes text or colour (not on every cursor tick)."""
        return tuple((t, c, a.x(), a.y()) for a, t, c in self.zones.limit_labels())

    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def label_requests(self, tr: QTransform, region: QRectF, dpr: float) -> list[Request]:
        """A limit's options: its text starting at the anchor (as drawn before the
        shared pass), centred on it or ending at it; then the same a line or two above
        and below. None free: the limit is not drawn (until the view or data change)."""
        reqs = []
        grown = region.adjusted(-200, -40, 200, 40)
        for anchor, text, colour in self.zones.limit_labels():
            at = tr.map(anchor)
            if not grown.contains(at):
                continue
            tight = self.metrics.tightBoundingRect(text).adjusted(-2, -2, 2, 2)
            w, h = tight.width(), tight.height()
            x0, y0 = at.x() + tight.left(), at.y() + tight.top()
            # Nearest first: a line up or down, then two (a place name is 26 px tall).
            shifts = [(dx * w, dy * (h + 2)) for dy in (0, -1, 1, -2, 2)
                      for dx in (0.0, -0.5, -1.0)]  # fmt: skip
            opts = [(x0 + dx, y0 + dy, x0 + dx + w, y0 + dy + h) for dx, dy in shifts]
            # The baseline's start relative to the rectangle's top left.
            payload = (text, colour, -tight.left(), -tight.top())
            reqs.append(Request(priority=LIMIT_PRIORITY, options=opts, payload=payload,
                                key=(text, round(anchor.x()), round(anchor.y())),
                                level=PRIME))  # fmt: skip
        return reqs

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        self.drawn = []
        vb = self.getViewBox()
        if vb is None or not self.zones.limit_labels():
            return
        try:  # an exception escaping paint takes the process down (shiboken 6.11)
            self._paint_labels(painter, vb)
        except Exception:
            log.exception("airspace limits failed")

    def _paint_labels(self, painter: QPainter, vb: object) -> None:
        tr = QTransform(painter.transform())
        view = tr.mapRect(self.viewRect())
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        placed = self.declutter.placed(self, tr, view, float(dpr))
        painter.save()
        painter.resetTransform()
        # Device px are the view's widget px; the map area is the view box's rectangle.
        area = tr.mapRect(vb.viewRect()).normalized().adjusted(2, 2, -2, -2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        halo = "#1F2A33" if self.zones.night else "#FFFFFF"
        for (text, colour, bx, by), r in placed:
            rect = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])
            if not area.contains(rect):
                continue  # half a limit reads as another limit: whole or nothing
            haloed_text(painter, QPointF(r[0] + bx, r[1] + by), text, colour, halo, self.font)
            self.drawn.append((text, rect))
        painter.restore()
