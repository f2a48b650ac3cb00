"""CoT as a stream: framing, junk, truncation, runaway events, hostile XML, and
property tests (random bytes, mutations, chunk boundaries anywhere)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cop_app.ingest.cot import CotParser
from tests.ingest.cot_support import errors, fts_files, updates

TIME = "2024-03-01T12:00:00Z"
DECL = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


def ev(uid: str, cot_type: str = "a-h-G", remarks: str = "") -> str:
    return (
        f'<event version="2.0" uid="{uid}" type="{cot_type}" time="{TIME}" stale="{TIME}">'
        f'<point lat="10.5" lon="20.25" hae="9999999" ce="9999999" le="9999999"/>'
        f"<detail><remarks>{remarks}</remarks></detail></event>"
    )


def keys(items: list) -> list[str]:
    return [u.key for u in updates(items)]


def feed_chunks(p: CotParser, data: bytes, cuts: list[int]) -> list:
    items: list = []
    prev = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        items += p.feed(data[prev:cut])
        prev = cut
    return items + p.close()


def test_concatenated_with_and_without_declarations() -> None:
    text = ev("a") + ev("b") + DECL + ev("c") + "\n\n" + DECL + "<!-- note -->" + ev("d") + "\n"
    p = CotParser("t")
    items = p.parse_all(text)
    assert keys(items) == ["cot:a", "cot:b", "cot:c", "cot:d"]
    assert not errors(items)


def test_junk_between_events_is_one_error_each_gap() -> None:
    items = CotParser("t").parse_all(ev("a") + "garbage here" + ev("b") + "}" + ev("c") + "x")
    assert keys(items) == ["cot:a", "cot:b", "cot:c"]
    errs = errors(items)
    assert len(errs) == 3
    assert errs[0].location == f"offset {len(ev('a'))}"
    assert errs[0].excerpt == "garbage here"


def test_truncated_event_at_close() -> None:
    whole = ev("a") + ev("b")
    items = CotParser("t").parse_all(whole[:-10])
    assert keys(items) == ["cot:a"]
    [err] = errors(items)
    assert "truncated" in err.reason and err.location == f"offset {len(ev('a'))}"


def test_truncated_event_followed_by_another_resyncs() -> None:
    items = CotParser("t").parse_all(ev("a")[:-20] + DECL + ev("b"))
    assert keys(items) == ["cot:b"]
    assert "truncated" in errors(items)[0].reason


def test_malformed_event_between_good_ones() -> None:
    bad = ev("bad").replace("<detail>", "<detail><oops>")
    items = CotParser("t").parse_all(ev("a") + bad + ev("c"))
    assert keys(items) == ["cot:a", "cot:c"]
    assert "malformed" in errors(items)[0].reason


class SmallCot(CotParser):
    max_event_chars = 2000


def test_runaway_event_is_an_error_then_resync_in_any_chunking() -> None:
    huge = ev("huge", remarks="x" * 5000)
    data = (ev("a") + huge + ev("b") + huge[:3000] + ev("c")).encode()
    whole = SmallCot("t").parse_all(data)
    assert keys(whole) == ["cot:a", "cot:b", "cot:c"]
    assert len(errors(whole)) == 2
    assert "longer than 2000" in errors(whole)[0].reason
    for step in (1, 97, 1024):
        got = feed_chunks(SmallCot("t"), data, list(range(step, len(data), step)))
        assert keys(got) == keys(whole)
        assert len(errors(got)) == 2


def test_runaway_without_end_does_not_grow_the_buffer() -> None:
    p = SmallCot("t")
    p.feed(ev("a")[:100])
    for _ in range(50):
        p.feed("y" * 1000)
    assert p._framer.pending <= SmallCot.max_event_chars + 1000
    items = p.feed(ev("b")) + p.close()
    assert keys(items) == ["cot:b"]
    assert p.stats.rejected == 1


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE event [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<event version="2.0" uid="&lol9;" type="a-h-G" time="2024-03-01T12:00:00Z">
<point lat="1" lon="2"/><detail><remarks>&lol9;</remarks></detail></event>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<event version="2.0" uid="x" type="a-h-G" time="2024-03-01T12:00:00Z">
<point lat="1" lon="2"/><detail><remarks>&xxe;</remarks></detail></event>"""

