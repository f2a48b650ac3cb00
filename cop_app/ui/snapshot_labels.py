"""Track labels for the vector snapshots (PDF, SVG), as text rather than bitmaps.

On screen and in a PNG the track layers blit pre-rendered label sprites; in a PDF or
SVG those would be 96 dpi pictures of text (blurred in print, not searchable, an
image per label in an SVG). So the vector products draw the labels again here with
``drawText``: the same words (``label_lines``, ``emergency_text``: callsign or name,
then flight level or speed; HIJACK / NORDO / EMERGENCY first, in red), the same font
and the same zoom threshold as the screen.

Which tracks: a page is read zoomed out, where the screen labels only emergencies;
a brief must still name who matters, so emergencies, selected tracks and hostile or
suspect tracks are labelled at any scale, the rest past the screen's zoom threshold.

Placement uses the screen's ``LabelBoard`` (one greedy pass across the air, sea and
land layers): emergencies, then selected, then hostile tracks, then the rest, each at
the first of its spots beside the symbol that overlaps no placed label (and no symbol,
if it can). A must-label track (emergency, selected, hostile) with no free spot
beside it tries wider rings of spots (``RINGS``), joined to its symbol by a thin
leader, and only then overlaps; any other label with no spot is left out.

``scale`` shrinks symbols, gaps and text on a small page (an A4 map is ~850 px wide at
96 per inch, where the screen's 26 px symbols and 11 pt labels bury a cluster of
UAVs): see ``page_symbol_scale``. The screen also
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
    QPen,
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
EMERGENCY, SELECTED, HOSTILE_RANK, OTHER = 0, 1, 2, 3
RINGS = (1.0, 2.5, 4.0, 5.5, 7.0, 9.0)  # label gaps, in symbol gaps, for must-labels
MIN_LABEL_PT = 7.0  # the smallest text a printed brief keeps (about 2.5 mm capitals)
FULL_SCALE_MAP_PX = 1500.0  # a map frame this wide or wider draws at screen size


def page_symbol_scale(map_width_px: float) -> float:
    """Symbols and labels on a map frame ``map_width_px`` logical px wide: screen size
    on a slide, down to 0.55 on an A4 sheet (26 px symbols become ~4 mm)."""
    return float(min(1.0, max(0.55, map_width_px / FULL_SCALE_MAP_PX)))


class VectorTrackLabels(pg.GraphicsObject):
    """Labels of every track layer in view, placed together (see the module doc)."""

    def __init__(self, layers: list[Any], scale: float = 1.0) -> None:
        super().__init__()
        self.layers = layers
        self.scale = scale
        self.font = label_font()
        if scale < 1.0:
            self.font.setPointSizeF(max(MIN_LABEL_PT, self.font.pointSizeF() * scale))
        self.metrics = QFontMetricsF(self.font)
        self.symbol_px = SYMBOL_PX * scale
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
        """(rank, x, y, layer, index) of each symbol in view; ranks: EMERGENCY, SELECTED,
        HOSTILE_RANK at any scale, OTHER zoomed in; -1: no label (zoomed out)."""
        out = []
        selection = self.layers[0].hub.selection
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
                    rank = EMERGENCY
                elif selection and layer.keys[i] in selection:
                    rank = SELECTED
                elif int(layer.identity[i]) in HOSTILE:
                    rank = HOSTILE_RANK
                else:
                    rank = OTHER if zoomed_in else -1
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
        half = self.symbol_px * 0.45
        for _, x, y, _, _ in cands:  # every symbol is an obstacle for the labels
            board.block((x - half, y - half, x + half, y + half), SYMBOL)
        wanted = sorted((c for c in cands if c[0] >= 0), key=lambda c: (c[0], c[2], c[1]))
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        for rank, x, y, layer, i in wanted:
            lines = self._lines(layer, i)
            spot = self._place(board, x, y, lines, must=rank < OTHER)
            if spot is not None:
                self._leader(painter, x, y, spot)
                self._draw(painter, spot, lines, alarm=rank == EMERGENCY)
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
               must: bool) -> tuple[float, float, float, float] | None:  # fmt: skip
        """The screen's placement rules (``cop_app.ui.map.labels``): right, left, then
        the corners; a label may cover another symbol but never a placed label. A
        must-label track tries wider rings before it overlaps (module doc)."""
        fm = self.metrics
        w = max(fm.horizontalAdvance(t) for t in lines) + 4
        h = fm.height() * len(lines) + 2
        gap = self.symbol_px * 0.6
        if not must:
            return board.place(Request(0, around(x, y, w, h, gap, gap), lines))
        for ring in RINGS:
            spot = board.place(Request(0, around(x, y, w, h, gap * ring, gap * ring), lines,
                                       force=ring == RINGS[-1]))  # fmt: skip
            if spot is not None:
                return spot
        return None

    def _leader(self, painter: QPainter, x: float, y: float,
                r: tuple[float, float, float, float]) -> None:  # fmt: skip
        """A thin line from a symbol to a label pushed away from it (wider rings)."""
        nx, ny = min(max(x, r[0]), r[2]), min(max(y, r[1]), r[3])
        if (nx - x) ** 2 + (ny - y) ** 2 <= (self.symbol_px * 1.2) ** 2:
            return
        painter.setPen(QPen(QColor("#303030"), 0.8))
        painter.drawLine(QPointF(x, y), QPointF(nx, ny))

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
