"""Cursor-on-Target export: tracks and reports as CoT events for TAK devices.

Output is a stream of ``<event version="2.0">`` elements, one per line, UTF-8,
without XML declarations: the form TAK Server's plain TCP/UDP input and
``nc host 8087 < file`` replay take, and the form our own CotParser (and
takproto/pytak's XML mode) frames. (A file of several events is therefore not one
XML document; a single-event export is.)

Mapping (MITRE CoT 2.0 and types.txt):
- type: a track that came from CoT keeps its ``cot_type`` (with the affiliation
  letter replaced if the picture now says another identity); other tracks become
  ``a-<affiliation>-<A|S|G>`` from identity and domain. Reports keep a ``b-m-p-*``
  type they came with, else ``b-m-p-s-m`` (spot marker) with the text as remarks.
- uid: ``cot:<uid>`` keys give the uid back; ADS-B/AIS tracks use the adsbcot and
  aiscot conventions ``ICAO-<HEX>`` / ``MMSI-<n>`` (and ``__adsb``/``__ais`` detail),
  so a TAK-side gateway track and ours are one track.
- time and start: the fix the export shows; stale: the track's own stale time
  (a CoT event's stale survives the picture). A report without a CoT stale stays
  on TAK screens 24 h after the export time.
- point: lat/lon to 1e-7 degree; hae in metres from the geometric altitude (else
  the barometric one, ~MSL), ce from the circular error; unknown is 9999999.
- detail: contact callsign, track speed (m/s) and course, remarks, and a ``<cop>``
  element with status, event type and grading that TAK tools pass through.
  Not kept from incoming CoT: ``__group``, ``status``, ``takv``, ``precisionlocation``,
  ``link``, ``usericon``, ``color``, ``uid Droid`` and any other detail element.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from cop_app.core.entities import LandReport
from cop_app.core.enums import Identity
from cop_app.core.timeutil import parse_iso
from cop_app.export import describe as d
from cop_app.export.selection import ExportMeta, PlacedTrack, Selection
from cop_app.export.xmltext import xml_safe

UNKNOWN = "9999999.0"
FT_TO_M = 0.3048
KN_TO_MPS = 1852.0 / 3600.0
REPORT_STALE_S = 86400.0
AFFILIATION_LETTER = {
    Identity.PENDING: "p", Identity.UNKNOWN: "u", Identity.ASSUMED_FRIEND: "a",
    Identity.FRIEND: "f", Identity.NEUTRAL: "n", Identity.SUSPECT: "s",
    Identity.HOSTILE: "h", Identity.JOKER: "j", Identity.FAKER: "k",
}  # fmt: skip
DIMENSION_LETTER = {"air": "A", "sea": "S", "land": "G"}
_POINT_TYPE = re.compile(r"^(a-[a-z]-[A-Z](-[A-Za-z0-9]+)*|b-m-p(-[A-Za-z0-9]+)+)$")


def cot_time(t: float) -> str:
    """xs:dateTime in UTC: milliseconds, or microseconds where the source had them."""
    dt = datetime.fromtimestamp(round(t, 6), tz=UTC)
    base = (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
            f"T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}")  # fmt: skip
    if dt.microsecond % 1000:
        return f"{base}.{dt.microsecond:06d}Z"
    return f"{base}.{dt.microsecond // 1000:03d}Z"


def track_type(placed: PlacedTrack) -> str:
    t = placed.track
    letter = AFFILIATION_LETTER[t.identity]
    given = str(t.fields.get("cot_type") or "")
    parts = given.split("-")
    if len(parts) >= 3 and parts[0] == "a":
        # Keep the sender's type; the affiliation follows the picture only when the
        # picture holds an identity (CoT "o"/"x" leave it unset).
        if "identity" in t.fields:
            parts[1] = letter
        return "-".join(parts)
    return f"a-{letter}-{DIMENSION_LETTER[placed.layer]}"


def track_uid(placed: PlacedTrack) -> str:
    key = placed.track.id
    prefix, _, rest = key.partition(":")
    if prefix == "icao":
        return f"ICAO-{rest.upper()}"
    if prefix == "mmsi":
        return f"MMSI-{rest}"
    return rest if prefix == "cot" else key


def _num(value: float | None, fmt: str = ".1f") -> str:
    return UNKNOWN if value is None or not math.isfinite(value) else format(value, fmt)


def _event(uid: str, cot_type: str, how: str, t: float, stale: float,
           lat: float, lon: float, hae: float | None, ce: float | None) -> ET.Element:  # fmt: skip
    event = ET.Element("event", {
        "version": "2.0", "uid": xml_safe(uid), "type": xml_safe(cot_type),
        "how": xml_safe(how), "time": cot_time(t), "start": cot_time(t),
        "stale": cot_time(max(stale, t)),
    })  # fmt: skip
    ET.SubElement(event, "point", {
        "lat": format(lat, ".7f"), "lon": format(lon, ".7f"), "hae": _num(hae),
        "ce": _num(ce), "le": UNKNOWN,
    })  # fmt: skip
    return event


def _text_element(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = xml_safe(text)


def track_event(placed: PlacedTrack) -> ET.Element:
    t = placed.track
    f = t.fields
    alt_ft = f.get("geo_altitude_ft", f.get("altitude_ft"))
    hae = alt_ft * FT_TO_M if isinstance(alt_ft, (int, float)) else None
    stale_s = max(0.0, (t.stale_at or 0.0) - (t.time or 0.0))
    event = _event(track_uid(placed), track_type(placed), str(f.get("cot_how") or "m-g"),
                   placed.time, placed.time + stale_s, placed.lat, placed.lon, hae,
                   t.ce90_m)  # fmt: skip
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", {"callsign": xml_safe(d.track_name(placed))})
    if t.speed_kn is not None or t.course_deg is not None:
        ET.SubElement(detail, "track", {
            "speed": _num(None if t.speed_kn is None else t.speed_kn * KN_TO_MPS, ".2f"),
            "course": _num(t.course_deg, ".1f"),
        })  # fmt: skip
    if icao := f.get("icao24"):
        ET.SubElement(detail, "__adsb", {"icao": xml_safe(icao)})
    if (mmsi := f.get("mmsi")) is not None:
        ET.SubElement(detail, "__ais", {"mmsi": xml_safe(mmsi)})
    if remarks := f.get("remarks"):
        _text_element(detail, "remarks", str(remarks))
    return event


def _cot_origin(report: LandReport) -> tuple[str | None, str | None, float | None]:
    """(type, how, stale) a report carried from CoT: our CoT ingest's fields, or the
    node-CoT GeoJSON dialect (properties type/how/stale) a TAK-side tool writes."""
    f = report.fields
    if f.get("cot_type"):
        stale = f.get("cot_stale")
        return str(f["cot_type"]), f.get("cot_how"), stale if _is_num(stale) else None
    props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
    given = props.get("type")
    if not (isinstance(given, str) and _POINT_TYPE.match(given)):
        return None, None, None
    try:
        stale = parse_iso(props["stale"]) if isinstance(props.get("stale"), str) else None
    except ValueError:
        stale = None
    how = props.get("how") if isinstance(props.get("how"), str) else None
    return given, how, stale


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def report_event(report: LandReport, at: float) -> ET.Element:
    given, how, stale = _cot_origin(report)
    # Point types survive; drawings (u-d-*) and others become a spot marker at the
    # report's representative point (we write no <link> vertices or <shape>).
    cot_type = given if given and _POINT_TYPE.match(given) else "b-m-p-s-m"
    uid = report.id.removeprefix("cot:")
    t = report.time if report.time is not None else at
    if stale is None:
        stale = max(t, at) + REPORT_STALE_S
    event = _event(uid, cot_type, how or "h-e", t, float(stale),
                   report.lat, report.lon, None, report.ce90_m)  # type: ignore[arg-type]  # fmt: skip
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", {"callsign": xml_safe(d.report_name(report))})
    if report.text:
        _text_element(detail, "remarks", report.text)
    cop: dict[str, Any] = {"status": report.status.value, "event_type": report.event_type.value}
    if report.reliability or report.credibility:
        cop["grading"] = f"{report.reliability or '-'}{report.credibility or '-'}"
    ET.SubElement(detail, "cop", {k: xml_safe(v) for k, v in cop.items()})
    return event


def events(selection: Selection) -> list[ET.Element]:
    out = [track_event(p) for p in selection.tracks]
    out += [report_event(r, selection.at) for r in selection.reports]
    return out


def event_line(event: ET.Element) -> str:
    """One event on one line: line breaks inside text become character references
    (ElementTree already writes them so in attributes), and a CR survives XML's
    end-of-line normalisation."""
    text = ET.tostring(event, encoding="unicode")
    return text.replace("\r", "&#13;").replace("\n", "&#10;") + "\n"


def cot_text(selection: Selection) -> str:
    return "".join(event_line(e) for e in events(selection))


def write_cot(selection: Selection, path: Path, meta: ExportMeta) -> None:
    path.write_text(cot_text(selection), encoding="utf-8")
