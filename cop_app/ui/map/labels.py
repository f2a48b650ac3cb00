"""Track labels as pre-rendered sprites: the haloed text is drawn once, then blitted.

A two-line label with its 1 px halo is ten ``drawText`` calls (~40 us each through the
raster engine's glyph path); zoomed in on a dense theatre a frame shows ~1,000 labels,
so text alone took ~70 ms a frame. Rendering each distinct label once into a pixmap and
blitting it makes a label one ``drawPixmap`` (~2 us). Sprites are keyed by what they
show (lines, alarm, theme, pixel ratio), so a label is re-rendered only when its text
changes, and the cache is bounded (least recently used goes first).

Where labels go is one greedy pass per frame over every label on the map (air, sea and
land tracks, alert chips): ``LabelBoard`` gives each label, most important first, the
first of its candidate rectangles that overlaps no label placed before it, and avoids
the base map's place names and other symbols where it can.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap

LABEL_FONT_PT = 11  # legible from 2 m (UX.md, Screens)
EMERGENCY_RED = QColor("#FF1A1A")
PAD = 2  # px around the text: the halo is 1 px, antialiasing may touch one more
SpriteKey = tuple[tuple[str, ...], bool, bool, float]


def label_font() -> QFont:
    font = QFont()
    font.setPointSize(LABEL_FONT_PT)
    font.setBold(True)
    return font


class LabelSprites:
    """Label pixmaps by content, with where the text origin sits inside each one."""

    def __init__(self, limit: int = 1500) -> None:
        self.limit = limit
        self.font = label_font()
        self.metrics = QFontMetricsF(self.font)
        self._cache: OrderedDict[SpriteKey, tuple[QPixmap, QPointF]] = OrderedDict()
        self.rendered = 0  # sprites drawn from text so far (tests and benchmarks read it)
        self._sizes: dict[tuple[tuple[str, ...], float], tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def line_height(self) -> float:
        return self.metrics.height()

    def get(self, lines: tuple[str, ...], alarm: bool, night: bool,
            dpr: float = 1.0) -> tuple[QPixmap, QPointF]:  # fmt: skip
        """The sprite for ``lines`` and the offset of the first baseline's start in it.

        ``alarm`` draws the first line in emergency red (it names the squawk).
        """
        key = (lines, alarm, night, dpr)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        hit = self._render(lines, alarm, night, dpr)
        self._cache[key] = hit
        if len(self._cache) > self.limit:
            self._cache.popitem(last=False)
        return hit

    def size(self, lines: tuple[str, ...], dpr: float = 1.0) -> tuple[float, float]:
        """Width and height (device-independent px) of the sprite ``get`` would make,
        without making it: placement tries several labels for each one it places, and
        rendering is ~95% of a label's cost (~120 us against ~6 us), so a label is
        rendered only once placed and painted (``get``)."""
        key = (lines, dpr)
        hit = self._sizes.get(key)
        if hit is None:
            if len(self._sizes) > 20 * self.limit:
                self._sizes.clear()
            w, h = self._pixels(lines, dpr)
            hit = self._sizes[key] = (w / dpr, h / dpr)
        return hit

    def origin(self) -> QPointF:
        """Where the first baseline starts inside every sprite."""
        return QPointF(PAD, PAD + self.metrics.ascent())

    def _pixels(self, lines: tuple[str, ...], dpr: float) -> tuple[int, int]:
        fm = self.metrics
        width = max((fm.horizontalAdvance(t) for t in lines), default=0.0) + 2 * PAD
        height = len(lines) * fm.height() + 2 * PAD
        return max(1, math.ceil(width * dpr)), max(1, math.ceil(height * dpr))

    def _render(self, lines: tuple[str, ...], alarm: bool, night: bool,
                dpr: float) -> tuple[QPixmap, QPointF]:  # fmt: skip
        fm = self.metrics
        size = self._pixels(lines, dpr)
        origin = self.origin()
        bases = [origin + QPointF(0.0, k * fm.height()) for k in range(len(lines))]
        text_pen = QPen(QColor("#E8E8E8") if night else QColor("#000000"))
        # A 1 px halo so a label reads over land, sea and symbols: the text drawn once
        # in the halo colour and that image stamped four times (the same pixels as
        # drawing the text four times, at about half the cost: glyphs are the cost).
        halo = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
        halo.setDevicePixelRatio(dpr)
        halo.fill(0)
        p = QPainter(halo)
        p.setFont(self.font)
        p.setPen(QPen(QColor("#202020") if night else QColor("#FFFFFF")))
        for base, text in zip(bases, lines, strict=True):
            p.drawText(base, text)
        p.end()
        pm = QPixmap(*size)
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            p.drawImage(QPointF(dx, dy), halo)
        p.setFont(self.font)
        for k, (base, text) in enumerate(zip(bases, lines, strict=True)):
            p.setPen(QPen(EMERGENCY_RED) if alarm and k == 0 else text_pen)
            p.drawText(base, text)
        p.end()
        self.rendered += 1
        return pm, origin


# ---- one placement pass per frame ---------------------------------------------------
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in device px
SYMBOL = 1  # obstacle levels: a symbol another label would cover ...
TOWN = 2  # ... a base-map place name ...
LABEL = 3  # ... a label already placed (never covered, unless forced) ...
PRIME = 4  # ... an alert chip or an airspace limit (a forced label too keeps off it)


@dataclass
class Request:
    """A label that wants a place: its options in order of preference.

    ``tolerate`` is the highest obstacle level it may cover when nothing is free
    (SYMBOL: a plain track label may cover another symbol, never a place name);
    ``force`` places it whatever it covers (emergencies), at the option that covers
    the least; ``level`` is what it is to later labels once placed (PRIME: alert chips
    and airspace limits, placed first, which even a forced label avoids if it can).
    """

    priority: int  # higher places first
    options: list[Rect]
    payload: Any
    tolerate: int = SYMBOL
    force: bool = False
    symbol: Rect | None = None  # the labelled symbol: other labels avoid covering it
    key: Any = None  # names the label across passes (a track's index); else its options[0]
    level: int = LABEL


class LabelBoard:
    """Greedy rectangle placement: each label takes its first option that overlaps no
    label placed before it (and, if it can, no symbol or place name either).

    Rectangles are bucketed on a coarse grid, so a frame with a few hundred labels
    costs a few thousand rectangle tests, not n^2.
    """

    CELL = 128.0

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int], list[tuple[Rect, int]]] = {}
        self.placed: list[Rect] = []  # labels placed, in order (tests read them)

    def block(self, r: Rect, level: int) -> None:
        c, buckets = self.CELL, self._buckets
        for gx in range(int(r[0] // c), int(r[2] // c) + 1):
            for gy in range(int(r[1] // c), int(r[3] // c) + 1):
                cell = buckets.get((gx, gy))
                if cell is None:
                    buckets[(gx, gy)] = [(r, level)]
                else:
                    cell.append((r, level))

    def worst(self, r: Rect) -> int:
        """The highest obstacle level ``r`` overlaps (0: free)."""
        worst = 0
        x0, y0, x1, y1 = r
        c, buckets = self.CELL, self._buckets
        for gx in range(int(x0 // c), int(x1 // c) + 1):
            for gy in range(int(y0 // c), int(y1 // c) + 1):
                for (a, b, cc, d), level in buckets.get((gx, gy), ()):
                    if level > worst and a < x1 and x0 < cc and b < y1 and y0 < d:
                        if level == PRIME:
                            return PRIME
                        worst = level
        return worst

    def place(self, req: Request) -> Rect | None:
        fallback = None
        least = (PRIME + 1, None)
        for r in req.options:
            level = self.worst(r)
            if level == 0:
                return self.keep(r, req.level)
            if fallback is None and level <= req.tolerate:
                fallback = r
            if level < least[0]:
                least = (level, r)
        if fallback is not None:
            return self.keep(fallback, req.level)
        return self.keep(least[1], req.level) if req.force and least[1] is not None else None

    def keep(self, r: Rect, level: int = LABEL) -> Rect:
        """Put a label on the board (also one placed before, on a board being rebuilt)."""
        self.block(r, level)
        self.placed.append(r)
        return r


def around(x: float, y: float, w: float, h: float, gap_x: float, gap_y: float,
           first: Rect | None = None) -> list[Rect]:  # fmt: skip
    """Options for a ``w`` x ``h`` label beside a point: right, left, then the four
    diagonal corners (below first: a label above runs into the next track's)."""
    cy = y - h / 2.0
    opts = [(x + gap_x, cy, x + gap_x + w, cy + h)] if first is None else [first]
    opts += [
        (x - gap_x - w, cy, x - gap_x, cy + h),
        (x + gap_x * 0.6, y + gap_y, x + gap_x * 0.6 + w, y + gap_y + h),
        (x + gap_x * 0.6, y - gap_y - h, x + gap_x * 0.6 + w, y - gap_y),
        (x - gap_x * 0.6 - w, y + gap_y, x - gap_x * 0.6, y + gap_y + h),
        (x - gap_x * 0.6 - w, y - gap_y - h, x - gap_x * 0.6, y - gap_y),
    ]
    return opts


def town_rects(tr: Any) -> list[Rect]:
    """Where the base map's place names sit on screen (the basemap draws them the same
    way: dot at TOWN_DOT_AT inside an image of the name's width + 16 by 26 px)."""
    from cop_app.core.geo import to_mercator
    from cop_app.ui.map.basemap import TOWN_DOT_AT, TOWN_MAX_M_PER_PX, TOWNS

    if 1.0 / max(abs(tr.m11()), 1e-12) > TOWN_MAX_M_PER_PX:
        return []
    widths = _town_widths()
    x, y = to_mercator(np.array([t[2] for t in TOWNS]), np.array([t[1] for t in TOWNS]))
    px = tr.m11() * x + tr.m21() * y + tr.dx() - TOWN_DOT_AT.x()
    py = tr.m12() * x + tr.m22() * y + tr.dy() - TOWN_DOT_AT.y()
    return [(float(a), float(b), float(a) + w + 16.0, float(b) + 26.0)
            for a, b, w in zip(px.tolist(), py.tolist(), widths, strict=True)]  # fmt: skip


def chip_rect(x: float, y: float, w: float, h: float, inset_x: float, inset_y: float,
              avoid: list[Rect]) -> Rect:  # fmt: skip
    """Where a ``w`` x ``h`` count chip goes on a symbol at ``x``, ``y``: over its top
    left corner (its label starts at the right), else the first other corner, then the
    same corners a line further out, that covers no rectangle of ``avoid`` (place
    names). The chip moves rather than the place name giving way: the name is drawn
    under every layer, before anyone knows where chips go, and a chip by its symbol
    reads as well at any corner. If every corner is covered (the symbol sits on the
    name, covering it already) the chip keeps the top left."""
    left, right = (x - inset_x - w, x - inset_x), (x + inset_x, x + inset_x + w)
    up, down = (y - inset_y - h, y - inset_y), (y + inset_y, y + inset_y + h)
    corners = [(left, up), (right, up), (left, down), (right, down)]
    opts = [(a, b, c, d) for (a, c), (b, d) in corners]
    opts += [(a, b - h if b < y else b + h, c, d - h if b < y else d + h)
             for a, b, c, d in opts]  # fmt: skip
    for r in opts:
        if not any(r[0] < t[2] and t[0] < r[2] and r[1] < t[3] and t[1] < r[3]
                   for t in avoid):  # fmt: skip
            return r
    return opts[0]


@cache
def _town_widths() -> tuple[float, ...]:
    from cop_app.ui.map.basemap import TOWNS

    font = QFont()
    font.setPointSize(LABEL_FONT_PT)
    metrics = QFontMetricsF(font)
    return tuple(metrics.horizontalAdvance(name) for name, _, _ in TOWNS)


class ChipSprites:
    """Small text chips (alert severities, stack counts): dark fill, coloured border,
    light text, so they read on the day and the night map alike. Cached by content."""

    def __init__(self) -> None:
        self.font = label_font()
        self.metrics = QFontMetricsF(self.font)
        self._cache: dict[tuple[str, str, bool, float], QPixmap] = {}

    def get(self, text: str, border: str, muted: bool = False, dpr: float = 1.0) -> QPixmap:
        key = (text, border, muted, dpr)
        pm = self._cache.get(key)
        if pm is None:
            if len(self._cache) > 500:
                self._cache.clear()
            pm = self._cache[key] = self._render(*key)
        return pm

    def _render(self, text: str, border: str, muted: bool, dpr: float) -> QPixmap:
        fm = self.metrics
        w, h = fm.horizontalAdvance(text) + 10.0, fm.height() + 2.0
        pm = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(border), 2.0, Qt.PenStyle.DashLine if muted else Qt.PenStyle.SolidLine)
        p.setPen(pen)
        p.setBrush(QColor(24, 8, 30, 235))
        p.drawRoundedRect(QRectF(1, 1, w - 2, h - 2), 4, 4)
        p.setFont(self.font)
        p.setPen(QColor("#B8B8B8" if muted else "#FFFFFF"))
        p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, text)
        p.end()
        return pm
