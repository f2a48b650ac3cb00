"""Land reports on the map: shape by event type, colour by verification status.

One palette (cop_app.core.style) for map, timeline, tables and exports. Colour is
never the only cue: unverifiable is hatched, rejected struck through, and the shape
carries the event type. Rejected, retracted and superseded reports are hidden until
the officer asks for them. The layer follows the hub's time window (or, replaying,
the cursor), hovers a tooltip and selects on click. Replaying, each symbol takes the
status its report had at the cursor (``LandReport.status_at``), not its latest.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPolygonF,
    QTransform,
)

from cop_app.core.entities import LandReport
from cop_app.core.enums import EventType
from cop_app.core.geo import EARTH_RADIUS_M, format_dms, to_mercator, to_mgrs
from cop_app.core.picture import PictureChange
from cop_app.core.style import (
    EVENT_LABELS,
    HATCHED,
    HIDDEN_BY_DEFAULT,
    STATUS_LABELS,
    STRUCK,
    status_colour,
)
from cop_app.core.timeutil import format_dtg
from cop_app.core.verification import VerificationStatus
from cop_app.ui.hub import Hub
from cop_app.ui.map._draw import cosmetic_pen, label_font
from cop_app.ui.map.overlays import ScreenItem
from cop_app.ui.map.symbols import paint_selection
from cop_app.ui.map.view import MapView

WORLD = math.pi * EARTH_RADIUS_M
RADIUS_PX = 8.0
HIT_PX = 10.0
E = EventType


def _poly(points: list[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
    path.closeSubpath()
    return path


def _star(n: int, inner: float, rot: float = -90.0) -> QPainterPath:
    pts = []
    for i in range(2 * n):
        r = 1.0 if i % 2 == 0 else inner
        a = math.radians(rot + i * 180.0 / n)
        pts.append((r * math.cos(a), r * math.sin(a)))
    return _poly(pts)


def _regular(n: int, rot: float = -90.0) -> QPainterPath:
    return _poly([(math.cos(math.radians(rot + i * 360 / n)),
                   math.sin(math.radians(rot + i * 360 / n))) for i in range(n)])  # fmt: skip


def _plus(w: float = 0.34, rot: float = 0.0) -> QPainterPath:
    pts = [(-w, -1), (w, -1), (w, -w), (1, -w), (1, w), (w, w), (w, 1), (-w, 1), (-w, w),
           (-1, w), (-1, -w), (-w, -w)]  # fmt: skip
    return QTransform().rotate(rot).map(_poly(pts))


def _no_entry() -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(QPointF(0, 0), 1.0, 1.0)
    bar = QPainterPath()
    bar.addRect(QRectF(-0.7, -0.2, 1.4, 0.4))
    return path.subtracted(bar)


@cache
def event_shapes() -> dict[str, QPainterPath]:
    """Unit shapes (radius 1, y down) per event type; distinct from APP-6 unit frames."""
    circle = QPainterPath()
    circle.addEllipse(QPointF(0, 0), 0.7, 0.7)
    return {
        E.EXPLOSION: _star(8, 0.45),
        E.PROJECTILE: _poly([(0, -1), (0.9, 0.8), (-0.9, 0.8)]),
        E.BURST: _plus(0.3, 45.0),
        E.WEAPON_SIGHTING: _regular(5),
        E.PRESENCE_IN_DISENGAGEMENT_AREA: _poly([(0, 1), (0.9, -0.8), (-0.9, -0.8)]),
        E.CIVILIAN_HARM: _plus(0.34),
        E.MINE_UXO: _regular(6, 0.0),
        E.MONITOR_IMPEDIMENT: _no_entry(),
        E.OTHER: circle,
    }


def shape_for(event_type: str) -> QPainterPath:
    shapes = event_shapes()
    return shapes.get(str(event_type), shapes[E.OTHER])


def draw_symbol(painter: QPainter, at: QPointF, event_type: str, status: str, *,
                radius: float = RADIUS_PX, night: bool = False,
                selected: bool = False) -> None:  # fmt: skip
    """One report symbol in device pixels (the legend draws the same way)."""
    path = QTransform().translate(at.x(), at.y()).scale(radius, radius).map(shape_for(event_type))
    colour = QColor(status_colour(status))
    if night and not selected:
        colour = colour.darker(115)  # UX.md: dimmer unselected symbols at night
    outline = "#101010" if not night else "#0A0A0A"
    if selected:  # the tracks' selection mark: brackets, never a ring (alerts are rings)
        painter.save()
        painter.translate(at)
        paint_selection(painter, radius + 6)
        painter.restore()
    painter.setPen(cosmetic_pen(outline, 1.0))
    painter.setBrush(colour)
    painter.drawPath(path)
    if status in HATCHED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor("#202020"), Qt.BrushStyle.BDiagPattern))
        painter.drawPath(path)
    if status in STRUCK:
        painter.setPen(cosmetic_pen("#000000" if not night else "#E0E0E0", 2.0))
        painter.drawLine(QPointF(at.x() - radius - 2, at.y() + radius + 2),
                         QPointF(at.x() + radius + 2, at.y() - radius - 2))  # fmt: skip


class ReportLayer(pg.GraphicsObject):
    layer_name = "reports"

    def __init__(self, hub: Hub, night: bool = False) -> None:
        super().__init__()
        self.hub = hub
        self.night = night
        self.shown_statuses: set[str] = {s.value for s in VerificationStatus} - set(
            HIDDEN_BY_DEFAULT
        )
        self.reports: list[LandReport] = []
        self.statuses: list[str] = []  # parallel to reports: as at the cursor in replay
        self.mx = self.my = np.zeros(0)
        self.setAcceptHoverEvents(True)
        hub.pictureChanged.connect(self._on_change)
        for sig in (hub.windowChanged, hub.cursorChanged, hub.liveChanged,
                    hub.selectionChanged):  # fmt: skip
            sig.connect(lambda *_: self.refresh())
        self.refresh()

    # ---- model -----------------------------------------------------------------------
    def set_night(self, night: bool) -> None:
        self.night = night
        self.update()

    def set_status_visible(self, status: str, visible: bool) -> None:
        (self.shown_statuses.add if visible else self.shown_statuses.discard)(str(status))
        self.refresh()

    def _on_change(self, change: PictureChange) -> None:
        if change.reports:
            self.refresh()

    def time_range(self) -> tuple[float | None, float | None]:
        """The brushed window wins; replaying shows what was known up to the cursor."""
        if self.hub.window is not None:
            return self.hub.window
        if self.hub.live:
            return None, None
        return None, self.hub.cursor

    def refresh(self) -> None:
        start, end = self.time_range()
        at = None if self.hub.live else self.hub.cursor
        pairs = [(r, str(r.status_at(at))) for r in self.hub.picture.reports_in(
            start=start, end=end) if r.has_position]  # fmt: skip
        pairs = [(r, s) for r, s in pairs if s in self.shown_statuses]
        reps = [r for r, _ in pairs]
        self.reports = reps
        self.statuses = [s for _, s in pairs]
        x, y = to_mercator(np.array([r.lon for r in reps], float),
                           np.array([r.lat for r in reps], float))  # fmt: skip
        self.mx, self.my = np.atleast_1d(x), np.atleast_1d(y)
        self.update()

    # ---- drawing ---------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self.reports:
            return
        tr = painter.transform()
        px = tr.m11() * self.mx + tr.m21() * self.my + tr.dx()
        py = tr.m12() * self.mx + tr.m22() * self.my + tr.dy()
        clip = tr.mapRect(self.viewRect() if self.getViewBox() else self.boundingRect())
        m = RADIUS_PX + 6
        inside = np.flatnonzero((px > clip.left() - m) & (px < clip.right() + m)
                                & (py > clip.top() - m) & (py < clip.bottom() + m))  # fmt: skip
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        sel = self.hub.selection
        # Most important last, so a verified violation is never hidden under a grey one.
        order = sorted(inside, key=lambda i: _RANK.get(self.statuses[i], 0))
        for i in order:
            r = self.reports[i]
            draw_symbol(painter, QPointF(px[i], py[i]), r.event_type, self.statuses[i],
                        night=self.night, selected=r.id in sel)  # fmt: skip
        painter.restore()

    # ---- interaction -----------------------------------------------------------------
    def pick(self, scene_pos: QPointF, radius_px: float = HIT_PX) -> int:
        """Index of the report nearest a scene point within ``radius_px``, or -1."""
        if not self.reports:
            return -1
        st = self.sceneTransform()
        px = st.m11() * self.mx + st.m21() * self.my + st.dx()
        py = st.m12() * self.mx + st.m22() * self.my + st.dy()
        d = np.hypot(px - scene_pos.x(), py - scene_pos.y())
        i = int(np.argmin(d))
        return i if d[i] <= radius_px else -1

    def tooltip(self, i: int) -> str:
        r, status = self.reports[i], self.statuses[i]
        lines = [f"{r.title or EVENT_LABELS.get(str(r.event_type), str(r.event_type))}",
                 f"{EVENT_LABELS.get(str(r.event_type), str(r.event_type))} · "
                 f"{STATUS_LABELS.get(status, status)}"]  # fmt: skip
        if status != str(r.status):  # replay: the status at the cursor, then the latest
            lines[-1] += f" (now {STATUS_LABELS.get(str(r.status), str(r.status))})"
        if r.time is not None:
            lines.append(format_dtg(r.time))
        if r.lat is not None and r.lon is not None:
            lines.append(format_dms(r.lat, r.lon))
            lines.append(to_mgrs(r.lat, r.lon))
        if r.reliability or r.credibility:
            lines.append(f"Source {r.reliability or '-'}{r.credibility or '-'}")
        lines.append(r.id)
        return "\n".join(lines)

    def hoverEvent(self, ev: object) -> None:
        if ev.isExit():
            self.setToolTip("")
            return
        i = self.pick(ev.scenePos())
        if i < 0:
            self.setToolTip("")
            return
        ev.acceptClicks(Qt.MouseButton.LeftButton)
        self.setToolTip(self.tooltip(i))

    def mouseClickEvent(self, ev: object) -> None:
        i = self.pick(ev.scenePos()) if ev.button() == Qt.MouseButton.LeftButton else -1
        if i < 0:
            ev.ignore()
            return
        ev.accept()
        self.hub.select({self.reports[i].id})


_RANK = {s: n for n, s in enumerate(("retracted", "superseded", "rejected", "reported",
                                      "unverifiable", "triaged", "under_verification",
                                      "corroborated", "verified"))}  # fmt: skip


def legend_entries() -> list[tuple[str, str, str]]:
    """(kind, key, text) rows: every status (hidden ones say so) and every event shape."""
    rows = [("status", s, STATUS_LABELS[s] + (" (hidden)" if s in HIDDEN_BY_DEFAULT else ""))
            for s in STATUS_LABELS]  # workflow order, as the officer reads it
    rows += [("event", e.value, EVENT_LABELS[e.value]) for e in EventType]
    return rows


LEGEND_KEY = "legend"  # the hub switch: True expanded, False the small chip
COLLAPSE_BELOW_PX = 1400.0  # a narrower map starts with the legend collapsed
CHIP_TEXT = "Legend \u25b8"


def track_key_entries() -> list[tuple[str, str]]:
    """(kind, text) rows of the track and alert key (frames, selection, alerts, stacks)."""
    return [("friend", "Friend"), ("hostile", "Hostile / suspect"), ("neutral", "Neutral"),
            ("unknown", "Unknown / pending"), ("emergency", "Emergency squawk"),
            ("selected", "Selected"), ("alert", "Alert (dashed: ack)"),
            ("stack", "Stack of tracks")]  # fmt: skip


class ReportLegend(ScreenItem):
    """Status colours, event shapes and a track/alert key, bottom-right; or, collapsed,
    a small "Legend ▸" chip. A click toggles it; so does the Layers panel's switch
    (the hub's ``legend`` key). Unless the officer has chosen, it starts collapsed on
    a map narrower than ``COLLAPSE_BELOW_PX`` (at 1366 px the full legend hid ~45% of
    the map in the trial) and follows the map's width."""

    corner = "bottom-right"
    row_h = 19.0

    def __init__(self, view: MapView, layer: ReportLayer | None = None,
                 night: bool = False) -> None:  # fmt: skip
        self.layer = layer
        rows = legend_entries()
        metrics = QFontMetricsF(label_font(11, bold=False))
        keys = [t for _, t in track_key_entries()]
        self.col_w = (*(30.0 + max(metrics.horizontalAdvance(t) for k, _, t in rows
                                   if k == kind) for kind in ("status", "event")),
                      30.0 + max(metrics.horizontalAdvance(t) for t in [*keys, "Tracks"]))
        n_status = sum(1 for r in rows if r[0] == "status")
        n = max(n_status, len(rows) - n_status, len(keys))
        self.full_size = (sum(self.col_w) + 16, 32.0 + self.row_h * n)
        bold = QFontMetricsF(label_font(11))
        self.chip_size = (bold.horizontalAdvance(CHIP_TEXT) + 18, bold.height() + 10)
        self.expanded = True
        self.size = self.full_size
        self.user_chose = LEGEND_KEY in view.hub.layers
        self._auto_setting = False
        super().__init__(view, night)
        view.hub.layersChanged.connect(self._follow_layer)
        view.viewbox.sigResized.connect(lambda *_: self._auto())
        if self.user_chose:
            self._apply(bool(view.hub.layers[LEGEND_KEY]))
        else:
            self._auto()

    # ---- state -------------------------------------------------------------------------
    def _auto(self) -> None:
        if self.user_chose:
            return
        wide = self.view.viewbox.sceneBoundingRect().width() >= COLLAPSE_BELOW_PX
        self._auto_setting = True
        try:
            self.view.hub.set_layer(LEGEND_KEY, wide)
            self._apply(wide)  # also when the hub already said so
        finally:
            self._auto_setting = False

    def set_expanded(self, expanded: bool) -> None:
        """The officer's choice (click or Layers switch): kept whatever the width."""
        self.user_chose = True
        self.view.hub.set_layer(LEGEND_KEY, expanded)
        self._apply(expanded)

    def _follow_layer(self, layers: dict[str, bool]) -> None:
        want = layers.get(LEGEND_KEY)
        if want is None or bool(want) == self.expanded:
            return
        if not self._auto_setting:
            self.user_chose = True
        self._apply(bool(want))

    def _apply(self, expanded: bool) -> None:
        self.prepareGeometryChange()
        self.expanded = expanded
        self.size = self.full_size if expanded else self.chip_size
        self._follow()

    def mouseClickEvent(self, ev: object) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self.set_expanded(not self.expanded)

    def lines(self) -> list[str]:
        return [text for _, _, text in legend_entries()] + [t for _, t in track_key_entries()]

    # ---- drawing -----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        bg = QColor("#26292C" if self.night else "#FFFFFF")
        painter.setPen(cosmetic_pen("#555555" if self.night else "#9E9E9E", 1.0))
        painter.setBrush(bg)
        painter.drawRoundedRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        title = label_font(11)
        painter.setFont(title)
        painter.setPen(QColor(self.ink))
        if not self.expanded:
            painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, CHIP_TEXT)
            return
        painter.drawText(QPointF(8, 18), "Report status")
        painter.drawText(QPointF(8 + self.col_w[0], 18), "Event type")
        painter.drawText(QPointF(8 + self.col_w[0] + self.col_w[1], 18), "Tracks")
        font = label_font(11, bold=False)
        painter.setFont(font)
        counts = {"status": 0, "event": 0}
        for kind, key, text in legend_entries():
            row = counts[kind]
            counts[kind] += 1
            x = 8.0 if kind == "status" else 8.0 + self.col_w[0]
            y = 30.0 + row * self.row_h + self.row_h / 2
            at = QPointF(x + 8, y)
            if kind == "status":
                draw_symbol(painter, at, E.OTHER, key, radius=8.0, night=self.night)
            else:
                draw_symbol(painter, at, key, "reported", radius=7.0, night=self.night)
            painter.setPen(QColor(self.ink))
            painter.setFont(font)
            painter.drawText(QPointF(x + 22, y + 5), text)
        x = 8.0 + self.col_w[0] + self.col_w[1]
        for row, (kind, text) in enumerate(track_key_entries()):
            y = 30.0 + row * self.row_h + self.row_h / 2
            painter.save()
            painter.translate(x + 8, y)
            _key_mark(painter, kind)
            painter.restore()
            painter.setPen(QColor(self.ink))
            painter.setFont(font)
            painter.drawText(QPointF(x + 22, y + 5), text)


