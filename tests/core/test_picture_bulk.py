"""upsert_many writes a batch's fixes as whole columns; the Picture must hold exactly
what one-by-one upserts give (late fixes, relayed duplicates, age and count bounds)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate

T0 = 1_800_000_000.0


def picture(seconds: float = 100.0) -> Picture:
    return Picture(history_points=4, history_seconds=seconds)


def fixes(rounds: list[tuple[list[int], list[tuple[int, int, int]]]]) -> list[TrackUpdate]:
    """Rounds of 40 tracks each (in a drawn order): a fix every 7 s, some late by that
    many rounds (so landing on an earlier fix's time: a relay when the position matches)."""
    return [TrackUpdate(domain=Domain.AIR, key=f"air:{k:02d}", source=f"s{src}",
                        time=T0 + 7.0 * (r - late), lat=45.0 + 0.01 * dp, lon=30.0 + 0.01 * dp)
            for r, (order, draws) in enumerate(rounds)
            for k, (late, dp, src) in zip(order, draws, strict=True)]  # fmt: skip


def same(a: Picture, b: Picture) -> None:
    assert a.keys() == b.keys()
    for key in a.keys():
        for x, y in zip(a.history(key), b.history(key), strict=True):
            np.testing.assert_array_equal(x, y)
        assert a.track(key) == b.track(key)
    assert a.version == b.version


late = st.sampled_from([0, 0, 0, 0, 0, 1, 2, 20])
one_round = st.tuples(st.permutations(range(40)),
                      st.lists(st.tuples(late, st.integers(0, 1), st.integers(0, 1)),
                               min_size=40, max_size=40))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(one_round, min_size=1, max_size=8), st.sampled_from([1, 33, 40, 90, 400]),
       st.sampled_from([30.0, 100.0, 1e6]))  # fmt: skip
def test_batches_hold_what_single_upserts_hold(steps, chunk, seconds):
    ups = fixes(steps)
    one, many = picture(seconds), picture(seconds)
    for u in ups:
        one.upsert(u)
    for i in range(0, len(ups), chunk):
        many.upsert_many(ups[i : i + chunk])
    same(one, many)


def test_a_full_position_update_appends_and_bounds_every_row():
    n = 500
    ups = [TrackUpdate(domain=Domain.SEA, key=f"sea:{i}", source="a", time=T0 + 60.0 * r,
                       lat=40.0 + r, lon=20.0 + i * 1e-3)
           for r in range(6) for i in range(n)]  # fmt: skip
    one, many = picture(), picture()
    for u in ups:
        one.upsert(u)
    seen = []
    many.subscribe(lambda change: seen.append(len(change.tracks)))
    for r in range(6):
        many.upsert_many(ups[r * n : (r + 1) * n])
    same(one, many)
    assert seen == [n] * 6  # one notification per batch, naming every track
    t, lat, _ = many.history("sea:7")
    # 100 s age bound: only the last two rounds (240 s and 300 s) are kept.
    np.testing.assert_array_equal(t, [T0 + 240.0, T0 + 300.0])
    np.testing.assert_array_equal(lat, [44.0, 45.0])
