"""The main window: map in the centre, docks around it, the timeline along the bottom.

It composes the other views through their public constructors (MapView and the
track/context layers, TimelineView, the panels) and wires them only through the Hub;
none of them knows about another. It also owns what belongs to the whole window:
the toolbar and shortcuts, the offline banner, the status bar, File → Import (and
drag and drop) in a cancellable worker, the themes, and saving the layout on exit.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from cop_app.core.extent import Extent, padded
from cop_app.core.timeutil import format_age, format_dtg, now
from cop_app.core.updates import ReportUpdate
from cop_app.core.verification import received_fields
from cop_app.ui.app import Session, latest_time
from cop_app.ui.history import HistoryFetcher
from cop_app.ui.hub import LAYERS, Hub
from cop_app.ui.map import MapView
from cop_app.ui.map.alerts_layer import add_alert_layer
from cop_app.ui.mode_banner import ModeBanner
from cop_app.ui.panels.alerts import AlertsPanel
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.layers import SHORTCUTS, LayersPanel
from cop_app.ui.panels.reports import ReportsPanel
from cop_app.ui.panels.tracks import TracksPanel
from cop_app.ui.progress import ProgressStrip
from cop_app.ui.settings import AppSettings
from cop_app.ui.status import StatusBar
from cop_app.ui.theme import THEMES, Theme, apply_theme, theme_named
from cop_app.ui.tile_actions import TileActions
from cop_app.ui.workers import TaskRunner, TaskState

log = logging.getLogger("cop_app.ui")

# An import into a live session older than this is stale on arrival (ships go stale
# after 6-15 min, aircraft after 1): the window replays it at its end instead.
OLD_IMPORT_S = 15 * 60.0


def _counted(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")
IMPORT_FILTER = ("Captures and reports (*.nmea *.aivdm *.txt *.log *.sbs *.json *.cot *.xml "
                 "*.geojson *.kml *.kmz *.gz);;All files (*)")  # fmt: skip


def _optional(module: str, name: str) -> Any:
    """A view another helper provides, when it has landed (compose what exists)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: AppSettings, *, title: str = "cop-app",
                 handling: str = "", tile_cache: Path | None = None) -> None:  # fmt: skip
        super().__init__()
        self.session = session
        self.settings = settings
        self.picture = session.picture
        self.hub = Hub(session.picture, parent=self)
        self.theme: Theme = theme_named(settings.theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # before any widget: laid out in its final font
            apply_theme(app, self.theme)
        self.setWindowTitle(title)
        self.remember_server = True  # False for --demo: its port dies with it
        self.history: HistoryFetcher | None = None  # older history, as the timeline asks
        self._alert_counts = (0, 0)  # new, open: as the server last said
        self._parked_at: float | None = None  # cursor the window set at the saved picture
        self._alerts_as_of: float | None = None  # when it said so while live
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)  # fmt: skip
        for name, on in settings.layers.items():
            if name in LAYERS:
                self.hub.set_layer(name, on)

        # ---- centre: handling strip, offline banner, map --------------------------------
        self.map = MapView(self.hub)
        self.map_layers = self._compose_map()
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)  # a long reason must not widen the window
        self.banner.hide()
        self.mode_banner = ModeBanner(self.hub, self, fetching=lambda: bool(
            self.history is not None and self.history.running))  # fmt: skip
        self.handling = QLabel(handling, self)
        self.handling.setObjectName("handling")
        self.handling.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.handling.setStyleSheet("font-weight: bold; letter-spacing: 2px;")
        self.handling.setVisible(bool(handling))
        centre = QWidget(self)
        box = QVBoxLayout(centre)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.handling)
        box.addWidget(self.banner)
        box.addWidget(self.mode_banner)
        box.addWidget(self.map, 1)
        self.setCentralWidget(centre)

        # ---- docks ----------------------------------------------------------------------
        self.layers_panel = LayersPanel(self.hub)
        self.tracks = TracksPanel(self.hub, self.map.visible_bbox)
        self.reports = ReportsPanel(self.hub)
        self.alerts = AlertsPanel(self.hub)
        self.details = DetailsPanel(self.hub)
        self.docks: dict[str, QDockWidget] = {}
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        # The switch list scrolls rather than claiming its full height: on a 768-px
        # laptop the Details below it is what the officer reads.
        layers_scroll = QScrollArea(self)
        layers_scroll.setWidget(self.layers_panel)
        layers_scroll.setWidgetResizable(True)
        layers_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._dock("Layers", layers_scroll, left)
        self._dock("Details", self.details, left)
        self._dock("Tracks", self.tracks, right)
        self._dock("Reports", self.reports, right)
        self._dock("Alerts", self.alerts, right)
        self.tabifyDockWidget(self.docks["Tracks"], self.docks["Reports"])
        self.tabifyDockWidget(self.docks["Reports"], self.docks["Alerts"])
        self.docks["Tracks"].raise_()
        timeline_cls = _optional("cop_app.ui.timeline", "TimelineView")
        self.timeline = timeline_cls(self.hub, self.picture) if timeline_cls else None
        if self.timeline is not None:
            self._dock("Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.status = StatusBar(parent=self)
        self.setStatusBar(self.status)
        self.alert_badge = QLabel("", self)
        self.alert_badge.setObjectName("alerts")
        self.alert_badge.setToolTip("alerts: new (unacknowledged) and open")
        self.status.addPermanentWidget(self.alert_badge)
        self.progress = ProgressStrip(self)  # long work: sync, history, prefetch
        self.status.addPermanentWidget(self.progress)
        self.progress.track_sync(session)
        self.alerts.sound_box.setChecked(settings.alert_sound)
        self._build_actions()
        self.tiles = TileActions(self, self.map, settings, self.status, self.map_layers,
                                 cache_path=tile_cache)  # the Map menu: tiles, prefetch, packs
        self.menuBar().addMenu(self.tiles.menu)
        if self.timeline is not None:
            self.history = HistoryFetcher(session, self.timeline, self.progress, parent=self)
            self.history.message.connect(lambda text: self.status.showMessage(text, 10000))
        self._wire()
        self._restore()
        self.apply_theme(self.theme)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._every_second)
        self._tick.start(1000)
        self._every_second()
        self.import_task: TaskRunner | None = None

    # ---- composition ------------------------------------------------------------------
    def _compose_map(self) -> dict[str, Any]:
        layers: dict[str, Any] = {}
        add_context = _optional("cop_app.ui.map.context", "add_context_layers")
        if add_context is not None:
            layers.update(add_context(self.map, self.hub, night=self.theme.is_night) or {})
        else:
            basemap = _optional("cop_app.ui.map.basemap", "BaseMapLayer")
            if basemap is not None:
                layers["basemap"] = basemap()
                self.map.add_layer("basemap", layers["basemap"], -100)
        add_tracks = _optional("cop_app.ui.map.tracks", "add_track_layers")
        if add_tracks is not None:
            layers.update(add_tracks(self.map, self.hub) or {})
        layers["alerts"] = add_alert_layer(self.map, self.hub)
        return layers

    def _dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(name, self)
        dock.setObjectName(f"dock-{name.lower()}")  # saveState() keys docks by name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def _action(self, text: str, shortcut: str | None, slot: Any, *,
                checkable: bool = False, tip: str = "") -> QAction:  # fmt: skip
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setCheckable(checkable)
        act.setToolTip(f"{tip or text} ({shortcut})" if shortcut else tip or text)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        a = self._action
        self.act_import = a("Import…", "Ctrl+O", self.choose_import,
                            tip="Import captures: NMEA, SBS-1, aircraft.json, CoT, GeoJSON, KML")
        self.act_screenshot = a("Save screenshot…", "Ctrl+Shift+S", self.choose_screenshot)
        self.act_export = a("Export…", "Ctrl+E", self.choose_export,
                            tip="Briefing product of the map as shown: PNG, PDF, SVG, HTML, "
                                "KML/KMZ, GeoJSON, CSV, CoT")
        self.act_reconnect = a("Reconnect", "F5", lambda: self.session.reconnect(),
                               tip="Connect again to the same server with the same token")
        self.act_quit = a("Quit", "Ctrl+Q", self.close)
        self.act_zoom = a("Zoom to selection", "Z", self.zoom_to_selection)
        self.act_goto = a("Go to coordinate…", "Ctrl+G", self.choose_goto,
                          tip="Centre the map on lat, lon or an MGRS reference")
        self.act_ruler = a("Range and bearing", "R", self.toggle_ruler, checkable=True,
                           tip="Drag on the map to measure distance (km, nm) and true bearing")
        self.act_night = a("Night theme", "Ctrl+N", lambda on: self.apply_theme(
            THEMES["night" if on else "day"]), checkable=True)
        self.act_play = a("Play / pause replay", "Space", self.play_pause)
        self.act_live = a("Live", "L", lambda: self.hub.set_live(True),
                          tip="Follow the clock (leave replay)")
        self.act_layers = {
            name: a(f"Toggle {name}", SHORTCUTS[name],
                    lambda _=False, n=name: self.hub.set_layer(n, not self.hub.layers[n]))
            for name in LAYERS
        }  # fmt: skip
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.act_import, self.act_export, self.act_screenshot, self.act_reconnect,
                    self.act_quit):  # fmt: skip
            file_menu.addAction(act)
        view_menu = bar.addMenu("&View")
        for act in (self.act_zoom, self.act_goto, self.act_ruler, self.act_night, self.act_play,
                    self.act_live):  # fmt: skip
            view_menu.addAction(act)
        view_menu.addSeparator()
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        layer_menu = bar.addMenu("&Layers")
        for act in self.act_layers.values():
            layer_menu.addAction(act)
        tools = QToolBar("Main", self)
        tools.setObjectName("toolbar-main")
        for act in (self.act_import, self.act_zoom, self.act_goto, self.act_ruler,
                    self.act_play, self.act_live, self.act_night):  # fmt: skip
            tools.addAction(act)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tools)
        self.toolbar = tools

    def _wire(self) -> None:
        s = self.session
        self.map.cursorMoved.connect(self.status.set_cursor)
        ruler = self.map_layers.get("ruler")
        if ruler is not None and hasattr(ruler, "measured"):  # the result, readable anywhere
            ruler.measured.connect(lambda text: self.status.showMessage(
                "Range and bearing: " + " · ".join(text.splitlines()) if text else "",
                0))  # fmt: skip
        self.tracks.refreshed.connect(lambda counts: self.status.set_counts(
            counts, self.tracks.model.newest_fix() if self._feeds_current() else None))
        self.map.viewChanged.connect(lambda _bbox: self.tracks.view_changed())
        s.stateChanged.connect(self._state_changed)
        s.cacheLoaded.connect(self._cache_loaded)
        s.rolesChanged.connect(self.reports.set_roles)
        s.alertsChanged.connect(self.alerts.set_alerts)
        self.alerts.countChanged.connect(self._alert_count)
        self.alerts.alertsUpdated.connect(self.map_layers["alerts"].set_alerts)
        if self.timeline is not None and hasattr(self.timeline, "set_alerts"):
            self.alerts.alertsUpdated.connect(self.timeline.set_alerts)
        self.alerts.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.alerts.set_post_ack(s.post_ack if s.client else None)
        s.stateChanged.connect(lambda _s: self.alerts.set_post_ack(
            s.post_ack if s.client else None))
        self._alert_count(0, 0)
        s.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.reports.post_transition = s.post_transition if s.client or s.server_url else None
        s.stateChanged.connect(lambda _s: setattr(self.reports, "post_transition",
                                                  s.post_transition if s.client else None))

    # ---- state -----------------------------------------------------------------------
    def _cache_loaded(self, data_time: float | None) -> None:
        """Show the cached picture at once, as it stood when it was saved."""
        if data_time is not None and not self.session.live:
            self.hub.set_live(False)
            self.hub.set_cursor(data_time)
            self._parked_at = data_time  # not the officer's replay: live once the link is up
            if self.timeline is not None:  # the saved picture's last hours, not today's
                self.timeline.set_x_range(data_time - 6 * 3600, data_time + 15 * 60)
        self.reports.refresh()
        self.tracks.refresh()
        self._update_banner()

    def _state_changed(self, state: str) -> None:
        self._alert_count(*self._alert_counts)  # the badge says when it is offline
        if self.session.live and not self.hub.live:
            # Only the cursor the window parked at the saved picture (offline start) goes
            # live with the link; an officer's replay stays where they put it, through a
            # reconnect or a network blip, as a QGIS or TAK time slider does.
            if self._parked_at is not None and self.hub.cursor == self._parked_at:
                self.hub.set_live(True)
                self.hub.set_cursor(now())
            else:
                self.status.showMessage("Link up: still replaying (L for live)", 8000)
        if self.session.live:
            self._parked_at = None
        self._update_banner()
        self._show_connection()

    def _show_connection(self) -> None:
        """The link's state, and (replaying or filtered) what the picture is, first: the
        status bar must not read LIVE over a picture from three hours ago."""
        s, hub = self.session, self.hub
        text = s.connection_text()
        # Offline at the saved picture's own time is what "OFFLINE — data as of" says.
        at_saved = (not s.live and s.data_time is not None
                    and abs(hub.cursor - s.data_time) < 60)  # fmt: skip
        replaying = not hub.live and not at_saved
        modes = [f"REPLAY {format_dtg(hub.cursor)}"] if replaying else []
        if hub.window is not None:
            modes.append("TIME FILTER")
        if modes:
            text = " · ".join([*modes, f"feed {text}"])
        warn = not (s.live or s.state == "local") or replaying or hub.window is not None
        self.status.set_connection(text, warn=warn)

    def _update_banner(self) -> None:
        text = self.session.banner_text()
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def _every_second(self) -> None:
        if self.hub.live:
            self.hub.set_cursor(now())
        else:
            self.mode_banner.refresh()  # its "(3 h ago)" moves on
        if self.banner.isVisible():
            self._update_banner()  # so does the offline banner's data age
        self._show_connection()
        self.status.refresh_counts(self._feeds_current())

    def _feeds_current(self) -> bool:
        """Live, unfiltered and linked: only then does a domain's quiet mean its feed."""
        return self.hub.live and self.hub.window is None and self.session.live

    def _alert_count(self, new: int, opened: int) -> None:
        """The badge: the dock's title and a status-bar label, both in words.

        Alerts are the server's: with no live link the counts are what it said last
        (dated), or unknown, never a reassuring "0 new" the window cannot know."""
        self._alert_counts = (new, opened)
        if self.session.live:
            self._alerts_as_of = now()
        self.docks["Alerts"].setWindowTitle(f"Alerts ({new})" if new else "Alerts")
        if self.session.live:
            text = f"ALERTS {new} new · {opened} open"
        elif self.session.state == "local":
            text = "ALERTS — no server"
        elif self._alerts_as_of is None:
            text = "ALERTS unknown (offline)"
        else:
            text = f"ALERTS {new} new · {opened} open (as of {format_dtg(self._alerts_as_of)})"
        self.alert_badge.setText(text)
        if self.session.live or self.session.state == "local":
            self.alert_badge.setStyleSheet("font-weight: bold; color: #E53935;" if new else "")
        else:  # not known to be current: the warning colour of the offline state
            self.alert_badge.setStyleSheet("font-weight: bold; color: #FFB300;")

    # ---- actions -----------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.map.setBackground(theme.map_background)
        for layer in [*self.map_layers.values(), self.timeline]:
            if layer is not None and hasattr(layer, "set_night"):
                layer.set_night(theme.is_night)
        self.act_night.blockSignals(True)
        self.act_night.setChecked(theme.is_night)
        self.act_night.blockSignals(False)

    def zoom_to_selection(self) -> bool:
        zoom = _optional("cop_app.ui.map.tracks", "zoom_to_selection")
        if zoom is not None and zoom(self.map, self.hub):
            return True
        with self.picture.lock:
            reps = [self.picture.report(i) for i in self.hub.selection]
        points = [(r.lat, r.lon) for r in reps if r is not None and r.has_position]
        if not points:
            return False
        self.map.center_on(points[0][0], points[0][1], span_km=20)
        return True

    def choose_goto(self) -> None:
        """Ask for a coordinate; a malformed one is asked again with the reason shown
        in the dialog (the status bar would cut it)."""
        from cop_app.ui.map.tools import GOTO_PROMPT

        prompt, text = GOTO_PROMPT, ""
        while True:
            text, ok = QInputDialog.getText(self, "Go to coordinate", prompt, text=text)
            if not ok or not text.strip():
                return
            error = self._go_to(text)
            if error is None:
                return
            prompt = f"Not a coordinate: {error}\n\n{GOTO_PROMPT}"

    def go_to(self, text: str) -> bool:
        """Centre on lat/lon (decimal or DMS) or MGRS; the status bar says where."""
        error = self._go_to(text)
        if error is not None:
            self.status.showMessage(f"Not a coordinate: {error}", 15000)
        return error is None

    def _go_to(self, text: str) -> str | None:
        from cop_app.ui.map.tools import go_to

        try:
            where = go_to(self.map, text, span_km=25)
        except ValueError as exc:
            return str(exc)
        self.status.showMessage(where, 15000)
        return None

    def toggle_ruler(self, on: bool) -> None:
        ruler = self.map_layers.get("ruler")
        if ruler is not None and hasattr(ruler, "set_active"):
            ruler.set_active(on)

    def play_pause(self) -> None:
        if self.timeline is None:
            return
        transport = getattr(self.timeline, "transport", None)
        playing = bool(getattr(transport, "playing", False)) if transport else False
        self.timeline.set_playing(not playing)

    def choose_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "cop.png", "PNG (*.png)")
        if path:
            self.save_screenshot(Path(path))

    def choose_export(self) -> Path | None:
        from cop_app.ui.snapshot_dialog import export_from_window

        # The product's own title (the dialog's default), not the window's.
        return export_from_window(self, self.hub, self.map, banner=self.handling.text())

    def save_screenshot(self, path: Path) -> bool:
        return self.grab().save(str(path), "PNG")

    # ---- import ------------------------------------------------------------------------
    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import captures", "", IMPORT_FILTER)
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: Sequence[Path], *, dialog: bool = True) -> TaskRunner:
        """Feed files through the ingest into the picture in a worker, with progress and
        cancel; the picture's own notifications redraw the views."""
        from cop_app.ingest.files import expand, feed_file
        from cop_app.ui.workers import TaskRunner

        picture, lock = self.picture, self.picture.lock
        extent = Extent()  # where the imported data lies, read once the import has ended

        def work(state: TaskState) -> list:
            files = list(expand(paths))
            results = []

            def sink(items: Any) -> None:
                state.check()
                items = list(items)
                extent.add(items)
                with lock:  # a file cannot set a verification status (as a feed cannot)
                    for u in items:
                        if isinstance(u, ReportUpdate):
                            u.fields = received_fields(u.fields,
                                                       known=picture.report(u.id) is not None)
                    picture.upsert_many(items)

            for i, path in enumerate(files):
                state.progress(i / max(len(files), 1), f"Reading {path.name}…")
                results.append(feed_file(path, "auto", sink, scope_report_ids=True))
                state.check()
            state.progress(1.0, "done")
            return results

        runner = TaskRunner(work, "import", self)
        queued = Qt.ConnectionType.QueuedConnection
        progress: QProgressDialog | None = None
        if dialog:
            progress = QProgressDialog("Importing…", "Cancel", 0, 1000, self)
            progress.setWindowTitle("Import")
            progress.setMinimumDuration(300)
            progress.canceled.connect(runner.cancel)
            runner.progressed.connect(
                lambda f, m: (progress.setValue(int(f * 1000)), progress.setLabelText(m)),
                queued)  # fmt: skip
        runner.finished.connect(lambda results: self._imported(results, progress, extent),
                                queued)  # fmt: skip
        runner.failed.connect(lambda e: self._import_ended(f"Import failed: {e}", progress),
                              queued)  # fmt: skip
        runner.cancelled.connect(lambda: self._import_ended("Import cancelled", progress),
                                 queued)  # fmt: skip
        self.import_task = runner.start()
        return runner

    def _imported(self, results: list, progress: QProgressDialog | None,
                  extent: Extent | None = None) -> None:  # fmt: skip
        ok = sum(r.stats.accepted for r in results)
        bad = sum(r.stats.rejected for r in results)
        problems = [f"{Path(r.path).name}: {r.problem}" for r in results if r.problem]
        text = (f"Imported {_counted(ok, 'update')} from {_counted(len(results), 'file')}, "
                f"{_counted(bad, 'error')}")
        first = extent.first_error if extent is not None else None
        if first is not None:
            text += f" (first: {first.location}: {first.reason})"
        if problems:
            text += "; " + "; ".join(problems[:3])
        times = extent.times() if extent is not None else None
        if not self.session.live:
            t = latest_time(self.picture)
            if t is not None:  # show the imported capture as it stood at its end
                self.hub.set_live(False)
                self.hub.set_cursor(t)
                self._parked_at = t
        elif times is not None and times[1] < now() - OLD_IMPORT_S:
            # Live, an old capture would be stale at once and draw nothing: replay it.
            self.hub.set_live(False)
            self.hub.set_cursor(times[1])
            text += (f" · dated {format_dtg(times[1])} ({format_age(now() - times[1])}): "
                     "replaying at its end, L for live")
        box = extent.bbox() if extent is not None else None
        if box is not None and not extent.any_inside(self.map.visible_bbox()):
            self.map.set_bbox(*padded(box))  # nothing of it was in view: go to it
            text += " · view moved to the imported data"
        self._import_ended(text, progress)

    def _import_ended(self, text: str, progress: QProgressDialog | None) -> None:
        if progress is not None:
            progress.reset()
            progress.hide()
        self.status.showMessage(text, 15000)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    # ---- settings ----------------------------------------------------------------------
    def _restore(self) -> None:
        geometry, state = self.settings.layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 1000)
        self._default_layout = state is None or not self.restoreState(state)
        bbox = self.settings.bbox
        if bbox is not None:
            self.map.set_bbox(*bbox)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._default_layout:  # first start: the map gets the room (docks size on show)
            self._default_layout = False
            QTimer.singleShot(0, self._size_docks)

    def _size_docks(self) -> None:
        width = self.width()
        self.resizeDocks([self.docks["Layers"], self.docks["Tracks"]],
                         [max(280, width // 6), max(380, width // 3.4)],
                         Qt.Orientation.Horizontal)  # fmt: skip
        # Details reads better than the layer list is long: give it most of the column.
        self.resizeDocks([self.docks["Layers"], self.docks["Details"]],
                         [max(220, self.height() // 4), max(360, self.height() // 2)],
                         Qt.Orientation.Vertical)  # fmt: skip
        if "Timeline" in self.docks:
            self.resizeDocks([self.docks["Timeline"]], [max(160, self.height() // 5)],
                             Qt.Orientation.Vertical)  # fmt: skip

    def save_settings(self) -> None:
        self.settings.set_layout(self.saveGeometry(), self.saveState())
        self.settings.bbox = self.map.visible_bbox()
        self.settings.layers = dict(self.hub.layers)
        self.settings.theme = self.theme.name
        self.settings.alert_sound = self.alerts.sound
        if self.session.server_url and self.remember_server:
            self.settings.server = self.session.server_url
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        if self.import_task is not None:
            self.import_task.cancel()
        self.tiles.close()
        self.hub.close()
        super().closeEvent(event)
