"""Entities: the records views and the API see (shared/ARCHITECTURE.md, domain model)."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Polygon

from cop_app.core.entities import (
    AirTrack,
    GroundTrack,
    LandReport,
    MaritimeTrack,
    Record,
    Track,
    Zone,
)
from cop_app.core.enums import Domain, Identity, PositionSource, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate, air_key, sea_key
from cop_app.core.verification import VerificationStatus

T0 = 1_790_000_000.0


def test_every_record_carries_the_common_fields():
    """id, version, updated_at, sources, time with precision, position with precision, ce90."""
    for cls in (Track, AirTrack, MaritimeTrack, GroundTrack, LandReport):
        rec = cls(id="x")
        for name in ("id", "version", "updated_at", "sources", "time", "time_precision", "lat",
                     "lon", "location_precision", "ce90_m"):  # fmt: skip
            assert hasattr(rec, name), (cls.__name__, name)
        assert rec.version == 1 and rec.sources == ()


@pytest.mark.parametrize("lat, lon, has", [
    (48.0, 37.0, True), (0.0, 0.0, True), (None, 37.0, False), (48.0, None, False),
    (math.nan, 37.0, False),
])  # fmt: skip
def test_has_position(lat, lon, has):
    assert Record(id="r", lat=lat, lon=lon).has_position is has


def test_stale_only_after_stale_at():
    tr = Track(id="t", stale_at=T0 + 60)
    assert not tr.is_stale(T0 + 60) and tr.is_stale(T0 + 60.001)
    assert not Track(id="t").is_stale(T0 + 1e9)  # no stale time: never stale


@pytest.mark.parametrize("code, text", [
    (0, "Under way using engine"), (1, "At anchor"), (5, "Moored"), (8, "Under way sailing"),
    (15, "Not defined"), (None, None), (16, None),
])  # fmt: skip
def test_nav_status_text_per_itu_r_m1371(code, text):
    """UX.md: AIS navigation status 0-15 as text (ITU-R M.1371-5 table 45)."""
    assert MaritimeTrack(id="m", nav_status=code).nav_status_text == text


def test_zone_validity_period_is_half_open():
    z = Zone(id="z", kind=ZoneKind.BUFFER, name="B", geometry=Polygon([(0, 0), (1, 0), (1, 1)]),
             valid_from=T0, valid_to=T0 + 3600)  # fmt: skip
    assert not z.valid_at(T0 - 1) and z.valid_at(T0) and z.valid_at(T0 + 3599.9)
    assert not z.valid_at(T0 + 3600)
    open_ended = Zone(id="z2", kind=ZoneKind.CORRIDOR, name="C", geometry=z.geometry)
    assert open_ended.valid_at(-1e12) and open_ended.valid_at(1e12)


def test_zone_from_a_geojson_feature():
    feature = {
        "type": "Feature",
        "id": "dz-1",
        "geometry": {"type": "Polygon", "coordinates": [[[37, 48], [38, 48], [38, 49], [37, 48]]]},
        "properties": {"kind": "prohibited_airspace", "name": "No fly", "version": "3",
                       "floor_ft": 0, "ceiling_ft": 10000, "valid_from": T0},
    }  # fmt: skip
    z = Zone.from_feature(feature)
    assert (z.id, z.kind, z.name, z.version) == ("dz-1", ZoneKind.PROHIBITED_AIRSPACE, "No fly", 3)
    assert (z.floor_ft, z.ceiling_ft, z.valid_from, z.valid_to) == (0, 10000, T0, None)
    assert z.geometry.equals(Polygon([(37, 48), (38, 48), (38, 49), (37, 48)]))
    no_id = {**feature, "id": None, "properties": {**feature["properties"], "id": "p-9"}}
    assert Zone.from_feature(no_id).id == "p-9"


def test_zone_from_feature_rejects_an_unknown_kind():
    with pytest.raises(ValueError):
        Zone.from_feature({"id": "z", "geometry": {"type": "Point", "coordinates": [0, 0]},
                           "properties": {"kind": "moat"}})  # fmt: skip


def test_a_new_report_starts_reported():
    rep = LandReport(id="r")
    assert rep.status is VerificationStatus.REPORTED and rep.trail == []


def test_picture_builds_the_entity_of_each_domain():
    p = Picture()
    p.upsert(TrackUpdate(Domain.AIR, air_key("4ca1fa"), "sbs", T0, 48.0, 37.0,
                         {"icao24": "4ca1fa", "squawk": "7700", "emergency": True,
                          "position_source": "mlat", "identity": "hostile"}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.SEA, sea_key(244123456), "ais", T0, 46.0, 31.0,
                         {"mmsi": 244123456, "nav_status": 1, "ais_class": "B"}))  # fmt: skip
    p.upsert(TrackUpdate(Domain.LAND, "cot:unit-1", "cot", T0, 47.0, 36.0,
                         {"cot_type": "a-h-G"}))  # fmt: skip
    air = p.track(air_key("4ca1fa"))
    assert isinstance(air, AirTrack) and air.emergency and air.squawk == "7700"
    assert air.position_source is PositionSource.MLAT and air.identity is Identity.HOSTILE
    assert air.stale_at == T0 + p.stale.mlat_s
    sea = p.track(sea_key(244123456))
    assert isinstance(sea, MaritimeTrack) and sea.nav_status_text == "At anchor"
    assert sea.stale_at == T0 + p.stale.sea_class_b_s
    land = p.track("cot:unit-1")
    assert isinstance(land, GroundTrack) and land.cot_type == "a-h-G"
