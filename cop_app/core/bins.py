"""Time bins for the timeline: nice bin sizes and stacked counts, Qt-free and numpy-only.

Bins are aligned to whole multiples of their size since the epoch, so an hour bin starts
on the hour UTC and a day bin at 0000Z: what an officer reads off the axis is what
was counted. Counting is one ``np.histogram`` per series, about 25 ms per million
events on a 2-core VM, so the timeline can rebin on every zoom.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

# The sizes officers think in (1 min ... 1 d); beyond a day, whole days.
NICE_BINS_S: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0)


def nice_bin(span_s: float, target_bins: int) -> float:
    """The smallest nice bin size (seconds) that cuts ``span_s`` into at most
    ``target_bins`` bins; whole days past the largest size."""
    target = max(1, int(target_bins))
    want = max(float(span_s), 0.0) / target
    for size in NICE_BINS_S:
        if size >= want:
            return size
    day = NICE_BINS_S[-1]
    return day * math.ceil(want / day)


def bin_edges(t0: float, t1: float, bin_s: float) -> np.ndarray:
    """Edges of the aligned bins covering [t0, t1] (at least one bin)."""
    if bin_s <= 0:
        raise ValueError(f"bin size must be positive, not {bin_s}")
    first = math.floor(t0 / bin_s)
    last = max(math.ceil(t1 / bin_s), first + 1)
    return np.arange(first, last + 1, dtype=np.float64) * bin_s


def stacked_counts(
    times_by_series: Mapping[str, np.ndarray],
    t0: float,
    t1: float,
    bin_s: float,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Counts per aligned bin over [t0, t1] for each series: (edges, {name: counts}).

    Times outside the covered bins, and non-finite times (the Picture pads its history
    columns with +inf), are not counted; as in ``np.histogram`` the last bin also holds
    its right edge. Stack the series in the order given.
    """
    edges = bin_edges(t0, t1, bin_s)
    nbins = len(edges) - 1
    span = (edges[0], edges[-1])
    out: dict[str, np.ndarray] = {}
    for name, times in times_by_series.items():
        t = np.asarray(times, dtype=np.float64).ravel()
        # np.histogram's equal-width path computes bin indices arithmetically (faster
        # than a mask plus bincount here) and already skips NaN and inf.
        out[name] = np.histogram(t, bins=nbins, range=span)[0]
    return edges, out


def stack(counts: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(bottom, top) of each series' bars when stacked in the mapping's order."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    base: np.ndarray | None = None
    for name, c in counts.items():
        bottom = np.zeros(len(c), dtype=np.int64) if base is None else base
        top = bottom + c
        out[name] = (bottom, top)
        base = top
    return out
