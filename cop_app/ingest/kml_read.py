"""KML placemarks to GeoJSON-shaped features, the way togeojson reads them.

Parsing goes through defusedxml only: KML arrives from other organisations' tools and
a billion-laughs or external-entity file must fail as data, not take the host down.
Element names are matched without their namespace, since KML 2.0/2.1/2.2 and the
``gx:`` extensions (``gx:Track`` and plain ``Track``) all occur in the wild.

Each placemark becomes ``{"type": "Feature", "id"?, "geometry", "properties"}`` with
togeojson's property names (name, description, timestamp, timespan, coordTimes and
ExtendedData values), so ``report_map`` treats it like an imported GeoJSON feature.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element  # the type only; parsing is defusedxml's

import shapely
from defusedxml import ElementTree as SafeET

MAX_KMZ_KML_BYTES = 64 * 1024 * 1024  # the same cap as DocumentParser.max_bytes
_GEOMETRY_TAGS = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track",
                  "MultiTrack")  # fmt: skip
_COMMA = re.compile(r"\s*,\s*")


class KmlError(ValueError):
    """The document or archive cannot be read as KML; the message says why."""


def read_kmz(data: bytes, max_bytes: int = MAX_KMZ_KML_BYTES) -> str:
    """The KML text inside a KMZ archive: ``doc.kml``, else the first ``.kml`` entry.

    The entry is read through a bounded stream, so a zip bomb (or a lying size in
    the zip directory) stops at ``max_bytes`` instead of filling memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise KmlError("KMZ archive holds no .kml file")
            info = next((i for i in names if i.filename.lower() == "doc.kml"), names[0])
            if info.file_size > max_bytes:
                raise KmlError(f"{info.filename} is {info.file_size} bytes, over {max_bytes}")
            with archive.open(info) as stream:
                raw = stream.read(max_bytes + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            EOFError, RuntimeError) as exc:  # fmt: skip
        raise KmlError(f"not a readable KMZ archive: {exc}") from None
    if len(raw) > max_bytes:
        raise KmlError(f"{info.filename} expands beyond {max_bytes} bytes")
    return raw.decode("utf-8-sig", errors="replace")


def local_name(tag: Any) -> str:
    """An element name without its namespace (comments and PIs have no str tag)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if local_name(c.tag) == name]


def _child(elem: Element, name: str) -> Element | None:
    return next((c for c in elem if local_name(c.tag) == name), None)


def _text(elem: Element | None) -> str | None:
    return None if elem is None else "".join(elem.itertext())


def parse_kml(text: str) -> Element:
    """The document's root element; KmlError for malformed or hostile XML."""
    try:
        return SafeET.fromstring(text.lstrip("\ufeff"))
    except SafeET.ParseError as exc:
        raise KmlError(f"malformed XML: {exc}") from None
    except Exception as exc:  # defusedxml's refusals: entities, external references
        raise KmlError(f"XML refused ({type(exc).__name__}): {exc}") from None


def placemarks(root: Element) -> Iterator[Element]:
    """Every Placemark, however deep in Document/Folder nesting."""
    return (e for e in root.iter() if local_name(e.tag) == "Placemark")


def _numbers(parts: list[str]) -> list[float]:
    """Floats of one position; ValueError for junk, NaN or infinity (not a place)."""
    values = [float(v) for v in parts if v != ""]
    if len(values) < 2 or not all(math.isfinite(v) for v in values):
        raise ValueError(f"coordinate {','.join(parts)[:40]!r} is not lon,lat[,alt]")
    return values


def _positions(text: str | None) -> list[list[float]]:
    """``lon,lat[,alt]`` tuples separated by whitespace; ValueError on a bad number."""
    if not text or not text.strip():
        return []
    return [_numbers(item.split(",")) for item in _COMMA.sub(",", text.strip()).split()]


def _ring(elem: Element | None, warnings: list[str]) -> list[list[float]] | None:
    ring = _positions(_text(_child(elem, "coordinates"))) if elem is not None else []
    if not ring:
        return None
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
        warnings.append("open LinearRing closed (KML requires first = last)")
    if len(ring) < 4:
        warnings.append(f"LinearRing of {len(ring)} positions dropped (needs 4)")
        return None
    return ring


def _oriented(ring: list[list[float]], exterior: bool) -> list[list[float]]:
    """RFC 7946 3.1.6 winding (exterior counterclockwise); KML does not fix one."""
    ccw = shapely.LinearRing([p[:2] for p in ring]).is_ccw
    return ring if ccw == exterior else ring[::-1]


