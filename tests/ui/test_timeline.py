"""The timeline as an officer sees it: UTC labels, brush, markers, replay, live, bins."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from cop_app.core.bins import NICE_BINS_S
from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.style import STATUS_COLOURS
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.timeline import TimelineView
from cop_app.ui.timeline.view import DOMAIN_COLOURS

# 26 Nov 2026 15:30Z: in Kathmandu (+05:45, the suite's zone) it is 21:15 local.
T1530 = datetime(2026, 11, 26, 15, 30, tzinfo=UTC).timestamp()
HOUR = 3600.0


def _picture() -> Picture:
    return Picture(history_points=400, history_seconds=3 * 86400)


@pytest.fixture
def make_view(qtbot):
    made = []

    def make(picture: Picture | None = None, *, now: float = T1530, clock=None,
             size=(1200, 300)) -> TimelineView:  # fmt: skip
        picture = _picture() if picture is None else picture
        hub = Hub(picture)
        view = TimelineView(hub, picture, clock=clock or (lambda: now))
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        made.append(hub)
        return view

    yield make
    for hub in made:
        hub.close()


def _settle(qtbot, view: TimelineView) -> None:
    """Until the layout has settled: two readings of the plot's place and scale 50 ms
    apart agree (a loaded machine lays the view out later than a fixed wait allows)."""
    def reading() -> tuple:
        r = view.report_plot.vb.sceneBoundingRect()
        return (r.x(), r.y(), r.width(), r.height(), view.time_to_x(T1530),
                view.time_to_x(T1530 - 3 * HOUR))

    previous: list[tuple | None] = [None]

    def steady() -> bool:
        qtbot.wait(50)
        current = reading()
        same, previous[0] = current == previous[0], current
        return same

    qtbot.wait(50)
    view.rebin()
    qtbot.waitUntil(steady, timeout=10_000)


def _drawn_axis_labels(view: TimelineView) -> list[tuple[float, str]]:
    """The tick texts the bottom axis paints, with the x pixel of each text's centre."""
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    try:
        _, _, texts = view.axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    out = []
    for rect, _flags, text in texts:
        scene = view.axis.mapToScene(rect.center())
        out.append((view.graphics.mapFromScene(scene).x(), text))
    return out


def test_axis_labels_read_utc_not_local_time(make_view, qtbot):
    view = make_view()
    view.set_x_range(T1530 - 2 * HOUR, T1530 + 2 * HOUR)
    _settle(qtbot, view)
    labels = _drawn_axis_labels(view)
    texts = [t for _, t in labels]
    # DTG without month/year (UX.md: DDHHMMZ): 15:30Z reads 261530Z, never 262115.
    assert "261530Z" in texts, texts
    assert not any("2115" in t for t in texts)
    # Ticks fall on whole UTC half-hours or hours, not on Kathmandu's xx:15 / xx:45.
    assert all(t[4:6] in ("00", "30") for t in texts), texts
    # The 15:30Z label is drawn where 15:30Z is on the plot.
    x = next(px for px, t in labels if t == "261530Z")
    assert abs(x - view.graphics.mapFrom(view, QPoint(view.time_to_x(T1530), 0)).x()) < 3


def test_axis_shows_the_date_at_midnight_and_when_zoomed_out(make_view, qtbot):
    view = make_view()
    midnight = datetime(2026, 11, 27, tzinfo=UTC).timestamp()
    view.set_x_range(midnight - 3 * HOUR, midnight + 3 * HOUR)
    _settle(qtbot, view)
    assert "27NOV26" in [t for _, t in _drawn_axis_labels(view)]
    view.set_x_range(midnight - 10 * 86400, midnight + 10 * 86400)
    _settle(qtbot, view)
    texts = [t for _, t in _drawn_axis_labels(view)]
    assert texts and all(t.endswith("NOV26") or t.endswith("DEC26") for t in texts), texts


def test_brushing_sets_and_clearing_unsets_the_hub_window(make_view, qtbot):
    view = make_view()
    _settle(qtbot, view)
    a, b = T1530 - 2 * HOUR, T1530 - HOUR
    region = view.region
    region.show()
    region.setRegion((b, a))  # as a drag leaves it: either end first
    qtbot.waitUntil(lambda: view.hub.window is not None, timeout=2000)
    assert view.hub.window == pytest.approx((a, b))
    assert view.regions[0].getRegion() == pytest.approx((a, b))  # both plots show it
    qtbot.mouseClick(view.transport.clear_window, Qt.MouseButton.LeftButton)
    assert view.hub.window is None
    assert not region.isVisible()


