"""Property tests: no input makes the ADS-B parsers raise, and good records around a bad
one still decode, whatever the chunking."""

from __future__ import annotations

import functools
import itertools
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.updates import ParseError, TrackUpdate, air_key
from cop_app.ingest.adsb import AircraftJsonParser, SbsParser
from cop_app.ingest.base import StreamParser
from tests.conftest import corpus

CLOCK = 1_700_000_000.0
SETTINGS = settings(max_examples=200, deadline=None)
# Reasons the parser contract's last-resort handlers write when a parser raised.
ESCAPED = re.compile(r"^(internal parser error|[A-Z]\w*(Error|Exception)\b)")

GOOD_A = "MSG,3,1,1,AAAAAA,1,2020/01/02,03:04:05.678,2020/01/02,03:04:05.700,,111,,,10.0,20.0"
GOOD_B = "MSG,3,1,1,BBBBBB,1,2020/01/02,03:04:06.000,2020/01/02,03:04:06.100,,222,,,11.0,21.0"


def sbs() -> SbsParser:
    return SbsParser("prop", clock=lambda: CLOCK)


def js() -> AircraftJsonParser:
    return AircraftJsonParser("prop", clock=lambda: CLOCK)


def assert_nothing_escaped(items: list) -> None:
    for item in items:
        assert isinstance(item, TrackUpdate | ParseError)
        if isinstance(item, ParseError):
            assert not ESCAPED.match(item.reason), item


def feed_in_chunks(parser: StreamParser, raw: str | bytes, cuts: list[int]) -> list:
    """Feed ``raw`` cut at ``cuts`` (a TCP read or datagram can end anywhere), then close."""
    bounds = [0, *sorted(min(c, len(raw)) for c in cuts), len(raw)]
    items = [i for a, b in itertools.pairwise(bounds) for i in parser.feed(raw[a:b])]
    return items + parser.close()


def mutate(text: str, data: st.DataObject) -> str:
    """A few random edits: replace, delete or insert characters, drop or add commas."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["replace", "delete", "insert", "comma"]))
        i = data.draw(st.integers(0, max(len(chars) - 1, 0)))
        if op == "replace" and chars:
            chars[i] = data.draw(st.characters(blacklist_categories=("Cs",)))
        elif op == "delete" and chars:
            del chars[i : i + data.draw(st.integers(1, 8))]
        elif op == "insert":
            chars[i:i] = data.draw(st.text(max_size=12))
        else:
            chars[i:i] = [","]
    return "".join(chars)


@functools.cache
def sbs_track_lines() -> list[str]:
    text = corpus("vrs", "SampleMessages.txt").read_text()
    return [line for line in text.splitlines() if line.startswith("MSG")]


# --- SBS --------------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=2000))
def test_sbs_random_bytes(data: bytes) -> None:
    p = sbs()
    assert_nothing_escaped(p.parse_all(data))
    for line in data.decode("utf-8", errors="replace").split("\n"):
        list(sbs().parse_line(line, 1))  # raises here if the per-line path can raise


@SETTINGS
@given(st.data())
def test_sbs_mutated_line_between_good_ones(data: st.DataObject) -> None:
    bad = mutate(data.draw(st.sampled_from(sbs_track_lines())), data)
    list(sbs().parse_line(bad.split("\n")[0], 1))
    items = sbs().parse_all("\r\n".join([GOOD_A, bad, GOOD_B]) + "\r\n")
    assert_nothing_escaped(items)
    ups = [i for i in items if isinstance(i, TrackUpdate)]
    first, last = ups[0], ups[-1]
    assert first.key == air_key("aaaaaa") and first.fields["altitude_ft"] == 111
    assert (first.lat, first.lon) == (10.0, 20.0)
    assert last.key == air_key("bbbbbb") and last.fields["altitude_ft"] == 222


@SETTINGS
@given(st.lists(st.integers(0, 6000), max_size=30))
def test_sbs_chunk_boundaries_anywhere(cuts: list[int]) -> None:
    raw = corpus("vrs", "SampleMessages.txt").read_bytes()
    assert feed_in_chunks(sbs(), raw, cuts) == sbs().parse_all(raw)


# --- aircraft.json ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
KEYS = ["hex", "flight", "alt_baro", "alt_geom", "gs", "track", "baro_rate", "geom_rate",
        "squawk", "emergency", "category", "lat", "lon", "seen", "seen_pos", "mlat", "tisb",
        "type", "alert", "spi", "altitude", "speed", "vert_rate"]  # fmt: skip
# Mostly a usable hex, so the odd values reach the field decoding behind the identity check.
entries = json_values | st.fixed_dictionaries(
    {"hex": st.sampled_from(["abcdef", "~123456", "A"]) | json_values},
    optional={k: json_values | st.sampled_from(["ground", "lat", "none"]) for k in KEYS[1:]},
)
GOOD_ENTRIES = [
    {"hex": "111111", "lat": 1.5, "lon": 2.5, "seen_pos": 1, "alt_baro": 1000},
    {"hex": "222222", "lat": -3.5, "lon": -4.5, "seen_pos": 2, "alt_baro": "ground"},
]


@SETTINGS
@given(st.binary(max_size=2000))
def test_json_random_bytes(data: bytes) -> None:
    assert_nothing_escaped(js().parse_all(data))
    list(js().parse_document(data.decode("utf-8", errors="replace")))


@SETTINGS
@given(entries, st.integers(0, 2))
def test_json_bad_entry_between_good_ones(bad: object, where: int) -> None:
    aircraft = [*GOOD_ENTRIES]
    aircraft.insert(where, bad)
    text = json.dumps({"now": 1e9, "aircraft": aircraft}, allow_nan=True)
    items = js().parse_all(text)
    assert_nothing_escaped(items)
    got = {u.key: u for u in items if isinstance(u, TrackUpdate)}
    for entry in GOOD_ENTRIES:
        u = got[air_key(entry["hex"])]
        assert (u.lat, u.lon) == (entry["lat"], entry["lon"])
        assert u.time == 1e9 - entry["seen_pos"]


@SETTINGS
@given(st.data())
def test_json_mutated_document(data: st.DataObject) -> None:
    text = mutate(corpus("dump1090-exporter", "aircraft.json").read_text(), data)
    assert_nothing_escaped(js().parse_all(text))
    list(js().parse_document(text))


@SETTINGS
@given(st.lists(st.integers(0, 1200), max_size=20))
def test_json_chunk_boundaries_anywhere(cuts: list[int]) -> None:
    raw = corpus("dump1090-exporter", "aircraft.json").read_text()
    items = feed_in_chunks(js(), raw, cuts)
    assert items == js().parse_all(raw) and len(items) == 2
