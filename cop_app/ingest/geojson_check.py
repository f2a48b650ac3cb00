"""Strict RFC 7946 checks for GeoJSON read from untrusted files.

Why strict: a report whose geometry is malformed would be drawn wrongly or crash a
view later, far from the import that let it in. Each check raises ``GeoJsonError``
with a reason an operator can act on, or returns warnings for what RFC 7946 says
SHOULD (not MUST) be avoided: those are accepted and the warning travels with the
report.

Decisions where the RFCs leave room:
- Duplicate member names (RFC 8259 section 4: names SHOULD be unique, and which value
  wins is then undefined) reject the object: a report whose ``type`` or ``time`` is
  ambiguous must not be guessed at.
- Positions with more than three elements, nested or single-member
  GeometryCollections, and polygons against the right-hand rule are warnings
  (RFC 7946 sections 3.1.1, 3.1.8, 3.1.6: SHOULD NOT / parsers SHOULD NOT reject).
- Feature ids may be strings or numbers (RFC 7946 section 3.2).
- NaN and Infinity are rejected: they are not JSON (RFC 8259 section 6).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import shapely

GEOMETRY_DEPTH = {  # how many array levels lie above a position, per geometry type
    "Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
    "Polygon": 2, "MultiPolygon": 3,
}  # fmt: skip
GEOMETRY_TYPES = (*GEOMETRY_DEPTH, "GeometryCollection")
ALL_TYPES = (*GEOMETRY_TYPES, "Feature", "FeatureCollection")

# RFC 7946 section 7.1: members that define one kind of object must not appear in another.
_FORBIDDEN = {
    "Feature": ("features", "coordinates", "geometries"),
    "FeatureCollection": ("geometry", "properties", "coordinates", "geometries"),
    "Geometry": ("properties", "geometry", "features"),
}


class GeoJsonError(ValueError):
    """The object is not valid GeoJSON; the message says why."""


class _DupDict(dict):
    """A JSON object that repeated a member name; validation rejects it."""

    duplicates: tuple[str, ...] = ()


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    dups = []
    for key, _ in pairs:
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
    out = _DupDict(obj)
    out.duplicates = tuple(dups)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str) -> Any:
    """Parse JSON, remembering duplicate names; syntax errors name line and column."""
    try:
        return json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise GeoJsonError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise GeoJsonError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # NaN/Infinity, integers too long to convert
        raise GeoJsonError(f"invalid JSON: {exc}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_no_duplicates(value: Any) -> None:
    """Reject any object, however deep, that repeated a member name."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _DupDict):
            names = ", ".join(repr(n) for n in item.duplicates)
            raise GeoJsonError(f"duplicate member {names}: which value applies is undefined")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_own_duplicates(obj: Any) -> None:
    """Reject the document object itself (not its members) if it repeated a name: its
    type, and so how to read the rest, would be a guess."""
    if isinstance(obj, _DupDict):
        check_no_duplicates(obj)


def object_type(obj: Any, expected: tuple[str, ...] = ALL_TYPES) -> str:
    """The object's ``type`` member, checked to be one of ``expected``."""
    if not isinstance(obj, dict):
        raise GeoJsonError(f"expected a GeoJSON object, found {_kind(obj)}")
    if "type" not in obj:
        raise GeoJsonError('"type" member required')
    kind = obj["type"]
    if not isinstance(kind, str):
        raise GeoJsonError(f'"type" member must be a string, found {_kind(kind)}')
    if kind in expected:
        return kind
    for name in expected:
        if name.lower() == kind.lower():
            raise GeoJsonError(
                f"expected type {name} but found {kind} (type names are case sensitive)"
            )
    raise GeoJsonError(f"type {kind!r} is not one of {', '.join(expected)}")


def check_forbidden(obj: dict[str, Any], kind: str) -> None:
    """RFC 7946 section 7.1: a Feature must not look like a geometry, and so on."""
    for name in _FORBIDDEN[kind]:
        if name in obj:
            raise GeoJsonError(f'a {kind} object must not contain a "{name}" member')