def test_shift_drag_on_the_plot_brushes_a_window(make_view, qtbot):
    view = make_view()
    _settle(qtbot, view)
    vb = view.report_plot.vb
    y = vb.sceneBoundingRect().center().y()
    x0, x1 = view.time_to_x(T1530 - 3 * HOUR), view.time_to_x(T1530 - HOUR)
    viewport = view.graphics.viewport()
    start = view.graphics.mapFrom(view, QPoint(x0, 0))
    start.setY(int(y))
    end = QPoint(view.graphics.mapFrom(view, QPoint(x1, 0)).x(), int(y))
    shift = Qt.KeyboardModifier.ShiftModifier
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(viewport, left, shift, start)
    for k in range(1, 11):
        p = start + (end - start) * (k / 10)
        _send_move(viewport, p, left, shift)
        qtbot.wait(5)
    qtbot.mouseRelease(viewport, left, shift, end)
    qtbot.waitUntil(lambda: view.hub.window is not None, timeout=2000)
    t0, t1 = view.hub.window
    assert t0 == pytest.approx(T1530 - 3 * HOUR, abs=view.x_span_per_px() * 3)
    assert t1 == pytest.approx(T1530 - HOUR, abs=view.x_span_per_px() * 3)


def _send_move(widget, pos: QPoint, button, modifiers) -> None:
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    ev = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                     Qt.MouseButton.NoButton, button, modifiers)  # fmt: skip
    QApplication.sendEvent(widget, ev)


def _near(c: QColor, hex_colour: str, tol: int = 12) -> bool:
    e = QColor(hex_colour)
    return max(abs(c.red() - e.red()), abs(c.green() - e.green()), abs(c.blue() - e.blue())) <= tol


def test_report_markers_carry_the_status_colours(make_view, qtbot):
    pic = _picture()
    statuses = ["reported", "triaged", "under_verification", "corroborated", "verified"]
    pic.upsert_many(
        ReportUpdate(id=f"r-{s}", source="test", time=T1530 - (k + 1) * HOUR, lat=48.0,
                     lon=37.0, fields={"event_type": "other", "status": s})
        for k, s in enumerate(statuses)
    )  # fmt: skip
    view = make_view(pic)
    view.set_x_range(T1530 - 6 * HOUR, T1530)
    _settle(qtbot, view)
    img = view.grab().toImage()
    for s in statuses:
        p = view.marker_point(f"r-{s}")
        assert p is not None
        colour = img.pixelColor(p * img.devicePixelRatio())
        assert _near(colour, STATUS_COLOURS[s]), (s, colour.name(), STATUS_COLOURS[s])


def test_hidden_statuses_are_not_drawn_by_default(make_view, qtbot):
    pic = _picture()
    pic.upsert(ReportUpdate(id="gone", source="t", time=T1530 - HOUR, lat=48.0, lon=37.0,
                            fields={"status": "retracted"}))  # fmt: skip
    view = make_view(pic)
    _settle(qtbot, view)
    assert view.marker_point("gone") is None
    assert sum(int(c.sum()) for k, c in view.counts.items() if k not in ("air", "sea")) == 0


def test_play_at_60x_advances_the_cursor_60_times_the_elapsed_time(make_view, qtbot):
    view = make_view()
    hub = view.hub
    hub.set_live(False)
    hub.set_cursor(T1530 - 3 * HOUR)
    view.set_speed(60)
    start_t, start = hub.cursor, time.monotonic()
    qtbot.mouseClick(view.transport.play, Qt.MouseButton.LeftButton)
    qtbot.wait(1000)
    qtbot.mouseClick(view.transport.play, Qt.MouseButton.LeftButton)  # pause
    elapsed = time.monotonic() - start
    advanced = hub.cursor - start_t
    # The cursor moves 60 s per second of wall clock, up to its last tick before the
    # pause (a loaded machine delays ticks: the lower bound only rules out 1x or none).
    assert 0.5 * 60 * elapsed <= advanced <= 1.05 * 60 * elapsed, (advanced, elapsed)
    paused_at = hub.cursor
    qtbot.wait(300)
    assert hub.cursor == paused_at
    assert view.cursor_line.value() == pytest.approx(paused_at)


def test_step_moves_the_cursor_by_one_bin(make_view, qtbot):
    view = make_view()
    view.set_x_range(T1530 - 6 * HOUR, T1530)
    _settle(qtbot, view)
    assert view.bin_s in NICE_BINS_S
    before = view.hub.cursor
    qtbot.mouseClick(view.transport.forward, Qt.MouseButton.LeftButton)
    assert view.hub.cursor == pytest.approx(before + view.bin_s)
    assert not view.hub.live  # stepping is replay
    qtbot.mouseClick(view.transport.back, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.transport.back, Qt.MouseButton.LeftButton)
    assert view.hub.cursor == pytest.approx(before - view.bin_s)


