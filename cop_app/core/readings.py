"""How a track's altitude reads wherever it is shown (map labels, tooltips,
tables, Details, export popups), so one aircraft never reads two ways.

Altitude: ``altitude_ft`` is barometric (pressure altitude from ADS-B/SBS/Mode S), the
number a controller and tar1090 show, written as a flight level above the transition
altitude. ``geo_altitude_ft`` is geometric: height above the WGS84 ellipsoid (CoT
``point@hae``, readsb ``alt_geom``). The two differ by the day's pressure and the geoid
(hundreds of feet), so a geometric height is never written as a flight level (a FL
is a pressure altitude by definition) and always carries its datum: ``3,200 ft HAE``.
Feet because UX.md keeps altitudes in feet; "HAE" because that is how ATAK labels the
datum of the same CoT number (its altitude preference reads "ft HAE" / "ft MSL").
"""

from __future__ import annotations

import math
from typing import Any

from cop_app.core.geo import format_altitude


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
