"""KML land reports against togeojson's expected output (SOURCES.md section 11).

For each ``X.kml`` we check every expected feature's geometry (shapely, 1e-9), name,
description, ExtendedData values, id and time. Styles (stroke, fill, styleUrl,
styleHash, visibility) are out of scope: a report is not styled by its file.

Where we differ from togeojson, on purpose:
- Empty geometry parts (``<coordinates/>``, a ``gx:Track`` without coords) are dropped;
  togeojson keeps them as ``[null]``/``[]`` coordinates, which is not valid GeoJSON
  (RFC 7946 3.1.1: a position has two or more numbers). A placemark left with no
  geometry is skipped with a ParseError "placemark without geometry" (selfclosing.kml,
  8 placemarks of addresses.kml, nogeomplacemark.kml) instead of a feature.
- A LineString or track of one position becomes a Point: RFC 7946 3.1.4 needs two.
- A GeometryCollection left with one part is that part (RFC 7946 3.1.8 advises so).
- Open LinearRings are closed (KML 2.2 10.5 and RFC 7946 3.1.6 both require
  first = last); shapely closes rings too, so geometry comparison is unaffected.
- Names and descriptions are stripped of surrounding whitespace (display fields).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from cop_app.core.updates import ParseError, ReportUpdate
from cop_app.ingest.kml_read import KmlError, read_kmz
from cop_app.ingest.reports import KmlParser
from tests.conftest import corpus

KML = sorted(corpus("togeojson").glob("*.kml"))
NOT_DATA = {"name", "description", "address", "styleUrl", "styleHash", "stroke", "stroke-width",
            "stroke-opacity", "fill", "fill-opacity", "visibility", "timestamp", "timespan",
            "coordTimes"}  # fmt: skip


def parse(text: str) -> tuple[list[ReportUpdate], list[ParseError]]:
    items = KmlParser("t").parse_all(text)
    return (
        [i for i in items if isinstance(i, ReportUpdate)],
        [i for i in items if isinstance(i, ParseError)],
    )


def _usable(geom: dict[str, Any]) -> dict[str, Any] | None:
    """togeojson's geometry with the empty parts we drop removed (see module doc)."""
    if geom["type"] == "GeometryCollection":
        parts = [p for p in (_usable(g) for g in geom["geometries"]) if p]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"type": "GeometryCollection", "geometries": parts}
    coords = geom["coordinates"]
    if coords in ([], [None], [[None]]):
        return None
    if geom["type"] == "LineString" and len(coords) == 1:
        return {"type": "Point", "coordinates": coords[0]}
    return geom


def kml_time(text: str) -> float:
    """KML 2.2 kml:dateTimeType: xsd:dateTime, xsd:date, xsd:gYearMonth or xsd:gYear."""
    if len(text) == 4:
        return datetime(int(text), 1, 1, tzinfo=UTC).timestamp()
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def expected_times(props: dict[str, Any]) -> tuple[float | None, float | None]:
    if "timestamp" in props:
        return kml_time(props["timestamp"]), None
    if "timespan" in props:
        span = props["timespan"]
        return kml_time(span["begin"]), kml_time(span["end"])
    if "coordTimes" in props:
        flat = [t for ts in props["coordTimes"] for t in (ts if isinstance(ts, list) else [ts])]
        times = [kml_time(t) for t in flat]
        return min(times), max(times)
    return None, None


