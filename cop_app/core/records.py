"""Plain-JSON views of records, as ``cop-app import --json`` and exports print them.

One place decides the keys and units, so the CLI, the API and the exports agree.
"""

from __future__ import annotations

import math
from typing import Any

from cop_app.core.entities import AirTrack, LandReport, MaritimeTrack, Track
from cop_app.core.timeutil import format_iso

_TRACK_EXTRA = ("name", "callsign", "speed_kn", "course_deg", "heading_deg", "altitude_ft",
                "geo_altitude_ft", "squawk", "ship_type", "imo", "destination", "flag",
                "nav_status", "nav_status_text", "ais_class", "position_source", "emergency",
                "on_ground", "cot_type", "identity")  # fmt: skip


def _clean(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(t: float | None) -> str | None:
    """ISO 8601 UTC, or None for no time (including the -inf of a track never heard)."""
    return format_iso(t) if t is not None and math.isfinite(t) else None


def track_record(track: Track) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "track",
        "domain": track.domain.label,
        "id": track.id,
        "lat": track.lat,
        "lon": track.lon,
        "time": _iso(track.time),
        "sources": list(track.sources),
    }
    f = track.fields
    # Identifiers whatever the domain: a SAR aircraft (AIS type 9) is air with an MMSI.
    mmsi = track.mmsi if isinstance(track, MaritimeTrack) else f.get("mmsi")
    icao24 = track.icao24 if isinstance(track, AirTrack) else f.get("icao24")
    if mmsi is not None:
        out["mmsi"] = mmsi
    if icao24 is not None:
        out["icao24"] = icao24
    for key in _TRACK_EXTRA:
        value = f.get(key)
        if value is None and key in ("speed_kn", "course_deg", "heading_deg", "callsign"):
            value = getattr(track, key, None)
        if value is not None:
            out[key] = _clean(value)
    if "identity" in out:
        out["identity"] = track.identity.label
    return out


def report_record(report: LandReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "report",
        "domain": "land",
        "id": report.id,
        "lat": report.lat,
        "lon": report.lon,
        "time": _iso(report.time),
        "status": report.status.value,
        "event_type": report.event_type.value,
        "sources": list(report.sources),
    }
    if report.title:
        out["name"] = report.title
    if report.text:
        out["text"] = report.text
    for key in ("reliability", "credibility", "perception", "count"):
        value = getattr(report, key)
        if value is not None:
            out[key] = _clean(value)
    if report.time_end is not None:
        out["time_end"] = format_iso(report.time_end)
    claimed = report.fields.get("source_status")
    if claimed:
        out["source_status"] = str(claimed)
    if report.geometry is not None and report.geometry.get("type") != "Point":
        out["geometry"] = report.geometry
    return out
