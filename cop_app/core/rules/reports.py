"""Land report rules: a new report inside a zone; a report reaching corroborated or
verified. Reports are few (thousands), so their columns are built per evaluation."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cop_app.core.entities import LandReport
from cop_app.core.rules import config as R
from cop_app.core.rules.condition import Condition, Conditions
from cop_app.core.rules.wording import zone_phrase
from cop_app.core.rules.zones import PreparedZone
from cop_app.core.style import EVENT_LABELS
from cop_app.core.timeutil import format_iso
from cop_app.core.verification import VerificationStatus as VS

CLOSED = frozenset({VS.REJECTED, VS.RETRACTED, VS.SUPERSEDED})
REACHED = {VS.CORROBORATED: R.REPORT_CORROBORATED, VS.VERIFIED: R.REPORT_VERIFIED}


def report_rules(reports: Iterable[LandReport], t: float, zones: list[PreparedZone],
                 cfg: R.RuleConfig, out: Conditions) -> None:  # fmt: skip
    """Reports whose time (or last change) is within ``report_window_s`` of ``t``."""
    reps = [r for r in reports if r.has_position and _recent(r, t, cfg)]
    if not reps:
        return
    lat = np.array([r.lat for r in reps], float)
    lon = np.array([r.lon for r in reps], float)
    if R.REPORT_IN_ZONE in cfg.rules:
        open_ = np.array([r.status not in CLOSED and r.time is not None
                          and t - cfg.report_window_s <= r.time for r in reps])  # fmt: skip
        sev = cfg.severity_of(R.REPORT_IN_ZONE)
        for z in sorted(zones, key=lambda z: z.id):
            if z.kind not in R.REPORT_KINDS or not z.polygonal:
                continue
            for i in np.flatnonzero(open_ & z.contains(lon, lat)).tolist():
                r = reps[i]
                out.setdefault((r.id, R.REPORT_IN_ZONE), _cond(
                    r, R.REPORT_IN_ZONE, sev, f"{_subject(r)} reported in "
                    f"{zone_phrase(z.zone)} at {format_iso(r.time)}", z.id))
    for r in reps:
        rule = REACHED.get(r.status)
        if rule is not None and rule in cfg.rules:
            out[(r.id, rule)] = _cond(r, rule, cfg.severity_of(rule),
                                      f"{_subject(r)} {r.status.value}")  # fmt: skip


def _subject(r: LandReport) -> str:
    """``Explosions heard (shelling)``: the report's title, then its event type unless
    the title already says it; an untitled report is its event type and id."""
    words = r.event_type.value.replace("_", " ")
    label = EVENT_LABELS.get(r.event_type.value, words.capitalize())  # "Mine / UXO"
    title = (r.title or "").strip()
    if not title:
        return f"{label} {r.id}"
    said = title.lower()
    if words in said or label.lower() in said:  # the title names it already
        return title
    # Mid-sentence: lower-case the first letter only, so acronyms stay ("mine / UXO").
    return f"{title} ({label[:1].lower()}{label[1:]})"


def _recent(r: LandReport, t: float, cfg: R.RuleConfig) -> bool:
    last = max(r.time or 0.0, r.updated_at or 0.0)
    return t - cfg.report_window_s <= last


def _cond(r: LandReport, rule: str, sev, message: str, zone: str | None = None) -> Condition:
    return Condition(r.id, rule, sev, float(r.time if r.time is not None else r.updated_at),
                     r.lat, r.lon, message, zone, {"status": r.status.value})  # fmt: skip
