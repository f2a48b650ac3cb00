"""File → Export: a small dialog for a briefing product of what the map shows now.

The picture time, window, layers and area come from the hub and the map (what the
officer sees); the dialog asks only for the product: format, size and DPI or paper,
grid, title and marking. PNG/PDF/SVG are drawn by ``render_snapshot``; the data
formats go through ``cop_app.export.write``.

With no brushed window the product covers the same time as ``cop-app snapshot``
(``DEFAULT_WINDOW_S``, 6 h before the picture time), not every report ever received:
one picture gives one product whichever way it is asked for. The Window row says so
and offers "All times". The title defaults to the product's name, never the main
window's title (that names the server and mode, not the brief).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from cop_app.core.timeutil import format_dtg, now
from cop_app.export.selection import DEFAULT_TITLE, DEFAULT_WINDOW_S
from cop_app.ui.hub import Hub
from cop_app.ui.map.view import MapView
from cop_app.ui.snapshot import (
    DEFAULT_BANNER,
    DEFAULT_BANNER_COLOUR,
    SnapshotError,
    SnapshotOptions,
    render_snapshot,
)

FORMATS = ("png", "pdf", "svg", "html", "kml", "kmz", "geojson", "csv", "cot")
SNAPSHOT_LAYERS = ("air", "sea", "land", "reports", "zones", "trails")
AUTO, ALL_TIMES = "auto", "all"  # the brushed window, else DEFAULT_WINDOW_S; or all


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, title: str | None = None,
                 banner: str = DEFAULT_BANNER,
                 brushed: tuple[float, float] | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Export")
        form = QFormLayout(self)
        self.fmt = QComboBox()
        self.fmt.addItems([f.upper() for f in FORMATS])
        self.width_px, self.height_px = QSpinBox(), QSpinBox()
        for box, value in ((self.width_px, 1920), (self.height_px, 1080)):
            box.setRange(200, 20000)
            box.setValue(value)
        self.dpi = QSpinBox()
        self.dpi.setRange(24, 1200)
        self.dpi.setValue(96)
        self.paper = QComboBox()
        self.paper.addItems(["A4", "A3"])
        self.orientation = QComboBox()
        self.orientation.addItems(["Landscape", "Portrait"])
        self.grid = QComboBox()
        self.grid.addItems(["Lat/lon", "MGRS"])
        self.window_choice = QComboBox()
        if brushed is not None:
            self.window_choice.addItem(f"Brushed: {format_dtg(brushed[0])} to "
                                       f"{format_dtg(brushed[1])}", AUTO)  # fmt: skip
        else:
            self.window_choice.addItem(f"Last {DEFAULT_WINDOW_S / 3600:g} h (as cop-app "
                                       "snapshot)", AUTO)  # fmt: skip
        self.window_choice.addItem("All times", ALL_TIMES)
        self.title = QLineEdit(title or DEFAULT_TITLE)
        self.banner = QLineEdit(banner or DEFAULT_BANNER)
        self.colour = QLineEdit(DEFAULT_BANNER_COLOUR)
        for label, widget in (("Format", self.fmt), ("Width (px)", self.width_px),
                              ("Height (px)", self.height_px), ("DPI", self.dpi),
                              ("Paper (PDF)", self.paper), ("Orientation", self.orientation),
                              ("Grid", self.grid), ("Window", self.window_choice),
                              ("Title", self.title),
                              ("Banner", self.banner), ("Banner colour", self.colour)):  # fmt: skip
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.fmt.currentTextChanged.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        fmt = self.format()
        for w in (self.width_px, self.height_px):
            w.setEnabled(fmt in ("png", "svg"))
        self.dpi.setEnabled(fmt == "png")
        for w in (self.paper, self.orientation):
            w.setEnabled(fmt == "pdf")
        self.grid.setEnabled(fmt in ("png", "pdf", "svg"))

    def format(self) -> str:
        return self.fmt.currentText().lower()

    def options(self, hub: Hub, view: MapView) -> SnapshotOptions:
        at = hub.cursor if not hub.live else now()
        window_s: float | None = DEFAULT_WINDOW_S
        if self.window_choice.currentData() == ALL_TIMES:
            window_s = None
        elif hub.window is not None:
            window_s = max(1.0, hub.window[1] - hub.window[0])
        layers = frozenset(n for n in SNAPSHOT_LAYERS if hub.layers.get(n, True))
        return SnapshotOptions(
            bbox=view.visible_bbox(), at=at,
            window_s=window_s, layers=layers, fmt=self.format(),
            title=self.title.text().strip() or DEFAULT_TITLE,
            banner=self.banner.text(), banner_colour=self.colour.text().strip(),
            size=(self.width_px.value(), self.height_px.value()), dpi=float(self.dpi.value()),
            paper=self.paper.currentText(), landscape=self.orientation.currentIndex() == 0,
            grid="mgrs" if self.grid.currentIndex() == 1 else "latlon",
            selected=frozenset(hub.selection),
        )  # fmt: skip


def export_from_window(parent: QWidget, hub: Hub, view: MapView, *, title: str | None = None,
                       banner: str, path: Path | None = None,
                       dialog: ExportDialog | None = None) -> Path | None:  # fmt: skip
    """Ask, then write; returns the file written, or None (cancelled or failed, said)."""
    dlg = dialog or ExportDialog(parent, title=title, banner=banner, brushed=hub.window)
    if dialog is None and dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    opts = dlg.options(hub, view)
    if path is None:
        name, _ = QFileDialog.getSaveFileName(parent, "Export", f"brief.{opts.fmt}",
                                              f"{opts.fmt.upper()} (*.{opts.fmt})")  # fmt: skip
        if not name:
            return None
        path = Path(name)
    try:
        if opts.fmt in ("png", "pdf", "svg"):
            render_snapshot(hub.picture, opts, path)
        else:
            from cop_app.export import ExportError, write
            from cop_app.export.selection import ProductView

            try:  # an interactive page opens on what the map shows
                write(opts.fmt, hub.picture, path, at=opts.at, window=opts.window,
                      layers=set(opts.layers), bbox=opts.bbox, title=opts.title,
                      banner=opts.banner, view=ProductView(bbox=opts.bbox))  # fmt: skip
            except ModuleNotFoundError:
                raise SnapshotError(f"format {opts.fmt} is not available yet") from None
            except ExportError as exc:
                raise SnapshotError(str(exc)) from None
    except SnapshotError as exc:
        if dialog is None:
            QMessageBox.warning(parent, "Export failed", str(exc))
        return None
    return path
