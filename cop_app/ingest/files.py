"""Feeding whole files through the parsers: format detection, gzip, KMZ, folders, stdin.

The server's ``/v1/ingest`` and ``cop-app import`` both come here, so a file is read
the same way whoever reads it.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cop_app.core.updates import ReportUpdate
from cop_app.ingest import FORMATS, Item, detect_format, make_parser
from cop_app.ingest.base import ParseStats
from cop_app.ingest.kml_read import KmlError, read_kmz

CHUNK = 1 << 20
HEAD = 8192
STDIN = Path("-")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK"
# Formats whose report ids are only unique within their file (a GeoJSON id or a KML
# Placemark id means nothing across files); CoT uids are global by design.
FILE_SCOPED_IDS = ("geojson", "kml")


@dataclass
class FileResult:
    path: str
    format: str | None
    stats: ParseStats = field(default_factory=ParseStats)
    problem: str | None = None  # the file as a whole could not be read
    skipped: int = 0  # well-formed input of kinds we do not show (CoT chat, AIS type 8...)
    skipped_what: str = ""

    @property
    def readable(self) -> bool:
        return self.problem is None


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the files below folders named (sorted, hidden ones left out)."""
    for path in paths:
        if path != STDIN and path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and not p.name.startswith("."))  # fmt: skip
        else:
            yield path


def feed_file(
    path: Path,
    fmt: str = "auto",
    sink: Callable[[Iterable[Item]], object] = lambda _: None,
    *,
    scope_report_ids: bool = False,
) -> FileResult:
    """Parse ``path`` (``-`` is stdin) in chunks, handing each batch of items to ``sink``.

    Never raises: a file that cannot be read as a whole comes back with ``problem``.
    With ``scope_report_ids``, GeoJSON/KML report ids become ``<file name>:<id>`` so two
    files that both number their reports from 1 do not overwrite each other.
    """
    name = "stdin" if path == STDIN else path.name
    result = FileResult(str(path), None)
    try:
        with _open(path) as raw:
            stream: BinaryIO = raw
            head = stream.read(HEAD)
            if head[:2] == GZIP_MAGIC:
                stream = gzip.GzipFile(fileobj=_Prepend(head, raw))  # type: ignore[assignment]
                head = stream.read(HEAD)
                name = name.removesuffix(".gz")
            if not head.strip():
                result.problem = "empty file"
                return result
            if fmt == "auto":
                fmt = "kml" if head[:2] == ZIP_MAGIC else detect_format(
                    name, head.decode("utf-8", errors="replace"))  # fmt: skip
                if fmt is None:
                    known = "|".join(FORMATS)
                    result.problem = f"format not recognised (use --format {known})"
                    return result
            result.format = fmt
            parser = make_parser(fmt, source=name)
            if scope_report_ids and fmt in FILE_SCOPED_IDS:
                sink = _scoped(sink, name)
            if fmt == "kml" and head[:2] == ZIP_MAGIC:
                try:
                    sink(parser.feed(read_kmz(head + stream.read())))
                except KmlError as exc:
                    result.problem = str(exc)
                    return result
            else:
                sink(parser.feed(head))
                while chunk := stream.read(CHUNK):
                    sink(parser.feed(chunk))
            sink(parser.close())
    except (OSError, EOFError) as exc:  # unreadable, a folder, a truncated gzip
        result.problem = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
        return result
    except ValueError as exc:  # unknown --format
        result.problem = str(exc)
        return result
    result.stats = parser.stats
    _count_skipped(result, parser)
    return result


def _open(path: Path) -> BinaryIO:
    if path == STDIN:
        return io.BufferedReader(io.FileIO(sys.stdin.fileno(), closefd=False))
    return open(path, "rb")


class _Prepend(io.RawIOBase):
    """A stream that first returns bytes already read (format sniffing), then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def _scoped(sink: Callable[[Iterable[Item]], object], name: str):
    def scoped(items: Iterable[Item]) -> object:
        items = list(items)
        for item in items:
            if isinstance(item, ReportUpdate) and not item.id.startswith("cot:"):
                item.id = f"{name}:{item.id}"
        return sink(items)

    return scoped


_SKIP_COUNTERS = (
    ("ignored", "AIS messages of types with no track data"),
    ("other_nmea", "non-AIS NMEA sentences (e.g. the receiver's GPS)"),
    ("skipped", "CoT events of types not shown (chat, drawings...)"),
    ("non_track_records", "SBS records with no track data (STA, AIR...)"),
)


def _count_skipped(result: FileResult, parser: object) -> None:
    parts = []
    for attr, what in (("ignored", "AIS messages of types with no track data"),
                       ("other_nmea", "non-AIS NMEA sentences (e.g. the receiver's GPS)"),
                       ("skipped", "CoT events of types not shown (chat, drawings, ...)"),
                       ("non_track_records", "SBS records with no track data (STA, AIR...)"),
                       ):  # fmt: skip
        n = int(getattr(parser, attr, 0) or 0)
        if n:
            parts.append(f"{n} {what}")
            result.skipped += n
    result.skipped_what = "; ".join(parts)
