"""ADS-B feeds: SBS-1/BaseStation port-30003 lines and dump1090/readsb ``aircraft.json``.

Both formats are plain text (CSV lines, JSON) that the standard library splits for us;
the field semantics below come from the BaseStation socket description, readsb's
``README-json.md`` and Virtual Radar Server's MessageTranslator tests.

Policy shared by both parsers, so the operator sees one behaviour:

* A record whose identity is unusable (bad ICAO hex, unknown SBS message type, too few
  fields, an aircraft entry that is not an object) gives one ParseError and no update.
* A record with a usable identity but some bad fields (a latitude of -179, a squawk of
  ``12a4``, a speed of ``fast``) still gives its update without those fields, followed by
  one ParseError that names them. The other fields are good data from a live sensor and
  dropping them would hide the aircraft; the error keeps the problem counted and visible.
* A position of exactly 0/0 is the "no position" sentinel some decoders write (VRS's
  SampleMessages.txt exercises it); it is dropped silently, not counted as an error.
* Valid SBS records that carry no track state (STA, AIR, ID, SEL, CLK) are skipped: they
  are neither updates nor errors, since the parser contract counts only those two.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from cop_app.core import timeutil
from cop_app.core.enums import EMERGENCY_SQUAWKS, Domain, PositionSource
from cop_app.core.updates import TrackUpdate, air_key
from cop_app.ingest.base import DocumentParser, Item, LineParser

Fields = dict[str, Any]

ADSB = PositionSource.ADSB.value
MLAT = PositionSource.MLAT.value
TISB = PositionSource.TISB.value
OTHER = PositionSource.OTHER.value

SBS_TRACK_TYPES = {"MSG": ADSB, "MLAT": MLAT}
SBS_OTHER_TYPES = frozenset({"STA", "AIR", "ID", "SEL", "CLK"})
SBS_TRANSMISSION_TYPES = frozenset("12345678")
SBS_FIELD_COUNT = 22
_FLAGS = {"-1": True, "1": True, "0": False}
_HEX = frozenset("0123456789abcdef")
_MAX_DAYS_CACHED = 64
_SHOWN = 24  # characters of a bad value quoted in an error reason

# Plausibility bounds: only values no sensor can mean are rejected.
RANGES: dict[str, tuple[float, float]] = {
    "altitude_ft": (-5_000.0, 200_000.0),
    "geo_altitude_ft": (-5_000.0, 200_000.0),
    "speed_kn": (0.0, 10_000.0),
    "course_deg": (0.0, 360.0),
    "vertical_rate_fpm": (-100_000.0, 100_000.0),
}

# readsb "type": the best source of the aircraft's current data (README-json.md).
# ADS-R is a rebroadcast of the aircraft's own ADS-B (UAT) report, so it counts as ADS-B.
READSB_TYPES: dict[str, str] = {
    "adsb_icao": ADSB, "adsb_icao_nt": ADSB, "adsb_other": ADSB,
    "adsr_icao": ADSB, "adsr_other": ADSB,
    "mlat": MLAT,
    "tisb_icao": TISB, "tisb_other": TISB, "tisb_trackfile": TISB,
    "adsc": OTHER, "other": OTHER, "mode_s": OTHER, "mode_ac": OTHER, "unknown": OTHER,
}  # fmt: skip

# aircraft.json keys read as numbers, current name first, older dump1090 names after.
JSON_NUMBERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("alt_geom",), "geo_altitude_ft"),
    (("gs", "speed"), "speed_kn"),
    (("track",), "course_deg"),
    (("baro_rate", "geom_rate", "vert_rate"), "vertical_rate_fpm"),
)

# ADS-B emitter categories A0-D7 (DO-260B 2.2.3.2.5.2).
EMITTER_CATEGORIES = frozenset(f"{set_}{n}" for set_ in "ABCD" for n in range(8))

# readsb "emergency" (DO-260B 2.2.3.2.7.8.1.1); anything but "none" is an emergency.
READSB_EMERGENCIES = frozenset(
    {"none", "general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "reserved"}
)


def shown(value: object) -> str:
    """A bad value quoted in a reason: repr, so it stays inert data, and kept short."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def normalize_icao(text: str) -> tuple[str, bool] | None:
    """``'7404F2'`` -> ``('7404f2', False)``; ``'a'`` -> ``'00000a'`` (VRS pads short
    addresses); ``'~abc123'`` -> ``('~abc123', True)``, readsb's mark for a non-ICAO
    (TIS-B, anonymous) address, kept apart so it can never merge with a real airframe."""
    s = text.strip().lower()
    non_icao = s.startswith("~")
    digits = s[1:] if non_icao else s
    if not 1 <= len(digits) <= 6 or not _HEX.issuperset(digits):
        return None
    digits = digits.rjust(6, "0")
    return ("~" + digits if non_icao else digits), non_icao


