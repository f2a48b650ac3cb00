"""dump1090/readsb ``aircraft.json``: the dump1090-fa capture, and readsb-style inputs
built here from readsb's README-json.md (no reputable readsb capture exists; SOURCES.md 6).
"""

from __future__ import annotations

import json

import pytest

from cop_app.core.enums import Domain
from cop_app.core.updates import ParseError, TrackUpdate, air_key
from cop_app.ingest import make_parser
from cop_app.ingest.adsb import AircraftJsonParser
from tests.conftest import corpus

CLOCK = 1_700_000_000.0
NOW = 1_633_214_709.0


def parse(doc: object | str) -> list:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return AircraftJsonParser("test", clock=lambda: CLOCK).parse_all(text)


def updates(items: list) -> list[TrackUpdate]:
    return [i for i in items if isinstance(i, TrackUpdate)]


def errors(items: list) -> list[ParseError]:
    return [i for i in items if isinstance(i, ParseError)]


def one(entry: dict) -> TrackUpdate:
    items = parse({"now": NOW, "messages": 1, "aircraft": [entry]})
    assert errors(items) == []
    [u] = updates(items)
    return u


# --- dump1090-fa 6.1 capture (dump1090-exporter) ---------------------------------------------


def test_dump1090_capture_against_the_files_own_values() -> None:
    raw = corpus("dump1090-exporter", "aircraft.json").read_text()
    doc = json.loads(raw)
    parser = AircraftJsonParser("dump1090", clock=lambda: CLOCK)
    items = parser.parse_all(raw)
    assert errors(items) == [] and parser.stats.accepted == 2
    got = {u.key: u for u in updates(items)}
    assert set(got) == {air_key(a["hex"]) for a in doc["aircraft"]}
    for a in doc["aircraft"]:
        u = got[air_key(a["hex"])]
        f = u.fields
        assert u.domain is Domain.AIR and f["icao24"] == a["hex"]
        if "lat" in a:
            # README-json.md: seen_pos is the position's age before "now".
            assert (u.lat, u.lon) == (a["lat"], a["lon"])
            assert u.time == pytest.approx(doc["now"] - a["seen_pos"])
            assert f["callsign"] == a["flight"].strip()
            assert f["altitude_ft"] == a["alt_baro"] and f["on_ground"] is False
            assert f["geo_altitude_ft"] == a["alt_geom"]
            assert f["speed_kn"] == a["gs"] and f["course_deg"] == a["track"]
            assert f["vertical_rate_fpm"] == a["geom_rate"]
            assert f["squawk"] == a["squawk"] and f["category"] == a["category"]
            # mlat and tisb lists are empty: the position came from ADS-B.
            assert a["mlat"] == [] and a["tisb"] == [] and f["position_source"] == "adsb"
        else:
            assert not u.has_position
            assert u.time == pytest.approx(doc["now"] - a["seen"])
            assert set(f) == {"icao24"}


# --- readsb-style inputs (README-json.md) ---------------------------------------------------


def test_alt_baro_ground_means_on_ground() -> None:
    u = one({"hex": "4ca2ad", "alt_baro": "ground", "gs": 12.5, "seen": 1.0})
    assert u.fields["on_ground"] is True and "altitude_ft" not in u.fields


def test_tilde_hex_is_a_non_icao_address_kept_apart() -> None:
    u = one({"hex": "~abc123", "type": "tisb_other", "lat": 10.0, "lon": 20.0,
             "seen_pos": 3.0, "seen": 1.0})  # fmt: skip
    assert u.key == air_key("~abc123") != air_key("abc123")
    assert u.fields["non_icao"] is True and u.fields["icao24"] == "~abc123"
    assert u.fields["position_source"] == "tisb"
    assert u.time == NOW - 3.0


def test_icao_hex_is_not_marked_non_icao() -> None:
    assert "non_icao" not in one({"hex": "ABC123"}).fields


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"mlat": ["lat", "lon", "track"]}, "mlat"),
        ({"tisb": ["lat", "lon"]}, "tisb"),
        ({"mlat": ["gs"], "tisb": []}, "adsb"),  # only speed from MLAT: position is ADS-B
        ({"type": "mlat"}, "mlat"),
        ({"type": "adsb_icao"}, "adsb"),
        ({"type": "adsr_icao"}, "adsb"),  # ADS-R rebroadcasts the aircraft's own ADS-B
        ({"type": "tisb_trackfile"}, "tisb"),
        ({"type": "adsc"}, "other"),
        ({"type": "adsb_icao", "mlat": ["lat", "lon"]}, "mlat"),  # the field list wins
    ],
)
def test_position_source(extra: dict, expected: str) -> None:
    u = one({"hex": "4ca2ad", "lat": 51.0, "lon": -1.0, "seen_pos": 0.5, **extra})
    assert u.fields["position_source"] == expected


