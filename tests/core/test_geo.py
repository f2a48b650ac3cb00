"""Geo: Web Mercator against pyproj, geodesics against pyproj and published values,
the watch-floor formats of UX.md, MGRS against mgrs/pyproj/published pairs, zones.

Expected values come from pyproj (PROJ), shapely (GEOS), the mgrs package, the UX
conventions in shared/UX.md, and published worked examples cited beside each test.
"""

from __future__ import annotations

import math
import re

import mgrs
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from cop_app.core import geo

_TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_GEOD = Geod(ellps="WGS84")
HALF_WORLD_M = math.pi * 6378137.0  # EPSG:3857's square extent, 20037508.342789244 m


def _dms(d: float, m: float, s: float) -> float:
    return d + m / 60.0 + s / 3600.0


# ---- Web Mercator -----------------------------------------------------------------------
def test_mercator_forward_matches_pyproj_on_random_points():
    rng = np.random.default_rng(3857)
    lon = rng.uniform(-180.0, 180.0, 20_000)
    lat = rng.uniform(-geo.MAX_MERCATOR_LAT, geo.MAX_MERCATOR_LAT, 20_000)
    x, y = geo.to_mercator(lon, lat)
    px, py = _TO_3857.transform(lon, lat)
    np.testing.assert_allclose(x, px, rtol=0, atol=1e-6)
    np.testing.assert_allclose(y, py, rtol=0, atol=1e-6)


def test_mercator_inverse_matches_pyproj_and_round_trips():
    rng = np.random.default_rng(4326)
    x = rng.uniform(-HALF_WORLD_M, HALF_WORLD_M, 20_000)
    y = rng.uniform(-HALF_WORLD_M, HALF_WORLD_M, 20_000)
    lon, lat = geo.from_mercator(x, y)
    plon, plat = _TO_3857.transform(x, y, direction="INVERSE")
    np.testing.assert_allclose(lon, plon, rtol=0, atol=1e-9)
    np.testing.assert_allclose(lat, plat, rtol=0, atol=1e-9)
    x2, y2 = geo.to_mercator(lon, lat)
    np.testing.assert_allclose(x2, x, rtol=0, atol=1e-6)
    np.testing.assert_allclose(y2, y, rtol=0, atol=1e-6)


def test_mercator_scalars_work():
    x, y = geo.to_mercator(37.84, 48.5867)
    px, py = _TO_3857.transform(37.84, 48.5867)
    assert float(x) == pytest.approx(px, abs=1e-6) and float(y) == pytest.approx(py, abs=1e-6)


@pytest.mark.parametrize("lat, sign", [(90.0, 1), (89.0, 1), (85.06, 1), (-90.0, -1), (-88.5, -1)])
def test_mercator_clamps_at_the_poles_to_the_square_world(lat, sign):
    _x, y = geo.to_mercator(np.array([10.0]), np.array([lat]))
    assert np.isfinite(y).all()
    # EPSG:3857 is square: the clamped edge latitude maps to +-pi*R, as PROJ gives there.
    assert y[0] == pytest.approx(sign * HALF_WORLD_M, abs=1e-6)
    _, py = _TO_3857.transform(10.0, sign * geo.MAX_MERCATOR_LAT)
    assert y[0] == pytest.approx(py, abs=1e-6)


# ---- range and bearing ---------------------------------------------------------------
def test_range_bearing_matches_pyproj_geod_on_random_pairs():
    rng = np.random.default_rng(1)
    for _ in range(500):
        lat1, lat2 = rng.uniform(-89, 89, 2)
        lon1, lon2 = rng.uniform(-180, 180, 2)
        dist, brg = geo.range_bearing(lat1, lon1, lat2, lon2)
        az, _, pdist = _GEOD.inv(lon1, lat1, lon2, lat2)
        assert dist == pytest.approx(pdist, abs=1e-6)
        assert 0.0 <= brg < 360.0
        assert math.isclose((brg - az) % 360.0, 0.0, abs_tol=1e-9) or math.isclose(
            (brg - az) % 360.0, 360.0, abs_tol=1e-9
        )


def test_range_bearing_flinders_peak_to_buninyong():
    """Vincenty's worked example (Geoscience Australia GDA technical manual, GRS80;
    GRS80 and WGS84 differ by far less than a millimetre over 55 km):
    54 972.271 m, forward azimuth 306°52'05.37"."""
    flinders = (-_dms(37, 57, 3.72030), _dms(144, 25, 29.52440))
    buninyong = (-_dms(37, 39, 10.15610), _dms(143, 55, 35.38390))
    dist, brg = geo.range_bearing(*flinders, *buninyong)
    assert dist == pytest.approx(54972.271, abs=0.001)
    assert brg == pytest.approx(_dms(306, 52, 5.37), abs=0.006 / 3600)
    assert geo.format_bearing(brg) == "307"


