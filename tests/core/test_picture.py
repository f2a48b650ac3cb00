"""The Picture: merging, history bounds, as_of interpolation, staleness, queries."""

from __future__ import annotations

import numpy as np
import pytest

from cop_app.core.entities import AirTrack, MaritimeTrack
from cop_app.core.enums import Domain, Identity
from cop_app.core.picture import Picture, StalePolicy
from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate, air_key, sea_key

T0 = 1_790_000_000.0


def ship(t, lat, lon, mmsi=244123456, source="ais", **fields):
    return TrackUpdate(Domain.SEA, sea_key(mmsi), source, t, lat, lon, dict(fields))


def plane(t, lat, lon, icao="4ca1fa", source="sbs", **fields):
    return TrackUpdate(Domain.AIR, air_key(icao), source, t, lat, lon, dict(fields))


def test_two_sources_make_one_track_that_lists_both():
    p = Picture()
    p.upsert(plane(T0, 48.0, 37.0, source="sbs", callsign="RYR1"))
    p.upsert(plane(T0 + 1, 48.01, 37.01, icao="4CA1FA", source="aircraft-json", squawk="7700"))
    assert len(p) == 1
    tr = p.track(air_key("4ca1fa"))
    assert isinstance(tr, AirTrack)
    assert tr.sources == ("sbs", "aircraft-json")
    assert tr.callsign == "RYR1" and tr.squawk == "7700"
    assert (tr.lat, tr.lon) == (48.01, 37.01)


def test_static_data_merges_into_the_vessel_without_moving_it():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0, speed_kn=12.5, ais_class="A"))
    p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais", T0 + 5, None, None,
                         {"name": "NORDIC STAR", "imo": 9123456, "destination": "ODESA"}))
    tr = p.track(sea_key(244123456))
    assert isinstance(tr, MaritimeTrack)
    assert tr.name == "NORDIC STAR" and tr.imo == 9123456 and tr.speed_kn == 12.5
    assert (tr.lat, tr.lon) == (46.0, 31.0)
    assert tr.history_points == 1


def test_as_of_interpolates_between_fixes():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0))
    p.upsert(ship(T0 + 100, 46.1, 31.2))
    f = p.as_of(T0 + 25)
    assert f.keys == [sea_key(244123456)]
    assert f.lat[0] == pytest.approx(46.025)
    assert f.lon[0] == pytest.approx(31.05)
    assert f.time[0] == T0


def test_as_of_ignores_fixes_from_the_future_and_before_birth():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0))
    p.upsert(ship(T0 + 100, 46.1, 31.2))
    assert len(p.as_of(T0 - 1)) == 0
    f = p.as_of(T0 + 100)
    assert (f.lat[0], f.lon[0]) == (46.1, 31.2)


def test_interpolation_takes_the_short_way_across_the_antimeridian():
    p = Picture()
    p.upsert(ship(T0, 0.0, 179.0))
    p.upsert(ship(T0 + 10, 0.0, -179.0))
    assert p.as_of(T0 + 5).lon[0] == pytest.approx(180.0) or p.as_of(T0 + 5).lon[0] == -180.0
    assert p.as_of(T0 + 7.5).lon[0] == pytest.approx(-179.5)


def test_stale_tracks_are_hidden_not_deleted():
    p = Picture(stale=StalePolicy(air_s=60, sea_class_a_s=360, sea_class_b_s=900))
    p.upsert(plane(T0, 48.0, 37.0))
    p.upsert(ship(T0, 46.0, 31.0, ais_class="A"))
    p.upsert(ship(T0, 46.0, 31.0, mmsi=211000001, ais_class="B"))
    assert len(p.as_of(T0 + 59)) == 3
    assert p.as_of(T0 + 61).counts() == {"air": 0, "sea": 2, "land": 0}
    assert p.as_of(T0 + 400).counts()["sea"] == 1  # class B lasts longer
    assert len(p.as_of(T0 + 1000)) == 0
    assert len(p.as_of(T0 + 1000, include_stale=True)) == 3
    assert len(p) == 3


def test_an_ais_gap_is_not_bridged_by_interpolation():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0))
    p.upsert(ship(T0 + 3600, 46.5, 31.5))  # an hour dark
    assert len(p.as_of(T0 + 1800)) == 0
    assert len(p.as_of(T0 + 300)) == 1


def test_explicit_stale_time_wins():
    p = Picture()
    u = TrackUpdate(Domain.LAND, "cot:unit-1", "cot", T0, 48.0, 37.0, {}, stale_at=T0 + 10)
    p.upsert(u)
    assert len(p.as_of(T0 + 9)) == 1
    assert len(p.as_of(T0 + 11)) == 0


