"""Where and when a batch of updates lies, gathered as they stream past (File → Import).

After an import the officer should see what came in: when none of it lies in the
current view the window moves there, and when it is older than the live picture the
window replays it at its end. Kept Qt-free so the logic is testable without a display.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterable
from typing import Any

from cop_app.core.updates import ParseError

BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)
MIN_SPAN_DEG = 0.2  # one point (a single ship) still opens a ~20 km view
SAMPLE = 4096  # positions kept to test "is any of it in view" (a reservoir sample)


class Extent:
    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._box: list[float] | None = None
        self.t_min = math.inf
        self.t_max = -math.inf
        self.points: list[tuple[float, float]] = []  # (lat, lon), at most SAMPLE
        self.seen = 0
        self.first_error: ParseError | None = None
        self._rng = random.Random(seed)

    def add(self, items: Iterable[Any]) -> None:
        lats, lons, times = [], [], []
        error = None
        for item in items:
            if isinstance(item, ParseError):
                error = error or item
                continue
            t = getattr(item, "time", None)
            if isinstance(t, float | int) and math.isfinite(t):
                times.append(float(t))
            lat, lon = getattr(item, "lat", None), getattr(item, "lon", None)
            if isinstance(lat, float | int) and isinstance(lon, float | int) and (
                    math.isfinite(lat) and math.isfinite(lon)
                    and -90 <= lat <= 90 and -180 <= lon <= 180):  # fmt: skip
                lats.append(float(lat))
                lons.append(float(lon))
        with self._lock:
            if error is not None and self.first_error is None:
                self.first_error = error
            if times:
                self.t_min, self.t_max = min(self.t_min, min(times)), max(self.t_max, max(times))
            if not lats:
                return
            w, s, e, n = min(lons), min(lats), max(lons), max(lats)
            b = self._box
            self._box = [w, s, e, n] if b is None else [
                min(b[0], w), min(b[1], s), max(b[2], e), max(b[3], n)]  # fmt: skip
            for p in zip(lats, lons, strict=True):
                self.seen += 1
                if len(self.points) < SAMPLE:
                    self.points.append(p)
                elif (k := self._rng.randrange(self.seen)) < SAMPLE:
                    self.points[k] = p

    def bbox(self) -> BBox | None:
        with self._lock:
            return None if self._box is None else tuple(self._box)  # type: ignore[return-value]

    def any_inside(self, box: BBox) -> bool:
        """Whether any sampled position lies in ``box`` (west, south, east, north)."""
        w, s, e, n = box
        with self._lock:
            return any(s <= la <= n and w <= lo <= e for la, lo in self.points)

    def times(self) -> tuple[float, float] | None:
        with self._lock:
            return None if self.t_max == -math.inf else (self.t_min, self.t_max)


def bbox_overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def padded(box: BBox, share: float = 0.1) -> BBox:
    """``box`` grown by ``share`` of its size on each side (at least MIN_SPAN_DEG wide)."""
    w, s, e, n = box
    dx = max((e - w) * share, (MIN_SPAN_DEG - (e - w)) / 2, 0.0)
    dy = max((n - s) * share, (MIN_SPAN_DEG - (n - s)) / 2, 0.0)
    return (max(-180.0, w - dx), max(-85.0, s - dy), min(180.0, e + dx), min(85.0, n + dy))
