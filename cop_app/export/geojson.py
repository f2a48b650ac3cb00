"""GeoJSON export (RFC 7946): one FeatureCollection of tracks, reports and zones.

RFC 7946 asks for WGS84 lon/lat, polygons whose exterior rings run counter-clockwise
(section 3.1.6, "right-hand rule"), and no more precision than the data has: six
decimals is ~0.1 m, finer than any feed we take (section 11.2). Each feature says
its ``layer`` so a GIS can split the file the way the map does. The title, banner
and picture time ride as foreign members (section 6.1) of the collection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from cop_app.export import describe as d
from cop_app.export.selection import ExportMeta, Selection

DECIMALS = 6


def _rounded(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), DECIMALS)
    return [_rounded(c) for c in coords]


def _oriented(geom: shapely.Geometry) -> shapely.Geometry:
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946 section 3.1.6)."""
    kind = geom.geom_type
    if kind == "Polygon":
        return orient(geom, 1.0)
    if kind == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    if kind == "GeometryCollection":
        return shapely.GeometryCollection([_oriented(g) for g in geom.geoms])
    return geom


def geometry_json(geom: shapely.Geometry) -> dict[str, Any]:
    return _round_geometry(mapping(_oriented(geom)))


def _round_geometry(g: dict[str, Any]) -> dict[str, Any]:
    if g["type"] == "GeometryCollection":
        return {"type": g["type"], "geometries": [_round_geometry(x) for x in g["geometries"]]}
    return {"type": g["type"], "coordinates": _rounded(g["coordinates"])}


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": _rounded([lon, lat])}


def features(selection: Selection) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for placed in selection.tracks:
        props = {"layer": placed.layer, **d.track_props(placed), "colour": d.track_colour(placed)}
        out.append(_feature(placed.track.id, _point(placed.lat, placed.lon), props))
    for report in selection.reports:
        geom = (geometry_json(shape(report.geometry)) if report.geometry
                and report.geometry.get("type") != "Point" else
                _point(report.lat, report.lon))  # type: ignore[arg-type]  # fmt: skip
        props = {"layer": "reports", **d.report_props(report), "colour": d.report_colour(report)}
        out.append(_feature(report.id, geom, props))
    for zone in selection.zones:
        props = {"layer": "zones", **d.zone_props(zone), "colour": d.zone_colour_of(zone)}
        out.append(_feature(zone.id, geometry_json(zone.geometry), props))
    return out


def _feature(fid: str, geometry: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    props.pop("lat", None)
    props.pop("lon", None)
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}


def collection(selection: Selection, meta: ExportMeta) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "title": meta.title,
        "banner": meta.banner,
        "picture_time": d.iso(meta.at),
        "picture_dtg": d.dtg(meta.at),
        "features": features(selection),
    }


def write_geojson(selection: Selection, path: Path, meta: ExportMeta) -> None:
    text = json.dumps(collection(selection, meta), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))  # fmt: skip
    path.write_text(text, encoding="utf-8")
