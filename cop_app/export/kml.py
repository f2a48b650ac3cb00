"""KML 2.2 / KMZ export for Google Earth, ATAK and a partner's GIS.

One Folder per layer; each track or report is a Placemark with a shared Style, a
balloon description, a TimeStamp (tracks, reports) or a TimeSpan (a report's
period, a zone's validity), and ExtendedData carrying the same properties as the
GeoJSON export. Child order follows the OGC KML 2.2 schema (Feature: name,
description, TimePrimitive, styleUrl, ExtendedData, then the Geometry): Google
Earth forgives disorder, stricter readers (ATAK, GDAL's LIBKML) do not.

Text is never concatenated into markup: elements are built with ElementTree, which
escapes on serialization. Google Earth reads ``<description>`` as HTML, so balloon
text is HTML-escaped first (then XML-escaped by ElementTree): a report saying
``<img onerror=...>`` shows as text. Each Style's BalloonStyle shows only that
description, so GE never builds a balloon of its own from the raw ExtendedData.
Placemark ids are made NCNames (xsd:ID: no colons); the true id is in ExtendedData.
Point icons use Google Earth's standard ``placemark_circle`` tinted by IconStyle
colour: KML has no portable way to ship an icon without one, and readers that
cannot fetch it draw their default marker in the same place.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from shapely.geometry import shape

from cop_app.export import describe as d
from cop_app.export.geojson import geometry_json
from cop_app.export.selection import ExportMeta, PlacedTrack, Selection
from cop_app.export.xmltext import xml_safe

KML_NS = "http://www.opengis.net/kml/2.2"
ICON_HREF = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
ET.register_namespace("", KML_NS)
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")


def _q(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    elem = ET.SubElement(parent, _q(tag))
    if text is not None:
        elem.text = xml_safe(text)
    return elem


def kml_colour(hex_rgb: str, alpha: int = 0xFF) -> str:
    """``#RRGGBB`` to KML's ``aabbggrr``."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{b}{g}{r}".lower()


class _Styles:
    """One shared Style per colour (a few dozen at most), referenced by styleUrl."""

    def __init__(self, doc: ET.Element) -> None:
        self.doc = doc
        self.ids: dict[tuple[str, str], str] = {}

    def point(self, colour: str) -> str:
        return self._get("pt", colour)

    def area(self, colour: str) -> str:
        return self._get("area", colour)

    def _get(self, kind: str, colour: str) -> str:
        key = (kind, colour)
        if key not in self.ids:
            sid = f"{kind}-{colour.lstrip('#').lower()}"
            style = _sub(self.doc, "Style")
            style.set("id", sid)
            if kind == "pt":
                icon_style = _sub(style, "IconStyle")
                _sub(icon_style, "color", kml_colour(colour))
                _sub(icon_style, "scale", "0.9")
                _sub(_sub(icon_style, "Icon"), "href", ICON_HREF)
                _sub(_sub(style, "LabelStyle"), "scale", "0.8")
            else:
                line = _sub(style, "LineStyle")
                _sub(line, "color", kml_colour(colour))
                _sub(line, "width", "2")
                _sub(_sub(style, "PolyStyle"), "color", kml_colour(colour, 0x40))
            # Schema order: Icon, Label, Line, Poly, then BalloonStyle.
            _sub(_sub(style, "BalloonStyle"), "text", "$[description]")
            self.ids[key] = sid
        return "#" + self.ids[key]


def _description(rows: list[tuple[str, str]]) -> str:
    """Balloon HTML with every value escaped (GE renders description as HTML)."""
    return "<br/>".join(f"<b>{html.escape(label)}</b>: {html.escape(text)}"
                        for label, text in rows)  # fmt: skip


def ncname(text: str) -> str:
    """An xsd:ID for the ``id`` attribute: letters, digits, ``._-``, not starting a digit."""
    out = _NOT_NCNAME.sub("_", text)
    return out if out[:1].isalpha() or out[:1] == "_" else "_" + out


def _time(parent: ET.Element, start: str | None, end: str | None, stamp: bool) -> None:
    if stamp and start:
        _sub(_sub(parent, "TimeStamp"), "when", start)
    elif start or end:
        span = _sub(parent, "TimeSpan")
        if start:
            _sub(span, "begin", start)
        if end:
            _sub(span, "end", end)


def _extended(parent: ET.Element, props: dict[str, Any]) -> None:
    data = _sub(parent, "ExtendedData")
    for key, value in props.items():
        if value is None or (isinstance(value, (dict, list)) and not value):
            continue
        item = _sub(data, "Data")
        item.set("name", xml_safe(key))
        text = " ".join(map(str, value)) if isinstance(value, list) else value
        _sub(item, "value", text)


def _coords(positions: list[list[float]]) -> str:
    return " ".join(f"{p[0]:.6f},{p[1]:.6f}" for p in positions)