def _polygon(elem: Element, warnings: list[str]) -> dict[str, Any] | None:
    outer = _child(elem, "outerBoundaryIs")
    shell = _ring(_child(outer, "LinearRing") if outer is not None else None, warnings)
    if shell is None:
        return None
    rings = [_oriented(shell, True)]
    for inner in _children(elem, "innerBoundaryIs"):
        for linear in _children(inner, "LinearRing"):
            hole = _ring(linear, warnings)
            if hole is not None:
                rings.append(_oriented(hole, False))
    return {"type": "Polygon", "coordinates": rings}


def _line(coords: list[list[float]]) -> dict[str, Any] | None:
    """A LineString, or a Point when there is one fix only (a line needs two)."""
    if not coords:
        return None
    if len(coords) == 1:
        return {"type": "Point", "coordinates": coords[0]}
    return {"type": "LineString", "coordinates": coords}


def _track(elem: Element, times: list[list[str]]) -> dict[str, Any] | None:
    whens = [(_text(w) or "").strip() for w in _children(elem, "when")]
    coords = [_numbers((_text(c) or "").split()) for c in _children(elem, "coord")]
    geom = _line(coords)
    if geom is not None and whens:
        times.append(whens)
    return geom


def _collect(parts: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """Drop empty parts; one part stands alone, several make a GeometryCollection."""
    kept: list[dict[str, Any]] = []
    for part in parts:
        if part is None:
            continue
        if part["type"] == "GeometryCollection":  # flatten: RFC 7946 3.1.8
            kept.extend(part["geometries"])
        else:
            kept.append(part)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else {"type": "GeometryCollection", "geometries": kept}


def geometry(elem: Element, warnings: list[str], times: list[list[str]]) -> dict[str, Any] | None:
    """One KML geometry element as GeoJSON (None when it holds no position)."""
    name = local_name(elem.tag)
    if name == "Point":
        coords = _positions(_text(_child(elem, "coordinates")))
        return {"type": "Point", "coordinates": coords[0]} if coords else None
    if name == "LineString":
        return _line(_positions(_text(_child(elem, "coordinates"))))
    if name == "LinearRing":
        ring = _ring(elem, warnings)
        return {"type": "Polygon", "coordinates": [_oriented(ring, True)]} if ring else None
    if name == "Polygon":
        return _polygon(elem, warnings)
    if name == "Track":
        return _track(elem, times)
    children = [c for c in elem if local_name(c.tag) in _GEOMETRY_TAGS]
    return _collect([geometry(c, warnings, times) for c in children])


def _extended_data(elem: Element, props: dict[str, Any]) -> None:
    data = _child(elem, "ExtendedData")
    if data is None:
        return
    for item in data.iter():
        tag = local_name(item.tag)
        key = item.get("name")
        if not key:
            continue
        if tag == "Data":
            props[key] = _text(_child(item, "value")) or ""
        elif tag == "SimpleData":
            props[key] = _text(item) or ""


def placemark_feature(elem: Element, warnings: list[str]) -> dict[str, Any]:
    """A placemark as a GeoJSON-shaped feature (geometry None when it has none)."""
    props: dict[str, Any] = {}
    for key in ("name", "description", "address"):
        value = _text(_child(elem, key))
        if value is not None:
            props[key] = value
    stamp = _child(elem, "TimeStamp")
    when = _text(_child(stamp, "when")) if stamp is not None else None
    if when and when.strip():
        props["timestamp"] = when.strip()
    span = _child(elem, "TimeSpan")
    if span is not None:
        parts = {k: (_text(_child(span, k)) or "").strip() for k in ("begin", "end")}
        if any(parts.values()):
            props["timespan"] = {k: v for k, v in parts.items() if v}
    _extended_data(elem, props)
    times: list[list[str]] = []
    geom = _collect(
        [geometry(c, warnings, times) for c in elem if local_name(c.tag) in _GEOMETRY_TAGS]
    )
    if times:
        props["coordTimes"] = times[0] if len(times) == 1 else times
    feature: dict[str, Any] = {"type": "Feature", "geometry": geom, "properties": props}
    if elem.get("id"):
        feature["id"] = elem.get("id")
    return feature


def placemark_name(elem: Element) -> str:
    """The placemark's name, for error excerpts."""
    return _text(_child(elem, "name")) or ""
