"""Replay history fetched from the server survives a restart in the offline cache.

The expected fixes are the ones each test hands the archive (seeded batches, less
the fixes of tracks the picture does not hold, each fix once), never an earlier
answer of the cache.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.picture import Picture
from cop_app.store import PictureCache, archive_rows
from cop_app.store.schema import SCHEMA_VERSION
from tests.store._synth import T0, assert_same_picture, synth_picture

V1_FILE = Path(__file__).parent / "data" / "cache_v1.sqlite"  # written by schema 1 code
DAY = 86400.0


@pytest.fixture
def cache(tmp_path):
    with PictureCache(tmp_path / "cache.sqlite") as c:
        yield c


def batch(picture: Picture, a: float, b: float, n: int, seed: int,
          unknown: int = 0) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """``n`` fixes of the picture's tracks (plus ``unknown`` of tracks it lacks) in [a, b]."""
    rng = np.random.default_rng(seed)
    keys = picture.keys()
    chosen = [keys[i] for i in rng.integers(0, len(keys), n)]
    chosen += [f"icao:ffff{i:02x}" for i in range(unknown)]
    m = len(chosen)
    t = np.round(rng.uniform(a, b, m), 1)  # rounded: some fixes share a time
    return chosen, t, rng.uniform(44.0, 52.0, m), rng.uniform(28.0, 40.0, m)


def fetch(picture: Picture, cache: PictureCache, fixes, span, **kw) -> int:
    """What the fetcher does: add to the archive, then store that stretch."""
    picture.add_archived_fixes(*fixes, span=span)
    return cache.save_archive_batch(picture, [span], **kw)


def expected(known: set[str], *batches) -> set[tuple[str, float, float, float]]:
    out = set()
    for keys, t, lat, lon in batches:
        seen = {(k, tt) for k, tt, *_ in out}
        for k, tt, la, lo in zip(keys, t.tolist(), lat.tolist(), lon.tolist(), strict=True):
            if k in known and (k, tt) not in seen:  # the first of a (track, time) is kept
                out.add((k, tt, la, lo))
                seen.add((k, tt))
    return out


def held(picture: Picture) -> set[tuple[str, float, float, float]]:
    keys = picture.keys()
    c = picture.archive.cols
    return {(keys[r], t, la, lo) for r, t, la, lo in zip(c.row.tolist(), c.t.tolist(),
                                                         c.lat.tolist(), c.lon.tolist(),
                                                         strict=True)}  # fmt: skip


def reload(path: Path, picture: Picture | None = None) -> tuple[Picture, PictureCache]:
    again = PictureCache(path)
    p = again.load(picture)
    again.load_archive(p)
    return p, again


def test_round_trip_keys_times_positions_and_spans(cache):
    p = synth_picture(1, n_tracks=50)
    cache.save(p)
    s1, s2 = (T0 - DAY, T0 - DAY + 3600), (T0 - DAY / 2, T0 - DAY / 2 + 1800)
    b1 = batch(p, *s1, 4000, seed=1, unknown=5)
    b2 = batch(p, *s2, 2000, seed=2)
    assert fetch(p, cache, b1, s1) == len(expected(set(p.keys()), b1))
    fetch(p, cache, b2, s2)
    loaded, again = reload(cache.path)
    try:
        assert again.problems == [] and again.skipped == {}
        assert_same_picture(p, loaded)
        want = expected(set(p.keys()), b1, b2)
        assert len(want) < 6005  # the unknown tracks and the doubled fixes are not kept
        assert held(loaded) == want
        assert loaded.archive.covered == [s1, s2]
        assert loaded.archive.missing(*s1) == [] and loaded.archive.missing(*s2) == []
        assert loaded.archive.missing(s1[1], s2[0]) == [(s1[1], s2[0])]
        # replay reads them: as_of at a stored fix's time places the track there
        key, t, lat, lon = max(want, key=lambda f: (f[1], f[0]))
        frame = loaded.as_of(t)
        i = frame.keys.index(key)
        assert (frame.lat[i], frame.lon[i]) == pytest.approx((lat, lon), abs=1e-9)
    finally:
        again.close()


