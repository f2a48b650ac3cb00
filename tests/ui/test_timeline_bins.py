"""core.bins: nice bin sizes and stacked counts, checked against plain counting."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.bins import NICE_BINS_S, bin_edges, nice_bin, stack, stacked_counts

T0 = datetime(2026, 11, 26, 15, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("span_s", "target", "expected"),
    [
        (3600, 60, 60),  # one hour in 60 bins: 1 min
        (3600, 59, 300),  # just too many minutes: the next nice size, 5 min
        (6 * 3600, 100, 300),  # 216 s wanted
        (24 * 3600, 100, 900),  # 864 s wanted
        (24 * 3600, 20, 6 * 3600),  # 4320 s wanted
        (7 * 86400, 100, 6 * 3600),
        (30 * 86400, 100, 86400),
        (300 * 86400, 100, 3 * 86400),  # past a day: whole days
        (10, 100, 60),  # never finer than a minute
    ],
)
def test_nice_bin_is_the_smallest_brief_size_that_fits(span_s, target, expected):
    assert nice_bin(span_s, target) == expected
    assert span_s / nice_bin(span_s, target) <= target


def test_bins_align_to_utc_boundaries_whatever_the_local_zone():
    # Under TZ=Asia/Kathmandu (+05:45, the suite's zone) an hour bin still starts on the
    # UTC hour and a day bin at 0000Z.
    edges = bin_edges(T0 + 100, T0 + 5000, 3600)
    assert all(datetime.fromtimestamp(e, UTC).minute == 0 for e in edges)
    day = bin_edges(T0, T0 + 1, 86400)
    assert datetime.fromtimestamp(day[0], UTC).hour == 0


@settings(max_examples=150, deadline=None)
@given(
    times=st.lists(st.floats(T0 - 7200, T0 + 7200), max_size=200),
    bin_s=st.sampled_from(NICE_BINS_S[:4]),
    extra=st.lists(st.sampled_from([np.inf, -np.inf, np.nan]), max_size=5),
)
def test_stacked_counts_match_plain_counting(times, bin_s, extra):
    t0, t1 = T0 - 3600, T0 + 3600
    edges, counts = stacked_counts({"a": np.array(times + extra), "b": np.array(times[::2])},
                                   t0, t1, bin_s)  # fmt: skip
    for name, series in (("a", times), ("b", times[::2])):
        plain = [sum(1 for t in series if lo <= t < hi or (hi == edges[-1] and t == hi))
                 for lo, hi in pairwise(edges)]  # fmt: skip
        assert counts[name].tolist() == plain


def test_stack_puts_each_series_on_the_one_before():
    out = stack({"air": np.array([1, 0, 2]), "sea": np.array([3, 1, 0])})
    assert out["air"][0].tolist() == [0, 0, 0] and out["air"][1].tolist() == [1, 0, 2]
    assert out["sea"][0].tolist() == [1, 0, 2] and out["sea"][1].tolist() == [4, 1, 2]


def test_a_million_events_are_all_counted():
    """Its speed is benchmarks/map.py's "timeline rebin" row (no timed tests)."""
    rng = np.random.default_rng(4)
    series = {k: T0 + rng.uniform(0, 86400, 250_000) for k in ("air", "sea", "r1", "r2")}
    _, counts = stacked_counts(series, T0, T0 + 86400, nice_bin(86400, 160))
    assert sum(int(c.sum()) for c in counts.values()) == 1_000_000
