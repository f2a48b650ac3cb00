"""The strip that says the map is not the live present: replay and time filter."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg
from cop_app.core.updates import TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.mode_banner import ModeBanner, mode_text
from cop_app.ui.theme import DAY, apply_theme

T = 1_795_000_000.0


def test_texts_say_replay_with_age_and_filter_with_its_window():
    assert mode_text(live=True, cursor=T, window=None, clock=T, tracks_held=5,
                     tracks_shown=None) == ""  # fmt: skip
    replay = mode_text(live=False, cursor=T - 3 * 3600, window=None, clock=T, tracks_held=5,
                       tracks_shown=4)  # fmt: skip
    assert replay.startswith(f"REPLAY — picture as of {format_dtg(T - 3 * 3600)} (3 h ago)")
    assert 'href="live"' in replay and "no track data" not in replay
    empty = mode_text(live=False, cursor=T - 3600, window=None, clock=T, tracks_held=5,
                      tracks_shown=0)  # fmt: skip
    assert "no track data at this time" in empty
    assert "fetching history" in mode_text(live=False, cursor=T - 3600, window=None, clock=T,
                                           tracks_held=5, tracks_shown=0, fetching=True)
    both = mode_text(live=False, cursor=T, window=(T - 7200, T - 3600), clock=T,
                     tracks_held=5, tracks_shown=3)  # fmt: skip
    assert f"TIME FILTER {format_dtg(T - 7200)} – {format_dtg(T - 3600)}" in both
    assert 'href="clear"' in both and both.count("<br>") == 1


@pytest.fixture
def banner(qtbot, qapp):
    apply_theme(qapp, DAY)
    pic = Picture()
    pic.upsert(TrackUpdate(Domain.AIR, "icao:abc123", "t", T - 60, 48.0, 35.0))
    hub = Hub(pic)
    hub.set_cursor(T)
    b = ModeBanner(hub, clock=lambda: T)
    qtbot.addWidget(b)
    b.resize(900, 60)  # a top-level here: it shows and hides itself as in the window
    yield hub, b
    hub.close()


def colour_share(img: QImage, colour: str) -> float:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4,
                                                           4)[:, : img.width(), 2::-1]
    q = QColor(colour)
    ref = np.array([q.red(), q.green(), q.blue()])
    return float((np.abs(arr.astype(int) - ref).max(axis=-1) <= 8).mean())


def test_the_strip_shows_in_replay_in_its_own_colour_and_live_hides_it(qtbot, banner):
    hub, b = banner
    assert not b.isVisible()
    hub.set_live(False)
    hub.set_cursor(T - 30)
    qtbot.waitUntil(lambda: b.isVisible(), timeout=2000)
    assert b.text().startswith(f"REPLAY — picture as of {format_dtg(T - 30)}")
    assert "no track data" not in b.text()  # the aircraft was alive 30 s back
    assert colour_share(b.grab().toImage(), DAY.banner_replay) > 0.5
    assert colour_share(b.grab().toImage(), DAY.banner_offline) == 0
    hub.set_cursor(T - 86400)
    qtbot.waitUntil(lambda: "no track data at this time" in b.text(), timeout=2000)
    b.linkActivated.emit("live")
    assert hub.live and not b.isVisible()


def test_a_time_filter_is_said_and_show_all_clears_it(qtbot, banner):
    hub, b = banner
    hub.set_window((T - 7200, T - 3600))
    assert b.isVisible() and "TIME FILTER" in b.text()
    b.linkActivated.emit("clear")
    assert hub.window is None and not b.isVisible()
