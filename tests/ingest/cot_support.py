"""Helpers shared by the CoT tests: corpus files and an attribute reader that does
not use the parser under test (plain regular expressions over the file text)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate
from tests.conftest import corpus

_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_EVENT_TAG = re.compile(r"<event\b[^>]*>", re.S)
_POINT_TAG = re.compile(r"<point\b[^>]*>", re.S)


def attrs(tag: str) -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}  # fmt: skip


def event_attrs(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(event attributes, point attributes) of the first event in ``text``."""
    event = _EVENT_TAG.search(text)
    point = _POINT_TAG.search(text)
    assert event and point, text[:200]
    return attrs(event.group()), attrs(point.group())


def iso_epoch(text: str) -> float:
    """CoT time (``2005-04-05T11:43:38.07Z``) to epoch seconds, written out by hand."""
    assert text.endswith("Z"), text
    whole, _, frac = text[:-1].partition(".")
    dt = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return dt.timestamp() + (float("0." + frac) if frac else 0.0)


def fts_files() -> list[Path]:
    return sorted(corpus("freetakserver", "cot").glob("**/*.xml"))


def atak_files() -> list[Path]:
    return sorted(corpus("atak-civ").glob("*.cot"))


def esri_files() -> list[Path]:
    return sorted(corpus("esri-geoevent").glob("*.xml"))


def updates(items: list) -> list[TrackUpdate | ReportUpdate]:
    return [i for i in items if not isinstance(i, ParseError)]


def errors(items: list) -> list[ParseError]:
    return [i for i in items if isinstance(i, ParseError)]
