"""Vocabularies of the domain model (see shared/ARCHITECTURE.md, domain model)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Domain(IntEnum):
    """Stored as int8 in the Picture's columns, hence IntEnum."""

    AIR = 0
    SEA = 1
    LAND = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Domain:
        return cls[text.strip().upper()]


class Identity(IntEnum):
    """Standard identities (MIL-STD-2525 / APP-6), plus the exercise ones."""

    PENDING = 0
    UNKNOWN = 1
    ASSUMED_FRIEND = 2
    FRIEND = 3
    NEUTRAL = 4
    SUSPECT = 5
    HOSTILE = 6
    JOKER = 7
    FAKER = 8

    @property
    def label(self) -> str:
        return self.name.lower()


class PositionSource(StrEnum):
    ADSB = "adsb"
    MLAT = "mlat"
    TISB = "tisb"
    RADAR = "radar"
    AIS = "ais"
    VISUAL = "visual"
    COT = "cot"
    OTHER = "other"


class PlatformClass(StrEnum):
    FIXED_WING = "fixed_wing"
    ROTARY = "rotary"
    UAV = "uav"
    MISSILE = "missile"
    UNKNOWN = "unknown"


class EventType(StrEnum):
    """Land report event types, in the OSCE SMM reporting vocabulary."""

    EXPLOSION = "explosion"
    PROJECTILE = "projectile"
    BURST = "burst"
    WEAPON_SIGHTING = "weapon_sighting"
    PRESENCE_IN_DISENGAGEMENT_AREA = "presence_in_disengagement_area"
    CIVILIAN_HARM = "civilian_harm"
    MINE_UXO = "mine_uxo"
    MONITOR_IMPEDIMENT = "monitor_impediment"
    OTHER = "other"


class Perception(StrEnum):
    SEEN = "seen"
    HEARD = "heard"
    RECORDED = "recorded"


class ZoneKind(StrEnum):
    CEASEFIRE_LINE = "ceasefire_line"
    BUFFER = "buffer"
    SECURITY_ZONE = "security_zone"
    WITHDRAWAL_LINE = "withdrawal_line"
    CORRIDOR = "corridor"
    INSPECTION_AREA = "inspection_area"
    PROHIBITED_AIRSPACE = "prohibited_airspace"
    RESTRICTED_AIRSPACE = "restricted_airspace"
    RESTRICTED_AREA = "restricted_area"


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class AlertState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    CLEARED = "cleared"


# AIS navigational status 0-15 as officers read it (ITU-R M.1371-5, table 45).
NAV_STATUS_TEXT: dict[int, str] = {
    0: "Under way using engine",
    1: "At anchor",
    2: "Not under command",
    3: "Restricted manoeuvrability",
    4: "Constrained by her draught",
    5: "Moored",
    6: "Aground",
    7: "Engaged in fishing",
    8: "Under way sailing",
    9: "Reserved (HSC)",
    10: "Reserved (WIG)",
    11: "Power-driven vessel towing astern",
    12: "Power-driven vessel pushing ahead or towing alongside",
    13: "Reserved",
    14: "AIS-SART / MOB / EPIRB active",
    15: "Not defined",
}

# Squawks officers expect called out by name (tar1090 labels).
EMERGENCY_SQUAWKS: dict[str, str] = {"7500": "HIJACK", "7600": "NORDO", "7700": "EMERGENCY"}
