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
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QTransform

from cop_app.ui.map.symbols import CELL_PX

DECLUTTER_PX = 16  # one symbol per cell this size once more than DECLUTTER_MIN are shown
DECLUTTER_MIN = 4000
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
        self.total = 0  # symbols the last computed frame draws over all layers

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

    def _pick(self, tr: QTransform, view: QRectF) -> dict[int, np.ndarray]:
        px, py = project(tr, self._mx, self._my)
        m = MARGIN_PX
        x0, x1, y0, y1 = view.left() - m, view.right() + m, view.top() - m, view.bottom() + m
        pos = np.flatnonzero((px > x0) & (px < x1) & (py > y0) & (py < y1))
        if len(pos) > DECLUTTER_MIN:
            pos = self._grid(pos, px, py, (x0, x1, y0, y1), (tr.dx(), tr.dy()))
        self.total = len(pos)
        owner = self._owner[pos]
        return {k: self._local[pos[owner == k]] for k in range(len(self.layers))}

    def _grid(self, pos: np.ndarray, px: np.ndarray, py: np.ndarray,
              box: tuple[float, float, float, float], origin: tuple[float, float]
              ) -> np.ndarray:  # fmt: skip
        x0, x1, y0, y1 = box
        c = DECLUTTER_PX
        # Grid lines through the map origin's pixel, so cells travel with a pan.
        sx = x0 - (x0 - origin[0]) % c
        sy = y0 - (y0 - origin[1]) % c
        nx = int((x1 - sx) // c) + 1
        ny = int((y1 - sy) // c) + 1
        gx = ((px[pos] - sx) * (1.0 / c)).astype(np.intp)
        gy = ((py[pos] - sy) * (1.0 / c)).astype(np.intp)
        grid = np.full(nx * ny, -1, np.intp)
        np.maximum.at(grid, gy * nx + gx, pos)  # positions are in rank order: best wins
        win = grid[grid >= 0]
        must = pos[pos >= self._from_emergency]
        selected = pos[(pos >= self._from_selected) & (pos < self._from_emergency)]
        if len(selected) <= DECLUTTER_MIN:  # a selection of 50k is itself a carpet
            must = np.concatenate([selected, must])
        return np.union1d(win, must)  # sorted: rank order


def project(tr: QTransform, mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mercator metres -> device px with an affine QTransform, whole arrays at once."""
    a, b, c, d, dx, dy = _affine(tr)
    if b == 0.0 and c == 0.0:  # the ViewBox never rotates: two passes, not four
        return a * mx + dx, d * my + dy
    return a * mx + c * my + dx, b * mx + d * my + dy


def _affine(tr: Any) -> tuple[float, float, float, float, float, float]:
    return tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.dx(), tr.dy()
