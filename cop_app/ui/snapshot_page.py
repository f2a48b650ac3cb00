"""The snapshot page around the map: banners, title and times, legend, graticule labels,
attribution. Sizes come from the page (logical px), so a slide and an A4 sheet both
read; every string is drawn with ``drawText`` (plain text, never markup).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from cop_app.core.enums import Domain, Identity
from cop_app.core.style import STATUS_LABELS, zone_colour
from cop_app.core.timeutil import format_dtg
from cop_app.export.selection import Selection, select
from cop_app.ui.map._draw import cosmetic_pen, haloed_text
from cop_app.ui.map.reports_layer import E, draw_symbol
from cop_app.ui.map.symbols import paint_symbol
from cop_app.ui.snapshot_grid import Grid

if TYPE_CHECKING:
    from cop_app.core.picture import Picture
    from cop_app.ui.snapshot import SnapshotInfo, SnapshotOptions
    from cop_app.ui.snapshot_map import SnapshotMap

INK = QColor("#1A1A1A")
MUTED = QColor("#4A4A4A")
IDENTITY_GROUPS = (  # (label, identities, the one whose symbol the legend shows)
    ("Hostile / suspect", (Identity.HOSTILE, Identity.SUSPECT, Identity.JOKER, Identity.FAKER),
     Identity.HOSTILE),
    ("Friend", (Identity.FRIEND, Identity.ASSUMED_FRIEND), Identity.FRIEND),
    ("Neutral", (Identity.NEUTRAL,), Identity.NEUTRAL),
    ("Unknown / pending", (Identity.UNKNOWN, Identity.PENDING), Identity.UNKNOWN),
)  # fmt: skip
LAYER_TITLES = {"air": "Air tracks", "sea": "Sea tracks", "land": "Land tracks",
                "reports": "Land reports", "zones": "Zones"}  # fmt: skip


@dataclass(frozen=True)
class LegendEntry:
    layer: str  # air | sea | land | reports | zones
    label: str
    count: int
    detail: bool = False  # a breakdown row under its layer's row
    swatch: tuple[str, Any] = ("none", None)


def pixel_font(px: float, bold: bool = False) -> QFont:
    """Page furniture is sized from the page, in logical pixels, not points."""
    font = QFont()
    font.setPixelSize(max(6, round(px)))
    font.setBold(bold)
    return font


def elide(text: str, font: QFont, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(width, 10.0))


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
        footer_h = self.small_px * 2.9
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
        self.map_rect = QRectF(self.map_rect.topLeft(),
                               QSizeF(round(self.map_rect.width()),
                                      round(self.map_rect.height())))  # fmt: skip


# ---- what the legend and the footer say ---------------------------------------------------
def legend_entries(sel: Selection, layers: set[str]) -> list[LegendEntry]:
    """One row per visible layer with its count in view, then a breakdown."""
    rows: list[LegendEntry] = []
    for name in ("air", "sea", "land"):
        if name not in layers:
            continue
        tracks = sel.tracks_in(name)
        domain = Domain.parse(name)
        rows.append(LegendEntry(name, LAYER_TITLES[name], len(tracks),
                                swatch=("track", (Identity.UNKNOWN, domain))))  # fmt: skip
        ids = Counter(int(p.track.identity) for p in tracks)
        for label, members, shown in IDENTITY_GROUPS:
            n = sum(ids[int(m)] for m in members)
            if n:
                rows.append(LegendEntry(name, label, n, True, ("track", (shown, domain))))
    if "reports" in layers or "land" in layers:
        layer = "reports" if "reports" in layers else "land"
        rows.append(LegendEntry(layer, LAYER_TITLES["reports"], len(sel.reports),
                                swatch=("report", "reported")))  # fmt: skip
        by = Counter(str(r.status) for r in sel.reports)
        rows += [LegendEntry(layer, STATUS_LABELS.get(s, s), by[s], True, ("report", s))
                 for s in STATUS_LABELS if by[s]]  # fmt: skip
    if "zones" in layers:
        rows.append(LegendEntry("zones", LAYER_TITLES["zones"], len(sel.zones),
                                swatch=("zone", "buffer")))  # fmt: skip
        kinds = Counter(str(z.kind) for z in sel.zones)
        rows += [LegendEntry("zones", k.replace("_", " ").capitalize(), n, True, ("zone", k))
                 for k, n in sorted(kinds.items())]  # fmt: skip
    return rows


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
    info.legend = legend_entries(sel, set(opts.layers))
    sources = data_sources(sel)
    _header(painter, layout, opts, info)
    painter.save()
    painter.setClipRect(layout.map_rect)
    smap.render(painter, layout.map_rect)
    _grid_labels(painter, layout, smap, grid)
    painter.restore()
    painter.setPen(QPen(INK, 1.2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(layout.map_rect)
    _legend(painter, layout, info.legend)
    _footer(painter, layout, opts, info, sources)
    for y in (0.0, h - layout.banner_h):  # last: nothing may cover the marking
        _banner(painter, QRectF(0, y, w, layout.banner_h), opts.banner, opts.banner_colour)


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


def _grid_labels(painter: QPainter, layout: PageLayout, smap: SnapshotMap, grid: Grid) -> None:
    """Lon labels along the top edge, lat along the left, MGRS squares at their centres;
    none in the corners (north arrow top right, scale bar bottom left)."""
    import numpy as np

    r = layout.map_rect
    font = pixel_font(layout.small_px, bold=True)
    fm = QFontMetricsF(font)
    west, _south, _east, north = smap.bbox
    for side, text, value in grid.edge_labels:
        if side == "bottom":
            x, _ = smap.to_widget(np.array([value]), np.array([north]))
            at = QPointF(r.left() + x[0] + 3, r.top() + fm.ascent() + 3)
            if not r.left() + 50 < at.x() < r.right() - 70:
                continue
        else:
            _, y = smap.to_widget(np.array([west]), np.array([value]))
            at = QPointF(r.left() + 4, r.top() + y[0] - 3)
            if not r.top() + 40 < at.y() < r.bottom() - 80:
                continue
        haloed_text(painter, at, text, "#34495E", "#FFFFFF", font)
    if grid.cell_labels:
        lon = np.array([c[1] for c in grid.cell_labels])
        lat = np.array([c[2] for c in grid.cell_labels])
        xs, ys = smap.to_widget(lon, lat)
        for (text, _, _), x, y in zip(grid.cell_labels, xs, ys, strict=True):
            tw = fm.horizontalAdvance(text)
            haloed_text(painter, QPointF(r.left() + x - tw / 2, r.top() + y), text,
                        "#5A6E80", "#FFFFFF", font)  # fmt: skip


def _swatch(painter: QPainter, at: QPointF, swatch: tuple[str, Any], size: float) -> None:
    kind, what = swatch
    painter.save()
    if kind == "track":
        identity, domain = what
        painter.translate(at)
        paint_symbol(painter, identity, domain, size=size * 1.1)
    elif kind == "report":
        draw_symbol(painter, at, E.OTHER, what, radius=size * 0.38)
    elif kind == "zone":
        colour = QColor(zone_colour(what))
        fill = QColor(colour)
        fill.setAlpha(60)
        box = QRectF(at.x() - size * 0.45, at.y() - size * 0.3, size * 0.9, size * 0.6)
        painter.setBrush(fill)
        painter.setPen(cosmetic_pen(colour, 2.0))
        painter.drawRect(box)
    painter.restore()


def _legend(painter: QPainter, layout: PageLayout, rows: list[LegendEntry]) -> None:
    r = layout.legend
    head = pixel_font(layout.text_px * 1.1, bold=True)
    font = pixel_font(layout.text_px)
    bold = pixel_font(layout.text_px, bold=True)
    small = pixel_font(layout.text_px * 0.92)
    painter.setPen(QPen(QColor("#9E9E9E"), 1.0))
    painter.setBrush(QColor("#F7F7F5"))
    painter.drawRect(r)
    pad = layout.pad
    painter.setFont(head)
    painter.setPen(INK)
    y = r.top() + pad + QFontMetricsF(head).ascent()
    painter.drawText(QPointF(r.left() + pad, y), "Legend (in view)")
    row_h = layout.text_px * 1.75
    columns = 1 if layout.side else 3
    col_w = (r.width() - pad) / columns
    top = y + pad * 0.6
    per_col = max(1, int((r.bottom() - top - pad) // row_h))
    for i, row in enumerate(rows[: per_col * columns]):
        col, k = divmod(i, per_col)
        x0 = r.left() + pad + col * col_w
        cy = top + k * row_h + row_h / 2
        indent = layout.text_px * 1.3 if row.detail else 0.0
        swatch_px = layout.text_px * (1.2 if row.detail else 1.5)
        _swatch(painter, QPointF(x0 + indent + swatch_px / 2, cy), row.swatch, swatch_px)
        f = small if row.detail else bold
        painter.setFont(f)
        painter.setPen(MUTED if row.detail else INK)
        fm = QFontMetricsF(f)
        count = f"{row.count:,}"
        right = x0 + col_w - pad
        base = cy + fm.ascent() / 2 - 1
        painter.drawText(QPointF(right - fm.horizontalAdvance(count), base), count)
        tx = x0 + indent + swatch_px + layout.text_px * 0.5
        room = right - fm.horizontalAdvance(count) - tx - 6
        painter.drawText(QPointF(tx, base), elide(row.label, f, room))
    if not rows:
        painter.setFont(font)
        painter.drawText(QPointF(r.left() + pad, top + row_h), "No layers shown")


def _footer(painter: QPainter, layout: PageLayout, opts: SnapshotOptions, info: SnapshotInfo,
            sources: list[tuple[str, int]]) -> None:  # fmt: skip
    r = layout.footer
    font = pixel_font(layout.small_px)
    fm = QFontMetricsF(font)
    grid = "MGRS (WGS 84)" if opts.grid == "mgrs" else "lat/lon (WGS 84)"
    names = ", ".join(s for s, _ in sources) if sources else "none in view"
    lines = [
        f"Base map: Natural Earth (public domain).  Data: {names}.",
        f"Grid: {grid}.  Projection: Web Mercator.  All times UTC (Z).  "
        f"Area: {_bbox_text(info.bbox)}.  Produced by cop-app.",
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
