"""Land reports from GeoJSON (RFC 7946) and KML/KMZ files.

Both parsers yield one ReportUpdate per usable feature and one ParseError per
unusable one ("feature N: reason", N the index in the file), so one bad feature
never costs the others. A document that cannot be read at all (not JSON, not XML,
wrong top-level type) yields a single ParseError.

Choices, each for a reason:
- GeoJSON is checked strictly (``geojson_check``); what RFC 7946 only advises
  against is accepted and listed in ``fields["warnings"]``.
- A GeoJSON feature with ``"geometry": null`` is valid (RFC 7946 3.2) and becomes a
  report without a location; a KML placemark without geometry is skipped with a
  ParseError, as togeojson emits nothing for it and a KML author means a map mark.
- A problem with one field (reliability, time...) drops that field, keeps the
  report and adds a ParseError naming the field: the report is still worth having.
- A FeatureCollection's own faults (a forbidden member, a bad bbox) are reported
  once at ``document`` and its features still read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from cop_app.ingest import geojson_check as gj
from cop_app.ingest.base import DocumentParser, Item
from cop_app.ingest.kml_read import (
    KmlError,
    local_name,
    parse_kml,
    placemark_feature,
    placemark_name,
    placemarks,
    read_kmz,
)
from cop_app.ingest.report_map import ReportMapper

__all__ = ["GeoJsonParser", "KmlError", "KmlParser", "read_kmz"]


class _ReportParser(DocumentParser):
    """Shared step: a feature dict plus its warnings to a report and its field errors."""

    def __init__(self, source: str = "") -> None:
        super().__init__(source)
        self._mapper = ReportMapper(self.source)

    def _report(
        self, location: str, feature: Any, warnings: list[str], text: str = ""
    ) -> Iterator[Item]:
        try:
            report = self._mapper.report(feature, warnings)
        except Exception as exc:  # a geometry shapely cannot take: lose this feature only
            yield self.error(location, f"{type(exc).__name__}: {exc}", text)
            return
        yield report
        for problem in self._mapper.problems:
            yield self.error(location, problem, text)


class GeoJsonParser(_ReportParser):
    format = "geojson"

    def parse_document(self, text: str) -> Iterable[Item]:
        try:
            doc = gj.load_json(text)
            gj.check_own_duplicates(doc)
            kind = gj.object_type(doc)
        except gj.GeoJsonError as exc:
            yield self.error("document", str(exc), text)
            return
        if kind == "FeatureCollection":
            yield from self._collection(doc, text)
        elif kind == "Feature":
            yield from self._feature("feature 0", doc)
        else:
            yield from self._geometry(doc, text)

    def _collection(self, doc: dict[str, Any], text: str) -> Iterator[Item]:
        try:
            features = gj.collection_features(doc)
        except gj.GeoJsonError as exc:
            yield self.error("document", str(exc), text)
            return
        for reason in gj.check_collection(doc):
            yield self.error("document", reason, text)
        for index, feature in enumerate(features):
            yield from self._feature(f"feature {index}", feature)

    def _feature(self, location: str, feature: Any) -> Iterator[Item]:
        try:
            warnings = gj.check_feature(feature)
        except gj.GeoJsonError as exc:
            yield self.error(location, str(exc), _excerpt(feature))
            return
        yield from self._report(location, feature, warnings, _excerpt(feature))

    def _geometry(self, doc: dict[str, Any], text: str) -> Iterator[Item]:
        """A bare geometry: one report with no properties (RFC 7946 allows the root)."""
        warnings: list[str] = []
        try:
            gj.check_no_duplicates(doc)
            gj.check_geometry(doc, warnings)
        except gj.GeoJsonError as exc:
            yield self.error("document", str(exc), text)
            return
        feature = {"type": "Feature", "geometry": doc, "properties": None}
        yield from self._report("document", feature, warnings, text)


class KmlParser(_ReportParser):
    """KML text; for a KMZ archive, pass the result of ``read_kmz(data)``."""

    format = "kml"

    def parse_document(self, text: str) -> Iterable[Item]:
        try:
            root = parse_kml(text)
        except KmlError as exc:
            yield self.error("document", str(exc), text)
            return
        if local_name(root.tag) != "kml":
            yield self.error(
                "document", f"root element is <{local_name(root.tag)}>, not <kml>", text
            )
            return
        for index, elem in enumerate(placemarks(root)):
            location = f"placemark {index}"
            warnings: list[str] = []
            try:
                feature = placemark_feature(elem, warnings)
            except (ValueError, IndexError) as exc:
                yield self.error(location, f"bad coordinates: {exc}", placemark_name(elem))
                continue
            if feature["geometry"] is None:
                yield self.error(location, "placemark without geometry", placemark_name(elem))
                continue
            yield from self._report(location, feature, warnings, placemark_name(elem))


def _excerpt(value: Any) -> str:
    return repr(value)[:200]
