"""The timeline along the bottom of the window: counts over time, the cursor and the brush.

Two plots share one UTC axis: track fixes stacked by domain above, land reports stacked
by verification status below with one marker per report coloured by status and shaped by
event type (colour is never the only cue). Fixes outnumber reports a thousandfold, so one
shared y axis would flatten the reports to nothing. Both strips keep a readable height
and few y labels; their key is in the transport header, not over the bars.

The widget only reads the Picture and sets the hub: the window brush sets
``hub.set_window``, the cursor ``hub.set_cursor``; the map draws ``Picture.as_of`` at
the hub's cursor. Bins follow the zoom (``core.bins``), so zooming in shows finer bins.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cop_app.api.records import wire_time
from cop_app.core import timeutil
from cop_app.core.archive import merge_spans, uncovered
from cop_app.core.bins import nice_bin, stack, stacked_counts
from cop_app.core.picture import Picture
from cop_app.core.style import HATCHED, HIDDEN_BY_DEFAULT, status_colour
from cop_app.ui.hub import Hub
from cop_app.ui.panels import alert_rows as ar
from cop_app.ui.timeline.axis import UtcAxis
from cop_app.ui.timeline.data import (
    EVENT_SERIES,
    REPORT_SERIES,
    TRACK_SERIES,
    TimelineData,
    pull,
    with_statuses,
)
from cop_app.ui.timeline.transport import Transport

FONT_PT = 11  # UX.md: legible from 2 m
BAR_PX = 7  # target pixels per bin: bins follow the zoom through this
DOMAIN_COLOURS = {"air": "#6FA8DC", "sea": "#4DB6AC"}
# Report bars stack by verification status in the status palette (UX.md: colour by status,
# shape by event type, one palette across map, timeline and tables), so a bar and the
# markers on it read the same as the map symbols and the Reports legend. A bar is the
# status colour blended this far towards the background: the full-colour, outlined
# markers stand out on it, and at night the bars are dimmer than the markers (UX.md).
# Event type is the marker's shape only: type colours would compete with the statuses.
BAR_STRENGTH = 0.6
TYPE_SYMBOLS = dict(zip(EVENT_SERIES, (
    "star", "t1", "h", "d", "s", "p", "x", "t", "o"), strict=True))  # fmt: skip
# Plot heights (view pixels) below which counts stop being readable: the fixes strip
# keeps room for two or three labels at 11 pt, the reports strip for a few 13 px markers.
FIXES_MIN_PX = 60
REPORTS_MIN_PX = 64
LABEL_GAP_PX = 26  # y label centres this far apart read easily (11 pt text is ~17 px)
# Space above the tallest bar: the alert lane in the fixes strip (15 px markers), and
# in both at least half a label, so the top count label is never cut at the plot edge.
HEADROOM_PX = {"fixes": 20.0, "reports": 10.0}
THEMES = {
    False: {"bg": "#F4F4F2", "fg": "#202020", "cursor": "#D32F2F", "brush": (33, 150, 243, 50)},
    True: {"bg": "#26292C", "fg": "#D0D0D0", "cursor": "#FF6E6E", "brush": (100, 181, 246, 45)},
}


_SHOWN_STATUSES = frozenset(REPORT_SERIES) - HIDDEN_BY_DEFAULT


class _TimeViewBox(pg.ViewBox):
    """x-only pan and zoom; shift-drag brushes a window, a click moves the cursor."""

    brushed = Signal(float, float, bool)  # t0, t1, finished
    clicked = Signal(float)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.MouseButton.LeftButton and (
            ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            ev.accept()
            a = self.mapSceneToView(ev.buttonDownScenePos()).x()
            b = self.mapSceneToView(ev.scenePos()).x()
            self.brushed.emit(min(a, b), max(a, b), bool(ev.isFinish()))
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(self.mapSceneToView(ev.scenePos()).x())
            return
        super().mouseClickEvent(ev)


class TimelineView(QWidget):
    """Counts over time with the hub's cursor and window; transport controls above."""

    history_requested = Signal(float, float)  # (t0, t1) older than the local data

    def __init__(self, hub: Hub, picture: Picture, parent: QWidget | None = None, *,
                 clock: Callable[[], float] = timeutil.now) -> None:  # fmt: skip
        super().__init__(parent)
        self.hub = hub
        self.picture = picture
        self.clock = clock
        self.show_hidden = False
        self.data = TimelineData()
        self.bin_s = 60.0
        self.edges = np.zeros(1)
        self.counts: dict[str, np.ndarray] = {}
        self._marker_xy = np.zeros((0, 2))
        # Before this time the local picture is not complete (the window sets it to
        # when the live sync began); None: the oldest local data.
        self.history_floor: float | None = None
        self._asked: list[tuple[float, float]] = []
        self._syncing = False

        self.transport = Transport(self, domain_colours=DOMAIN_COLOURS, statuses=tuple(
            s for s in REPORT_SERIES if s in _SHOWN_STATUSES))  # fmt: skip
        self.graphics = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.transport)
        layout.addWidget(self.graphics, 1)
        self._build_plots()
        self._wire()
        self.set_night(False)
        now = clock()
        if hub.live or hub.cursor == 0.0:
            hub.set_cursor(now)
        self.set_x_range(now - 6 * 3600, now + 15 * 60)
        self.refresh()
        self._show_cursor(hub.cursor)  # the header even when the hub's cursor did not move

    # ---- construction --------------------------------------------------------------
    def _build_plots(self) -> None:
        font = self._font = QFont()
        font.setPointSizeF(FONT_PT)
        self.axis = UtcAxis("bottom")
        self.track_plot = self.graphics.addPlot(row=0, col=0, viewBox=_TimeViewBox())
        self.report_plot = self.graphics.addPlot(
            row=1, col=0, viewBox=_TimeViewBox(), axisItems={"bottom": self.axis})
        self.track_plot.setXLink(self.report_plot)
        self.track_plot.hideAxis("bottom")
        grid = self.graphics.ci.layout
        grid.setRowStretchFactor(0, 2)
        grid.setRowStretchFactor(1, 3)
        self.plots = (self.track_plot, self.report_plot)
        self._tops = {self.track_plot: 1, self.report_plot: 1}  # tallest stacked bar
        self.track_bars = {s: pg.BarGraphItem(x0=[], width=1, height=[], name=s.upper(),
                                              brush=DOMAIN_COLOURS[s], pen=None)
                           for s in TRACK_SERIES}  # fmt: skip
        self.report_bars = {s: pg.BarGraphItem(x0=[], width=1, height=[], name=s, pen=None)
                            for s in REPORT_SERIES}  # fmt: skip
        self.markers = pg.ScatterPlotItem(size=13, pxMode=True)
        # Alerts along the top of the fixes plot: severity colour and shape (alert_rows).
        self.alert_markers = pg.ScatterPlotItem(size=15, pxMode=True)
        self.alert_markers.setZValue(15)
        self._alerts: list[dict] = []
        self._alert_xy: dict[str, tuple[float, float]] = {}
        self.regions, self.cursor_lines = [], []
        for plot, bars in ((self.track_plot, self.track_bars),
                           (self.report_plot, self.report_bars)):  # fmt: skip
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=False, alpha=0.25)
            plot.getAxis("left").setWidth(64)
            for ax in ("left", "bottom"):
                plot.getAxis(ax).setStyle(tickFont=font)
            for item in bars.values():
                plot.addItem(item)
            region = pg.LinearRegionItem(movable=True, swapMode="sort")
            region.setZValue(-5)
            region.hide()
            plot.addItem(region, ignoreBounds=True)
            line = pg.InfiniteLine(angle=90, movable=True)
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.regions.append(region)
            self.cursor_lines.append(line)
        self.report_plot.addItem(self.markers)
        self.track_plot.addItem(self.alert_markers)
        self.track_plot.setLabel("left", "fixes", **{"font-size": f"{FONT_PT}pt"})
        self.report_plot.setLabel("left", "reports", **{"font-size": f"{FONT_PT}pt"})
        self.report_plot.vb.setToolTip(self.transport.key.toolTip())
        # The key is in the transport header: a legend inside the plot covered the bars.
        self._keep_plot_heights()
        self.region = self.regions[1]
        self.cursor_line = self.cursor_lines[1]

    def _wire(self) -> None:
        hub = self.hub
        hub.cursorChanged.connect(self._show_cursor)
        hub.cursorChanged.connect(self._cursor_moved)
        hub.windowChanged.connect(self._show_window)
        hub.liveChanged.connect(self._live_changed)
        hub.pictureChanged.connect(lambda _change: self._mark_dirty())
        self._refresh_timer = _single_shot(self, 1000, self.refresh)  # coalesce updates
        # Replaying, report colours follow the cursor: at most 4 re-reads a second (the
        # timer is not restarted, so a steady replay cannot starve it).
        self._status_timer = _single_shot(self, 250, self._restatus)
        self._window_timer = _single_shot(self, 60, self._emit_window)
        self._history_timer = _single_shot(self, 300, self._check_history)
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(1000)
        self._live_timer.timeout.connect(self._live_tick)
        self._live_timer.start()
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(50)
        self._play_timer.timeout.connect(self._play_tick)
        self._play_last = 0.0
        self.report_plot.vb.sigXRangeChanged.connect(self._range_changed)
        for region in self.regions:
            region.sigRegionChanged.connect(self._region_moved)
        for line in self.cursor_lines:
            line.sigDragged.connect(self._line_dragged)
        for plot in self.plots:
            plot.vb.brushed.connect(self._brushed)
            plot.vb.clicked.connect(self._clicked)
        t = self.transport
        t.live.toggled.connect(self._live_toggled)
        t.play.toggled.connect(self.set_playing)
        t.back.clicked.connect(lambda: self.step(-1))
        t.forward.clicked.connect(lambda: self.step(+1))
        t.clear_window.clicked.connect(lambda: self.hub.set_window(None))
        t.live.setChecked(hub.live)

    # ---- public -------------------------------------------------------------------
    @property
    def speed(self) -> float:
        return self.transport.speed()

    def set_speed(self, speed: float) -> None:
        self.transport.set_speed(speed)

    def set_x_range(self, t0: float, t1: float) -> None:
        self.report_plot.vb.setXRange(t0, t1, padding=0)

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.report_plot.vb.viewRange()
        return float(x0), float(x1)

    def refresh(self) -> None:
        """Pull the Picture's arrays again and rebin."""
        self.data = pull(self.picture, show_hidden=self.show_hidden, at=self.status_time())
        self.rebin()
        self._history_timer.start()

    def status_time(self) -> float | None:
        """When report statuses are read: the replay cursor; None live (the latest)."""
        return None if self.hub.live else self.hub.cursor

    def _cursor_moved(self, _t: float) -> None:
        if not self.hub.live and not self._status_timer.isActive():
            self._status_timer.start()

    def _restatus(self) -> None:
        """Re-read the reports' statuses at the cursor; rebin only when one changed."""
        data = with_statuses(self.data, self.status_time(), show_hidden=self.show_hidden)
        if (data.report_ids, data.report_status) != (self.data.report_ids,
                                                     self.data.report_status):  # fmt: skip
            self.data = data
            self.rebin()

    def rebin(self) -> None:
        """Recount the visible range in bins that suit the zoom; redraw bars and markers."""
        x0, x1 = self.x_range()
        width_px = max(self.report_plot.vb.width(), 100.0)
        self.bin_s = nice_bin(x1 - x0, int(width_px / BAR_PX))
        edges, tracks = stacked_counts(self.data.fixes, x0, x1, self.bin_s)
        _, reports = stacked_counts(self.data.reports_by_status(), x0, x1, self.bin_s)
        self.edges = edges
        self.counts = {**tracks, **reports}
        self._draw_bars(self.track_plot, self.track_bars, tracks, edges)
        self._draw_bars(self.report_plot, self.report_bars, reports, edges)
        self._draw_markers(reports, edges)
        self._draw_alerts()

    def set_playing(self, playing: bool) -> None:
        if playing:
            self.hub.set_live(False)
            self._play_last = time.monotonic()
            self._play_timer.start()
        else:
            self._play_timer.stop()
        if self.transport.play.isChecked() != playing:
            self.transport.play.setChecked(playing)

    def step(self, n: int) -> None:
        """Move the cursor by ``n`` bins (replay)."""
        self.hub.set_live(False)
        self.hub.set_cursor(self.hub.cursor + n * self.bin_s)

    def set_night(self, night: bool) -> None:
        theme = THEMES[bool(night)]
        self.graphics.setBackground(theme["bg"])
        for plot in self.plots:
            for ax in ("left", "bottom"):
                plot.getAxis(ax).setPen(theme["fg"])
                plot.getAxis(ax).setTextPen(theme["fg"])
        for line in self.cursor_lines:
            line.setPen(pg.mkPen(theme["cursor"], width=2))
            line.setHoverPen(pg.mkPen(theme["cursor"], width=4))
        for region in self.regions:
            region.setBrush(QColor(*theme["brush"]))
            for edge in region.lines:
                edge.setPen(pg.mkPen(theme["fg"], width=1))
                edge.setHoverPen(pg.mkPen(theme["fg"], width=3))
        for status, bar in self.report_bars.items():
            bar.setOpts(brush=bar_brush(status, theme["bg"]))
        self.transport.set_night(night)

    def marker_point(self, report_id: str) -> QPoint | None:
        """Where a report's marker is drawn, in this widget's pixels (tests, tooltips)."""
        try:
            i = self.data.report_ids.index(report_id)
        except ValueError:
            return None
        x, y = self._marker_xy[i]
        if not np.isfinite(y):
            return None
        return self.to_widget(self.report_plot, float(x), float(y))

    def set_alerts(self, alerts: list[dict]) -> None:
        """Alert records (as /v1/alerts serves them): one marker each at its time."""
        self._alerts = list(alerts)
        self._draw_alerts()

    def alert_point(self, alert_id: str) -> QPoint | None:
        """Where an alert's marker is drawn, in this widget's pixels (tests, tooltips)."""
        xy = self._alert_xy.get(alert_id)
        return None if xy is None else self.to_widget(self.track_plot, *xy)

    def time_to_x(self, t: float) -> int:
        """The widget x pixel of time ``t`` (tests, tools)."""
        return self.to_widget(self.report_plot, t, 0.0).x()

    def x_span_per_px(self) -> float:
        """Seconds per pixel at the current zoom."""
        x0, x1 = self.x_range()
        return (x1 - x0) / max(self.report_plot.vb.width(), 1.0)

    # ---- drawing ------------------------------------------------------------------
    def _draw_bars(self, plot, bars: dict[str, pg.BarGraphItem], counts: dict[str, np.ndarray],
                   edges: np.ndarray) -> None:  # fmt: skip
        x0 = edges[:-1]
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        top = 1
        for name, (bottom, upper) in stack(counts).items():
            keep = upper > bottom
            bars[name].setOpts(x0=x0[keep], y0=bottom[keep], height=(upper - bottom)[keep],
                               width=width)  # fmt: skip
            top = max(top, int(upper.max(initial=0)))
        self._tops[plot] = top
        self._fit_y(plot)

    def _fit_y(self, plot: pg.PlotItem) -> None:
        """The y range and labels for the plot's pixel height: whole counts, at most
        three labels LABEL_GAP_PX apart, and HEADROOM_PX above the tallest bar."""
        name = "fixes" if plot is self.track_plot else "reports"
        h = max(plot.vb.height(), FIXES_MIN_PX if name == "fixes" else REPORTS_MIN_PX)
        room = h - HEADROOM_PX[name]
        top = self._tops[plot]
        plot.vb.setYRange(0, top * h / room, padding=0)
        # Explicit ticks: with a spacing, a multiple of it in the headroom (the alert
        # lane) would be labelled too.
        plot.getAxis("left").setTicks([[(v, str(v)) for v in y_ticks(top, room)], []])

    def _keep_plot_heights(self) -> None:
        """Never squeeze the strips below readable heights (the dock grows instead), and
        re-fit the y labels whenever a strip changes height."""
        # From constants only: asking the layout or the axis for its metrics while the
        # window is being built crashed Qt's grid layout (QGridLayoutEngine::fillRowData).
        axis_px = QFontMetricsF(self._font).height() + 16  # tick text, ticks, offset
        layout = self.graphics.ci.layout
        layout.setRowMinimumHeight(0, FIXES_MIN_PX)
        layout.setRowMinimumHeight(1, REPORTS_MIN_PX + axis_px)
        self.graphics.setMinimumHeight(int(FIXES_MIN_PX + REPORTS_MIN_PX + axis_px + 12))
        # Deferred: fitting inside the layout pass that resized the strip re-enters it.
        self._refit_timer = _single_shot(self, 0, self._refit)
        for plot in self.plots:
            plot.vb.sigResized.connect(lambda _vb: self._refit_timer.start())

    def _refit(self) -> None:
        for plot in self.plots:
            self._fit_y(plot)
        self._draw_alerts()

    def _draw_markers(self, reports: dict[str, np.ndarray], edges: np.ndarray) -> None:
        """One marker per report, centred in its own unit of its type's stacked bar."""
        d = self.data
        n = len(d.report_t)
        xy = np.full((n, 2), np.nan)
        if n and len(edges) > 1:
            bins = np.floor((d.report_t - edges[0]) / self.bin_s).astype(np.intp)
            inside = np.flatnonzero((bins >= 0) & (bins < len(edges) - 1))
            bottoms = np.stack([b for b, _ in stack(reports).values()])  # status x bin
            series = d.report_series
            order = inside[np.lexsort((d.report_t[inside], series[inside], bins[inside]))]
            group = bins[order] * len(REPORT_SERIES) + series[order]
            starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
            rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
            xy[order, 0] = edges[bins[order]] + self.bin_s / 2
            xy[order, 1] = bottoms[series[order], bins[order]] + rank + 0.5
        self._marker_xy = xy
        shown = np.flatnonzero(np.isfinite(xy[:, 1]))
        self.markers.setData(
            x=xy[shown, 0], y=xy[shown, 1], data=[d.report_ids[i] for i in shown],
            brush=[pg.mkBrush(status_colour(d.report_status[i])) for i in shown],
            symbol=[TYPE_SYMBOLS[EVENT_SERIES[d.report_type[i]]] for i in shown],
            pen=pg.mkPen("#202020", width=1),
        )  # fmt: skip

    def _draw_alerts(self) -> None:
        _, (_y0, y1) = self.track_plot.vb.viewRange()
        y = (self._tops[self.track_plot] + y1) / 2  # in the lane _fit_y leaves over the bars
        shown = [(a, t) for a in self._alerts if (t := wire_time(a.get("time"))) is not None]
        self._alert_xy = {str(a.get("id")): (t, y) for a, t in shown}
        sev = [ar.severity(a) for a, _ in shown]
        self.alert_markers.setData(
            x=[t for _, t in shown], y=[y] * len(shown), data=[str(a.get("id")) for a, _ in shown],
            brush=[pg.mkBrush(ar.SEVERITY_COLOURS.get(s, "#E53935")) for s in sev],
            symbol=[ar.SEVERITY_SYMBOLS.get(s, "o") for s in sev],
            pen=pg.mkPen("#202020", width=1),
        )  # fmt: skip

    def to_widget(self, plot: pg.PlotItem, x: float, y: float) -> QPoint:
        """Widget pixels of (time, count) in ``plot`` (tests sample grabs there)."""
        scene = plot.vb.mapViewToScene(QPointF(x, y))
        return self.graphics.mapTo(self, self.graphics.mapFromScene(scene))

    # ---- hub -> view ---------------------------------------------------------------
    def _show_cursor(self, t: float) -> None:
        self._syncing = True
        try:
            for line in self.cursor_lines:
                line.setValue(t)
        finally:
            self._syncing = False
        self.transport.show_time(t, live=self.hub.live, now=self.clock())

    def _show_window(self, window: tuple[float, float] | None) -> None:
        self._syncing = True
        try:
            for region in self.regions:
                region.setVisible(window is not None)
                if window is not None:
                    region.setRegion(window)
        finally:
            self._syncing = False
        self.transport.clear_window.setEnabled(window is not None)

    def _live_changed(self, live: bool) -> None:
        self._restatus()
        if live:
            self.set_playing(False)
            self._live_tick()
        if self.transport.live.isChecked() != live:
            self.transport.live.setChecked(live)
        self.transport.show_time(self.hub.cursor, live=live, now=self.clock())

    # ---- user -> hub ---------------------------------------------------------------
    def _live_toggled(self, on: bool) -> None:
        self.hub.set_live(on)

    def _live_tick(self) -> None:
        if not self.hub.live:
            return
        before = self.hub.cursor
        now = self.clock()
        x0, x1 = self.x_range()
        self.hub.set_cursor(now)
        if x0 <= before <= x1 < now:  # keep "now" in view as the clock runs on
            self.set_x_range(x0 + now - x1 + self.bin_s, now + self.bin_s)

    def _play_tick(self) -> None:
        now_m = time.monotonic()
        elapsed, self._play_last = now_m - self._play_last, now_m
        t = self.hub.cursor + elapsed * self.speed
        if t >= self.clock():  # caught up with the present: hand over to live
            self.set_playing(False)
            self.hub.set_live(True)
            return
        self.hub.set_cursor(t)

    def _line_dragged(self, line: pg.InfiniteLine) -> None:
        if self._syncing:
            return
        self.hub.set_live(False)
        self.hub.set_cursor(float(line.value()))

    def _clicked(self, t: float) -> None:
        self.hub.set_live(False)
        self.hub.set_cursor(t)

    def _region_moved(self, region: pg.LinearRegionItem) -> None:
        if self._syncing or not region.isVisible():
            return
        self._pending_window = tuple(float(v) for v in region.getRegion())
        self._syncing = True
        try:
            for other in self.regions:
                if other is not region:
                    other.setRegion(self._pending_window)
        finally:
            self._syncing = False
        self._window_timer.start()

    def _brushed(self, t0: float, t1: float, finished: bool) -> None:
        for region in self.regions:
            region.setVisible(True)
        self.regions[0].setRegion((t0, t1))  # syncs the other and sets the hub (empty: None)

    def _emit_window(self) -> None:
        t0, t1 = self._pending_window
        self.hub.set_window((t0, t1) if t1 > t0 else None)

    def _range_changed(self) -> None:
        self.rebin()
        self._history_timer.start()

    def _mark_dirty(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _check_history(self) -> None:
        """Ask once for each stretch in view that lies before the complete local data
        and is neither archived nor asked for already."""
        x0, x1 = self.x_range()
        floor = self.history_floor if self.history_floor is not None else self.data.earliest()
        end = min(x1, floor)
        if x0 >= end:
            return
        todo = [part for a, b in self.picture.archive.missing(x0, end)
                for part in uncovered(a, b, self._asked)]  # fmt: skip
        if todo:
            t0, t1 = todo[0][0], todo[-1][1]
            self._asked = merge_spans([*self._asked, (t0, t1)])
            self.history_requested.emit(t0, t1)

    def forget_history_requests(self) -> None:
        """Ask again for what was asked before (the fetch failed, or the server is back)."""
        self._asked = []
        self._history_timer.start()

    def closeEvent(self, event):
        for timer in (self._live_timer, self._play_timer, self._refresh_timer,
                      self._status_timer):  # fmt: skip
            timer.stop()
        super().closeEvent(event)


def y_ticks(top: int, room_px: float) -> list[int]:
    """The y labels for bars up to ``top`` drawn ``room_px`` tall: 0 and one or two whole,
    round counts (1, 2 or 5 times a power of ten) no higher than ``top``, at least
    LABEL_GAP_PX apart; on a strip too short for that, 0 and the largest round count."""
    top = max(1, top)
    step = best = 1
    while step <= top:
        if top // step <= 2 and room_px * step / top >= LABEL_GAP_PX:
            return list(range(0, top // step * step + 1, step))
        best, step = step, int(nice_number(step + 1))
    return [0, best]


def bar_brush(status: str, background: str) -> QBrush:
    """The status colour blended towards the background; unverifiable hatched (UX.md)."""
    c, bg = QColor(status_colour(status)), QColor(background)
    tint = QColor(*(round(BAR_STRENGTH * a + (1 - BAR_STRENGTH) * b)
                    for a, b in zip(c.getRgb()[:3], bg.getRgb()[:3], strict=True)))  # fmt: skip
    if status not in HATCHED:
        return QBrush(tint)
    tile = QPixmap(8, 8)
    tile.fill(tint)
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(c.darker(150), 1.5))
    painter.drawLine(0, 8, 8, 0)
    painter.end()
    return QBrush(tile)


def nice_number(x: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``x`` (axis steps)."""
    if x <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)


def _single_shot(parent: QWidget, ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer
