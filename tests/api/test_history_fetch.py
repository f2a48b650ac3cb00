"""Replay older than the local picture: fetch_history against a real server.

A client that synced now holds one fix per track; the server kept forty minutes of
them. The expected positions are the ones this test fed, interpolated by hand.
"""

from __future__ import annotations

import pytest

from cop_app.api.history import fetch_history
from cop_app.api.http import ApiClient
from cop_app.api.sync import Syncer
from cop_app.core.picture import Picture
from tests.server.test_history_window import AIRCRAFT, STEPS, T0, feed

START = T0.timestamp()
END = START + 60 * (STEPS - 1)


@pytest.fixture
def synced(live_server):
    feed(live_server)
    client = ApiClient(live_server.url, live_server.tokens["viewer"])
    picture = Picture()
    Syncer(client, picture).sync_once()
    yield client, picture
    client.close()


def positions(picture: Picture, t: float) -> dict[str, tuple[float, float]]:
    frame = picture.as_of(t)
    return {k: (la, lo) for k, la, lo in zip(frame.keys, frame.lat.tolist(), frame.lon.tolist(),
                                             strict=True)}  # fmt: skip


def icao_key(picture: Picture, icao: str) -> str:
    (key,) = [k for k in picture.keys() if icao.lower() in k.lower()]
    return key


def test_a_fresh_client_replays_the_past_once_history_is_fetched(synced):
    client, picture = synced
    t = START + 10.5 * 60  # halfway between the fixes of minutes 10 and 11
    assert positions(picture, t) == {}  # the initial sync brought present states only
    steps = []
    got = fetch_history(client, picture, START, END, progress=lambda f, m: steps.append(f))
    assert got.complete and got.unknown == 0
    assert got.fixes == STEPS * len(AIRCRAFT) and got.added == got.fixes
    assert steps[-1] == 1.0 and steps == sorted(steps)
    where = positions(picture, t)
    for icao, (lat, lon) in AIRCRAFT.items():
        assert where[icao_key(picture, icao)] == pytest.approx(
            (lat + 0.01 * 10.5, lon + 0.02 * 10.5), abs=1e-5)
    # the same window again asks the server for nothing
    again = fetch_history(client, picture, START, END)
    assert again.spans == [] and again.fixes == 0 and again.pages == 0


def test_a_stopped_fetch_keeps_what_came_and_the_next_one_finishes_it(synced):
    client, picture = synced
    budget = fetch_history(client, picture, START, END, page=20, max_fixes=50)
    assert not budget.complete and not budget.cancelled and budget.fixes == 60
    assert picture.archive.covered and picture.archive.covered[0][1] < END
    stopped = fetch_history(client, picture, START, END, page=20, should_stop=lambda: True)
    assert stopped.cancelled and stopped.fixes == 20
    rest = fetch_history(client, picture, START, END, page=20)
    assert rest.complete
    assert len(picture.archive) == STEPS * len(AIRCRAFT)  # every fix once
    assert picture.archive.missing(START, END) == []
