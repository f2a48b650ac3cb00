"""Fixes older than the Picture's own kept history, fetched from the server for replay.

The Picture keeps a short, bounded history per track (60 points, a few hours) so that
live views stay fast; a duty officer replaying last night needs more than that, and
the server keeps it. Those fetched fixes land here, apart from the live columns, so
the live bound never drops them and a live update never has to shift them.

Layout: flat columns sorted by (time, row), replaced whole on every add and read
through one attribute, so a reader on another thread (``Picture.as_of`` under the
Picture's lock, or the timeline's pull) always sees one consistent set without the
writer holding any lock while it sorts. Memory is bounded by ``max_fixes`` (oldest
dropped first, and the covered spans trimmed to match).
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np

MAX_FIXES = 2_000_000  # ~56 MB of columns; a night of a busy theatre at one fix a minute


class Columns(NamedTuple):
    t: np.ndarray  # float64, sorted ascending (ties by row)
    row: np.ndarray  # int32: the Picture row of the track
    lat: np.ndarray
    lon: np.ndarray


class Around(NamedTuple):
    """Per track row: the last archived fix at or before a time, and the next after it."""

    rows: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    next_t: np.ndarray  # nan where the archive has no later fix within the horizon
    next_lat: np.ndarray
    next_lon: np.ndarray


def _empty() -> Columns:
    return Columns(np.empty(0), np.empty(0, np.int32), np.empty(0), np.empty(0))


def merge_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of closed intervals, sorted, touching ones joined."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def uncovered(t0: float, t1: float, spans: list[tuple[float, float]]
              ) -> list[tuple[float, float]]:  # fmt: skip
    """The parts of [t0, t1] outside ``spans`` (sorted, disjoint), oldest first."""
    out, at = [], t0
    for a, b in spans:
        if b < at or a > t1:
            continue
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < t1:
        out.append((at, t1))
    return out


class FixArchive:
    def __init__(self, max_fixes: int = MAX_FIXES) -> None:
        self.max_fixes = max_fixes
        self.cols = _empty()
        self.covered: list[tuple[float, float]] = []  # spans fetched in full
        self.dropped = 0  # fixes let go to stay under max_fixes
        self._by_domain: tuple[Columns, dict] | None = None
        self._write = threading.Lock()

    def __len__(self) -> int:
        return len(self.cols.t)

    # ---- what is held --------------------------------------------------------------
    def missing(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """The parts of [t0, t1] not fetched yet, oldest first."""
        return uncovered(t0, t1, self.covered)

    # ---- writing -------------------------------------------------------------------
    def add(self, rows: np.ndarray, t: np.ndarray, lat: np.ndarray, lon: np.ndarray,
            span: tuple[float, float] | None = None) -> int:  # fmt: skip
        """Merge fixes in (rows < 0 are skipped); returns how many were new.

        ``span`` marks [t0, t1] as fetched in full, so it is not asked for again.
        """
        rows = np.asarray(rows, np.int32)
        t, lat, lon = (np.asarray(a, np.float64) for a in (t, lat, lon))
        ok = (rows >= 0) & np.isfinite(t) & np.isfinite(lat) & np.isfinite(lon)
        with self._write:
            old = self.cols
            before = len(old.t)
            t_all = np.concatenate([old.t, t[ok]])
            row_all = np.concatenate([old.row, rows[ok]])
            order = np.lexsort((row_all, t_all))
            t_all, row_all = t_all[order], row_all[order]
            lat_all = np.concatenate([old.lat, lat[ok]])[order]
            lon_all = np.concatenate([old.lon, lon[ok]])[order]
            # The same fix fetched twice (overlapping requests) is kept once.
            keep = np.ones(len(t_all), bool)
            keep[1:] = (t_all[1:] != t_all[:-1]) | (row_all[1:] != row_all[:-1])
            cols = Columns(t_all[keep], row_all[keep], lat_all[keep], lon_all[keep])
            covered = merge_spans([*self.covered, span]) if span else list(self.covered)
            over = len(cols.t) - self.max_fixes
            if over > 0:
                floor = float(cols.t[over])
                cols = Columns(*(c[over:] for c in cols))
                covered = [(max(a, floor), b) for a, b in covered if b >= floor]
                self.dropped += over
            added = len(cols.t) - before + max(over, 0)
            self.cols, self.covered = cols, covered
        return added

    def clear(self) -> None:
        with self._write:
            self.cols, self.covered = _empty(), []

    # ---- reading -------------------------------------------------------------------
    def around(self, t: float, horizon: float, n_rows: int) -> Around:
        """Each row's last fix in [t - horizon, t] and its first in (t, t + horizon].

        Only the fixes within the horizon are touched, so the cost follows how busy
        that stretch was, not how much is archived; rows at or past ``n_rows`` are
        left out. The last/first index per row is a scatter (``maximum.at``), ~40x
        cheaper than sorting the stretch by row.
        """
        c = self.cols
        lo = int(np.searchsorted(c.t, t - horizon, "left"))
        mid = int(np.searchsorted(c.t, t, "right"))
        hi = int(np.searchsorted(c.t, t + horizon, "right"))
        last = np.full(n_rows, -1, np.int64)
        seg = c.row[lo:mid]
        ok = seg < n_rows
        np.maximum.at(last, seg[ok], np.arange(lo, mid)[ok])
        rows = np.flatnonzero(last >= 0)
        at = last[rows]
        none = len(c.t)
        first = np.full(n_rows, none, np.int64)
        seg = c.row[mid:hi]
        ok = seg < n_rows
        np.minimum.at(first, seg[ok], np.arange(mid, hi)[ok])
        nxt = first[rows]
        has_next = nxt < none
        next_t = np.full(len(rows), np.nan)
        next_lat, next_lon = next_t.copy(), next_t.copy()
        j = nxt[has_next]
        next_t[has_next], next_lat[has_next], next_lon[has_next] = c.t[j], c.lat[j], c.lon[j]
        return Around(rows, c.t[at], c.lat[at], c.lon[at], next_t, next_lat, next_lon)

    def by_domain(self, domain_of_row: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """(rows, times) of the archived fixes per domain code, ordered by row.

        Made once per set of columns (a row's domain never changes): the timeline asks
        on every refresh, and a gather of the kept-history start by row in row order
        reads memory in order, ~5x cheaper than in time order at 2M fixes.
        """
        c = self.cols
        cached = self._by_domain
        if cached is not None and cached[0] is c:
            return cached[1]
        order = np.argsort(c.row, kind="stable")
        rows, t = c.row[order], c.t[order]
        dom = domain_of_row[rows]
        split = {int(d): (rows[dom == d], t[dom == d]) for d in np.unique(dom)}
        self._by_domain = (c, split)
        return split
