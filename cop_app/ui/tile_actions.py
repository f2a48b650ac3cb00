"""Map menu: the raster tile source, prefetching an area, and importing an offline pack.

The window builds one ``TileActions`` and adds its menu; everything about tiles is
here. The tile layer is shown when a URL template is set or the MBTiles cache already
holds tiles (an imported pack, no network). Prefetch and pack import run in a
``TaskRunner`` worker behind a progress dialog with Cancel; the UI thread only counts
tiles (arithmetic) and never reads the network or the cache file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QStatusBar,
    QWidget,
)

from cop_app.core.geo import MAX_MERCATOR_LAT
from cop_app.store.prefetch import PrefetchResult, prefetch_tiles
from cop_app.store.tilegrid import BBox, check_template, count_tiles, iter_tiles
from cop_app.store.tiles import MBTiles, has_tiles, import_mbtiles
from cop_app.ui.map.context import Z
from cop_app.ui.map.tiles import MAX_ZOOM, TileLayer, view_zoom
from cop_app.ui.map.view import MapView
from cop_app.ui.settings import AppSettings
from cop_app.ui.workers import TaskRunner, TaskState

log = logging.getLogger("cop_app.ui")
# Bulk downloading is against most tile servers' usage policy (OpenStreetMap's forbids
# it outright): prefetch is for a patrol area, not a country.
MAX_PREFETCH_TILES = 5000
MAX_EXTRA_LEVELS = 6
PACK_FILTER = "MBTiles tile packs (*.mbtiles);;All files (*)"


@dataclass
class PackResult:
    count: int = 0
    error: str | None = None


@dataclass
class PrefetchPlan:
    bbox: BBox
    zmin: int
    zmax: int
    count: int
    refusal: str | None  # why it will not run, in one line; None: it may


def clamp_bbox(bbox: BBox) -> BBox:
    w, s, e, n = bbox
    return (max(-180.0, w), max(-MAX_MERCATOR_LAT, s), min(180.0, e), min(MAX_MERCATOR_LAT, n))


class TileActions(QObject):
    layerChanged = Signal()  # the tile layer appeared, or its source or content changed

    def __init__(self, parent: QWidget, view: MapView, settings: AppSettings,
                 status: QStatusBar, layers: dict[str, Any], *,
                 cache_path: Path | str | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.window, self.view, self.settings, self.status = parent, view, settings, status
        self.layers = layers  # the window's map layers; "tiles" joins them when shown
        self.cache_path = Path(cache_path) if cache_path else settings.tile_cache
        self.url = settings.tile_url
        self.task: TaskRunner | None = None
        self.progress: QProgressDialog | None = None
        self.result: Any = None  # the last task's outcome (PrefetchResult or PackResult)
        self.act_source = self._action("Tile source…", self.choose_source,
                                       "Set or clear the XYZ raster tile URL template")
        self.act_prefetch = self._action("Prefetch tiles for this view…", self.choose_prefetch,
                                         "Fetch this area's tiles into the cache for offline "
                                         "use")  # fmt: skip
        self.act_import = self._action("Import tile pack (MBTiles)…", self.choose_import,
                                       "Merge an offline MBTiles pack into the tile cache")
        self.menu = QMenu("&Map", parent)
        for act in (self.act_source, self.act_prefetch, self.act_import):
            self.menu.addAction(act)
        if self.url or has_tiles(self.cache_path):
            self.ensure_layer()

    def _action(self, text: str, slot: Callable[[], Any], tip: str) -> QAction:
        act = QAction(text, self.window)
        act.setToolTip(tip)
        act.triggered.connect(lambda _=False: slot())
        return act

    # ---- the layer ---------------------------------------------------------------------
    @property
    def layer(self) -> TileLayer | None:
        return self.layers.get("tiles")

    def ensure_layer(self) -> TileLayer:
        layer = self.layer
        if layer is None:
            try:
                layer = TileLayer(self.view, self.url, self.cache_path)
            except (OSError, sqlite3.Error) as exc:  # a damaged or unwritable cache file
                log.warning("tile cache %s unusable: %s", self.cache_path, exc)
                self.status.showMessage(f"Tile cache unusable ({exc}); tiles are not kept",
                                        15000)  # fmt: skip
                layer = TileLayer(self.view, self.url, None)
            self.view.add_layer("tiles", layer, Z["tiles"])
            self.layers["tiles"] = layer
            self.layerChanged.emit()
        return layer

    def set_url(self, text: str | None) -> str | None:
        """Apply a tile source at once (empty: none); returns why it was refused, or None."""
        template = None
        if text and text.strip():
            try:
                template = check_template(text)
            except ValueError as exc:
                return str(exc)
        self.url = template
        self.settings.tile_url = template
        if template:
            self.ensure_layer().set_url(template)
            self.status.showMessage(f"Tile source: {template}", 8000)
        elif self.layer is not None:
            self.layer.set_url(None)  # the cache (imported packs) still draws
            self.status.showMessage("Online tiles off; cached tiles still shown", 8000)
        self.layerChanged.emit()
        return None

    def choose_source(self) -> None:
        text, ok = QInputDialog.getText(
            self.window, "Tile source",
            "XYZ tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png\n"
            "(empty: no online tiles; the built-in base map always shows)",
            text=self.url or "")  # fmt: skip
        if ok:
            problem = self.set_url(text)
            if problem:
                QMessageBox.warning(self.window, "Tile source", f"Not used: {problem}")

    # ---- prefetch ----------------------------------------------------------------------
    def plan(self, levels: int) -> PrefetchPlan:
        """Tiles over the visible area from the current zoom to ``levels`` deeper."""
        bbox = clamp_bbox(self.view.visible_bbox())
        zmin = view_zoom(self.view)
        zmax = min(MAX_ZOOM, zmin + max(0, levels))
        count = count_tiles(bbox, zmin, zmax)
        refusal = None
        if not self.url:
            refusal = "Set a tile source first (Map → Tile source…)"
        elif count > MAX_PREFETCH_TILES:
            refusal = (f"{count:,} tiles is too many to prefetch (limit "
                       f"{MAX_PREFETCH_TILES:,}): zoom in or choose fewer levels")  # fmt: skip
        return PrefetchPlan(bbox, zmin, zmax, count, refusal)

    def choose_prefetch(self) -> None:
        dialog = PrefetchDialog(self, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.prefetch(dialog.levels.value())

    def prefetch(self, levels: int) -> TaskRunner | None:
        plan = self.plan(levels)
        if plan.refusal or self._busy():
            if plan.refusal:
                self.status.showMessage(plan.refusal, 15000)
            return None
        url, path = self.url, self.cache_path
        span = f"Prefetching tiles, zoom {plan.zmin}–{plan.zmax}"

        def work(state: TaskState) -> PrefetchResult:
            keys = list(iter_tiles(plan.bbox, plan.zmin, plan.zmax))
            cache = MBTiles(path)
            try:
                return prefetch_tiles(
                    cache, url or "", keys, cancelled=lambda: state.cancelled,
                    progress=lambda d, t: state.progress(d / max(t, 1), f"{span}: {d} of {t}"))
            finally:
                cache.close()

        return self._run(work, "prefetch", "Prefetch tiles", f"{span}: {plan.count:,} tiles…",
                         self._prefetched)  # fmt: skip

    def _prefetched(self, result: PrefetchResult) -> str:
        if self.layer is not None:
            self.layer.retry_failed()
        return result.summary()

    # ---- pack import -------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import tile pack", "", PACK_FILTER)
        if path:
            self.import_pack(Path(path))

    def import_pack(self, pack: Path) -> TaskRunner | None:
        if self._busy():
            return None
        path = self.cache_path

        def work(state: TaskState) -> PackResult:
            try:
                n = import_mbtiles(path, pack, check=state.check,
                                   progress=lambda d, t: state.progress(d / max(t, 1),
                                                                        f"{d} of {t} tiles"))
            except (ValueError, OSError) as exc:  # damaged or foreign: nothing was changed
                return PackResult(error=" ".join(str(exc).split()) or type(exc).__name__)
            return PackResult(count=n)

        return self._run(work, "tile-import", "Import tile pack", f"Importing {pack.name}…",
                         lambda r: self._imported(r, pack))  # fmt: skip

    def _imported(self, result: PackResult, pack: Path) -> str:
        if result.error:
            return f"Tile pack not imported: {result.error}"
        self.ensure_layer().reload()
        self.layerChanged.emit()
        return f"Imported {result.count:,} tiles from {pack.name}"

    # ---- the worker behind a progress dialog -------------------------------------------
    def _busy(self) -> bool:
        if self.task is not None and not self.task.done.is_set():
            self.status.showMessage("A tile task is already running", 8000)
            return True
        return False

    def _run(self, work: Callable[[TaskState], Any], name: str, title: str, label: str,
             done: Callable[[Any], str]) -> TaskRunner:  # fmt: skip
        runner = TaskRunner(work, name, self)
        dlg = QProgressDialog(label, "Cancel", 0, 1000, self.window)
        dlg.setWindowTitle(title)
        dlg.setAutoReset(False)
        dlg.setAutoClose(False)
        dlg.setMinimumDuration(400)
        dlg.canceled.connect(runner.cancel)
        queued = Qt.ConnectionType.QueuedConnection
        runner.progressed.connect(lambda f, m: (dlg.setValue(round(f * 1000)),
                                                dlg.setLabelText(m)), queued)  # fmt: skip

        def finish(result: Any) -> None:
            self.result = result
            self._ended(dlg, done(result))

        runner.finished.connect(finish, queued)
        runner.failed.connect(lambda e: self._ended(dlg, f"{title} failed: {e}"), queued)
        runner.cancelled.connect(lambda: self._ended(dlg, f"{title} cancelled; nothing changed"),
                                 queued)  # fmt: skip
        self.progress, self.task = dlg, runner
        return runner.start()

    def _ended(self, dlg: QProgressDialog, text: str) -> None:
        dlg.reset()  # also stops its show-later timer, so it cannot pop up afterwards
        dlg.hide()
        self.status.showMessage(text, 15000)

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.layer is not None:
            self.layer.close()


class PrefetchDialog(QDialog):
    """Choose how many levels deeper to fetch; the count shows before anything starts."""

    def __init__(self, actions: TileActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Prefetch tiles for this view")
        self.actions_ = actions
        form = QFormLayout(self)
        self.levels = QSpinBox(self)
        self.levels.setRange(0, MAX_EXTRA_LEVELS)
        self.levels.setValue(2)
        self.levels.setSuffix(" levels deeper")
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)  # fmt: skip
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow("Zoom:", self.levels)
        form.addRow(self.info)
        form.addRow(self.buttons)
        self.levels.valueChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        plan = self.actions_.plan(self.levels.value())
        text = f"{plan.count:,} tiles, zoom {plan.zmin}–{plan.zmax}, into the tile cache."
        self.info.setText(f"{text}\n{plan.refusal}" if plan.refusal else text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(plan.refusal is None)
