"""Open alerts on the map, in a mark nothing else on the map uses.

Alert marks are magenta: no report status (grey, light blue, amber, orange, red),
affiliation fill or selection mark (white corner brackets) shares that hue, so a HIGH
alert can no longer be read as a corroborated report or as the selected track (the
trial's finding 3). Colour is never the only cue (UX.md): the severity is spelled out
in a chip, critical alerts get a double ring and acknowledged ones a dashed one.

Zoomed in, each subject gets a ring and each new alert a severity chip. At overview
zoom, rings round every subject would bury the map, so alerts near each other on screen
merge: one ring on the worst and one chip ("HIGH +3") with a leader line to it.
Chips are placed in the map's shared label pass (declutter.SharedDeclutter.placed),
after the airspace limits and before every track label: never over another chip, a
limit or a place name (a chip with no free spot is left out for that frame, never its
ring), and track labels keep off the chips. A ring follows its subject (the track's
fix at the hub's cursor), falling back to where the alert was raised.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTransform

from cop_app.api.records import wire_time
from cop_app.core.geo import to_mercator
from cop_app.ui.hub import Hub
from cop_app.ui.map.declutter import SharedDeclutter, project
from cop_app.ui.map.labels import PRIME, ChipSprites, Request, around
from cop_app.ui.panels import alert_rows as ar

RING_PX = 16.0
RING_MAX_M_PER_PX = 600.0  # rings from this zoom in (the track labels' threshold)
CLUSTER_PX = 60.0  # at overview, alerts this close on screen share one chip
# Magenta, light to dark by severity: apart from every report-status colour
# (cop_app.core.style) and the zone lines (the ceasefire line is a darker rose).
ALERT_COLOURS = {"critical": "#FF00FF", "high": "#FF00FF", "medium": "#E08CFF",
                 "low": "#C4B0E8"}  # fmt: skip
ALERT_EDGE = "#000000"  # a dark edge under every ring: magenta reads on day and night
WORLD = 4.1e7  # beyond the Mercator world: the layer never clips itself
Z_ALERTS = 60.0  # over tracks (40-42) and trails


def alert_colour(severity: str) -> str:
    return ALERT_COLOURS.get(severity, ALERT_COLOURS["critical"])


class AlertLayer(pg.GraphicsObject):
    layer_name = "alerts"

    def __init__(self, hub: Hub, declutter: SharedDeclutter | None = None) -> None:
        super().__init__()
        self.hub = hub
        self.alerts: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self.mx = self.my = np.zeros(0)
        self.version = 0
        self.chips = ChipSprites()
        self.declutter = declutter if declutter is not None else SharedDeclutter([])
        self.declutter.annotators.append(self)
        self._leaders: list[tuple[QPointF, QPointF]] = []
        self.drawn: list[tuple[str, QRectF]] = []  # chips of the last paint (tests read it)
        hub.pictureChanged.connect(lambda _c: self.refresh())
        hub.cursorChanged.connect(lambda _t: self._cursor_moved())
        hub.layersChanged.connect(lambda _l: self.refresh())
        hub.liveChanged.connect(lambda _l: self.refresh())
        hub.windowChanged.connect(lambda _w: self.refresh())

    @property
    def label_version(self) -> int:
        return self.version

    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        self.alerts = [a for a in alerts if ar.is_open(a)]
        self.refresh()

    def _cursor_moved(self) -> None:
        # Live, the cursor ticks every second; rings move only when fixes do.
        if self.alerts and not self.hub.live:
            self.refresh()

    def current(self) -> list[dict[str, Any]]:
        """The open alerts; replaying, only those already raised at the cursor, and
        under a time filter only those raised in its window (a ring from another time
        over the picture shown would claim a thing that had not happened then)."""
        lo, hi = -math.inf, math.inf
        if not self.hub.live:
            hi = self.hub.cursor
        if self.hub.window is not None:
            lo, hi = self.hub.window[0], min(hi, self.hub.window[1])
        if lo == -math.inf and hi == math.inf:
            return self.alerts
        return [a for a in self.alerts if (raised := wire_time(a.get("time"))) is None
                or lo <= raised <= hi]  # fmt: skip

    def positions(self, alerts: list[dict[str, Any]]) -> list[tuple[float, float] | None]:
        at = None if self.hub.live else self.hub.cursor
        return [ar.subject_position(self.hub.picture, str(a.get("subject") or ""), at)
                or ar.alert_position(a) for a in alerts]  # fmt: skip

    def subject_layer(self, subject: str) -> str | None:
        """The hub layer the subject is drawn on (None: not in the picture)."""
        picture = self.hub.picture
        state = picture.track_state(subject) if subject else None
        if state is not None:
            return state.domain.label
        return "reports" if subject and picture.report(subject) is not None else None

    def refresh(self) -> None:
        # A ring goes with its subject's layer: an empty ring where the officer has
        # hidden the thing would point at nothing (the dock and badge still count it).
        layers = self.hub.layers
        alerts = self.current()
        pos = [p if layers.get(self.subject_layer(str(a.get("subject") or "")) or "", True)
               else None for a, p in zip(alerts, self.positions(alerts), strict=True)]
        self.shown = [a for a, p in zip(alerts, pos, strict=True) if p is not None]
        lat = np.array([p[0] for p in pos if p is not None], float)
        lon = np.array([p[1] for p in pos if p is not None], float)
        x, y = to_mercator(lon, lat)
        self.mx, self.my = np.atleast_1d(x), np.atleast_1d(y)
        self.version += 1
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    # ---- what goes where ---------------------------------------------------------------
    @staticmethod
    def rings_shown(tr: QTransform) -> bool:
        return 1.0 / max(np.sqrt(abs(tr.determinant())), 1e-12) <= RING_MAX_M_PER_PX

    def _order(self) -> list[int]:
        """Most severe (then new before acknowledged) first."""
        return sorted(range(len(self.shown)), reverse=True, key=lambda i: (
            ar.SEVERITY_RANK.get(ar.severity(self.shown[i]), 0),
            ar.needs_attention(self.shown[i])))  # fmt: skip

    def groups(self, px: np.ndarray, py: np.ndarray, rings: bool) -> list[list[int]]:
        """Alerts that share a chip, worst first in each (one each when zoomed in)."""
        out: list[list[int]] = []
        for i in self._order():
            if rings:
                if ar.needs_attention(self.shown[i]):
                    out.append([i])
                continue
            for g in out:
                if np.hypot(px[i] - px[g[0]], py[i] - py[g[0]]) <= CLUSTER_PX:
                    g.append(i)
                    break
            else:
                out.append([i])
        return out

    def chip_text(self, group: list[int]) -> str:
        text = (ar.severity(self.shown[group[0]]) or "alert").upper()
        return f"{text} +{len(group) - 1}" if len(group) > 1 else text

    def label_requests(self, tr: QTransform, view: QRectF, dpr: float) -> list[Request]:
        if not self.shown:
            return []
        px, py = project(tr, self.mx, self.my)
        rings = self.rings_shown(tr)
        reqs = []
        for g in self.groups(px, py, rings):
            x, y = float(px[g[0]]), float(py[g[0]])
            if not view.adjusted(-80, -40, 80, 40).contains(QPointF(x, y)):
                continue
            sev = ar.severity(self.shown[g[0]])
            muted = not any(ar.needs_attention(self.shown[i]) for i in g)
            pm = self.chips.get(self.chip_text(g), alert_colour(sev), muted, dpr)
            w, h = pm.width() / dpr, pm.height() / dpr
            gap = RING_PX + 4 if rings else 14.0
            # Above-left first: track labels start to the right of their symbols. Then
            # the other sides, then the same a chip further out (a leader line joins a
            # chip set apart to its ring). A chip covers no place name, airspace limit
            # or other chip: where none of these is free it is not drawn this frame,
            # its ring still is (the alert stays visible and countable in the dock).
            first = (x - gap - w * 0.6, y - gap - h, x - gap + w * 0.4, y - gap)
            far = gap + h + 6
            opts = around(x, y, w, h, gap, gap, first=first)
            opts += around(x, y, w, h, far, far, first=(x - far - w * 0.6, y - far - h,
                                                      x - far + w * 0.4, y - far))
            reqs.append(Request(priority=100 + ar.SEVERITY_RANK.get(sev, 0), payload=(pm, g),
                                options=opts, level=PRIME))  # fmt: skip
        return reqs

    # ---- drawing -----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        self.drawn = []
        if not self.shown:
            return
        tr = QTransform(painter.transform())
        view = tr.mapRect(self.viewRect() if self.getViewBox() else self.boundingRect())
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        px, py = project(tr, self.mx, self.my)
        rings = self.rings_shown(tr)
        placed = self.declutter.placed(self, tr, view, float(dpr))
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # Zoomed in every subject has its ring; at overview only the worst of each
        # group (the chip counts the rest), so a line of alerts is one mark, not a smear.
        heads = self._order() if rings else [g[0] for g in self.groups(px, py, False)]
        for i in reversed(heads):  # the worst drawn last, on top
            self._ring(painter, QPointF(float(px[i]), float(py[i])), self.shown[i])
        for (pm, g), rect in placed:  # a leader from each chip to its ring
            at = QPointF(float(px[g[0]]), float(py[g[0]]))
            chip = QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])
            self._leader(painter, chip, at, alert_colour(ar.severity(self.shown[g[0]])))
            painter.drawPixmap(QPointF(round(rect[0]), round(rect[1])), pm)
            self.drawn.append((self.chip_text(g), QRectF(chip)))
        painter.restore()

    @staticmethod
    def _ring(painter: QPainter, at: QPointF, alert: dict[str, Any]) -> None:
        sev = ar.severity(alert)
        colour = QColor(alert_colour(sev))
        new = ar.needs_attention(alert)
        radii = (RING_PX, RING_PX + 5) if sev == "critical" else (RING_PX,)
        style = Qt.PenStyle.SolidLine if new else Qt.PenStyle.DashLine
        width = 3.0 if new else 2.0
        for r in radii:
            painter.setPen(QPen(QColor(ALERT_EDGE), width + 2.5, style))
            painter.drawEllipse(at, r, r)
            painter.setPen(QPen(colour, width, style))
            painter.drawEllipse(at, r, r)

    @staticmethod
    def _leader(painter: QPainter, chip: QRectF, at: QPointF, colour: str) -> None:
        """A line from the chip's nearest edge to the subject's ring, when they are apart."""
        near = QPointF(min(max(at.x(), chip.left()), chip.right()),
                       min(max(at.y(), chip.top()), chip.bottom()))  # fmt: skip
        d = float(np.hypot(at.x() - near.x(), at.y() - near.y()))
        if d < RING_PX + 6:
            return
        stop = at + (near - at) * (RING_PX / d)  # ends on the ring: the symbol stays clear
        painter.setPen(QPen(QColor(ALERT_EDGE), 4.0))
        painter.drawLine(near, stop)
        painter.setPen(QPen(QColor(colour), 2.0))
        painter.drawLine(near, stop)


def add_alert_layer(view: Any, hub: Hub) -> AlertLayer:
    """The alert layer on ``view``; its chips join the track layers' label pass."""
    names = view.layer_names() if hasattr(view, "layer_names") else []
    declutter = getattr(view.layer("air"), "declutter", None) if "air" in names else None
    layer = AlertLayer(hub, declutter)
    if declutter is not None and declutter.view is None:
        declutter.view = view
    elif declutter is None:
        layer.declutter.view = view
    view.add_layer(AlertLayer.layer_name, layer, Z_ALERTS)
    return layer
