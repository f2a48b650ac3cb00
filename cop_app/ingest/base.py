"""The streaming parser contract every feed format follows.

A parser is fed text in chunks of any size (a UDP datagram, a TCP read, a file) and
returns typed updates plus one ParseError per bad piece of input. It never raises
out of ``feed``/``close``: a feed must survive any byte sequence, and the counts in
``stats`` say what was accepted and rejected.
"""

from __future__ import annotations

import codecs
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate

log = logging.getLogger(__name__)

Item = TrackUpdate | ReportUpdate | ParseError

MAX_KEPT_ERRORS = 1000  # errors beyond this are counted, not kept (a flood must not eat memory)
EXCERPT_CHARS = 120


def excerpt(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.strip()
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


@dataclass
class ParseStats:
    accepted: int = 0  # updates emitted
    rejected: int = 0  # ParseErrors emitted
    errors: list[ParseError] = field(default_factory=list)

    def count(self, items: Iterable[Item]) -> None:
        for item in items:
            if isinstance(item, ParseError):
                self.rejected += 1
                if len(self.errors) < MAX_KEPT_ERRORS:
                    self.errors.append(item)
            else:
                self.accepted += 1


class StreamParser(ABC):
    """Base of all parsers: chunked input in, items out, never an exception."""

    format: str = ""

    def __init__(self, source: str = "") -> None:
        self.source = source or self.format
        self.stats = ParseStats()
        # Incremental, so a UTF-8 character split across two socket reads survives.
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: str | bytes) -> list[Item]:
        if isinstance(data, bytes):
            data = self._decoder.decode(data)
        return self._guarded(self._feed, data)

    def close(self) -> list[Item]:
        """End of input: flush buffered partial input (an unfinished multipart, a
        truncated document) as updates or errors."""
        tail = self._decoder.decode(b"", final=True)
        items = self._guarded(self._feed, tail) if tail else []
        return items + self._guarded(self._close)

    def parse_all(self, data: str | bytes) -> list[Item]:
        return self.feed(data) + self.close()

    def error(self, location: str, reason: str, text: str | bytes = "") -> ParseError:
        return ParseError(self.source, location, reason, excerpt(text))

    def _guarded(self, fn, *args) -> list[Item]:
        try:
            items = list(fn(*args))
        except Exception as exc:  # the last line of defence: a parser bug must not stop a feed
            log.exception("parser %s failed", self.format)
            items = [self.error("?", f"internal parser error: {type(exc).__name__}: {exc}")]
        self.stats.count(items)
        return items

    @abstractmethod
    def _feed(self, data: str) -> Iterator[Item]: ...

    def _close(self) -> Iterator[Item]:
        return iter(())


class LineParser(StreamParser):
    """Parsers for line formats (NMEA, SBS-1): buffers partial lines across chunks.

    Each complete line goes to ``parse_line``; an exception from it becomes a
    ParseError for that line only, so the lines around it still decode.
    """

    max_line_chars = 65536  # no real sentence is this long; a runaway line must not eat memory

    def __init__(self, source: str = "") -> None:
        super().__init__(source)
        self._partial = ""
        self._overlong = False  # inside a line already reported as too long
        self.lineno = 0

    def _feed(self, data: str) -> Iterator[Item]:
        buf = self._partial + data
        lines = buf.split("\n")
        self._partial = lines.pop()
        for line in lines:
            if self._overlong:
                self._overlong = False
                continue
            yield from self._one(line)
        if len(self._partial) > self.max_line_chars:
            self.lineno += 1
            yield self.error(f"line {self.lineno}",
                             f"line longer than {self.max_line_chars} characters", self._partial)
            self._partial = ""
            self._overlong = True

    def _close(self) -> Iterator[Item]:
        if self._partial:
            line, self._partial = self._partial, ""
            yield from self._one(line)
        yield from self.finish()

    def _one(self, line: str) -> Iterator[Item]:
        self.lineno += 1
        line = line.rstrip("\r")
        if not line.strip():
            return
        try:
            yield from self.parse_line(line, self.lineno)
        except Exception as exc:
            yield self.error(f"line {self.lineno}", f"{type(exc).__name__}: {exc}", line)

    @abstractmethod
    def parse_line(self, line: str, lineno: int) -> Iterable[Item]: ...

    def finish(self) -> Iterable[Item]:
        """Called at close after the last line (e.g. to report unfinished multiparts)."""
        return ()


class DocumentParser(StreamParser):
    """Parsers for whole documents (GeoJSON, KML, aircraft.json): parse at close.

    A size cap keeps a hostile or runaway input from exhausting memory.
    """

    max_bytes = 64 * 1024 * 1024

    def __init__(self, source: str = "") -> None:
        super().__init__(source)
        self._chunks: list[str] = []
        self._size = 0
        self._too_big = False

    def _feed(self, data: str) -> Iterator[Item]:
        if self._too_big:
            return iter(())
        self._size += len(data)
        if self._size > self.max_bytes:
            self._too_big = True
            self._chunks.clear()
            return iter([self.error("offset 0", f"document larger than {self.max_bytes} bytes")])
        self._chunks.append(data)
        return iter(())

    def _close(self) -> Iterator[Item]:
        if self._too_big:
            return
        text = "".join(self._chunks)
        self._chunks.clear()
        self._size = 0
        if text.strip():
            yield from self.parse_document(text)

    @abstractmethod
    def parse_document(self, text: str) -> Iterable[Item]: ...