def check_bbox(obj: dict[str, Any]) -> None:
    if "bbox" not in obj:
        return
    bbox = obj["bbox"]
    if not isinstance(bbox, list):
        raise GeoJsonError(f"bbox must be an array of numbers, found {_kind(bbox)}")
    if not all(_is_number(v) for v in bbox):
        raise GeoJsonError("each element of a bbox must be a number")
    if len(bbox) not in (4, 6):
        raise GeoJsonError(f"bbox must have 4 (2D) or 6 (3D) numbers, found {len(bbox)}")


def _check_position(pos: Any, warnings: list[str]) -> None:
    if not isinstance(pos, list):
        raise GeoJsonError(f"a position must be an array of numbers, found {_kind(pos)}")
    if not all(_is_number(v) for v in pos):
        if any(isinstance(v, list) for v in pos):
            raise GeoJsonError("an array was found where a position should be: nested too deeply")
        raise GeoJsonError("each element of a position must be a number")
    if len(pos) < 2:
        raise GeoJsonError(f"a position needs 2 or more numbers, found {len(pos)}")
    if len(pos) > 3:
        _warn(warnings, "position has more than 3 elements (RFC 7946 3.1.1: SHOULD NOT)")
    elif not (-180.0 <= pos[0] <= 180.0 and -90.0 <= pos[1] <= 90.0):
        _warn(warnings, "position outside longitude -180..180 / latitude -90..90")


def _warn(warnings: list[str], text: str) -> None:
    if text not in warnings:
        warnings.append(text)


def _check_array(value: Any, depth: int, warnings: list[str]) -> list[Any]:
    """Check an array ``depth`` levels above positions; returns it for further checks."""
    if not isinstance(value, list):
        raise GeoJsonError(f"expected an array of coordinates, found {_kind(value)}")
    if depth == 0:
        _check_position(value, warnings)
        return value
    for item in value:
        if _is_number(item):
            raise GeoJsonError(
                "a number was found where an array of positions should be: nest it more deeply"
            )
        _check_array(item, depth - 1, warnings)
    return value


def _check_line(line: list[Any]) -> None:
    if len(line) < 2:
        raise GeoJsonError(f"a LineString needs 2 or more positions, found {len(line)}")


def _check_polygon(rings: list[Any], warnings: list[str]) -> None:
    for index, ring in enumerate(rings):
        if len(ring) < 4:
            raise GeoJsonError(f"a LinearRing needs 4 or more positions, found {len(ring)}")
        if ring[0] != ring[-1]:
            raise GeoJsonError("a LinearRing's first and last positions must be identical")
        ccw = shapely.LinearRing([p[:2] for p in ring]).is_ccw
        if ccw != (index == 0):
            _warn(warnings, "polygon does not follow the right-hand rule (RFC 7946 3.1.6)")


MAX_NESTING = 8  # GeometryCollections inside each other; deeper is abuse, not geography


def check_geometry(obj: Any, warnings: list[str], *, nested: int = 0) -> None:
    """Validate a Geometry object; append SHOULD-level findings to ``warnings``."""
    if nested > MAX_NESTING:
        raise GeoJsonError(f"GeometryCollections nested more than {MAX_NESTING} deep")
    kind = object_type(obj, GEOMETRY_TYPES)
    check_forbidden(obj, "Geometry")
    check_bbox(obj)
    if kind == "GeometryCollection":
        if nested:
            _warn(warnings, "nested GeometryCollection (RFC 7946 3.1.8: SHOULD avoid)")
        parts = obj.get("geometries")
        if not isinstance(parts, list):
            raise GeoJsonError(f'"geometries" must be an array, found {_kind(parts)}')
        if len(parts) == 1:
            _warn(warnings, "GeometryCollection of one geometry (RFC 7946 3.1.8: SHOULD avoid)")
        for part in parts:
            if not isinstance(part, dict):
                raise GeoJsonError(f"a GeometryCollection holds geometries, found {_kind(part)}")
            check_geometry(part, warnings, nested=nested + 1)
        return
    if "coordinates" not in obj:
        raise GeoJsonError(f'a {kind} needs a "coordinates" member')
    coords = obj["coordinates"]
    if coords == []:  # RFC 7946 3.1: MAY be read as a null geometry
        _warn(warnings, f"{kind} with empty coordinates: no location")
        return
    depth = GEOMETRY_DEPTH[kind]
    _check_array(coords, depth, warnings)
    if kind == "LineString":
        _check_line(coords)
    elif kind == "MultiLineString":
        for line in coords:
            _check_line(line)
    elif kind == "Polygon":
        _check_polygon(coords, warnings)
    elif kind == "MultiPolygon":
        for polygon in coords:
            _check_polygon(polygon, warnings)
    _check_validity(obj, warnings)


