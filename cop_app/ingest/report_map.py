"""One GeoJSON-shaped feature (from a GeoJSON file or a KML placemark) to a ReportUpdate.

Both report formats meet here so that a KML placemark and the GeoJSON feature
togeojson would make of it become the same report. Bad values of single fields
(a reliability of "Z", an unreadable time) drop that field and are reported as
problems; the report itself is kept, since its place and text are still worth having.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import shapely

from cop_app.core.enums import EventType, Perception
from cop_app.core.geo import valid_position
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import ReportUpdate
from cop_app.core.verification import VerificationStatus
from cop_app.ingest.geojson_check import flat_2d

TIME_KEYS = ("time", "timestamp", "datetime", "date", "start", "begin", "observed_at", "when")
END_KEYS = ("time_end", "end", "end_time")
TITLE_KEYS = ("title", "name")
TEXT_KEYS = ("text", "description")
EVENT_KEYS = ("event_type", "eventType", "event", "type", "category")
RELIABILITY = frozenset("ABCDEF")  # NATO admiralty code: source reliability
CREDIBILITY = frozenset(range(1, 7))  # and information credibility

# Common words for SMM event types; anything else maps to "other".
_EVENT_SYNONYMS = {
    "explosion": ("explosions", "blast", "detonation", "impact", "shelling"),
    "projectile": ("projectiles", "projectile_in_flight", "rocket", "missile", "flare"),
    "burst": ("bursts", "shot", "shots", "gunfire", "shooting", "small_arms_fire", "firing"),
    "weapon_sighting": ("weapon", "weapons", "heavy_weapons", "weapons_sighting"),
    "presence_in_disengagement_area": ("presence", "disengagement_area"),
    "civilian_harm": ("civilian_casualty", "civilian_casualties", "casualty", "casualties"),
    "mine_uxo": ("mine", "mines", "uxo", "ied", "landmine"),
    "monitor_impediment": ("impediment", "restriction", "access_denied", "denial_of_access"),
}
_EVENT_WORDS = {
    **{e.value: e.value for e in EventType},
    **{w: k for k, words in _EVENT_SYNONYMS.items() for w in words},
}
_YEAR_MONTH = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?$")  # xsd:gYear / gYearMonth (KML times)


def parse_time(value: Any) -> float:
    """An ISO 8601 / xsd date-time, a bare year or year-month (KML allows both), or
    epoch seconds; naive times are UTC. Raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        return float(value) / 1000.0 if abs(value) > 1e11 else float(value)  # > 1e11: ms
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    m = _YEAR_MONTH.match(text)
    if m:
        dt = datetime(int(m.group(1)), int(m.group(2) or 1), 1, tzinfo=UTC)
        return dt.timestamp()
    try:
        return parse_iso(text)
    except (ValueError, OverflowError):
        raise ValueError(f"not an ISO 8601 time: {text[:40]!r}") from None


