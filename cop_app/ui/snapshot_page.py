"""The snapshot page around the map: banners, title and times, legend, graticule labels,
attribution. Sizes come from the page (logical px), so a slide and an A4 sheet both
read; every string is drawn with ``drawText`` (plain text, never markup).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from cop_app.core.timeutil import format_dtg
from cop_app.export.selection import Selection, select
from cop_app.ui.snapshot_collar import obstacles, paint_collar, paint_squares
from cop_app.ui.snapshot_grid import Grid
from cop_app.ui.snapshot_legend import (
    INK,
    MUTED,
    elide,
    legend_entries,
    paint_legend,
    pixel_font,
)

if TYPE_CHECKING:
    from cop_app.core.picture import Picture
    from cop_app.ui.snapshot import SnapshotInfo, SnapshotOptions
    from cop_app.ui.snapshot_map import SnapshotMap

def banner_ink(colour: str) -> QColor:
    """Black or white, whichever reads better on the banner colour (WCAG luminance)."""
    c = QColor(colour)

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())
    return QColor("#000000") if lum > 0.179 else QColor("#FFFFFF")


class PageLayout:
    """Where everything goes on a page of ``size`` logical px. Wide pages put the
    legend in a column at the right; tall ones put it in a band under the map."""

    def __init__(self, size: QSizeF, fmt: str) -> None:
        w, h = size.width(), size.height()
        self.size = size
        unit = min(h, w * 0.75)
        self.banner_h = max(20.0, unit * 0.03)
        self.pad = max(8.0, unit * 0.012)
        self.title_px = max(16.0, unit * 0.032)
        self.text_px = max(11.0, unit * 0.017)
        self.small_px = max(9.5, unit * 0.0125)
        header_h = self.title_px * 1.35 + self.text_px * 1.5
        footer_h = self.small_px * 4.15  # three lines: sources, grid, projection and area
        top = self.banner_h + self.pad
        self.header = QRectF(self.pad, top, w - 2 * self.pad, header_h)
        bottom = h - self.banner_h - self.pad
        self.footer = QRectF(self.pad, bottom - footer_h, w - 2 * self.pad, footer_h)
        map_top = self.header.bottom() + self.pad * 0.5
        map_bottom = self.footer.top() - self.pad * 0.5
        self.side = w >= h * 1.1
        if self.side:
            panel_w = min(max(w * 0.2, 220.0), 380.0)
            self.map_rect = QRectF(self.pad, map_top, w - 3 * self.pad - panel_w,
                                   map_bottom - map_top)  # fmt: skip
            self.legend = QRectF(self.map_rect.right() + self.pad, map_top, panel_w,
                                 map_bottom - map_top)  # fmt: skip
        else:
            band = (map_bottom - map_top) * 0.24
            self.map_rect = QRectF(self.pad, map_top, w - 2 * self.pad,
                                   map_bottom - map_top - band - self.pad)  # fmt: skip
            self.legend = QRectF(self.pad, self.map_rect.bottom() + self.pad, w - 2 * self.pad,
                                 band)  # fmt: skip
        # The collar: a white band round the map for the grid values (outside the
        # neatline, as on a printed map, so they cover nothing on the map).
        self.collar = round(self.small_px * 1.5)
        self.map_frame = self.map_rect
        c = self.collar
        inner = self.map_frame.adjusted(c, c, -c, -c)
        self.map_rect = QRectF(inner.topLeft(), QSizeF(round(inner.width()),
                                                       round(inner.height())))  # fmt: skip


# ---- what the footer says ----------------------------------------------------------------
def data_sources(sel: Selection) -> list[tuple[str, int]]:
    """Sources of what is in view, most items first."""
    count: Counter[str] = Counter()
    for p in sel.tracks:
        count.update(set(p.track.sources))
    for r in sel.reports:
        count.update(set(getattr(r, "sources", ()) or ()))
    return count.most_common()


def window_text(window: tuple[float, float] | None) -> str:
    if window is None:
        return "all times"
    a, b = window
    hours = (b - a) / 3600.0
    span = f"{hours:g} h" if hours >= 1 else f"{(b - a) / 60:g} min"
    return f"{format_dtg(a)} \u2013 {format_dtg(b)} ({span})"


# ---- painting ---------------------------------------------------------------------------
def paint_page(painter: QPainter, layout: PageLayout, smap: SnapshotMap, grid: Grid,
               picture: Picture, opts: SnapshotOptions, info: SnapshotInfo) -> None:  # fmt: skip
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    w, h = layout.size.width(), layout.size.height()
    painter.fillRect(QRectF(0, 0, w, h), QColor("#FFFFFF"))
    sel = select(picture, at=opts.at, window=opts.window, layers=set(opts.layers),
                 bbox=info.bbox)  # fmt: skip
    info.legend = legend_entries(sel, set(opts.layers), grid)
    sources = data_sources(sel)
    _header(painter, layout, opts, info)
    painter.save()
    painter.setClipRect(layout.map_rect)
    smap.render(painter, layout.map_rect)
    font = pixel_font(layout.small_px, bold=True)
    info.grid_labels = paint_squares(painter, layout.map_rect, grid, smap.to_widget, font,
                                     _taken(smap, sel, layout.map_rect))  # fmt: skip
    painter.restore()
    info.grid_labels += paint_collar(painter, layout.map_frame, layout.map_rect, grid,
                                     smap.to_widget, font)  # fmt: skip
    painter.setPen(QPen(INK, 1.2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(layout.map_rect)
    columns = 1 if layout.side else 3
    info.legend_layout = paint_legend(painter, layout.legend, info.legend, layout.text_px,
                                      layout.pad, columns)  # fmt: skip
    _footer(painter, layout, grid, info, sources)
    for y in (0.0, h - layout.banner_h):  # last: nothing may cover the marking
        _banner(painter, QRectF(0, y, w, layout.banner_h), opts.banner, opts.banner_colour)


def _taken(smap: SnapshotMap, sel: Selection, rect: QRectF) -> np.ndarray:
    """Boxes on the map (map px) a square name must not cover: every track with room for
    its label, every report, the north arrow (top right) and the scale bar (bottom
    left)."""
    boxes = [np.array([[rect.width() - 60.0, 0.0, rect.width(), 70.0],
                       [0.0, rect.height() - 80.0, 200.0, rect.height()]])]  # fmt: skip
    for points, labelled in ((sel.tracks, True), (sel.reports, False)):
        if points:
            lon = np.array([p.lon for p in points], float)
            lat = np.array([p.lat for p in points], float)
            ok = np.isfinite(lon) & np.isfinite(lat)
            xs, ys = smap.to_widget(lon[ok], lat[ok])
            boxes.append(obstacles(xs, ys, np.full(len(xs), labelled)))
    return np.vstack(boxes)


def _banner(painter: QPainter, rect: QRectF, text: str, colour: str) -> None:
    painter.fillRect(rect, QColor(colour))
    font = pixel_font(rect.height() * 0.6, bold=True)
    painter.setFont(font)
    painter.setPen(banner_ink(colour))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, elide(text, font, rect.width() - 20))


def _header(painter: QPainter, layout: PageLayout, opts: SnapshotOptions,
            info: SnapshotInfo) -> None:  # fmt: skip
    r = layout.header
    title = pixel_font(layout.title_px, bold=True)
    painter.setFont(title)
    painter.setPen(INK)
    base = r.top() + QFontMetricsF(title).ascent()
    painter.drawText(QPointF(r.left(), base), elide(opts.title, title, r.width()))
    text = pixel_font(layout.text_px)
    bold = pixel_font(layout.text_px, bold=True)
    parts = [("Picture time ", format_dtg(opts.at)), ("   Window ", window_text(opts.window)),
             ("   Produced ", format_dtg(info.produced))]  # fmt: skip
    info.header = [f"{k.strip()} {v}" for k, v in parts]
    x = r.left()
    y = base + layout.title_px * 0.45 + QFontMetricsF(text).ascent()
    for key, value in parts:
        for font, s in ((text, key), (bold, value)):
            painter.setFont(font)
            painter.setPen(MUTED if font is text else INK)
            painter.drawText(QPointF(x, y), s)
            x += QFontMetricsF(font).horizontalAdvance(s)


def _footer(painter: QPainter, layout: PageLayout, grid: Grid, info: SnapshotInfo,
            sources: list[tuple[str, int]]) -> None:  # fmt: skip
    r = layout.footer
    font = pixel_font(layout.small_px)
    fm = QFontMetricsF(font)
    names = ", ".join(s for s, _ in sources) if sources else "none in view"
    lines = [
        f"Base map: Natural Earth (public domain).  Data: {names}.",
        f"Grid: {grid.describe()}.",
        f"Projection: Web Mercator.  All times UTC (Z).  Area: {_bbox_text(info.bbox)}.  "
        "Produced by cop-app.",
    ]
    info.attribution = lines
    painter.setFont(font)
    painter.setPen(MUTED)
    for k, line in enumerate(lines):
        y = r.top() + fm.ascent() + k * fm.height() * 1.25 + layout.small_px * 0.3
        painter.drawText(QPointF(r.left(), y), elide(line, font, r.width()))


def _bbox_text(bbox: tuple[float, float, float, float]) -> str:
    from cop_app.ui.snapshot_grid import format_lat, format_lon

    w, s, e, n = bbox
    return f"{format_lon(w)}\u2013{format_lon(e)}, {format_lat(s)}\u2013{format_lat(n)}"