def _check_validity(obj: dict[str, Any], warnings: list[str]) -> None:
    """Self-intersections and the like: drawable, so a warning, not a rejection."""
    if obj["type"] not in ("Polygon", "MultiPolygon"):
        return
    geom = shapely.geometry.shape(flat_2d(obj))
    if not geom.is_valid:
        _warn(warnings, f"invalid polygon: {shapely.is_valid_reason(geom)}")


def flat_2d(geometry: dict[str, Any]) -> dict[str, Any]:
    """A copy with positions cut to (lon, lat): shapely takes at most three numbers."""
    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection",
                "geometries": [flat_2d(g) for g in geometry["geometries"]]}  # fmt: skip

    def cut(value: Any, depth: int) -> Any:
        return value[:2] if depth == 0 else [cut(v, depth - 1) for v in value]

    depth = GEOMETRY_DEPTH[geometry["type"]]
    return {"type": geometry["type"], "coordinates": cut(geometry["coordinates"], depth)}


def check_feature(obj: Any) -> list[str]:
    """Validate one Feature; returns its warnings."""
    check_no_duplicates(obj)
    if not isinstance(obj, dict):
        raise GeoJsonError(f"a feature must be an object, found {_kind(obj)}")
    if obj.get("type") != "Feature":
        raise GeoJsonError(f'a feature needs "type": "Feature", found {obj.get("type")!r}')
    check_forbidden(obj, "Feature")
    check_bbox(obj)
    if "id" in obj and not (isinstance(obj["id"], str) or _is_number(obj["id"])):
        raise GeoJsonError(f'a feature "id" must be a string or number, found {_kind(obj["id"])}')
    if "properties" not in obj:
        raise GeoJsonError('a feature needs a "properties" member (an object or null)')
    props = obj["properties"]
    if props is not None and not isinstance(props, dict):
        raise GeoJsonError(f'"properties" must be an object or null, found {_kind(props)}')
    if "geometry" not in obj:
        raise GeoJsonError('a feature needs a "geometry" member (a geometry or null)')
    warnings: list[str] = []
    if obj["geometry"] is None:
        _warn(warnings, "feature without geometry: no location")
    else:
        check_geometry(obj["geometry"], warnings)
    return warnings


def collection_features(obj: dict[str, Any]) -> list[Any]:
    """A FeatureCollection's ``features``; GeoJsonError when there is no usable list.

    Duplicate names in the collection object itself were rejected by the caller
    (``check_own_duplicates``); duplicates inside a feature cost that feature only.
    """
    if "features" not in obj:
        raise GeoJsonError('"features" member required')
    features = obj["features"]
    if not isinstance(features, list):
        raise GeoJsonError(f'"features" must be an array, found {_kind(features)}')
    return features


def check_collection(obj: dict[str, Any]) -> Iterator[str]:
    """Problems of a FeatureCollection's own members that leave its features usable,
    yielded as reasons so the caller can report them and go on."""
    for check in (lambda: check_forbidden(obj, "FeatureCollection"), lambda: check_bbox(obj)):
        try:
            check()
        except GeoJsonError as exc:
            yield str(exc)
