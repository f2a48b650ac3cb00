"""The ceasefire exercise scenario: determinism, real-parser round trips, plausibility,
legal verification, rates, and the runner against a stand-in pipeline.

A fake pipeline is used here (unit level); test_scenario_live.py runs the real server.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape

from cop_app.core.entities import Zone
from cop_app.core.enums import EventType, Perception, ZoneKind
from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate
from cop_app.core.verification import VerificationStatus, allowed_next
from cop_app.ingest import make_parser
from cop_app.server import scenario_air as air
from cop_app.server.scenario import (
    DirectUpdates,
    FeedText,
    Mix,
    ReportTransition,
    Scenario,
    ScenarioRunner,
)
from cop_app.server.scenario_land import land_emissions

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
EUROPE = (-25.0, 34.0, 45.0, 72.0)  # lon/lat bbox every aircraft must stay in
LINE_FORMATS = ("sbs", "nmea")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(seed=7, start=T0)


@pytest.fixture(scope="module")
def hour(scenario) -> list:
    """One hour of emissions, shared by the parsing and plausibility tests."""
    return list(scenario.emissions(T0, T0 + 3600))


@pytest.fixture(scope="module")
def parsed(hour) -> dict[str, list]:
    """The hour's text through the real parsers: {fmt: items}."""
    out: dict[str, list] = defaultdict(list)
    streams = {fmt: make_parser(fmt, "test") for fmt in ("sbs", "nmea", "cot")}
    for e in hour:
        if type(e) is not FeedText:
            continue
        if e.fmt == "geojson":  # one document per report
            p = make_parser("geojson", "test")
            out["geojson"] += p.feed(e.text) + p.close()
        else:
            out[e.fmt] += streams[e.fmt].feed(e.text + ("\n" if e.fmt in LINE_FORMATS else ""))
    for fmt, p in streams.items():
        out[fmt] += p.close()
    return out


def zones_by_id(doc: dict) -> dict[str, dict]:
    return {f["id"]: f for f in doc["features"]}


# ---- determinism -------------------------------------------------------------------------
def _render(emissions) -> list[str]:
    return [repr(e) for e in emissions]


def test_same_seed_and_window_give_identical_emissions():
    a = _render(Scenario(seed=3, start=T0).emissions(T0, T0 + 600))
    b = _render(Scenario(seed=3, start=T0 + 999).emissions(T0, T0 + 600))
    assert a and a == b
    assert a != _render(Scenario(seed=4, start=T0).emissions(T0, T0 + 600))


def test_consecutive_windows_equal_their_union(scenario):
    whole = _render(scenario.emissions(T0 + 100, T0 + 400))
    parts = []
    for a, b in ((100, 101.5), (101.5, 250), (250, 399.999), (399.999, 400)):
        parts += _render(scenario.emissions(T0 + a, T0 + b))
    assert parts == whole


def test_emissions_are_in_time_order(hour):
    times = [e.time for e in hour]
    assert times == sorted(times)
    assert T0 <= times[0] and times[-1] < T0 + 3600


# ---- every emitted text parses -----------------------------------------------------------
def test_one_hour_parses_with_zero_errors(parsed):
    for fmt in ("sbs", "nmea", "cot", "geojson"):
        errors = [i for i in parsed[fmt] if isinstance(i, ParseError)]
        assert parsed[fmt], f"no {fmt} items"
        assert errors == [], f"{fmt}: {errors[:3]}"


def test_message_kinds_as_feeds_send_them(hour):
    sbs = Counter(e.text.split(",")[1] for e in hour if type(e) is FeedText and e.fmt == "sbs")
    assert set(sbs) == {"1", "3", "4", "6"}
    ais_types = Counter()
    for e in hour:
        if type(e) is FeedText and e.fmt == "nmea":
            for line in e.text.splitlines():
                assert line.startswith("\\s:") and "c:" in line.split("\\")[1]
                sentence = line.split("\\")[2]
                fields = sentence.split(",")
                if fields[2] == "1":  # first fragment: payload's first char is the type
                    ais_types[ord(fields[5][0]) - 48] += 1
    assert {1, 3, 5, 18, 24} <= set(ais_types)


