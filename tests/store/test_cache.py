"""PictureCache round trips: tracks, histories to the bit, reports with trails, zones,
alerts, the sync cursor; re-saves, incremental saves and rows that fail to decode."""

from __future__ import annotations

import math
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cop_app.core.entities import Alert
from cop_app.core.enums import AlertState, Domain, Identity, PositionSource, Severity
from cop_app.core.picture import Picture
from cop_app.core.updates import ReportUpdate, TrackUpdate, air_key, sea_key
from cop_app.store import PictureCache, default_cache_path
from cop_app.store.schema import APPLICATION_ID, HISTORY_DTYPE, MIGRATIONS, SCHEMA_VERSION
from tests.store._synth import T0, assert_same_picture, synth_picture, synth_report


@pytest.fixture
def cache(tmp_path):
    with PictureCache(tmp_path / "cache.sqlite") as c:
        yield c


def _fresh_picture() -> Picture:
    return Picture(history_points=60, history_seconds=1e9)


def test_round_trip_is_exact(cache):
    original = synth_picture(5, n_tracks=400)
    cache.save(original)
    loaded = cache.load(_fresh_picture())
    assert len(loaded) == 400
    assert_same_picture(original, loaded)
    assert cache.problems == [] and cache.skipped == {}


def test_round_trip_of_a_picture_built_from_feed_updates(cache):
    """Fields as parsers put them: numpy scalars and enums are stored as plain values."""
    p = Picture()
    for k in range(70):  # more fixes than the picture keeps: the kept 60 are saved
        p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais", T0 + 10 * k,
                             46.0 + k * 1e-3, 31.0 - k * 1e-3,
                             {"speed_kn": np.float32(12.5), "nav_status": np.int64(5),
                              "ais_class": "A", "identity": Identity.HOSTILE}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.AIR, air_key("4ca1fa"), "sbs", T0, 48.1, 37.2,
                         {"callsign": "RYR1", "position_source": PositionSource.MLAT,
                          "on_ground": False, "squawk": "7700"}, stale_at=T0 + 45))  # fmt: skip
    p.upsert(TrackUpdate(Domain.AIR, air_key("4ca1fa"), "aircraft-json", T0 + 1, None, None,
                         {"altitude_ft": 35000}))  # fmt: skip
    p.upsert(ReportUpdate("rep-1", "geojson", T0, 47.0, 37.0, {"type": "Point",
             "coordinates": [37.0, 47.0]}, {"event_type": "explosion", "count": 3}))  # fmt: skip
    cache.save(p)
    loaded = cache.load()
    assert_same_picture(p, loaded)
    ship = loaded.track(sea_key(244123456))
    assert ship.history_points == 60 and ship.identity is Identity.HOSTILE
    assert type(ship.fields["speed_kn"]) is float and ship.fields["speed_kn"] == 12.5
    assert type(ship.fields["nav_status"]) is int and ship.fields["nav_status"] == 5
    plane = loaded.track(air_key("4ca1fa"))
    assert plane.sources == ("sbs", "aircraft-json")
    assert plane.stale_at == T0 + 1 + p.stale_seconds(air_key("4ca1fa"))
    assert plane.position_source is PositionSource.MLAT and plane.altitude_ft == 35000


def test_histories_are_little_endian_float64_blobs_one_row_per_track(cache):
    p = synth_picture(1, n_tracks=30)
    cache.save(p)
    con = sqlite3.connect(cache.path)
    rows = con.execute("SELECT key, n, t, lat, lon FROM histories").fetchall()
    assert len(rows) == 30
    key, n, t, lat, _lon = rows[1]
    expected_t, expected_lat, _ = p.history(key)
    assert n == len(expected_t) and len(t) == 8 * n
    assert np.array_equal(np.frombuffer(t, "<f8"), expected_t)
    assert np.array_equal(np.frombuffer(lat, "<f8"), expected_lat)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["history_dtype"] == HISTORY_DTYPE.str == "<f8"
    assert meta["schema"] == str(SCHEMA_VERSION) == str(len(MIGRATIONS))
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_odd_field_values_are_saved_not_fatal(cache):
    p = Picture()
    odd = {
        "nan": float("nan"),
        "inf": float("inf"),
        "tags": {"b", "a"},
        "raw": b"\x01\xff",
        "arr": np.arange(3),
        (1, 2): "tuple key",
        5: "int key",
        "obj": object,
    }
    p.upsert(TrackUpdate(Domain.LAND, "cot:x", "cot", T0, 1.0, 2.0, odd))
    cache.save(p)
    f = cache.load().track("cot:x").fields
    assert math.isnan(f["nan"]) and f["inf"] == math.inf
    assert f["tags"] == ["a", "b"] and f["raw"] == "01ff" and f["arr"] == [0, 1, 2]
    assert f["(1, 2)"] == "tuple key" and f["5"] == "int key"
    assert isinstance(f["obj"], str)


