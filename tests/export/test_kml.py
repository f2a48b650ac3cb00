"""KML/KMZ export: OGC KML 2.2 child order, folders per layer, times, and re-import."""

from __future__ import annotations

import zipfile

import defusedxml.ElementTree as SafeET
import pytest

from cop_app.core.timeutil import parse_iso
from cop_app.export import write
from cop_app.ingest.reports import KmlParser, read_kmz
from tests.export.conftest import T0

NS = "{http://www.opengis.net/kml/2.2}"
ALL = {"air", "sea", "land", "reports", "zones"}
# OGC 07-147r2 (KML 2.2) sequence of a Placemark's children that we write, in order.
PLACEMARK_ORDER = ("name", "description", "TimeStamp", "TimeSpan", "styleUrl", "ExtendedData",
                   "Point", "LineString", "Polygon", "MultiGeometry")  # fmt: skip
DOCUMENT_ORDER = ("name", "open", "description", "Style", "Folder")
STYLE_ORDER = ("IconStyle", "LabelStyle", "LineStyle", "PolyStyle", "BalloonStyle")


def _kml(picture, tmp_path) -> str:
    path = tmp_path / "out.kml"
    write("kml", picture, path, at=T0, layers=ALL)
    return path.read_text(encoding="utf-8")


def _tags(elem) -> list[str]:
    return [c.tag.removeprefix(NS) for c in elem]


def _in_order(tags: list[str], order: tuple[str, ...]) -> bool:
    ranks = [order.index(t) for t in tags]
    return ranks == sorted(ranks)


def test_children_follow_the_kml_22_schema_order(picture, tmp_path):
    root = SafeET.fromstring(_kml(picture, tmp_path).encode())
    assert root.tag == NS + "kml"
    doc = root.find(NS + "Document")
    assert _in_order(_tags(doc), DOCUMENT_ORDER)
    for style in doc.iter(NS + "Style"):
        assert _in_order(_tags(style), STYLE_ORDER)
    placemarks = list(root.iter(NS + "Placemark"))
    assert len(placemarks) == 8
    for pm in placemarks:
        tags = _tags(pm)
        assert _in_order(tags, PLACEMARK_ORDER), tags
        assert sum(t in PLACEMARK_ORDER[-4:] for t in tags) == 1  # exactly one geometry
        assert pm.get("id").replace("_", "").replace("-", "").replace(".", "").isalnum()


def test_one_folder_per_layer_with_time_primitives(picture, tmp_path):
    doc = SafeET.fromstring(_kml(picture, tmp_path).encode()).find(NS + "Document")
    folders = {f.findtext(NS + "name"): f for f in doc.findall(NS + "Folder")}
    assert list(folders) == ["Air tracks", "Sea tracks", "Land tracks", "Land reports", "Zones"]
    for name in ("Air tracks", "Sea tracks", "Land tracks", "Land reports"):
        for pm in folders[name].findall(NS + "Placemark"):
            assert pm.find(NS + "TimeStamp/" + NS + "when") is not None
    zone = folders["Zones"].find(NS + "Placemark")
    span = zone.find(NS + "TimeSpan")
    assert parse_iso(span.findtext(NS + "begin")) == T0 - 86400
    assert parse_iso(span.findtext(NS + "end")) == T0 + 86400


def test_reimports_through_our_kml_parser_with_the_same_features(picture, tmp_path):
    parser = KmlParser("export")
    items = parser.feed(_kml(picture, tmp_path)) + parser.close()
    assert [i for i in items if not hasattr(i, "lat")] == []  # no ParseErrors
    by_name = {i.fields.get("title"): i for i in items}
    expected = {  # name -> (lat, lon, time) as the picture holds them at T0
        "SWR123": (47.0, 35.2, T0 - 60), "PATROL 7": (47.8, 37.6, T0 - 30),
        "Shelling": (47.9, 37.7, T0 - 600),
    }  # fmt: skip
    for name, (lat, lon, t) in expected.items():
        got = by_name[name]
        assert (got.lat, got.lon, got.time) == pytest.approx((lat, lon, t), abs=1e-6)
    zone = by_name["Buffer A"]
    assert zone.geometry["type"] == "Polygon"
    assert zone.time == T0 - 86400 and zone.fields["time_end"] == T0 + 86400
    assert by_name["Shelling"].fields["status"] == "verified"  # from ExtendedData
    assert len(items) == 8


def test_kmz_is_a_zip_with_doc_kml_first(picture, tmp_path):
    path = tmp_path / "out.kmz"
    write("kmz", picture, path, at=T0, layers=ALL)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] == "doc.kml"
    assert read_kmz(path.read_bytes()) == _kml(picture, tmp_path)
