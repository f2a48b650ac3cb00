"""The SSE decoder against the WHATWG HTML spec's event-stream examples and rules.

Expected values are the ones the spec text states for each example
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.api.sse import ServerSentEvent, SSEDecoder


def decode_all(stream: bytes | str, chunk: int | None = None) -> tuple[list, SSEDecoder]:
    d = SSEDecoder()
    out = []
    if chunk is None:
        out += d.feed(stream)
    else:
        for i in range(0, len(stream), chunk):
            out += d.feed(stream[i : i + chunk])
    out += d.close()
    return out, d


def test_spec_stock_ticker_multiline_data():
    # Spec: "data: YHOO / data: +2 / data: 10" -> one message "YHOO\n+2\n10".
    events, _ = decode_all("data: YHOO\ndata: +2\ndata: 10\n\n")
    assert [e.data for e in events] == ["YHOO\n+2\n10"]
    assert events[0].event == "message"


def test_spec_comment_ids_and_leading_space():
    stream = (": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
              "data:  third event\n\n")  # fmt: skip
    events, d = decode_all(stream)
    assert [(e.data, e.id) for e in events] == [
        ("first event", "1"),
        ("second event", ""),  # a bare "id" resets the last event id
        (" third event", ""),  # only one leading space is stripped
    ]
    assert d.comments == 1


def test_spec_empty_data_lines():
    # Spec: the first block fires data "", the second "\n"; the last is never fired
    # because the stream ends without a blank line.
    events, _ = decode_all("data\n\ndata\ndata\n\ndata:")
    assert [e.data for e in events] == ["", "\n"]


def test_spec_two_identical_events():
    events, _ = decode_all("data:test\n\ndata: test\n\n")
    assert [e.data for e in events] == ["test", "test"]


def test_event_type_id_retry():
    events, d = decode_all("event: change\nid: 42\nretry: 3000\ndata: {}\n\n")
    assert events == [ServerSentEvent(event="change", data="{}", id="42", retry=3000)]
    assert d.last_event_id == "42" and d.retry == 3000


def test_bad_retry_and_nul_id_ignored():
    events, d = decode_all("id: 7\n\nretry: 12a\nid: x\0y\ndata: a\n\n")
    assert events[0].id == "7" and d.retry is None


def test_id_persists_and_empty_event_updates_last_id():
    # An event with no data is not dispatched, but its id still becomes the last id.
    events, d = decode_all("id: 5\n\ndata: a\n\n")
    assert events == [ServerSentEvent(data="a", id="5")]
    assert d.last_event_id == "5"


def test_event_type_resets_after_dispatch():
    events, _ = decode_all("event: change\ndata: a\n\ndata: b\n\n")
    assert [e.event for e in events] == ["change", "message"]


def test_line_without_colon_is_field_name():
    events, _ = decode_all("data\nevent\n\n")
    assert events == [ServerSentEvent(event="message", data="")]


def test_unknown_field_ignored():
    events, _ = decode_all("foo: bar\ndata: x\n\n")
    assert [e.data for e in events] == ["x"]


def test_bom_stripped_once_only():
    events, _ = decode_all("\ufeffdata: a\n\n\ufeffdata: b\n\n".encode())
    # The second BOM is part of a field name "\ufeffdata", which is unknown.
    assert [e.data for e in events] == ["a"]


def test_cr_lf_crlf_line_ends_and_split_crlf():
    stream = b"data: a\r\rdata: b\r\n\r\ndata: c\n\n"
    for chunk in (None, 1, 2, 3):
        events, _ = decode_all(stream, chunk)
        assert [e.data for e in events] == ["a", "b", "c"], chunk


def test_split_multibyte_utf8():
    stream = "data: Маріуполь ✓\n\n".encode()
    events, _ = decode_all(stream, 1)
    assert [e.data for e in events] == ["Маріуполь ✓"]


def test_open_event_dropped_at_close():
    d = SSEDecoder()
    assert d.feed(b"id: 9\ndata: half") == []
    assert d.close() == []
    assert d.last_event_id == ""  # never dispatched, so never adopted


_field = st.sampled_from(["data", "id", "event", "retry", ":", "x"])
_value = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                        blacklist_characters="\r\n"), max_size=8)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.tuples(_field, _value), max_size=30),
    ending=st.sampled_from(["\n", "\r", "\r\n"]),
    chunk=st.integers(min_value=1, max_value=7),
)
def test_chunking_and_line_endings_never_change_the_result(lines, ending, chunk):
    text = "".join(f"{f}:{v}{ending}" if f != "x" else ending for f, v in lines) + ending
    whole, _ = decode_all(text.replace(ending, "\n"))
    split, _ = decode_all(text.encode(), chunk)
    assert split == whole


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=9))
def test_random_bytes_never_raise(data, chunk):
    decode_all(data, chunk)
