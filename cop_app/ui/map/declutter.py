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
belong to. The board lives while scale and data hold: a drag places only the labels
that come into view (a placed label keeps its place), within a per-frame budget, and
the idle timer places the rest (before: the whole region again, 26-53 ms in one frame).
"""

from __future__ import annotations

import time
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
IDLE_MS = 120  # after the last zoom frame, the margin is placed this much later ...
IDLE_NEXT_MS = 30  # ... and, when one idle budget was not enough, the rest this often
FRAME_BUDGET_S = 0.006  # label placement a frame may spend (the rest waits for idle)
IDLE_BUDGET_S = 0.008  # and an idle pass
CHUNK = 24  # labels built and placed between two looks at the clock
PRUNE_CELLS = 4.0  # labels tried on a board before the far ones are forgotten: this many
PRUNE_SPARE = 500.0  # per LABEL_CELL of the placed region, plus these
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
        self._picks: dict[tuple, tuple[dict, dict, int]] = {}  # stamp -> a frame's pick
        self.total = 0  # symbols the last computed frame draws over all layers
        self.annotators: list[Any] = []  # other items whose labels join the pass
        self.view: Any = None  # the MapView (for the base map's place names)
        # The label board: its key (scale, data, switches), the frame it started in
        # (its pixels are that frame's device pixels) and what was placed on it.
        self._labels_stamp: tuple | None = None
        self._origin = (0.0, 0.0)
        self._tr_b: QTransform | None = None
        self._dpr = 1.0
        self._parts: list[Any] = []
        self._region = QRectF()  # board px: labels of all candidates in it are placed ...
        self._view_b = QRectF()  # ... and the last frame's view, in board px
        self._placed: dict[int, list[tuple[Any, Rect]]] = {}  # owner -> (payload, rect)
        # Every label tried on this board (placed or not), so a pass never tries it
        # again: key -> (anchor x, y, symbol rect, owner, payload, placed rect or None,
        # obstacle level).
        self._tried: dict[tuple, tuple] = {}
        self._count = 0  # labels placed on this board
        self._fresh: list[tuple[int, Any]] = []  # placed, sprite maybe not rendered yet
        self._new_in_view = False  # the last pass placed one inside the view
        self.board = LabelBoard()
        self._towns_key: tuple | None = None
        self._chips: set[Rect] = set()
        self._towns: list[Rect] = []
        # The margin round the view and what a frame's budget left over are placed once
        # the map is idle, a budget at a time, so no frame pays for them.
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
        self._picks.clear()

    # ---- a frame -------------------------------------------------------------------
    def shown(self, layer: Ranked, tr: QTransform, view: QRectF) -> np.ndarray:
        """Indices into ``layer``'s arrays to draw, lowest rank first (best on top).

        ``tr`` maps Mercator metres to device px and ``view`` is the visible device
        rectangle; every peer painted with the same pair shares one computation.
        """
        self._combine()
        stamp = (self._combined_stamp, _affine(tr), view.getRect())
        if stamp != self._frame_stamp:
            # A few kept: a frame asks for the view and, when labels are placed, for the
            # placed region too; the layers painted after that ask for the view again,
            # and the idle passes for the same region.
            hit = self._picks.pop(stamp, None) or self._pick(tr, view)
            self._picks[stamp] = hit
            while len(self._picks) > 4:
                del self._picks[next(iter(self._picks))]
            self._shown, self._counts, self.total = hit
            self._frame_stamp = stamp
        key = next((k for k, ly in enumerate(self.layers) if ly is layer), -1)
        return self._shown.get(key, np.empty(0, np.intp))

    def counts(self, layer: Ranked) -> np.ndarray:
        """Symbols each of ``layer``'s last shown symbols stands for (1: alone; more:
        a stack drawn once with a count badge), aligned with ``shown``."""
        key = next((k for k, ly in enumerate(self.layers) if ly is layer), -1)
        return self._counts.get(key, np.empty(0, np.intp))

    def _pick(self, tr: QTransform, view: QRectF) -> tuple[dict, dict, int]:
        px, py = project(tr, self._mx, self._my)
        m = MARGIN_PX
        x0, x1, y0, y1 = view.left() - m, view.right() + m, view.top() - m, view.bottom() + m
        pos = np.flatnonzero((px > x0) & (px < x1) & (py > y0) & (py < y1))
        carpet = len(pos) > DECLUTTER_MIN
        pos, count = self._grid(pos, px, py, (x0, x1, y0, y1), (tr.dx(), tr.dy()),
                                DECLUTTER_PX if carpet else STACK_PX)  # fmt: skip
        if carpet:  # on a carpet every cell hides some: a badge on each says nothing
            count = np.ones(len(pos), np.intp)
        owner = self._owner[pos]
        counts = {k: count[owner == k] for k in range(len(self.layers))}
        return {k: self._local[pos[owner == k]] for k in range(len(self.layers))}, counts, len(pos)

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
        layers, then annotators); later ones read the result. Placement is incremental
        while the scale, the data and the switches hold: labels live in board pixels
        (device pixels of the frame that started the board, so anchored to the map), a
        placed label keeps its place for as long as the board lives, and a pan that
        leaves the placed region only places what entered it (``_extend``). A zoom or
        new data starts a new board with the view alone; the margin round the view
        (``PLACE_MARGIN``) and whatever a frame's budget left over are placed while
        the map is idle (``place_margin``).
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
        if key != self._labels_stamp:
            # A zoom frame places the view alone (every zoom frame starts afresh, the
            # margin would be thrown away); new data at one scale places the margin too.
            same_scale = self._labels_stamp is not None and key[1:5] == self._labels_stamp[1:5]
            self._new_board(parts, tr, key, dpr)
            self._view_b = QRectF(view)
            region = _grown(view, PLACE_MARGIN) if same_scale else QRectF(view)
            # The view whole, whatever it costs: a snapshot or a grab paints only once.
            done = self._extend(region, FRAME_BUDGET_S, whole=view)
            self._schedule(restart=not same_scale,
                           needed=not done or not same_scale or bool(self._fresh))
        else:
            self._view_b = view.translated(self._origin[0] - ox, self._origin[1] - oy)
            if not self._region.contains(self._view_b):  # a pan left the placed region
                done = self._extend(_grown(self._view_b, PLACE_MARGIN), FRAME_BUDGET_S)
                self._schedule(restart=False, needed=not done or bool(self._fresh))
        dx, dy = ox - self._origin[0], oy - self._origin[1]
        x0, y0, x1, y1 = view.left(), view.top(), view.right(), view.bottom()
        return [(payload, (r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy))
                for payload, r in self._placed.get(id(who), [])
                if r[0] + dx < x1 and r[2] + dx > x0 and r[1] + dy < y1 and r[3] + dy > y0]

    def place_margin(self) -> None:
        """The idle pass: the margin round the view and any labels a frame's budget left
        over, a budget at a time (the timer comes back until all are placed). Placed
        labels stay where they are; the layers repaint when new ones show in the view."""
        if self._labels_stamp is None or self._tr_b is None:
            return
        before = self._count
        region = _grown(self._view_b, PLACE_MARGIN)
        last = self._region  # kept while the view is in it (the same region: no new pick)
        if last.contains(self._view_b) and last.width() >= region.width() - 1:
            region = last
        done = self._extend(region, IDLE_BUDGET_S)
        warm = self._warm(time.perf_counter() + IDLE_BUDGET_S)
        if not (done and warm) and self._idle is not None:
            self._idle.start(IDLE_NEXT_MS)
        if self._count != before and self._new_in_view:
            for part in self._parts:
                part.update()

    def _warm(self, deadline: float) -> bool:
        """Render the sprites of labels placed off-view ahead of time (``warm_label``),
        so the frames that bring them into view only blit; True when none is left."""
        parts = {id(p): p for p in self._parts}
        fresh = self._fresh
        while fresh and time.perf_counter() < deadline:
            owner, payload = fresh.pop()
            warm = getattr(parts.get(owner), "warm_label", None)
            if warm is not None:
                warm(payload, self._dpr)
        return not fresh

    def _schedule(self, restart: bool, needed: bool) -> None:
        """Start the idle pass (a zoom restarts its wait; a drag does not defer it)."""
        parts = self._parts
        if not needed or not parts or not isinstance(parts[0], QObject):
            return
        if self._idle is None:  # dies with the layers, never fires into freed ones
            self._idle = QTimer(parts[0])
            self._idle.setSingleShot(True)
            self._idle.timeout.connect(self.place_margin)
        if restart or not self._idle.isActive():
            self._idle.start(IDLE_MS)

    def towns(self, tr: QTransform) -> list[Rect]:
        """The base map's place names in ``tr``'s device px (none when they are not
        drawn): what a stack's count chip keeps off (``labels.chip_rect``)."""
        key = (_affine(tr), self._towns_on())
        if key != self._towns_key:
            self._towns_key = key
            self._towns = town_rects(tr) if key[1] else []
        return self._towns

    def _towns_on(self) -> bool:
        view = self.view
        if view is None or "basemap" not in view.layer_names():
            return False
        return bool(view.layer("basemap").isVisible())

    def _new_board(self, parts: list[Any], tr: QTransform, key: tuple, dpr: float) -> None:
        """An empty board in this frame's device pixels (board pixels from now on)."""
        self._labels_stamp = key
        self._parts = parts
        self._origin = (tr.dx(), tr.dy())
        self._tr_b = QTransform(tr)
        self._dpr = dpr
        self._placed = {}
        self._tried = {}
        self._fresh = []
        self._count = 0
        self._region = QRectF()
        self._chips = set()  # count chips on the board
        self.board = LabelBoard()
        for r in self.towns(tr):
            self.board.block(r, TOWN)

    def _extend(self, region: QRectF, budget_s: float, whole: QRectF | None = None) -> bool:
        """Place the labels of ``region`` (board px) not tried on this board yet, the view
        first and most important first, until ``budget_s`` is spent (but all of those
        in ``whole``, if given); True when all are.

        Labels already placed stay and new ones go round them, so no label ever jumps;
        the greedy order holds within what each call places.
        """
        deadline = time.perf_counter() + budget_s
        tr, dpr = self._tr_b, self._dpr
        self._region = QRectF(region)
        self._new_in_view = False
        self._prune(region)
        for layer in self.layers:  # stacks' count chips: text no label may cover
            chips = getattr(layer, "count_chips", None)
            if chips is not None and layer.isVisible():
                for r in chips(tr, region, dpr):
                    if r not in self._chips:
                        self._chips.add(r)
                        self.board.block(r, TOWN)
        reqs: list[tuple[int, Request]] = []
        for p in self.annotators:  # few (alert chips, airspace limits): all at once, first
            if p.isVisible():
                reqs += [(id(p), r) for r in p.label_requests(tr, region, dpr)]
        self._try([(o, r) for o, r in reqs if self._key(o, r) not in self._tried])
        todo, must = self._untried(tr, region, whole)
        done = 0
        while done < len(todo):
            if done >= must and time.perf_counter() > deadline:  # one chunk at least
                return False
            chunk = todo[done:done + CHUNK]
            done += len(chunk)
            reqs = []
            for k, layer in enumerate(self.layers):
                mine = np.array([j for kk, j in chunk if kk == k], np.intp)
                if len(mine):
                    reqs += [(id(layer), r)
                             for r in layer.label_requests(tr, region, dpr, mine)]
            self._try(reqs)
        return True

    def _try(self, reqs: list[tuple[int, Request]]) -> None:
        """One greedy pass over ``reqs`` against everything on the board."""
        board, vb = self.board, self._view_b
        vx0, vy0, vx1, vy1 = vb.left(), vb.top(), vb.right(), vb.bottom()
        for _, r in reqs:
            if r.symbol is not None:
                board.block(r.symbol, SYMBOL)
        reqs.sort(key=lambda pr: -pr[1].priority)  # stable: ties keep layer order
        for owner, r in reqs:
            rect = board.place(r)
            s = r.symbol or r.options[0]
            self._tried[self._key(owner, r)] = ((s[0] + s[2]) / 2, (s[1] + s[3]) / 2,
                                                r.symbol, owner, r.payload, rect, r.level)
            if rect is not None:
                self._placed.setdefault(owner, []).append((r.payload, rect))
                self._fresh.append((owner, r.payload))
                self._count += 1
                if rect[0] < vx1 and rect[2] > vx0 and rect[1] < vy1 and rect[3] > vy0:
                    self._new_in_view = True

    @staticmethod
    def _key(owner: int, r: Request) -> tuple:
        return owner, r.key if r.key is not None else r.options[0]

    def _untried(self, tr: QTransform, region: QRectF,
                 whole: QRectF | None) -> tuple[list[tuple[int, int]], int]:  # fmt: skip
        """(layer, shown index) of the region's label candidates not tried yet: those
        in the view first, then by rank (best first), then layer and index; and how
        many come first that must be placed now (in ``whole``; else one chunk)."""
        cands = self._label_candidates(tr, region)
        if not cands:
            return [], 0
        vb = self._view_b if whole is None else whole
        rows = []
        for k, (j, rank, px, py) in cands.items():
            own = id(self.layers[k])
            track = self.shown(self.layers[k], tr, region)[j]
            new = np.fromiter(((own, i) not in self._tried for i in track.tolist()), bool,
                              len(track))  # fmt: skip
            outside = ~((px >= vb.left()) & (px <= vb.right())
                        & (py >= vb.top()) & (py <= vb.bottom()))  # fmt: skip
            rows += list(zip(outside[new].tolist(), (-rank[new]).tolist(),
                             [k] * int(new.sum()), j[new].tolist(), strict=True))  # fmt: skip
        rows.sort()
        must = sum(1 for r in rows if not r[0]) if whole is not None else 1
        return [(k, j) for _, _, k, j in rows], must

    def _prune(self, region: QRectF) -> None:
        """Forget labels far outside ``region`` once there are many: the board would
        otherwise grow with every pan. Those near it stay, so nothing visible moves."""
        w, h = LABEL_CELL
        limit = PRUNE_CELLS * region.width() * region.height() / (w * h) + PRUNE_SPARE
        if len(self._tried) <= limit:
            return
        keep = region.adjusted(-3 * w, -3 * h, 3 * w, 3 * h)
        x0, y0, x1, y1 = keep.left(), keep.top(), keep.right(), keep.bottom()
        self._tried = {k: v for k, v in self._tried.items()
                       if x0 <= v[0] <= x1 and y0 <= v[1] <= y1}  # fmt: skip
        self.board = LabelBoard()
        self._chips = set()  # blocked again by the pass that pruned
        for r in self.towns(self._tr_b):
            self.board.block(r, TOWN)
        placed: dict[int, list[tuple[Any, Rect]]] = {}
        for _, _, symbol, _, _, _, _ in self._tried.values():
            if symbol is not None:
                self.board.block(symbol, SYMBOL)
        for _, _, _, owner, payload, rect, level in self._tried.values():  # placing order
            if rect is not None:
                self.board.keep(rect, level)
                placed.setdefault(owner, []).append((payload, rect))
        self._placed = placed

    def _label_candidates(self, tr: QTransform,
                          view: QRectF) -> dict[int, tuple[np.ndarray, ...]]:  # fmt: skip
        """Per peer layer, (shown index, rank, px, py) of the symbols whose labels the
        pass tries: the best
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
        out = {}
        for k, _ in got:
            mine = pick[owner[pick] == k]
            out[k] = j[mine], rank[mine], px[mine], py[mine]
        return out


def _grown(r: QRectF, f: float) -> QRectF:
    """``r`` with ``f`` of its width and height added beyond each edge."""
    return r.adjusted(-r.width() * f, -r.height() * f, r.width() * f, r.height() * f)


def project(tr: QTransform, mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mercator metres -> device px with an affine QTransform, whole arrays at once."""
    a, b, c, d, dx, dy = _affine(tr)
    if b == 0.0 and c == 0.0:  # the ViewBox never rotates: two passes, not four
        return a * mx + dx, d * my + dy
    return a * mx + c * my + dx, b * mx + d * my + dy


def _affine(tr: Any) -> tuple[float, float, float, float, float, float]:
    return tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.dx(), tr.dy()