def test_resave_is_idempotent(cache):
    p = synth_picture(2, n_tracks=120)
    cache.save(p)
    con = sqlite3.connect(cache.path)
    dump = _dump(con)
    cache.save(p)
    cache.save(p)
    assert _dump(con) == dump
    con.close()
    assert_same_picture(p, cache.load(_fresh_picture()))


def _dump(con: sqlite3.Connection) -> dict[str, list]:
    tables = ["tracks", "histories", "reports", "report_trail", "zones", "alerts"]
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}


def test_save_replaces_the_previous_picture(cache):
    cache.save(synth_picture(1, n_tracks=200))
    smaller = synth_picture(2, n_tracks=50)
    cache.save(smaller)
    assert_same_picture(smaller, cache.load(_fresh_picture()))


def test_incremental_saves_follow_picture_notifications(cache):
    p = synth_picture(3, n_tracks=60)
    cache.save(p)
    auto = cache.follow(p)
    key = p.keys()[4]
    p.upsert(TrackUpdate(Domain(p.track(key).domain), key, "radar", T0 + 1e6, 10.0, 20.0,
                         {"callsign": "NEW"}))  # fmt: skip
    rep = synth_report(3, 1)
    rep.id = "late-report"
    p.restore_report(rep)
    assert auto.flush() == 2
    assert auto.flush() == 0
    auto.close()
    assert_same_picture(p, cache.load(_fresh_picture()))


def test_save_tracks_writes_only_the_named_tracks(cache):
    p = synth_picture(4, n_tracks=30)
    cache.save(p)
    a, b = p.keys()[:2]
    for key in (a, b):
        p.upsert(TrackUpdate(Domain(p.track(key).domain), key, "x", T0 + 1e6, 1.0, 2.0))
    cache.save_tracks(p, [a])
    loaded = cache.load(_fresh_picture())
    assert loaded.track(a) == p.track(a)
    assert loaded.track(b) != p.track(b) and "x" not in loaded.track(b).sources


def test_reports_keep_their_verification_trail(cache):
    p = Picture()
    rep = synth_report(0, 4)
    p.restore_report(rep)
    cache.save(p)
    back = cache.load().report(rep.id)
    assert [(s.from_status, s.to_status, s.actor, s.time, s.rationale) for s in back.trail] == [
        (s.from_status, s.to_status, s.actor, s.time, s.rationale) for s in rep.trail
    ]
    assert len(back.trail) == 4 and back.status == rep.status == "verified"
    assert back == rep


def test_alerts_round_trip(cache):
    alerts = [
        Alert(id="a1", rule="zone_entry", severity=Severity.HIGH, subject="mmsi:244123456",
              time=T0, lat=46.0, lon=31.0, message="entered corridor"),
        Alert(id="a2", rule="squawk", severity=Severity.CRITICAL, subject="icao:4ca1fa",
              time=T0 + 5, state=AlertState.ACKNOWLEDGED, acknowledged_by="duty officer",
              acknowledged_at=T0 + 30),
    ]  # fmt: skip
    cache.save(Picture(), alerts=alerts)
    assert cache.load_alerts() == alerts
    cache.save_alerts(alerts[1:])
    back = cache.load_alerts()
    assert back == alerts[1:] and back[0].severity is Severity.CRITICAL
    cache.save(Picture())  # a save without alerts leaves them alone
    assert cache.load_alerts() == alerts[1:]


def test_sync_cursor(cache, tmp_path):
    assert cache.get_cursor("events") is None
    cache.set_cursor("events", 41)
    cache.set_cursor("events", 2**53 + 1)
    cache.set_cursor("zones", 7)
    cache.close()
    with PictureCache(tmp_path / "cache.sqlite") as again:
        assert again.get_cursor("events") == 2**53 + 1
        assert again.get_cursor("zones") == 7


