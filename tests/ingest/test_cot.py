"""CoT event mapping, from the CoT base schema (MITRE Event.xsd, types.txt) and the brief.

Expected values are computed from the spec here (1 kn = 1852 m/h, 1 ft = 0.3048 m,
9999999 = unknown), never copied from the parser's output.
"""

from __future__ import annotations

import pytest

from cop_app.core.enums import Domain, Identity
from cop_app.core.updates import ReportUpdate, TrackUpdate, air_key, sea_key
from cop_app.ingest import make_parser
from cop_app.ingest.cot import CotParser
from tests.ingest.cot_support import errors, iso_epoch, updates

TIME = "2024-03-01T12:00:00.5Z"
STALE = "2024-03-01T12:05:00Z"


def event(
    cot_type: str = "a-f-G-U-C",
    uid: str = "U-1",
    *,
    point: str = "<point lat='48.5' lon='35.25' hae='100' ce='12.5' le='9999999'/>",
    detail: str = "",
    extra: str = f"time='{TIME}' start='{TIME}' stale='{STALE}' how='m-g'",
) -> str:
    return (
        f"<event version='2.0' uid='{uid}' type='{cot_type}' {extra}>"
        f"{point}<detail>{detail}</detail></event>"
    )


def one(text: str) -> TrackUpdate | ReportUpdate:
    items = CotParser("t").parse_all(text)
    assert not errors(items), errors(items)
    [item] = items
    return item


def test_registered_under_cot() -> None:
    assert isinstance(make_parser("cot"), CotParser)


def test_ground_track_fields() -> None:
    detail = (
        "<contact callsign='ALPHA 1' endpoint='1.2.3.4:4242:tcp'/>"
        "<track speed='10' course='270.5'/><remarks>seen at gate</remarks>"
    )
    u = one(event(detail=detail))
    assert isinstance(u, TrackUpdate)
    assert u.domain is Domain.LAND
    assert u.key == "cot:U-1"
    assert (u.lat, u.lon) == (48.5, 35.25)
    assert u.time == iso_epoch(TIME)
    assert u.stale_at == iso_epoch(STALE)
    f = u.fields
    assert f["cot_type"] == "a-f-G-U-C"
    assert f["cot_how"] == "m-g"
    assert f["callsign"] == "ALPHA 1"
    assert f["speed_kn"] == pytest.approx(10 * 3600 / 1852)
    assert f["course_deg"] == pytest.approx(270.5)
    # hae='100' is metres above the WGS84 ellipsoid: a geometric height, never the
    # barometric altitude_ft (CoT Event.xsd: point@hae "height above ellipsoid").
    assert f["geo_altitude_ft"] == pytest.approx(100 / 0.3048)
    assert "altitude_ft" not in f
    assert f["ce90_m"] == pytest.approx(12.5)
    assert f["remarks"] == "seen at gate"
    assert f["identity"] == "friend"


@pytest.mark.parametrize(
    ("letter", "identity"),
    [("p", Identity.PENDING), ("u", Identity.UNKNOWN), ("a", Identity.ASSUMED_FRIEND),
     ("f", Identity.FRIEND), ("n", Identity.NEUTRAL), ("s", Identity.SUSPECT),
     ("h", Identity.HOSTILE), ("j", Identity.JOKER), ("k", Identity.FAKER)],
)  # fmt: skip
def test_affiliation_to_identity(letter: str, identity: Identity) -> None:
    assert one(event(f"a-{letter}-G")).fields["identity"] == identity.name.lower()


def test_affiliation_none_specified_leaves_identity_unset() -> None:
    # types.txt: 'o' = none specified; no identity is stated, so none is invented.
    assert "identity" not in one(event("a-o-G")).fields


@pytest.mark.parametrize(
    ("cot_type", "domain"),
    [("a-h-A-M-F", Domain.AIR), ("a-n-S-C", Domain.SEA), ("a-u-U", Domain.SEA),
     ("a-f-G", Domain.LAND), ("a-u-G-E-V", Domain.LAND)],
)  # fmt: skip
def test_battle_dimension_to_domain(cot_type: str, domain: Domain) -> None:
    assert one(event(cot_type)).domain is domain


@pytest.mark.parametrize(
    ("function", "platform"),
    [("M-F", "fixed_wing"), ("C-F", "fixed_wing"), ("M-H", "rotary"),
     ("M-F-Q", "uav"), ("W-M-S-A", "missile")],
)  # fmt: skip
def test_air_platform_class_from_function(function: str, platform: str) -> None:
    # MITRE CoTtypes.xml: A-M-F fixed wing, A-M-H rotary, A-M-F-Q drone, A-W-M missile.
    assert one(event(f"a-h-A-{function}")).fields["platform_class"] == platform


def test_unknown_sentinels_are_absent() -> None:
    u = one(event(point="<point lat='1' lon='2' hae='9999999.0' ce='9999999' le='9999999'/>",
                  detail="<track speed='9999999.0' course='9999999.0'/>"))  # fmt: skip
    for key in ("geo_altitude_ft", "altitude_ft", "ce90_m", "speed_kn", "course_deg"):
        assert key not in u.fields


def test_stale_is_optional() -> None:
    u = one(event(extra=f"time='{TIME}'"))
    assert u.stale_at is None


