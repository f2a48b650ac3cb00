"""The parser contract itself: chunking, decoding, runaway input."""

from cop_app.core.updates import ParseError, TrackUpdate
from cop_app.ingest import make_parser

SBS = (
    "MSG,3,1,1,4CA1FA,1,2026/11/26,15:30:00.000,2026/11/26,15:30:00.000,"
    ",35000,,,48.5,37.5,,,0,0,0,0\n"
)


def test_utf8_split_across_chunks_survives():
    p = make_parser("geojson")
    doc = ('{"type":"Feature","id":"r1","geometry":{"type":"Point","coordinates":[37,48]},'
           '"properties":{"title":"Вибух біля школи"}}').encode()
    cut = doc.index("Вибух".encode()) + 1  # inside a two-byte character
    items = p.feed(doc[:cut]) + p.feed(doc[cut:]) + p.close()
    assert [i.fields["title"] for i in items if not isinstance(i, ParseError)] == [
        "Вибух біля школи"
    ]


def test_runaway_line_is_one_error_and_the_next_line_still_decodes():
    p = make_parser("sbs")
    items = p.feed("X" * 70000) + p.feed("Y" * 10 + "\n" + SBS) + p.close()
    errors = [i for i in items if isinstance(i, ParseError)]
    tracks = [i for i in items if isinstance(i, TrackUpdate)]
    assert len(errors) == 1 and "longer than" in errors[0].reason
    assert len(tracks) == 1 and tracks[0].lat == 48.5
    assert p.stats.rejected == 1 and p.stats.accepted == 1
