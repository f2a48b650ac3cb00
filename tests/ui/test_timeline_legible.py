"""The timeline as an officer reads it (trial finding 12): the header's DTG and state,
a fixes strip tall enough for its labels, no legend over the bars, report bars in the
status palette (UX.md: one palette across map, timeline and tables)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

from cop_app.core.enums import Domain
from cop_app.core.style import STATUS_COLOURS
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.timeline import TimelineView
from cop_app.ui.timeline.view import DOMAIN_COLOURS, LABEL_GAP_PX, y_ticks
from tests.ui import test_timeline as base
from tests.ui.test_timeline import HOUR, T1530, _near, _picture, _settle

MINUTE = 60.0
make_view = base.make_view  # the same fixture: a shown TimelineView over a Picture


# ---- the header -----------------------------------------------------------------------
def _hsv(c: QColor) -> tuple[float, float, float]:
    h, s, v, _ = c.getHsvF()
    return h * 360.0, s, v


def _chip_colour(view) -> QColor:
    """The chip's background, sampled in its left padding (left of the word)."""
    chip = view.transport.mode
    img = chip.grab().toImage()
    return img.pixelColor(int(3 * img.devicePixelRatio()), img.height() // 2)


def test_header_shows_a_dtg_without_seconds_and_an_unmistakable_state(make_view, qtbot):
    clock = [T1530 + 37]  # 15:30:37Z: seconds that must not show
    view = make_view(clock=lambda: clock[0])
    t = view.transport
    visible = lambda: " ".join(w.text() for w in (t.mode, t.dtg, t.age))  # noqa: E731
    # UX.md: DDHHMMZMONYY, e.g. 261530ZNOV26; no second DTG or ISO repetition on screen.
    assert t.dtg.text() == "261530ZNOV26"
    assert t.mode.text() == "LIVE"
    assert "2026-" not in visible() and ":" not in visible(), visible()
    assert "2026-11-26 15:30:37Z" in t.dtg.toolTip()  # the full time stays a hover away
    live_chip = _chip_colour(view)

    view.hub.set_live(False)
    view.hub.set_cursor(T1530 - 2 * HOUR)
    assert t.mode.text() == "REPLAY"
    assert t.dtg.text() == "261330ZNOV26"
    assert t.age.text() == "2 h ago"  # UX.md: the age beside the absolute time
    replay_chip = _chip_colour(view)
    # REPLAY sits on a warning amber (hue 30-50 degrees, saturated and bright); LIVE does not.
    hue, sat, val = _hsv(replay_chip)
    assert 30 <= hue <= 50 and sat > 0.7 and val > 0.8, replay_chip.name()
    assert abs(_hsv(live_chip)[0] - hue) > 40, (live_chip.name(), replay_chip.name())

    qtbot.mouseClick(t.live, Qt.MouseButton.LeftButton)
    assert t.mode.text() == "LIVE" and t.age.text() == ""


# ---- the fixes strip and its labels -------------------------------------------------------
def _left_labels(view, plot) -> list[tuple[QRectF, str]]:
    """The y tick texts ``plot``'s left axis paints, as scene rectangles."""
    axis = plot.getAxis("left")
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(axis.mapRectToScene(rect), text) for rect, _flags, text in texts]


def _busy_picture(per_bin_peak: int):
    """Air fixes every minute for six hours, and a burst of ``per_bin_peak`` sea fixes."""
    pic = _picture()
    t0 = T1530 - 6 * HOUR
    air = [TrackUpdate(Domain.AIR, f"icao:{k % 50:06x}", "t", t0 + k * MINUTE, 48.0, 37.0)
           for k in range(360)]  # fmt: skip
    sea = [TrackUpdate(Domain.SEA, f"mmsi:{k:09d}", "t", T1530 - HOUR + k * 0.1, 44.0, 31.0)
           for k in range(per_bin_peak)]  # fmt: skip
    pic.upsert_many(air + sea)
    return pic


@pytest.mark.parametrize("peak", [3, 347])
def test_fixes_strip_has_room_for_two_or_three_labels_that_are_not_cut(make_view, qtbot,
                                                                       peak):  # fmt: skip
    # A dock squeezed to 120 px (the trial's 1366x768 gave the strip 27 px): the timeline
    # keeps its strips readable instead.
    view = make_view(_busy_picture(peak), size=(1366, 120))
    view.set_x_range(T1530 - 6 * HOUR, T1530)
    _settle(qtbot, view)
    assert view.height() > 120
    line_px = QFontMetricsF(view.transport.font()).height()  # 11 pt text
    assert view.track_plot.vb.height() >= 3 * line_px  # two labels and a gap at least
    for plot in view.plots:
        labels = _left_labels(view, plot)
        assert 2 <= len(labels) <= 3, [t for _, t in labels]
        centres = sorted(r.center().y() for r, _ in labels)
        assert all(b - a >= line_px for a, b in pairwise(centres))
        # Every label lies inside its own plot's height: none cut at the strip's edge.
        vb = plot.vb.sceneBoundingRect()
        for rect, text in labels:
            assert vb.top() - 1 <= rect.top() and rect.bottom() <= vb.bottom() + line_px / 2, (
                text, rect, vb)