def _key_mark(painter: QPainter, kind: str) -> None:
    """One small mark of the track key, centred on the painter's origin."""
    from cop_app.core.enums import Domain, Identity
    from cop_app.ui.map.alerts_layer import alert_colour
    from cop_app.ui.map.symbols import Variant, paint_symbol

    ident = {"friend": Identity.FRIEND, "hostile": Identity.HOSTILE,
             "neutral": Identity.NEUTRAL, "unknown": Identity.UNKNOWN,
             "emergency": Identity.FRIEND}.get(kind)  # fmt: skip
    if ident is not None:
        variant = Variant.EMERGENCY if kind == "emergency" else Variant.NORMAL
        paint_symbol(painter, ident, Domain.SEA, variant, size=13.0)
    elif kind == "selected":
        paint_selection(painter, 7.0)
    elif kind == "alert":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(cosmetic_pen("#000000", 4.0))
        painter.drawEllipse(QPointF(0, 0), 7.0, 7.0)
        painter.setPen(cosmetic_pen(alert_colour("high"), 2.0))
        painter.drawEllipse(QPointF(0, 0), 7.0, 7.0)
    else:  # a stack's count chip
        painter.setPen(cosmetic_pen("#E0E0E0", 1.5))
        painter.setBrush(QColor(24, 8, 30))
        painter.drawRoundedRect(QRectF(-8, -7, 16, 14), 3, 3)
        font = label_font(8)
        painter.setFont(font)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(QRectF(-8, -7, 16, 14), Qt.AlignmentFlag.AlignCenter, "3")
