"""Open alerts on the map: a ring round each subject, in its severity's colour, with the
severity spelled out beside it (colour, shape and text: never colour alone, UX.md).

New (unacknowledged) alerts get a solid ring and a severity label (one label per
screen cell, the most severe, so a hundred alerts along a line do not bury the map);
acknowledged ones a thin dashed ring, so what still needs a person stands out. The
ring follows the subject (the track's fix at the hub's cursor), falling back to where
the alert was raised.
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
LABEL_CELL = (90, 40)  # px: one severity label per cell, the most severe
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
        hub.layersChanged.connect(lambda _l: self.refresh())
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
        pos = [p if layers.get(self.subject_layer(str(a.get("subject") or "")) or "", True)
               else None for a, p in zip(self.alerts, self.positions(), strict=True)]
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
        taken: set[tuple[int, int]] = set()  # label cells: many alerts, few labels
        # Most severe first, so its label wins a crowded cell; its ring is drawn last.
        order = sorted(range(len(self.shown)), reverse=True,
                       key=lambda i: ar.SEVERITY_RANK.get(ar.severity(self.shown[i]), 0))
        labels = []
        for i in order:
            a = self.shown[i]
            cell = (int(px[i] // LABEL_CELL[0]), int(py[i] // LABEL_CELL[1]))
            if ar.needs_attention(a) and cell not in taken:
                taken.add(cell)
                labels.append(i)
        for i in reversed(order):
            a = self.shown[i]
            colour = QColor(ar.SEVERITY_COLOURS.get(ar.severity(a), "#E53935"))
            pen = QPen(colour, 3.0)
            if not ar.needs_attention(a):  # acknowledged: thin and dashed
                pen = QPen(colour, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawEllipse(QPointF(float(px[i]), float(py[i])), RING_PX, RING_PX)
        for i in labels:
            sev = ar.severity(self.shown[i])
            # Above the ring, left of centre: track labels sit to the right of symbols.
            haloed_text(painter, QPointF(float(px[i]) - RING_PX - 4, float(py[i]) - RING_PX - 6),
                        (sev or "alert").upper(), ar.SEVERITY_COLOURS.get(sev, "#E53935"),
                        "#111111", font)  # fmt: skip
        painter.restore()


def add_alert_layer(view: Any, hub: Hub) -> AlertLayer:
    layer = AlertLayer(hub)
    view.add_layer(AlertLayer.layer_name, layer, Z_ALERTS)
    return layer