def test_sbs_times_are_utc_of_the_emission(hour, parsed):
    firsts = [e for e in hour if type(e) is FeedText and e.fmt == "sbs"][:50]
    updates = [u for u in parsed["sbs"] if isinstance(u, TrackUpdate)][:50]
    assert [round(u.time, 3) for u in updates] == [round(e.time, 3) for e in firsts]


# ---- plausible places --------------------------------------------------------------------
def test_aircraft_stay_in_europe(parsed):
    air_updates = [u for u in parsed["sbs"] if isinstance(u, TrackUpdate) and u.has_position]
    assert len({u.key for u in air_updates}) > 50
    lo_lon, lo_lat, hi_lon, hi_lat = EUROPE
    for u in air_updates:
        assert lo_lon <= u.lon <= hi_lon and lo_lat <= u.lat <= hi_lat, u


def test_aircraft_kinematics_are_realistic(parsed):
    for u in parsed["sbs"]:
        if "speed_kn" in u.fields:
            assert 200 <= u.fields["speed_kn"] <= 500, u
        if "altitude_ft" in u.fields:
            assert 0 <= u.fields["altitude_ft"] <= 60_000, u


def test_vessels_stay_in_the_corridor_and_ports(scenario, parsed):
    corridor = shape(zones_by_id(scenario.zones_geojson())["CF-COR"]["geometry"])
    shapely.prepare(corridor)
    ships = [u for u in parsed["nmea"] if isinstance(u, TrackUpdate) and u.has_position]
    assert len({u.key for u in ships}) > 100
    outside = [u for u in ships if not corridor.contains(Point(u.lon, u.lat))]
    assert outside == []


def test_uavs_and_reports_stay_near_the_line(scenario, parsed):
    zones = zones_by_id(scenario.zones_geojson())
    near = shape(zones["CF-AIR-LINE"]["geometry"])  # 40 km either side of the line
    for u in parsed["cot"]:
        assert near.contains(Point(u.lon, u.lat)), u
        assert u.fields["platform_class"] == "uav"
    _posted, _steps = land_emissions(7, T0 - 86400, T0)
    for plan in _posted:
        lon, lat = json.loads(plan.document)["features"][0]["geometry"]["coordinates"]
        assert near.contains(Point(lon, lat)), plan.id


def _left_of_line(lon: float, lat: float) -> bool:
    """True west/north of the ceasefire line (left when walking its vertices)."""
    from cop_app.server.scenario_zones import contact_line

    line = contact_line()
    p = line.frame.to_metres(Point(lon, lat))
    d = line.line_m.project(p)
    a = line.line_m.interpolate(max(d - 50, 0))
    b = line.line_m.interpolate(min(d + 50, line.length_m))
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) > 0


def test_hostile_uavs_east_and_mission_uavs_west(parsed):
    sides = Counter((u.fields["identity"], _left_of_line(u.lon, u.lat)) for u in parsed["cot"])
    hostile_east = sides["hostile", False] / (sides["hostile", False] + sides["hostile", True])
    friend_west = sides["friend", True] / (sides["friend", True] + sides["friend", False])
    # orbits are flown along a bending line, so a turn may stray over it now and then
    assert hostile_east > 0.95 and friend_west > 0.95, sides


# ---- zones -------------------------------------------------------------------------------
def test_zones_are_valid_core_zones(scenario):
    doc = scenario.zones_geojson()
    kinds = Counter()
    for f in doc["features"]:
        zone = Zone.from_feature(f)
        assert zone.geometry.is_valid, zone.id
        assert f["properties"]["exercise"] is True
        kinds[zone.kind] += 1
        if zone.kind in (ZoneKind.RESTRICTED_AIRSPACE, ZoneKind.PROHIBITED_AIRSPACE):
            assert zone.floor_ft is not None and zone.ceiling_ft > zone.floor_ft
    assert kinds[ZoneKind.CEASEFIRE_LINE] == 1 and kinds[ZoneKind.BUFFER] == 2
    assert kinds[ZoneKind.CORRIDOR] == 1 and kinds[ZoneKind.RESTRICTED_AIRSPACE] == 2
    corridor = Zone.from_feature(zones_by_id(doc)["CF-COR"])
    assert corridor.buffer_m == pytest.approx(10 * 1852)
    temp = Zone.from_feature(zones_by_id(doc)["CF-AIR-TRA1"])
    assert temp.valid_at(T0 + 3600) and not temp.valid_at(T0 + 7 * 3600)


