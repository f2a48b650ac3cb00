"""Cut a CoT text stream into single ``<event>`` documents.

CoT over TCP/UDP (and capture files) is a concatenation of events, often each with
its own ``<?xml ...?>`` declaration, so the stream as a whole is not one XML
document and no XML parser can read it directly. This module finds event
boundaries by text; each event is then parsed on its own with defusedxml.

Why framing is hand-written: defusedxml (like ElementTree) only parses whole
documents or pull-parses a single root, and no library in our stack frames
concatenated CoT. The framing looks only at ``<event``/``</event>`` and the
prolog between events; all XML syntax is still judged by defusedxml.

Rules, chosen so the result does not depend on where chunks happen to break:
- an event is ``<event`` ... ``</event>``, or a self-closing ``<event .../>``;
- an event never contains another literal ``<event`` (real CoT escapes nested
  events, e.g. ATAK telestration), so a second ``<event`` before the end means
  the first was truncated: it becomes an error and framing resyncs there;
- between events, white space, XML declarations/processing instructions and
  comments are ignored; a DOCTYPE is handed to the parser with the next event (so
  defusedxml, not we, rejects entity tricks); anything else is junk (one error per gap);
- an event longer than ``max_chars`` is an error; the rest of it is dropped up to
  its ``</event>`` or the next ``<event``, whichever comes first.

Known limit: ``<event`` or ``</event>`` written literally inside a comment or CDATA
section would be taken as a boundary (the events around it still decode; the one
cut becomes an error). No CoT producer we know of writes that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_START = re.compile(r"<event(?=[\s/>])")
# A start tag: quoted values may hold '>', never '<' (not well-formed), so a tag can
# never run into the next event.
_START_TAG = re.compile(r"""<event(?:[^<>"']|"[^"<]*"|'[^'<]*')*>""")
_END = re.compile(r"</event\s*>")
# What may sit between events without being junk: white space (and a BOM), XML
# declarations and other processing instructions, comments.
_NOISE = re.compile(r"(?:[\s\ufeff]+|<\?.*?\?>|<!--.*?-->)", re.S)
_START_LEN = len("<event")
_EXCERPT = 200  # enough of a bad frame for the error report
_END_OVERLAP = len("</event") + 64  # an end tag may straddle reads (with trailing space)


@dataclass(frozen=True, slots=True)
class Frame:
    """One event's text (``error`` None) or a piece of the stream that is not one."""

    offset: int  # character offset of the frame in the whole stream
    text: str
    error: str | None = None


class EventFramer:
    """Incremental framer: ``feed`` text, get complete frames; ``close`` flushes.

    The unread text is ``_buf[_pos:]``; it is compacted once per call, not per event,
    so a large read holding many events is framed in linear time.
    """

    def __init__(self, max_chars: int = 1_000_000) -> None:
        self.max_chars = max_chars
        self._buf = ""
        self._pos = 0  # start of the unread text in _buf
        self._offset = 0  # stream offset of _buf[_pos]
        self._prolog = ""  # a DOCTYPE seen before the event now being framed
        self._discarding = False  # dropping the rest of an over-long event
        self._scanned = 0  # unread[:_scanned] holds no end tag and no second start

    def feed(self, text: str) -> Iterator[Frame]:
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        yield from self._scan(final=False)

    def close(self) -> Iterator[Frame]:
        yield from self._scan(final=True)
        self._buf, self._pos, self._prolog, self._discarding = "", 0, "", False
        self._scanned = 0

    @property
    def pending(self) -> int:
        """Characters held while waiting for the rest of an event."""
        return len(self._buf) - self._pos

    # -- internals (positions below are relative to _pos unless named abs) --------------

    def _consume(self, n: int) -> None:
        self._pos += n
        self._offset += n
        self._scanned = 0

    def _scan(self, final: bool) -> Iterator[Frame]:
        while self.pending:
            if self._discarding:
                if not self._discard(final):
                    return
                continue
            start = _START.search(self._buf, self._pos)
            if start is None:
                yield from self._gap_without_event(final)
                return
            if start.start() > self._pos:
                yield from self._gap(self._buf[self._pos : start.start()])
                self._consume(start.start() - self._pos)
            done = yield from self._event(final)
            if not done:
                return

    def _event(self, final: bool) -> Iterator[Frame]:
        """Frame the event at the read position; returns False when more input is needed."""
        buf, p = self._buf, self._pos
        tag = _START_TAG.match(buf, p)
        if tag and tag.group().endswith("/>"):
            return (yield from self._emit(tag.end() - p))
        frm = p + max(1, self._scanned - _END_OVERLAP)
        nxt = _START.search(buf, frm)
        limit = nxt.start() if nxt else len(buf)
        end = _END.search(buf, max(tag.end() if tag else p + 1, frm), limit)
        if end:
            return (yield from self._emit(end.end() - p))
        if nxt:
            reason = "truncated CoT event (another <event> starts before </event>)"
            yield self._error(limit - p, reason)
            return True
        if final:
            yield self._error(self.pending, "truncated CoT event at end of input")
            return True
        if self.pending > self.max_chars:
            yield self._error(0, f"CoT event longer than {self.max_chars} characters")
            self._discarding = True
            self._consume(max(_START_LEN, self.pending - _END_OVERLAP))
            return True
        self._scanned = self.pending
        return False

    def _emit(self, n: int) -> Iterator[Frame]:
        if n > self.max_chars:
            yield self._error(n, f"CoT event longer than {self.max_chars} characters")
            return True
        yield Frame(self._offset, self._prolog + self._buf[self._pos : self._pos + n])
        self._prolog = ""
        self._consume(n)
        return True

    def _error(self, n: int, reason: str) -> Frame:
        """An error frame for the current event; consumes ``n`` characters of it."""
        frame = Frame(self._offset, self._buf[self._pos : self._pos + _EXCERPT], reason)
        self._prolog = ""
        self._consume(n)
        return frame

    def _discard(self, final: bool) -> bool:
        """Drop an over-long event's remainder; True once framing may resume."""
        buf, p = self._buf, self._pos
        end, nxt = _END.search(buf, p), _START.search(buf, p)
        if end and (nxt is None or end.start() < nxt.start()):
            self._consume(end.end() - p)
        elif nxt:
            self._consume(nxt.start() - p)
        elif final:
            self._consume(self.pending)
        else:
            self._consume(max(0, self.pending - _END_OVERLAP))
            return False
        self._discarding = False
        return True

    def _gap_without_event(self, final: bool) -> Iterator[Frame]:
        """Text with no ``<event`` yet: hold it (its tail may begin one) unless final
        or too long, then judge it as a gap."""
        text = self._buf[self._pos :]
        if final:
            yield from self._gap(text, final=True)
            self._consume(len(text))
        elif len(text) > self.max_chars:
            lt = text.rfind("<", len(text) - _START_LEN)
            cut = lt if lt >= 0 else len(text)
            yield from self._gap(text[:cut])
            self._consume(cut)

    def _gap(self, text: str, final: bool = False) -> Iterator[Frame]:
        pos = 0
        while m := _NOISE.match(text, pos):
            if m.end() == pos:
                break
            pos = m.end()
        if pos >= len(text):
            return
        rest = text[pos:]
        if rest.startswith("<!DOCTYPE") and not final:
            self._prolog = rest
            return
        yield Frame(self._offset + pos, rest, "not CoT: text outside any <event>")