def _same_geometry(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    a, b = shapely.normalize(shape(ours)), shapely.normalize(shape(theirs))
    return a.equals_exact(b, tolerance=1e-9)


def test_corpus_is_there() -> None:
    assert len(KML) == 24


@pytest.mark.parametrize("path", KML, ids=lambda p: p.name)
def test_togeojson_conformance(path: Path) -> None:
    expected = json.loads(Path(f"{path}.geojson").read_text())["features"]
    reports, errors = parse(path.read_text())
    usable = [(f, _usable(f["geometry"])) for f in expected if f["geometry"]]
    kept = [(f, g) for f, g in usable if g is not None]
    skipped = len(expected) - len(kept)
    assert len(reports) == len(kept)
    no_geom = [e for e in errors if e.reason == "placemark without geometry"]
    assert len(no_geom) >= skipped and len(errors) == len(no_geom)
    for report, (feature, geom) in zip(reports, kept, strict=True):
        props = feature["properties"]
        assert _same_geometry(report.geometry, geom), props.get("name")
        assert report.fields.get("title") == ((props.get("name") or "").strip() or None)
        assert report.fields.get("text") == ((props.get("description") or "").strip() or None)
        start, end = expected_times(props)
        assert report.time == (pytest.approx(start, rel=0, abs=1e-3) if start is not None else None)
        assert report.fields.get("time_end") == (
            pytest.approx(end, rel=0, abs=1e-3) if end is not None else None
        )
        for key, value in props.items():
            if key not in NOT_DATA:
                assert report.fields["properties"][key] == value, key
        if "id" in feature:
            assert report.id == feature["id"]


def test_nogeomplacemark_is_a_parse_error() -> None:
    reports, errors = parse(corpus("togeojson", "nogeomplacemark.kml").read_text())
    assert reports == [] and [e.reason for e in errors] == ["placemark without geometry"]


def test_report_point_lies_on_the_geometry() -> None:
    for path in KML:
        for report in parse(path.read_text())[0]:
            geom = shape(report.geometry)
            point = shapely.Point(report.lon, report.lat)
            assert geom.distance(point) < 1e-9, path.name


def test_polygon_rings_follow_rfc7946_winding() -> None:
    (report,), _ = parse(corpus("togeojson", "polygon.kml").read_text())
    outer, *inner = report.geometry["coordinates"]
    assert shapely.LinearRing(outer).is_ccw
    assert inner and not any(shapely.LinearRing(r).is_ccw for r in inner)


PLACEMARK = """<?xml version="1.0"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><Folder>
<Placemark id="r1"><name>Impact</name>
<description><![CDATA[<b>two</b> craters]]></description>
<TimeStamp><when>2024-03-02T04:05:06Z</when></TimeStamp>
<ExtendedData><Data name="event_type"><value>explosion</value></Data>
<Data name="reliability"><value>C</value></Data><Data name="credibility"><value>3</value></Data>
<Data name="count"><value>2</value></Data></ExtendedData>
<Point><coordinates>37.8, 48.1</coordinates></Point></Placemark>
<Placemark><name>broken</name><Point><coordinates>abc,def</coordinates></Point></Placemark>
<Placemark><name>Zone</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
0,0 1,0 1,1 0,1 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Folder></Document></kml>"""


def test_nested_placemarks_fields_and_a_bad_one_between() -> None:
    reports, errors = parse(PLACEMARK)
    assert [e.location for e in errors] == ["placemark 1"]
    first, zone = reports
    assert first.id == "r1" and (first.lat, first.lon) == (48.1, 37.8)
    assert first.time == datetime(2024, 3, 2, 4, 5, 6, tzinfo=UTC).timestamp()
    assert first.fields["text"] == "<b>two</b> craters"
    assert (first.fields["event_type"], first.fields["reliability"]) == ("explosion", "C")
    assert (first.fields["credibility"], first.fields["count"]) == (3, 2)
    assert zone.geometry["type"] == "Polygon" and zone.fields["title"] == "Zone"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<kml><Placemark><name>&lol3;</name><Point><coordinates>1,2</coordinates></Point></Placemark></kml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml><Placemark><name>&xxe;</name><Point><coordinates>1,2</coordinates></Point></Placemark></kml>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_hostile_xml_is_one_parse_error(text: str) -> None:
    reports, errors = parse(text)
    assert reports == [] and len(errors) == 1 and errors[0].location == "document"
    assert "root:" not in errors[0].reason  # nothing of /etc/passwd leaks into the reason


@pytest.mark.parametrize("text", ["", "   ", "<kml", "<notkml/>", "\x00\x01", "<kml></kml>"])
def test_junk_never_raises(text: str) -> None:
    reports, errors = parse(text)
    assert reports == []
    assert len(errors) <= 1


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_kmz_reads_doc_kml() -> None:
    kml = corpus("togeojson", "point.kml").read_bytes()
    data = _zip({"files/icon.png": b"\x89PNG", "other.kml": b"<kml/>", "doc.kml": kml})
    assert read_kmz(data) == kml.decode("utf-8")
    reports, errors = parse(read_kmz(data))
    assert len(reports) == 1 and errors == []


def test_kmz_zip_bomb_stops_at_the_cap() -> None:
    data = _zip({"doc.kml": b"<kml>" + b" " * 5_000_000 + b"</kml>"})
    assert len(data) < 100_000  # highly compressed: the declared size is what gives it away
    with pytest.raises(KmlError, match=r"over|beyond"):
        read_kmz(data, max_bytes=1_000_000)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04junk", _zip({"a.txt": b"x"})])
def test_kmz_bad_archives(data: bytes) -> None:
    with pytest.raises(KmlError):
        read_kmz(data)


def test_non_finite_coordinates_rejected() -> None:
    text = (
        "<kml><Placemark><Point><coordinates>nan,1</coordinates></Point></Placemark>"
        '<Placemark><gx:Track xmlns:gx="http://www.google.com/kml/ext/2.2">'
        "<gx:coord>1 inf 0</gx:coord></gx:Track></Placemark>"
        "<Placemark><Point><coordinates>30,50</coordinates></Point></Placemark></kml>"
    )
    reports, errors = parse(text)
    assert [e.location for e in errors] == ["placemark 0", "placemark 1"]
    assert [(r.lon, r.lat) for r in reports] == [(30, 50)]
