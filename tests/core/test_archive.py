"""Archived fixes (fetched for replay older than the kept history) and Picture.as_of."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.archive import FixArchive, merge_spans
from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate

T = 1_795_000_000.0  # 2026-11-18


def fix(key: str, t: float, lat: float, lon: float) -> TrackUpdate:
    return TrackUpdate(key=key, domain=Domain.AIR, time=t, source="test", lat=lat, lon=lon,
                       fields={"callsign": key})  # fmt: skip


def test_add_sorts_keeps_each_fix_once_and_counts_only_new_ones():
    arc = FixArchive()
    assert arc.add([1, 0, 1], [T + 20, T + 10, T], [1, 2, 3], [4, 5, 6], span=(T, T + 20)) == 3
    assert arc.add([1, 2, -1], [T + 20, T + 5, T + 7], [1, 9, 9], [4, 9, 9]) == 1
    assert arc.cols.t.tolist() == [T, T + 5, T + 10, T + 20]
    assert arc.cols.row.tolist() == [1, 2, 0, 1]
    assert len(arc) == 4


def test_missing_spans_are_the_unfetched_parts():
    arc = FixArchive()
    arc.add([], [], [], [], span=(10, 20))
    arc.add([], [], [], [], span=(30, 40))
    assert arc.missing(0, 50) == [(0, 10), (20, 30), (40, 50)]
    assert arc.missing(12, 18) == []
    assert arc.missing(15, 35) == [(20, 30)]
    assert merge_spans([(5, 6), (1, 3), (2, 4)]) == [(1, 4), (5, 6)]


def test_over_the_cap_the_oldest_go_and_the_covered_span_shrinks():
    arc = FixArchive(max_fixes=5)
    arc.add(np.zeros(8, int), T + np.arange(8.0), np.zeros(8), np.zeros(8), span=(T, T + 7))
    assert arc.cols.t.tolist() == (T + np.arange(3.0, 8.0)).tolist()
    assert arc.dropped == 3
    assert arc.covered == [(T + 3, T + 7)]
    assert arc.missing(T, T + 7) == [(T, T + 3)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 100)), max_size=60),
       st.integers(0, 100), st.integers(1, 50))  # fmt: skip
def test_around_matches_a_plain_loop(fixes, t, horizon):
    arc = FixArchive()
    rows = [r for r, _ in fixes]
    times = [float(x) for _, x in fixes]
    arc.add(rows, times, [float(x) for x in times], [float(r) for r in rows])
    got = arc.around(float(t), float(horizon), 6)
    want_before, want_after = {}, {}
    for r, x in set(fixes):
        if t - horizon <= x <= t:
            want_before[r] = max(want_before.get(r, -1), x)
        elif t < x <= t + horizon:
            want_after[r] = min(want_after.get(r, 10**9), x)
    assert got.rows.tolist() == sorted(want_before)
    assert got.t.tolist() == [float(want_before[r]) for r in sorted(want_before)]
    assert got.lat.tolist() == got.t.tolist()  # lat was set to the fix time
    nxt = [float(want_after[r]) if r in want_after else None for r in sorted(want_before)]
    assert [None if np.isnan(x) else x for x in got.next_t.tolist()] == nxt


@pytest.fixture
def picture() -> Picture:
    """Two aircraft whose kept history (3 points) covers only the last few minutes."""
    pic = Picture(history_points=3)
    for k in range(10):  # one fix a minute, due north 0.01 degree a minute
        pic.upsert(fix("A", T + 60 * k, 50.0 + 0.01 * k, 30.0))
        pic.upsert(fix("B", T + 60 * k, 40.0, 20.0 + 0.01 * k))
    return pic


def test_before_the_kept_history_nothing_shows_until_archived_fixes_arrive(picture):
    early = T + 90  # between the fixes of minutes 1 and 2, long dropped from the kept 3
    assert len(picture.as_of(early)) == 0
    seen = []
    picture.subscribe(lambda change: seen.append(change.history))
    keys = ["A", "A", "A", "B", "C"]
    times = [T, T + 60, T + 120, T + 60, T + 60]
    lats = [50.0, 50.01, 50.02, 40.0, 1.0]
    lons = [30.0, 30.0, 30.0, 20.01, 1.0]
    added, unknown = picture.add_archived_fixes(keys, times, lats, lons, span=(T, T + 120))
    assert (added, unknown) == (4, 1) and seen == [True]
    frame = picture.as_of(early)
    where = dict(zip(frame.keys, zip(frame.lat.tolist(), frame.lon.tolist(), strict=True),
                     strict=True))  # fmt: skip
    assert where["A"] == pytest.approx((50.015, 30.0))  # halfway between minutes 1 and 2
    # B has no archived fix after minute 1: it heads for its first kept fix (minute 7).
    assert where["B"] == pytest.approx((40.0, 20.01 + (20.07 - 20.01) * 30 / 360))
    assert set(where) == {"A", "B"}


def test_the_kept_history_wins_where_it_has_a_later_fix(picture):
    picture.add_archived_fixes(["A"], [T + 60], [10.0], [10.0])
    frame = picture.as_of(T + 60 * 8 + 30)
    (lat,) = frame.lat[[k == "A" for k in frame.keys]]
    assert lat == pytest.approx(50.085)


def test_archived_fixes_go_stale_like_kept_ones(picture):
    picture.add_archived_fixes(["A"], [T], [50.0], [30.0])
    stale_s = picture.track_state("A").stale_s
    assert "A" not in picture.as_of(T + stale_s + 1).keys
    assert "A" in picture.as_of(T + stale_s + 1, include_stale=True).keys


def test_timeline_counts_take_archived_fixes_once(picture):
    before = picture.fix_times()["air"]
    assert len(before) == 6
    # minute 8 is already kept for A; minutes 0 and 1 are new
    picture.add_archived_fixes(["A", "A", "A"], [T, T + 60, T + 480], [1, 2, 3], [1, 2, 3])
    after = np.sort(picture.fix_times()["air"])
    assert len(after) == 8 and after[:2].tolist() == [T, T + 60]


def test_history_blocks_add_the_archived_fixes_of_the_span_in_time_order(picture):
    frame = picture.as_of(T + 600)
    rows = frame.rows[[frame.keys.index("A"), frame.keys.index("B")]]
    kept_t, _, _ = picture.history_blocks(rows)
    assert np.isfinite(kept_t).sum(axis=1).tolist() == [3, 3]
    picture.add_archived_fixes(["A", "A", "A", "B"], [T, T + 60, T + 120, T + 60],
                               [50.0, 50.01, 50.02, 40.0], [30.0, 30.0, 30.0, 20.01])  # fmt: skip
    t, lat, _ = picture.history_blocks(rows, T + 30, T + 600)  # T itself is outside
    a_t = t[0][np.isfinite(t[0])].tolist()
    assert a_t == [T + 60, T + 120, T + 420, T + 480, T + 540]
    assert lat[0][:2].tolist() == [50.01, 50.02]
    assert t[1][np.isfinite(t[1])].tolist() == [T + 60, T + 420, T + 480, T + 540]
