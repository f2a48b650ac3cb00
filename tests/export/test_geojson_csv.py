"""GeoJSON (RFC 7946) and CSV exports: valid, complete, times right, text inert."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from shapely.geometry import LinearRing

from cop_app.core.timeutil import format_dtg, parse_iso
from cop_app.export import ExportError, write
from cop_app.ingest import geojson_check as gj
from cop_app.ingest.reports import GeoJsonParser
from tests.export.conftest import T0

ALL = {"air", "sea", "land", "reports", "zones"}


def _geojson(picture, tmp_path, **kw):
    path = tmp_path / "out.geojson"
    write("geojson", picture, path, at=T0, layers=kw.pop("layers", ALL), **kw)
    return path.read_text(encoding="utf-8")


def test_geojson_passes_our_strict_checker_without_warnings(picture, tmp_path):
    text = _geojson(picture, tmp_path)
    doc = gj.load_json(text)
    gj.check_own_duplicates(doc)
    assert gj.object_type(doc) == "FeatureCollection"
    assert list(gj.check_collection(doc)) == []
    for feature in gj.collection_features(doc):
        # A warning here would be a right-hand-rule or position-size breach (RFC 7946 3.1).
        assert gj.check_feature(feature) == [], feature["id"]


def test_geojson_rings_counter_clockwise_and_six_decimals(picture, tmp_path):
    doc = json.loads(_geojson(picture, tmp_path))
    polygons = [f for f in doc["features"] if f["geometry"]["type"] == "Polygon"]
    assert {f["id"] for f in polygons} == {"z-buffer", "rep-area"}  # both were clockwise
    for f in polygons:
        assert LinearRing(f["geometry"]["coordinates"][0]).is_ccw
    for number in re.findall(r'"coordinates":\[([^"]*)\]', _geojson(picture, tmp_path)):
        for value in re.findall(r"-?\d+(?:\.\d+)?", number):
            assert len(value.partition(".")[2]) <= 6


def test_geojson_selects_like_the_map(picture, tmp_path):
    doc = json.loads(_geojson(picture, tmp_path))
    ids = {f["id"] for f in doc["features"]}
    # rejected is hidden by default, the future report is after `at`, the corridor expired.
    assert ids == {"icao:4b1805", "icao:abc123", "mmsi:273456780", "cot:PATROL-7",
                   "rep-1", "rep-2", "rep-area", "z-buffer"}
    only_air = json.loads(_geojson(picture, tmp_path, layers={"air"}))
    assert {f["properties"]["layer"] for f in only_air["features"]} == {"air"}


def test_geojson_times_iso_and_dtg(picture, tmp_path):
    doc = json.loads(_geojson(picture, tmp_path))
    assert doc["picture_dtg"] == "261530ZNOV26"
    by_id = {f["id"]: f for f in doc["features"]}
    rep = by_id["rep-1"]["properties"]
    assert parse_iso(rep["time"]) == T0 - 600
    assert rep["dtg"] == format_dtg(T0 - 600) == "261520ZNOV26"
    # The friend airliner moved 35.0 -> 35.2 E; as of T0 it is at its last fix.
    assert by_id["icao:4b1805"]["geometry"]["coordinates"] == [35.2, 47.0]


def test_geojson_reimports_through_our_parser(picture, tmp_path):
    parser = GeoJsonParser("export")
    items = parser.feed(_geojson(picture, tmp_path)) + parser.close()
    errors = [i for i in items if not hasattr(i, "lat")]
    assert errors == []
    by_id = {i.id: i for i in items}
    assert by_id["rep-1"].time == T0 - 600
    assert by_id["rep-1"].fields["status"] == "verified"
    assert (by_id["rep-1"].lat, by_id["rep-1"].lon) == (47.9, 37.7)


def _csv_rows(picture, tmp_path, **kw):
    path = tmp_path / "out.csv"
    write("csv", picture, path, at=T0, layers=ALL, **kw)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_one_row_per_track_or_report(picture, tmp_path):
    rows = _csv_rows(picture, tmp_path)
    assert sorted(r["id"] for r in rows) == sorted(
        ["icao:4b1805", "icao:abc123", "mmsi:273456780", "cot:PATROL-7",
         "rep-1", "rep-2", "rep-area"])  # fmt: skip
    rep = next(r for r in rows if r["id"] == "rep-1")
    assert parse_iso(rep["time_utc"]) == T0 - 600
    assert rep["time_dtg"] == "261520ZNOV26"
    assert rep["mgrs"].startswith("37T")  # 37.7 E is UTM zone 37; band T spans 40-48 N
    assert (float(rep["lat"]), float(rep["lon"])) == (47.9, 37.7)
    assert rep["status"] == "verified"


def test_csv_negative_numbers_stay_numbers(tmp_path):
    from cop_app.core.enums import Domain
    from cop_app.core.picture import Picture
    from cop_app.core.updates import TrackUpdate

    pic = Picture()
    pic.upsert(TrackUpdate(Domain.LAND, "cot:W", "cot", T0, -33.5, -70.25, {}))
    row = _csv_rows(pic, tmp_path)[0]
    assert (row["lat"], row["lon"]) == ("-33.500000", "-70.250000")


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "kmz", "html", "cot"])
def test_unknown_folder_is_one_line_error(picture, tmp_path, fmt):
    with pytest.raises(ExportError) as exc:
        write(fmt, picture, tmp_path / "missing" / "x", at=T0)
    assert "\n" not in str(exc.value)


def test_unknown_format_is_an_export_error(picture, tmp_path):
    with pytest.raises(ExportError, match="unknown export format"):
        write("docx", picture, tmp_path / "x.docx", at=T0)
