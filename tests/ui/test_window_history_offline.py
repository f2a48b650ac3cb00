"""History fetched online replays offline after a restart, from the cache alone.

A window against the real server replays yesterday (the server is fed forty minutes of
three aircraft; the window fetches them); it closes, the server stops, and a new
window opened offline on the same cache file shows the tracks where they were fed at
the replay cursor (rows in Tracks, symbols on the map) and yesterday's bars in the
timeline.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.server.conftest import live_server, live_server_factory  # noqa: F401
from tests.server.test_history_window import AIRCRAFT, feed
from tests.ui.test_window import AFFILIATION, WAIT_MS, count_in_boxes, grab, open_window  # noqa: F401
from tests.ui.test_window_history import START, T, expected


def cached(path, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(sql).fetchone()[0] or 0)
    finally:
        con.close()


def shown(win) -> dict[str, tuple[float, float]]:
    frame = win.tracks.model.frame
    return dict(zip(frame.keys, zip(frame.lat.tolist(), frame.lon.tolist(), strict=True),
                    strict=True))  # fmt: skip


def where_fed(win) -> bool:
    """Each aircraft is a Tracks row at the position fed for the cursor's time."""
    where = shown(win)
    if len(where) != len(AIRCRAFT):
        return False
    for icao, pos in expected(10.5).items():
        found = [where[k] for k in where if icao.lower() in k.lower()]
        if found != [pytest.approx(pos, abs=1e-5)]:
            return False
    return True


def test_fetched_history_replays_offline_after_a_restart(qtbot, open_window, live_server,  # noqa: F811
                                                         tmp_path):  # fmt: skip
    path = tmp_path / "shared-cache.sqlite"
    feed(live_server)
    online = open_window(live_server.url, live_server.tokens["viewer"], cache=path)
    qtbot.waitUntil(lambda: online.session.live and len(online.picture) == len(AIRCRAFT),
                    timeout=WAIT_MS)  # fmt: skip
    online.hub.set_live(False)
    online.hub.set_cursor(T)
    qtbot.waitUntil(lambda: where_fed(online), timeout=WAIT_MS)
    # the cursor asked for an hour before it and a quarter after: minutes 0-25, all kept
    fixes = 26 * len(AIRCRAFT)
    qtbot.waitUntil(lambda: cached(path, "SELECT sum(n) FROM archive_chunks") == fixes
                    and cached(path, "SELECT count(*) FROM tracks") == len(AIRCRAFT),
                    timeout=WAIT_MS)  # fmt: skip
    online.session.stop()
    online.close()
    live_server.stop()  # nothing to ask from here on

    offline = open_window(None, cache=path)
    # cacheLoaded handled: the window has parked its cursor at the saved picture's time
    qtbot.waitUntil(lambda: offline.session.data_time is not None, timeout=WAIT_MS)
    assert len(offline.picture) == len(AIRCRAFT)
    assert offline.session.client is None and not offline.session.live
    assert len(offline.picture.archive) == fixes
    assert offline.picture.archive.missing(START, T) == []
    assert offline.session.cache.problems == []
    offline.hub.set_live(False)
    offline.hub.set_cursor(T)
    assert offline.picture.as_of(T).lat.tolist() == pytest.approx(
        [expected(10.5)[k.split(":")[1].upper()][0] for k in offline.picture.as_of(T).keys])
    qtbot.waitUntil(lambda: where_fed(offline), timeout=WAIT_MS)
    offline.map.set_bbox(29.0, 44.0, 38.0, 49.5)
    qtbot.waitUntil(lambda: count_in_boxes(offline, grab(offline), list(expected(10.5).values()),
                                           AFFILIATION) > 20, timeout=WAIT_MS)  # fmt: skip
    # the timeline's bars count yesterday's fixes (it shows the saved picture's last hours)
    qtbot.waitUntil(lambda: offline.timeline.counts.get("air") is not None
                    and offline.timeline.counts["air"].sum() >= fixes, timeout=WAIT_MS)
    assert offline.history.running is None  # replayed from the cache, nothing fetched
