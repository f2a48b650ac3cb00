"""The snapshot's graticule: lat/lon lines at a round step, or the MGRS grid (grid zone
designators and 100 km squares), each with labels a reader can quote.

Lines are computed in lon/lat (pyproj for UTM) and handed to the painter through a
``project(lon, lat) -> (x, y)`` callable, so the same code serves PNG, PDF and SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from pyproj import Transformer

from cop_app.core.geo import EARTH_RADIUS_M, from_mercator, to_mercator, to_mgrs

STEPS_DEG = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0)
SAMPLES = 48  # points per line: meridians are straight in Mercator, UTM lines are not


@dataclass
class Grid:
    """Polylines in lon/lat, and labels anchored at lon/lat or at a map edge."""

    lines: list[np.ndarray] = field(default_factory=list)  # each (n, 2) lon, lat
    major: list[np.ndarray] = field(default_factory=list)  # drawn bolder (zone edges)
    edge_labels: list[tuple[str, str, float]] = field(default_factory=list)  # (side, text, value)
    cell_labels: list[tuple[str, float, float]] = field(default_factory=list)  # (text, lon, lat)


def grid_step(span_deg: float, target_lines: int = 6) -> float:
    """A round step giving about ``target_lines`` lines across the span."""
    want = span_deg / max(target_lines, 1)
    return next((s for s in STEPS_DEG if s >= want), STEPS_DEG[-1])


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step - 1e-9) * step
    n = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + k * step, 6) for k in range(max(n, 0))]


def format_lat(v: float) -> str:
    return _deg(abs(v)) + ("N" if v >= 0 else "S")


def format_lon(v: float) -> str:
    return _deg(abs(v)) + ("E" if v >= 0 else "W")


def _deg(a: float) -> str:
    d = math.floor(a + 1e-9)
    m = round((a - d) * 60)
    if m == 60:
        d, m = d + 1, 0
    return f"{d}°" if m == 0 else f"{d}°{m:02d}'"


def latlon_grid(bbox: tuple[float, float, float, float]) -> Grid:
    west, south, east, north = bbox
    # One step for both axes, from the smaller span, keeps the cells near square.
    step = grid_step(min(east - west, north - south) * 1.4)
    grid = Grid()
    lat = np.linspace(south, north, 2)
    for lon in _ticks(west, east, step):
        grid.lines.append(np.column_stack([np.full(2, lon), lat]))
        grid.edge_labels.append(("bottom", format_lon(lon), lon))
    lon_s = np.linspace(west, east, 2)
    for la in _ticks(south, north, step):
        grid.lines.append(np.column_stack([lon_s, np.full(2, la)]))
        grid.edge_labels.append(("left", format_lat(la), la))
    return grid


def _band_edges(south: float, north: float) -> list[float]:
    """MGRS latitude band edges (8 degrees, X is 12) inside the view."""
    edges = [float(v) for v in range(-80, 73, 8)] + [84.0]
    return [e for e in edges if south < e < north]


def _zone_of(lon: float) -> int:
    return math.floor((lon + 180.0) / 6.0) % 60 + 1


def mgrs_grid(bbox: tuple[float, float, float, float]) -> Grid:
    """Grid zone boundaries (6 degrees of longitude, 8 of latitude) as major lines,
    100 km square lines of each UTM zone clipped to it, and the square's MGRS name
    (e.g. ``37U DQ``) in every square large enough to read."""
    west, south, east, north = bbox
    grid = Grid()
    lat_s = np.linspace(south, north, SAMPLES)
    for z_edge in range(math.ceil((west + 180) / 6), math.floor((east + 180) / 6) + 1):
        lon = z_edge * 6.0 - 180.0
        if west < lon < east:
            grid.major.append(np.column_stack([np.full(SAMPLES, lon), lat_s]))
    lon_s = np.linspace(west, east, SAMPLES)
    for la in _band_edges(south, north):
        grid.major.append(np.column_stack([lon_s, np.full(SAMPLES, la)]))
    step_km = 100.0 if max(east - west, north - south) < 25 else 0.0
    zones = range(_zone_of(west), _zone_of(east - 1e-9) + 1)
    for zone in zones:
        z_w, z_e = max(west, zone * 6.0 - 186.0), min(east, zone * 6.0 - 180.0)
        if step_km and z_e > z_w:
            _utm_lines(grid, zone, (z_w, south, z_e, north), step_km * 1000.0)
    return grid


def _utm_lines(grid: Grid, zone: int, box: tuple[float, float, float, float],
               step_m: float) -> None:  # fmt: skip
    west, south, east, north = box
    hemi = "north" if south >= 0 else "south"
    fwd = Transformer.from_crs("EPSG:4326", f"+proj=utm +zone={zone} +{hemi} +datum=WGS84",
                               always_xy=True)  # fmt: skip
    mid = (west + east) / 2
    corners_x, corners_y = fwd.transform([west, east, west, east, mid, mid],
                                         [south, south, north, north, south, north])
    x0, x1 = min(corners_x), max(corners_x)
    y0, y1 = min(corners_y), max(corners_y)
    back = Transformer.from_crs(fwd.target_crs, "EPSG:4326", always_xy=True)
    ys = np.linspace(y0, y1, SAMPLES)
    xs = np.linspace(x0, x1, SAMPLES)
    for e in _ticks(x0, x1, step_m):
        lon, lat = back.transform(np.full(SAMPLES, e), ys)
        _clipped(grid, lon, lat, box)
    for n in _ticks(y0, y1, step_m):
        lon, lat = back.transform(xs, np.full(SAMPLES, n))
        _clipped(grid, lon, lat, box)
    for e in _ticks(x0 - step_m, x1, step_m):
        for n in _ticks(y0 - step_m, y1, step_m):
            lon, lat = back.transform(e + step_m / 2, n + step_m / 2)
            if west < lon < east and south < lat < north:
                name = to_mgrs(float(lat), float(lon), precision=0)  # "37U DQ"
                grid.cell_labels.append((name, float(lon), float(lat)))


def _clipped(grid: Grid, lon: np.ndarray, lat: np.ndarray,
             box: tuple[float, float, float, float]) -> None:  # fmt: skip
    """Keep the runs of a line inside the zone's column of the view."""
    west, south, east, north = box
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    idx = np.flatnonzero(inside)
    if len(idx) < 2:
        return
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    for run in runs:
        if len(run) >= 2:
            grid.lines.append(np.column_stack([lon[run], lat[run]]))


def build_grid(kind: str, bbox: tuple[float, float, float, float]) -> Grid:
    return mgrs_grid(bbox) if kind == "mgrs" else latlon_grid(bbox)


def centre_bbox(lat: float, lon: float, zoom: float, *, width_px: float,
                height_px: float) -> tuple[float, float, float, float]:  # fmt: skip
    """The area a web map at ``zoom`` shows around a centre in a frame of that size
    (256 px tiles: 2*pi*R / (256 * 2^zoom) Mercator metres a pixel)."""
    mpp = 2 * math.pi * EARTH_RADIUS_M / (256.0 * 2.0**zoom)
    x, y = to_mercator(lon, lat)
    hx, hy = mpp * width_px / 2, mpp * height_px / 2
    lons, lats = from_mercator(np.array([x - hx, x + hx]), np.array([y - hy, y + hy]))
    return (max(float(lons[0]), -180.0), max(float(lats[0]), -85.0),
            min(float(lons[1]), 180.0), min(float(lats[1]), 85.0))  # fmt: skip
