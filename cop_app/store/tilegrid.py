"""The XYZ ("slippy map") tile grid: which tiles cover an area, how many, and whether a
tile URL template is one we will use.

Qt-free so the prefetch plan (and the refusal of an absurd one) is decided and tested
without a window. Numbering is XYZ as the map asks for tiles (y from the north); the
MBTiles row flip lives in ``store.tiles``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from cop_app.core.geo import MAX_MERCATOR_LAT as MAX_LAT

MAX_ZOOM = 22
Key = tuple[int, int, int]
BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def tile_url(template: str, z: int, x: int, y: int) -> str:
    # Plain replacement, never str.format: the template comes from user settings.
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile holding a point at zoom ``z`` (the points on the far edges clamp inward)."""
    n = 1 << z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    lon = max(-180.0, min(180.0, lon))
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    return min(n - 1, max(0, int(x))), min(n - 1, max(0, int(y)))


def tile_span(bbox: BBox, z: int) -> tuple[range, range]:
    """Columns and rows of the tiles that cover ``bbox`` at zoom ``z``."""
    west, south, east, north = bbox
    x0, y0 = tile_xy(west, north, z)
    x1, y1 = tile_xy(east, south, z)
    return range(x0, x1 + 1), range(y0, y1 + 1)


def _levels(zmin: int, zmax: int) -> range:
    if not 0 <= zmin <= zmax <= MAX_ZOOM:
        raise ValueError(f"zoom range {zmin}..{zmax} outside 0..{MAX_ZOOM}")
    return range(zmin, zmax + 1)


def count_tiles(bbox: BBox, zmin: int, zmax: int) -> int:
    """How many tiles ``iter_tiles`` yields, without listing them (arithmetic per level)."""
    total = 0
    for z in _levels(zmin, zmax):
        cols, rows = tile_span(bbox, z)
        total += len(cols) * len(rows)
    return total


def iter_tiles(bbox: BBox, zmin: int, zmax: int) -> Iterator[Key]:
    """Every tile over ``bbox`` from ``zmin`` to ``zmax``, coarse levels first."""
    for z in _levels(zmin, zmax):
        cols, rows = tile_span(bbox, z)
        for x in cols:
            for y in rows:
                yield z, x, y


def check_template(text: str) -> str:
    """The template, stripped, or ValueError saying in one line what is wrong with it.

    Only http(s), and only the {z} {x} {y} placeholders: the template is filled by
    plain replacement, so an unknown placeholder ({s}, {r}) would be sent literally.
    """
    template = text.strip()
    if not template:
        raise ValueError("empty tile URL template")
    if len(template) > 2000 or any(c.isspace() or ord(c) < 32 for c in template):
        raise ValueError("tile URL template has spaces or control characters")
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("tile URL template must start with http:// or https:// and a host")
    found = _PLACEHOLDER.findall(template)
    missing = [p for p in ("z", "x", "y") if p not in found]
    if missing:
        raise ValueError("tile URL template lacks " + ", ".join(f"{{{p}}}" for p in missing))
    unknown = sorted({p for p in found if p not in ("z", "x", "y")})
    if unknown:
        raise ValueError("tile URL template has unsupported placeholders: "
                         + ", ".join(f"{{{p}}}" for p in unknown))  # fmt: skip
    return template


def valid_template(value: object) -> str | None:
    """A stored value as a usable template, or None (a bad stored value never stops the app)."""
    if not isinstance(value, str):
        return None
    try:
        return check_template(value)
    except ValueError:
        return None
