"""Decoded AIS messages (pyais objects) -> TrackUpdate field dicts.

Reads pyais attributes directly (``asdict()`` costs more than the decode itself) and
drops the ITU-R M.1371 "not available" sentinels so they never reach the picture:
lat 91 / lon 181, SOG 102.3 kn (type 27: 63 kn; type 9: 1023 kn), COG 360 (type 27:
511), heading 511, altitude 4095 m, IMO/ship type/dimensions 0, ``@`` padded text.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from typing import Any

from pyais.constants import NavAid

from cop_app.core.enums import NAV_STATUS_TEXT
from cop_app.ingest.mid import flag_for_mmsi

FT_PER_M = 3.280839895

# ITU-R M.1371-5 table 53 (type of ship), first digit then second digit.
_FIRST_DIGIT = {2: "Wing in ground (WIG)", 4: "High speed craft (HSC)", 6: "Passenger",
                7: "Cargo", 8: "Tanker", 9: "Other type"}  # fmt: skip
_SECOND_DIGIT = {0: "all ships of this type", 1: "Hazardous category A",
                 2: "Hazardous category B", 3: "Hazardous category C",
                 4: "Hazardous category D", 9: "No additional information"}  # fmt: skip
_SPECIAL = {30: "Fishing", 31: "Towing", 32: "Towing: length exceeds 200m or breadth exceeds 25m",
            33: "Dredging or underwater ops", 34: "Diving ops", 35: "Military ops",
            36: "Sailing", 37: "Pleasure Craft", 50: "Pilot Vessel", 51: "Search and Rescue vessel",
            52: "Tug", 53: "Port Tender", 54: "Anti-pollution equipment", 55: "Law Enforcement",
            58: "Medical Transport",
            59: "Noncombatant ship according to RR Resolution No. 18"}  # fmt: skip


def ship_type_text(code: int) -> str | None:
    """The table 53 wording for a ship type code; None for 0 (not available)."""
    if code in _SPECIAL:
        return _SPECIAL[code]
    first, second = divmod(code, 10)
    if first in _FIRST_DIGIT and 1 <= code <= 99:
        return f"{_FIRST_DIGIT[first]}, {_SECOND_DIGIT.get(second, 'Reserved for future use')}"
    if 1 <= code <= 99:
        return "Reserved for future use"
    return None


def clean_text(value: Any) -> str | None:
    """AIS 6-bit text without ``@`` padding and trailing blanks; None when empty."""
    if not value:
        return None
    text = str(value).replace("@", "").strip()
    return text or None


def eta_time(month: int, day: int, hour: int, minute: int, ref: float) -> float | None:
    """Type 5 ETA (no year on air) as epoch seconds: the occurrence nearest after ``ref``
    minus half a year, so an ETA just past stays in the past. None if any part is N/A
    (month 0, day 0, hour 24, minute 60) or the date does not exist."""
    if not (1 <= month <= 12 and 1 <= day <= 31 and 0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    year = _year_of(ref)
    for y in (year - 1, year, year + 1):
        if day > calendar.monthrange(y, month)[1]:
            continue
        t = float(calendar.timegm((y, month, day, hour, minute, 0)))
        if t >= ref - 183 * 86400:
            return t
    return None


def _year_of(t: float) -> int:
    return 1970 + int(t // 31_556_952) if t > 0 else 1970


def _flag(f: dict[str, Any], mmsi: int) -> None:
    flag = flag_for_mmsi(mmsi)
    if flag is not None:
        f["flag"] = flag


def _kinematics(f: dict[str, Any], m: Any) -> None:
    """SOG/COG/heading of types 1-3, 18, 19 (0.1 kn, 0.1 deg, deg)."""
    sp = m.speed
    if sp is not None and sp < 102.25:
        f["speed_kn"] = sp
    co = m.course
    if co is not None and co < 360:
        f["course_deg"] = co
    hd = m.heading
    if hd is not None and hd < 360:
        f["heading_deg"] = hd


def _status(f: dict[str, Any], m: Any) -> None:
    st = m.status
    if st is not None:
        st = int(st)
        f["nav_status"] = st
        f["nav_status_text"] = NAV_STATUS_TEXT.get(st, "Reserved")


def _dimensions(f: dict[str, Any], m: Any) -> None:
    bow, stern, port, stbd = m.to_bow, m.to_stern, m.to_port, m.to_starboard
    if bow and stern:
        f["length_m"] = bow + stern
    if port and stbd:
        f["beam_m"] = port + stbd


def _ship_type(f: dict[str, Any], bv: Any, bit: int) -> None:
    """The raw 8-bit code: pyais folds reserved codes (9, 38, 66...) into one member."""
    code = bv.get(bit, 8)
    if code:
        f["ship_type"] = code
        text = ship_type_text(code)
        if text:
            f["ship_type_text"] = text


def _text(f: dict[str, Any], key: str, value: Any) -> None:
    text = clean_text(value)
    if text:
        f[key] = text


def position(m: Any) -> tuple[float | None, float | None]:
    """(lat, lon) or (None, None) for the 91/181 sentinel and any out-of-range value."""
    lat, lon = m.lat, m.lon
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None, None
    return lat, lon


# One builder per message type: (message, mmsi, time, bit vector) -> fields. Position is
# read apart.
def _type123(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "A", "position_source": "ais"}
    _flag(f, mmsi)
    _kinematics(f, m)
    _status(f, m)
    return f


def _type4(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "base", "position_source": "ais"}
    _flag(f, mmsi)
    return f


def _type5(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "A"}
    _flag(f, mmsi)
    # 1000000-9999999 is an IMO number; above are official flag state numbers and
    # 0 is N/A (ITU-R M.1371-5 table 50): only a real IMO number becomes "imo".
    if m.imo is not None and 1_000_000 <= m.imo <= 9_999_999:
        f["imo"] = m.imo
    _text(f, "name", m.shipname)
    _text(f, "callsign", m.callsign)
    _text(f, "destination", m.destination)
    _ship_type(f, bv, 232)
    _dimensions(f, m)
    if m.draught:
        f["draught_m"] = m.draught
    if m.month is not None:
        eta = eta_time(m.month, m.day, m.hour, m.minute, t)
        if eta is not None:
            f["eta"] = eta
    return f


def _type9(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "position_source": "ais"}
    _flag(f, mmsi)
    if m.alt is not None and m.alt < 4095:
        f["altitude_ft"] = round(m.alt * FT_PER_M)
    if m.speed is not None and m.speed < 1023:
        f["speed_kn"] = m.speed
    if m.course is not None and m.course < 360:
        f["course_deg"] = m.course
    return f


def _type18(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "B", "position_source": "ais"}
    _flag(f, mmsi)
    _kinematics(f, m)
    return f


def _type19(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f = _type18(m, mmsi, t, bv)
    _text(f, "name", m.shipname)
    _ship_type(f, bv, 263)
    _dimensions(f, m)
    return f


def _type21(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "aton", "position_source": "ais"}
    _flag(f, mmsi)
    name = (clean_text(m.name) or "") + (clean_text(m.name_ext) or "")
    if name:
        f["name"] = name
    if m.aid_type is not None:
        try:
            f["category"] = NavAid(int(m.aid_type)).name.replace("_", " ").lower()
        except ValueError:
            f["category"] = f"aid type {int(m.aid_type)}"
    _dimensions(f, m)
    return f


def _type24(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"mmsi": mmsi, "ais_class": "B"}
    _flag(f, mmsi)
    if m.partno == 0:
        _text(f, "name", m.shipname)
    else:
        _ship_type(f, bv, 40)
        _text(f, "callsign", m.callsign)
        # An auxiliary craft (98MIDxxxx) sends its mother ship's MMSI in place of
        # the dimensions (ITU-R M.1371-5 table 76).
        if mmsi // 10_000_000 != 98:
            _dimensions(f, m)
    return f


def _type27(m: Any, mmsi: int, t: float, bv: Any) -> dict[str, Any]:
    """Long-range broadcast: whole knots (63 N/A) and degrees (511 N/A)."""
    f: dict[str, Any] = {"mmsi": mmsi, "position_source": "ais"}
    _flag(f, mmsi)
    if m.speed is not None and m.speed < 63:
        f["speed_kn"] = m.speed
    if m.course is not None and m.course < 360:
        f["course_deg"] = m.course
    _status(f, m)
    return f


Builder = Callable[[Any, int, float, Any], dict[str, Any]]
BUILDERS: dict[int, Builder] = {
    1: _type123, 2: _type123, 3: _type123, 4: _type4, 5: _type5, 9: _type9, 18: _type18,
    19: _type19, 21: _type21, 24: _type24, 27: _type27,
}  # fmt: skip
# Types whose message carries a position (the rest are static and voyage data).
POSITION_TYPES = frozenset((1, 2, 3, 4, 9, 18, 19, 21, 27))
AIR_TYPES = frozenset((9,))
# Fewest payload bits a message must have for the fields we read to be whole: the end
# of the last kinematic field for position reports (ITU-R M.1371-5 tables 45-78), so
# a truncated message is rejected rather than decoded into a partial latitude.
MIN_BITS = {1: 137, 2: 137, 3: 137, 4: 134, 5: 232, 9: 128, 18: 133, 19: 271, 21: 191,
            24: 160, 27: 94}  # fmt: skip
