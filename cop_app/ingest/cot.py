"""Cursor-on-Target (CoT) events to track and report updates.

Input is a CoT stream (TCP/UDP feed, capture file or single event) in chunks of any
size; ``cot_framing`` cuts it into events and each event is parsed with defusedxml,
because a feed is untrusted and CoT must never expand entities or fetch DTDs.

Mapping (CoT type ``a-<affiliation>-<dimension>-<function...>``, MITRE types.txt):
- ``a-*-A`` air, ``a-*-S`` sea surface and ``a-*-U`` subsurface sea, ``a-*-G`` ground
  tracks. Tracks are keyed ``cot:<uid>`` unless the event names an ICAO address or
  MMSI (adsbcot/aiscot detail elements or ``ICAO-``/``MMSI-`` uids): then the key is
  the ADS-B/AIS one so both feeds make one track. ``a-*-P`` (space) and ``a-*-X``
  (other) have no domain in the picture and are skipped.
- ``b-m-p-*`` map points (spot markers, waypoints) become land reports with
  event_type "other", status "reported".
- Every other type (``b-t-f`` chat, ``b-f-t-*`` file transfer, ``u-*`` drawings,
  ``t-*`` tasking, routes...) is well-formed CoT we do not show: skipped, counted in
  ``skipped``/``skipped_types``, neither an update nor an error.

A point at or near (0, 0) is kept: ATAK sends 0,0 when it has no GPS fix (see the
FreeTAKServer and ATAK captures), but CoT documents no marker for that, so filtering
it would be our invention.
"""

from __future__ import annotations

import codecs
import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from cop_app.core.enums import Domain, Identity, PlatformClass, PositionSource
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import ReportUpdate, TrackUpdate, air_key, sea_key
from cop_app.ingest.base import Item, StreamParser
from cop_app.ingest.cot_framing import EventFramer, Frame

MPS_TO_KN = 3600.0 / 1852.0  # knot = 1852 m/h (exact, by definition)
M_TO_FT = 1.0 / 0.3048  # international foot (exact)
UNKNOWN = 9_999_999.0  # CoT's "value unknown" for hae/ce/le (and course/speed by habit)

AFFILIATION: dict[str, Identity] = {
    "p": Identity.PENDING,
    "u": Identity.UNKNOWN,
    "a": Identity.ASSUMED_FRIEND,
    "f": Identity.FRIEND,
    "n": Identity.NEUTRAL,
    "s": Identity.SUSPECT,
    "h": Identity.HOSTILE,
    "j": Identity.JOKER,
    "k": Identity.FAKER,
}  # "o" (none specified) and "x" (other, deprecated) leave identity unset

DIMENSION: dict[str, Domain] = {"A": Domain.AIR, "S": Domain.SEA, "U": Domain.SEA, "G": Domain.LAND}

# Air function codes (MIL-STD-2525 via MITRE CoTtypes.xml), most specific first.
_PLATFORM: tuple[tuple[re.Pattern[str], PlatformClass], ...] = (
    (re.compile(r"^[MC]-[FH]-Q"), PlatformClass.UAV),
    (re.compile(r"^W"), PlatformClass.MISSILE),
    (re.compile(r"^[MC]-H"), PlatformClass.ROTARY),
    (re.compile(r"^[MC]-F"), PlatformClass.FIXED_WING),
)

# Gateways that carry the ADS-B/AIS identity: adsbcot/adsbxcot (uid ICAO-<hex>,
# <__adsb icao>, older <_aircot_ icao>) and aiscot (uid MMSI-<n>, <__ais mmsi>).
_ICAO_UID = re.compile(r"^ICAO-([0-9A-Fa-f]{6})$")
_MMSI_UID = re.compile(r"^MMSI-(\d{9})$")
_ICAO = re.compile(r"^[0-9A-Fa-f]{6}$")
_MMSI = re.compile(r"^\d{9}$")
_ICAO_DETAIL = frozenset({"_aircot_", "__adsb", "_adsb_", "__aircot"})
_MMSI_DETAIL = frozenset({"__ais", "_aiscot_", "__shipcot", "_shipcot_", "__aiscot"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: Element | None, name: str) -> Element | None:
    if elem is None:
        return None
    for c in elem:
        if _local(c.tag) == name:
            return c
    return None


def _number(elem: Element | None, attr: str) -> float | None:
    """A finite float attribute, None when absent, unparseable or the unknown sentinel."""
    if elem is None:
        return None
    text = elem.get(attr)
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v) or abs(v) >= UNKNOWN:
        return None
    return v