@settings(max_examples=300, deadline=None)
@given(top=st.integers(1, 10**7), room=st.floats(20, 400))
def test_y_labels_are_few_round_counts_under_the_tallest_bar(top, room):
    labels = y_ticks(top, room)
    assert labels[0] == 0 and 2 <= len(labels) <= 3
    step = labels[1]
    assert labels == [k * step for k in range(len(labels))]
    assert labels[-1] <= top  # never a count above the bars, in the alert lane
    mantissa = step / 10 ** (len(str(step)) - 1)
    assert mantissa in (1, 2, 5), step  # 1, 2 or 5 times a power of ten
    if len(labels) == 3 or room * step / top < LABEL_GAP_PX:
        # three labels only when they stand apart; closer than the gap only as 0 and one
        assert len(labels) == 2 or room * step / top >= LABEL_GAP_PX
        if len(labels) == 2 and room * step / top < LABEL_GAP_PX:
            following = step * {1: 2, 2: 2.5, 5: 2}[mantissa]  # the next round count
            assert following > top  # the largest round count that fits


def test_no_legend_over_the_bars_and_the_key_is_whole(make_view, qtbot):
    pic = _busy_picture(0)
    view = make_view(pic, size=(1366, 260))
    view.set_x_range(T1530 - 6 * HOUR, T1530 - 10 * MINUTE)  # cursor line out of view
    _settle(qtbot, view)
    img = view.grab().toImage()
    ratio = img.devicePixelRatio()
    heights = view.track_bars["air"].opts["height"]
    assert len(heights) == len(view.edges) - 1  # a band of air bars across the strip
    # Across the band, the whole width of the strip is air colour: nothing (a legend, a
    # label) is drawn over the bars. Only the faint x grid lines cross them.
    x0, x1 = view.x_range()
    (_, ticks), = view.axis.tickValues(x0, x1, view.report_plot.vb.width())
    grid = {view.time_to_x(t) + d for t in ticks for d in (-1, 0, 1)}
    covered = []
    for frac in np.linspace(0.05, 0.95, 19):  # rows ~3 px apart
        left = view.to_widget(view.track_plot, view.edges[0], min(heights) * frac)
        right = view.to_widget(view.track_plot, view.edges[-1], min(heights) * frac)
        covered += [x for x in range(left.x() + 2, right.x() - 2) if x not in grid
                    and not _near(img.pixelColor(QPointF(x, left.y()).toPoint() * ratio),
                                  DOMAIN_COLOURS["air"], tol=20)]  # fmt: skip
    assert not covered, covered[:20]
    # The key sits in the header, all of it shown.
    key = view.transport.key
    assert key.isVisible() and "AIR" in key.text() and "SEA" in key.text()
    assert key.width() >= key.sizeHint().width()


# ---- report bars in the status palette ---------------------------------------------------
SHOWN = ("reported", "triaged", "under_verification", "corroborated", "verified",
         "unverifiable")  # fmt: skip
CHROMATIC = ("triaged", "under_verification", "corroborated", "verified")


def _status_picture():
    pic = _picture()
    pic.upsert_many(
        ReportUpdate(id=f"r-{s}", source="t", time=T1530 - (k + 1) * 4 * MINUTE + 30, lat=48.0,
                     lon=37.0, fields={"event_type": "explosion", "status": s})
        for k, s in enumerate(SHOWN)
    )  # fmt: skip
    return pic


def _bar_pixels(view, img, status: str) -> list[QColor]:
    """Pixels of the status's one-report bar, left of its marker (bar, not marker)."""
    ratio = img.devicePixelRatio()
    p = view.marker_point(f"r-{status}")
    assert p is not None
    x0 = view.time_to_x(view.edges[0] + view.bin_s * np.floor(
        (T1530 - (SHOWN.index(status) + 1) * 4 * MINUTE + 30 - view.edges[0]) / view.bin_s))
    assert p.x() - x0 >= 12  # room for bar pixels beside the 13 px marker
    return [img.pixelColor(int((x0 + dx) * ratio), int((p.y() + dy) * ratio))
            for dx in (2, 3, 4, 5) for dy in (-3, 0, 3)]  # fmt: skip


@pytest.mark.parametrize("night", [False, True])
def test_report_bars_take_their_status_colour_not_a_clashing_one(make_view, qtbot, night):
    view = make_view(_status_picture(), size=(1200, 300))
    view.set_night(night)
    view.set_x_range(T1530 - 30 * MINUTE, T1530)  # one-minute bins, ~36 px wide
    _settle(qtbot, view)
    img = view.grab().toImage()
    hues = {s: _hsv(QColor(STATUS_COLOURS[s]))[0] for s in CHROMATIC}
    for status in SHOWN:
        pixels = _bar_pixels(view, img, status)
        colour = pixels[4]
        hue, sat, val = _hsv(colour)
        if status in CHROMATIC:
            # The bar reads as its own status: its hue is nearest that status's hue of all
            # the marker colours (the old type colours gave brown and lilac bars).
            nearest = min(hues, key=lambda s: min(abs(hues[s] - hue), 360 - abs(hues[s] - hue)))
            assert nearest == status and sat > 0.25, (status, colour.name())
        else:
            assert sat < 0.12, (status, colour.name())  # reported, unverifiable: greys
        marker_val = _hsv(QColor(STATUS_COLOURS[status]))[2]
        if night:  # UX.md: at night the bars are dimmer than the full-colour markers
            assert val < marker_val, (status, colour.name())
        tones = {c.name() for c in pixels}
        if status == "unverifiable":  # UX.md: hatched grey
            assert len(tones) > 1, tones
        else:
            assert len(tones) == 1, (status, tones)


def test_a_timeline_opened_on_a_replaying_hub_says_replay(qtbot):
    pic = _picture()
    hub = Hub(pic)
    hub.set_live(False)
    hub.set_cursor(T1530 - HOUR)
    view = TimelineView(hub, pic, clock=lambda: T1530)
    qtbot.addWidget(view)
    try:
        t = view.transport
        assert (t.mode.text(), t.dtg.text(), t.age.text()) == ("REPLAY", "261430ZNOV26", "1 h ago")
    finally:
        hub.close()
