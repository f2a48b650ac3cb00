"""Briefing snapshots: the map drawn afresh as PNG, PDF (A4/A3, vector) or SVG, marked.

Every product carries the handling banner at top and bottom, a title, the picture
and production times as DTG, the time window, a legend of the visible layers with
counts, a scale bar and north arrow, a graticule (lat/lon or MGRS) and attribution
(UX.md: "Every map product carries a classification or handling banner, the picture
time, a legend, a scale and a north arrow").

The page is laid out in logical pixels at 96 per inch, whatever the output: a PNG
gets a device pixel ratio of dpi/96 (so point sizes and symbols scale with the DPI
and the file records it), a PDF or SVG is written at 96 units per inch in vector form
(track symbols stay bitmaps from the atlas the screen uses). Untrusted strings
(titles, names, sources) go through ``drawText`` only: plain text, never markup.

``render_snapshot`` returns a ``SnapshotInfo``: what was drawn and where, so tests and
callers need not guess (legend rows, the map frame, the projection into the image).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import (
    QColor,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtWidgets import QApplication

from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, now
from cop_app.export.selection import DEFAULT_TITLE
from cop_app.ui.gc_guard import collect_on_gui_thread
from cop_app.ui.snapshot_collar import DrawnLabel
from cop_app.ui.snapshot_grid import build_grid, centre_bbox
from cop_app.ui.snapshot_labels import page_symbol_scale
from cop_app.ui.snapshot_legend import LegendEntry, LegendLayout
from cop_app.ui.snapshot_map import SnapshotMap
from cop_app.ui.snapshot_page import PageLayout, paint_page

DEFAULT_BANNER = "UNCLASSIFIED \u2014 EXERCISE"
DEFAULT_BANNER_COLOUR = "#007A33"  # the green of an unclassified marking
SNAPSHOT_FORMATS = ("png", "pdf", "svg")
PAPERS = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3}
LOGICAL_DPI = 96.0
BASEMAP_ATTRIBUTION = "Base map: Natural Earth (public domain)"


class SnapshotError(Exception):
    """A problem the user can act on, told in one line."""


@dataclass
class SnapshotOptions:
    bbox: tuple[float, float, float, float]
    at: float
    window_s: float | None = 2 * 3600.0
    layers: frozenset[str] = frozenset({"air", "sea", "land", "zones"})
    fmt: str = "png"
    title: str = DEFAULT_TITLE
    banner: str = DEFAULT_BANNER
    banner_colour: str = DEFAULT_BANNER_COLOUR
    size: tuple[int, int] = (1920, 1080)  # PNG pixels, SVG units
    dpi: float = LOGICAL_DPI  # PNG only; PDF and SVG are vector
    paper: str = "A4"
    landscape: bool = True
    grid: str = "latlon"  # or "mgrs"
    centre: tuple[float, float, float] | None = None  # (lat, lon, web zoom) instead of bbox
    produced: float | None = None  # production time (default: now)
    selected: frozenset[str] = frozenset()  # track keys the officer selected: labelled

    @property
    def window(self) -> tuple[float, float] | None:
        return None if self.window_s is None else (self.at - self.window_s, self.at)


@dataclass
class SnapshotInfo:
    path: Path
    fmt: str
    page: QSizeF  # logical px (96 per inch)
    scale: float  # device px per logical px (PNG: dpi / 96)
    map_rect: QRectF  # logical px
    bbox: tuple[float, float, float, float]  # what the map frame shows
    at: float
    window: tuple[float, float] | None
    produced: float
    banner: str
    banner_colour: str
    title: str
    legend: list[LegendEntry] = field(default_factory=list)
    legend_layout: LegendLayout | None = None  # where each row went, what did not fit
    grid_labels: list[DrawnLabel] = field(default_factory=list)  # collar values, squares
    attribution: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    banner_height: float = 0.0
    _to_widget: object = None

    def project(self, lat: float, lon: float, scale: float | None = None) -> tuple[float, float]:
        """Where a position is drawn, in device pixels of the output (``scale`` for a
        PDF rasterised at some other resolution: px per logical px)."""
        s = self.scale if scale is None else scale
        x, y = self._to_widget(np.array([lon]), np.array([lat]))  # type: ignore[operator]
        return (float(self.map_rect.left() + x[0]) * s, float(self.map_rect.top() + y[0]) * s)

    def legend_layers(self) -> set[str]:
        return {e.layer for e in self.legend}


def ensure_app() -> QApplication:
    """A QApplication, offscreen when there is no display (cron, CI, ssh)."""
    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["cop-app-snapshot"])
    collect_on_gui_thread()  # `snapshot --demo` runs the server in threads beside Qt
    return app  # type: ignore[return-value]


def page_size(opts: SnapshotOptions) -> QSizeF:
    """The page in logical px: the paper for a PDF, else ``size`` / (dpi / 96)."""
    if opts.fmt == "pdf":
        mm = QPageSize(PAPERS[opts.paper]).size(QPageSize.Unit.Millimeter)
        w, h = mm.width(), mm.height()
        if opts.landscape:
            w, h = max(w, h), min(w, h)
        else:
            w, h = min(w, h), max(w, h)
        return QSizeF(w / 25.4 * LOGICAL_DPI, h / 25.4 * LOGICAL_DPI)
    scale = png_scale(opts)
    return QSizeF(opts.size[0] / scale, opts.size[1] / scale)


def png_scale(opts: SnapshotOptions) -> float:
    return opts.dpi / LOGICAL_DPI if opts.fmt == "png" else 1.0


def check_options(opts: SnapshotOptions) -> None:
    if opts.fmt not in SNAPSHOT_FORMATS:
        raise SnapshotError(f"snapshot format must be one of {', '.join(SNAPSHOT_FORMATS)}")
    if opts.paper not in PAPERS:
        raise SnapshotError(f"paper must be one of {', '.join(PAPERS)}, not {opts.paper!r}")
    w, h = opts.size
    if not (200 <= w <= 20000 and 150 <= h <= 20000):
        raise SnapshotError(f"size {w}x{h} is out of range (200x150 to 20000x20000 pixels)")
    if not 24 <= opts.dpi <= 1200:
        raise SnapshotError(f"dpi {opts.dpi:g} is out of range (24 to 1200)")
    if not QColor.isValidColorName(opts.banner_colour):
        raise SnapshotError(f"banner colour {opts.banner_colour!r} is not a colour (use #RRGGBB)")
    west, south, east, north = opts.bbox
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise SnapshotError("bbox must be W,S,E,N with W < E and S < N, within +-180 / +-85")
    page = page_size(opts)
    if page.width() < 400 or page.height() < 300:
        raise SnapshotError(f"size {w}x{h} at {opts.dpi:g} dpi leaves a page under 400x300 "
                            "points: lower the dpi or enlarge the size")  # fmt: skip


def render_snapshot(picture: Picture, opts: SnapshotOptions, path: str | Path) -> SnapshotInfo:
    """Draw the snapshot to ``path``; SnapshotError (one line) on a problem."""
    check_options(opts)
    target = Path(path)
    if not target.parent.is_dir():
        raise SnapshotError(f"cannot write {target}: folder {target.parent} does not exist")
    ensure_app()
    page = page_size(opts)
    layout = PageLayout(page, opts.fmt)
    info = SnapshotInfo(path=target, fmt=opts.fmt, page=page, scale=png_scale(opts),
                        map_rect=layout.map_rect, bbox=opts.bbox, at=opts.at,
                        window=opts.window, produced=opts.produced or now(),
                        banner=opts.banner, banner_colour=opts.banner_colour,
                        title=opts.title, banner_height=layout.banner_h)  # fmt: skip
    rect = layout.map_rect
    if opts.centre is not None:
        lat, lon, zoom = opts.centre
        opts.bbox = centre_bbox(lat, lon, zoom, width_px=rect.width(), height_px=rect.height())
    smap = SnapshotMap(picture, at=opts.at, window=opts.window, layers=set(opts.layers),
                       width=round(rect.width()), height=round(rect.height()),
                       bbox=opts.bbox, vector=opts.fmt != "png",
                       symbol_scale=page_symbol_scale(rect.width()),
                       selected=frozenset(opts.selected))  # fmt: skip
    try:
        info.bbox = smap.bbox
        grid = build_grid(opts.grid, smap.bbox, width_px=rect.width())
        smap.add_grid(grid)
        info._to_widget = smap.to_widget
        _write(opts, info, target, lambda painter: paint_page(painter, layout, smap, grid,
                                                               picture, opts, info))
    finally:
        smap.close()
    return info


def _write(opts: SnapshotOptions, info: SnapshotInfo, target: Path, paint) -> None:
    if opts.fmt == "png":
        w, h = opts.size
        img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QColor("#FFFFFF"))
        img.setDevicePixelRatio(info.scale)
        _set_dpi(img, LOGICAL_DPI)  # fonts: points at 96 logical px per inch
        painter = QPainter(img)
        try:
            paint(painter)
        finally:
            painter.end()
        _set_dpi(img, opts.dpi)  # the file records the DPI asked for
        if not img.save(str(target), "PNG"):
            raise SnapshotError(f"cannot write {target}")
    elif opts.fmt == "pdf":
        writer = QPdfWriter(str(target))
        writer.setResolution(int(LOGICAL_DPI))
        writer.setTitle(info.title)
        writer.setCreator("cop-app")
        orientation = (QPageLayout.Orientation.Landscape if opts.landscape
                       else QPageLayout.Orientation.Portrait)  # fmt: skip
        writer.setPageLayout(QPageLayout(QPageSize(PAPERS[opts.paper]), orientation,
                                         QMarginsF(0, 0, 0, 0)))  # fmt: skip
        painter = QPainter()
        if not painter.begin(writer):
            raise SnapshotError(f"cannot write {target}")
        try:
            paint(painter)
        finally:
            painter.end()
    else:
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(target))
        w, h = round(info.page.width()), round(info.page.height())
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setResolution(int(LOGICAL_DPI))
        gen.setTitle(info.title)
        gen.setDescription(f"{info.banner} — picture time {format_dtg(info.at)}")
        painter = QPainter()
        if not painter.begin(gen):
            raise SnapshotError(f"cannot write {target}")
        try:
            paint(painter)
        finally:
            painter.end()
    if not target.exists() or target.stat().st_size == 0:
        raise SnapshotError(f"cannot write {target}")


def _set_dpi(img: QImage, dpi: float) -> None:
    dpm = round(dpi / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