def _time(event: Element, attr: str, required: bool) -> float | None:
    text = event.get(attr)
    if text is None or not text.strip():
        if required:
            raise ValueError(f"event has no {attr!r} attribute")
        return None
    try:
        return parse_iso(text)
    except ValueError:
        raise ValueError(f"bad {attr!r} time {text[:40]!r}") from None


def _point(event: Element) -> tuple[float, float, Element]:
    point = _child(event, "point")
    if point is None:
        raise ValueError("event has no <point>")
    try:
        lat, lon = float(point.get("lat", "")), float(point.get("lon", ""))
    except ValueError:
        raise ValueError("point lat/lon missing or not numbers") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):  # also rejects NaN
        raise ValueError(f"point out of range: lat={lat} lon={lon}")
    return lat, lon, point


def _identifiers(uid: str, detail: Element | None) -> tuple[str | None, str | None]:
    """(icao24, mmsi) that the event names, if any."""
    icao = mmsi = None
    if m := _ICAO_UID.match(uid):
        icao = m.group(1)
    if m := _MMSI_UID.match(uid):
        mmsi = m.group(1)
    for c in detail if detail is not None else ():
        tag = _local(c.tag)
        if icao is None and tag in _ICAO_DETAIL and _ICAO.match(c.get("icao", "").strip()):
            icao = c.get("icao", "").strip()
        if mmsi is None and tag in _MMSI_DETAIL and _MMSI.match(c.get("mmsi", "").strip()):
            mmsi = c.get("mmsi", "").strip()
    return (icao.lower() if icao else None), mmsi


def _common_fields(event: Element, cot_type: str, point: Element) -> dict[str, Any]:
    """What any CoT point says about itself: type, how, callsign, remarks, accuracy."""
    fields: dict[str, Any] = {"cot_type": cot_type}
    detail = _child(event, "detail")
    if how := event.get("how"):
        fields["cot_how"] = how
    contact = _child(detail, "contact")
    if contact is not None and (callsign := (contact.get("callsign") or "").strip()):
        fields["callsign"] = callsign
    remarks = _child(detail, "remarks")
    if remarks is not None and (text := "".join(remarks.itertext()).strip()):
        fields["remarks"] = text
    if (ce := _number(point, "ce")) is not None and ce >= 0:
        fields["ce90_m"] = ce
    return fields


def _track_fields(event: Element, parts: list[str], point: Element) -> dict[str, Any]:
    fields = _common_fields(event, "-".join(parts), point)
    fields["position_source"] = PositionSource.COT.value
    if (ident := AFFILIATION.get(parts[1])) is not None:  # PENDING is 0, falsy
        fields["identity"] = ident.name.lower()
    if (hae := _number(point, "hae")) is not None:
        # hae is height above the WGS84 ellipsoid: geometric, never the barometric
        # altitude_ft (merged with ADS-B by ICAO, it would overwrite the pressure
        # altitude the aircraft reports and turn HAE into a false flight level).
        fields["geo_altitude_ft"] = hae * M_TO_FT
    track = _child(_child(event, "detail"), "track")
    if (speed := _number(track, "speed")) is not None and speed >= 0:
        fields["speed_kn"] = speed * MPS_TO_KN
    if (course := _number(track, "course")) is not None and 0 <= course <= 360:
        fields["course_deg"] = course % 360.0
    if parts[2] == "A":
        function = "-".join(parts[3:])
        for pattern, platform in _PLATFORM:
            if pattern.match(function):
                fields["platform_class"] = platform.value
                break
    return fields


