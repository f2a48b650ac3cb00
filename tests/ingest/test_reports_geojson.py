"""GeoJSON land reports: geojsonhint's corpus (section 12 of SOURCES.md) and RFC 7946.

geojsonhint's ``bad/X.result`` lists its findings; ``level: "message"`` marks a warning.
We reject every bad file that RFC 7946 makes invalid. The bad files we accept are
enumerated in ACCEPTED_BAD with the RFC's reason; the test checks the list against
the corpus, so a new warning-only file or a changed verdict fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cop_app.core.updates import ParseError, ReportUpdate
from cop_app.ingest import make_parser
from cop_app.ingest.reports import GeoJsonParser
from tests.conftest import corpus

GOOD = sorted(corpus("geojsonhint", "good").glob("*.geojson"))
BAD = sorted(corpus("geojsonhint", "bad").glob("*.geojson"))

# bad/ files we accept: (kind, reason from RFC 7946). "warning": geojsonhint also only
# warns; "none": geojsonhint finds nothing; "differs": geojsonhint calls it an error.
ACCEPTED_BAD = {
    "bad-polygon-interiorring-rhr.geojson": (
        "warning", "3.1.6: parsers SHOULD NOT reject Polygons that do not follow the "
        "right-hand rule (interior rings clockwise)"),
    "polygon_winding_order.geojson": (
        "warning", "3.1.6: parsers SHOULD NOT reject Polygons that do not follow the "
        "right-hand rule (exterior ring counterclockwise)"),
    "point-toomany.geojson": (
        "warning", "3.1.1: implementations SHOULD NOT extend positions beyond three "
        "elements; a SHOULD NOT, so a warning and not a rejection"),
    "excessive_precision_truncated.geojson": (
        "none", "11.2: coordinate precision is advice; geojsonhint's result is empty"),
    "geometrycollection_nested.geojson": (
        "differs", "3.1.8: implementations SHOULD avoid nested GeometryCollections; "
        "SHOULD, not MUST, so valid GeoJSON: accepted with a warning"),
    "geometrycollection_single.geojson": (
        "differs", "3.1.8: a single-part GeometryCollection SHOULD be avoided (the "
        "SHOULD-level advice to use a single-part or multi-part type): accepted with a warning"),
}  # fmt: skip


def parse(text: str) -> tuple[list[ReportUpdate], list[ParseError]]:
    items = GeoJsonParser("t").parse_all(text)
    return (
        [i for i in items if isinstance(i, ReportUpdate)],
        [i for i in items if isinstance(i, ParseError)],
    )


def result_of(path: Path) -> list[dict]:
    return json.loads(path.with_suffix(".result").read_text())


def test_corpus_is_there() -> None:
    assert len(GOOD) == 18 and len(BAD) == 44


# Where we differ from geojsonhint on a "good" file, and why (the spec decides).
GOOD_WITH_OUR_ERRORS = {
    # RFC 7946 3.1.1/4: positions are WGS84 longitude, latitude. geojsonhint does not
    # range-check; a latitude of -119.8 is no place on Earth, so the report is kept
    # (every feature still yields one) but without a location, and that is reported.
    "issue82.geojson": "out of range",
}


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_files_accepted_without_errors(path: Path) -> None:
    reports, errors = parse(path.read_text())
    if path.name in GOOD_WITH_OUR_ERRORS:
        assert errors and all(GOOD_WITH_OUR_ERRORS[path.name] in e.reason for e in errors)
        assert all(r.lat is None or -90 <= r.lat <= 90 for r in reports)
    else:
        assert errors == []
    doc = json.loads(path.read_text())
    expected = len(doc["features"]) if doc["type"] == "FeatureCollection" else 1
    assert len(reports) == expected


def test_accepted_bad_list_matches_the_corpus() -> None:
    """Every warning-only/empty result is listed, and every "differs" entry really is
    an error for geojsonhint (so the disagreement is real, not a typo)."""
    for path in BAD:
        levels = [r.get("level", "error") for r in result_of(path)]
        if all(level == "message" for level in levels):
            assert path.name in ACCEPTED_BAD, f"{path.name}: warning-only result not listed"
            kind = ACCEPTED_BAD[path.name][0]
            assert kind == ("warning" if levels else "none"), path.name
    for name, (kind, _reason) in ACCEPTED_BAD.items():
        if kind == "differs":
            levels = [
                r.get("level", "error") for r in result_of(corpus("geojsonhint", "bad", name))
            ]
            assert "error" in levels, name


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_files(path: Path) -> None:
    reports, errors = parse(path.read_text())
    if path.name in ACCEPTED_BAD:
        kind, _reason = ACCEPTED_BAD[path.name]
        assert errors == [] and len(reports) == 1
        if kind != "none":
            assert reports[0].fields.get("warnings"), "the SHOULD-level finding is recorded"
    else:
        assert errors, f"{path.name} is invalid GeoJSON and must yield a ParseError"
        assert all(e.reason for e in errors)


def test_syntax_error_names_line_and_column() -> None:
    text = corpus("geojsonhint", "bad", "bad-json.geojson").read_text()
    # The parser meets the unexpected string on the line holding "coordinates".
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"coordinates"' in s)
    _, errors = parse(text)
    assert len(errors) == 1
    assert f"line {line} column" in errors[0].reason


def test_multiple_problems_keeps_the_good_feature() -> None:
    """geojsonhint's result flags lines 4/10 (feature 0), 27 (feature 2) and 38/41
    (feature 3); feature 1 is valid and must still come through."""
    path = corpus("geojsonhint", "bad", "multiple_problems.geojson")
    reports, errors = parse(path.read_text())
    assert sorted(e.location for e in errors) == ["feature 0", "feature 2", "feature 3"]
    good = json.loads(path.read_text())["features"][1]["geometry"]
    assert len(reports) == 1 and reports[0].geometry == good
    assert (reports[0].lon, reports[0].lat) == tuple(good["coordinates"])


def test_collection_faults_reported_once_features_kept() -> None:
    path = corpus("geojsonhint", "bad", "featurecollection_changed_semantics.geojson")
    reports, errors = parse(path.read_text())
    assert [e.location for e in errors] == ["document"]
    assert len(reports) == 3


def test_duplicate_names_reject_that_feature_only() -> None:
    text = (
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"time":"2024-01-01T00:00:00Z","time":"x"},'
        '"geometry":{"type":"Point","coordinates":[30,50]}},'
        '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[31,51]}}]}'
    )
    reports, errors = parse(text)
    assert [e.location for e in errors] == ["feature 0"] and "duplicate" in errors[0].reason
    assert [(r.lat, r.lon) for r in reports] == [(51, 31)]


def test_not_json_is_one_error() -> None:
    reports, errors = parse("this is not json {")
    assert reports == [] and len(errors) == 1 and errors[0].location == "document"


def test_nan_is_not_json() -> None:
    _, errors = parse('{"type":"Point","coordinates":[NaN, 1]}')
    assert len(errors) == 1


def feature(props: dict | None, geometry: dict | None = None, **extra) -> str:
    geom = geometry or {"type": "Point", "coordinates": [37.5, 47.25]}
    return json.dumps({"type": "Feature", "properties": props, "geometry": geom, **extra})


def test_mapping_of_report_fields() -> None:
    props = {
        "id": "R-17", "name": " Shelling near X ", "description": "Three impacts",
        "event_type": "Shelling", "status": "triaged", "reliability": "b",
        "credibility": "2", "perception": "Heard", "count": 3,
        "time": "2024-05-01T10:00:00", "end": "2024-05-01T10:30:00+02:00",
    }  # fmt: skip
    (report,), errors = parse(feature(props))
    assert errors == []
    assert report.id == "R-17"
    assert report.time == 1714557600.0  # 2024-05-01T10:00Z: naive ISO 8601 is UTC
    assert report.fields["time_end"] == 1714552200.0  # 08:30Z
    assert (report.lat, report.lon) == (47.25, 37.5)
    f = report.fields
    assert (f["title"], f["text"], f["event_type"], f["status"]) == (
        "Shelling near X",
        "Three impacts",
        "explosion",
        "triaged",
    )
    assert (f["reliability"], f["credibility"], f["perception"], f["count"]) == ("B", 2, "heard", 3)
    assert f["properties"] == props


def test_feature_id_wins_and_numbers_are_ids() -> None:
    """RFC 7946 3.2: id is a string or a number."""
    (report,), _ = parse(feature({"id": "p"}, id=100))
    assert report.id == "100"


def test_content_hash_id_is_stable() -> None:
    a, _ = parse(feature({"name": "a"}))
    b, _ = parse(feature({"name": "a"}))
    c, _ = parse(feature({"name": "b"}))
    assert a[0].id == b[0].id != c[0].id


@pytest.mark.parametrize(
    ("props", "dropped"),
    [({"reliability": "G"}, "reliability"), ({"credibility": 7}, "credibility"),
     ({"credibility": True}, "credibility"), ({"count": -1}, "count"),
     ({"perception": "smelt"}, "perception"), ({"time": "yesterday"}, None)],
)  # fmt: skip
def test_bad_field_dropped_report_kept(props: dict, dropped: str | None) -> None:
    (report,), errors = parse(feature(props))
    assert len(errors) == 1 and errors[0].location == "feature 0"
    if dropped:
        assert dropped not in report.fields and dropped in errors[0].reason
    else:
        assert report.time is None


def test_unknown_status_falls_back_to_reported() -> None:
    (report,), errors = parse(feature({"status": "rumour"}))
    assert report.fields["status"] == "reported" and len(errors) == 1


def test_unknown_event_type_is_other() -> None:
    (report,), _ = parse(feature({"event_type": "parade"}))
    assert report.fields["event_type"] == "other"


def test_polygon_point_is_inside() -> None:
    """A C-shaped polygon's centroid lies outside it; the report point must not."""
    ring = [[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3], [0, 0]]
    (report,), _ = parse(feature({}, {"type": "Polygon", "coordinates": [ring]}))
    import shapely

    assert shapely.Polygon(ring).contains(shapely.Point(report.lon, report.lat))


def test_registry_builds_the_parser() -> None:
    assert isinstance(make_parser("geojson"), GeoJsonParser)


def test_stats_count() -> None:
    parser = GeoJsonParser("t")
    parser.parse_all(corpus("geojsonhint", "bad", "multiple_problems.geojson").read_text())
    assert (parser.stats.accepted, parser.stats.rejected) == (1, 3)


def test_chunked_feed_equals_whole() -> None:
    text = corpus("geojsonhint", "good", "good-featurecollection.geojson").read_text()
    parser = GeoJsonParser("t")
    items = [i for k in range(0, len(text), 7) for i in parser.feed(text[k : k + 7])]
    items += parser.close()
    assert items == GeoJsonParser("t").parse_all(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"GeometryCollection","geometries":[' * 50 + "]}" * 50,  # deep GC nesting
        "[" * 100_000,  # deeper than any JSON parser should follow
        '{"type":"Point","coordinates":[1e400, 0]}',  # overflows to infinity: not a place
    ],
    ids=["nested-gc", "deep-json", "infinity"],
)
def test_abusive_documents_are_one_error(text: str) -> None:
    reports, errors = parse(text)
    assert reports == [] and len(errors) == 1
    assert not errors[0].reason.startswith("internal parser error")