def test_stored_as_columns_one_row_per_chunk(cache, monkeypatch):
    monkeypatch.setattr(archive_rows, "CHUNK_FIXES", 1000)
    p = synth_picture(2, n_tracks=20)
    cache.save(p)
    span = (T0 - DAY, T0 - DAY + 600)
    b = batch(p, *span, 4500, seed=3)  # times rounded to 0.1 s in 600 s: many ties
    fetch(p, cache, b, span)
    con = sqlite3.connect(cache.path)
    rows = con.execute("SELECT t0, t1, n, t, spans FROM archive_chunks ORDER BY t0").fetchall()
    con.close()
    assert 5 <= len(rows) <= 6 and sum(r[2] for r in rows) == len(expected(set(p.keys()), b))
    for (_a, end, _n, t, _s), (start, _b, _m, t_next, _s2) in itertools.pairwise(rows):
        assert end == start  # the spans of neighbouring chunks meet
        last = np.frombuffer(t, "<f8")[-1]
        assert last < np.frombuffer(t_next, "<f8")[0]  # a time never straddles two chunks
    assert rows[0][0] == span[0] and rows[-1][1] == span[1]
    loaded, again = reload(cache.path)
    again.close()
    assert held(loaded) == expected(set(p.keys()), b) and loaded.archive.covered == [span]


def test_the_cap_drops_the_oldest_chunks_and_their_spans(cache, monkeypatch):
    monkeypatch.setattr(archive_rows, "CHUNK_FIXES", 500)
    p = synth_picture(3, n_tracks=20)
    cache.save(p)
    spans = [(T0 - 3 * DAY + i * 7200, T0 - 3 * DAY + i * 7200 + 3600) for i in (2, 0, 1)]
    batches = [batch(p, *s, 450, seed=10 + i) for i, s in enumerate(spans)]  # a chunk each
    for s, b in zip(spans, batches, strict=True):
        fetch(p, cache, b, s, max_fixes=1000)
    n_kept = cache._conn.execute("SELECT sum(n) FROM archive_chunks").fetchone()[0]
    assert 800 < n_kept <= 1000 and cache.archive_dropped == sum(
        len(expected(set(p.keys()), b)) for b in batches) - n_kept  # fmt: skip
    loaded, again = reload(cache.path)
    again.close()
    assert len(loaded.archive) == n_kept
    oldest, middle, newest = sorted(spans)
    assert loaded.archive.missing(*oldest) == [oldest]  # dropped whole, so asked again
    assert loaded.archive.missing(*newest) == []
    want = expected(set(p.keys()), *batches)
    assert held(loaded) == {f for f in want if f[1] >= loaded.archive.covered[0][0]}
    assert all(f[1] >= middle[0] for f in held(loaded))


