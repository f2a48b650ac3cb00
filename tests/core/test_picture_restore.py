"""Saving and restoring the Picture: track_state(s), restore_track and bulk restore_tracks.

The reference for every bulk result is the same picture built one track at a time
(``restore_track``) or from the live updates (``upsert``); a bad row must never leave
a partial track behind.
"""

from __future__ import annotations

import numpy as np
import pytest

from cop_app.core.enums import Domain, Identity
from cop_app.core.picture import Picture, TrackState
from cop_app.core.updates import TrackUpdate, air_key, sea_key

T0 = 1_790_000_000.0


def _random_tracks(n_tracks: int, seed: int = 1, max_points: int = 90):
    """Columns for restore: unsorted times, some empty or longer than the picture keeps."""
    rng = np.random.default_rng(seed)
    keys, doms, fields, sources, last, stale, hist = [], [], [], [], [], [], ([], [], [])
    for i in range(n_tracks):
        n = int(rng.integers(0, max_points))
        t = T0 + rng.permutation(np.cumsum(rng.uniform(0.5, 20.0, n)))
        keys.append(f"cot:unit-{i}")
        doms.append(Domain(i % 3))
        ident = Identity(i % 9).name.lower()
        fields.append({"speed_kn": float(rng.uniform(0, 500)), "name": f"U{i}",
                       "identity": ident, "course_deg": i % 360})  # fmt: skip
        sources.append(["cot", "sbs"][: 1 + i % 2])
        last.append(float(t.max()) if n else T0)
        stale.append(float(60 + i % 5))
        for col, values in zip(hist, (t, rng.uniform(-80, 80, n), rng.uniform(-180, 180, n)),
                               strict=True):  # fmt: skip
            col.append(values)
    return keys, doms, fields, sources, last, stale, hist


def _one_by_one(cols, **kw) -> Picture:
    keys, doms, fields, sources, last, stale, (t, lat, lon) = cols
    p = Picture(**kw)
    for i, key in enumerate(keys):
        p.restore_track(key, doms[i], fields=fields[i], sources=sources[i], last_time=last[i],
                        stale_s=stale[i], history=(t[i], lat[i], lon[i]))  # fmt: skip
    return p


def _assert_same(a: Picture, b: Picture) -> None:
    assert a.keys() == b.keys()
    for key in a.keys():
        assert a.track(key) == b.track(key), key
        assert a.track_state(key) == b.track_state(key), key
        for x, y in zip(a.history(key), b.history(key), strict=True):
            assert x.tobytes() == y.tobytes(), key


def _padded(arrays: list[np.ndarray], fill: float) -> np.ndarray:
    width = max((len(a) for a in arrays), default=0)
    out = np.full((len(arrays), width), np.nan)  # padding deliberately not the fill
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out


@pytest.mark.parametrize("points", [2, 30, 60])
def test_bulk_restore_from_per_track_arrays_equals_one_by_one(points):
    cols = _random_tracks(400, seed=points)
    keys, doms, fields, sources, last, stale, hist = cols
    bulk = Picture(history_points=points, capacity=16)
    assert bulk.restore_tracks(keys, doms, fields=fields, sources=sources, last_time=last,
                               stale_s=stale, history=hist) == {}  # fmt: skip
    _assert_same(bulk, _one_by_one(cols, history_points=points))


def test_bulk_restore_from_2d_blocks_equals_one_by_one():
    cols = _random_tracks(300, seed=9)
    keys, doms, fields, sources, last, stale, (t, lat, lon) = cols
    n = np.array([len(a) for a in t])
    bulk = Picture()
    bulk.restore_tracks(keys, np.array([int(d) for d in doms], np.int8), fields=fields,
                        sources=sources, last_time=np.array(last), stale_s=np.array(stale),
                        history=(_padded(t, np.inf), _padded(lat, np.nan),
                                 _padded(lon, np.nan)), history_n=n)  # fmt: skip
    _assert_same(bulk, _one_by_one(cols))


