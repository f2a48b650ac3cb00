"""Feeding whole files through the parsers: format detection, KMZ, streaming reads.

The server's ``/v1/ingest`` and ``cop-app import`` both come here, so a file is
read the same way whoever reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cop_app.core.updates import ParseError
from cop_app.ingest import FORMATS, Item, detect_format, make_parser
from cop_app.ingest.base import ParseStats
from cop_app.ingest.kml_read import KmlError, read_kmz

CHUNK = 1 << 20
HEAD = 8192


@dataclass
class FileResult:
    path: str
    format: str | None
    stats: ParseStats = field(default_factory=ParseStats)
    problem: str | None = None  # the file as a whole could not be read
    skipped: int = 0  # well-formed input of kinds we do not show (CoT chat, AIS type 8...)

    @property
    def readable(self) -> bool:
        return self.problem is None


def feed_file(
    path: Path, fmt: str = "auto", sink: Callable[[Iterable[Item]], object] = lambda _: None
) -> FileResult:
    """Parse ``path`` in chunks, handing each batch of items to ``sink``; never raises."""
    result = FileResult(str(path), None)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
            if fmt == "auto":
                if path.suffix.lower() == ".kmz" or head[:2] == b"PK":
                    fmt = "kml"
                else:
                    fmt = detect_format(path.name, head.decode("utf-8", errors="replace"))
                if fmt is None:
                    known = "|".join(FORMATS)
                    result.problem = f"format not recognised (use --format {known})"
                    return result
            result.format = fmt
            parser = make_parser(fmt, source=path.name)
            if fmt == "kml" and head[:2] == b"PK":
                try:
                    sink(parser.feed(read_kmz(head + fh.read())))
                except KmlError as exc:
                    result.problem = str(exc)
                    return result
            else:
                sink(parser.feed(head))
                while chunk := fh.read(CHUNK):
                    sink(parser.feed(chunk))
            sink(parser.close())
    except OSError as exc:
        result.problem = f"cannot read: {exc.strerror or exc}"
        return result
    except ValueError as exc:  # unknown --format
        result.problem = str(exc)
        return result
    result.stats = parser.stats
    result.skipped = int(getattr(parser, "skipped", 0)) + int(getattr(parser, "ignored", 0))
    return result


def errors_of(items: Iterable[Item]) -> list[ParseError]:
    return [i for i in items if isinstance(i, ParseError)]
