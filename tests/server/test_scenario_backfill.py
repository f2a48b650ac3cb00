"""The scenario's start-up backfill through the real pipeline and storage: it must not
greet a watch with alerts that only the replay made (tracks "lost" because their
thinned history ends a minute ago; a day of verification steps stamped "now"; hours of
older history for replay), and must still raise what is real in the scenario (hostile
UAVs in the airspace).

Expected values come from the scenario's own plan (``land_emissions``, the zones) and
the rule definitions (``RuleConfig.report_window_s``), never from the alerts we got.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from shapely.geometry import Point, shape

from cop_app.core import timeutil
from cop_app.core.enums import ZoneKind
from cop_app.core.rules import config as R
from cop_app.core.timeutil import parse_iso
from cop_app.core.verification import VerificationStatus as VS
from cop_app.server.pipeline import Pipeline
from cop_app.server.scenario import Scenario, ScenarioRunner
from cop_app.server.scenario_land import land_emissions
from cop_app.server.storage import Storage
from tests.server.alert_support import Clock

SEED = 0
T0 = 1_790_000_000.0 + 17.25  # not on a minute: the scenario must not care
BACKFILL_WALL_S = 1.0  # the rules' clock while the backfill runs (it takes about that)
LIVE_S = 10  # live ticks of one second: every UAV (5 s) and aircraft (5 s) reports again
REACHED = {VS.CORROBORATED.value: R.REPORT_CORROBORATED, VS.VERIFIED.value: R.REPORT_VERIFIED}


class Played:
    def __init__(self, path, older_s: float | None = None) -> None:
        self.clock = Clock(T0 + BACKFILL_WALL_S)
        self.pipe = Pipeline(Storage(path), clock=self.clock)
        self.scenario = Scenario(seed=SEED, start=T0)
        self.runner = ScenarioRunner(self.scenario, self.pipe, older_s=older_s)
        self.runner.backfill()
        self.runner.backfill_older()  # as the runner's thread does, before live play
        for k in range(LIVE_S):
            self.clock.t = T0 + k + 1 + BACKFILL_WALL_S
            self.runner.dispatch(self.scenario.emissions(
                T0 + k, T0 + k + 1, reports_since=self.runner.reports_since))  # fmt: skip
        assert not any(k.endswith("_refused") for k in self.runner.stats), self.runner.stats
        self.alerts = [json.loads(body) for _id, body in
                       self.pipe.storage.alert_page(after_id=None, limit=100_000)]  # fmt: skip

    def subjects(self, *rules: str) -> set[str]:
        return {a["subject"] for a in self.alerts if a["rule"] in rules}


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    p = Played(tmp_path_factory.mktemp("backfill") / "server.sqlite")
    yield p
    p.pipe.close()


def _reporting(played: Played) -> set[str]:
    """Tracks with a fix from live play (scenario time T0 on)."""
    pic = played.pipe.picture
    return {k for k in pic.keys() if (tr := pic.track(k)) and tr.time is not None
            and tr.time >= T0}  # fmt: skip


def test_tracks_still_reporting_are_never_lost_nor_gapped(played):
    reporting = _reporting(played)
    uavs = {k for k in played.pipe.picture.keys() if k.startswith("cot:")}
    assert len(uavs) == 12 and uavs <= reporting  # 8 hostile + 4 mission UAVs
    assert len(reporting) >= 100  # moored vessels report every 3 min: not all yet
    assert played.subjects(R.LOST, R.AIS_GAP) & reporting == set()


def test_backfilled_trails_are_dated_by_the_scenario(played):
    since = played.runner.reports_since
    posted, steps = land_emissions(SEED, since, T0, reports_since=since)
    by_report = defaultdict(list)
    for s in steps:
        by_report[s.report_id].append(s)
    assert len(posted) >= 30 and len(steps) >= len(posted)
    for plan in posted:
        rec = played.pipe.report_record(plan.id)
        trail = rec["trail"]
        times = [parse_iso(e["time"]) for e in trail]
        assert times == sorted(times), trail
        created, rest = trail[0], trail[1:]
        assert (created["from"], created["rationale"]) == (None, "created")
        assert times[0] == pytest.approx(plan.posted, abs=1e-3)
        want = [(s.to_status, s.actor, s.rationale, s.time) for s in by_report[plan.id]]
        got = [(e["to"], e["actor"], e["rationale"], t)
               for e, t in zip(rest, times[1:], strict=False)][:len(want)]  # fmt: skip
        assert [g[:3] for g in got] == [w[:3] for w in want], plan.id
        assert [g[3] for g in got] == pytest.approx([w[3] for w in want], abs=1e-3)
        if want:
            assert times[0] <= want[0][3]
        if len(rest) == len(want):  # no live step yet: the record's last change is the trail's
            assert parse_iso(rec["updated_at"]) == pytest.approx(times[-1], abs=1e-3)


def test_only_steps_within_the_report_window_alert(played):
    since = played.runner.reports_since
    _posted, steps = land_emissions(SEED, since, T0, reports_since=since)
    reached = [s for s in steps if s.to_status in REACHED]
    # the rules ran at the end of the backfill (the clock then), on each step
    edge = T0 + BACKFILL_WALL_S - R.RuleConfig().report_window_s
    want = {(s.report_id, REACHED[s.to_status]) for s in reached if s.time >= edge}
    got = {(a["subject"], a["rule"]) for a in played.alerts
           if a["rule"] in (R.REPORT_CORROBORATED, R.REPORT_VERIFIED)}  # fmt: skip
    assert len(reached) > 3 * max(1, len(want))  # the day held many more than the hour
    assert got == want


def _inside_air_zone(zones: list[dict], lon: float, lat: float, alt_ft: float | None) -> bool:
    for f in zones:
        kind = ZoneKind(f["properties"]["kind"])
        if kind not in R.AIR_ZONE_SEVERITY or not shape(f["geometry"]).contains(Point(lon, lat)):
            continue
        lo, hi = f["properties"].get("floor_ft"), f["properties"].get("ceiling_ft")
        if alt_ft is None or ((lo is None or alt_ft >= lo) and (hi is None or alt_ft <= hi)):
            return True
    return False


def _altitude(t) -> float | None:
    """What the air-zone rule judges by: barometric, else the CoT HAE (UAVs send only that)."""
    return t.altitude_ft if t.altitude_ft is not None else t.geo_altitude_ft


def test_hostile_uavs_in_the_airspace_still_alert(played):
    zones = played.scenario.zones_geojson()["features"]
    pic = played.pipe.picture
    hostile = {k: pic.track(k) for k in pic.keys() if k.startswith("cot:CF-CUAS-")}
    assert len(hostile) == 8
    inside = {k for k, t in hostile.items()
              if _inside_air_zone(zones, t.lon, t.lat, _altitude(t))}  # fmt: skip
    alerted = played.subjects(R.AIR_ZONE)
    assert inside and inside <= alerted
    mission = {k for k in pic.keys() if k.startswith("cot:CF-UAV-M")}
    assert not alerted & mission  # friendly identities are exempt


def test_default_start_is_now_not_a_round_minute():
    """At speed 1 scenario time is start + elapsed wall time: a start rounded down made
    every fix up to a minute old on arrival (a UAV's CoT is stale after 30 s)."""
    before = timeutil.now()
    start = Scenario().start
    assert before - 0.002 <= start <= timeutil.now() + 0.002


def test_hours_of_older_history_raise_no_alert(played, tmp_path_factory):
    """The same start with no older history: the same alerts, though the older hours
    are stored and the aircraft on the ground since then are held as tracks."""
    bare = Played(tmp_path_factory.mktemp("bare") / "server.sqlite", older_s=0.0)
    try:
        oldest = played.pipe.storage.conn.execute("SELECT MIN(time) FROM track_history")
        assert oldest.fetchone()[0] <= T0 - 6 * 3600
        landed = set(played.pipe.picture.keys()) - set(bare.pipe.picture.keys())
        assert landed and all(k.startswith("icao:") for k in landed)
        assert all(played.pipe.picture.track(k).time < T0 - 1800 for k in landed)

        def alerts(p: Played) -> set:
            return {(a["rule"], a["subject"], a["state"]) for a in p.alerts}

        assert alerts(played) == alerts(bare)
    finally:
        bare.pipe.close()