class CotParser(StreamParser):
    """CoT events (single, or a concatenated stream in any chunking) to updates."""

    format = "cot"
    max_event_chars = 1_000_000  # a runaway event beyond this is an error, then resync

    def __init__(self, source: str = "") -> None:
        super().__init__(source)
        self._framer = EventFramer(self.max_event_chars)
        # Bytes are decoded incrementally, so a UTF-8 character split across two
        # reads of a socket survives intact.
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.skipped = 0  # well-formed events of types we do not show
        self.skipped_types: Counter[str] = Counter()

    def feed(self, data: str | bytes) -> list[Item]:
        if isinstance(data, bytes):
            data = self._decoder.decode(data)
        return super().feed(data)

    def close(self) -> list[Item]:
        tail = self._decoder.decode(b"", final=True)
        self._decoder.reset()
        return (super().feed(tail) if tail else []) + super().close()

    def _feed(self, data: str) -> Iterator[Item]:
        for frame in self._framer.feed(data):
            yield from self._frame(frame)

    def _close(self) -> Iterator[Item]:
        for frame in self._framer.close():
            yield from self._frame(frame)

    def _frame(self, frame: Frame) -> Iterator[Item]:
        where = f"offset {frame.offset}"
        if frame.error:
            yield self.error(where, frame.error, frame.text)
            return
        try:
            event = SafeET.fromstring(frame.text, forbid_dtd=True)
        except DefusedXmlException as exc:
            yield self.error(where, f"forbidden XML construct: {type(exc).__name__}", frame.text)
            return
        except (XmlParseError, ValueError) as exc:
            yield self.error(where, f"malformed CoT XML: {exc}", frame.text)
            return
        try:
            item = self.decode(event)
        except ValueError as exc:
            yield self.error(where, str(exc), frame.text)
            return
        if item is not None:
            yield item

    def decode(self, event: Element) -> TrackUpdate | ReportUpdate | None:
        """One parsed ``<event>`` to an update; None for a type we skip; ValueError
        (with the reason) for an event we cannot use."""
        if _local(event.tag) != "event":
            raise ValueError(f"root element is <{_local(event.tag)}>, not <event>")
        uid = (event.get("uid") or "").strip()
        cot_type = (event.get("type") or "").strip()
        if not uid:
            raise ValueError("event has no uid")
        if not cot_type:
            raise ValueError("event has no type")
        parts = cot_type.split("-")
        is_track = parts[0] == "a" and len(parts) >= 3 and parts[2] in DIMENSION
        is_marker = cot_type.startswith("b-m-p-")
        if not (is_track or is_marker):
            self.skipped += 1
            self.skipped_types[cot_type] += 1
            return None
        t = _time(event, "time", required=True)
        stale = _time(event, "stale", required=False)
        lat, lon, point = _point(event)
        if is_marker:
            report = self._report(event, uid, cot_type, t, lat, lon, point)
            if stale is not None:  # kept so a CoT export can give the marker back its stale
                report.fields["cot_stale"] = stale
            return report
        fields = _track_fields(event, parts, point)
        icao, mmsi = _identifiers(uid, _child(event, "detail"))
        if icao:
            fields["icao24"] = icao
            key = air_key(icao)
        elif mmsi:
            fields["mmsi"] = int(mmsi)
            key = sea_key(mmsi)
        else:
            key = f"cot:{uid}"
        return TrackUpdate(DIMENSION[parts[2]], key, self.source, t, lat, lon, fields, stale)

    def _report(
        self, event: Element, uid: str, cot_type: str, t: float, lat: float, lon: float,
        point: Element,
    ) -> ReportUpdate:  # fmt: skip
        common = _common_fields(event, cot_type, point)
        fields: dict[str, Any] = {
            "event_type": "other",
            "status": "reported",
            "title": common.get("callsign", uid),
            "text": common.pop("remarks", ""),
            **common,
        }
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        return ReportUpdate(f"cot:{uid}", self.source, t, lat, lon, geometry, fields)


__all__ = ["CotParser"]