def test_line_has_a_few_dozen_vertices_from_the_dnipro_to_the_border(scenario):
    line = shape(zones_by_id(scenario.zones_geojson())["CF-LINE"]["geometry"])
    coords = list(line.coords)
    assert 24 <= len(coords) <= 80
    (lon0, lat0), (lon1, lat1) = coords[0], coords[-1]
    assert 31 < lon0 < 33 and 46.3 < lat0 < 46.8  # Dnipro estuary / Kherson
    assert 37 < lon1 < 38.5 and 49.8 < lat1 < 50.5  # Russian border, Kharkiv oblast


def test_buffers_are_15_km_on_the_ground_not_degrees():
    from cop_app.server.scenario_zones import contact_line, load_zones

    zones = zones_by_id(load_zones())
    west = shape(zones["CF-BUF-W"]["geometry"])
    east = shape(zones["CF-BUF-E"]["geometry"])
    line = contact_line()
    frac = np.linspace(0.05, 0.95, 19)
    for dist, inside in ((14_000, True), (16_000, False)):
        for sign, zone in ((1, west), (-1, east)):
            lon, lat = line.points(frac, np.full(frac.shape, sign * dist))
            got = [zone.contains(Point(x, y)) for x, y in zip(lon, lat, strict=True)]
            # inner bends of the line can reach a point from a farther vertex: allow 2
            assert sum(g == inside for g in got) >= len(got) - 2, (dist, sign, got)


def test_corridor_is_10_nm_wide_on_the_ground():
    from cop_app.server.scenario_motion import GEOD
    from cop_app.server.scenario_zones import corridor_polygon, geography

    corridor = corridor_polygon()
    trunk = geography()["corridor"]["trunk"]
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(trunk[7:12]):
        az, _b, dist = GEOD.inv(lon0, lat0, lon1, lat1)
        mlon, mlat, _ = GEOD.fwd(lon0, lat0, az, dist / 2)
        for side in (90, -90):
            for nm, inside in ((9.5, True), (10.5, False)):
                x, y, _ = GEOD.fwd(mlon, mlat, az + side, nm * 1852)
                assert corridor.contains(Point(x, y)) == inside, (lon0, lat0, side, nm)


def test_zones_file_is_reproducible_from_the_build_step():
    from cop_app.server.scenario_zones import build_zones, load_zones

    built, saved = zones_by_id(build_zones()), zones_by_id(load_zones())
    assert built.keys() == saved.keys()
    for zid, feat in built.items():
        assert shape(feat["geometry"]).equals_exact(shape(saved[zid]["geometry"]), 1e-4), zid
        assert feat["properties"] == saved[zid]["properties"]


def test_zones_are_read_from_the_built_file_not_rebuilt_at_start(monkeypatch):
    """Start-up reads the prebuilt zones.geojson (buffering the line of contact with
    shapely takes seconds); its speed is not asserted here (no timed tests)."""
    from cop_app.server import scenario_zones

    def no_build() -> None:
        raise AssertionError("zones rebuilt at start-up")

    monkeypatch.setattr(scenario_zones, "build_zones", no_build)
    scenario_zones.load_zones.cache_clear()
    doc = Scenario(start=T0).zones_geojson()
    saved = {f["id"] for f in scenario_zones.load_zones()["features"]}
    assert saved and saved <= {f["id"] for f in doc["features"]}


