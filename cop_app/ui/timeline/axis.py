"""A UTC time axis labelled in date-time-group style (``261530Z``, ``26NOV26``).

Why not pyqtgraph's DateAxisItem: even with ``utcOffset=0`` its hour ticks are placed
on local whole hours (``offsetToLocalHour`` reads the machine's zone), so at UTC+5:45
they land on xx:15Z. Ticks here are whole multiples of the spacing since the epoch,
which is UTC by definition, and labels are formatted from UTC fields only.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

from cop_app.core.timeutil import MONTHS, to_datetime

DAY = 86400.0
# Tick spacings an officer reads easily; the axis picks the finest whose labels fit.
SPACINGS: tuple[float, ...] = (
    1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600,
    12 * 3600, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
)


def tick_label(t: float, spacing: float) -> str:
    """The label for a tick at ``t`` when ticks are ``spacing`` seconds apart.

    Midnights and day-or-coarser ticks give the date (``26NOV26``); finer ticks give a
    DTG without month and year (``261530Z``), with seconds below a minute.
    """
    dt = to_datetime(t)
    if spacing >= DAY or (dt.hour == dt.minute == dt.second == 0):
        return f"{dt.day:02d}{MONTHS[dt.month - 1]}{dt.year % 100:02d}"
    if spacing < 60:
        return f"{dt.day:02d}{dt.hour:02d}{dt.minute:02d}{dt.second:02d}Z"
    return f"{dt.day:02d}{dt.hour:02d}{dt.minute:02d}Z"


def utc_ticks(t0: float, t1: float, spacing: float) -> list[float]:
    """Whole multiples of ``spacing`` since the epoch in [t0, t1]."""
    first = math.ceil(t0 / spacing)
    last = math.floor(t1 / spacing)
    return [k * spacing for k in range(first, last + 1)]


class UtcAxis(pg.AxisItem):
    """Bottom axis of epoch seconds, UTC, DTG labels."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.autoSIPrefix = False
        self.enableAutoSIPrefix(False)

    def _label_px(self, sample: str) -> float:
        font = self.style["tickFont"] or QFont()
        return QFontMetricsF(font).horizontalAdvance(sample) + 24.0

    def tickValues(self, minVal: float, maxVal: float, size: float):
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal or size <= 0:
            return []
        per_px = (maxVal - minVal) / size
        spacing = _spacing_at_least(self._label_px("261530Z") * per_px)
        if spacing < 60:  # second ticks carry the longer label
            spacing = max(_spacing_at_least(self._label_px("26153045Z") * per_px), spacing)
        return [(spacing, utc_ticks(minVal, maxVal, spacing))]

    def tickStrings(self, values, scale, spacing):
        return [tick_label(v, spacing) for v in values]


def _spacing_at_least(seconds: float) -> float:
    for s in SPACINGS:
        if s >= seconds:
            return float(s)
    return SPACINGS[-1] * math.ceil(seconds / SPACINGS[-1])  # beyond: whole 28-day steps
