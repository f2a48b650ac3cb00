"""pyais's robustness files: junk and bad tag blocks are counted errors, and every
valid message still decodes (as many as pyais itself decodes from the valid lines)."""

from __future__ import annotations

import pytest
from pyais.messages import TagBlock
from pyais.stream import IterMessages
from pyais.util import compute_checksum

from cop_app.core.updates import ParseError, TrackUpdate
from cop_app.ingest.ais import AisParser
from tests.conftest import corpus


def _decodes(msg: object) -> bool:
    try:
        msg.decode()  # type: ignore[attr-defined]
    except Exception:
        return False
    return True


def pyais_valid_count(data: bytes) -> int:
    """Messages pyais decodes from the lines whose NMEA checksum is right."""
    return sum(1 for msg in IterMessages(data.splitlines()) if msg.is_valid and _decodes(msg))


def tag_block_ok(line: str) -> bool:
    """pyais's own verdict on a line's tag block checksum."""
    tb = TagBlock(line[1 : line.index("\\", 1)].encode())
    tb.init()
    return tb.is_valid


def other_nmea_ok(line: str) -> bool:
    """A ``$`` sentence whose NMEA checksum is right, by pyais's own checksum routine."""
    star = line.find("*")
    if not line.startswith("$") or star < 0:
        return False
    try:
        return compute_checksum(line[:star].encode()) == int(line[star + 1 : star + 3], 16)
    except ValueError:
        return False


def junk_lines(data: bytes) -> tuple[int, int]:
    """(junk, other NMEA): lines that are neither blank, comment, AIS nor a Gatehouse time
    must be errors, except valid ``$`` NMEA sentences (a receiver's GPS), counted apart."""
    junk = other = 0
    for raw in data.decode().splitlines():
        s = raw.strip()
        if not s or s.startswith(("#", "!", "\\", "$PGHP")):
            continue
        if other_nmea_ok(s):
            other += 1
        else:
            junk += 1
    return junk, other


@pytest.mark.parametrize("name", ["mixed.txt", "sample.ais", "nmea_data_sample.txt"])
def test_pyais_files_decode_every_valid_message(name: str) -> None:
    data = corpus("pyais", name).read_bytes()
    parser = AisParser(name, clock=lambda: 0.0)
    items = parser.parse_all(data)
    updates = [i for i in items if isinstance(i, TrackUpdate)]
    errors = [i for i in items if isinstance(i, ParseError)]
    assert parser.stats.accepted == len(updates)
    assert parser.stats.rejected == len(errors)
    assert len(updates) + parser.ignored == pyais_valid_count(data)
    junk, other = junk_lines(data)
    assert sum("not an AIS sentence" in e.reason for e in errors) >= junk
    assert parser.other_nmea == other


@pytest.mark.parametrize("name", ["mixed.txt", "sample.ais"])
def test_bad_tag_blocks_are_errors_but_their_sentences_decode(name: str) -> None:
    data = corpus("pyais", name).read_text()
    bad = [ln for ln in data.splitlines() if ln.startswith("\\") and not tag_block_ok(ln)]
    assert len(bad) >= 3  # SOURCES.md: mixed.txt has 3, sample.ais one more
    parser = AisParser(name, clock=lambda: 5.0)
    items = parser.parse_all(data)
    tb_errors = [i for i in items if isinstance(i, ParseError) and "tag block" in i.reason]
    assert len(tb_errors) == len(bad)
    # The sentences after them have good checksums: still decoded, at the clock time.
    good_after_bad = [ln for ln in bad if ln.endswith(("*2F", "*3B"))]
    assert len(good_after_bad) == 2
    mmsis = {i.fields["mmsi"] for i in items if isinstance(i, TrackUpdate) and i.time == 5.0}
    assert {366913120, 786434} <= mmsis


def test_zero_fragment_count_is_an_error() -> None:
    items = AisParser("s").parse_all(corpus("pyais", "sample.ais").read_bytes())
    assert any(isinstance(i, ParseError) and "fragment" in i.reason for i in items)
