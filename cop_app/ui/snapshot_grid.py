"""The snapshot's graticule: lat/lon lines at a round step, or the MGRS grid (grid zone
designators, 100 km squares and, zoomed in, 10 km or 1 km lines), each with labels a
reader can quote.

As on a military map, MGRS lines are labelled where they meet the frame with their
principal digits (kilometres within the 100 km square: "58" on the line 358 000 mE),
the first line from the south-west corner with its full value ("358000mE"), so a
briefer reads "36T UR 58 42" off the product; the square and zone names go where they
cover nothing (the page places them) and in the margin (legend and footer).

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
UTM_STEPS_M = (100.0, 1000.0, 10000.0, 100000.0)
MIN_LINE_GAP_PX = 40.0  # closer lines crowd the map and their edge labels collide
SIDES = ("top", "bottom", "left", "right")


@dataclass(frozen=True)
class Tick:
    """Where a grid line meets the frame (``side``), and what the collar says there."""

    side: str  # top | bottom | left | right
    text: str
    lon: float
    lat: float
    full: bool = False  # the full value ("358000mE"), drawn first on its side


@dataclass
class Grid:
    """Polylines in lon/lat, edge ticks, and square names anchored at lon/lat."""

    kind: str = "latlon"
    lines: list[np.ndarray] = field(default_factory=list)  # each (n, 2) lon, lat
    major: list[np.ndarray] = field(default_factory=list)  # drawn bolder (zone edges)
    ticks: list[Tick] = field(default_factory=list)
    cell_labels: list[tuple[str, float, float]] = field(default_factory=list)  # (text, lon, lat)
    # Other places a square's name may go when its first spot is taken (text -> (n, 2)).
    cell_spots: dict[str, np.ndarray] = field(default_factory=dict)
    squares: dict[str, list[str]] = field(default_factory=dict)  # GZD -> 100 km squares
    step_text: str = ""  # "10 km", "0.5°"

    def describe(self) -> str:
        """The footer's words for the grid: what the lines and labels are."""
        if self.kind != "mgrs":
            return f"lat/lon (WGS 84), lines every {self.step_text}"
        parts = ["MGRS (WGS 84)"]
        if self.step_text and self.step_text != "100 km":
            parts.append(f"{self.step_text} lines labelled in {self.unit_text()} within the "
                         "100 km square (full value at the first line)")  # fmt: skip
        elif self.step_text:
            parts.append("100 km squares")
        if sum(len(sq) for sq in self.squares.values()) <= 12:
            zones = "; ".join(f"{gzd} {' '.join(sq)}" for gzd, sq in self.squares.items())
            parts.append(f"squares {zones}" if zones else "")
        else:  # a region: the zones say enough, each square is named on the map
            parts.append(f"grid zones {' '.join(self.squares)}")
        return ", ".join(p for p in parts if p)

    def unit_text(self) -> str:
        return "hundreds of metres" if self.step_text == "100 m" else "km"


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
    grid = Grid(kind="latlon", step_text=_deg(step) if step >= 1 else f"{step * 60:g}'")
    lat = np.linspace(south, north, 2)
    for lon in _ticks(west, east, step):
        grid.lines.append(np.column_stack([np.full(2, lon), lat]))
        grid.ticks += [Tick("top", format_lon(lon), lon, north),
                       Tick("bottom", format_lon(lon), lon, south)]  # fmt: skip
    lon_s = np.linspace(west, east, 2)
    for la in _ticks(south, north, step):
        grid.lines.append(np.column_stack([lon_s, np.full(2, la)]))
        grid.ticks += [Tick("left", format_lat(la), west, la),
                       Tick("right", format_lat(la), east, la)]  # fmt: skip
    return grid


def _band_edges(south: float, north: float) -> list[float]:
    """MGRS latitude band edges (8 degrees, X is 12) inside the view."""
    edges = [float(v) for v in range(-80, 73, 8)] + [84.0]
    return [e for e in edges if south < e < north]


