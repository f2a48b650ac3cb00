"""Replay older than the local picture: the window fetches history from the real server.

The server is fed forty minutes of three aircraft yesterday; the window syncs now and
so holds one fix per track (their present states). Moving the replay cursor, or the
timeline, into yesterday must bring those forty minutes from the server without the
window waiting: rows in Tracks, symbols on the map and bars in the timeline where
the fed positions were.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from cop_app.core.geo import to_mercator
from cop_app.core.timeutil import now
from tests.server.conftest import live_server, live_server_factory  # noqa: F401
from tests.server.test_history_window import AIRCRAFT, STEPS, T0, feed
from tests.ui.test_window import AFFILIATION, WAIT_MS, count_in_boxes, grab, open_window  # noqa: F401

START = T0.timestamp()
END = START + 60 * (STEPS - 1)
T = START + 10.5 * 60  # halfway between the fixes of minutes 10 and 11


def expected(k: float) -> dict[str, tuple[float, float]]:
    return {icao: (lat + 0.01 * k, lon + 0.02 * k) for icao, (lat, lon) in AIRCRAFT.items()}


@pytest.fixture
def win(qtbot, open_window, live_server):  # noqa: F811
    feed(live_server)
    w = open_window(live_server.url, live_server.tokens["viewer"])
    qtbot.waitUntil(lambda: w.session.live and len(w.picture) == len(AIRCRAFT), timeout=WAIT_MS)
    for key in w.picture.keys():  # the sync brought present states: one fix each
        assert len(w.picture.history(key)[0]) == 1
    assert len(w.picture.as_of(T)) == 0
    w.map.set_bbox(29.0, 44.0, 38.0, 49.5)
    return w


def test_replaying_before_the_synced_picture_fetches_the_servers_history(qtbot, win):
    ticks = []
    timer = QTimer(win)
    timer.timeout.connect(lambda: ticks.append(now()))
    timer.start(20)
    win.hub.set_live(False)
    win.hub.set_cursor(T)
    qtbot.waitUntil(lambda: win.tracks.model.rowCount() == len(AIRCRAFT), timeout=WAIT_MS)
    timer.stop()
    assert len(ticks) > 5  # the event loop kept turning while the history came
    frame = win.tracks.model.frame
    where = dict(zip(frame.keys, zip(frame.lat.tolist(), frame.lon.tolist(), strict=True),
                     strict=True))  # fmt: skip
    for icao, pos in expected(10.5).items():
        (key,) = [k for k in where if icao.lower() in k.lower()]
        assert where[key] == pytest.approx(pos, abs=1e-5)
    qtbot.waitUntil(lambda: "History" in win.status.currentMessage(), timeout=WAIT_MS)
    # the cursor asked for an hour before it and a quarter after: minutes 0-25 were fed
    assert f": {26 * len(AIRCRAFT)} fixes" in win.status.currentMessage()
    qtbot.wait(300)
    rgb = grab(win)
    assert count_in_boxes(win, rgb, list(expected(10.5).values()), AFFILIATION) > 20
    # where they were at the end of the forty minutes, nothing is drawn at T
    assert count_in_boxes(win, rgb, list(expected(STEPS - 1).values()), AFFILIATION) == 0
    # trails of the last ten minutes come from the fetched fixes too
    trails = win.map_layers["trails"]
    trails.rebuild()
    path = trails.paths["unknown"]
    assert path.elementCount() >= len(AIRCRAFT) * 10
    (x0, x1), _ = to_mercator(np.array([AIRCRAFT["3C6444"][1] + 0.02, AIRCRAFT["4B1805"][1]
                                        + 0.02 * 10.5]), np.zeros(2))  # fmt: skip
    box = path.boundingRect()
    assert box.left() == pytest.approx(x0, abs=1.0) and box.right() == pytest.approx(x1, abs=1.0)


def test_scrolling_the_timeline_into_yesterday_fills_its_bars(qtbot, win):
    win.timeline.set_x_range(START - 1800, END + 1800)
    qtbot.waitUntil(lambda: len(win.picture.archive) >= STEPS * len(AIRCRAFT) - len(AIRCRAFT),
                    timeout=WAIT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: win.timeline.counts.get("air") is not None
                    and win.timeline.counts["air"].sum() >= STEPS * len(AIRCRAFT) - 3,
                    timeout=WAIT_MS)  # fmt: skip
    # no second request for the same stretch
    fixes_before = len(win.picture.archive)
    win.timeline.set_x_range(START - 900, END + 900)
    qtbot.wait(800)
    assert win.history.running is None and len(win.picture.archive) == fixes_before
