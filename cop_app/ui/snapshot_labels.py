"""Track labels for the vector snapshots (PDF, SVG), as text rather than bitmaps.

On screen and in a PNG the track layers blit pre-rendered label sprites; in a PDF or
SVG those would be 96 dpi pictures of text (blurred in print, not searchable, an
image per label in an SVG). So the vector products draw the labels again here with
``drawText``: the same words (``label_lines``, ``emergency_text``: callsign or name,
then flight level or speed; HIJACK / NORDO / EMERGENCY first, in red), the same font
and the same zoom threshold as the screen.

Placement uses the screen's ``LabelBoard`` (one greedy pass across the air, sea and
land layers): emergencies, then hostile tracks, then the rest, each at the first of
its spots beside the symbol that overlaps no placed label (and no symbol, if it can);
a label with no spot is left out, emergencies are always drawn. The screen also
avoids place names and alert chips; the page does not need to (no alerts on paper).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QTransform,
)

from cop_app.core.enums import Identity
from cop_app.ui.map.labels import SYMBOL, LabelBoard, Request, around, label_font
from cop_app.ui.map.symbols import SYMBOL_PX
from cop_app.ui.map.tracks import attributes, emergency_text, label_lines

log = logging.getLogger(__name__)
LABELS_Z = 43.0  # over the track layers (40-42)
EMERGENCY_RED = QColor("#D00000")  # on paper: darker than the screen's #FF1A1A
HOSTILE = frozenset({int(Identity.HOSTILE), int(Identity.SUSPECT), int(Identity.JOKER),
                     int(Identity.FAKER)})  # fmt: skip


class VectorTrackLabels(pg.GraphicsObject):
    """Labels of every track layer in view, placed together (see the module doc)."""

    def __init__(self, layers: list[Any]) -> None:
        super().__init__()
        self.layers = layers
        self.font = label_font()
        self.metrics = QFontMetricsF(self.font)
        self.drawn: list[tuple[str, ...]] = []  # what the last paint wrote (tests read it)

    def boundingRect(self) -> QRectF:
        return self.layers[0].boundingRect()

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        # An exception escaping a Python paint override crashes shiboken; log instead.
        try:
            self._paint(painter)
        except Exception:
            log.exception("vector track labels failed")

    def _candidates(self, tr: QTransform, view: QRectF) -> list[tuple]:
        """(rank, x, y, layer, index) of each symbol in view; ranks: 0 emergency, 1 hostile,
        2 other; -1 marks a symbol that gets no label (zoomed out, not an emergency)."""
        out = []
        for layer in self.layers:
            if not layer.isVisible() or not len(layer.keys):
                continue
            px = tr.m11() * layer.mx + tr.m21() * layer.my + tr.dx()
            py = tr.m12() * layer.mx + tr.m22() * layer.my + tr.dy()
            inside = np.flatnonzero((px > view.left()) & (px < view.right())
                                    & (py > view.top()) & (py < view.bottom()))  # fmt: skip
            m_per_px = 1.0 / max(np.sqrt(abs(tr.determinant())), 1e-12)
            zoomed_in = m_per_px <= layer.label_max_m_per_px
            emergency = np.asarray(getattr(layer, "_emergency_mask", np.zeros(len(px), bool)))
            for i in inside.tolist():
                if emergency[i]:
                    rank = 0
                elif not zoomed_in:
                    rank = -1
                else:
                    rank = 1 if int(layer.identity[i]) in HOSTILE else 2
                out.append((rank, float(px[i]), float(py[i]), layer, i))
        return out

    def _paint(self, painter: QPainter) -> None:
        self.drawn = []
        hub = self.layers[0].hub
        if not hub.layers.get("labels", True):
            return
        tr = QTransform(painter.transform())
        view = tr.mapRect(self.layers[0].viewRect())
        cands = self._candidates(tr, view)
        board = LabelBoard()
        half = SYMBOL_PX * 0.45
        for _, x, y, _, _ in cands:  # every symbol is an obstacle for the labels
            board.block((x - half, y - half, x + half, y + half), SYMBOL)
        wanted = sorted((c for c in cands if c[0] >= 0), key=lambda c: (c[0], c[2], c[1]))
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        for rank, x, y, layer, i in wanted:
            lines = self._lines(layer, i)
            spot = self._place(board, x, y, lines, force=rank == 0)
            if spot is not None:
                self._draw(painter, spot, lines, alarm=rank == 0)
                self.drawn.append(lines)
        painter.restore()

    def _lines(self, layer: Any, i: int) -> tuple[str, ...]:
        frame = layer.frame
        key = layer.keys[i]
        fields = attributes(layer.hub.picture, frame.rows[[i]], [key])[0]
        lines = label_lines(layer.domain, fields, key, float(frame.altitude_ft[i]),
                            float(frame.speed_kn[i]))  # fmt: skip
        alarm = emergency_text(fields)
        return (alarm, *lines) if alarm else tuple(lines)

    def _place(self, board: LabelBoard, x: float, y: float, lines: tuple[str, ...],
               force: bool) -> tuple[float, float, float, float] | None:  # fmt: skip
        """The screen's placement rules (``cop_app.ui.map.labels``): right, left, then
        the corners; a label may cover another symbol but never a placed label."""
        fm = self.metrics
        w = max(fm.horizontalAdvance(t) for t in lines) + 4
        h = fm.height() * len(lines) + 2
        gap = SYMBOL_PX * 0.6
        return board.place(Request(0, around(x, y, w, h, gap, gap), lines, force=force))

    def _draw(self, painter: QPainter, r: tuple[float, float, float, float],
              lines: tuple[str, ...], alarm: bool) -> None:  # fmt: skip
        fm = self.metrics
        halo = QPainterPathStroker()
        halo.setWidth(3.0)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for k, text in enumerate(lines):
            at = QPointF(r[0] + 2, r[1] + 1 + fm.ascent() + k * fm.height())
            path = QPainterPath()
            path.addText(at, self.font, text)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#FFFFFF"))  # the halo as a shape, the words as text
            painter.drawPath(halo.createStroke(path))
            painter.setPen(EMERGENCY_RED if alarm and k == 0 else QColor("#000000"))
            painter.drawText(at, text)
