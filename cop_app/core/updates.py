"""What parsers emit and the Picture consumes: typed updates and parse errors.

Parsers never build tracks themselves; they describe what one message said. The
Picture decides identity and merging, so every feed merges the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cop_app.core.enums import Domain

# Keys a TrackUpdate.fields may carry (units in the names). Parsers set only what the
# message said; absent keys leave the track's previous value in place.
TRACK_FIELDS = (
    "mmsi", "icao24", "imo", "name", "callsign", "squawk", "emergency", "alert", "spi",
    "speed_kn", "course_deg", "heading_deg", "altitude_ft", "geo_altitude_ft",
    "vertical_rate_fpm", "on_ground", "ship_type", "ship_type_text", "destination",
    "eta", "nav_status", "nav_status_text", "flag", "ais_class", "position_source",
    "platform_class", "identity", "cot_type", "cot_how", "length_m", "beam_m",
    "draught_m", "category", "remarks", "ce90_m", "non_icao",
)  # fmt: skip


def air_key(icao24: str) -> str:
    """Identity of an air track across feeds: the ICAO 24-bit address, lower-case hex."""
    return f"icao:{icao24.strip().lower()}"


def sea_key(mmsi: int | str) -> str:
    """Identity of a maritime track across feeds: the 9-digit MMSI."""
    return f"mmsi:{int(mmsi):09d}"


@dataclass(slots=True)
class TrackUpdate:
    """One observation of an air, sea or ground track by one source.

    ``key`` is the merge identity (``air_key``/``sea_key``, or ``cot:<uid>`` for CoT
    tracks that carry neither). ``time`` is UTC epoch seconds of the observation.
    """

    domain: Domain
    key: str
    source: str
    time: float
    lat: float | None = None
    lon: float | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    stale_at: float | None = None

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(slots=True)
class ReportUpdate:
    """A land report (observation or incident), as a feed or file described it.

    ``geometry`` is the GeoJSON geometry as given (point, line, polygon...);
    ``lat``/``lon`` is its representative point, used for maps and queries.
    ``fields`` carries event_type, status, title, text, reliability, credibility,
    perception, count, time_end, properties and the like.
    """

    id: str
    source: str
    time: float | None
    lat: float | None
    lon: float | None
    geometry: dict[str, Any] | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParseError:
    """One piece of input that could not be used, and why.

    ``location`` is ``line N`` for line formats or ``offset N``/``feature N`` for
    documents; ``excerpt`` is the start of the offending input for the report.
    """

    source: str
    location: str
    reason: str
    excerpt: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}" if self.source else self.location
        return f"{where}: {self.reason}"


Update = TrackUpdate | ReportUpdate
