"""One screen grid shared by the air, sea and land layers: which symbols a frame stamps.

Past ``DECLUTTER_MIN`` symbols in view, 26 px symbols cover each pixel many times over
(100k on a 1600x1000 screen: ~40 deep); blending them all costs far more than the one
symbol per ``DECLUTTER_PX`` cell a person can tell apart. With one grid per layer each
cell could still hold three symbols (~18k fragments at 100k); one grid over the three
layers halves the blit time and lets rank win across domains: an emergency, then a
selected, then a hostile track keeps its cell whatever its domain.

Emergencies are always drawn, even two in one cell, and so are selected tracks unless
the selection is itself a carpet. The grid is anchored to the map (not to the screen
edge), so a pan moves cells with the tracks instead of reshuffling who wins them.

The combined arrays (Mercator positions in rank order) are rebuilt only when a layer's
data, ranks or visibility change; a frame does one projection and one scatter for all.

Below ``DECLUTTER_MIN`` every symbol is drawn, except that symbols on (nearly) the same
spot (``STACK_PX``: ten ships moored at one quay) are drawn once, the best-ranked on
top, with a count badge: a stack of frames reads as a blob, a "10" does not.

The same object runs the frame's label placement (``placed``): every peer layer and
every annotator (the alert layer) hands in its label requests, and one greedy pass
(``labels.LabelBoard``) places them all, so no two labels overlap whatever layer they
belong to.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtGui import QTransform

from cop_app.ui.map.labels import SYMBOL, TOWN, LabelBoard, Rect, Request, town_rects
from cop_app.ui.map.symbols import CELL_PX

DECLUTTER_PX = 16  # one symbol per cell this size once more than DECLUTTER_MIN are shown
DECLUTTER_MIN = 4000
LABEL_CELL = (130, 44)  # px: at most one label candidate per cell (about one label)
PLACE_MARGIN = 0.12  # labels are placed this fraction of the view beyond each edge
IDLE_MS = 120  # after the last zoom frame, the margin is placed this much later
STACK_PX = 6  # symbols closer than about this share one symbol and a count badge
MARGIN_PX = CELL_PX  # symbols this far outside the view still show their edge
RANK_SELECTED = 2
RANK_EMERGENCY = 3


class Ranked(Protocol):
    """What a layer gives the grid: Mercator positions and a rank per track."""

    mx: np.ndarray
    my: np.ndarray
    rank_version: int  # bumped whenever positions or ranks change

    def ranks(self) -> np.ndarray: ...  # 3 emergency, 2 selected, 1 hostile, 0 other

    def isVisible(self) -> bool: ...


class SharedDeclutter:
    """Picks the symbols every peer layer draws in one frame (computed once a frame)."""

    def __init__(self, layers: list[Ranked] | None = None) -> None:
        self.layers: list[Ranked] = list(layers or [])
        self._combined_stamp: tuple | None = None
        self._frame_stamp: tuple | None = None
        self._shown: dict[int, np.ndarray] = {}
        self._counts: dict[int, np.ndarray] = {}
        self.total = 0  # symbols the last computed frame draws over all layers
        self.annotators: list[Any] = []  # other items whose labels join the pass
        self.view: Any = None  # the MapView (for the base map's place names)
        self._labels_stamp: tuple | None = None
        self._region = QRectF()
        self._origin = (0.0, 0.0)
        self._placed: dict[int, list[tuple[Any, Rect]]] = {}
        self.board = LabelBoard()
        # After a zoom frame (view-only placement) the margin is placed once the map
        # is idle, so the first pan after a zoom reuses it instead of paying for it
        # inside a frame (~34 ms at 100k tracks, over the 33 ms budget).
        self._pending_margin: tuple | None = None
        self._idle: QTimer | None = None  # made with the first layer as its parent

    # ---- data (per update) -------------------------------------------------------
    def _combine(self) -> None:
        stamp = tuple((id(ly), ly.rank_version, ly.isVisible()) for ly in self.layers)
        if stamp == self._combined_stamp:
            return
        live = [(k, ly) for k, ly in enumerate(self.layers) if ly.isVisible() and len(ly.mx)]
        ranks = [ly.ranks() for _, ly in live]
        if live:
            rank = np.concatenate(ranks)
            order = np.argsort(rank, kind="stable")  # best last: a later write wins a cell
            self._mx = np.concatenate([ly.mx for _, ly in live])[order]
            self._my = np.concatenate([ly.my for _, ly in live])[order]
            self._owner = np.concatenate([np.full(len(ly.mx), k, np.intp)
                                          for k, ly in live])[order]  # fmt: skip
            self._local = np.concatenate([np.arange(len(ly.mx)) for _, ly in live])[order]
            rank = rank[order]
            self._from_selected = int(np.searchsorted(rank, RANK_SELECTED))
            self._from_emergency = int(np.searchsorted(rank, RANK_EMERGENCY))
        else:
            self._mx = self._my = np.empty(0)
            self._owner = self._local = np.empty(0, np.intp)
            self._from_selected = self._from_emergency = 0
        self._combined_stamp = stamp
        self._frame_stamp = None

    # ---- a frame -------------------------------------------------------------------
    def shown(self, layer: Ranked, tr: QTransform, view: QRectF) -> np.ndarray:
        """Indices into ``layer``'s arrays to draw, lowest rank first (best on top).

        ``tr`` maps Mercator metres to device px and ``view`` is the visible device
        rectangle; every peer painted with the same pair shares one computation.
        """
        self._combine()
        stamp = (self._combined_stamp, _affine(tr), view.getRect())
        if stamp != self._frame_stamp:
            self._shown = self._pick(tr, view)
            self._frame_stamp = stamp
        key = next((k for k, ly in enumerate(self.layers) if ly is layer), -1)
        return self._shown.get(key, np.empty(0, np.intp))

    def counts(self, layer: Ranked) -> np.ndarray:
        """Symbols each of ``layer``'s last shown symbols stands for (1: alone; more:
        a stack drawn once with a count badge), aligned with ``shown``."""
        key = next((k for k, ly in enumerate(self.layers) if ly is layer), -1)
        return self._counts.get(key, np.empty(0, np.intp))

    def _pick(self, tr: QTransform, view: QRectF) -> dict[int, np.ndarray]:
        px, py = project(tr, self._mx, self._my)
        m = MARGIN_PX
        x0, x1, y0, y1 = view.left() - m, view.right() + m, view.top() - m, view.bottom() + m
        pos = np.flatnonzero((px > x0) & (px < x1) & (py > y0) & (py < y1))
        carpet = len(pos) > DECLUTTER_MIN
        pos, count = self._grid(pos, px, py, (x0, x1, y0, y1), (tr.dx(), tr.dy()),
                                DECLUTTER_PX if carpet else STACK_PX)  # fmt: skip
        if carpet:  # on a carpet every cell hides some: a badge on each says nothing
            count = np.ones(len(pos), np.intp)
        self.total = len(pos)
        owner = self._owner[pos]
        self._counts = {k: count[owner == k] for k in range(len(self.layers))}
        return {k: self._local[pos[owner == k]] for k in range(len(self.layers))}

    def _grid(self, pos: np.ndarray, px: np.ndarray, py: np.ndarray,
              box: tuple[float, float, float, float], origin: tuple[float, float],
              c: float = DECLUTTER_PX) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """One symbol per ``c`` px cell (the best ranked), plus every emergency and
        selected one; returns the kept positions (rank order) and their cell counts."""
        if not len(pos):
            return pos, np.empty(0, np.intp)
        x0, x1, y0, y1 = box
        # Grid lines through the map origin's pixel, so cells travel with a pan.
        sx = x0 - (x0 - origin[0]) % c
        sy = y0 - (y0 - origin[1]) % c
        nx = int((x1 - sx) // c) + 1
        ny = int((y1 - sy) // c) + 1
        gx = ((px[pos] - sx) * (1.0 / c)).astype(np.intp)
        gy = ((py[pos] - sy) * (1.0 / c)).astype(np.intp)
        cid = gy * nx + gx
        grid = np.full(nx * ny, -1, np.intp)
        np.maximum.at(grid, cid, pos)  # positions are in rank order: best wins
        cells = np.flatnonzero(grid >= 0)
        win = grid[cells]
        must = pos[pos >= self._from_emergency]
        selected = pos[(pos >= self._from_selected) & (pos < self._from_emergency)]
        if len(selected) <= DECLUTTER_MIN:  # a selection of 50k is itself a carpet
            must = np.concatenate([selected, must])
        kept = np.union1d(win, must)  # sorted: rank order
        # A cell's count goes on its winner; an emergency or selected symbol drawn
        # beside the winner counts itself only.
        full = np.ones(len(px), np.intp)
        full[win] = np.bincount(cid, minlength=nx * ny)[cells]
        count = full[kept]
        return kept, count

    # ---- labels: one placement pass per frame over all layers -------------------------
    def placed(self, who: Any, tr: QTransform, view: QRectF,
               dpr: float = 1.0) -> list[tuple[Any, Rect]]:  # fmt: skip
        """(payload, rectangle in device px) of ``who``'s labels placed this frame.

        The first participant painted in a frame runs the pass for all of them (peer
        layers, then annotators); later ones read the result. Once the scale holds, the
        pass covers the view and a margin round it (``PLACE_MARGIN``), in map-anchored
        pixels: while a pan stays inside that region at the same scale and data, the
        frame reuses it moved by the pan (the same labels in the same places, and no
        placement cost).
        """
        self._combine()
        parts = [*self.layers, *self.annotators]
        # The scale to 9 significant digits: a pan by setRange recomputes it with a
        # rounding change in the 15th digit, which must not count as a zoom.
        key = (self._combined_stamp, *(float(f"{v:.9g}") for v in (tr.m11(), tr.m12(),
                                                                     tr.m21(), tr.m22())),
               view.width(),
               view.height(), dpr, self._towns_on(),
               tuple((id(p), getattr(p, "label_version", 0), p.isVisible()) for p in parts))
        ox, oy = tr.dx(), tr.dy()
        if key != self._labels_stamp or not self._region.contains(view.translated(-ox, -oy)):
            # The margin pays off over a pan; while zooming every frame places afresh,
            # so a zoom frame places the view alone (half the labels' cost).
            same_scale = self._labels_stamp is not None and key[1:5] == self._labels_stamp[1:5]
            # Until the map has been idle once since the zoom, pans place the view alone
            # too: the margin waits for the idle moment instead of costing a frame.
            margin = PLACE_MARGIN if same_scale and self._pending_margin is None else 0.0
            mx, my = view.width() * margin, view.height() * margin
            region = view.adjusted(-mx, -my, mx, my)
            self._place(parts, tr, region, dpr)
            self._labels_stamp = key
            self._region = region.translated(-ox, -oy)
            self._origin = (ox, oy)
            self._pending_margin = None
            if not margin and parts and isinstance(parts[0], QObject):
                self._pending_margin = (parts, QTransform(tr), QRectF(view), dpr, key, ox, oy)
                if self._idle is None:  # dies with the layers, never fires into freed ones
                    self._idle = QTimer(parts[0])
                    self._idle.setSingleShot(True)
                    self._idle.setInterval(IDLE_MS)
                    self._idle.timeout.connect(self.place_margin)
                if not same_scale or not self._idle.isActive():  # a drag does not defer it
                    self._idle.start()
        dx, dy = ox - self._origin[0], oy - self._origin[1]
        x0, y0, x1, y1 = view.left(), view.top(), view.right(), view.bottom()
        return [(payload, (r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy))
                for payload, r in self._placed.get(id(who), [])
                if r[0] + dx < x1 and r[2] + dx > x0 and r[1] + dy < y1 and r[3] + dy > y0]

    def place_margin(self) -> None:
        """The margin round the last view-only placement, off-frame (see ``_idle``).

        Skipped when anything placed since (another zoom, new data): that frame's own
        placement stands. Labels inside the view may move slightly when the margin's
        neighbours join the pass; the layers repaint once to show the settled result.
        """
        pending, self._pending_margin = self._pending_margin, None
        if pending is None:
            return
        parts, tr, view, dpr, key, ox, oy = pending  # the latest view-only placement
        if key != self._labels_stamp:
            return
        mx, my = view.width() * PLACE_MARGIN, view.height() * PLACE_MARGIN
        region = view.adjusted(-mx, -my, mx, my)
        self._place(parts, tr, region, dpr)
        self._region = region.translated(-ox, -oy)
        self._origin = (ox, oy)
        for part in parts:
            part.update()

    def _towns_on(self) -> bool:
        view = self.view
        if view is None or "basemap" not in view.layer_names():
            return False
        return bool(view.layer("basemap").isVisible())

    def _place(self, parts: list[Any], tr: QTransform, view: QRectF, dpr: float) -> None:
        board = LabelBoard()
        reqs: list[tuple[int, Request]] = []
        chosen = self._label_candidates(tr, view)
        for k, p in enumerate(self.layers):
            if k in chosen:
                reqs += [(id(p), r) for r in p.label_requests(tr, view, dpr, chosen[k])]
        for p in self.annotators:
            if p.isVisible():
                reqs += [(id(p), r) for r in p.label_requests(tr, view, dpr)]
        if self._towns_on():
            for r in town_rects(tr):
                board.block(r, TOWN)
        for _, r in reqs:
            if r.symbol is not None:
                board.block(r.symbol, SYMBOL)
        reqs.sort(key=lambda pr: -pr[1].priority)  # stable: ties keep layer order
        placed: dict[int, list[tuple[Any, Rect]]] = {}
        for owner, r in reqs:
            rect = board.place(r)
            if rect is not None:
                placed.setdefault(owner, []).append((r.payload, rect))
        self._placed = placed
        self.board = board

    def _label_candidates(self, tr: QTransform, view: QRectF) -> dict[int, np.ndarray]:
        """Per peer layer, the shown symbols whose labels the pass tries: the best
        ranked per ``LABEL_CELL`` over all layers (so a frame tries hundreds, not
        thousands), plus every must-label one. The grid runs through the map origin's
        pixel, so a pan carries the cells with the tracks: the same tracks keep their
        labels (and their cached sprites)."""
        got = [(k, ly.label_anchors(tr, view)) for k, ly in enumerate(self.layers)
               if ly.isVisible() and hasattr(ly, "label_anchors")]  # fmt: skip
        got = [(k, a) for k, a in got if len(a[4])]
        if not got:
            return {}
        px, py, rank, must, j = (np.concatenate([a[n] for _, a in got]) for n in range(5))
        owner = np.concatenate([np.full(len(a[4]), k, np.intp) for k, a in got])
        w, h = LABEL_CELL
        gx = np.floor((px - tr.dx()) / w).astype(np.int64)
        gy = np.floor((py - tr.dy()) / h).astype(np.int64)
        order = np.lexsort((-rank, gy, gx))
        cell = gx[order] * 1_000_003 + gy[order]
        first = np.ones(len(order), bool)
        first[1:] = cell[1:] != cell[:-1]
        pick = np.union1d(order[first], np.flatnonzero(must))
        return {k: j[pick[owner[pick] == k]] for k, _ in got}


def project(tr: QTransform, mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mercator metres -> device px with an affine QTransform, whole arrays at once."""
    a, b, c, d, dx, dy = _affine(tr)
    if b == 0.0 and c == 0.0:  # the ViewBox never rotates: two passes, not four
        return a * mx + dx, d * my + dy
    return a * mx + c * my + dx, b * mx + d * my + dy


def _affine(tr: Any) -> tuple[float, float, float, float, float, float]:
    return tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.dx(), tr.dy()
