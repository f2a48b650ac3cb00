"""Zones of the ceasefire exercise: line, buffers, corridor, airspace.

EXERCISE DATA. The ceasefire line approximates the publicly mapped line of contact in
southern and eastern Ukraine with 40 hand-placed vertices (errors of 10-20 km are to
be expected); the corridor follows the western Black Sea coast from Odesa to the
Bosphorus with waypoints placed 10-25 km offshore. The hand-typed source is
``resources/scenarios/ceasefire/geography.json``; ``zones.geojson`` beside it is built
from it by ``python -m cop_app.server.scenario_zones`` (reproducible: a test rebuilds
it and compares). Buffers are computed with shapely in a local azimuthal equidistant
projection (pyproj), never in degrees, so "15 km" means 15 km on the ground.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, mapping, shape

from cop_app.core.enums import ZoneKind
from cop_app.paths import resource

SCENARIO_DIR = ("scenarios", "ceasefire")
ZONES_FILE = "zones.geojson"
PRECISION_DEG = 1e-5  # about 1 m: enough for a map, and keeps the file small and stable
NOTE = "EXERCISE DATA - approximate, not an authoritative map (see geography.json note)"


@cache
def geography() -> dict[str, Any]:
    """The hand-typed source data (vertices, ports, airports, settlements)."""
    return json.loads(resource(*SCENARIO_DIR, "geography.json").read_text("utf-8"))


class LocalFrame:
    """A local metric projection, so buffers and offsets are metres on the ground."""

    def __init__(self, proj: str) -> None:
        self._fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        self._inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)

    def to_metres(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self._fwd.transform(*xy.T)))

    def to_degrees(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self._inv.transform(*xy.T)))

    def xy_to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inv.transform(x, y)
        return np.asarray(lon), np.asarray(lat)


class ContactLine:
    """The ceasefire line in metres, for placing things at a distance from it."""

    def __init__(self) -> None:
        spec = geography()["contact_line"]
        self.frame = LocalFrame(spec["projection"])
        self.line_deg = LineString(spec["coordinates"])
        self.line_m = self.frame.to_metres(self.line_deg)
        self.length_m = float(self.line_m.length)

    def points(self, frac: np.ndarray, offset_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) at fractions of the line's length, offset to the left (west/north,
        positive) or right (east/south, negative) at right angles to the line."""
        d = np.clip(np.asarray(frac, dtype=float), 0.0, 1.0) * self.length_m
        here = shapely.get_coordinates(shapely.line_interpolate_point(self.line_m, d))
        ahead = shapely.get_coordinates(
            shapely.line_interpolate_point(self.line_m, np.minimum(d + 100.0, self.length_m)))
        behind = shapely.get_coordinates(
            shapely.line_interpolate_point(self.line_m, np.maximum(d - 100.0, 0.0)))
        tangent = ahead - behind
        tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
        normal_left = np.column_stack((-tangent[:, 1], tangent[:, 0]))
        xy = here + normal_left * np.asarray(offset_m, dtype=float)[:, None]
        return self.frame.xy_to_lonlat(xy[:, 0], xy[:, 1])


@cache
def contact_line() -> ContactLine:
    return ContactLine()


def _feature(zid: str, kind: ZoneKind, name: str, geom: shapely.Geometry,
             **props: Any) -> dict[str, Any]:  # fmt: skip
    geom = shapely.set_precision(geom, PRECISION_DEG)
    return {
        "type": "Feature",
        "id": zid,
        "geometry": json.loads(json.dumps(mapping(geom))),  # tuples -> lists
        "properties": {
            "id": zid, "kind": kind.value, "name": name, "version": 1,
            "valid_from": None, "valid_to": None, **props,
            "exercise": True, "note": NOTE,
        },
    }  # fmt: skip


def corridor_centreline() -> MultiLineString:
    """Trunk plus the legs from each port's berth to it (degrees)."""
    geo = geography()
    cor, ports = geo["corridor"], geo["ports"]
    trunk = cor["trunk"]
    legs = [trunk]
    for key in ("odesa", "chornomorsk", "pivdennyi"):
        p = ports[key]
        legs.append([p["berth"], *p["approach"], trunk[0]])
        legs.append([p["anchorage"], trunk[0]])
    cst = ports["constanta"]
    legs.append([trunk[cor["constanta_junction"]], *cst["approach"][::-1], cst["berth"]])
    legs.append([cst["anchorage"], trunk[cor["constanta_junction"]]])
    return MultiLineString(legs)


