"""Plain-data descriptions of exported items, shared by every format.

Each format writes the same facts under the same names (from ``core.records``), so a
partner reading the CSV, the KML balloon and the HTML popup reads one story. Values
here are raw data; every writer escapes them for its own syntax.
"""

from __future__ import annotations

import math
from typing import Any

from cop_app.core.entities import LandReport, Zone
from cop_app.core.geo import to_mgrs, valid_position
from cop_app.core.records import report_record, track_record
from cop_app.core.style import (
    AFFILIATION_FILLS,
    EVENT_LABELS,
    IDENTITY_FRAMES,
    STATUS_LABELS,
    status_colour,
    zone_colour,
)
from cop_app.core.timeutil import format_dtg, format_iso
from cop_app.export.selection import PlacedTrack, finite

# Track fills by standard identity: the MIL-STD-2525C light fills the map's symbols use
# (cop_app/ui/map/symbols.py), so an export reads like the screen.
IDENTITY_COLOURS = {name: AFFILIATION_FILLS[family]
                    for name, (family, _, _) in IDENTITY_FRAMES.items()}  # fmt: skip
LAYER_TITLES = {"air": "Air tracks", "sea": "Sea tracks", "land": "Land tracks",
                "reports": "Land reports", "zones": "Zones"}  # fmt: skip


def iso(t: float | None) -> str | None:
    return format_iso(t) if t is not None and math.isfinite(t) else None


def dtg(t: float | None) -> str | None:
    return format_dtg(t) if t is not None and math.isfinite(t) else None


def mgrs(lat: float | None, lon: float | None) -> str | None:
    """MGRS to 1 m; None where the grid is undefined (poles beyond UPS, bad values)."""
    if not valid_position(lat, lon):
        return None
    try:
        return to_mgrs(lat, lon)  # type: ignore[arg-type]
    except Exception:  # the mgrs C library raises bare errors near the poles
        return None


def track_name(placed: PlacedTrack) -> str:
    """Callsign (air) or name (sea), else the identifier an officer would quote."""
    t = placed.track
    f = t.fields
    for value in (f.get("callsign"), f.get("name"), t.callsign, f.get("icao24"), f.get("mmsi")):
        if value not in (None, ""):
            return str(value).strip()
    return t.id.split(":", 1)[-1]


def track_colour(placed: PlacedTrack) -> str:
    return IDENTITY_COLOURS.get(placed.track.identity.label, IDENTITY_COLOURS["unknown"])


def track_props(placed: PlacedTrack) -> dict[str, Any]:
    """The track's record, placed where and when the export time puts it."""
    rec = track_record(placed.track)
    rec.update(
        name=track_name(placed),
        identity=placed.track.identity.label,
        lat=placed.lat,
        lon=placed.lon,
        time=iso(placed.time),
        dtg=dtg(placed.time),
        mgrs=mgrs(placed.lat, placed.lon),
        stale=iso(finite(placed.time + _stale_s(placed))),
        track_status=lost_status(placed),
    )
    return {k: v for k, v in rec.items() if v is not None}


def lost_status(placed: PlacedTrack) -> str | None:
    """``LOST since <DTG>`` for a track past its stale time (the map draws it hollow)."""
    return f"LOST since {dtg(placed.time + _stale_s(placed))}" if placed.lost else None


def _stale_s(placed: PlacedTrack) -> float:
    t = placed.track
    if t.stale_at is None or t.time is None:
        return 0.0
    return max(0.0, t.stale_at - t.time)


def report_name(report: LandReport) -> str:
    return report.title or EVENT_LABELS.get(report.event_type.value, report.event_type.value)


def report_colour(report: LandReport) -> str:
    return status_colour(report.status.value)


def report_props(report: LandReport) -> dict[str, Any]:
    rec = report_record(report)
    rec.pop("geometry", None)
    rec.update(
        name=report_name(report),
        status_label=STATUS_LABELS.get(report.status.value, report.status.value),
        event_label=EVENT_LABELS.get(report.event_type.value, report.event_type.value),
        dtg=dtg(report.time),
        dtg_end=dtg(report.time_end),
        mgrs=mgrs(report.lat, report.lon),
    )
    return {k: v for k, v in rec.items() if v is not None}


def zone_props(zone: Zone) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "zone",
        "id": zone.id,
        "zone_kind": zone.kind.value,
        "name": zone.name,
        "version": zone.version,
        "valid_from": iso(zone.valid_from),
        "valid_to": iso(zone.valid_to),
        "floor_ft": zone.floor_ft,
        "ceiling_ft": zone.ceiling_ft,
        "buffer_m": zone.buffer_m,
    }
    return {k: v for k, v in out.items() if v is not None}


def zone_colour_of(zone: Zone) -> str:
    return zone_colour(zone.kind.value)


# Rows shown in a popup or balloon, in reading order: (label, property key).
TRACK_ROWS = (("Status", "track_status"), ("Identity", "identity"), ("Time", "dtg"),
              ("MGRS", "mgrs"),
              ("Speed kn", "speed_kn"), ("Nav status", "nav_status_text"),
              ("Course", "course_deg"), ("Altitude ft", "altitude_ft"),
              ("Altitude ft HAE", "geo_altitude_ft"),
              ("Squawk", "squawk"), ("MMSI", "mmsi"), ("ICAO", "icao24"),
              ("Destination", "destination"), ("Remarks", "remarks"), ("ID", "id"))  # fmt: skip
REPORT_ROWS = (("Status", "status_label"), ("Event", "event_label"), ("Time", "dtg"),
               ("MGRS", "mgrs"), ("Grading", "grading"), ("Count", "count"),
               ("Perception", "perception"), ("Text", "text"), ("ID", "id"))  # fmt: skip
ZONE_ROWS = (("Kind", "zone_kind"), ("Valid from", "valid_from"), ("Valid to", "valid_to"),
             ("Floor ft", "floor_ft"), ("Ceiling ft", "ceiling_ft"), ("ID", "id"))  # fmt: skip


def rows(props: dict[str, Any], spec: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(label, text) pairs for a popup; numbers rounded as an officer reads them."""
    out = []
    props = dict(props)
    if props.get("reliability") or props.get("credibility"):
        props["grading"] = f"{props.get('reliability', '-')}{props.get('credibility', '-')}"
    for label, key in spec:
        value = props.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, float):
            value = f"{value:.0f}" if key != "speed_kn" else f"{value:.1f}"
        out.append((label, str(value)))
    return out