def test_history_is_bounded_by_count_and_age():
    p = Picture(history_points=5, history_seconds=100)
    for k in range(10):
        p.upsert(ship(T0 + k, 46.0 + k * 0.01, 31.0))
    t, lat, _ = p.history(sea_key(244123456))
    assert list(t) == [T0 + k for k in range(5, 10)]
    assert lat[-1] == pytest.approx(46.09)
    p.upsert(ship(T0 + 150, 46.5, 31.0))
    t, _, _ = p.history(sea_key(244123456))
    assert list(t) == [T0 + 150]  # everything else was older than 100 s


def test_late_fix_is_inserted_in_time_order_and_duplicates_dropped():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0))
    p.upsert(ship(T0 + 20, 46.2, 31.0))
    p.upsert(ship(T0 + 10, 46.1, 31.0, source="ais-sat"))
    p.upsert(ship(T0 + 20, 46.2, 31.0, source="ais-sat"))
    t, _lat, _ = p.history(sea_key(244123456))
    assert list(t) == [T0, T0 + 10, T0 + 20]
    assert p.track(sea_key(244123456)).lat == 46.2  # a late fix never moves the head


def test_window_and_bbox_queries():
    p = Picture()
    p.upsert(ship(T0, 46.0, 31.0, mmsi=1))
    p.upsert(ship(T0 + 500, 44.0, 33.0, mmsi=2))
    p.upsert(plane(T0 + 1000, 48.0, 37.0))
    w = p.in_window(T0 + 400, T0 + 600)
    assert w.keys == [sea_key(2)]
    b = p.in_bbox((30.0, 45.0, 32.0, 47.0))
    assert b.keys == [sea_key(1)]
    assert p.in_bbox((170.0, -10.0, -170.0, 10.0)).keys == []


def test_reports_queries_and_merge():
    p = Picture()
    p.upsert(ReportUpdate("r1", "geojson", T0, 48.0, 37.5, None,
                          {"event_type": "explosion", "title": "Explosions heard"}))
    p.upsert(ReportUpdate("r2", "geojson", T0 + 3600, 47.0, 37.0, None, {"event_type": "nope"}))
    p.upsert(ReportUpdate("r1", "kml", None, None, None, None, {"status": "triaged"}))
    r1 = p.report("r1")
    assert r1.status.value == "triaged" and r1.version == 2 and r1.sources == ("geojson", "kml")
    assert p.report("r2").event_type.value == "other"
    assert [r.id for r in p.reports_in(start=T0 + 10)] == ["r2"]
    assert [r.id for r in p.reports_in(bbox=(37.2, 47.5, 38.0, 48.5))] == ["r1"]


def test_batches_notify_once_and_errors_are_ignored():
    p = Picture()
    seen = []
    unsubscribe = p.subscribe(seen.append)
    n = p.upsert_many([ship(T0, 46, 31, mmsi=1), ParseError("x", "line 1", "bad"),
                       ship(T0, 46, 31, mmsi=2)])
    assert n == 2
    assert len(seen) == 1 and seen[0].tracks == {sea_key(1), sea_key(2)}
    p.upsert(ship(T0 + 1, 46, 31, mmsi=1))
    assert len(seen) == 2
    unsubscribe()
    p.upsert(ship(T0 + 2, 46, 31, mmsi=1))
    assert len(seen) == 2


def test_identity_column_follows_fields():
    p = Picture()
    p.upsert(plane(T0, 48, 37, identity="hostile"))
    assert p.as_of(T0).identity[0] == Identity.HOSTILE


def test_grows_past_initial_capacity():
    p = Picture(capacity=4)
    for k in range(50):
        p.upsert(ship(T0, 40 + k * 0.1, 30.0, mmsi=100 + k))
    f = p.as_of(T0)
    assert len(f) == 50
    np.testing.assert_allclose(np.sort(f.lat), 40 + np.arange(50) * 0.1)


def test_a_late_message_fills_gaps_but_never_overwrites_newer_fields():
    p = Picture()
    p.upsert(plane(T0 + 10, 48.1, 37.1, altitude_ft=3000.0))
    p.upsert(plane(T0, 48.0, 37.0, altitude_ft=9000.0, callsign="LATE1"))
    tr = p.track(air_key("4ca1fa"))
    assert tr.fields["altitude_ft"] == 3000.0 and tr.callsign == "LATE1"
    assert p.as_of(T0 + 10).altitude_ft[0] == 3000.0
    assert (tr.lat, tr.lon) == (48.1, 37.1)


