"""One status palette for map, timeline and tables (shared/UX.md, verification status).

Hex strings, so the Qt-free core, exports and the UI read the same values. Colour is
never the only cue: views pair it with shape (event type) and text.
"""

from __future__ import annotations

from cop_app.core.verification import VerificationStatus as S

_STATUS_COLOURS = {
    S.REPORTED: "#9E9E9E",  # grey
    S.TRIAGED: "#81D4FA",  # light blue
    S.UNDER_VERIFICATION: "#FFC107",  # amber
    S.CORROBORATED: "#FF8C00",  # orange
    S.VERIFIED: "#E53935",  # red (a verified violation)
    S.UNVERIFIABLE: "#757575",  # grey, drawn hatched where the view can
    S.REJECTED: "#616161",  # struck through; hidden by default
    S.RETRACTED: "#424242",  # hidden by default
    S.SUPERSEDED: "#424242",  # hidden by default
}
STATUS_COLOURS: dict[str, str] = {s.value: c for s, c in _STATUS_COLOURS.items()}

# Shown only when the officer asks for them (UX.md: rejected, retracted, superseded).
HIDDEN_BY_DEFAULT: frozenset[str] = frozenset(
    {S.REJECTED.value, S.RETRACTED.value, S.SUPERSEDED.value}
)


def status_colour(status: str) -> str:
    """The status's hex colour; an unknown status reads as plain "reported" grey."""
    return STATUS_COLOURS.get(str(status), STATUS_COLOURS[S.REPORTED])


# Base map (U2): sea, land, coast, borders. The sea colours match the themes' map
# background. Night is dark grey-blue, never black, with no large light areas.
BASEMAP_DAY: dict[str, str] = {
    "sea": "#CFE3F0", "land": "#F1EEE6", "coast": "#7C98AD", "border": "#9C8AA5",
}  # fmt: skip
BASEMAP_NIGHT: dict[str, str] = {
    "sea": "#1F2A33", "land": "#34373A", "coast": "#56687A", "border": "#807690",
}  # fmt: skip

# Zones by kind: line/outline colour; fills are drawn translucent by the views.
ZONE_COLOURS: dict[str, str] = {
    "ceasefire_line": "#D81B60",  # bold magenta-red: stands apart from red "verified"
    "withdrawal_line": "#8E24AA",
    "buffer": "#FB8C00",
    "security_zone": "#F4511E",
    "corridor": "#00897B",
    "inspection_area": "#1E88E5",
    "prohibited_airspace": "#C62828",
    "restricted_airspace": "#6A1B9A",
    "restricted_area": "#795548",
}


def zone_colour(kind: str) -> str:
    return ZONE_COLOURS.get(str(kind), "#607D8B")


# Words officers read in legends and tables (UX.md vocabulary).
STATUS_LABELS: dict[str, str] = {
    "reported": "Reported", "triaged": "Triaged", "under_verification": "Under verification",
    "corroborated": "Corroborated", "verified": "Verified", "unverifiable": "Unverifiable",
    "rejected": "Rejected", "retracted": "Retracted", "superseded": "Superseded",
}  # fmt: skip
EVENT_LABELS: dict[str, str] = {
    "explosion": "Explosion", "projectile": "Projectile in flight", "burst": "Burst / shots",
    "weapon_sighting": "Weapon sighting",
    "presence_in_disengagement_area": "Presence in disengagement area",
    "civilian_harm": "Civilian harm", "mine_uxo": "Mine / UXO",
    "monitor_impediment": "Monitor impediment", "other": "Other",
}  # fmt: skip
# Statuses drawn with a hatch or a strike-through as well as their colour, so colour is
# never the only cue (UX.md).
HATCHED: frozenset[str] = frozenset({S.UNVERIFIABLE.value})
STRUCK: frozenset[str] = frozenset({S.REJECTED.value, S.RETRACTED.value, S.SUPERSEDED.value})

# Track symbols by standard identity (UX.md, MIL-STD-2525C light fills): the frame
# family gives the shape, a dashed frame marks assumed friend / suspect / pending, and
# the exercise identities joker and faker are hostile frames with a letter. The map's
# symbol atlas (ui/map/symbols.py), exports and legends all read them here.
AFFILIATION_FILLS: dict[str, str] = {
    "friend": "#80E0FF", "hostile": "#FF8080", "neutral": "#AAFFAA", "unknown": "#FFFF80",
}  # fmt: skip
AFFILIATION_LABELS: dict[str, str] = {
    "hostile": "Hostile / suspect", "friend": "Friend", "neutral": "Neutral",
    "unknown": "Unknown / pending",
}  # fmt: skip
EMERGENCY_FILL = "#FF1A1A"  # squawk 7500/7600/7700, red as tar1090 draws them
# identity label -> (frame family, dashed frame, letter)
IDENTITY_FRAMES: dict[str, tuple[str, bool, str]] = {
    "pending": ("unknown", True, ""), "unknown": ("unknown", False, ""),
    "assumed_friend": ("friend", True, ""), "friend": ("friend", False, ""),
    "neutral": ("neutral", False, ""), "suspect": ("hostile", True, ""),
    "hostile": ("hostile", False, ""), "joker": ("hostile", False, "J"),
    "faker": ("hostile", False, "K"),
}  # fmt: skip


def identity_frame(identity: str) -> tuple[str, bool, str]:
    """(family, dashed, letter) of an identity label; anything else reads as unknown."""
    return IDENTITY_FRAMES.get(str(identity), IDENTITY_FRAMES["unknown"])
