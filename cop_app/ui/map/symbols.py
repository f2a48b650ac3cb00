"""The track symbol atlas: every frame drawn once into one pixmap, then stamped by index.

Drawing 100k symbols one QPainterPath at a time costs ~10x a frame; stamping cells of
a pre-rendered atlas with one ``drawPixmapFragments`` call does not. Cells follow the
MIL-STD-2525C / APP-6 frame conventions officers read elsewhere (shared/UX.md):
the frame shape gives affiliation and domain, the fill its 2525C light colour, a dashed
frame marks the "assumed"/"suspect"/"pending" identities, and the exercise identities
joker and faker are hostile frames with a "J" or "K".

Cell index = (identity * N_DOMAINS + domain) * N_VARIANTS + variant, so a layer turns
its identity and variant columns into atlas cells with one numpy expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPixmap

from cop_app.core import style
from cop_app.core.enums import Domain, Identity
from cop_app.core.style import AFFILIATION_FILLS, identity_frame

SYMBOL_PX = 26  # frame height in logical px: legible from 2 m on a 24" screen
CELL_PX = 48  # logical px per atlas cell: frame, highlight ring and J/K letter


class Variant(IntEnum):
    NORMAL = 0
    SELECTED = 1
    DIM = 2  # night theme: unselected symbols at reduced brightness (UX.md, Screens)
    EMERGENCY = 3  # squawk 7500/7600/7700: red, as tar1090 draws them
    EMERGENCY_SELECTED = 4
    # Lost (past the stale time, kept on show for the lost period): a hollow grey frame
    # of the same shape, so affiliation still reads from the frame while the missing
    # fill says "not current" (tar1090 greys out aircraft it has not heard for a while).
    LOST = 5
    LOST_SELECTED = 6
    LOST_EMERGENCY = 7  # a hollow red frame: still an emergency, no longer heard
    LOST_EMERGENCY_SELECTED = 8


# The lost variant of each variant (indexed by variant), for one numpy lookup per frame.
LOST_OF = np.array([Variant.LOST, Variant.LOST_SELECTED, Variant.LOST, Variant.LOST_EMERGENCY,
                    Variant.LOST_EMERGENCY_SELECTED, Variant.LOST, Variant.LOST_SELECTED,
                    Variant.LOST_EMERGENCY, Variant.LOST_EMERGENCY_SELECTED], np.intp)
_SELECTED = frozenset({Variant.SELECTED, Variant.EMERGENCY_SELECTED, Variant.LOST_SELECTED,
                       Variant.LOST_EMERGENCY_SELECTED})
_EMERGENCY = frozenset({Variant.EMERGENCY, Variant.EMERGENCY_SELECTED, Variant.LOST_EMERGENCY,
                        Variant.LOST_EMERGENCY_SELECTED})
_LOST = frozenset({Variant.LOST, Variant.LOST_SELECTED, Variant.LOST_EMERGENCY,
                   Variant.LOST_EMERGENCY_SELECTED})


N_IDENTITIES = len(Identity)
N_DOMAINS = len(Domain)
N_VARIANTS = len(Variant)

# 2525C light fills: one palette with the exports and legends (core.style).
FRIEND_FILL = QColor(AFFILIATION_FILLS["friend"])
HOSTILE_FILL = QColor(AFFILIATION_FILLS["hostile"])
NEUTRAL_FILL = QColor(AFFILIATION_FILLS["neutral"])
UNKNOWN_FILL = QColor(AFFILIATION_FILLS["unknown"])
EMERGENCY_FILL = QColor(style.EMERGENCY_FILL)
# A lost frame: mid grey on a black edge, readable on light land, dark sea and at night.
LOST_INK = QColor("#A8A8A8")
LOST_EDGE = QColor("#000000")
# Selection: white corner brackets on a black edge. No alert marking, report status or
# affiliation uses white-and-black brackets, so a selected track is never mistaken for
# an alerted one (the old orange ring read as the HIGH alert ring), and the black edge
# keeps the white readable on the near-white day land.
SELECT_INK = QColor("#FFFFFF")
SELECT_EDGE = QColor("#000000")

_GROUP = {  # identity -> (frame family, fill, dashed, letter), from core.style
    i: (family, QColor(AFFILIATION_FILLS[family]), dashed, letter)
    for i in Identity for family, dashed, letter in [identity_frame(i.label)]
}


def fill_colour(identity: Identity | int) -> QColor:
    """The affiliation colour (legends, trails and tables use the same one)."""
    return QColor(_GROUP[Identity(int(identity))][1])


def cell_index(identity: np.ndarray | int, domain: np.ndarray | int,
               variant: np.ndarray | int) -> np.ndarray:  # fmt: skip
    return (np.asarray(identity, np.intp) * N_DOMAINS + domain) * N_VARIANTS + variant


# ---- frame geometry (logical px, centred on the track's position) ------------------
def _frame_path(family: str, domain: Domain, s: float) -> tuple[QPainterPath, bool]:
    """The closed outline to fill, and whether its bottom edge stays open (air)."""
    h = s / 2.0
    p = QPainterPath()
    if domain is Domain.AIR:
        # Air frames are the upper half of the surface frame, open at the bottom; the
        # track's position is the middle of the base line, shifted down so the visual
        # centre of the dome sits on the position.
        base = 0.3 * s
        if family == "friend":
            r = 0.6 * s
            p.moveTo(-r, base)
            p.arcTo(QRectF(-r, base - r, 2 * r, 2 * r), 180.0, -180.0)
        elif family == "hostile":
            p.moveTo(-h * 0.85, base)
            p.lineTo(-h * 0.85, base - 0.25 * s)
            p.lineTo(0.0, base - 1.05 * s)
            p.lineTo(h * 0.85, base - 0.25 * s)
            p.lineTo(h * 0.85, base)
        elif family == "neutral":
            p.addRect(QRectF(-h * 0.85, base - 0.85 * s, 1.7 * h, 0.85 * s))
        else:
            r = s * 0.27
            lobes = _winding()
            for cx, cy in ((-r, base - r), (r, base - r), (0.0, base - 2 * r)):
                lobes.addEllipse(QPointF(cx, cy), r * 1.05, r * 1.05)
            cut = QPainterPath()
            cut.addRect(QRectF(-s, base - 2 * s, 2 * s, 2 * s))
            body = _winding()
            body.addRect(QRectF(-r, base - 1.5 * r, 2 * r, 1.5 * r))
            p = lobes.united(body).intersected(cut).simplified()
        p.closeSubpath()
        return p, True
    if family == "friend":
        if domain is Domain.SEA:
            p.addEllipse(QPointF(0, 0), h, h)
        else:
            p.addRect(QRectF(-0.7 * s, -0.45 * s, 1.4 * s, 0.9 * s))
    elif family == "hostile":
        d = h * 1.25
        p.moveTo(0, -d)
        p.lineTo(d, 0)
        p.lineTo(0, d)
        p.lineTo(-d, 0)
        p.closeSubpath()
    elif family == "neutral":
        p.addRect(QRectF(-h * 0.9, -h * 0.9, 1.8 * h, 1.8 * h))
    else:
        r = s * 0.26
        lobes = _winding()
        for cx, cy in ((-r, 0.0), (r, 0.0), (0.0, -r), (0.0, r)):
            lobes.addEllipse(QPointF(cx, cy), r * 1.1, r * 1.1)
        p = lobes.simplified()
    return p, False


def _winding() -> QPainterPath:
    """A path whose overlapping parts fill (and merge when simplified), not cancel."""
    p = QPainterPath()
    p.setFillRule(Qt.FillRule.WindingFill)
    return p


def _domain_mark(domain: Domain, s: float, air_base: float) -> QPainterPath:
    """A small black glyph inside the frame: aircraft, hull or ground vehicle."""
    p = _winding()
    u = s / 22.0
    if domain is Domain.AIR:
        cy = air_base - 0.36 * s
        p.addRect(QRectF(-1.2 * u, cy - 6 * u, 2.4 * u, 12 * u))  # fuselage
        p.addRect(QRectF(-7 * u, cy - 1.5 * u, 14 * u, 3 * u))  # wings
        p.addRect(QRectF(-3.5 * u, cy + 4 * u, 7 * u, 2 * u))  # tailplane
    elif domain is Domain.SEA:
        p.moveTo(-7 * u, -1 * u)  # a hull seen from the side
        p.lineTo(7 * u, -1 * u)
        p.lineTo(4.5 * u, 4 * u)
        p.lineTo(-4.5 * u, 4 * u)
        p.closeSubpath()
        p.addRect(QRectF(-0.9 * u, -7 * u, 1.8 * u, 6 * u))  # mast
    else:
        p.addRoundedRect(QRectF(-7 * u, -3 * u, 14 * u, 6 * u), 3 * u, 3 * u)  # tracks
    return p


def _dimmed(c: QColor) -> QColor:
    return QColor.fromRgbF(c.redF() * 0.55, c.greenF() * 0.55, c.blueF() * 0.55)


def paint_symbol(painter: QPainter, identity: Identity | int, domain: Domain | int,
                 variant: Variant | int = Variant.NORMAL, size: float = SYMBOL_PX) -> None:
    """Draw one symbol centred on the painter's origin (atlas cells, legends)."""
    identity, domain, variant = Identity(int(identity)), Domain(int(domain)), Variant(variant)
    family, fill, dashed, letter = _GROUP[identity]
    emergency, lost = variant in _EMERGENCY, variant in _LOST
    if emergency:
        fill = EMERGENCY_FILL
    line = QColor("#000000")
    if variant is Variant.DIM:
        fill, line = _dimmed(fill), QColor("#1a1a1a")
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if variant in _SELECTED:
        paint_selection(painter, size * 0.78)
    path, open_bottom = _frame_path(family, domain, size)
    width = max(1.5, size / 13.0)
    base = 0.3 * size
    if lost:
        # Hollow: no fill; the frame in grey (red for an emergency) over a black edge.
        line = EMERGENCY_FILL if emergency else LOST_INK
        _outline(painter, path, open_bottom, QPen(LOST_EDGE, width + 2.0), size, width)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(fill))
        painter.drawPath(path)
    pen = QPen(line, width)
    if dashed:
        pen.setDashPattern([2.5, 1.8])
    _outline(painter, path, open_bottom, pen, size, width)
    mark = _domain_mark(domain, size, base)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if lost:  # the glyph edged too, so grey on grey land still reads
        painter.setPen(QPen(LOST_EDGE, 2.0))
        painter.drawPath(mark)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF") if emergency and not lost else line)
    painter.drawPath(mark)
    if letter:
        font = QFont("DejaVu Sans")
        font.setPixelSize(int(size * 0.55))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QPen(line))
        painter.drawText(QRectF(0.38 * size, -0.9 * size, 0.45 * size, 0.6 * size),
                         Qt.AlignmentFlag.AlignCenter, letter)  # fmt: skip
    painter.restore()


