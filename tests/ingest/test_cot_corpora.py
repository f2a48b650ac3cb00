"""CoT conformance against the corpora (SOURCES.md sections 7-9): ATAK-CIV,
FreeTAKServer and Esri GeoEvent files.

None of these corpora ships expected output, so each decoded event is checked
against the file's own attributes, read here with regular expressions (not with the
parser under test), and the domain/kind against the CoT type as the spec maps it.

Disagreements with SOURCES.md, each with its reason:
- ``atakcotcaptures.txt`` holds 18 events, not 19: 7 ``a-f-G-U-C`` (not 8),
  6 ``a-f-G-U-C-I``, 1 ``b-t-f`` and 4 file-transfer events (counted below).
- One of those 18 (uid ``0377f926-...``, a ``b-f-t-r`` file transfer) was damaged when
  it was pasted into the notes: its ``senderUrl`` value has no closing quote and its
  end tag is split as ``<`` newline ``/event>``. XML 1.0 (section 3.1, ETag ::= '</'
  Name S? '>') makes that not well-formed, so it must be a ParseError, not an event.
"""

from __future__ import annotations

import random
import re
from itertools import pairwise
from pathlib import Path

import pytest

from cop_app.core.enums import Domain
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ingest.cot import CotParser
from tests.conftest import corpus
from tests.ingest.cot_support import (
    atak_files,
    errors,
    esri_files,
    event_attrs,
    fts_files,
    iso_epoch,
    updates,
)

DOMAIN = {"A": Domain.AIR, "S": Domain.SEA, "U": Domain.SEA, "G": Domain.LAND}
DAMAGED_CAPTURE_UID = "0377f926-87cd-4bbf-9d59-29e36dcc2ae4"


def expected_kind(cot_type: str) -> str:
    """What the brief's mapping makes of a type: 'track', 'report' or 'skip'."""
    parts = cot_type.split("-")
    if parts[0] == "a" and len(parts) >= 3 and parts[2] in DOMAIN:
        return "track"
    if cot_type.startswith("b-m-p-"):
        return "report"
    return "skip"


def check_event(text: str, item: TrackUpdate | ReportUpdate | None, p: CotParser) -> None:
    """The update agrees with the event's own uid, type, time, stale and point."""
    ev, pt = event_attrs(text)
    kind = expected_kind(ev["type"])
    if kind == "skip":
        assert item is None
        return
    assert item is not None, ev["uid"]
    assert item.time == pytest.approx(iso_epoch(ev["time"]), abs=1e-6)
    assert (item.lat, item.lon) == (float(pt["lat"]), float(pt["lon"]))
    if kind == "report":
        assert isinstance(item, ReportUpdate)
        assert item.id == f"cot:{ev['uid']}"
        assert item.fields["cot_type"] == ev["type"]
        return
    assert isinstance(item, TrackUpdate)
    assert item.key == f"cot:{ev['uid']}"  # no ICAO/MMSI gateway events in these corpora
    assert item.domain is DOMAIN[ev["type"].split("-")[2]]
    assert item.fields["cot_type"] == ev["type"]
    assert item.stale_at == pytest.approx(iso_epoch(ev["stale"]), abs=1e-6)


def parse_file(path: Path) -> tuple[list, CotParser]:
    p = CotParser(path.name)
    return p.parse_all(path.read_bytes()), p


@pytest.mark.parametrize("path", atak_files() + esri_files(), ids=lambda p: p.name)
def test_atak_and_esri_files_parse(path: Path) -> None:
    items, p = parse_file(path)
    assert not errors(items)
    text = path.read_text(encoding="utf-8")
    if path.name == "CoT4.xml":
        return  # three events: see test_esri_cot4_is_three_events
    [item] = updates(items) or [None]
    check_event(text, item, p)
    assert len(items) + p.skipped == 1


def test_atak_files_kinds() -> None:
    # 12 files: 2 markers a-u-G (tracks), 1 spot b-m-p-s-m (report), 9 drawings/routes.
    kinds = {"track": 0, "report": 0, "skip": 0}
    for path in atak_files():
        kinds[expected_kind(event_attrs(path.read_text(encoding="utf-8"))[0]["type"])] += 1
    assert kinds == {"track": 2, "report": 1, "skip": 9}


def test_esri_cot4_is_three_events() -> None:
    path = corpus("esri-geoevent", "CoT4.xml")
    items, p = parse_file(path)
    assert not errors(items)
    assert len(updates(items)) == 3
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"<event\b", text)] + [len(text)]
    for item, (a, b) in zip(updates(items), pairwise(starts), strict=True):
        check_event(text[a:b], item, p)
    # CoT3/CoT4's third event: hostile/friendly air with how m-r-t-j
    assert updates(items)[2].fields["cot_how"] == "m-r-t-j"


