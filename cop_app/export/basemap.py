"""The built-in base map (resources/basemap/europe.npz) as GeoJSON, for the HTML export.

The desktop map draws the same file with Qt; here it becomes one MultiPolygon of
land rings (drawn with Leaflet's even-odd fill, as the npz format intends) and
MultiLineStrings of coast and borders, so an exported page is never a blank sea
offline. Three decimals (~100 m) is plenty for data simplified to ~1 km.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np

from cop_app.core.geo import from_mercator
from cop_app.paths import resource

QUANTUM_M = 10.0  # resources/basemap/README.md: deltas in 10 m steps


def _parts(data: Any, name: str) -> list[list[list[float]]]:
    xy = np.cumsum(data[f"{name}_dxy"].astype(np.int64), axis=0) * QUANTUM_M
    lon, lat = from_mercator(xy[:, 0], xy[:, 1])
    pts = np.round(np.column_stack([lon, lat]), 3).tolist()
    offsets = data[f"{name}_offsets"].tolist()
    return [pts[a:b] for a, b in pairwise(offsets) if b - a >= 2]


@cache
def basemap_geojson() -> dict[str, Any]:
    with np.load(resource("basemap", "europe.npz")) as data:
        land = [[ring] for ring in _parts(data, "land") if len(ring) >= 4]
        coast = _parts(data, "coast")
        borders = _parts(data, "borders")

    def feature(layer: str, geom: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "properties": {"layer": layer}, "geometry": geom}

    return {"type": "FeatureCollection", "features": [
        feature("land", {"type": "MultiPolygon", "coordinates": land}),
        feature("coast", {"type": "MultiLineString", "coordinates": coast}),
        feature("borders", {"type": "MultiLineString", "coordinates": borders}),
    ]}  # fmt: skip
