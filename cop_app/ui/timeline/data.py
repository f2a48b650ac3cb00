"""What the timeline counts, pulled from the Picture as flat numpy arrays.

Kept apart from the widget so the pull (which holds the Picture's lock) is short and
the counting can run on the arrays without touching the Picture again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cop_app.core.enums import Domain, EventType
from cop_app.core.picture import Picture
from cop_app.core.style import HIDDEN_BY_DEFAULT

TRACK_SERIES: tuple[str, ...] = (Domain.AIR.label, Domain.SEA.label)
REPORT_SERIES: tuple[str, ...] = tuple(e.value for e in EventType)


@dataclass
class TimelineData:
    """Fix times per domain; report times, types and statuses in parallel arrays."""

    fixes: dict[str, np.ndarray] = field(default_factory=dict)
    report_ids: list[str] = field(default_factory=list)
    report_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    report_type: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    report_status: list[str] = field(default_factory=list)

    def reports_by_type(self) -> dict[str, np.ndarray]:
        return {name: self.report_t[self.report_type == k] for k, name in enumerate(REPORT_SERIES)}

    def earliest(self) -> float:
        """The oldest time held locally (+inf when there is nothing)."""
        firsts = [float(a.min()) for a in (*self.fixes.values(), self.report_t) if len(a)]
        return min(firsts, default=float("inf"))


def pull(picture: Picture, *, show_hidden: bool = False) -> TimelineData:
    """Copy the arrays the timeline needs out of ``picture``, under its lock (one
    consistent moment for fixes and reports)."""
    with picture.lock:
        fixes = picture.fix_times()
        reports = picture.reports()
    if not show_hidden:
        reports = [r for r in reports if str(r.status) not in HIDDEN_BY_DEFAULT]
    reports = [r for r in reports if r.time is not None]
    type_index = {name: k for k, name in enumerate(REPORT_SERIES)}
    other = type_index["other"]
    types = [type_index.get(str(r.event_type), other) for r in reports]
    return TimelineData(
        fixes=fixes,
        report_ids=[r.id for r in reports],
        report_t=np.array([r.time for r in reports], dtype=np.float64),
        report_type=np.array(types, dtype=np.intp),
        report_status=[str(r.status) for r in reports],
    )

