"""Property tests: no input escapes as an exception, bad lines never cost good ones,
and how the input is chunked does not change the result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.updates import ParseError, TrackUpdate
from cop_app.ingest.ais import AisParser
from tests.conftest import corpus

_SAMPLE = corpus("pyais", "nmea_data_sample.txt").read_text().splitlines()
VALID = [ln for ln in _SAMPLE if ln.startswith("!") and ",1,1," in ln and ",B,,0" not in ln][:200]
GOOD = "!AIVDM,1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0HQ6,0*30"


def parse(text: str | bytes) -> list:
    return AisParser("p", clock=lambda: 1.0).parse_all(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    items = parse(data)
    assert not any(isinstance(i, ParseError) and "internal" in i.reason for i in items)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(line)))
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        ch = draw(st.characters(min_codepoint=32, max_codepoint=126))
        if op == "insert":
            line = line[:pos] + ch + line[pos:]
        elif op == "delete":
            line = line[:pos] + line[pos + 1 :]
        else:
            line = line[:pos] + ch + line[pos + 1 :]
    return line.replace("\n", " ")


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_valid_lines_around_a_mutated_one_still_decode(bad: str) -> None:
    items = parse(f"{GOOD}\n{bad}\n{GOOD}\n")
    good = [i for i in items if isinstance(i, TrackUpdate) and i.fields["mmsi"] == 367033650]
    assert len(good) >= 2
    assert not any(isinstance(i, ParseError) and "internal" in i.reason for i in items)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 200), min_size=1, max_size=40), st.lists(mutated(), max_size=3))
def test_chunk_boundaries_do_not_matter(cuts: list[int], bad: list[str]) -> None:
    text = "\n".join([*VALID[:20], *bad, *VALID[20:40]]) + "\n"
    whole = parse(text)
    parser = AisParser("p", clock=lambda: 1.0)
    chunked: list = []
    pos = 0
    for size in cuts:
        chunked += parser.feed(text[pos : pos + size])
        pos += size
    chunked += parser.feed(text[pos:]) + parser.close()
    assert chunked == whole
