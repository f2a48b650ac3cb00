"""Rule names, severities and every threshold in one frozen dataclass.

Why one object: the server, the desktop and the benchmark must agree on what an
alert means; a config passed around (and logged) is easier to audit than constants
scattered over modules. Times are seconds, speeds knots, distances metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cop_app.core.enums import EMERGENCY_SQUAWKS, Identity, Severity, ZoneKind

# Rule names: stable identifiers stored with alerts, used in snoozes by rule.
AIR_ZONE = "air_zone_entry"
CEASEFIRE_CROSSING = "ceasefire_crossing"
SQUAWK = "emergency_squawk"
RESTRICTED_AREA = "restricted_area_entry"
CORRIDOR_DEPARTURE = "corridor_departure"
LOITER = "corridor_loiter"
AIS_GAP = "ais_gap"
JUMP = "impossible_jump"
LOST = "lost_in_zone"
REPORT_IN_ZONE = "report_in_zone"
REPORT_CORROBORATED = "report_corroborated"
REPORT_VERIFIED = "report_verified"

RULES = (AIR_ZONE, CEASEFIRE_CROSSING, SQUAWK, RESTRICTED_AREA, CORRIDOR_DEPARTURE, LOITER,
         AIS_GAP, JUMP, LOST, REPORT_IN_ZONE, REPORT_CORROBORATED, REPORT_VERIFIED)  # fmt: skip

DEFAULT_SEVERITY: Mapping[str, Severity] = MappingProxyType({
    SQUAWK: Severity.CRITICAL,
    CEASEFIRE_CROSSING: Severity.HIGH,
    RESTRICTED_AREA: Severity.HIGH,
    CORRIDOR_DEPARTURE: Severity.MEDIUM,
    LOITER: Severity.LOW,
    AIS_GAP: Severity.MEDIUM,
    JUMP: Severity.MEDIUM,
    LOST: Severity.MEDIUM,
    REPORT_IN_ZONE: Severity.MEDIUM,
    REPORT_CORROBORATED: Severity.MEDIUM,
    REPORT_VERIFIED: Severity.HIGH,
})  # fmt: skip

# Air zone entry: severity by the kind of zone entered (the highest wins).
AIR_ZONE_SEVERITY: Mapping[ZoneKind, Severity] = MappingProxyType({
    ZoneKind.PROHIBITED_AIRSPACE: Severity.HIGH,
    ZoneKind.BUFFER: Severity.HIGH,
    ZoneKind.RESTRICTED_AIRSPACE: Severity.MEDIUM,
})  # fmt: skip

# Polygonal zones in which a lost track or a new land report matters.
WATCHED_KINDS = frozenset({ZoneKind.BUFFER, ZoneKind.SECURITY_ZONE, ZoneKind.CORRIDOR,
                           ZoneKind.INSPECTION_AREA, ZoneKind.PROHIBITED_AIRSPACE,
                           ZoneKind.RESTRICTED_AIRSPACE, ZoneKind.RESTRICTED_AREA})  # fmt: skip
REPORT_KINDS = frozenset({ZoneKind.BUFFER, ZoneKind.SECURITY_ZONE, ZoneKind.RESTRICTED_AREA,
                          ZoneKind.INSPECTION_AREA})  # fmt: skip


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of every rule (defaults from practice; each one a documented choice)."""

    squawks: Mapping[str, str] = field(default_factory=lambda: dict(EMERGENCY_SQUAWKS))
    # An air track with no altitude inside an airspace's footprint: assume it is inside
    # (a missing altitude must not hide a violation).
    unknown_altitude_inside: bool = True
    # Corridor departure: metres beyond the corridor polygon; None = the zone's buffer_m.
    corridor_departure_m: float | None = None
    loiter_speed_kn: float = 2.0
    loiter_s: float = 30 * 60.0
    # AIS gap: silent at least this long; silent longer than gap_max_s is "gone", not a gap.
    gap_s: float = 15 * 60.0
    gap_max_s: float = 24 * 3600.0
    # Impossible jump: implied speed limits, and a minimum distance so that two fixes a
    # fraction of a second apart with a few metres of GPS noise are not a "jump".
    jump_sea_kn: float = 60.0
    jump_air_kn: float = 1000.0
    jump_min_m: float = 1000.0
    # A lost (stale) track is watched this long after its last fix, then it is gone.
    lost_max_s: float = 6 * 3600.0
    # Land reports count as new (and their status changes as news) this long. An hour,
    # not a day: a watch that starts (or a server that restarts) must not be greeted by
    # an alert for every report of the last 24 h along the line (alarm fatigue).
    report_window_s: float = 3600.0
    # Identities whose presence in airspace is expected (the mission's own and partner
    # aircraft fly the restricted airspace along the line); they raise no entry alert.
    airspace_exempt: frozenset[Identity] = frozenset({Identity.FRIEND, Identity.ASSUMED_FRIEND})
    severity: Mapping[str, Severity] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    rules: frozenset[str] = frozenset(RULES)  # the rules to run

    def severity_of(self, rule: str) -> Severity:
        return self.severity.get(rule, DEFAULT_SEVERITY.get(rule, Severity.MEDIUM))
