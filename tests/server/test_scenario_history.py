"""Hours of track history for replay: a server started with the scenario serves, through
``GET /v1/history``, air and sea fixes five hours before it started, each one the fix
the scenario's own feed text sends for that track at that time.

Expected positions come from the feed text (SBS-1, AIS, CoT) of the same scenario window,
thinned to one fix a minute as the start-up backfill sends it, parsed by
``cop_app.ingest``: the path feeds take, not the motion-model shortcut the older history
is written by (``scenario_history``), so a wrong key, time grid or model shows up as a
mismatch. (Thinned, because at full rate a ship at anchor reports only every 3 min.)
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import requests

from cop_app.core.timeutil import format_iso, now, parse_iso
from cop_app.core.updates import TrackUpdate
from cop_app.ingest import make_parser
from cop_app.server.scenario import FeedText, Scenario
from tests.server.conftest import LiveServer

BACK_S = 5 * 3600.0
HALF_S = 180.0  # the window around it: every track reports in 3 min (moored ships' rate)
PATIENCE_S = 60.0  # a loaded machine is slow to start; this only catches history never written
# AIS carries 1/10000 minute (ITU-R M.1371 msg 1/18); the history keeps 5 decimals.
TOLERANCE_DEG = 2e-5


def _feed_fixes(t0: float, t1: float) -> dict[tuple[str, float], tuple[float, float]]:
    """(key, time) -> (lat, lon) of every fix the backfill's feed text sends in [t0, t1]."""
    texts: dict[tuple[str, str], list[str]] = {}
    for e in Scenario(seed=0).emissions(t0, t1 + 0.001, domains=("air", "sea"), history=True):
        if type(e) is FeedText:
            texts.setdefault((e.fmt, e.source), []).append(e.text)
    out = {}
    for (fmt, source), parts in texts.items():
        parser = make_parser(fmt, source)
        for u in parser.feed("\n".join(parts) + "\n") + parser.close():
            if type(u) is TrackUpdate and u.lat is not None:
                out[u.key, round(u.time, 3)] = (u.lat, u.lon)
    return out


def _served(srv: LiveServer, t0: float, t1: float) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        params = {"start": format_iso(t0), "end": format_iso(t1), "limit": 10_000}
        if cursor:
            params["cursor"] = cursor
        body = requests.get(srv.url + "/v1/history", headers=srv.headers("viewer"),
                            params=params, timeout=30).json()  # fmt: skip
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def _domain(key: str) -> str:
    return "sea" if key.startswith("mmsi:") else "air"


@pytest.fixture(scope="module")
def five_hours_back(tmp_path_factory):
    """What the server serves around five hours before it started, once written."""
    srv = LiveServer(tmp_path_factory.mktemp("older") / "demo.sqlite", ["--scenario", "ceasefire"])
    srv.create_tokens()
    at = now() - BACK_S
    srv.start()
    try:
        deadline = time.monotonic() + PATIENCE_S
        items: list[dict] = []
        while time.monotonic() < deadline:
            items = _served(srv, at - HALF_S, at + HALF_S)
            if {_domain(i["id"]) for i in items} == {"air", "sea"}:
                break
            time.sleep(0.5)
        yield at, items
    finally:
        srv.kill()


def test_server_serves_air_and_sea_fixes_five_hours_before_start(five_hours_back):
    at, items = five_hours_back
    feed = _feed_fixes(at - HALF_S, at + HALF_S)
    by_domain = Counter(_domain(k) for k in {i["id"] for i in items})
    want = Counter(_domain(k) for k in {k for k, _t in feed})
    # Tracks where the scenario had them: all but one that lands or takes off mid-window.
    for domain in ("air", "sea"):
        assert by_domain[domain] >= 0.9 * want[domain] > 0, (by_domain, want)


def test_older_fixes_are_the_scenario_feeds_fixes(five_hours_back):
    at, items = five_hours_back
    # A minute more each side: AIS is dated by its whole second, so a fix due just
    # after the window's end may be served inside it.
    feed = _feed_fixes(at - HALF_S - 60, at + HALF_S + 60)
    assert items
    for item in items:
        t = round(parse_iso(item["time"]), 3)
        assert (item["id"], t) in feed, item  # a time the feed sends this track at
        lat, lon = feed[item["id"], t]
        assert item["lat"] == pytest.approx(lat, abs=TOLERANCE_DEG), item
        assert item["lon"] == pytest.approx(lon, abs=TOLERANCE_DEG), item