def test_restored_history_keeps_the_newest_points_in_time_order():
    p = Picture(history_points=3)
    t = np.array([T0 + 5, T0 + 1, T0 + 4, T0 + 2, T0 + 3])
    p.restore_tracks(["k"], [Domain.SEA], fields=[{}], sources=[["ais"]], last_time=[T0 + 5],
                     stale_s=[60.0], history=([t], [t - T0], [-(t - T0)]))  # fmt: skip
    ht, hlat, hlon = p.history("k")
    assert ht.tolist() == [T0 + 3, T0 + 4, T0 + 5]
    assert hlat.tolist() == [3.0, 4.0, 5.0] and hlon.tolist() == [-3.0, -4.0, -5.0]
    tr = p.track("k")
    assert (tr.lat, tr.lon, tr.history_points) == (5.0, -5.0, 3)


def test_a_picture_saved_and_restored_answers_as_of_like_the_original():
    live = Picture()
    rng = np.random.default_rng(4)
    for step in range(20):
        for i in range(50):
            key = air_key(f"{i:06x}") if i % 2 else sea_key(200_000_000 + i)
            live.upsert(TrackUpdate(Domain.AIR if i % 2 else Domain.SEA, key, "feed",
                                    T0 + 10 * step + i * 0.1, float(rng.uniform(44, 52)),
                                    float(rng.uniform(28, 40)),
                                    {"speed_kn": float(step), "identity": "hostile"}))  # fmt: skip
    states = list(live.track_states())
    hist = [live.history(s.key) for s in states]
    back = Picture()
    back.restore_tracks([s.key for s in states], [s.domain for s in states],
                        fields=[s.fields for s in states], sources=[s.sources for s in states],
                        last_time=[s.last_time for s in states],
                        stale_s=[s.stale_s for s in states],
                        history=tuple([h[c] for h in hist] for c in range(3)))  # fmt: skip
    _assert_same(live, back)
    for t in (T0 + 55.3, T0 + 120.0, T0 + 199.0, T0 + 400.0):
        a, b = live.as_of(t), back.as_of(t)
        assert a.keys == b.keys
        for name in ("lat", "lon", "time", "identity", "speed_kn", "domain"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), (t, name)


def test_track_state_is_cheap_and_a_copy():
    p = Picture()
    p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais", T0, 46.0, 31.0,
                         {"speed_kn": 12.5, "name": "NORDIC STAR", "ais_class": "A"}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais-sat", T0 + 5, None, None, {}))
    st = p.track_state(sea_key(244123456))
    assert isinstance(st, TrackState)
    assert st == TrackState(sea_key(244123456), Domain.SEA,
                            {"speed_kn": 12.5, "name": "NORDIC STAR", "ais_class": "A"},
                            ("ais", "ais-sat"), T0 + 5, p.stale.sea_class_a_s)  # fmt: skip
    assert st.domain is Domain.SEA
    st.fields["name"] = "changed"
    assert p.track(sea_key(244123456)).fields["name"] == "NORDIC STAR"
    assert p.track_state("mmsi:000000000") is None
    assert [s.key for s in p.track_states()] == p.keys()


@pytest.mark.parametrize("bad_fields", [
    {"speed_kn": "fast"}, {"course_deg": [1, 2]}, {"heading_deg": {"a": 1}},
    {"altitude_ft": "12,000"}, {"identity": 42},
])  # fmt: skip
def test_a_bad_numeric_field_fails_restore_track_before_the_track_exists(bad_fields):
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T0, 48.0, 37.0, {}))
    seen = []
    p.subscribe(seen.append)
    version = p.version
    with pytest.raises(ValueError) as info:
        p.restore_track("cot:x", Domain.LAND, fields={"name": "x", **bad_fields},
                        sources=["cot"], last_time=T0, stale_s=60.0,
                        history=([T0], [48.0], [37.0]))  # fmt: skip
    assert "cot:x" in str(info.value)
    assert "cot:x" not in p and len(p) == 1 and p.keys() == [air_key("abcdef")]
    assert p.version == version and seen == []
    assert len(p.as_of(T0)) == 1


