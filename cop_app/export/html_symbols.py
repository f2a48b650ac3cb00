"""Symbol outlines for the HTML export as SVG path data, built here from geometry.

The page draws each track and report as an inline SVG whose shapes come from these
fixed tables (keyed by frame family and domain, or by event type) and whose colours
come from ``core.style``; no item string ever becomes markup or path data. The
outlines follow the map's own (``ui/map/symbols.py`` frames, ``reports_layer``
event shapes) so a page reads like the screen: APP-6 frames (friend rectangle /
circle at sea / dome in the air, hostile diamond, neutral square, unknown
quatrefoil; air frames open at the bottom), report shape by event type.

Shapely builds the unions (quatrefoil lobes) that would otherwise be hand-worked arcs.
Units are px with y down, centred on the position; ``SYMBOL_PX`` is the frame height.
"""

from __future__ import annotations

import math
from functools import cache

from shapely.geometry import Point, Polygon, box
from shapely.ops import unary_union

SYMBOL_PX = 22.0  # a little under the screen's 26: a page is often read on a laptop
REPORT_RADIUS_PX = 8.0
FAMILIES = ("friend", "hostile", "neutral", "unknown")


def _num(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _ring(coords: list[tuple[float, float]], closed: bool = True) -> str:
    pts = [f"{_num(x)} {_num(y)}" for x, y in coords]
    return "M" + " L".join(pts) + (" Z" if closed else "")


def _poly_path(geom: Polygon) -> str:
    parts = [_ring(list(geom.exterior.coords)[:-1])]
    parts += [_ring(list(r.coords)[:-1]) for r in geom.interiors]
    return " ".join(parts)


def _open_bottom(geom: Polygon, base: float) -> str:
    """The outline without its segment on the base line (air frames are open below):
    SVG fills an unclosed path as if closed but strokes only what is drawn."""
    pts = list(geom.simplify(0.01).exterior.coords)[:-1]  # one segment along the base
    n = len(pts)
    for i in range(n):
        a, b = pts[i], pts[(i + 1) % n]
        if abs(a[1] - base) < 0.05 and abs(b[1] - base) < 0.05:
            order = [pts[(i + 1 + k) % n] for k in range(n)]
            return _ring(order, closed=False)
    return _ring(pts)


def _ground(family: str, s: float) -> Polygon:
    h = s / 2.0
    if family == "friend":
        return box(-0.7 * s, -0.45 * s, 0.7 * s, 0.45 * s)
    if family == "hostile":
        d = h * 1.25
        return Polygon([(0, -d), (d, 0), (0, d), (-d, 0)])
    if family == "neutral":
        return box(-0.9 * h, -0.9 * h, 0.9 * h, 0.9 * h)
    r = s * 0.26
    return unary_union([Point(x, y).buffer(r * 1.1, 16)
                        for x, y in ((-r, 0), (r, 0), (0, -r), (0, r))])  # fmt: skip


def _air(family: str, s: float) -> Polygon:
    h, base = s / 2.0, 0.3 * s
    cut = box(-2 * s, base - 2 * s, 2 * s, base)
    if family == "friend":
        return Point(0, base).buffer(0.6 * s, 24).intersection(cut)
    if family == "hostile":
        w = h * 0.85
        return Polygon([(-w, base), (-w, base - 0.25 * s), (0, base - 1.05 * s),
                        (w, base - 0.25 * s), (w, base)])  # fmt: skip
    if family == "neutral":
        return box(-h * 0.85, base - 0.85 * s, h * 0.85, base)
    r = s * 0.27
    lobes = [Point(x, y).buffer(r * 1.05, 16)
             for x, y in ((-r, base - r), (r, base - r), (0, base - 2 * r))]  # fmt: skip
    body = box(-r, base - 1.5 * r, r, base)
    return unary_union([*lobes, body]).intersection(cut)


@cache
def frame_paths(s: float = SYMBOL_PX) -> dict[str, str]:
    """``"family-domain"`` -> SVG path data of the frame."""
    out = {}
    for family in FAMILIES:
        out[f"{family}-air"] = _open_bottom(_air(family, s), 0.3 * s)
        sea = Point(0, 0).buffer(s / 2.0, 24) if family == "friend" else _ground(family, s)
        out[f"{family}-sea"] = _poly_path(sea)
        out[f"{family}-land"] = _poly_path(_ground(family, s))
    return out


@cache
def domain_marks(s: float = SYMBOL_PX) -> dict[str, str]:
    """A small glyph inside the frame: aircraft, hull or ground vehicle."""
    u, cy = s / 22.0, 0.3 * s - 0.36 * s

    def rect(x: float, y: float, w: float, h: float) -> Polygon:
        return box(x, y, x + w, y + h)

    plane = unary_union([rect(-1.2 * u, cy - 6 * u, 2.4 * u, 12 * u),
                         rect(-7 * u, cy - 1.5 * u, 14 * u, 3 * u),
                         rect(-3.5 * u, cy + 4 * u, 7 * u, 2 * u)])  # fmt: skip
    hull = unary_union([Polygon([(-7 * u, -u), (7 * u, -u), (4.5 * u, 4 * u), (-4.5 * u, 4 * u)]),
                        rect(-0.9 * u, -7 * u, 1.8 * u, 6 * u)])  # fmt: skip
    vehicle = rect(-7 * u, -3 * u, 14 * u, 6 * u)
    return {"air": _poly_path(plane), "sea": _poly_path(hull), "land": _poly_path(vehicle)}


def _star(n: int, inner: float, rot: float = -90.0) -> Polygon:
    return Polygon([((1.0 if i % 2 == 0 else inner) * math.cos(math.radians(rot + i * 180 / n)),
                     (1.0 if i % 2 == 0 else inner) * math.sin(math.radians(rot + i * 180 / n)))
                    for i in range(2 * n)])  # fmt: skip


def _regular(n: int, rot: float = -90.0) -> Polygon:
    return Polygon([(math.cos(math.radians(rot + i * 360 / n)),
                     math.sin(math.radians(rot + i * 360 / n))) for i in range(n)])  # fmt: skip


def _plus(w: float, rot: float = 0.0) -> Polygon:
    pts = [(-w, -1), (w, -1), (w, -w), (1, -w), (1, w), (w, w), (w, 1), (-w, 1), (-w, w),
           (-1, w), (-1, -w), (-w, -w)]  # fmt: skip
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    return Polygon([(x * c - y * s, x * s + y * c) for x, y in pts])


def _scaled(geom: Polygon, r: float) -> Polygon:
    from shapely.affinity import scale

    return scale(geom, r, r, origin=(0, 0))


@cache
def event_paths(r: float = REPORT_RADIUS_PX) -> dict[str, str]:
    """Event type -> SVG path data (radius ``r``), the shapes of the map's report layer."""
    no_entry = Point(0, 0).buffer(1.0, 24).difference(box(-0.7, -0.2, 0.7, 0.2))
    shapes = {
        "explosion": _star(8, 0.45),
        "projectile": Polygon([(0, -1), (0.9, 0.8), (-0.9, 0.8)]),
        "burst": _plus(0.3, 45.0),
        "weapon_sighting": _regular(5),
        "presence_in_disengagement_area": Polygon([(0, 1), (0.9, -0.8), (-0.9, -0.8)]),
        "civilian_harm": _plus(0.34),
        "mine_uxo": _regular(6, 0.0),
        "monitor_impediment": no_entry,
        "other": Point(0, 0).buffer(0.7, 16),
    }
    out = {}
    for name, geom in shapes.items():
        g = _scaled(geom, r)
        if g.geom_type == "MultiPolygon":
            out[name] = " ".join(_poly_path(p) for p in g.geoms)
        else:
            out[name] = _poly_path(g)
    return out
