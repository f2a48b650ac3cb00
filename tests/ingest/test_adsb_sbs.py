"""SBS-1 / BaseStation lines: VRS's MessageTranslator rows, VRS's sample feed, edge cases.

Expected values come from VRS's workbook (``vrs/csv-export``) and from the BaseStation
field layout; where we differ from VRS by design, the row and the reason are listed.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from cop_app.core.enums import Domain
from cop_app.core.updates import ParseError, TrackUpdate, air_key
from cop_app.ingest import make_parser
from cop_app.ingest.adsb import SbsParser
from tests.conftest import corpus

CLOCK = 1_700_000_000.0  # the parser's clock in these tests, distinct from any message time


def parse(text: str, **kw: object) -> list:
    return SbsParser("test", clock=lambda: CLOCK, **kw).parse_all(text)


def updates(items: list) -> list[TrackUpdate]:
    return [i for i in items if isinstance(i, TrackUpdate)]


def errors(items: list) -> list[ParseError]:
    return [i for i in items if isinstance(i, ParseError)]


# --- VRS MessageTranslator (26 rows) -------------------------------------------------------


def vrs_rows() -> list[dict[str, str]]:
    path = corpus("vrs", "csv-export", "BaseStationTests.xls.MessageTranslator.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# Rows (1-based data row numbers) where our output differs from VRS by design.
NON_TRACK_ROWS = {
    9: "SEL (user selected an aircraft in BaseStation's UI): an operator action, no track state",
    10: "ID (callsign change notice): BaseStation repeats it in the next MSG,1, no track state",
    11: "AIR (new aircraft record created): bookkeeping, no track state",
    12: "STA PL (position lost): a status notice; staleness is the Picture's job",
    13: "CLK (user double-clicked): an operator action, no track state",
    21: "STA SL (signal lost): a status notice",
    22: "STA RM (removed): a status notice",
    23: "STA AD (deleted): a status notice",
    24: "STA OK: a status notice",
}


def vrs_time(text: str) -> float:
    # VRS writes dd/MM/yyyy HH:mm:ss.fff; SBS has no zone and we read it as UTC.
    return datetime.strptime(text, "%d/%m/%Y %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()


def vrs_bool(text: str) -> bool | None:
    return {"True": True, "False": False, "": None}[text]


def vrs_number(text: str) -> float | None:
    return float(text) if text else None


def test_vrs_has_26_rows_and_the_listed_non_track_rows_are_the_non_msg_types() -> None:
    rows = vrs_rows()
    assert len(rows) == 26
    non_msg = {n for n, row in enumerate(rows, 1) if row["Text"].split(",")[0] not in
               ("MSG", "MLAT")}  # fmt: skip
    assert non_msg == set(NON_TRACK_ROWS)


@pytest.mark.parametrize("n", range(1, 27))
def test_vrs_message_translator_row(n: int) -> None:
    row = vrs_rows()[n - 1]
    items = parse(row["Text"])
    if n in NON_TRACK_ROWS:
        assert items == [], NON_TRACK_ROWS[n]
        return
    assert errors(items) == []
    [u] = updates(items)
    f = u.fields
    assert u.domain is Domain.AIR
    assert f["icao24"].upper() == row["Icao24"]
    assert u.key == air_key(row["Icao24"])
    assert u.time == pytest.approx(vrs_time(row["MessageGenerated"]), abs=1e-6)
    assert f.get("callsign") == (row["Callsign"] or None)
    assert f.get("altitude_ft") == vrs_number(row["Altitude"])
    assert f.get("speed_kn") == vrs_number(row["GroundSpeed"])
    assert f.get("course_deg") == vrs_number(row["Track"])
    assert u.lat == vrs_number(row["Latitude"])
    assert u.lon == vrs_number(row["Longitude"])
    assert f.get("vertical_rate_fpm") == vrs_number(row["VerticalRate"])
    squawk = f.get("squawk")
    assert (int(squawk) if squawk else None) == (int(row["Squawk"]) if row["Squawk"] else None)
    assert f.get("alert") == vrs_bool(row["SquawkHasChanged"])
    assert f.get("emergency") == vrs_bool(row["Emergency"])
    assert f.get("spi") == vrs_bool(row["IdentActive"])
    assert f.get("on_ground") == vrs_bool(row["OnGround"])
    assert (f["position_source"] == "mlat") is vrs_bool(row["IsMlat"])


# --- VRS SampleMessages.txt -----------------------------------------------------------------


def sample_lines() -> list[str]:
    return corpus("vrs", "SampleMessages.txt").read_text().splitlines()


def test_sample_messages_every_line_handled_and_counted() -> None:
    lines = sample_lines()
    assert len(lines) == 71
    parser = SbsParser("vrs", clock=lambda: CLOCK)
    items = parser.parse_all(corpus("vrs", "SampleMessages.txt").read_bytes())
    # Oracle from the BaseStation layout, not from our output: every MSG line is an
    # update, the STA/AIR/ID/SEL/CLK lines are skipped, and a line is bad if its latitude
    # (field 15) is outside +-90 degrees.
    msg = [f for f in (line.split(",") for line in lines) if f[0] == "MSG"]
    bad = [f for f in msg if f[14] and abs(float(f[14])) > 90]
    assert parser.stats.accepted == len(updates(items)) == len(msg) == 59
    assert parser.stats.rejected == len(errors(items)) == len(bad) == 2
    assert not any("internal" in e.reason for e in errors(items))


def test_sample_messages_out_of_range_latitude_is_an_error_but_the_update_stays() -> None:
    items = parse("\n".join(sample_lines()))
    lat_errors = [e for e in errors(items) if "position" in e.reason]
    assert [e.location for e in lat_errors] == ["line 52", "line 53"]
    assert [line.split(",")[14] for line in sample_lines()[51:53]] == ["-179.00001", "179.00001"]
    for err in lat_errors:
        i = items.index(err)
        before = items[i - 1]  # the update is emitted first, without a position
        assert isinstance(before, TrackUpdate) and not before.has_position
        assert before.fields["altitude_ft"] == 70000 and before.fields["callsign"] == "CALL2"


def test_sample_messages_edge_values() -> None:
    items = updates(parse("\n".join(sample_lines())))
    by_line = {}
    lines = [line for line in sample_lines() if line.startswith("MSG")]
    for line, u in zip(lines, items, strict=True):
        by_line.setdefault(line, u)
    # lon +-179.00001 is in range and kept.
    u = items[lines.index(next(x for x in lines if ",9.00001,-179.00001," in x))]
    assert (u.lat, u.lon) == (9.00001, -179.00001)
    # 0.00000/0.00000 is the no-fix sentinel: no position, no error.
    zero = [u for line, u in zip(lines, items, strict=True) if ",0.00000,0.00000," in line]
    assert zero and not any(u.has_position for u in zero)
    # Logged time earlier than generated: the generated time is the message time.
    line = next(x for x in lines if x.startswith("MSG,3,102,2588,405D0D,780808,2010/05/23,23:55"))
    expected = datetime(2010, 5, 23, 23, 55, 36, tzinfo=UTC).timestamp()
    assert by_line[line].time == expected
    # 73200 ft stays (an impossible-looking but encodable altitude is data, not an error).
    assert any(u.fields.get("altitude_ft") == 73200 for u in items)


# --- field rules from the brief and the BaseStation layout ----------------------------------

HEAD = "MSG,3,1,1,4CA2AD,1,2010/05/23,00:00:18.796,2010/05/23,00:00:18.812"


def line(**fields: str) -> str:
    names = ["callsign", "alt", "gs", "track", "lat", "lon", "vr", "squawk", "alert",
             "emergency", "spi", "ground"]  # fmt: skip
    return ",".join([HEAD, *(fields.get(n, "") for n in names)])


def one(text: str, **kw: object) -> TrackUpdate:
    items = parse(text, **kw)
    assert errors(items) == []
    [u] = updates(items)
    return u


def test_flags_minus_one_and_one_are_true_zero_false_empty_unknown() -> None:
    u = one(line(alert="-1", emergency="1", spi="0"))
    assert (u.fields["alert"], u.fields["emergency"], u.fields["spi"]) == (True, True, False)
    assert "on_ground" not in u.fields


@pytest.mark.parametrize("code", ["7500", "7600", "7700"])
def test_emergency_squawks_mean_emergency_even_with_the_flag_clear(code: str) -> None:
    assert one(line(squawk=code, emergency="0")).fields["emergency"] is True


def test_squawk_stays_a_four_digit_string() -> None:
    assert one(line(squawk="0020")).fields["squawk"] == "0020"
    assert one(line(squawk="754")).fields["squawk"] == "0754"


def test_generated_time_is_utc_and_offset_is_applied() -> None:
    expected = datetime(2010, 5, 23, 0, 0, 18, 796000, tzinfo=UTC).timestamp()
    assert one(line()).time == pytest.approx(expected)
    assert one(line(), utc_offset_s=3600).time == pytest.approx(expected - 3600)


def test_missing_generated_time_falls_back_to_logged_then_clock() -> None:
    logged = datetime(2010, 5, 23, 0, 0, 18, 812000, tzinfo=UTC).timestamp()
    assert one("MSG,3,1,1,4CA2AD,1,,,2010/05/23,00:00:18.812").time == pytest.approx(logged)
    assert one("MSG,3,1,1,4CA2AD,1").time == CLOCK


def test_unparsable_generated_time_is_counted_and_logged_time_used() -> None:
    items = parse("MSG,3,1,1,4CA2AD,1,2010/13/40,25:00:00,2010/05/23,00:00:18.812,,100")
    [u], [e] = updates(items), errors(items)
    assert u.time == pytest.approx(datetime(2010, 5, 23, 0, 0, 18, 812000, tzinfo=UTC)
                                   .timestamp())  # fmt: skip
    assert "generated time" in e.reason and u.fields["altitude_ft"] == 100


def test_mlat_type_sets_position_source() -> None:
    u = one(line(lat="51.5", lon="-0.1").replace("MSG,", "MLAT,", 1))
    assert u.fields["position_source"] == "mlat" and u.has_position


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("MSG,3,1,1,XYZ123,1,2010/05/23,00:00:18.796", "ICAO"),
        ("MSG,3,1,1,1234567,1,2010/05/23,00:00:18.796", "ICAO"),
        ("MSG,3,1,1,,1,2010/05/23,00:00:18.796", "ICAO"),
        ("MSG,9,1,1,4CA2AD,1,2010/05/23,00:00:18.796", "transmission type"),
        ("FOO,3,1,1,4CA2AD,1", "message type"),
        ("MSG,3,1", "too few"),
    ],
)
def test_unusable_lines_are_one_error_and_no_update(bad_line: str, reason: str) -> None:
    items = parse(bad_line)
    assert updates(items) == []
    [e] = errors(items)
    assert reason in e.reason and e.location == "line 1" and e.source == "test"


def test_bad_fields_are_dropped_with_one_error_naming_them() -> None:
    items = parse(line(alt="high", gs="-5", track="361", squawk="12a4", ground="yes",
                       callsign="ABC"))  # fmt: skip
    [u], [e] = updates(items), errors(items)
    assert u.fields["callsign"] == "ABC"
    for name in ("altitude_ft", "speed_kn", "course_deg", "squawk", "on_ground"):
        assert name not in u.fields
        assert name.split("_")[0] in e.reason


def test_lines_around_a_bad_line_decode_and_blank_lines_are_ignored() -> None:
    text = "\r\n".join([line(alt="100"), "garbage,,,", "", line(alt="200")])
    items = parse(text)
    assert [u.fields["altitude_ft"] for u in updates(items)] == [100, 200]
    assert [e.location for e in errors(items)] == ["line 2"]


def test_registry_builds_the_sbs_parser() -> None:
    assert isinstance(make_parser("sbs", "feed"), SbsParser)


def test_tilde_address_is_its_own_non_icao_track() -> None:
    u = one(line().replace("4CA2AD", "~4CA2AD"))
    assert u.key == air_key("~4ca2ad") != air_key("4ca2ad") and u.fields["non_icao"] is True
