from datetime import UTC, datetime

import pytest

from cop_app.core import timeutil as T


def test_dtg_round_trip_matches_the_watch_floor_example():
    t = datetime(2026, 11, 26, 15, 30, tzinfo=UTC).timestamp()
    assert T.format_dtg(t) == "261530ZNOV26"
    assert T.parse_dtg("261530ZNOV26") == t
    assert T.parse_dtg("261530znov2026") == t


def test_dtg_with_seconds():
    t = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    assert T.format_dtg(t, seconds=True) == "02030405ZJAN26"
    assert T.parse_dtg("02030405ZJAN26") == t


@pytest.mark.parametrize("bad", ["", "261530NOV26", "261530ZXYZ26", "321530ZNOV26", "26153ZNOV26"])
def test_bad_dtg_names_the_problem(bad):
    with pytest.raises(ValueError):
        T.parse_dtg(bad)


def test_iso_is_utc_even_when_naive():
    assert T.parse_iso("2026-11-26T15:30:00") == T.parse_iso("2026-11-26T15:30:00Z")
    assert T.parse_iso("2026-11-26T16:30:00+01:00") == T.parse_iso("2026-11-26T15:30:00Z")
    assert T.format_iso(T.parse_iso("2026-11-26T15:30:00.250Z")) == "2026-11-26T15:30:00.250Z"


def test_age_text():
    assert T.format_age(5) == "5 s ago"
    assert T.format_age(180) == "3 min ago"
    assert T.format_age(7200) == "2 h ago"


def test_iso_years_before_1000_keep_four_digits():
    t = T.parse_iso("0725-01-01T00:00:00Z")
    assert T.format_iso(t) == "0725-01-01T00:00:00Z"