# ---- air details -------------------------------------------------------------------------
def test_emergency_squawk_is_rare_but_happens():
    group, _ = air.transit_groups(7, 117, 0)
    i = np.repeat(np.arange(len(group)), 2880)
    t = T0 + np.tile(np.arange(2880) * 30.0, len(group))  # a day in 30 s steps
    codes = group.squawk_at(i, t)
    share = codes.count("7700") / len(codes)
    assert 0 < share < 0.01
    assert all(len(c) == 4 and set(c) <= set("01234567") for c in codes)


def test_icao_addresses_and_callsigns_are_distinct():
    text, typed = air.transit_groups(1, 1000, 20_000)
    orbit = air.orbit_group(1, len(air.ORBITS))
    hexes = text.icao + typed.icao + orbit.icao
    assert len(set(hexes)) == len(hexes)
    assert all(len(h) == 6 and int(h, 16) >= 0 for h in hexes)
    assert len(set(text.callsign + typed.callsign)) == 21_000


# ---- land: rates and verification --------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_report_rate_per_day_is_tens_to_a_few_hundred(seed):
    posted, _ = land_emissions(seed, T0, T0 + 86400)
    assert 30 <= len(posted) <= 300, len(posted)


def test_reports_use_smm_vocabulary_and_grading():
    posted, _ = land_emissions(2, T0, T0 + 3 * 86400)
    kinds = Counter()
    for plan in posted:
        props = json.loads(plan.document)["features"][0]["properties"]
        kinds[props["event_type"]] += 1
        assert props["event_type"] in {e.value for e in EventType}
        assert props["perception"] in {p.value for p in Perception}
        assert props["reliability"] in "ABCDEF" and 1 <= props["credibility"] <= 6
        assert isinstance(props["count"], int) and props["count"] >= 1
    assert len(kinds) >= 7


def test_verification_goes_through_legal_transitions_only():
    start, end = T0, T0 + 4 * 86400
    posted, steps = land_emissions(5, start, end, reports_since=start)
    status = {p.id: VerificationStatus.REPORTED for p in posted}
    for s in sorted(steps, key=lambda s: s.time):
        assert s.report_id in status, s
        assert VerificationStatus(s.to_status) in allowed_next(status[s.report_id]), s
        status[s.report_id] = VerificationStatus(s.to_status)
    early = Counter(status[p.id] for p in posted if p.posted < end - 3 * 86400)
    for final in ("verified", "rejected", "unverifiable", "triaged"):
        assert early[VerificationStatus(final)] > 0, early


# ---- scale -------------------------------------------------------------------------------
@pytest.mark.parametrize("tracks", [0, 1, 19, 20, 21, 280, 5_000, 100_000])
def test_mix_adds_up_to_the_requested_tracks(tracks):
    assert Mix.for_tracks(tracks).total == tracks


def test_scale_out_of_range_is_refused():
    with pytest.raises(ValueError):
        Scenario(tracks=100_001)


def _track_keys(emissions) -> set[str]:
    keys: set[str] = set()
    streams = {fmt: make_parser(fmt, "scale") for fmt in ("sbs", "nmea", "cot")}
    for e in emissions:
        if type(e) is DirectUpdates:
            keys.update(u.key for u in e.updates)
        elif type(e) is FeedText and e.fmt in streams:
            items = streams[e.fmt].feed(e.text + "\n")
            assert not any(isinstance(i, ParseError) for i in items), items
            keys.update(i.key for i in items if isinstance(i, TrackUpdate))
    for p in streams.values():
        keys.update(i.key for i in p.close() if isinstance(i, TrackUpdate))
    return keys


def test_default_scale_shows_every_track_within_three_minutes():
    sc = Scenario(seed=2, start=T0)
    keys = _track_keys(sc.emissions(T0, T0 + 180))
    # transit aircraft between legs are on the ground and silent
    assert 0.7 * sc.tracks <= len(keys) <= sc.tracks