def test_readsb_fields() -> None:
    u = one({"hex": "4ca2ad", "flight": "BAW12  ", "alt_baro": 35000, "baro_rate": -64,
             "geom_rate": 128, "squawk": "7600", "emergency": "none", "alert": 1, "spi": 0,
             "r": "G-ABCD", "t": "A320", "nav_modes": ["autopilot"], "seen": 0.1})  # fmt: skip
    f = u.fields
    assert f["callsign"] == "BAW12" and f["altitude_ft"] == 35000
    assert f["vertical_rate_fpm"] == -64  # barometric rate preferred, as tar1090 does
    assert f["squawk"] == "7600" and f["emergency"] is True  # 7600 overrides "none"
    assert f["alert"] is True and f["spi"] is False


@pytest.mark.parametrize("value", ["general", "lifeguard", "minfuel", "nordo", "unlawful",
                                   "downed", "reserved"])  # fmt: skip
def test_readsb_emergency_values(value: str) -> None:
    assert one({"hex": "4ca2ad", "emergency": value}).fields["emergency"] is True


def test_bad_entries_cost_only_themselves() -> None:
    doc = {
        "now": NOW,
        "aircraft": [
            {"hex": "111111", "lat": 1.0, "lon": 1.0},
            "not an object",
            {"hex": "zzzzzz"},
            {"flight": "NOHEX"},
            {"hex": "222222", "lat": 95.0, "lon": 1.0, "gs": "fast", "alt_baro": 1000},
            {"hex": "333333", "mlat": "lat", "emergency": ["x"], "squawk": 7700},
            {"hex": "444444", "lat": 2.0, "lon": 2.0},
        ],
    }
    items = parse(doc)
    got = {u.fields["icao24"]: u for u in updates(items)}
    assert set(got) == {"111111", "222222", "333333", "444444"}
    assert not got["222222"].has_position and got["222222"].fields["altitude_ft"] == 1000
    assert "speed_kn" not in got["222222"].fields
    assert [e.location for e in errors(items)] == [
        "aircraft 1", "aircraft 2", "aircraft 3", "aircraft 4", "aircraft 5",
    ]  # fmt: skip
    assert "position" in errors(items)[3].reason and "speed_kn" in errors(items)[3].reason
    assert all(k in errors(items)[4].reason for k in ("mlat", "emergency", "squawk"))


def test_malformed_json_is_one_error_with_its_offset() -> None:
    text = '{"now": 1, "aircraft": [{"hex": "abcdef",}]}'
    [e] = parse(text)
    assert isinstance(e, ParseError)
    assert e.location == f"offset {text.index(',}') + 1}" and "malformed JSON" in e.reason


@pytest.mark.parametrize("text", ["[]", "{}", '{"aircraft": {}}', "42", '"x"'])
def test_not_an_aircraft_document(text: str) -> None:
    [e] = parse(text)
    assert isinstance(e, ParseError) and "aircraft" in e.reason


def test_missing_now_uses_clock_and_bad_now_is_counted() -> None:
    [u] = parse({"aircraft": [{"hex": "abcdef", "seen": 2}]})
    assert u.time == CLOCK - 2
    items = parse({"now": "soon", "aircraft": [{"hex": "abcdef"}]})
    assert updates(items)[0].time == CLOCK and len(errors(items)) == 1


def test_chunked_feed_equals_one_shot() -> None:
    raw = corpus("dump1090-exporter", "aircraft.json").read_bytes()
    p = AircraftJsonParser("x", clock=lambda: CLOCK)
    items = [i for k in range(0, len(raw), 7) for i in p.feed(raw[k : k + 7])] + p.close()
    assert items == AircraftJsonParser("x", clock=lambda: CLOCK).parse_all(raw)


def test_registry_builds_the_json_parser() -> None:
    assert isinstance(make_parser("aircraft-json", "feed"), AircraftJsonParser)