@pytest.mark.parametrize(
    ("uid", "detail", "key", "field", "value"),
    [
        ("ICAO-4CA2D6", "", air_key("4ca2d6"), "icao24", "4ca2d6"),
        ("x1", "<__adsb icao='4CA2D6' flight='RYR1'/>", air_key("4ca2d6"), "icao24", "4ca2d6"),
        ("x2", "<_aircot_ icao='abc123'/>", air_key("abc123"), "icao24", "abc123"),
        ("MMSI-244660000", "", sea_key(244660000), "mmsi", 244660000),
        ("x3", "<__ais mmsi='244660000'/>", sea_key(244660000), "mmsi", 244660000),
        ("x4", "<__shipcot mmsi='244660000'/>", sea_key(244660000), "mmsi", 244660000),
        ("ICAO-XYZ", "<__adsb icao='nothex'/>", "cot:ICAO-XYZ", None, None),
        ("MMSI-12", "", "cot:MMSI-12", None, None),
    ],
)
def test_gateway_identifiers_give_merge_keys(
    uid: str, detail: str, key: str, field: str | None, value: object
) -> None:
    cot_type = "a-n-S-X" if "MMSI" in uid or "mmsi" in detail else "a-n-A-C-F"
    u = one(event(cot_type, uid, detail=detail))
    assert u.key == key
    if field:
        assert u.fields[field] == value


def test_spot_marker_is_a_report() -> None:
    detail = "<contact callsign='R 1'/><remarks>crater</remarks>"
    r = one(event("b-m-p-s-m", "spot-1", detail=detail))
    assert isinstance(r, ReportUpdate)
    assert r.id == "cot:spot-1"
    assert (r.lat, r.lon) == (48.5, 35.25)
    assert r.geometry == {"type": "Point", "coordinates": [35.25, 48.5]}
    assert r.time == iso_epoch(TIME)
    assert r.fields["event_type"] == "other"
    assert r.fields["status"] == "reported"
    assert r.fields["text"] == "crater"
    assert r.fields["title"] == "R 1"


@pytest.mark.parametrize(
    "cot_type", ["b-t-f", "b-f-t-r", "u-d-f", "u-r-b-c-c", "t-x-c-t", "b-m-r", "a-f-P", "a-f"]
)
def test_other_types_are_skipped_and_counted(cot_type: str) -> None:
    p = CotParser("t")
    items = p.parse_all(event(cot_type) + event(cot_type, "U-2"))
    assert items == []
    assert p.skipped == 2
    assert p.skipped_types[cot_type] == 2


def test_self_closing_event() -> None:
    p = CotParser("t")
    items = p.parse_all(f"<event uid='ping' type='t-x-c-t' time='{TIME}'/>" + event())
    assert p.skipped == 1
    assert len(updates(items)) == 1 and not errors(items)
    # A self-closing track event has no point: an error, not a guess.
    assert errors(CotParser("t").parse_all(f"<event uid='a' type='a-f-G' time='{TIME}' />"))


@pytest.mark.parametrize(
    ("point", "reason"),
    [
        ("", "no <point>"),
        ("<point lat='91' lon='0'/>", "out of range"),
        ("<point lat='0' lon='-180.5'/>", "out of range"),
        ("<point lat='nan' lon='0'/>", "out of range"),
        ("<point lat='abc' lon='0'/>", "not numbers"),
        ("<point lon='10'/>", "not numbers"),
    ],
)
def test_bad_point_is_an_error(point: str, reason: str) -> None:
    [err] = CotParser("t").parse_all(event(point=point))
    assert reason in err.reason
    assert err.location == "offset 0"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [("stale='2024-01-01T00:00:00Z'", "no 'time'"),
     (f"time='yesterday' stale='{STALE}'", "bad 'time'"),
     (f"time='{TIME}' stale='soon'", "bad 'stale'")],
)  # fmt: skip
def test_bad_times_are_errors(extra: str, reason: str) -> None:
    [err] = CotParser("t").parse_all(event(extra=extra))
    assert reason in err.reason


def test_missing_uid_or_type_is_an_error() -> None:
    assert "no uid" in CotParser().parse_all(event(uid=""))[0].reason
    assert "no type" in CotParser().parse_all(event(cot_type=""))[0].reason


def test_near_zero_no_gps_position_is_kept() -> None:
    # FreeTAKServer/ATAK send ~(0, 0) without a GPS fix; CoT documents no marker for it.
    u = one(event(point="<point lat='-0.0042' lon='-0.0076' hae='9999999' ce='9999999'/>"))
    assert (u.lat, u.lon) == (-0.0042, -0.0076)


def test_untrusted_strings_stay_data() -> None:
    u = one(event(uid="{0.__class__}%s", detail="<contact callsign='{uid}%(x)s'/>"))
    assert u.key == "cot:{0.__class__}%s"
    assert u.fields["callsign"] == "{uid}%(x)s"


def test_times_are_utc_whatever_the_local_zone() -> None:
    # conftest runs tests in Asia/Kathmandu (+05:45); a local-time leak would shift this.
    u = one(event(extra="time='1970-01-01T00:00:10Z'"))
    assert u.time == 10.0