def _geometry(parent: ET.Element, geom: dict[str, Any]) -> None:
    kind, coords = geom["type"], geom.get("coordinates")
    if kind == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coords([coords]))
    elif kind == "LineString":
        line = _sub(parent, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", _coords(coords))
    elif kind == "Polygon":
        poly = _sub(parent, "Polygon")
        _sub(poly, "tessellate", "1")
        for i, ring in enumerate(coords):
            boundary = _sub(poly, "outerBoundaryIs" if i == 0 else "innerBoundaryIs")
            _sub(_sub(boundary, "LinearRing"), "coordinates", _coords(ring))
    else:  # Multi* and collections
        multi = _sub(parent, "MultiGeometry")
        parts = geom.get("geometries") or [
            {"type": kind.removeprefix("Multi"), "coordinates": c} for c in coords
        ]
        for part in parts:
            _geometry(multi, part)


def _placemark(folder: ET.Element, pid: str, name: str, rows: list[tuple[str, str]],
               times: tuple[str | None, str | None, bool], style: str,
               props: dict[str, Any], geom: dict[str, Any]) -> None:  # fmt: skip
    pm = _sub(folder, "Placemark")
    pm.set("id", ncname(pid))
    _sub(pm, "name", name)
    _sub(pm, "description", _description(rows))
    _time(pm, *times)
    _sub(pm, "styleUrl", style)
    _extended(pm, props)
    _geometry(pm, geom)


def _track(folder: ET.Element, styles: _Styles, placed: PlacedTrack) -> None:
    props = d.track_props(placed)
    geom = {"type": "Point", "coordinates": [placed.lon, placed.lat]}
    _placemark(folder, placed.track.id, d.track_name(placed), d.rows(props, d.TRACK_ROWS),
               (props.get("time"), None, True), styles.point(d.track_colour(placed)), props,
               geom)  # fmt: skip


def document(selection: Selection, meta: ExportMeta) -> ET.Element:
    root = ET.Element(_q("kml"))
    doc = _sub(root, "Document")
    _sub(doc, "name", meta.title)
    _sub(doc, "open", "1")
    window = ""
    if meta.window:
        window = f"Window: {d.dtg(meta.window[0])} to {d.dtg(meta.window[1])}"
    lines = [meta.banner, meta.title, f"Picture time: {d.dtg(meta.at)} ({d.iso(meta.at)})",
             window, meta.banner]  # fmt: skip
    _sub(doc, "description", "<br/>".join(html.escape(x) for x in lines if x))
    styles = _Styles(doc)
    folders: list[ET.Element] = []

    def folder(layer: str) -> ET.Element:
        f = ET.Element(_q("Folder"))
        _sub(f, "name", d.LAYER_TITLES[layer])
        folders.append(f)
        return f

    for layer in ("air", "sea", "land"):
        placed = selection.tracks_in(layer)
        if placed:
            f = folder(layer)
            for p in placed:
                _track(f, styles, p)
    if selection.reports:
        f = folder("reports")
        for r in selection.reports:
            props = d.report_props(r)
            geom = (r.geometry if r.geometry and r.geometry.get("type") != "Point"
                    else {"type": "Point", "coordinates": [r.lon, r.lat]})  # fmt: skip
            geom = geometry_json(shape(geom))
            colour = d.report_colour(r)
            style = styles.point(colour) if geom["type"] == "Point" else styles.area(colour)
            times = (props.get("time"), props.get("time_end"), not props.get("time_end"))
            _placemark(f, r.id, d.report_name(r), d.rows(props, d.REPORT_ROWS), times, style,
                       props, geom)  # fmt: skip
    if selection.zones:
        f = folder("zones")
        for z in selection.zones:
            props = d.zone_props(z)
            _placemark(f, z.id, z.name or z.id, d.rows(props, d.ZONE_ROWS),
                       (props.get("valid_from"), props.get("valid_to"), False),
                       styles.area(d.zone_colour_of(z)), props,
                       geometry_json(z.geometry))  # fmt: skip
    doc.extend(folders)  # Styles first, then Folders (schema order)
    return root


def kml_bytes(selection: Selection, meta: ExportMeta) -> bytes:
    root = document(selection, meta)
    ET.indent(root)
    buf = io.BytesIO()
    ET.ElementTree(root).write(buf, encoding="UTF-8", xml_declaration=True)
    return buf.getvalue()


def write_kml(selection: Selection, path: Path, meta: ExportMeta) -> None:
    path.write_bytes(kml_bytes(selection, meta))


def write_kmz(selection: Selection, path: Path, meta: ExportMeta) -> None:
    """A KMZ is a zip whose first entry is the KML (``doc.kml``, per the KML reference)."""
    data = kml_bytes(selection, meta)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", data)