def normalize_squawk(text: str) -> str | None:
    """Mode A code as a 4-digit string, zero-padded (``754`` -> ``0754``); None if not
    1-4 decimal digits.

    A real Mode A code is 4 octal digits (0000-7777), but digits 8 and 9 are kept: VRS
    accepts them (its own MessageTranslator rows use ``1292``) and a test or simulator
    feed writes them; the code is shown as sent rather than hidden.
    """
    s = text.strip()
    if 1 <= len(s) <= 4 and s.isascii() and s.isdigit():
        return s.rjust(4, "0")
    return None


def put_number(fields: Fields, bad: list[str], name: str, value: float) -> None:
    """Keep ``value`` under ``name`` if finite and plausible, else note why not."""
    lo, hi = RANGES.get(name, (-math.inf, math.inf))
    if math.isfinite(value) and lo <= value <= hi:
        fields[name] = value
    else:
        bad.append(f"{name} {shown(value)} out of range")


def check_position(lat: float, lon: float, bad: list[str]) -> tuple[float, float] | None:
    """The position if it is one; out-of-range goes to ``bad``, 0/0 is silently no fix."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        bad.append(f"position {shown(lat)},{shown(lon)} out of range; update kept without it")
        return None
    if lat == 0.0 and lon == 0.0:
        return None
    return lat, lon


def mark_emergency(fields: Fields) -> None:
    """7500/7600/7700 mean an emergency whatever the emergency flag said."""
    if fields.get("squawk") in EMERGENCY_SQUAWKS:
        fields["emergency"] = True


def identity_fields(icao: str, non_icao: bool, source: str | None) -> Fields:
    fields: Fields = {"icao24": icao}
    if non_icao:
        fields["non_icao"] = True
    if source:
        fields["position_source"] = source
    return fields


def parse_sbs_day(text: str) -> float | None:
    """``yyyy/MM/dd`` (also ``-`` or ``.`` separated) -> epoch seconds of 00:00 UTC."""
    s = text.strip()
    if len(s) < 8 or s[4] not in "/-.":
        return None
    parts = s.split(s[4])
    if len(parts) != 3:
        return None
    try:
        return datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=UTC).timestamp()
    except (ValueError, OverflowError):
        return None


def parse_sbs_clock(text: str) -> float | None:
    """``HH:mm:ss.fff`` (VRS also accepts ``HH.mm.ss.fff``) -> seconds into the day."""
    s = text.strip()
    if len(s) < 8 or s[2] not in ":." or s[5] not in ":.":
        return None
    try:
        h, m, sec = int(s[0:2]), int(s[3:5]), float(s[6:])
    except ValueError:
        return None
    if 0 <= h < 24 and 0 <= m < 60 and 0.0 <= sec < 61.0:
        return h * 3600 + m * 60 + sec
    return None


class SbsParser(LineParser):
    """BaseStation port-30003 CSV lines (dump1090, readsb, VRS, Kinetic SBS-1).

    Message time is the *generated* date and time, read as UTC. The format carries no
    zone: later dump1090-fa and readsb builds write UTC (``gmtime_r``), older
    dump1090/mutability builds write the receiver's local time (``localtime_r``). Mission
    receivers run on UTC; for one that does not, pass ``utc_offset_s`` (e.g. 3600 for a
    receiver writing UTC+1). If the generated time is missing or unparsable the logged
    time is used (a replayed file keeps its own times), and failing that ``clock()``.

    Kept per message (when non-empty): icao24, callsign, altitude_ft, speed_kn,
    course_deg, lat/lon, vertical_rate_fpm, squawk, alert (squawk changed), emergency,
    spi (ident), on_ground and position_source (``MLAT`` lines -> "mlat", else "adsb").
    A ``~``-prefixed address (readsb writes one for non-ICAO targets) is kept as its own
    track, marked ``non_icao``, as in aircraft.json.
    """

    format = "sbs"

    def __init__(
        self,
        source: str = "",
        clock: Callable[[], float] = timeutil.now,
        utc_offset_s: float = 0.0,
    ) -> None:
        super().__init__(source)
        self.clock = clock
        self.utc_offset_s = utc_offset_s
        self.non_track_records = 0  # valid STA/AIR/ID/SEL/CLK records: neither update nor error
        self._days: dict[str, float | None] = {}

    def parse_line(self, line: str, lineno: int) -> Iterable[Item]:
        # The per-line path stays on str.split and dict look-ups: feeds run at
        # thousands of lines a second.
        f = line.split(",")
        source = SBS_TRACK_TYPES.get(f[0])
        if source is None:
            kind = f[0].strip().lstrip("\ufeff")
            if kind in SBS_OTHER_TYPES:
                self.non_track_records += 1
                return ()
            source = SBS_TRACK_TYPES.get(kind)
            if source is None:
                return (self.error(f"line {lineno}", f"unknown SBS message type {shown(kind)}",
                                   line),)  # fmt: skip
        if len(f) < 5:
            return (self.error(f"line {lineno}", "too few fields for an SBS message", line),)
        if f[1] not in SBS_TRANSMISSION_TYPES and f[1].strip() not in SBS_TRANSMISSION_TYPES:
            reason = f"SBS transmission type {shown(f[1])} is not 1-8"
            return (self.error(f"line {lineno}", reason, line),)
        ident = normalize_icao(f[4])
        if ident is None:
            return (self.error(f"line {lineno}", f"invalid ICAO address {shown(f[4])}", line),)
        if len(f) < SBS_FIELD_COUNT:
            f.extend([""] * (SBS_FIELD_COUNT - len(f)))
        update, bad = self._decode(f, ident, source)
        if not bad:
            return (update,)
        return update, self.error(f"line {lineno}", "; ".join(bad), line)

    def _decode(
        self, f: list[str], ident: tuple[str, bool], source: str
    ) -> tuple[TrackUpdate, list[str]]:
        bad: list[str] = []
        fields = identity_fields(ident[0], ident[1], source)
        callsign = f[10].strip()
        if callsign:
            fields["callsign"] = callsign
        for i, name in ((11, "altitude_ft"), (12, "speed_kn"), (13, "course_deg"),
                        (16, "vertical_rate_fpm")):  # fmt: skip
            self._number(f[i], name, fields, bad)
        if f[17]:
            squawk = normalize_squawk(f[17])
            if squawk is not None:
                fields["squawk"] = squawk
            elif not f[17].isspace():
                bad.append(f"squawk {shown(f[17])} is not a 4-digit code")
        for i, name in ((18, "alert"), (19, "emergency"), (20, "spi"), (21, "on_ground")):
            self._flag(f[i], name, fields, bad)
        mark_emergency(fields)
        lat = lon = None
        if f[14] or f[15]:
            try:
                pos = check_position(float(f[14]), float(f[15]), bad)
            except ValueError:
                bad.append(f"position {shown(f[14])},{shown(f[15])} is not a number")
            else:
                if pos is not None:
                    lat, lon = pos
        time = self._message_time(f, bad)
        return TrackUpdate(Domain.AIR, air_key(ident[0]), self.source, time, lat, lon,
                           fields), bad  # fmt: skip

    @staticmethod
    def _number(text: str, name: str, fields: Fields, bad: list[str]) -> None:
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            if not text.isspace():
                bad.append(f"{name} {shown(text)} is not a number")
            return
        put_number(fields, bad, name, value)

    @staticmethod
    def _flag(text: str, name: str, fields: Fields, bad: list[str]) -> None:
        if not text:
            return
        value = _FLAGS.get(text)
        if value is None:
            value = _FLAGS.get(text.strip())
        if value is not None:
            fields[name] = value
        elif not text.isspace():
            bad.append(f"{name} flag {shown(text)} is not -1, 0 or 1")

    def _message_time(self, f: list[str], bad: list[str]) -> float:
        t = self._time(f[6], f[7])
        if t is None:
            if f[6] or f[7]:
                bad.append(f"generated time {shown(f[6] + ' ' + f[7])} unparsable")
            t = self._time(f[8], f[9])
        return self.clock() if t is None else t

    def _time(self, date: str, clock: str) -> float | None:
        if not date or not clock:
            return None
        day = self._days.get(date, -1.0)
        if day == -1.0:  # not cached yet (no real day starts at -1 s)
            if len(self._days) >= _MAX_DAYS_CACHED:
                self._days.clear()
            day = self._days[date] = parse_sbs_day(date)
        seconds = parse_sbs_clock(clock)
        if day is None or seconds is None:
            return None
        return day + seconds - self.utc_offset_s


def json_number(value: object) -> float | None:
    """A JSON number as float; None for anything else (``true`` is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # a 400-digit JSON integer
        return None


class AircraftJsonParser(DocumentParser):
    """dump1090-fa / readsb ``aircraft.json`` (a snapshot of every aircraft in view).

    One update per aircraft entry, timed ``now - seen_pos`` when it carries a position
    (the position's own age) and ``now - seen`` otherwise. ``alt_baro: "ground"`` sets
    on_ground; a numeric ``alt_baro`` means airborne. The position source comes from the
    ``mlat``/``tisb`` field lists first ("lat" derived from MLAT or TIS-B), then readsb's
    ``type``, and defaults to ADS-B for a dump1090 position with neither. readsb's
    ``lastPosition`` (a fix older than 60 s, already reported by earlier snapshots) is
    ignored. Older dump1090 key names (``altitude``, ``speed``, ``vert_rate``) are read
    where the current ones are absent.
    """

    format = "aircraft-json"

    def __init__(self, source: str = "", clock: Callable[[], float] = timeutil.now) -> None:
        super().__init__(source)
        self.clock = clock

    def parse_document(self, text: str) -> Iterable[Item]:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            yield self.error(f"offset {exc.pos}", reason, text[exc.pos : exc.pos + 60])
            return
        except (ValueError, RecursionError) as exc:  # e.g. nesting deeper than the stack
            yield self.error("offset 0", f"unreadable JSON: {type(exc).__name__}")
            return
        if not isinstance(doc, dict) or not isinstance(doc.get("aircraft"), list):
            yield self.error("offset 0", "not an aircraft.json document (no 'aircraft' list)")
            return
        now = json_number(doc.get("now"))
        if now is None or not math.isfinite(now):
            if "now" in doc:
                yield self.error("now", f"'now' {shown(doc['now'])} is not a time; clock used")
            now = self.clock()
        for index, entry in enumerate(doc["aircraft"]):
            try:
                yield from self._entry(entry, f"aircraft {index}", now)
            except Exception as exc:  # one odd entry must not cost the rest of the snapshot
                yield self.error(f"aircraft {index}", f"{type(exc).__name__}: {exc}")

    def _entry(self, entry: object, loc: str, now: float) -> Iterator[Item]:
        if not isinstance(entry, dict):
            yield self.error(loc, f"aircraft entry is {type(entry).__name__}, not an object")
            return
        hex_ = entry.get("hex")
        ident = normalize_icao(hex_) if isinstance(hex_, str) else None
        if ident is None:
            yield self.error(loc, f"missing or invalid hex {shown(hex_)}", shown(entry))
            return
        bad: list[str] = []
        fields = identity_fields(ident[0], ident[1], None)
        self._decode(entry, fields, bad)
        pos = None
        lat, lon = json_number(entry.get("lat")), json_number(entry.get("lon"))
        if lat is not None and lon is not None:
            pos = check_position(lat, lon, bad)
        elif "lat" in entry or "lon" in entry:
            bad.append(f"position {shown(entry.get('lat'))},{shown(entry.get('lon'))} invalid")
        source = self._position_source(entry, pos is not None, bad)
        if source:
            fields["position_source"] = source
        age = self._age(entry, "seen_pos" if pos is not None else "seen", bad)
        yield TrackUpdate(Domain.AIR, air_key(ident[0]), self.source, now - age,
                          pos[0] if pos else None, pos[1] if pos else None, fields)  # fmt: skip
        if bad:
            yield self.error(loc, "; ".join(bad), shown(entry))

    @staticmethod
    def _decode(entry: dict, fields: Fields, bad: list[str]) -> None:
        flight = entry.get("flight")
        if isinstance(flight, str):
            if flight.strip():
                fields["callsign"] = flight.strip()
        elif flight is not None:
            bad.append(f"flight {shown(flight)} is not text")
        alt = entry.get("alt_baro", entry.get("altitude"))
        if alt == "ground":
            fields["on_ground"] = True
        elif alt is not None:
            AircraftJsonParser._number(alt, "altitude_ft", fields, bad)
            if "altitude_ft" in fields:
                fields["on_ground"] = False
        for keys, name in JSON_NUMBERS:
            value = next((entry[k] for k in keys if entry.get(k) is not None), None)
            if value is not None:
                AircraftJsonParser._number(value, name, fields, bad)
        squawk = entry.get("squawk")
        if squawk is not None:
            code = normalize_squawk(squawk) if isinstance(squawk, str) else None
            if code is None:
                bad.append(f"squawk {shown(squawk)} is not a 4-digit code")
            else:
                fields["squawk"] = code
        emergency = entry.get("emergency")
        if emergency is not None:
            if isinstance(emergency, str) and emergency in READSB_EMERGENCIES:
                fields["emergency"] = emergency != "none"
            else:
                bad.append(f"emergency {shown(emergency)} unknown")
        mark_emergency(fields)
        category = entry.get("category")
        if category is not None:
            if isinstance(category, str) and category in EMITTER_CATEGORIES:
                fields["category"] = category
            else:
                bad.append(f"category {shown(category)} is not A0-D7")
        for name in ("alert", "spi"):
            value = entry.get(name)
            if value is not None:
                if value in (0, 1) and not isinstance(value, float):
                    fields[name] = bool(value)
                else:
                    bad.append(f"{name} {shown(value)} is not 0 or 1")

    @staticmethod
    def _number(value: object, name: str, fields: Fields, bad: list[str]) -> None:
        number = json_number(value)
        if number is None:
            bad.append(f"{name} {shown(value)} is not a number")
        else:
            put_number(fields, bad, name, number)

    @staticmethod
    def _position_source(entry: dict, has_position: bool, bad: list[str]) -> str | None:
        for key, source in (("mlat", MLAT), ("tisb", TISB)):
            derived = entry.get(key)
            if derived is None:
                continue
            if not isinstance(derived, list):
                bad.append(f"{key} {shown(derived)} is not a list of field names")
            elif "lat" in derived and has_position:
                return source
        kind = entry.get("type")
        if kind is not None:
            if isinstance(kind, str) and kind in READSB_TYPES:
                return READSB_TYPES[kind]
            bad.append(f"type {shown(kind)} unknown")
        return ADSB if has_position else None

    @staticmethod
    def _age(entry: dict, key: str, bad: list[str]) -> float:
        """Seconds before ``now``: ``seen_pos`` falls back to ``seen``, and a missing
        ``seen`` means seen at ``now``."""
        if key not in entry:
            return 0.0 if key == "seen" else AircraftJsonParser._age(entry, "seen", bad)
        age = json_number(entry[key])
        if age is None or not math.isfinite(age) or age < 0:
            bad.append(f"{key} {shown(entry[key])} is not an age in seconds")
            return 0.0
        return age
