"""The snapshot's legend: what is in view, with counts, in the box the page gives it.

Rows: each visible layer with its count, then its breakdown (track identities; report
statuses by colour and event types by shape, as the window's legend explains them;
zone kinds), then the grid (MGRS zones and squares in view). Only what is in view is
listed. The legend never grows past its box: rows tighten first, then the small
sub-headings go, then the grid's zone rows (the footer names them too), then breakdown
rows pair up two to a line, and only then does the tail give way to a "+ N more" line
(``LegendLayout.hidden`` says what).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from cop_app.core.enums import Domain, Identity
from cop_app.core.style import EVENT_LABELS, STATUS_LABELS, zone_colour
from cop_app.export.selection import Selection
from cop_app.ui.map._draw import cosmetic_pen
from cop_app.ui.map.reports_layer import E, draw_symbol
from cop_app.ui.map.symbols import paint_symbol
from cop_app.ui.snapshot_grid import Grid

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
                "reports": "Land reports", "zones": "Zones", "grid": "Grid"}  # fmt: skip
NEUTRAL_STATUS = "reported"  # event shapes are drawn in the plain grey of a new report
NO_COUNT = -1  # a row that names things rather than counting them (the grid's)
MIN_ROW = 1.3  # row height in text heights, when the legend has to tighten


@dataclass(frozen=True)
class LegendEntry:
    layer: str  # air | sea | land | reports | zones | grid
    label: str
    count: int
    detail: bool = False  # a breakdown row under its layer's row
    swatch: tuple[str, Any] = ("none", None)
    heading: bool = False  # a small sub-heading ("By status"), no count


def legend_entries(sel: Selection, layers: set[str], grid: Grid | None = None
                   ) -> list[LegendEntry]:  # fmt: skip
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
        rows += _report_rows("reports" if "reports" in layers else "land", sel)
    if "zones" in layers:
        rows.append(LegendEntry("zones", LAYER_TITLES["zones"], len(sel.zones),
                                swatch=("zone", "buffer")))  # fmt: skip
        kinds = Counter(str(z.kind) for z in sel.zones)
        rows += [LegendEntry("zones", k.replace("_", " ").capitalize(), n, True, ("zone", k))
                 for k, n in sorted(kinds.items())]  # fmt: skip
    if grid is not None and grid.kind == "mgrs" and grid.squares:
        step = f", {grid.step_text} lines" if grid.step_text else ""
        rows.append(LegendEntry("grid", f"MGRS grid{step}", NO_COUNT, swatch=("grid", None)))
        if sum(len(sq) for sq in grid.squares.values()) <= 12:
            rows += [LegendEntry("grid", f"{gzd}  {' '.join(sq)}", NO_COUNT, True)
                     for gzd, sq in grid.squares.items()]  # fmt: skip
        else:  # a region: the zones, five to a row (each square is named on the map)
            zones = list(grid.squares)
            rows += [LegendEntry("grid", "Zones " + " ".join(zones[k:k + 5]), NO_COUNT, True)
                     for k in range(0, len(zones), 5)]  # fmt: skip
    return rows


def _report_rows(layer: str, sel: Selection) -> list[LegendEntry]:
    """Colour by status, shape by event type (UX.md): both keys, for the ones in view."""
    rows = [LegendEntry(layer, LAYER_TITLES["reports"], len(sel.reports),
                        swatch=("report", NEUTRAL_STATUS))]  # fmt: skip
    by = Counter(str(r.status) for r in sel.reports)
    events = Counter(str(r.event_type) for r in sel.reports)
    if by:
        rows.append(LegendEntry(layer, "By status (colour)", 0, True, heading=True))
        rows += [LegendEntry(layer, STATUS_LABELS.get(s, s), by[s], True, ("report", s))
                 for s in STATUS_LABELS if by[s]]  # fmt: skip
    if events:
        rows.append(LegendEntry(layer, "By event type (shape)", 0, True, heading=True))
        known = [e for e in EVENT_LABELS if events[e]]
        rows += [LegendEntry(layer, EVENT_LABELS[e], events[e], True, ("event", e))
                 for e in known]  # fmt: skip
        other = sum(n for e, n in events.items() if e not in EVENT_LABELS)
        if other:  # a type this build does not know draws as "other"
            rows.append(LegendEntry(layer, EVENT_LABELS[E.OTHER.value] + " (unlisted)", other,
                                    True, ("event", E.OTHER.value)))  # fmt: skip
    return rows


def pixel_font(px: float, bold: bool = False) -> QFont:
    """Page furniture is sized from the page, in logical pixels, not points."""
    font = QFont()
    font.setPixelSize(max(6, round(px)))
    font.setBold(bold)
    return font


def elide(text: str, font: QFont, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(width, 10.0))


@dataclass
class Cell:
    row: LegendEntry
    x: float
    y: float  # centre line
    width: float


@dataclass
class LegendLayout:
    """Where each row goes: ``cells`` drawn, ``hidden`` rows that did not fit."""

    cells: list[Cell]
    row_h: float
    hidden: list[LegendEntry]
    paired: bool


def layout_legend(rows: list[LegendEntry], box: QRectF, top: float, text_px: float,
                  pad: float, columns: int) -> LegendLayout:  # fmt: skip
    """Fit ``rows`` into ``box`` below ``top``, tightening step by step (module doc)."""
    col_w = (box.width() - pad) / columns
    avail = box.bottom() - top - pad
    normal = text_px * 1.75
    plain = [r for r in rows if not r.heading]
    lean = [r for r in plain if not (r.layer == "grid" and r.detail)]  # the footer has them
    attempts = [(rows, False), (plain, False), (lean, False), (lean, True)]
    for kept, paired in attempts:
        lines = _lines(kept, paired)
        row_h = min(normal, avail / max(1, -(-len(lines) // columns)))
        if row_h >= text_px * MIN_ROW:
            return LegendLayout(_place(lines, box, top, row_h, col_w, pad, columns), row_h,
                                [], paired)  # fmt: skip
    # Still too many: keep what fits and say how many rows are left out.
    row_h = text_px * MIN_ROW
    lines = _lines(lean, True)
    fit = max(0, int(avail // row_h) * columns - 1)
    shown = lines[:fit]
    hidden = [r for line in lines[fit:] for r in line]
    more = LegendEntry("more", f"+ {len(hidden)} more rows not shown", 0, True, heading=True)
    return LegendLayout(_place([*shown, [more]], box, top, row_h, col_w, pad, columns), row_h,
                        hidden, True)  # fmt: skip


def _lines(rows: list[LegendEntry], paired: bool) -> list[list[LegendEntry]]:
    """Rows to lines; ``paired`` puts two breakdown rows of one layer on a line."""
    lines: list[list[LegendEntry]] = []
    for r in rows:
        last = lines[-1] if lines else None
        if (paired and last is not None and len(last) == 1 and last[0].detail and r.detail
                and not last[0].heading and not r.heading
                and last[0].layer == r.layer):  # fmt: skip
            last.append(r)
        else:
            lines.append([r])
    return lines


def _place(lines: list[list[LegendEntry]], box: QRectF, top: float, row_h: float,
           col_w: float, pad: float, columns: int) -> list[Cell]:  # fmt: skip
    per_col = max(1, -(-len(lines) // columns))
    cells = []
    for i, line in enumerate(lines):
        col, k = divmod(i, per_col)
        x0 = box.left() + pad + col * col_w
        y = top + k * row_h + row_h / 2
        w = (col_w - pad) / len(line) if len(line) > 1 else col_w
        cells += [Cell(r, x0 + j * w, y, w) for j, r in enumerate(line)]
    return cells


def paint_legend(painter: QPainter, box: QRectF, rows: list[LegendEntry], text_px: float,
                 pad: float, columns: int) -> LegendLayout:  # fmt: skip
    head = pixel_font(text_px * 1.1, bold=True)
    painter.setPen(QPen(QColor("#9E9E9E"), 1.0))
    painter.setBrush(QColor("#F7F7F5"))
    painter.drawRect(box)
    painter.setFont(head)
    painter.setPen(INK)
    y = box.top() + pad + QFontMetricsF(head).ascent()
    painter.drawText(QPointF(box.left() + pad, y), "Legend (in view)")
    top = y + pad * 0.6
    if not rows:
        painter.setFont(pixel_font(text_px))
        painter.drawText(QPointF(box.left() + pad, top + text_px * 1.75), "No layers shown")
        return LegendLayout([], 0.0, [], False)
    lay = layout_legend(rows, box, top, text_px, pad, columns)
    scale = min(1.0, lay.row_h / (text_px * 1.75))  # swatches shrink with the rows
    for cell in lay.cells:
        _paint_cell(painter, cell, text_px, pad, scale)
    return lay


def _paint_cell(painter: QPainter, cell: Cell, text_px: float, pad: float,
                scale: float) -> None:  # fmt: skip
    row = cell.row
    bold = pixel_font(text_px, bold=True)
    small = pixel_font(text_px * 0.92)
    sub = pixel_font(text_px * 0.85, bold=True)
    f = sub if row.heading else (small if row.detail else bold)
    fm = QFontMetricsF(f)
    base = cell.y + fm.ascent() / 2 - 1
    right = cell.x + cell.width - pad
    indent = text_px * 1.3 if row.detail else 0.0
    painter.setFont(f)
    if row.heading:
        painter.setPen(MUTED)
        painter.drawText(QPointF(cell.x + indent, base), elide(row.label, f, right - cell.x))
        return
    swatch_px = text_px * (1.2 if row.detail else 1.5) * max(scale, 0.75)
    has_swatch = row.swatch[0] != "none"
    if has_swatch:
        _swatch(painter, QPointF(cell.x + indent + swatch_px / 2, cell.y), row.swatch, swatch_px)
    painter.setFont(f)
    painter.setPen(MUTED if row.detail else INK)
    count = f"{row.count:,}" if row.count != NO_COUNT else ""
    cw = fm.horizontalAdvance(count)
    painter.drawText(QPointF(right - cw, base), count)
    tx = cell.x + indent + (swatch_px + text_px * 0.5 if has_swatch else 0.0)
    painter.drawText(QPointF(tx, base), elide(row.label, f, right - cw - tx - 6))


def _swatch(painter: QPainter, at: QPointF, swatch: tuple[str, Any], size: float) -> None:
    kind, what = swatch
    painter.save()
    if kind == "track":
        identity, domain = what
        painter.translate(at)
        paint_symbol(painter, identity, domain, size=size * 1.1)
    elif kind == "report":
        draw_symbol(painter, at, E.OTHER, what, radius=size * 0.38)
    elif kind == "event":
        draw_symbol(painter, at, what, NEUTRAL_STATUS, radius=size * 0.42)
    elif kind == "zone":
        colour = QColor(zone_colour(what))
        fill = QColor(colour)
        fill.setAlpha(60)
        box = QRectF(at.x() - size * 0.45, at.y() - size * 0.3, size * 0.9, size * 0.6)
        painter.setBrush(fill)
        painter.setPen(cosmetic_pen(colour, 2.0))
        painter.drawRect(box)
    elif kind == "grid":
        painter.setPen(cosmetic_pen("#5A6E80", 1.0, Qt.PenStyle.DashLine))
        h = size * 0.45
        for d in (-h / 2, h / 2):
            painter.drawLine(QPointF(at.x() + d, at.y() - h), QPointF(at.x() + d, at.y() + h))
            painter.drawLine(QPointF(at.x() - h, at.y() + d), QPointF(at.x() + h, at.y() + d))
    painter.restore()
