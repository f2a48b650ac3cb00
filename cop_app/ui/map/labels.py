"""Track labels as pre-rendered sprites: the haloed text is drawn once, then blitted.

A two-line label with its 1 px halo is ten ``drawText`` calls (~40 us each through the
raster engine's glyph path); zoomed in on a dense theatre a frame shows ~1,000 labels,
so text alone took ~70 ms a frame. Rendering each distinct label once into a pixmap and
blitting it makes a label one ``drawPixmap`` (~2 us). Sprites are keyed by what they
show (lines, alarm, theme, pixel ratio), so a label is re-rendered only when its text
changes, and the cache is bounded (least recently used goes first).
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap

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

    def _render(self, lines: tuple[str, ...], alarm: bool, night: bool,
                dpr: float) -> tuple[QPixmap, QPointF]:  # fmt: skip
        fm = self.metrics
        width = max((fm.horizontalAdvance(t) for t in lines), default=0.0) + 2 * PAD
        height = len(lines) * fm.height() + 2 * PAD
        pm = QPixmap(max(1, math.ceil(width * dpr)), max(1, math.ceil(height * dpr)))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        origin = QPointF(PAD, PAD + fm.ascent())
        text_pen = QPen(QColor("#E8E8E8") if night else QColor("#000000"))
        halo = QPen(QColor("#202020") if night else QColor("#FFFFFF"))
        p = QPainter(pm)
        p.setFont(self.font)
        for k, text in enumerate(lines):
            base = origin + QPointF(0.0, k * fm.height())
            p.setPen(halo)  # a 1 px halo so a label reads over land, sea and symbols
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                p.drawText(base + QPointF(dx, dy), text)
            p.setPen(QPen(EMERGENCY_RED) if alarm and k == 0 else text_pen)
            p.drawText(base, text)
        p.end()
        self.rendered += 1
        return pm, origin