def test_freetakserver_all_887_events() -> None:
    paths = fts_files()
    assert len(paths) == 887
    p = CotParser("fts")
    by_folder: dict[str, int] = {}
    for path in paths:
        items = p.parse_all(path.read_bytes())
        assert not errors(items), (path.name, errors(items))
        assert len(items) <= 1
        check_event(path.read_text(encoding="utf-8"), (items or [None])[0], p)
        by_folder[path.parent.name] = by_folder.get(path.parent.name, 0) + len(items)
    # SOURCES.md's table: every folder decodes fully except b-t-f (GeoChat), skipped.
    assert p.skipped == 1 and dict(p.skipped_types) == {"b-t-f": 1}
    assert by_folder["b-t-f"] == 0
    assert by_folder["a-f-G-U-C"] == 502
    assert by_folder["b-m-p-s-m"] == 10
    assert p.stats.accepted == 886 and p.stats.rejected == 0


def test_freetakserver_sa_tracks_carry_contact_and_track() -> None:
    """a-f-G-U-C SA messages: callsign from <contact>, speed from <track> (m/s to kn)."""
    path = next(corpus("freetakserver", "cot", "a-f-G-U-C").glob("*.xml"))
    text = path.read_text(encoding="utf-8")
    [u] = updates(CotParser().parse_all(text))
    callsign = re.search(r"<contact\b[^>]*callsign='([^']*)'", text)
    speed = re.search(r"<track\b[^>]*speed='([^']*)'", text)
    assert callsign and speed
    assert u.fields["callsign"] == callsign.group(1)
    assert u.fields["speed_kn"] == pytest.approx(float(speed.group(1)) * 3600 / 1852)


def test_freetakserver_stream_in_random_chunks_equals_one_by_one() -> None:
    paths = fts_files()
    one_by_one: list = []
    p1 = CotParser("fts")
    for path in paths:
        one_by_one += p1.parse_all(path.read_bytes())
    stream = b"".join(path.read_bytes() for path in paths)
    rng = random.Random(20240301)
    for _ in range(3):
        p = CotParser("fts")
        got: list = []
        pos = 0
        while pos < len(stream):
            n = rng.choice((1, 2, 3, 7, 64, 500, 1500, 4096, 65536))
            got += p.feed(stream[pos : pos + n])
            pos += n
        got += p.close()
        assert got == one_by_one
        assert p.skipped == p1.skipped


def test_truncated_group_fragment_is_an_error() -> None:
    items, _ = parse_file(corpus("freetakserver", "details", "__group", "__group-002.xml"))
    assert len(errors(items)) == 1 and not updates(items)


@pytest.mark.parametrize(
    "path", sorted(corpus("freetakserver", "details").glob("*/*.xml")), ids=lambda p: p.name
)
def test_detail_fragments_are_not_events(path: Path) -> None:
    items, _ = parse_file(path)
    assert not updates(items) and errors(items)


def capture_events() -> list[str]:
    """Pull the events out of ATAK's developer notes: from each ``<event`` to the last
    ``/event>`` before the next ``<event`` (prose and braces sit between them)."""
    text = corpus("atak-civ", "atakcotcaptures.txt").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"<event\b", text)] + [len(text)]
    pieces = []
    for a, b in pairwise(starts):
        chunk = text[a:b]
        pieces.append(chunk[: chunk.rindex("/event>") + len("/event>")])
    return pieces


def test_atak_captures_each_event() -> None:
    pieces = capture_events()
    assert len(pieces) == 18
    types = [event_attrs(t)[0]["type"] for t in pieces]
    assert sorted(types) == sorted(
        ["a-f-G-U-C"] * 7 + ["a-f-G-U-C-I"] * 6 + ["b-t-f"] + ["b-f-t-r"] * 3 + ["b-f-t-a"]
    )
    for text in pieces:
        p = CotParser("captures")
        items = p.parse_all(text)
        if DAMAGED_CAPTURE_UID in text:
            assert "<\n/event>" in text  # the damage described in the module docstring
            assert len(errors(items)) == 1 and not updates(items)
            continue
        assert not errors(items), errors(items)
        check_event(text, (items or [None])[0], p)


def test_atak_captures_file_as_a_stream() -> None:
    """The whole notes file fed as one stream: the prose is junk (errors), every good
    event still decodes exactly as it does alone."""
    alone: list = []
    for text in capture_events():
        if DAMAGED_CAPTURE_UID not in text:
            alone += CotParser("captures").parse_all(text)
    p = CotParser("captures")
    items = p.parse_all(corpus("atak-civ", "atakcotcaptures.txt").read_bytes())
    assert updates(items) == alone
    assert len(alone) == 13  # 7 + 6 SA tracks; chat and file transfers are skipped
    assert p.skipped == 4
    assert errors(items)  # prose, braces and the damaged event
