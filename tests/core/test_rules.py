"""Core rules on a Picture, without the server: the grid lookup agrees with shapely,
validity periods and floor/ceiling are respected, loitering is found from history in
one evaluation, and evaluating twice gives the same answer."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.rules import RuleConfig, RuleEngine
from cop_app.core.rules.zones import Grid, ZoneCache, metric_buffer
from cop_app.core.updates import TrackUpdate

T0 = 1_790_000_000.0
SQUARE = shapely.box(30.0, 45.0, 30.2, 45.2)


def picture_with(zone: Zone) -> Picture:
    p = Picture(history_points=60, history_seconds=86400)
    p.set_zone(zone)
    return p


def air(p: Picture, key: str, t: float, lon: float, lat: float, alt: float | None) -> None:
    fields = {} if alt is None else {"altitude_ft": alt}
    p.upsert(TrackUpdate(Domain.AIR, key, "t", t, lat, lon, fields))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(29.9, 30.3), st.floats(44.9, 45.3)), min_size=1,
                max_size=50))  # fmt: skip
def test_grid_lookup_agrees_with_shapely(points):
    zone = Zone("Z", ZoneKind.BUFFER, "z", shape({"type": "Polygon", "coordinates": [[
        [30.0, 45.0], [30.2, 45.05], [30.15, 45.2], [30.05, 45.12], [30.0, 45.0]]]}))  # fmt: skip
    [pz] = ZoneCache().prepared([zone], T0)
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    want = [zone.geometry.intersects(Point(x, y)) for x, y in points]
    assert pz.contains(lon, lat).tolist() == want


def test_grid_cells_are_classified_conservatively():
    g = Grid(SQUARE, n=16)
    assert set(np.unique(g.state)) <= {0, 1, 2}
    # every cell marked inside lies inside the geometry
    ix, iy = np.nonzero(g.state == 1)
    centres_x = g.w + (ix + 0.5) * g.dx
    centres_y = g.s + (iy + 0.5) * g.dy
    assert shapely.contains_xy(SQUARE, centres_x, centres_y).all()


def test_floor_ceiling_and_validity_period():
    zone = Zone("P", ZoneKind.PROHIBITED_AIRSPACE, "P", SQUARE, floor_ft=1000,
                ceiling_ft=10000, valid_from=T0, valid_to=T0 + 3600)  # fmt: skip
    p = picture_with(zone)
    air(p, "low", T0 + 10, 30.1, 45.1, 500)
    air(p, "in", T0 + 10, 30.1, 45.1, 5000)
    air(p, "high", T0 + 10, 30.1, 45.1, 12000)
    air(p, "unknown", T0 + 10, 30.1, 45.1, None)
    air(p, "out", T0 + 10, 30.3, 45.1, 5000)
    conds = RuleEngine().evaluate(p, T0 + 20)
    assert set(conds) == {("in", "air_zone_entry"), ("unknown", "air_zone_entry")}
    strict = RuleEngine(RuleConfig(unknown_altitude_inside=False)).evaluate(p, T0 + 20)
    assert set(strict) == {("in", "air_zone_entry")}
    # before the zone is valid: nothing
    before = picture_with(zone)
    air(before, "in", T0 - 100, 30.1, 45.1, 5000)
    assert RuleEngine().evaluate(before, T0 - 90) == {}


def test_loiter_found_from_history_in_one_evaluation_and_stable():
    cor = Zone("COR", ZoneKind.CORRIDOR, "c", shapely.box(33.0, 44.0, 34.0, 44.1), buffer_m=2000)
    p = picture_with(cor)
    for k in range(8):  # 35 min at ~0.3 kn, no SOG reported: implied speeds from history
        p.upsert(TrackUpdate(Domain.SEA, "slow", "t", T0 + k * 300, 44.05, 33.3 + k * 1e-4))
        p.upsert(TrackUpdate(Domain.SEA, "brief", "t", T0 + 1200 + k * 100, 44.05, 33.5))
    engine = RuleEngine()
    first = engine.evaluate(p, T0 + 2100)
    assert set(first) == {("slow", "corridor_loiter")}
    assert first[("slow", "corridor_loiter")].details["since"] == T0
    assert engine.evaluate(p, T0 + 2100) == first


def test_ceasefire_crossing_only_for_segments_meeting_the_line():
    line = Zone("L", ZoneKind.CEASEFIRE_LINE, "L", shapely.LineString([(31, 44.5), (31, 45.5)]))
    p = picture_with(line)
    rng = np.random.default_rng(3)
    expected = set()
    for i in range(300):
        lon0, lat0 = rng.uniform(30.5, 31.5), rng.uniform(44.3, 45.7)
        lon1, lat1 = lon0 + rng.uniform(-0.1, 0.1), lat0 + rng.uniform(-0.1, 0.1)
        air(p, f"a{i}", T0, lon0, lat0, 30000)
        air(p, f"a{i}", T0 + 30, lon1, lat1, 30000)
        if shapely.LineString([(lon0, lat0), (lon1, lat1)]).intersects(line.geometry):
            expected.add((f"a{i}", "ceasefire_crossing"))
    got = {k for k in RuleEngine(RuleConfig(rules=frozenset({"ceasefire_crossing"})))
           .evaluate(p, T0 + 31)}  # fmt: skip
    assert expected and got == expected


def test_metric_buffer_is_metres_on_the_ground():
    grown = metric_buffer(SQUARE, 5000.0)
    # 5 km north of the north edge (45.2N) is ~0.045 degrees of latitude
    assert abs((grown.bounds[3] - 45.2) * 111_132 - 5000) < 50
    # in longitude at 45N a degree is ~78.8 km: 5 km ~ 0.0635 degrees
    assert abs((30.0 - grown.bounds[0]) * 78_850 - 5000) < 100


def test_friendly_aircraft_in_restricted_airspace_raise_no_entry_alert():
    zone = Zone("R", ZoneKind.RESTRICTED_AIRSPACE, "R", SQUARE, floor_ft=0, ceiling_ft=60000)
    p = picture_with(zone)
    for key, identity in (("cot:mon-1", "friend"), ("cot:af-1", "assumed_friend"),
                          ("cot:uav-1", "hostile"), ("icao:abc123", None)):  # fmt: skip
        fields = {"altitude_ft": 5000.0} | ({"identity": identity} if identity else {})
        p.upsert(TrackUpdate(Domain.AIR, key, "t", T0, 45.1, 30.1, fields))
    hits = {s for (s, r) in RuleEngine().evaluate(p, T0) if r == "air_zone_entry"}
    assert hits == {"cot:uav-1", "icao:abc123"}
    everyone = RuleConfig(airspace_exempt=frozenset())
    hits = {s for (s, r) in RuleEngine(everyone).evaluate(p, T0) if r == "air_zone_entry"}
    assert hits == {"cot:mon-1", "cot:af-1", "cot:uav-1", "icao:abc123"}


def test_only_reports_of_the_last_hour_count_as_new_inside_a_zone():
    from cop_app.core.updates import ReportUpdate

    p = picture_with(Zone("B", ZoneKind.BUFFER, "B", SQUARE))
    for rid, age in (("old", 2 * 3600.0), ("fresh", 600.0)):
        p.upsert(ReportUpdate(rid, "t", T0 - age, 45.1, 30.1, None, {"event_type": "explosion"}))
    hits = {s for (s, r) in RuleEngine().evaluate(p, T0) if r == "report_in_zone"}
    assert hits == {"fresh"}
