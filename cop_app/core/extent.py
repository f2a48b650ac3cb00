"""The area a batch of updates covers, gathered as they stream past (File → Import).

After an import the officer should see what came in; when none of it lies in the
current view the window moves there. Kept Qt-free so the bounds logic is testable
without a display.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from typing import Any

BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)
MIN_SPAN_DEG = 0.2  # one point (a single ship) still opens a ~20 km view


class Extent:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._box: list[float] | None = None

    def add(self, items: Iterable[Any]) -> None:
        lats, lons = [], []
        for item in items:
            lat, lon = getattr(item, "lat", None), getattr(item, "lon", None)
            if isinstance(lat, float | int) and isinstance(lon, float | int) and (
                    math.isfinite(lat) and math.isfinite(lon)
                    and -90 <= lat <= 90 and -180 <= lon <= 180):  # fmt: skip
                lats.append(float(lat))
                lons.append(float(lon))
        if not lats:
            return
        w, s, e, n = min(lons), min(lats), max(lons), max(lats)
        with self._lock:
            b = self._box
            self._box = [w, s, e, n] if b is None else [
                min(b[0], w), min(b[1], s), max(b[2], e), max(b[3], n)]  # fmt: skip

    def bbox(self) -> BBox | None:
        with self._lock:
            return None if self._box is None else tuple(self._box)  # type: ignore[return-value]


def bbox_overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def padded(box: BBox, share: float = 0.1) -> BBox:
    """``box`` grown by ``share`` of its size on each side (at least MIN_SPAN_DEG wide)."""
    w, s, e, n = box
    dx = max((e - w) * share, (MIN_SPAN_DEG - (e - w)) / 2, 0.0)
    dy = max((n - s) * share, (MIN_SPAN_DEG - (n - s)) / 2, 0.0)
    return (max(-180.0, w - dx), max(-85.0, s - dy), min(180.0, e + dx), min(85.0, n + dy))
