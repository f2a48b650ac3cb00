"""Open alerts on the map: a ring round each subject, in its severity's colour, with the
severity spelled out beside it (colour, shape and text: never colour alone, UX.md).

New (unacknowledged) alerts get a thick solid double ring; acknowledged ones a thin
dashed ring, so what still needs a person stands out. The ring follows the subject
(the track's fix at the hub's cursor), falling back to where the alert was raised.
One item for all rings, drawn in device pixels so rings keep their size at any zoom.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from cop_app.core.geo import to_mercator
from cop_app.ui.hub import Hub
from cop_app.ui.map._draw import haloed_text, label_font
from cop_app.ui.panels import alert_rows as ar

RING_PX = 16.0
WORLD = 4.1e7  # beyond the Mercator world: the layer never clips itself
Z_ALERTS = 60.0  # over tracks (40-42) and trails


class AlertLayer(pg.GraphicsObject):
    layer_name = "alerts"

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub
        self.alerts: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self.mx = self.my = np.zeros(0)
        hub.pictureChanged.connect(lambda _c: self.refresh())
        hub.cursorChanged.connect(lambda _t: self._cursor_moved())
        self._last_cursor = 0.0

    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        self.alerts = [a for a in alerts if ar.is_open(a)]
        self.refresh()

    def _cursor_moved(self) -> None:
        # Live, the cursor ticks every second; rings move only when fixes do.
        if self.alerts and not self.hub.live:
            self.refresh()

    def positions(self) -> list[tuple[float, float] | None]:
        at = None if self.hub.live else self.hub.cursor
        return [ar.subject_position(self.hub.picture, str(a.get("subject") or ""), at)
                or ar.alert_position(a) for a in self.alerts]  # fmt: skip

    def refresh(self) -> None:
        pos = self.positions()
        self.shown = [a for a, p in zip(self.alerts, pos, strict=True) if p is not None]
        lat = np.array([p[0] for p in pos if p is not None], float)
        lon = np.array([p[1] for p in pos if p is not None], float)
        x, y = to_mercator(lon, lat)
        self.mx, self.my = np.atleast_1d(x), np.atleast_1d(y)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self.shown:
            return
        tr = painter.transform()
        px = tr.m11() * self.mx + tr.m21() * self.my + tr.dx()
        py = tr.m12() * self.mx + tr.m22() * self.my + tr.dy()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        font = label_font(10)
        # Most severe last, so it is drawn on top.
        order = sorted(range(len(self.shown)),
                       key=lambda i: ar.SEVERITY_RANK.get(ar.severity(self.shown[i]), 0))
        for i in order:
            a = self.shown[i]
            sev = ar.severity(a)
            colour = QColor(ar.SEVERITY_COLOURS.get(sev, "#E53935"))
            centre = QPointF(float(px[i]), float(py[i]))
            new = ar.needs_attention(a)
            pen = QPen(colour, 4.0 if new else 2.0)
            if not new:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawEllipse(centre, RING_PX, RING_PX)
            if new:
                painter.setPen(QPen(colour, 1.5))
                painter.drawEllipse(centre, RING_PX + 5, RING_PX + 5)
            # Above the ring, left of centre: track labels sit to the right of symbols.
            haloed_text(painter, centre + QPointF(-RING_PX - 4, -RING_PX - 8),
                        (sev or "alert").upper(), colour.name(), "#111111", font)
        painter.restore()


def add_alert_layer(view: Any, hub: Hub) -> AlertLayer:
    layer = AlertLayer(hub)
    view.add_layer(AlertLayer.layer_name, layer, Z_ALERTS)
    return layer