EXTERNAL_DTD = """<!DOCTYPE event SYSTEM "http://example.invalid/cot.dtd">""" + ev("dtd")


def test_billion_laughs_and_external_entities_are_errors_not_expansion() -> None:
    for doc in (BILLION_LAUGHS, XXE, EXTERNAL_DTD):
        items = CotParser("t").parse_all(ev("before") + doc + ev("after"))
        assert keys(items) == ["cot:before", "cot:after"]
        [err] = errors(items)
        assert "forbidden" in err.reason
        assert "lollol" not in repr(items) and "root:" not in repr(items)


def test_undeclared_entity_is_an_error() -> None:
    items = CotParser("t").parse_all(ev("a", remarks="&lol9;"))
    assert len(errors(items)) == 1 and not updates(items)


def test_utf8_split_across_reads_survives() -> None:
    data = ev("a", remarks="Мариуполь ☂").encode()
    cut = data.index("☂".encode()) + 1  # inside the 3-byte character
    items = feed_chunks(CotParser("t"), data, [cut])
    assert updates(items)[0].fields["remarks"] == "Мариуполь ☂"


def test_bytes_with_bad_utf8_do_not_raise() -> None:
    items = CotParser("t").parse_all(b"\xff\xfe" + ev("a").encode() + b"\x80")
    assert keys(items) == ["cot:a"]


# --- property tests -----------------------------------------------------------------

SAMPLE = [p.read_text(encoding="utf-8") for p in fts_files()[::60]]  # 15 real events
SAMPLE_BYTES = "".join(SAMPLE).encode()
SAMPLE_ITEMS = CotParser("s").parse_all(SAMPLE_BYTES)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    p = CotParser("r")
    items = p.parse_all(data)
    assert p.stats.accepted + p.stats.rejected == len(items)
    assert all(e.reason and not e.reason.startswith("internal") for e in errors(items))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' event?xml!-[]&;:pointa-fG\n")),
               max_size=400))  # fmt: skip
def test_random_xmlish_text_never_raises(text: str) -> None:
    items = CotParser("r").parse_all(ev("a") + text + ev("z"))
    assert all(not e.reason.startswith("internal") for e in errors(items))
    assert keys(items)[-1] == "cot:z"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE_BYTES)), max_size=40))
def test_chunk_boundaries_anywhere(cuts: list[int]) -> None:
    assert feed_chunks(CotParser("s"), SAMPLE_BYTES, cuts) == SAMPLE_ITEMS


MESSY = (
    DECL + ev("a") + "junk}" + ev("b")[:-30] + "\n" + DECL + "<!-- c -->" + ev("c")
    + ev("d").replace("<detail>", "<detail><x>") + XXE
    + f"<event uid='p' type='t-x-c-t' time='{TIME}'/>"
    + ev("e", remarks="Київ") + "trailing" + ev("f")[:50]
).encode()  # fmt: skip
MESSY_ITEMS = CotParser("m").parse_all(MESSY)


def test_messy_stream_whole() -> None:
    assert keys(MESSY_ITEMS) == ["cot:a", "cot:c", "cot:e"]
    assert len(errors(MESSY_ITEMS)) == 6  # junk, truncated b, malformed d, XXE, trailing, f


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(MESSY)), max_size=30))
def test_errors_and_updates_do_not_depend_on_chunking(cuts: list[int]) -> None:
    assert feed_chunks(CotParser("m"), MESSY, cuts) == MESSY_ITEMS


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(SAMPLE) - 1),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=5000), st.integers(0, 8),
                  st.text(max_size=8)),
        min_size=1, max_size=6,
    ),
)  # fmt: skip
def test_mutated_event_does_not_hurt_its_neighbours(
    which: int, edits: list[tuple[int, int, str]]
) -> None:
    text = SAMPLE[which]
    for pos, delete, insert in edits:
        pos %= len(text) + 1
        text = text[:pos] + insert + text[pos + delete :]
    p = CotParser("m")
    items = p.parse_all(ev("before") + text + ev("after"))
    assert all(not e.reason.startswith("internal") for e in errors(items))
    got = keys(items)
    assert got[0] == "cot:before" and got[-1] == "cot:after"