def build_zones() -> dict[str, Any]:
    """The static zone set as a GeoJSON FeatureCollection (what zones.geojson holds)."""
    geo = geography()
    spec = geo["contact_line"]
    line = contact_line()
    buf = float(spec["buffer_m"])
    west = line.frame.to_degrees(line.line_m.buffer(buf, single_sided=True))
    east = line.frame.to_degrees(line.line_m.buffer(-buf, single_sided=True))
    air = geo["restricted_airspace"]
    airspace = line.frame.to_degrees(line.line_m.buffer(float(air["half_width_m"])))
    cor = geo["corridor"]
    cframe = LocalFrame(cor["projection"])
    corridor = cframe.to_degrees(cframe.to_metres(corridor_centreline()).buffer(cor["buffer_m"]))
    ist = geo["ports"]["istanbul"]
    inspection = cframe.to_degrees(cframe.to_metres(Point(ist["berth"])).buffer(ist["radius_m"]))
    features = [
        _feature("CF-LINE", ZoneKind.CEASEFIRE_LINE, spec["name"], line.line_deg,
                 approximates=spec["approximates"]),
        _feature("CF-BUF-W", ZoneKind.BUFFER, "Buffer zone, west/north side (15 km)", west,
                 buffer_m=buf, side="west"),
        _feature("CF-BUF-E", ZoneKind.BUFFER, "Buffer zone, east/south side (15 km)", east,
                 buffer_m=buf, side="east"),
        _feature("CF-AIR-LINE", ZoneKind.RESTRICTED_AIRSPACE, air["name"], airspace,
                 floor_ft=air["floor_ft"], ceiling_ft=air["ceiling_ft"]),
        _feature("CF-COR", ZoneKind.CORRIDOR, cor["name"], corridor,
                 buffer_m=cor["buffer_m"]),
        _feature("CF-INSP-IST", ZoneKind.INSPECTION_AREA, ist["name"] + " (exercise)",
                 inspection),
    ]  # fmt: skip
    for p in geo["prohibited_airspace"]:
        circle = cframe_for(p["centre"]).to_degrees(
            cframe_for(p["centre"]).to_metres(Point(p["centre"])).buffer(p["radius_m"]))
        features.append(_feature(p["id"], ZoneKind.PROHIBITED_AIRSPACE, p["name"], circle,
                                 floor_ft=p["floor_ft"], ceiling_ft=p["ceiling_ft"]))
    return {"type": "FeatureCollection", "features": features,
            "properties": {"exercise": True, "note": geo["note"]}}  # fmt: skip


def cframe_for(lonlat: list[float]) -> LocalFrame:
    lon, lat = lonlat
    return LocalFrame(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")


def temporary_zone(start: float) -> dict[str, Any]:
    """A temporary restricted area valid for a few hours from the scenario start: shows
    validity periods on the map and in the API."""
    spec = geography()["temporary_airspace"]
    line = contact_line()
    a, b = spec["along_line"]
    frac = np.linspace(a, b, 12)
    lon, lat = line.points(frac, np.full(frac.shape, float(spec["offset_m"])))
    centre = line.frame.to_metres(LineString(np.column_stack((lon, lat))))
    area = line.frame.to_degrees(centre.buffer(float(spec["half_width_m"])))
    feat = _feature(spec["id"], ZoneKind.RESTRICTED_AIRSPACE, spec["name"], area,
                    floor_ft=spec["floor_ft"], ceiling_ft=spec["ceiling_ft"])
    feat["properties"]["valid_from"] = float(start)
    feat["properties"]["valid_to"] = float(start) + spec["hours"] * 3600.0
    return feat


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


@cache
def load_zones() -> dict[str, Any]:
    """The built static zones from the resource file."""
    return json.loads(resource(*SCENARIO_DIR, ZONES_FILE).read_text("utf-8"))


def corridor_polygon() -> shapely.Geometry:
    return next(shape(f["geometry"]) for f in load_zones()["features"] if f["id"] == "CF-COR")


def main(argv: list[str] | None = None) -> int:
    """Rebuild zones.geojson from geography.json (into the given path, or in place)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else resource(*SCENARIO_DIR) / ZONES_FILE
    target.write_text(dumps(build_zones()), "utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
