"""How a track's altitude and speed read wherever they are shown (map labels,
tooltips, tables, Details, export popups), so one aircraft or ship never reads two ways.

Altitude: ``altitude_ft`` is barometric (pressure altitude from ADS-B/SBS/Mode S), the
number a controller and tar1090 show, written as a flight level above the transition
altitude. ``geo_altitude_ft`` is geometric: height above the WGS84 ellipsoid (CoT
``point@hae``, readsb ``alt_geom``). The two differ by the day's pressure and the geoid
(hundreds of feet), so a geometric height is never written as a flight level (a FL
is a pressure altitude by definition) and always carries its datum: ``3,200 ft HAE``.
Feet because UX.md keeps altitudes in feet; "HAE" because that is how ATAK labels the
datum of the same CoT number (its altitude preference reads "ft HAE" / "ft MSL").

Speed: AIS navigational status 1 (at anchor) and 5 (moored) say why a ship reads
0 kn. OpenCPN shows the status beside SOG in its target query; an officer scanning a
list wants the words, so the status replaces a speed that reads as zero and stands
beside one that does not (a ship dragging its anchor at 1.4 kn must still show it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from cop_app.core.enums import NAV_STATUS_TEXT
from cop_app.core.geo import format_altitude

AT_REST = {1: NAV_STATUS_TEXT[1], 5: NAV_STATUS_TEXT[5]}  # "At anchor", "Moored"


def finite(v: Any) -> float | None:
    """``v`` as a finite float, else None (NaN columns, missing fields, bad text)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def geo_altitude_text(ft: Any) -> str:
    """``3,200 ft HAE``: a geometric height, in feet, with its datum; never a FL."""
    v = finite(ft)
    return "" if v is None else f"{round(v):,} ft HAE"


def altitude_reading(baro_ft: Any, geo_ft: Any = None) -> str:
    """The barometric altitude (``FL350``, ``4,500 ft``) when known, else the geometric
    one marked as such (``3,200 ft HAE``), else ""."""
    v = finite(baro_ft)
    return format_altitude(v) if v is not None else geo_altitude_text(geo_ft)


def at_rest_text(nav_status: Any) -> str | None:
    """"At anchor" / "Moored" for AIS status 1 / 5, else None."""
    v = finite(nav_status)
    return AT_REST.get(int(v)) if v is not None and v == int(v) else None


def speed_reading(kn: Any, nav_status: Any, fmt: Callable[[float], str]) -> str:
    """``fmt(kn)``, with an at-anchor/moored status instead of a speed that ``fmt``
    writes as zero (or of no speed at all), and beside any other: "At anchor",
    "Moored, 1.4 kn". ``fmt`` is the caller's own knots format, so "zero" is whatever
    that place would have printed as zero (0.04 kn is "0.0 kn" in a table, 0.4 kn is
    "0 kn" on a map label)."""
    v = finite(kn)
    speed = "" if v is None else fmt(v)
    rest = at_rest_text(nav_status)
    if rest is None:
        return speed
    if v is None or speed == fmt(0.0):
        return rest
    return f"{rest}, {speed}"