def _zone_of(lon: float) -> int:
    return math.floor((lon + 180.0) / 6.0) % 60 + 1


def utm_step(bbox: tuple[float, float, float, float], width_px: float) -> float:
    """The finest of 100 m / 1 km / 10 km / 100 km whose lines stand at least
    MIN_LINE_GAP_PX apart across a frame ``width_px`` wide (0: none, a continent)."""
    west, south, east, north = bbox
    mid = math.radians((south + north) / 2)
    span_m = math.radians(east - west) * EARTH_RADIUS_M * math.cos(mid)
    m_per_px = span_m / max(width_px, 1.0)
    return next((s for s in UTM_STEPS_M if s / m_per_px >= MIN_LINE_GAP_PX), 0.0)


def _step_text(step_m: float) -> str:
    return f"{step_m / 1000:g} km" if step_m >= 1000 else f"{step_m:g} m"


def mgrs_grid(bbox: tuple[float, float, float, float], width_px: float = 1000.0) -> Grid:
    """Grid zone boundaries (6 degrees of longitude, 8 of latitude) as major lines,
    UTM lines of each zone clipped to its column at the step the scale allows, the
    principal digits where they meet the frame, and each 100 km square's name."""
    west, south, east, north = bbox
    step = utm_step(bbox, width_px)
    grid = Grid(kind="mgrs", step_text=_step_text(step) if step else "")
    lat_s = np.linspace(south, north, SAMPLES)
    for z_edge in range(math.ceil((west + 180) / 6), math.floor((east + 180) / 6) + 1):
        lon = z_edge * 6.0 - 180.0
        if west < lon < east:
            grid.major.append(np.column_stack([np.full(SAMPLES, lon), lat_s]))
    lon_s = np.linspace(west, east, SAMPLES)
    for la in _band_edges(south, north):
        grid.major.append(np.column_stack([lon_s, np.full(SAMPLES, la)]))
    zones = range(_zone_of(west), _zone_of(east - 1e-9) + 1)
    for zone in zones:
        z_w, z_e = max(west, zone * 6.0 - 186.0), min(east, zone * 6.0 - 180.0)
        if z_e <= z_w:
            continue
        box = (z_w, south, z_e, north)
        fwd, back = _utm(zone, south)
        _squares(grid, fwd, back, box)
        if step:
            _utm_lines(grid, fwd, back, box, step)
            if step < 100000.0:
                _utm_ticks(grid, fwd, box, step, (z_w == west, z_e == east))
    grid.squares = {g: sorted(set(sq)) for g, sq in sorted(grid.squares.items())}
    return grid


def _utm(zone: int, south: float) -> tuple[Transformer, Transformer]:
    hemi = "north" if south >= 0 else "south"
    fwd = Transformer.from_crs("EPSG:4326", f"+proj=utm +zone={zone} +{hemi} +datum=WGS84",
                               always_xy=True)  # fmt: skip
    return fwd, Transformer.from_crs(fwd.target_crs, "EPSG:4326", always_xy=True)


def _utm_lines(grid: Grid, fwd: Transformer, back: Transformer,
               box: tuple[float, float, float, float], step_m: float) -> None:  # fmt: skip
    west, south, east, north = box
    mid = (west + east) / 2
    corners_x, corners_y = fwd.transform([west, east, west, east, mid, mid],
                                         [south, south, north, north, south, north])
    x0, x1 = min(corners_x), max(corners_x)
    y0, y1 = min(corners_y), max(corners_y)
    ys = np.linspace(y0, y1, SAMPLES)
    xs = np.linspace(x0, x1, SAMPLES)
    for e in _ticks(x0, x1, step_m):
        lon, lat = back.transform(np.full(SAMPLES, e), ys)
        _clipped(grid, lon, lat, box)
    for n in _ticks(y0, y1, step_m):
        lon, lat = back.transform(xs, np.full(SAMPLES, n))
        _clipped(grid, lon, lat, box)


