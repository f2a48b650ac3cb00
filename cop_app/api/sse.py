"""A pure Server-Sent Events decoder: bytes in, events out, no transport.

Follows the WHATWG HTML "event stream interpretation" rules
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
the way httpx-sse's ``_decoders.py`` does: the decoder keeps ``last_event_id`` and the
``retry`` hint; reconnecting with ``Last-Event-ID`` is the caller's loop (``sync.py``).
Hand-written on purpose: the format is ~30 lines of rules, and the libraries that
implement it (sseclient, httpx-sse) each tie the decoder to their own transport.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event. ``id`` is the stream's last event id at dispatch time."""

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None


class SSEDecoder:
    """Feed chunks of the stream (bytes or text); get back the events they completed.

    Lines may end in CRLF, LF or CR, and a CRLF split across two chunks counts once.
    Comment lines (``:`` first, the server's heartbeats) are counted in ``comments``
    and otherwise ignored. An event still open when the stream ends is discarded,
    as the spec says.
    """

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf = ""
        self._started = False  # the BOM is stripped only at the very start
        self._after_cr = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._data: list[str] = []
        self._event = ""
        self._id_buffer = ""
        self.last_event_id = ""
        self.retry: int | None = None  # the latest valid reconnection time, ms
        self.comments = 0

    def feed(self, chunk: bytes | str) -> list[ServerSentEvent]:
        text = self._utf8.decode(chunk) if isinstance(chunk, bytes) else chunk
        return self._lines(text)

    def close(self) -> list[ServerSentEvent]:
        """End of stream: a last unterminated line is processed, an open event dropped."""
        text = self._utf8.decode(b"", final=True)
        out = self._lines(text)
        if self._buf:
            line, self._buf = self._buf, ""
            out.extend(self._line(line))
        self._data, self._event = [], ""
        return out

    def _lines(self, text: str) -> list[ServerSentEvent]:
        if not text:
            return []
        if not self._started:
            self._started = True
            if text.startswith(_BOM):
                text = text[1:]
        if self._after_cr and text.startswith("\n"):
            text = text[1:]
        self._after_cr = text.endswith("\r")
        buf = self._buf + text
        out: list[ServerSentEvent] = []
        start = 0
        n = len(buf)
        while start < n:
            cr = buf.find("\r", start)
            lf = buf.find("\n", start)
            if cr < 0 and lf < 0:
                break
            if cr < 0 or (0 <= lf < cr):
                end, nxt = lf, lf + 1
            elif cr + 1 < n and buf[cr + 1] == "\n":
                end, nxt = cr, cr + 2
            else:
                end, nxt = cr, cr + 1  # a lone CR (or one whose LF is in the next chunk)
            out.extend(self._line(buf[start:end]))
            start = nxt
        self._buf = buf[start:]
        return out

    def _line(self, line: str) -> list[ServerSentEvent]:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return []
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value
        elif name == "retry":
            if value and value.isascii() and value.isdigit():
                self.retry = int(value)
        return []

    def _dispatch(self) -> list[ServerSentEvent]:
        self.last_event_id = self._id_buffer
        if not self._data:
            self._event = ""
            return []
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_event_id,
            retry=self.retry,
        )
        self._data, self._event = [], ""
        return [event]
