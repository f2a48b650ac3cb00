"""Property tests: report parsers survive any input and lose only the bad feature.

"Survive" means no exception reaches ``StreamParser._guarded``, which would turn it
into an "internal parser error": every ParseError must come from our own checks.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cop_app.core.updates import ParseError, ReportUpdate
from cop_app.ingest.reports import GeoJsonParser, KmlParser
from tests.conftest import corpus

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLES = [
    *(corpus("geojsonhint", "good").glob("*.geojson")),
    *(corpus("togeojson").glob("*.kml")),
]
TEXTS = [p.read_text() for p in sorted(SAMPLES) if p.stat().st_size < 20_000]


def check_items(items: list[Any]) -> None:
    for item in items:
        assert isinstance(item, ReportUpdate | ParseError)
        if isinstance(item, ParseError):
            assert not item.reason.startswith("internal parser error"), item.reason


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    for cls in (GeoJsonParser, KmlParser):
        parser = cls("p")
        check_items(parser.feed(data) + parser.close())


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


@FAST
@given(json_values)
def test_random_json(value: Any) -> None:
    check_items(GeoJsonParser("p").parse_all(json.dumps(value)))


@FAST
@given(
    st.sampled_from(TEXTS),
    st.integers(min_value=0, max_value=20_000),
    st.integers(min_value=0, max_value=40),
    st.text(max_size=10),
)
def test_mutated_documents(text: str, at: int, cut: int, insert: str) -> None:
    at %= len(text) + 1
    mutated = text[:at] + insert + text[at + cut :]
    for cls in (GeoJsonParser, KmlParser):
        check_items(cls("p").parse_all(mutated))


def good_feature(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": f"{lon},{lat}"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}  # fmt: skip


def corrupt(feature: dict[str, Any], how: int, junk: Any) -> dict[str, Any]:
    """One structural fault RFC 7946 forbids, chosen by ``how``."""
    bad = json.loads(json.dumps(feature))
    if how == 0:
        bad["geometry"]["coordinates"] = [junk] if not isinstance(junk, int | float) else junk
    elif how == 1:
        bad["type"] = f"Not{junk}"
    elif how == 2:
        bad["properties"] = [junk]
    elif how == 3:
        bad["id"] = {"v": junk}
    elif how == 4:
        bad["geometry"]["type"] = f"Pt{junk}"
    else:
        del bad["geometry"]
    return bad


positions = st.tuples(st.floats(-180, 180), st.floats(-90, 90))


@FAST
@given(
    st.lists(positions, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=5),
    st.text(max_size=5) | st.booleans() | st.none(),
)
def test_bad_feature_among_good(points: list, where: int, how: int, junk: Any) -> None:
    features = [good_feature(lon, lat) for lon, lat in points]
    where %= len(features) + 1
    features.insert(where, corrupt(good_feature(0.0, 0.0), how, junk))
    doc = json.dumps({"type": "FeatureCollection", "features": features})
    items = GeoJsonParser("p").parse_all(doc)
    check_items(items)
    errors = [i for i in items if isinstance(i, ParseError)]
    reports = [i for i in items if isinstance(i, ReportUpdate)]
    assert [e.location for e in errors] == [f"feature {where}"]
    assert [(r.lon, r.lat) for r in reports] == [(lon, lat) for lon, lat in points]


@FAST
@given(
    st.lists(positions, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=6),
    st.text(alphabet="abcxyz,;-+e", min_size=1, max_size=8),
)
def test_bad_placemark_among_good(points: list, where: int, junk: str) -> None:
    marks = [f"<Placemark><Point><coordinates>{lon!r},{lat!r}</coordinates></Point></Placemark>"
             for lon, lat in points]  # fmt: skip
    where %= len(marks) + 1
    marks.insert(
        where, f"<Placemark><Point><coordinates>x{junk},1</coordinates></Point></Placemark>"
    )
    doc = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        + "".join(marks)
        + "</Document></kml>"
    )
    items = KmlParser("p").parse_all(doc)
    check_items(items)
    errors = [i for i in items if isinstance(i, ParseError)]
    reports = [i for i in items if isinstance(i, ReportUpdate)]
    assert [e.location for e in errors] == [f"placemark {where}"]
    assert [(r.lon, r.lat) for r in reports] == [(lon, lat) for lon, lat in points]