def principal_digits(value_m: float, step_m: float) -> str:
    """The digits a map prints on a grid line: km within the 100 km square ("58"), or
    hundreds of metres ("583") for a 100 m grid."""
    v = round(value_m) % 100000
    return f"{v // 100:03d}" if step_m < 1000 else f"{v // 1000:02d}"


def _utm_ticks(grid: Grid, fwd: Transformer, box: tuple[float, float, float, float],
               step_m: float, outer: tuple[bool, bool]) -> None:  # fmt: skip
    """Eastings where the lines meet the top and bottom edges (this zone's column of
    them), northings on the left edge (westmost zone) and right edge (eastmost)."""
    west, south, east, north = box
    n = 256
    lons = np.linspace(west, east, n)
    for side, lat in (("top", north), ("bottom", south)):
        e, _ = fwd.transform(lons, np.full(n, lat))
        for k, v in enumerate(_ticks(float(e[0]), float(e[-1]), step_m)):
            lon = float(np.interp(v, e, lons))  # easting grows eastward along a parallel
            grid.ticks.append(_tick(side, v, step_m, "mE", lon, lat, first=k == 0))
    lats = np.linspace(south, north, n)
    for side, lon, wanted in (("left", west, outer[0]), ("right", east, outer[1])):
        if not wanted:
            continue
        _, nn = fwd.transform(np.full(n, lon), lats)
        for k, v in enumerate(_ticks(float(nn[0]), float(nn[-1]), step_m)):
            lat = float(np.interp(v, nn, lats))
            grid.ticks.append(_tick(side, v, step_m, "mN", lon, lat, first=k == 0))


def _tick(side: str, value: float, step_m: float, suffix: str, lon: float, lat: float, *,
          first: bool) -> Tick:  # fmt: skip
    if first:
        return Tick(side, f"{round(value)}{suffix}", lon, lat, full=True)
    return Tick(side, principal_digits(value, step_m), lon, lat)


def _squares(grid: Grid, fwd: Transformer, back: Transformer,
             box: tuple[float, float, float, float]) -> None:  # fmt: skip
    """Each 100 km square with a part in view: its name at the middle of that part, and
    other spots in it (nearest first) should the middle be covered."""
    west, south, east, north = box
    k = 40
    lon, lat = np.meshgrid(np.linspace(west, east, k + 2)[1:-1],
                           np.linspace(south, north, k + 2)[1:-1])  # fmt: skip
    lon, lat = lon.ravel(), lat.ravel()
    e, n = fwd.transform(lon, lat)
    cell = np.floor(np.asarray(e) / 1e5).astype(np.int64) * 1000 + np.floor(
        np.asarray(n) / 1e5).astype(np.int64)  # fmt: skip
    for c in np.unique(cell):
        inside = cell == c
        ce, cn = (c // 1000 + 0.5) * 1e5, (c % 1000 + 0.5) * 1e5
        # The middle of the visible part, pulled inside the square should it be ragged.
        me, mn = float(np.mean(np.asarray(e)[inside])), float(np.mean(np.asarray(n)[inside]))
        me = min(max(me, ce - 45000.0), ce + 45000.0)
        mn = min(max(mn, cn - 45000.0), cn + 45000.0)
        mlon, mlat = back.transform(me, mn)
        name = to_mgrs(float(mlat), float(mlon), precision=0)  # "37U DQ"
        gzd, _, sq = name.partition(" ")
        grid.squares.setdefault(gzd, []).append(sq)
        if not (west < mlon < east and south < mlat < north):
            continue
        spots = np.column_stack([lon[inside], lat[inside]])
        order = np.argsort((spots[:, 0] - mlon) ** 2 + (spots[:, 1] - mlat) ** 2)
        grid.cell_labels.append((name, float(mlon), float(mlat)))
        grid.cell_spots[name] = spots[order[:: max(1, len(order) // 60)]]


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


def build_grid(kind: str, bbox: tuple[float, float, float, float],
               width_px: float = 1000.0) -> Grid:  # fmt: skip
    return mgrs_grid(bbox, width_px) if kind == "mgrs" else latlon_grid(bbox)


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