def _outline(painter: QPainter, path: QPainterPath, open_bottom: bool, pen: QPen,
             size: float, cut: float) -> None:  # fmt: skip
    """Stroke a frame (an air frame's base left open, ``cut`` px above the base)."""
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if open_bottom:
        # Intersect with the caller's clip and restore it after: dropping it let symbol
        # marks leak out of a PDF page's map frame (setClipping(False) cleared the page's
        # clip for the rest of this symbol).
        base = 0.3 * size
        painter.save()
        painter.setClipRect(QRectF(-size, base - 2 * size, 2 * size, 2 * size - cut),
                            Qt.ClipOperation.IntersectClip)  # fmt: skip
        painter.drawPath(path)
        painter.restore()
    else:
        painter.drawPath(path)


def selection_path(half: float, arm: float | None = None) -> QPainterPath:
    """Four corner brackets round a square of half-side ``half`` (centred on 0, 0)."""
    arm = half * 0.55 if arm is None else arm
    p = QPainterPath()
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        p.moveTo(sx * half, sy * (half - arm))
        p.lineTo(sx * half, sy * half)
        p.lineTo(sx * (half - arm), sy * half)
    return p


def paint_selection(painter: QPainter, half: float) -> None:
    """The selection mark: white corner brackets on a black edge (day and night)."""
    path = selection_path(half)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for colour, width in ((SELECT_EDGE, 5.5), (SELECT_INK, 2.5)):
        pen = QPen(colour, width)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        painter.setPen(pen)
        painter.drawPath(path)
    painter.restore()


