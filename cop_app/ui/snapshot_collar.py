"""Grid labels of a snapshot: values in the collar round the map, square names on it.

Like the margin of a printed map: each grid line is ticked where it meets the frame
and its value written in a white collar outside the neatline (lon/lat, or MGRS
principal digits with the first line's full value), so no label ever covers a track
or its label. Left and right values are turned to read up the edge, so the collar is
one text line thick all round.

MGRS 100 km square names ("36T UR") go on the map, each at the first of its spots
clear of track symbols, track labels, report symbols and the other names; a square
with no clear spot is not named on the map (the footer and legend list every one).
Text is drawn with ``drawText``, so a PDF or SVG keeps it as text (searchable,
``pdftotext``), not as outlines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from cop_app.ui.snapshot_grid import Grid, Tick

TICK_INK = QColor("#34495E")
SQUARE_INK = QColor("#34495E")
PLATE = QColor(255, 255, 255, 200)
TRACK_LABEL_BOX = (130.0, 44.0)  # px right of a symbol a track label may take (map/tracks)
SYMBOL_BOX = 26.0  # px round a track or report symbol


@dataclass(frozen=True)
class DrawnLabel:
    """A grid label as drawn: tests and callers read what the page says and where."""

    kind: str  # top | bottom | left | right | square
    text: str
    rect: QRectF  # logical px on the page


def obstacles(xs: np.ndarray, ys: np.ndarray, labelled: np.ndarray) -> np.ndarray:
    """(n, 4) boxes x0, y0, x1, y1 in map px: each symbol, and the label box right of
    it when ``labelled`` (a track; reports carry no label on the map)."""
    h = SYMBOL_BOX / 2
    right = np.where(labelled, xs + h + TRACK_LABEL_BOX[0], xs + h)
    bottom = np.where(labelled, np.maximum(ys + h, ys - h + TRACK_LABEL_BOX[1]), ys + h)
    return np.column_stack([xs - h, ys - h, right, bottom])


def _free(box: tuple[float, float, float, float], taken: np.ndarray) -> bool:
    if not len(taken):
        return True
    x0, y0, x1, y1 = box
    hit = (taken[:, 0] < x1) & (taken[:, 2] > x0) & (taken[:, 1] < y1) & (taken[:, 3] > y0)
    return not bool(hit.any())


def paint_collar(painter: QPainter, frame: QRectF, inner: QRectF, grid: Grid, project,
                 font) -> list[DrawnLabel]:  # fmt: skip
    """Ticks and values in the band between ``frame`` (outer) and ``inner`` (the map).
    ``project(lon, lat) -> (x, y)`` gives map px (arrays)."""
    fm = QFontMetricsF(font)
    depth = inner.top() - frame.top()
    drawn: list[DrawnLabel] = []
    painter.save()
    painter.setFont(font)
    painter.setPen(QPen(TICK_INK, 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(frame)
    by_side: dict[str, list[Tick]] = {s: [] for s in ("top", "bottom", "left", "right")}
    for t in grid.ticks:
        by_side[t.side].append(t)
    for side, ticks in by_side.items():
        if not ticks:
            continue
        xs, ys = project(np.array([t.lon for t in ticks]), np.array([t.lat for t in ticks]))
        along = (inner.left() + xs) if side in ("top", "bottom") else (inner.top() + ys)
        lo, hi = ((inner.left(), inner.right()) if side in ("top", "bottom")
                  else (inner.top(), inner.bottom()))  # fmt: skip
        # Full values first (they anchor the reading), then the rest, nearest-first.
        order = sorted(range(len(ticks)), key=lambda k: (not ticks[k].full, along[k]))
        spans: list[tuple[float, float]] = []
        for k in order:
            pos, t = float(along[k]), ticks[k]
            if not lo <= pos <= hi:
                continue
            half = fm.horizontalAdvance(t.text) / 2 + 3
            a, b = max(pos - half, lo), min(pos + half, hi)
            a, b = (a, a + 2 * half) if a == lo else ((b - 2 * half, b) if b == hi else (a, b))
            _tick_mark(painter, side, pos, frame, inner, depth)
            if any(a < s1 and b > s0 for s0, s1 in spans):
                continue  # the tick stays; the value would run into a neighbour's
            spans.append((a, b))
            drawn.append(DrawnLabel(side, t.text, _write(painter, side, (a + b) / 2, frame,
                                                         inner, t.text, fm)))  # fmt: skip
    painter.restore()
    return drawn


def _tick_mark(painter: QPainter, side: str, pos: float, frame: QRectF, inner: QRectF,
               depth: float) -> None:  # fmt: skip
    n = depth * 0.3
    if side == "top":
        painter.drawLine(QPointF(pos, inner.top()), QPointF(pos, inner.top() - n))
    elif side == "bottom":
        painter.drawLine(QPointF(pos, inner.bottom()), QPointF(pos, inner.bottom() + n))
    elif side == "left":
        painter.drawLine(QPointF(inner.left(), pos), QPointF(inner.left() - n, pos))
    else:
        painter.drawLine(QPointF(inner.right(), pos), QPointF(inner.right() + n, pos))


def _write(painter: QPainter, side: str, centre: float, frame: QRectF, inner: QRectF,
           text: str, fm: QFontMetricsF) -> QRectF:  # fmt: skip
    """The value centred on its tick in the collar; left/right turned to read upward."""
    w = fm.horizontalAdvance(text)
    band = inner.top() - frame.top()
    base = (band + fm.ascent() - fm.descent()) / 2  # baseline that centres the text
    painter.setPen(TICK_INK)
    if side in ("top", "bottom"):
        top = frame.top() if side == "top" else inner.bottom()
        painter.drawText(QPointF(centre - w / 2, top + base), text)
        return QRectF(centre - w / 2, top, w, band)
    left = frame.left() if side == "left" else inner.right()
    painter.save()
    painter.translate(left + base, centre + w / 2)
    painter.rotate(-90.0)
    painter.drawText(QPointF(0.0, 0.0), text)
    painter.restore()
    return QRectF(left, centre - w / 2, band, w)


def paint_squares(painter: QPainter, inner: QRectF, grid: Grid, project, font,
                  taken: np.ndarray) -> list[DrawnLabel]:  # fmt: skip
    """Each square's name at its first clear spot (``taken``: boxes in map px)."""
    if not grid.cell_labels:
        return []
    fm = QFontMetricsF(font)
    taken = taken.reshape(-1, 4) if len(taken) else np.empty((0, 4))
    drawn: list[DrawnLabel] = []
    pad = 3.0
    for text, lon, lat in grid.cell_labels:
        spots = grid.cell_spots.get(text, np.empty((0, 2)))
        cand = np.vstack([[[lon, lat]], spots]) if len(spots) else np.array([[lon, lat]])
        xs, ys = project(cand[:, 0], cand[:, 1])
        w, h = fm.horizontalAdvance(text), fm.height()
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            box = (x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad)
            if box[0] < 4 or box[1] < 4 or box[2] > inner.width() - 4 \
                    or box[3] > inner.height() - 4:  # fmt: skip
                continue
            if not _free(box, taken):
                continue
            taken = np.vstack([taken, [box]])
            at = QPointF(inner.left() + x - w / 2, inner.top() + y - h / 2 + fm.ascent())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(PLATE)  # a light plate, not a halo: text stays text in PDF/SVG
            painter.drawRoundedRect(QRectF(inner.left() + box[0] + 1, inner.top() + box[1] + 1,
                                           box[2] - box[0] - 2, box[3] - box[1] - 2), 3, 3)
            painter.setFont(font)
            painter.setPen(SQUARE_INK)
            painter.drawText(at, text)
            drawn.append(DrawnLabel("square", text, QRectF(inner.left() + box[0],
                                                           inner.top() + box[1],
                                                           box[2] - box[0], box[3] - box[1])))
            break
    return drawn

