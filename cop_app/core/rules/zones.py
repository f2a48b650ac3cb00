"""Zone geometry prepared once per zone version: prepared polygons, bounds, and the
corridor's outer edge buffered in metres.

Why a cache keyed by (id, version): buffering in a local metric projection costs
milliseconds per zone; rules run on every ingest, zones change a few times a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from cop_app.core.entities import Zone
from cop_app.core.enums import ZoneKind
from cop_app.core.geo import contains

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")


GRID = 128  # cells per side of a zone's lookup grid


class Grid:
    """A coarse raster of one geometry: each cell outside (0), inside (1) or on the
    boundary (2). Points in inside/outside cells are answered by a table lookup; only
    boundary cells go to shapely. Built once per zone version (tens of ms), it cuts an
    evaluation over 100k tracks several-fold.
    """

    def __init__(self, geom: shapely.Geometry, n: int = GRID) -> None:
        w, s, e, nn = geom.bounds
        pad_x, pad_y = (e - w) * 1e-6 + 1e-9, (nn - s) * 1e-6 + 1e-9
        self.w, self.s = w - pad_x, s - pad_y
        self.dx = (e - w + 2 * pad_x) / n
        self.dy = (nn - s + 2 * pad_y) / n
        self.n = n
        ix, iy = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        boxes = shapely.box(self.w + ix.ravel() * self.dx, self.s + iy.ravel() * self.dy,
                            self.w + (ix.ravel() + 1) * self.dx,
                            self.s + (iy.ravel() + 1) * self.dy)  # fmt: skip
        touch = shapely.intersects(geom, boxes)
        state = np.where(touch, 2, 0).astype(np.int8)
        if geom.geom_type in POLYGONAL:
            state[touch & shapely.contains_properly(geom, boxes)] = 1
        self.state = state.reshape(n, n)
        touched = self.state > 0
        dil = touched.copy()
        dil[1:, :] |= touched[:-1, :]
        dil[:-1, :] |= touched[1:, :]
        grown = dil.copy()
        grown[:, 1:] |= dil[:, :-1]
        grown[:, :-1] |= dil[:, 1:]
        self._near = grown  # cells within one cell (8-neighbourhood) of the geometry

    def cells(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:  # fmt: skip
        """(ix, iy, inside-grid mask) of each point."""
        ix = np.floor((lon - self.w) / self.dx)
        iy = np.floor((lat - self.s) / self.dy)
        ok = (ix >= 0) & (ix < self.n) & (iy >= 0) & (iy < self.n)
        return (np.where(ok, ix, 0).astype(np.intp), np.where(ok, iy, 0).astype(np.intp), ok)

    def classify(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        ix, iy, ok = self.cells(lon, lat)
        return np.where(ok, self.state[ix, iy], 0)

    def near(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Points whose cell or a neighbouring cell touches the geometry."""
        ix, iy, ok = self.cells(lon, lat)
        return ok & self._near[ix, iy]


@dataclass
class PreparedZone:
    zone: Zone
    geometry: shapely.Geometry  # prepared
    bounds: tuple[float, float, float, float]
    polygonal: bool
    outer: shapely.Geometry | None = None  # corridor + departure distance (prepared)
    grid: Grid | None = None
    outer_grid: Grid | None = None

    @property
    def id(self) -> str:
        return self.zone.id

    @property
    def kind(self) -> ZoneKind:
        return self.zone.kind

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Points in (or on the edge of) the zone; bounds first, shapely on the rest."""
        return _within(self.geometry, self.grid, lon, lat)

    def in_outer(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if self.outer is None:
            return self.contains(lon, lat)
        return _within(self.outer, self.outer_grid, lon, lat)

    def altitude_ok(self, alt_ft: np.ndarray, unknown_inside: bool) -> np.ndarray:
        """Altitudes between the zone's floor and ceiling (inclusive)."""
        ok = np.ones(len(alt_ft), bool)
        z = self.zone
        if z.floor_ft is not None:
            ok &= alt_ft >= z.floor_ft
        if z.ceiling_ft is not None:
            ok &= alt_ft <= z.ceiling_ft
        if z.floor_ft is not None or z.ceiling_ft is not None:
            ok |= np.isnan(alt_ft) & unknown_inside
        return ok


def _within(geom: shapely.Geometry, grid: Grid | None, lon: np.ndarray,
            lat: np.ndarray) -> np.ndarray:  # fmt: skip
    if grid is None:
        return contains(geom, lon, lat)
    state = grid.classify(lon, lat)
    out = state == 1
    edge = np.flatnonzero(state == 2)
    if len(edge):
        out[edge] = contains(geom, lon[edge], lat[edge])
    return out


class ZoneCache:
    """Prepared zones by (id, version, departure distance); stale entries dropped."""

    def __init__(self) -> None:
        self._cache: dict[tuple, PreparedZone] = {}

    def prepared(self, zones: Iterable[Zone], t: float,
                 corridor_departure_m: float | None = None) -> list[PreparedZone]:  # fmt: skip
        """The zones valid at ``t``, prepared (built on first use of each version)."""
        out, used = [], set()
        for z in zones:
            key = (z.id, z.version, z.kind, corridor_departure_m)
            used.add(key)
            pz = self._cache.get(key)
            if pz is None:
                pz = self._cache[key] = _prepare(z, corridor_departure_m)
            if z.valid_at(t):
                out.append(pz)
        for key in set(self._cache) - used:
            del self._cache[key]
        return out


def _prepare(z: Zone, departure_m: float | None) -> PreparedZone:
    geom = z.geometry
    shapely.prepare(geom)
    pz = PreparedZone(z, geom, tuple(geom.bounds), geom.geom_type in POLYGONAL)
    if not geom.is_empty:
        pz.grid = Grid(geom)
    if z.kind is ZoneKind.CORRIDOR and pz.polygonal:
        dist = departure_m if departure_m is not None else (z.buffer_m or 0.0)
        if dist > 0:
            pz.outer = metric_buffer(geom, dist)
            shapely.prepare(pz.outer)
            pz.outer_grid = Grid(pz.outer)
    return pz


def metric_buffer(geom: shapely.Geometry, metres: float) -> shapely.Geometry:
    """``geom`` grown by ``metres`` on the ground: buffered in an azimuthal equidistant
    projection centred on it (a degree buffer would be 30% short at 45°N in longitude)."""
    c = geom.centroid
    proj = f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)
    m = shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(*xy.T)))
    grown = m.buffer(metres)
    return shapely.transform(grown, lambda xy: np.column_stack(inv.transform(*xy.T)))