@pytest.mark.slow
def test_100k_scale_gives_100k_distinct_tracks():
    t = time.perf_counter()
    sc = Scenario(seed=0, tracks=100_000, start=T0)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    emissions = list(sc.emissions(T0, T0 + 180))
    emit_s = time.perf_counter() - t
    keys = _track_keys(emissions)
    assert len(keys) == 100_000
    print(f"100k: build {build_s:.2f} s, 3 simulated minutes emitted in {emit_s:.2f} s")


# ---- the runner --------------------------------------------------------------------------
class FakePipeline:
    """Records calls; enforces the verification graph like the real pipeline."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.errors: list[ParseError] = []
        self.tracks: set[str] = set()
        self.status: dict[str, VerificationStatus] = {}
        self.illegal: list[tuple[str, str]] = []

    def put_zones(self, fc: dict) -> int:
        self.calls.append(("zones", str(len(fc["features"]))))
        return 1

    def ingest_text(self, fmt: str, text: str, source: str, *, received=None):
        self.calls.append(("text", fmt))
        p = make_parser(fmt, source)
        items = p.feed(text) + p.close()
        self.ingest_updates(items, source)
        self.errors += [i for i in items if isinstance(i, ParseError)]
        return p.stats

    def ingest_updates(self, updates: list, source: str, *, received=None):
        self.calls.append(("updates", source))
        for u in updates:
            if isinstance(u, TrackUpdate):
                self.tracks.add(u.key)
            elif isinstance(u, ReportUpdate):
                self.status.setdefault(u.id, VerificationStatus(u.fields["status"]))

    def transition_report(self, report_id: str, to_status: str, actor: str, rationale: str,
                          *, at=None):
        self.calls.append(("transition", to_status))
        current = self.status[report_id]  # KeyError for an unknown report, as the server
        if VerificationStatus(to_status) not in allowed_next(current):
            self.illegal.append((report_id, to_status))
            raise ValueError("illegal transition")
        self.status[report_id] = VerificationStatus(to_status)


def test_runner_backfills_then_ticks_and_stops():
    fake = FakePipeline()
    sc = Scenario(seed=1, start=T0)
    runner = ScenarioRunner(sc, fake, speed=120.0, tick_s=0.05)
    runner.start()
    assert runner.ready.wait(30)
    backfilled = len(fake.calls)
    time.sleep(0.5)
    runner.stop()
    assert not runner._thread.is_alive()
    assert fake.calls[0][0] == "zones"
    assert {fmt for kind, fmt in fake.calls if kind == "text"} == {"sbs", "nmea", "cot",
                                                                    "geojson"}
    assert len(fake.calls) > backfilled  # live ticks followed the backfill
    assert runner.sim_time > T0 + 30  # 0.5 s of wall time at 120x
    assert fake.errors == [] and fake.illegal == []
    assert len(fake.tracks) > 150
    assert len(fake.status) >= 30  # the last day's reports
    assert any(s != VerificationStatus.REPORTED for s in fake.status.values())
    assert runner.stats["transition"] > 0 and runner.stats["transition_refused"] == 0


def test_runner_survives_a_pipeline_that_refuses_everything():
    class Refusing:
        def __getattr__(self, name):
            def refuse(*args):
                raise RuntimeError("down")

            return refuse

    runner = ScenarioRunner(Scenario(seed=1, start=T0), Refusing(), speed=60.0, tick_s=0.02)
    runner.start()
    assert runner.ready.wait(30)
    time.sleep(0.2)
    runner.stop()
    assert runner.stats["zones_refused"] == 1 and runner.stats["sbs_refused"] > 1
    assert not runner._thread.is_alive()


def test_runner_rejects_nonsense_speed():
    with pytest.raises(ValueError):
        ScenarioRunner(Scenario(start=T0), FakePipeline(), speed=0)


def test_transition_emissions_carry_actor_and_rationale(scenario):
    steps = [e for e in scenario.emissions(T0, T0 + 6 * 3600, domains=("land",))
             if type(e) is ReportTransition]  # fmt: skip
    assert steps
    for s in steps:
        assert s.actor and s.rationale and not math.isnan(s.time)
