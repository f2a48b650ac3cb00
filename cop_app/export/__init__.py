"""Exports of the picture to files that leave the watch floor (Qt-free).

``write`` is the one entry point the snapshot command and the GUI call for the
data formats; PNG/PDF/SVG snapshots live in ``cop_app.ui.snapshot`` (they need Qt).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from cop_app.export.selection import DEFAULT_TITLE

# format -> (module, function); each function takes (Selection, path, meta).
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("cop_app.export.html", "write_html"),
    "kml": ("cop_app.export.kml", "write_kml"),
    "kmz": ("cop_app.export.kml", "write_kmz"),
    "geojson": ("cop_app.export.geojson", "write_geojson"),
    "csv": ("cop_app.export.csv_export", "write_csv"),
    "cot": ("cop_app.export.cot", "write_cot"),
}


class ExportError(Exception):
    """A problem the user can act on, told in one line (bad format, unwritable path)."""


def write(
    fmt: str,
    picture: Any,
    path: str | Path,
    *,
    at: float,
    window: tuple[float, float] | None = None,
    layers: set[str] | frozenset[str] = frozenset({"air", "sea", "land", "reports", "zones"}),
    bbox: tuple[float, float, float, float] | None = None,
    title: str = DEFAULT_TITLE,
    banner: str = "UNCLASSIFIED \u2014 EXERCISE",
    view: Any = None,
) -> None:
    """Write the picture as it stood at ``at`` in format ``fmt`` to ``path``.

    ``layers`` names what to include: air, sea, land (tracks), reports, zones.
    ``window`` (start, end) selects reports by time; tracks are those alive at ``at``.
    ``view`` (``selection.ProductView``): where an interactive page opens; None fits
    the data.
    Raises ExportError with a one-line message on any problem.
    """
    from cop_app.export.selection import ExportMeta, select

    key = fmt.strip().lower()
    if key not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: folder {target.parent} does not exist")
    module_name, func_name = FORMATS[key]
    func = getattr(importlib.import_module(module_name), func_name)
    selection = select(picture, at=at, window=window, layers=set(layers), bbox=bbox)
    meta = ExportMeta(title=title, banner=banner, at=at, window=window, layers=set(layers),
                      view=view)
    try:
        func(selection, target, meta)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
