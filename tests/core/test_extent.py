"""The area an import covers (Extent) and the view arithmetic around it."""

from __future__ import annotations

import pytest

from cop_app.core.enums import Domain
from cop_app.core.extent import Extent, bbox_overlaps, padded
from cop_app.core.updates import ParseError, TrackUpdate


def fix(lat, lon) -> TrackUpdate:
    return TrackUpdate(Domain.SEA, "mmsi:1", "t", 0.0, lat, lon)


def test_extent_spans_the_valid_positions_only():
    ext = Extent()
    assert ext.bbox() is None
    ext.add([fix(55.0, 18.0), ParseError("src", 1, "bad"), fix(None, None)])
    ext.add([fix(57.5, 16.0), fix(91.0, 10.0), fix(float("nan"), 1.0)])
    assert ext.bbox() == (16.0, 55.0, 18.0, 57.5)


def test_overlap_and_padding():
    assert bbox_overlaps((0, 0, 2, 2), (1, 1, 3, 3))
    assert not bbox_overlaps((0, 0, 1, 1), (2, 2, 3, 3))
    assert padded((10.0, 50.0, 20.0, 60.0)) == (9.0, 49.0, 21.0, 61.0)
    w, s, e, n = padded((10.0, 50.0, 10.0, 50.0))  # one point: a ~20 km view round it
    assert (e - w, n - s) == pytest.approx((0.2, 0.2)) and (w + e) / 2 == pytest.approx(10.0)


def test_times_first_error_and_points_in_view():
    ext = Extent()
    ext.add([fix(55.0, 18.0), ParseError("src", "line 2", "checksum mismatch")])
    ext.add([TrackUpdate(Domain.SEA, "mmsi:2", "t", 100.0, 10.0, 150.0),
             ParseError("src", "line 9", "later error")])  # fmt: skip
    assert ext.times() == (0.0, 100.0)
    assert ext.first_error.location == "line 2"
    # the rectangle round Baltic and Pacific points covers Ukraine; no point lies there
    assert bbox_overlaps(ext.bbox(), (30.0, 44.0, 40.0, 50.0))
    assert not ext.any_inside((30.0, 44.0, 40.0, 50.0))
    assert ext.any_inside((17.0, 54.0, 19.0, 56.0))


def test_the_point_sample_stays_bounded():
    ext = Extent()
    ext.add([fix(50.0 + k * 1e-4, 30.0) for k in range(10_000)])
    assert len(ext.points) == 4096 and ext.seen == 10_000
    assert ext.bbox() == (30.0, 50.0, 30.0, pytest.approx(50.9999))
