"""Records of the domain model, as views and the API see them.

The Picture keeps tracks columnar for speed; these dataclasses are what one track,
report, zone or alert looks like when a panel, an export or the API asks for it.
Every record carries id, version, updated_at, sources, a UTC time with its
precision, and a WGS84 position with its precision and circular error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import shapely
from shapely.geometry import shape

from cop_app.core.enums import (
    NAV_STATUS_TEXT,
    AlertState,
    Domain,
    EventType,
    Identity,
    PlatformClass,
    PositionSource,
    Severity,
    ZoneKind,
)
from cop_app.core.verification import Transition, VerificationStatus, status_at


class TimePrecision(StrEnum):
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


class LocationPrecision(StrEnum):
    EXACT = "exact"  # a sensor fix (AIS, ADS-B, GPS)
    APPROXIMATE = "approximate"  # an observer's estimate (bearing and range)
    SETTLEMENT = "settlement"  # "in or near <village>"
    REGION = "region"


@dataclass(slots=True)
class Record:
    id: str
    version: int = 1
    updated_at: float = 0.0
    sources: tuple[str, ...] = ()
    time: float | None = None
    time_precision: TimePrecision = TimePrecision.SECOND
    lat: float | None = None
    lon: float | None = None
    location_precision: LocationPrecision = LocationPrecision.EXACT
    ce90_m: float | None = None

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None and not math.isnan(self.lat)


@dataclass(slots=True)
class Track(Record):
    """What air, sea and ground tracks share."""

    domain: Domain = Domain.AIR
    identity: Identity = Identity.UNKNOWN
    callsign: str | None = None
    speed_kn: float | None = None
    course_deg: float | None = None
    heading_deg: float | None = None
    stale_at: float | None = None
    history_points: int = 0
    fields: dict[str, Any] = field(default_factory=dict)

    def is_stale(self, t: float) -> bool:
        return self.stale_at is not None and t > self.stale_at


@dataclass(slots=True)
class AirTrack(Track):
    icao24: str | None = None
    squawk: str | None = None
    altitude_ft: float | None = None
    geo_altitude_ft: float | None = None
    vertical_rate_fpm: float | None = None
    on_ground: bool | None = None
    position_source: PositionSource = PositionSource.ADSB
    platform_class: PlatformClass = PlatformClass.UNKNOWN
    emergency: bool = False


@dataclass(slots=True)
class MaritimeTrack(Track):
    mmsi: int | None = None
    imo: int | None = None
    name: str | None = None
    ship_type: int | None = None
    flag: str | None = None
    nav_status: int | None = None
    destination: str | None = None
    ais_class: str | None = None

    @property
    def nav_status_text(self) -> str | None:
        return None if self.nav_status is None else NAV_STATUS_TEXT.get(self.nav_status)


@dataclass(slots=True)
class GroundTrack(Track):
    cot_type: str | None = None


@dataclass(slots=True)
class LandReport(Record):
    """An observation or incident with its verification status and audited trail."""

    event_type: EventType = EventType.OTHER
    status: VerificationStatus = VerificationStatus.REPORTED
    title: str = ""
    text: str = ""
    perception: str | None = None
    count: int | None = None
    reliability: str | None = None  # source reliability A-F (admiralty code)
    credibility: int | None = None  # information credibility 1-6
    time_end: float | None = None
    geometry: dict[str, Any] | None = None
    trail: list[Transition] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)

    def status_at(self, t: float | None) -> VerificationStatus:
        """The status at ``t`` from the trail (replay); None (live) is the latest."""
        return self.status if t is None else status_at(self.trail, self.status, t)


@dataclass(slots=True)
class Zone:
    """A ceasefire line, buffer, corridor or airspace, valid for a period."""

    id: str
    kind: ZoneKind
    name: str
    geometry: shapely.Geometry
    version: int = 1
    valid_from: float | None = None
    valid_to: float | None = None
    floor_ft: float | None = None
    ceiling_ft: float | None = None
    buffer_m: float | None = None

    def valid_at(self, t: float) -> bool:
        return (self.valid_from is None or t >= self.valid_from) and (
            self.valid_to is None or t < self.valid_to
        )

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> Zone:
        props = feature.get("properties") or {}
        return cls(
            id=str(feature.get("id") or props["id"]),
            kind=ZoneKind(props["kind"]),
            name=str(props.get("name", "")),
            geometry=shape(feature["geometry"]),
            version=int(props.get("version", 1)),
            valid_from=props.get("valid_from"),
            valid_to=props.get("valid_to"),
            floor_ft=props.get("floor_ft"),
            ceiling_ft=props.get("ceiling_ft"),
            buffer_m=props.get("buffer_m"),
        )


@dataclass(slots=True)
class Alert:
    id: str
    rule: str
    severity: Severity
    subject: str  # track key, report id or zone id
    time: float
    lat: float | None = None
    lon: float | None = None
    state: AlertState = AlertState.NEW
    message: str = ""
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    snoozed_until: float | None = None
    cleared_at: float | None = None
