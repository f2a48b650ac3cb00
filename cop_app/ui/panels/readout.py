"""How the panels spell a value for an officer (UX.md): knots, three-digit true
bearings, flight levels, squawk names, ages in both directions, rule names and alert
messages in plain words. Plain functions, no Qt, so the tables, Details and tests
share one wording.
"""

from __future__ import annotations

import re
from typing import Any

from cop_app.core.enums import EMERGENCY_SQUAWKS, EventType
from cop_app.core.readings import altitude_reading, speed_reading
from cop_app.core.readings import finite as _finite
from cop_app.core.style import EVENT_LABELS
from cop_app.core.timeutil import format_age, format_dtg, parse_iso
from cop_app.core.verification import VerificationStatus

RULE_WORDS = {
    "air_zone_entry": "Air zone entry", "ceasefire_crossing": "Ceasefire line crossed",
    "emergency_squawk": "Emergency squawk", "restricted_area_entry": "Restricted area entry",
    "corridor_departure": "Left corridor", "corridor_loiter": "Loitering in corridor",
    "ais_gap": "AIS gap", "impossible_jump": "Impossible jump", "lost_in_zone": "Lost in zone",
    "report_in_zone": "Report in zone", "report_corroborated": "Report corroborated",
    "report_verified": "Report verified",
}  # fmt: skip
# ISO 8601 UTC times as the server writes them into messages (format_iso).
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
# An altitude as the air-zone rule wrote it before session 3 ("(7690 ft)"; alert
# records keep it): FL above the transition. Today's messages carry no altitude.
_FEET = re.compile(r"\((\d{1,6}(?:\.\d+)?) ft\)")
# Enum values the rules write raw ("under_verification") or spaced ("(mine uxo)"):
# statuses in words, event types in the legend's words (style.EVENT_LABELS: "Mine /
# UXO", as the map legend, the Reports table and Details say it).
_SNAKE = {v.value: v.value.replace("_", " ") for v in VerificationStatus if "_" in v.value}
_SNAKE.update({form: EVENT_LABELS[e.value] for e in EventType if "_" in e.value
               for form in (e.value, e.value.replace("_", " "))})  # fmt: skip
_SNAKE_RE = re.compile(r"\b(" + "|".join(map(re.escape, sorted(_SNAKE, key=len,
                                                                reverse=True))) + r")\b",
                       re.IGNORECASE)  # "Mine uxo R1": the rule capitalises an untitled one


def _knots(v: float) -> str:
    return f"{v:.1f} kn" if abs(v) < 9.95 else f"{v:.0f} kn"


def speed_text(kn: Any, nav_status: Any = None) -> str:
    """Whole knots; one decimal below 10 kn, where a drifting or slow target's speed
    still says something (0.4 kn is not 0). A ship at anchor or moored (AIS status
    1/5) reads "At anchor" / "Moored" instead of "0.0 kn" (core.readings)."""
    return speed_reading(kn, nav_status, _knots)


def bearing_text(deg: Any) -> str:
    """True bearings 000-359, three digits (UX.md); 359.6 rounds to 000, not 360."""
    v = _finite(deg)
    if v is None:
        return ""
    return f"{round(v) % 360:03d}°T"


def altitude_text(ft: Any, geo_ft: Any = None) -> str:
    """``FL390`` at and above the transition altitude, ``4,500 ft`` below; with no
    barometric altitude, the geometric one marked ``3,200 ft HAE`` (core.readings)."""
    return altitude_reading(ft, geo_ft)


def altitude_both(ft: Any, geo_ft: Any = None) -> str:
    """``FL390 (39,000 ft)``: the level and the feet behind it (a geometric height
    alone reads ``3,200 ft HAE``)."""
    v = _finite(ft)
    level = altitude_text(v, geo_ft)
    return f"{level} ({round(v):,} ft)" if v is not None and level.startswith("FL") else level


def squawk_text(fields: dict[str, Any]) -> str:
    """``7700 EMERGENCY`` (tar1090's names for 7500/7600/7700); a flagged emergency
    without one of those codes still says EMERGENCY."""
    raw = fields.get("squawk")
    code = str(raw).strip() if raw not in (None, "") else ""
    name = EMERGENCY_SQUAWKS.get(code)
    if name is None and fields.get("emergency") and str(fields["emergency"]).lower() not in (
            "0", "false", "none", "no"):  # fmt: skip
        name = "EMERGENCY"
    return " ".join(p for p in (code, name or "") if p)


def age_text(seconds: float, cursor: bool = False) -> str:
    """``26 s ago`` or, for a time still ahead, ``in 26 s``. Counted from the replay
    cursor (``cursor``): ``26 s before cursor`` / ``26 s after cursor``. In replay the
    banner's "2 h ago" counts from now; an age from the cursor that also said "ago"
    read as the same clock (officer trial, session 3)."""
    text = format_age(seconds)
    if cursor:
        text = (text[3:] + " after cursor" if text.startswith("in ")
                else text.removesuffix(" ago") + " before cursor")  # fmt: skip
    return text


def event_label(event: Any) -> str:
    """The event type in the legend's words ("Mine / UXO", not "mine uxo")."""
    value = str(getattr(event, "value", event))
    return EVENT_LABELS.get(value, value.replace("_", " "))


def rule_text(rule: Any) -> str:
    rule = str(rule or "")
    return RULE_WORDS.get(rule, rule.replace("_", " ").capitalize())


def message_text(message: Any) -> str:
    """The server's alert message as an officer reads it: ISO times as DTG, enum
    values in words (the record keeps the exact text; this is for display only)."""

    def dtg(m: re.Match[str]) -> str:
        try:
            return format_dtg(parse_iso(m.group(0)))
        except ValueError:
            return m.group(0)

    text = _ISO.sub(dtg, str(message or ""))
    text = _FEET.sub(lambda m: f"({altitude_text(float(m.group(1)))})", text)
    return _SNAKE_RE.sub(lambda m: _SNAKE.get(m.group(0).lower(), m.group(0)), text)


def elide_middle(text: str, keep: int = 18) -> str:
    """``cot:CF-UA…0007``: both ends of a long id stay (they tell ids apart)."""
    if len(text) <= keep:
        return text
    head = (keep - 1) // 2
    return f"{text[:head]}…{text[-(keep - 1 - head):]}"
