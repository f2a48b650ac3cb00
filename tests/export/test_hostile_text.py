"""Untrusted strings come out of every format as inert text (XML, HTML, CSV, JSON)."""

from __future__ import annotations

import csv
import html
import io
import json

import defusedxml.ElementTree as SafeET
import pytest

from cop_app.export import write
from cop_app.export.csv_export import FORMULA_START
from cop_app.export.xmltext import xml_safe
from tests.export.conftest import HOSTILE_STRINGS, T0, build_picture

ALL = {"air", "sea", "land", "reports", "zones"}


def _export(tmp_path, fmt, text) -> str:
    path = tmp_path / f"out.{fmt}"
    write(fmt, build_picture(text), path, at=T0, layers=ALL, title=text, banner=text)
    return path.read_bytes().decode("utf-8-sig")  # no newline translation


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_kml(tmp_path, text):
    root = SafeET.fromstring(_export(tmp_path, "kml", text).encode())  # well-formed XML
    tags = {e.tag.rsplit("}", 1)[-1] for e in root.iter()}
    assert not tags & {"img", "script", "x", "svg"}
    values = [e.text or "" for e in root.iter()]
    # XML end-of-line handling (XML 1.0 section 2.11) reads a raw CR in text as LF.
    assert xml_safe(text).replace("\r", "\n") in values  # e.g. the vessel's <Data><value>
    descriptions = [e.text for e in root.iter() if e.tag.endswith("description")]
    # Google Earth renders description as HTML: the text is HTML-escaped inside it.
    escaped = html.escape(xml_safe(text)).replace("\r", "\n")
    assert any(escaped in (dsc or "") for dsc in descriptions)
    assert all("<img" not in (dsc or "") and "<script" not in (dsc or "")
               for dsc in descriptions)  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_cot(tmp_path, text):
    out = _export(tmp_path, "cot", text)
    remarks = []
    for line in out.splitlines():
        event = SafeET.fromstring(line.encode())
        assert {e.tag for e in event.iter()} <= {"event", "point", "detail", "contact",
                                                 "track", "__adsb", "__ais", "remarks", "cop"}
        remarks += [e.text for e in event.iter("remarks")]
    assert xml_safe(text) in remarks


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_geojson(tmp_path, text):
    doc = json.loads(_export(tmp_path, "geojson", text))
    assert doc["banner"] == text
    assert text in [f["properties"].get("text") for f in doc["features"]]


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_csv(tmp_path, text):
    rows = list(csv.reader(io.StringIO(_export(tmp_path, "csv", text), newline="")))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(FORMULA_START) for c in cells)
    expected = "'" + text if text.startswith(FORMULA_START) else text
    assert expected in cells


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_html_static(tmp_path, text):
    page = _export(tmp_path, "html", text)
    if "<" in text:
        assert text not in page  # never raw in markup or script
    assert "</script><script>alert" not in page
    assert html.escape(text) in page  # the banner, escaped