@dataclass(frozen=True)
class SymbolAtlas:
    pixmap: QPixmap
    dpr: float
    cell: int  # physical pixels per cell side
    left: np.ndarray  # tight source rectangle per cell index (physical px) ...
    top: np.ndarray
    width: np.ndarray
    height: np.ndarray
    dx: np.ndarray  # ... and its centre's offset from the cell centre (logical px)
    dy: np.ndarray


@cache
def atlas(dpr: float = 1.0) -> SymbolAtlas:
    """The atlas for one device pixel ratio (rendered at physical resolution, once)."""
    cols = N_VARIANTS
    rows = N_IDENTITIES * N_DOMAINS
    cell = round(CELL_PX * dpr)
    pm = QPixmap(cols * cell, rows * cell)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.scale(dpr, dpr)
    for ident in Identity:
        for dom in Domain:
            for var in Variant:
                i = int(cell_index(int(ident), int(dom), int(var)))
                r, c = divmod(i, cols)
                painter.save()
                painter.translate((c + 0.5) * CELL_PX, (r + 0.5) * CELL_PX)
                paint_symbol(painter, ident, dom, var)
                painter.restore()
    painter.end()
    pm.setDevicePixelRatio(dpr)
    # Blending costs per pixel (~1.7 ns), so each cell is cropped to its ink: a 48 px
    # cell blends 2304 px, a cropped surface symbol ~900.
    img = pm.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    alpha = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)
    alpha = alpha[..., 3] > 0
    n = rows * cols
    rect = np.zeros((n, 4))
    for i in range(n):
        r, c = divmod(i, cols)
        ys, xs = np.nonzero(alpha[r * cell:(r + 1) * cell, c * cell:(c + 1) * cell])
        x0, x1 = (xs.min(), xs.max() + 1) if len(xs) else (0, 1)
        y0, y1 = (ys.min(), ys.max() + 1) if len(ys) else (0, 1)
        rect[i] = (c * cell + x0, r * cell + y0, x1 - x0, y1 - y0)
    centre = np.stack([np.arange(n) % cols, np.arange(n) // cols], 1) * cell + cell / 2
    dx = (rect[:, 0] + rect[:, 2] / 2 - centre[:, 0]) / dpr
    dy = (rect[:, 1] + rect[:, 3] / 2 - centre[:, 1]) / dpr
    return SymbolAtlas(pm, dpr, cell, rect[:, 0], rect[:, 1], rect[:, 2], rect[:, 3], dx, dy)