def stable_id(feature: dict[str, Any]) -> str:
    """A content hash, so importing the same file twice gives the same report ids."""
    blob = json.dumps(feature, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def representative_point(geometry: dict[str, Any] | None) -> tuple[float, float] | None:
    """(lat, lon) of a point on the geometry: the point itself, or one inside it."""
    if not geometry:
        return None
    geom = shapely.geometry.shape(flat_2d(geometry))
    if geom.is_empty:
        return None
    if geom.geom_type != "Point":
        try:
            geom = geom.representative_point()
        except shapely.errors.GEOSException:  # invalid polygons can defeat it
            geom = geom.centroid
    if geom.is_empty:
        return None
    return geom.y, geom.x


def _first(props: dict[str, Any], keys: Iterable[str]) -> tuple[str, Any] | None:
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            return key, value
    return None


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [value]


def event_type(value: Any) -> str:
    word = re.sub(r"[\s\-/]+", "_", str(value).strip().lower())
    return _EVENT_WORDS.get(word, EventType.OTHER.value)


class ReportMapper:
    """Maps feature dicts to ReportUpdates; collects per-field problems as text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def report(self, feature: dict[str, Any], warnings: list[str]) -> ReportUpdate:
        self.problems = []
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        point = representative_point(geometry)
        if point is not None and not valid_position(*point):
            # Kept as a record (the file said it), but never drawn somewhere it is not.
            self.problems.append(f"position {point[0]:.6f},{point[1]:.6f} out of range; "
                                 "report kept without a location")  # fmt: skip
            point = None
        time, time_end = self._times(props)
        fields: dict[str, Any] = {"properties": props}
        for name, keys in (("title", TITLE_KEYS), ("text", TEXT_KEYS)):
            found = _first(props, keys)
            if found and isinstance(found[1], str) and found[1].strip():
                fields[name] = found[1].strip()
        found = _first(props, EVENT_KEYS)
        fields["event_type"] = event_type(found[1]) if found else EventType.OTHER.value
        fields["status"] = self._status(props)
        self._grading(props, fields)
        self._choice(props, "perception", {p.value for p in Perception}, fields)
        self._count(props, fields)
        if time_end is not None:
            fields["time_end"] = time_end
        if warnings:
            fields["warnings"] = list(warnings)
        return ReportUpdate(
            id=self._id(feature, props),
            source=self.source,
            time=time,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            geometry=geometry,
            fields=fields,
        )

    def _id(self, feature: dict[str, Any], props: dict[str, Any]) -> str:
        for value in (feature.get("id"), props.get("id")):
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
        return stable_id(feature)

    def _time(self, key: str, value: Any) -> float | None:
        try:
            return parse_time(value)
        except (ValueError, OverflowError, OSError) as exc:
            self.problems.append(f"{key}: {exc}; time dropped")
            return None

    def _times(self, props: dict[str, Any]) -> tuple[float | None, float | None]:
        start = end = None
        found = _first(props, TIME_KEYS)
        if found:
            start = self._time(*found)
        span = props.get("timespan")
        if isinstance(span, dict):
            if start is None and span.get("begin"):
                start = self._time("timespan.begin", span["begin"])
            if span.get("end"):
                end = self._time("timespan.end", span["end"])
        found = _first(props, END_KEYS)
        if found:
            end = self._time(*found)
        times = [t for t in (self._time("coordTimes", v) for v in _flatten(
            props.get("coordTimes") or [])) if t is not None]  # fmt: skip
        if times:
            start = min(times) if start is None else start
            end = max(times) if end is None else end
        return start, end

    def _status(self, props: dict[str, Any]) -> str:
        value = props.get("status")
        if value is None:
            return VerificationStatus.REPORTED.value
        try:
            return VerificationStatus(str(value).strip().lower()).value
        except ValueError:
            names = ", ".join(s.value for s in VerificationStatus)
            self.problems.append(f"status {value!r} is not one of {names}; 'reported' used")
            return VerificationStatus.REPORTED.value

    def _grading(self, props: dict[str, Any], fields: dict[str, Any]) -> None:
        """Admiralty code: reliability A-F and credibility 1-6, apart or as ``B2``."""
        rel, cred = props.get("reliability"), props.get("credibility")
        code = props.get("admiralty")
        if isinstance(code, str) and len(code.strip()) == 2:
            rel = code.strip()[0] if rel is None else rel
            cred = code.strip()[1] if cred is None else cred
        if rel is not None:
            text = str(rel).strip().upper()
            if text in RELIABILITY:
                fields["reliability"] = text
            else:
                self.problems.append(f"reliability {rel!r} is not A-F; dropped")
        if cred is not None:
            number = _small_int(cred)
            if number in CREDIBILITY:
                fields["credibility"] = number
            else:
                self.problems.append(f"credibility {cred!r} is not 1-6; dropped")

    def _choice(self, props: dict[str, Any], key: str, allowed: set[str], fields: dict) -> None:
        value = props.get(key)
        if value is None:
            return
        text = str(value).strip().lower()
        if text in allowed:
            fields[key] = text
        else:
            self.problems.append(f"{key} {value!r} is not one of {', '.join(sorted(allowed))}")

    def _count(self, props: dict[str, Any], fields: dict[str, Any]) -> None:
        value = props.get("count")
        if value is None:
            return
        number = _small_int(value)
        if number is not None and number >= 0:
            fields["count"] = number
        else:
            self.problems.append(f"count {value!r} is not a whole number >= 0; dropped")


def _small_int(value: Any) -> int | None:
    """An int from 3, 3.0 or "3"; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        return int(value)
    return None