@pytest.mark.parametrize("bad", [
    dict(domain=7), dict(key=5), dict(sources="cot"), dict(sources=[1]), dict(fields=[1]),
    dict(last_time="noon"), dict(stale_s=None), dict(history=([T0, T0], [1.0], [2.0])),
    dict(history=([np.nan], [1.0], [2.0])), dict(history=(["x"], [1.0], [2.0])),
])  # fmt: skip
def test_restore_track_rejects_every_kind_of_bad_value(bad):
    args = dict(key="cot:x", domain=Domain.LAND, fields={}, sources=["cot"], last_time=T0,
                stale_s=60.0, history=([T0], [48.0], [37.0]))  # fmt: skip
    args.update(bad)
    p = Picture()
    with pytest.raises(ValueError):
        p.restore_track(args.pop("key"), args.pop("domain"), **args)
    assert len(p) == 0


def test_one_bad_row_in_a_bulk_restore_changes_nothing_or_is_skipped():
    cols = _random_tracks(20, seed=3)
    keys, doms, fields, sources, last, stale, hist = cols
    fields = [dict(f) for f in fields]
    fields[7]["speed_kn"] = "n/a"
    last = list(last)
    last[11] = "yesterday"
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T0, 48.0, 37.0, {}))
    with pytest.raises(ValueError) as info:
        p.restore_tracks(keys, doms, fields=fields, sources=sources, last_time=last,
                         stale_s=stale, history=hist)  # fmt: skip
    assert repr(keys[7]) in str(info.value) and "speed_kn" in str(info.value)
    assert p.keys() == [air_key("abcdef")]
    skipped = p.restore_tracks(keys, doms, fields=fields, sources=sources, last_time=last,
                               stale_s=stale, history=hist, skip_bad=True)  # fmt: skip
    assert sorted(skipped) == [7, 11] and "speed_kn" in skipped[7] and "last_time" in skipped[11]
    good = [k for i, k in enumerate(keys) if i not in (7, 11)]
    assert p.keys() == [air_key("abcdef"), *good]
    kept = [i for i in range(20) if i not in (7, 11)]
    ref = _one_by_one((*([c[i] for i in kept] for c in cols[:6]),
                       tuple([h[i] for i in kept] for h in hist)))  # fmt: skip
    for key in good:
        assert p.track(key) == ref.track(key)


def test_bulk_restore_notifies_once_and_merges_into_a_batch():
    cols = _random_tracks(50, seed=5)
    keys, doms, fields, sources, last, stale, hist = cols
    p = Picture()
    seen = []
    p.subscribe(seen.append)
    version = p.version
    p.restore_tracks(keys, doms, fields=fields, sources=sources, last_time=last, stale_s=stale,
                     history=hist)  # fmt: skip
    assert len(seen) == 1 and seen[0].tracks == set(keys) and p.version > version
    with p.batch():
        p.restore_tracks(keys[:3], doms[:3], fields=fields[:3], sources=sources[:3],
                         last_time=last[:3], stale_s=stale[:3],
                         history=tuple(h[:3] for h in hist))  # fmt: skip
        p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T0, 48.0, 37.0, {}))
    assert len(seen) == 2 and seen[1].tracks == {*keys[:3], air_key("abcdef")}


def test_restore_replaces_an_existing_track_and_the_last_repeat_wins():
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("abcdef"), "sbs", T0, 48.0, 37.0,
                         {"identity": "hostile", "squawk": "7700"}))  # fmt: skip
    key = air_key("abcdef")
    p.restore_tracks([key, key], [Domain.AIR, Domain.AIR],
                     fields=[{"squawk": "1000"}, {"squawk": "2000"}], sources=[["a"], ["b"]],
                     last_time=[T0 + 1, T0 + 2], stale_s=[60.0, 60.0],
                     history=([[T0 + 1], []], [[1.0], []], [[2.0], []]))  # fmt: skip
    tr = p.track(key)
    assert len(p) == 1 and tr.squawk == "2000" and tr.sources == ("b",)
    assert tr.identity is Identity.UNKNOWN  # restored state replaces, it does not merge
    assert tr.history_points == 0 and tr.lat is None and tr.lon is None
    assert p.last_time(key) == T0 + 2 and len(p.in_bbox((-180, -90, 180, 90))) == 0


def test_mismatched_columns_raise_even_when_skipping():
    with pytest.raises(ValueError):
        Picture().restore_tracks(["a", "b"], [0], fields=[{}, {}], sources=[[], []],
                                 last_time=[T0, T0], stale_s=[1.0, 1.0],
                                 history=([[], []], [[], []], [[], []]), skip_bad=True)  # fmt: skip
