"""What the timeline counts, pulled from the Picture as flat numpy arrays.

Kept apart from the widget so the pull (which holds the Picture's lock) is short and
the counting can run on the arrays without touching the Picture again. Replaying, the
reports are coloured and stacked by the status each had at the cursor (``at``), and a
moving cursor re-reads those statuses from the reports already pulled (``with_statuses``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cop_app.core.entities import LandReport
from cop_app.core.enums import Domain, EventType
from cop_app.core.picture import Picture
from cop_app.core.style import HIDDEN_BY_DEFAULT
from cop_app.core.verification import VerificationStatus as S

TRACK_SERIES: tuple[str, ...] = (Domain.AIR.label, Domain.SEA.label)
# Report bars stack by verification status (UX.md: colour by status on map, timeline and
# tables), from the baseline up: verified violations are read off the bottom of the strip,
# unconfirmed reports sit above them, the hidden ones (when shown) on top.
REPORT_SERIES: tuple[str, ...] = tuple(s.value for s in (
    S.VERIFIED, S.CORROBORATED, S.UNDER_VERIFICATION, S.TRIAGED, S.REPORTED, S.UNVERIFIABLE,
    S.REJECTED, S.RETRACTED, S.SUPERSEDED))  # fmt: skip
EVENT_SERIES: tuple[str, ...] = tuple(e.value for e in EventType)


@dataclass
class TimelineData:
    """Fix times per domain; report times, statuses and types in parallel arrays."""

    fixes: dict[str, np.ndarray] = field(default_factory=dict)
    report_ids: list[str] = field(default_factory=list)
    report_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    report_type: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    report_status: list[str] = field(default_factory=list)
    # Index into REPORT_SERIES of each report's status (its bar and its place in it).
    report_series: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    # Every timed report pulled, hidden ones too: a replayed status may differ.
    reports: list[LandReport] = field(default_factory=list)

    def reports_by_status(self) -> dict[str, np.ndarray]:
        return {name: self.report_t[self.report_series == k]
                for k, name in enumerate(REPORT_SERIES)}  # fmt: skip

    def earliest(self) -> float:
        """The oldest time held locally (+inf when there is nothing)."""
        firsts = [float(a.min()) for a in (*self.fixes.values(), self.report_t) if len(a)]
        return min(firsts, default=float("inf"))


def pull(picture: Picture, *, show_hidden: bool = False,
         at: float | None = None) -> TimelineData:  # fmt: skip
    """Copy the arrays the timeline needs out of ``picture``, under its lock (one
    consistent moment for fixes and reports); statuses as at ``at`` (None: latest)."""
    with picture.lock:
        fixes = picture.fix_times()
        reports = picture.reports()
    timed = TimelineData(fixes=fixes, reports=[r for r in reports if r.time is not None])
    return with_statuses(timed, at, show_hidden=show_hidden)


def with_statuses(data: TimelineData, at: float | None, *,
                  show_hidden: bool = False) -> TimelineData:  # fmt: skip
    """``data`` with its report arrays rebuilt for the statuses at ``at`` (replay; None:
    the latest), from the reports already pulled: the fixes are shared, not copied."""
    pairs = [(r, str(r.status_at(at))) for r in data.reports]
    if not show_hidden:
        pairs = [(r, s) for r, s in pairs if s not in HIDDEN_BY_DEFAULT]
    reports = [r for r, _ in pairs]
    type_index = {name: k for k, name in enumerate(EVENT_SERIES)}
    status_index = {name: k for k, name in enumerate(REPORT_SERIES)}
    statuses = [s for _, s in pairs]
    types = [type_index.get(str(r.event_type), type_index["other"]) for r in reports]
    # An unknown status reads as "reported", as status_colour draws it.
    series = [status_index.get(s, status_index[S.REPORTED.value]) for s in statuses]
    return TimelineData(
        fixes=data.fixes,
        report_ids=[r.id for r in reports],
        report_t=np.array([r.time for r in reports], dtype=np.float64),
        report_type=np.array(types, dtype=np.intp),
        report_status=statuses,
        report_series=np.array(series, dtype=np.intp),
        reports=data.reports,
    )