def test_sources_per_track_stay_bounded():
    p = Picture()
    for k in range(40):
        p.upsert(ship(T0 + k, 46.0, 31.0, source=f"file{k}.nmea"))
    srcs = p.track(sea_key(244123456)).sources
    assert len(srcs) == 16 and srcs[-1] == "file39.nmea"


def test_writers_and_readers_on_several_threads_keep_histories_consistent():
    import threading

    p = Picture(history_points=8)
    stop = threading.Event()
    problems: list[str] = []

    def writer(offset: int) -> None:
        for k in range(3000):
            p.upsert(ship(T0 + k + offset * 0.5, 46.0 + k * 1e-4, 31.0, mmsi=1 + k % 5))

    def reader() -> None:
        while not stop.is_set():
            f = p.as_of(T0 + 1500)
            if len(f) and not np.isfinite(f.lat).all():
                problems.append("non-finite position")
            for key in p.keys():
                t, _, _ = p.history(key)
                if len(t) > 8 or (np.diff(t) < 0).any():
                    problems.append(f"{key}: bad history {t}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    r = threading.Thread(target=reader)
    r.start()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    stop.set()
    r.join()
    assert problems == []
    assert len(p) == 5


def test_attribute_values_reads_many_tracks_at_once_and_none_where_missing():
    pic = Picture()
    pic.upsert(TrackUpdate(key="icao:4ca7e1", domain=Domain.AIR, source="t", time=T0,
                           lat=47.0, lon=33.0, fields={"callsign": "RCH123"}))  # fmt: skip
    pic.upsert(TrackUpdate(key="mmsi:244710865", domain=Domain.SEA, source="t", time=T0,
                           lat=46.0, lon=31.0, fields={"name": "EVER <b>", "callsign": "PD"}))
    got = pic.attribute_values(["mmsi:244710865", "nobody", "icao:4ca7e1"], ("callsign", "name"))
    assert got == [("PD", "EVER <b>"), (None, None), ("RCH123", None)]
    # Values, not the stored dicts: the caller cannot change the picture through them.
    assert pic.track_state("icao:4ca7e1").fields["callsign"] == "RCH123"


def test_replay_over_thinned_history_is_not_lost_between_held_fixes():
    """Stored history holds one fix every two minutes (the demo's older hours, the
    server's backfill at one a minute); an aircraft (stale after 60 s) reporting all
    along must replay as alive between them, interpolated, not as lost half the time.
    A real silence longer than picture.BRIDGE_S still goes stale."""
    from cop_app.core.picture import BRIDGE_S

    p = Picture(stale=StalePolicy(air_s=60, sea_class_a_s=360, sea_class_b_s=900))
    for k in range(6):  # every 2 min, then a 10-min silence, then one more fix
        p.upsert(TrackUpdate(key="icao:abc", domain=Domain.AIR, source="t",
                             time=T0 + 120 * k, lat=48.0, lon=30.0 + k * 0.1))  # fmt: skip
    p.upsert(TrackUpdate(key="icao:abc", domain=Domain.AIR, source="t",
                         time=T0 + 600 + 600, lat=48.0, lon=31.0))  # fmt: skip
    mid = p.as_of(T0 + 120 * 2 + 90)  # 90 s after a fix, 30 s before the next
    assert mid.keys == ["icao:abc"] and not mid.lost.any()
    assert mid.lon[0] == pytest.approx(30.2 + 0.1 * 90 / 120)
    assert mid.time[0] == T0 + 240  # the fix held: ages still count from it
    assert 600 > BRIDGE_S
    silent = p.as_of(T0 + 600 + 90, include_lost=True)  # 90 s into the 10-min silence
    assert silent.lost.all()
    assert p.as_of(T0 + 600 + 90).keys == []


def test_replay_over_thinned_archived_history_is_not_lost_between_fixes():
    """The same over fixes fetched for replay (the archive): the kept history holds only
    today's fix, the two-minute fixes of an hour ago come from the server."""
    p = Picture(stale=StalePolicy(air_s=60, sea_class_a_s=360, sea_class_b_s=900))
    p.upsert(TrackUpdate(key="icao:abc", domain=Domain.AIR, source="t", time=T0 + 3600,
                         lat=48.0, lon=35.0))  # fmt: skip
    times = [T0 + 120 * k for k in range(5)]
    p.add_archived_fixes(["icao:abc"] * 5, times, [48.0] * 5, [30.0 + 0.1 * k for k in range(5)],
                         span=(T0, T0 + 600))  # fmt: skip
    mid = p.as_of(T0 + 120 + 90)
    assert mid.keys == ["icao:abc"] and not mid.lost.any()
    assert mid.lon[0] == pytest.approx(30.1 + 0.1 * 90 / 120)