def test_range_bearing_wellington_to_salamanca():
    """GeographicLib's documented example (Karney): 19 959 679.267 m, azi1 161.06767°."""
    dist, brg = geo.range_bearing(-41.32, 174.81, 40.96, -5.50)
    assert dist == pytest.approx(19959679.267, abs=0.001)
    assert brg == pytest.approx(161.06767, abs=1e-5)


def test_destination_perth_example():
    """GeographicLib's documented direct example: 20 000 km SW of Perth (32.06S, 115.74E)
    is (32.11195529, -63.95925278)."""
    lat, lon = geo.destination(-32.06, 115.74, 225.0, 20_000e3)
    assert (lat, lon) == (pytest.approx(32.11195529, abs=5e-9),
                          pytest.approx(-63.95925278, abs=5e-9))  # fmt: skip


def test_bearing_due_north_and_west_are_in_0_360():
    assert geo.range_bearing(48.0, 37.0, 49.0, 37.0)[1] == pytest.approx(0.0, abs=1e-9)
    assert geo.range_bearing(0.0, 37.0, 0.0, 36.0)[1] == pytest.approx(270.0, abs=1e-9)


@pytest.mark.parametrize("bearing, text", [
    (0.0, "000"), (0.4, "000"), (359.4, "359"), (359.6, "000"), (360.0, "000"),
    (5.0, "005"), (45.2, "045"), (-1.0, "359"), (306.87, "307"), (99.5001, "100"),
])  # fmt: skip
def test_format_bearing_three_digits_000_to_359(bearing, text):
    assert geo.format_bearing(bearing) == text