def test_a_damaged_chunk_is_counted_and_skipped_the_rest_load(cache, caplog):
    p = synth_picture(4, n_tracks=30)
    cache.save(p)
    spans = [(T0 - DAY + i * 3600, T0 - DAY + i * 3600 + 1800) for i in range(7)]
    batches = [batch(p, *s, 300, seed=20 + i) for i, s in enumerate(spans)]
    for s, b in zip(spans, batches, strict=True):
        fetch(p, cache, b, s)
    con = sqlite3.connect(cache.path)
    ids = [r[0] for r in con.execute("SELECT id FROM archive_chunks ORDER BY t0")]
    con.execute("UPDATE archive_chunks SET t = x'0102' WHERE id = ?", (ids[1],))
    con.execute("UPDATE archive_chunks SET keys = '{not json' WHERE id = ?", (ids[2],))
    n, keys = con.execute("SELECT n, keys FROM archive_chunks WHERE id = ?", (ids[3],)).fetchone()
    outside = np.full(n, len(json.loads(keys)), "<i4").tobytes()  # one past the last key
    con.execute("UPDATE archive_chunks SET track = ? WHERE id = ?", (outside, ids[3]))
    con.execute("UPDATE archive_chunks SET spans = '[[1, \"x\"]]' WHERE id = ?", (ids[4],))
    # not UTF-8, stored as TEXT: sqlite3 cannot hand it over as str
    con.execute("UPDATE archive_chunks SET lat = CAST(x'ffff' AS TEXT) WHERE id = ?", (ids[5],))
    con.commit()
    con.close()
    loaded, again = reload(cache.path)
    again.close()
    assert again.skipped == {"archive_chunks": 5}
    [problem] = again.problems
    assert problem.kind == "bad_rows" and problem.count == 5
    assert "5 of 7 cached archive_chunks" in problem.message
    good = [0, 6]
    assert held(loaded) == expected(set(p.keys()), *(batches[i] for i in good))
    assert loaded.archive.covered == [spans[i] for i in good]
    assert loaded.archive.missing(*spans[2]) == [spans[2]]  # fetched again when online
    assert_same_picture(p, loaded)  # the picture itself is untouched


@settings(max_examples=60, deadline=None)
@given(column=st.sampled_from(["n", "keys", "track", "t", "lat", "lon", "spans"]),
       value=st.one_of(st.binary(max_size=64), st.text(max_size=20), st.integers(-2**63, 2**63 - 1),
                       st.floats(allow_nan=False)))  # fmt: skip
def test_any_value_in_a_chunk_never_stops_the_load(tmp_path_factory, column, value):
    path = tmp_path_factory.mktemp("arch") / "cache.sqlite"
    p = synth_picture(5, n_tracks=10, points=3)
    spans = [(T0 - DAY, T0 - DAY + 600), (T0 - DAY + 900, T0 - DAY + 1500)]
    batches = [batch(p, *s, 50, seed=30 + i) for i, s in enumerate(spans)]
    with PictureCache(path) as c:
        c.save(p)
        for s, b in zip(spans, batches, strict=True):
            fetch(p, c, b, s)
        first = c._conn.execute("SELECT min(id) FROM archive_chunks").fetchone()[0]
        c._conn.execute(f"UPDATE archive_chunks SET {column} = ? WHERE id = ?", (value, first))
    loaded, again = reload(path)
    again.close()
    assert again.skipped.get("archive_chunks", 0) <= 1
    assert held(loaded) >= expected(set(p.keys()), batches[1])  # the other chunk loaded
    if again.skipped:
        assert held(loaded) == expected(set(p.keys()), batches[1])


def test_migration_from_schema_1_keeps_the_cached_picture(tmp_path):
    path = tmp_path / "cache.sqlite"
    shutil.copyfile(V1_FILE, path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()
    with PictureCache(path) as c:
        assert c.problems == []
        assert c._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        p = c.load()
        assert c.skipped == {}
        assert_same_picture(synth_picture(5, n_tracks=30), p)  # what the v1 code saved
        assert c.get_cursor("events") == 4242
        span = (T0 - DAY, T0 - DAY + 3600)
        b = batch(p, *span, 500, seed=40)
        fetch(p, c, b, span)
    loaded, again = reload(path)
    again.close()
    assert again.problems == []
    assert_same_picture(synth_picture(5, n_tracks=30), loaded)
    assert held(loaded) == expected(set(p.keys()), b) and loaded.archive.covered == [span]
    meta = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema"] == "2" and "archive_layout" in meta


def test_a_stretch_with_no_fixes_is_remembered_as_fetched(cache):
    p = synth_picture(6, n_tracks=10)
    cache.save(p)
    span = (T0 - 2 * DAY, T0 - 2 * DAY + 3600)
    fetch(p, cache, ([], np.empty(0), np.empty(0), np.empty(0)), span)
    loaded, again = reload(cache.path)
    again.close()
    assert len(loaded.archive) == 0 and loaded.archive.missing(*span) == []