def test_bad_rows_are_counted_and_skipped(cache):
    p = synth_picture(6, n_tracks=40)
    cache.save(p)
    keys = p.keys()
    con = sqlite3.connect(cache.path)
    con.execute("UPDATE tracks SET fields = '{not json' WHERE key = ?", (keys[1],))
    con.execute("UPDATE tracks SET domain = 9 WHERE key = ?", (keys[2],))
    con.execute("UPDATE tracks SET sources = '{\"a\": 1}' WHERE key = ?", (keys[3],))
    con.execute("UPDATE histories SET t = x'0102' WHERE key = ?", (keys[4],))
    con.execute("UPDATE reports SET body = '[]' WHERE id = 'r0'")
    con.execute("UPDATE zones SET feature = '{\"type\": \"Feature\"}' WHERE id = 'buffer'")
    con.execute(
        "UPDATE zones SET feature = json_set(feature, '$.geometry.type', 'Blob')"
        " WHERE id = 'z6-line'"
    )
    con.commit()
    con.close()
    loaded = cache.load(_fresh_picture())
    assert cache.skipped == {"tracks": 4, "reports": 1, "zones": 2}
    assert sorted(loaded.keys()) == sorted(set(keys) - set(keys[1:5]))
    for key in loaded.keys():
        assert loaded.track(key) == p.track(key)
    assert loaded.report("r0") is None and loaded.zones == {}
    messages = [str(pr) for pr in cache.problems]
    assert any("4 of 40 cached tracks" in m and repr(keys[1]) in m for m in messages)
    assert all(pr.kind == "bad_rows" for pr in cache.problems)


def test_rows_the_picture_refuses_are_skipped_whole(cache):
    """A non-number in a numeric column, a bad domain, a non-text source or history
    count: the row is counted and skipped, and no partial track is left behind."""
    p = synth_picture(9, n_tracks=30)
    cache.save(p)
    keys = p.keys()
    con = sqlite3.connect(cache.path)
    con.execute("UPDATE tracks SET fields = json_set(fields, '$.speed_kn', 'fast')"
                " WHERE key = ?", (keys[3],))  # fmt: skip
    con.execute("UPDATE tracks SET fields = json_set(fields, '$.identity', 99) WHERE key = ?",
                (keys[5],))  # fmt: skip
    con.execute("UPDATE tracks SET sources = '[1, \"ais\"]' WHERE key = ?", (keys[8],))
    con.execute("UPDATE histories SET n = 'many' WHERE key = ?", (keys[9],))
    con.execute("UPDATE tracks SET last_time = 'noon' WHERE key = ?", (keys[12],))
    con.commit()
    con.close()
    loaded = cache.load(_fresh_picture())
    bad = {keys[i] for i in (3, 5, 8, 9, 12)}
    assert cache.skipped == {"tracks": 5}
    assert sorted(loaded.keys()) == sorted(set(keys) - bad)
    assert all(k not in loaded for k in bad)
    for key in loaded.keys():
        assert loaded.track(key) == p.track(key)
    assert any(repr(keys[3]) in str(pr) and "speed_kn" in str(pr) for pr in cache.problems)


def test_load_into_an_existing_picture_merges(cache):
    cache.save(synth_picture(7, n_tracks=10))
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T0, 1.0, 2.0))
    assert cache.load(p) is p
    assert len(p) == 11


def test_load_notifies_once(cache):
    cache.save(synth_picture(8, n_tracks=25))
    p = _fresh_picture()
    changes = []
    p.subscribe(changes.append)
    cache.load(p)
    assert len(changes) == 1 and len(changes[0].tracks) == 25 and len(changes[0].zones) == 2


def test_default_location_is_the_user_data_dir(monkeypatch, tmp_path):
    import cop_app.paths

    monkeypatch.setattr(cop_app.paths, "user_data_dir", lambda: tmp_path)
    assert default_cache_path() == tmp_path / "cache.sqlite"


_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.dictionaries(st.text(max_size=12), _json_values, max_size=6),
    sources=st.lists(st.text(max_size=10), max_size=3, unique=True),
    points=st.lists(st.tuples(st.floats(allow_nan=False), st.floats(-90, 90),
                              st.floats(-180, 180)), max_size=60),
)  # fmt: skip
def test_any_json_fields_and_history_survive_exactly(fields, sources, points):
    numeric = ("speed_kn", "course_deg", "heading_deg", "altitude_ft", "identity")
    fields = {k: v for k, v in fields.items() if k not in numeric}  # typed by the Picture
    p = Picture()
    t, lat, lon = (np.array(c, dtype=np.float64) for c in zip(*points, strict=True)) if points \
        else (np.array([]),) * 3  # fmt: skip
    p.restore_track("cot:h", Domain.LAND, fields=fields, sources=sources, last_time=T0,
                    stale_s=60.0, history=(t, lat, lon))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, PictureCache(Path(tmp) / "c.sqlite") as cache:
        cache.save(p)
        back = cache.load()
    assert back.track("cot:h").fields == fields
    assert back.track("cot:h").sources == tuple(sources)
    for a, b in zip(p.history("cot:h"), back.history("cot:h"), strict=True):
        assert a.tobytes() == b.tobytes()