@given(st.floats(-720.0, 720.0, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_format_bearing_always_three_digits_in_range(bearing):
    text = geo.format_bearing(bearing)
    assert re.fullmatch(r"\d{3}", text) and 0 <= int(text) <= 359


@pytest.mark.parametrize("metres, text", [
    (1852.0, "1.85 km / 1.00 nm"),  # 1 international nautical mile = 1852 m exactly
    (10_000.0, "10.00 km / 5.40 nm"),
    (0.0, "0.00 km / 0.00 nm"),
    (54972.271, "54.97 km / 29.68 nm"),
])  # fmt: skip
def test_format_distance_in_km_and_nm(metres, text):
    assert geo.format_distance(metres) == text


# ---- degrees, minutes, seconds ---------------------------------------------------------
def test_format_dms_matches_the_ux_example():
    lat, lon = _dms(48, 35, 12), _dms(37, 50, 24)
    assert geo.format_dms(lat, lon) == "48°35'12\"N 037°50'24\"E"


def test_format_dms_southern_and_western_hemispheres():
    assert geo.format_dms(-_dms(48, 35, 12), -_dms(37, 50, 24)) == "48°35'12\"S 037°50'24\"W"
    assert geo.format_dms(-_dms(33, 52, 4), _dms(151, 12, 36)) == "33°52'04\"S 151°12'36\"E"
    assert geo.format_dms(_dms(21, 24, 35), -_dms(157, 54, 58)) == "21°24'35\"N 157°54'58\"W"


@pytest.mark.parametrize("lat, lon, text", [
    (_dms(48, 35, 59.9999), _dms(37, 50, 24), "48°36'00\"N 037°50'24\"E"),
    (_dms(48, 59, 59.9999), _dms(37, 59, 59.9999), "49°00'00\"N 038°00'00\"E"),
    (-_dms(9, 59, 59.9999), -_dms(179, 59, 59.9999), "10°00'00\"S 180°00'00\"W"),
    (_dms(89, 59, 59.6), 0.0, "90°00'00\"N 000°00'00\"E"),
    (_dms(48, 35, 12.4999), _dms(37, 50, 24.2), "48°35'12\"N 037°50'24\"E"),
])  # fmt: skip
def test_format_dms_carries_rounded_seconds_into_minutes_and_degrees(lat, lon, text):
    assert geo.format_dms(lat, lon) == text


@given(st.floats(-90, 90), st.floats(-180, 180))
@settings(max_examples=300, deadline=None)
def test_format_dms_shape_and_value(lat, lon):
    text = geo.format_dms(lat, lon)
    m = re.fullmatch(r"(\d{2})°(\d{2})'(\d{2})\"([NS]) (\d{3})°(\d{2})'(\d{2})\"([EW])", text)
    assert m, text
    d1, m1, s1, h1, d2, m2, s2, h2 = m.groups()
    assert int(m1) < 60 and int(s1) < 60 and int(m2) < 60 and int(s2) < 60
    back_lat = (int(d1) + int(m1) / 60 + int(s1) / 3600) * (1 if h1 == "N" else -1)
    back_lon = (int(d2) + int(m2) / 60 + int(s2) / 3600) * (1 if h2 == "E" else -1)
    assert abs(back_lat - lat) <= 0.5 / 3600 + 1e-12
    assert abs(back_lon - lon) <= 0.5 / 3600 + 1e-12


# ---- MGRS ------------------------------------------------------------------------------
_MGRS_RE = re.compile(r"(\d{1,2})([C-HJ-NP-X]) ([A-HJ-NP-Z]{2}) (\d{5}) (\d{5})")


def _utm(lat: float, lon: float, zone: int, band: str) -> tuple[float, float]:
    epsg = (32600 if band >= "N" else 32700) + zone
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(lon, lat)


def test_ux_example_reference_round_trips_through_the_centre_of_its_square():
    """``37U DQ 12345 67890`` (UX.md) names a 1 m square; from_mgrs gives its centre,
    which PROJ's UTM zone 37N puts at easting 4_12345.5, northing 54_67890.5."""
    lat, lon = geo.from_mgrs("37U DQ 12345 67890")
    easting, northing = _utm(lat, lon, 37, "U")
    assert easting == pytest.approx(412345.5, abs=1e-6)
    assert northing == pytest.approx(5467890.5, abs=1e-6)
    assert geo.to_mgrs(lat, lon) == "37U DQ 12345 67890"


def test_published_wikipedia_reference_4q_fj():
    """Wikipedia's MGRS article links ``4Q FJ 1234 6789`` (a 10 m square) to
    21°24'35.43062452380"N 157°54'57.89102787040"W, the square's centre; the zone is
    written without a leading zero."""
    lat, lon = _dms(21, 24, 35.43062452380), -_dms(157, 54, 57.89102787040)
    got = geo.from_mgrs("4Q FJ 1234 6789")
    assert got == (pytest.approx(lat, abs=1e-8), pytest.approx(lon, abs=1e-8))
    assert geo.to_mgrs(lat, lon, precision=4) == "4Q FJ 1234 6789"
    assert geo.to_mgrs(lat, lon).startswith("4Q FJ 1234")


def test_to_mgrs_ten_digits_with_spaces_agrees_with_mgrs_and_pyproj_utm():
    rng = np.random.default_rng(5)
    conv = mgrs.MGRS()
    for lat, lon in zip(rng.uniform(-79.5, 71.5, 300), rng.uniform(-180, 180, 300), strict=True):
        if 56 <= lat < 64 and 3 <= lon < 12:
            continue  # Norway's zone 32V exception; the UTM check below assumes plain zones
        ref = geo.to_mgrs(lat, lon)
        m = _MGRS_RE.fullmatch(ref)
        assert m, ref
        zone, band, _square, e, n = m.groups()
        assert not zone.startswith("0")
        assert ref.replace(" ", "") == conv.toMGRS(lat, lon, MGRSPrecision=5).lstrip("0")
        assert int(zone) == int((lon + 180) // 6) % 60 + 1
        easting, northing = _utm(lat, lon, int(zone), band)
        # The digits truncate the UTM coordinate within the 100 km square (PROJ's UTM).
        assert -1e-6 <= easting % 100_000 - int(e) < 1 + 1e-6, (ref, easting)
        assert -1e-6 <= northing % 100_000 - int(n) < 1 + 1e-6, (ref, northing)


@given(st.floats(-79.9, 83.9), st.floats(-179.999, 179.999))
@settings(max_examples=200, deadline=None)
def test_from_mgrs_returns_a_point_inside_the_same_1m_square(lat, lon):
    # A square clipped by a zone or band edge keeps its label, but its centre may lie
    # across the edge (Wikipedia, MGRS); those squares are not this test's business.
    near = 1e-4  # degrees, ~10 m
    assume(abs(lon / 6.0 - round(lon / 6.0)) * 6.0 > near)
    assume(abs((lat + 80.0) / 8.0 - round((lat + 80.0) / 8.0)) * 8.0 > near)
    ref = geo.to_mgrs(lat, lon)
    clat, clon = geo.from_mgrs(ref)
    assert geo.to_mgrs(clat, clon) == ref
    dist, _ = geo.range_bearing(clat, clon, lat, lon)
    assert dist <= math.sqrt(0.5) * 1.001 + 1e-6  # half the diagonal; UTM scale <= 1.001


def test_from_mgrs_accepts_spacing_and_case():
    a = geo.from_mgrs("37U DQ 12345 67890")
    assert geo.from_mgrs("37udq1234567890") == a
    assert geo.from_mgrs("  37U  DQ 12345\t67890 ") == a


@pytest.mark.parametrize("bad", ["37U ZZ 12345 67890", "garbage", "37U DQ 1234 567", "99X AA 1 1"])
def test_invalid_mgrs_raises_value_error_with_the_text(bad):
    with pytest.raises(ValueError) as info:
        geo.from_mgrs(bad)
    assert repr(bad) in str(info.value)


def test_empty_mgrs_raises_value_error():
    with pytest.raises(ValueError):
        geo.from_mgrs("   ")


def test_to_mgrs_polar_and_lower_precision():
    assert re.fullmatch(r"[ZY] [A-Z]{2} \d{5} \d{5}", geo.to_mgrs(89.0, 10.0))  # UPS
    assert re.fullmatch(r"37U [A-Z]{2} \d{3} \d{3}", geo.to_mgrs(48.5867, 37.84, precision=3))
    assert re.fullmatch(r"37U [A-Z]{2}", geo.to_mgrs(48.5867, 37.84, precision=0))


# ---- zones -----------------------------------------------------------------------------
_BUFFER = Polygon(
    [(30.0, 45.0), (31.0, 45.0), (31.0, 46.0), (30.5, 46.5), (30.0, 46.0)],
    holes=[[(30.4, 45.4), (30.6, 45.4), (30.6, 45.6), (30.4, 45.6)]],
)
_ZONES = {
    "polygon with hole": _BUFFER,
    "multipolygon": MultiPolygon([_BUFFER, box(32.0, 44.0, 33.0, 44.5)]),
    "corridor (buffered line)": LineString([(29.5, 44.5), (33.0, 47.0)]).buffer(0.1),
}


@pytest.mark.parametrize("name", list(_ZONES))
def test_contains_equals_shapely_per_point_on_100k_points(name):
    geom = _ZONES[name]
    rng = np.random.default_rng(7)
    lon = rng.uniform(29.0, 34.0, 100_000)
    lat = rng.uniform(43.5, 47.5, 100_000)
    got = geo.contains(geom, lon, lat)
    assert got.dtype == bool and got.shape == lon.shape
    expected = np.fromiter((geom.covers(Point(x, y)) for x, y in zip(lon, lat, strict=True)),
                           dtype=bool, count=len(lon))  # fmt: skip
    assert np.array_equal(got, expected)
    assert 0 < got.sum() < len(got)


def test_boundary_points_count_as_inside():
    lon = np.array([30.0, 31.0, 30.5, 30.25, 30.4, 30.5, 30.75])
    lat = np.array([45.0, 45.5, 45.0, 46.25, 45.5, 45.4, 46.25])
    # corners, edge midpoints, the hole's edge (the hole is outside, its edge is not)
    assert geo.contains(_BUFFER, lon, lat).all()
    outside = geo.contains(_BUFFER, np.array([29.9999, 30.5, 30.5]),
                           np.array([45.5, 45.5, 44.9999]))  # fmt: skip
    assert not outside.any()


def test_contains_on_a_ceasefire_line():
    line = LineString([(30.0, 45.0), (31.0, 46.0)])
    got = geo.contains(line, np.array([30.5, 30.5, 30.0]), np.array([45.5, 45.6, 45.0]))
    assert got.tolist() == [True, False, True]


def test_bbox_mask_plain_box_matches_shapely():
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(-180, 180, 50_000), rng.uniform(-90, 90, 50_000)
    bbox = (28.0, 44.0, 40.0, 52.0)
    expected = shapely.covers(box(*bbox), shapely.points(lon, lat))
    assert np.array_equal(geo.bbox_mask(lon, lat, bbox), expected)


def test_bbox_mask_across_the_antimeridian():
    rng = np.random.default_rng(12)
    lon = np.concatenate([rng.uniform(-180, 180, 50_000), [170.0, -170.0, 180.0, -180.0, 0.0]])
    lat = np.concatenate([rng.uniform(-90, 90, 50_000), [0.0, 0.0, 5.0, -5.0, 0.0]])
    bbox = (170.0, -10.0, -170.0, 10.0)  # west > east: the box crosses 180°
    both_halves = shapely.union(box(170.0, -10.0, 180.0, 10.0), box(-180.0, -10.0, -170.0, 10.0))
    expected = shapely.covers(both_halves, shapely.points(lon, lat))
    got = geo.bbox_mask(lon, lat, bbox)
    assert np.array_equal(got, expected)
    assert got[-5:].tolist() == [True, True, True, True, False]
    assert 0 < got.sum() < 2_000