def test_live_mode_follows_the_clock(make_view, qtbot):
    clock = [T1530]
    view = make_view(clock=lambda: clock[0])
    hub = view.hub
    hub.set_live(False)
    hub.set_cursor(T1530 - 5 * HOUR)
    qtbot.mouseClick(view.transport.live, Qt.MouseButton.LeftButton)
    assert hub.live and hub.cursor == T1530
    # UX.md: DDHHMMZMONYY; 15:30Z on 26 Nov 2026.
    assert view.transport.dtg.text() == "261530ZNOV26"
    assert view.transport.mode.text() == "LIVE"
    clock[0] = T1530 + 7
    qtbot.waitUntil(lambda: hub.cursor == T1530 + 7, timeout=2500)
    assert view.cursor_line.value() == pytest.approx(T1530 + 7)


def test_bins_get_finer_when_zoomed_in(make_view, qtbot):
    pic = _picture()
    rng = np.random.default_rng(7)
    times = np.sort(T1530 - rng.uniform(0, 24 * HOUR, 300))
    pic.upsert_many(TrackUpdate(Domain.AIR, "icao:abc123", "t", float(t), 48.0, 37.0)
                    for t in times)  # fmt: skip
    view = make_view(pic)
    view.set_x_range(T1530 - 24 * HOUR, T1530)
    _settle(qtbot, view)
    wide = view.bin_s
    view.set_x_range(T1530 - HOUR, T1530)
    _settle(qtbot, view)
    assert view.bin_s < wide
    in_view = np.count_nonzero(times >= view.edges[0])
    assert int(view.counts["air"].sum()) == in_view


def test_stacked_bar_heights_match_counts_made_here(make_view, qtbot):
    pic = _picture()
    t0 = T1530 - 6.5 * HOUR  # 09:00Z: a whole multiple of every nice bin up to an hour
    air = [t0 + 60, t0 + 1200, t0 + 3000, t0 + 2 * HOUR + 10]
    sea = [t0 + 30, t0 + 90, t0 + 100, *(t0 + 3 * HOUR + m * 600 for m in range(4))]
    pic.upsert_many(
        [TrackUpdate(Domain.AIR, f"icao:{k:06x}", "t", t, 48.0, 37.0) for k, t in enumerate(air)]
        + [TrackUpdate(Domain.SEA, f"mmsi:{k:09d}", "t", t, 44.0, 31.0) for k, t in enumerate(sea)]
    )  # fmt: skip
    view = make_view(pic)
    view.set_x_range(t0, t0 + 6 * HOUR)
    _settle(qtbot, view)
    w = view.bin_s
    assert w in NICE_BINS_S

    def count(series, x0):
        return sum(1 for t in series if x0 <= t < x0 + w)

    air_bars, sea_bars = view.track_bars["air"].opts, view.track_bars["sea"].opts
    for bars, series, below in ((air_bars, air, []), (sea_bars, sea, air)):
        assert sum(bars["height"]) == len(series)
        for x0, y0, h in zip(bars["x0"], bars["y0"], bars["height"], strict=True):
            assert bars["width"] == w
            assert h == count(series, x0)
            assert y0 == count(below, x0)  # stacked on the air bar of the same bin
    # What the officer sees: the first bin's sea part sits on top of its air part.
    n_air, n_sea = count(air, t0), count(sea, t0)
    img = view.grab().toImage()
    ratio = img.devicePixelRatio()
    mid = t0 + w / 2
    p_air = view.to_widget(view.track_plot, mid, n_air / 2)
    p_sea = view.to_widget(view.track_plot, mid, n_air + n_sea / 2)
    assert _near(img.pixelColor(p_air * ratio), DOMAIN_COLOURS["air"])
    assert _near(img.pixelColor(p_sea * ratio), DOMAIN_COLOURS["sea"])
    above = view.to_widget(view.track_plot, mid, n_air + n_sea + 0.3 * n_sea)
    assert not _near(img.pixelColor(above * ratio), DOMAIN_COLOURS["sea"])


def test_scrolling_before_the_local_data_asks_for_history(make_view, qtbot):
    pic = _picture()
    pic.upsert(TrackUpdate(Domain.SEA, "mmsi:272000001", "t", T1530 - HOUR, 44.0, 31.0))
    view = make_view(pic)
    view.set_x_range(T1530 - 0.5 * HOUR, T1530)
    _settle(qtbot, view)
    with qtbot.waitSignal(view.history_requested, timeout=2000) as sig:
        view.set_x_range(T1530 - 30 * HOUR, T1530 - 20 * HOUR)
    t0, t1 = sig.args
    assert t0 == pytest.approx(T1530 - 30 * HOUR)
    assert t1 <= T1530 - HOUR
    # Scrolling within the stretch already asked for does not ask again.
    with qtbot.assertNotEmitted(view.history_requested, wait=600):
        view.set_x_range(T1530 - 25 * HOUR, T1530 - 20 * HOUR)
