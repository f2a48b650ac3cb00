"""Alert messages as a watch-log line: who, what, where, each said once.

"RCH123 entered Buffer zone, east/south side (15 km, CF-BUF-E)", not "inside buffer
Buffer zone, east/south side (15 km) (CF-BUF-E)": the zone's kind is said only when
its name does not already say it, and the zone id joins the name's own parenthesis
instead of opening a second one. The subject leads because a message is also read
alone (the alert trail, the server's log, an export), away from the alert's subject
column. Messages carry no live numbers (condition.py): the server rewrites an alert
whenever its message changes.
"""

from __future__ import annotations

from typing import Any

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain

# How a key's prefix reads when a track has no callsign or name yet.
_KEY_WORDS = {"icao": "ICAO", "mmsi": "MMSI", "cot": ""}


def kind_words(zone: Zone) -> str:
    return zone.kind.value.replace("_", " ")


def zone_phrase(zone: Zone) -> str:
    """The zone as a log line names it: its name (with its kind in front only if the
    name does not say it) and its id, once, inside the name's trailing parenthesis.

    ``Buffer zone, east/south side (15 km, CF-BUF-E)``; ``restricted airspace Mission
    UAV area (exercise, CF-AIR-TRA1)``; an unnamed zone is ``buffer CF-BUF-E``.
    """
    name = (zone.name or "").strip()
    kind = kind_words(zone)
    if not name:
        return f"{kind} {zone.id}"
    lower = name.lower()
    said = kind in lower or kind.split()[0] in lower
    text = name if said else f"{kind} {name}"
    if zone.id.lower() in lower:
        return text
    if text.endswith(")") and "(" in text:
        return f"{text[:-1]}, {zone.id})"
    return f"{text} ({zone.id})"


def subject_name(domain: int, attrs: dict[str, Any], key: str) -> str:
    """Callsign (air) or name (sea, land), as the Tracks panel shows it; with neither
    yet, the id the key carries (``ICAO 4ca7e1``, ``MMSI 272123456``, a CoT uid)."""
    first, second = ("callsign", "name") if domain == Domain.AIR else ("name", "callsign")
    text = str(attrs.get(first) or attrs.get(second) or "").strip()
    if text:
        return text
    prefix, _, rest = key.partition(":")
    if not rest:
        return key
    word = _KEY_WORDS.get(prefix, prefix.upper())
    return f"{word} {rest}" if word else rest
