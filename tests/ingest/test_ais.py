"""AisParser behaviour from the NMEA 0183 / ITU-R M.1371 rules, on corpus sentences."""

from __future__ import annotations

import calendar
from functools import reduce
from operator import xor

from cop_app.core.enums import NAV_STATUS_TEXT, Domain
from cop_app.core.updates import ParseError, TrackUpdate
from cop_app.ingest import make_parser
from cop_app.ingest.ais import AisParser
from cop_app.ingest.mid import flag_for_mmsi, mid_of

T0 = 1_700_000_000.0
# libais typeexamples: type 1 from 367033650 (heading 511 = N/A) with a USCG trailer.
TYPE1_USCG = ("!AIVDM,1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0HQ6,0*30,d-080,S2118,t050056.00,"
              "T56.4837741,r003669946,1325394060,1325394001")  # fmt: skip
TYPE1 = "!AIVDM,1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0HQ6,0*30"
# gpsd sample.aivdm channel multiplexing: two type 5 messages interleaved on A and B.
INTERLEAVED = [
    "!AIVDM,2,1,6,B,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht50000000000,0*3B",
    "!AIVDM,2,1,2,A,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht500000000000000,0*3C",
    "!AIVDM,2,2,2,A,0000002,2*24",
    "!AIVDM,2,2,6,B,00000000000,2*21",
]


def nmea(body: str) -> str:
    """A sentence with a correct checksum (so tests can vary the fields)."""
    return f"!{body}*{reduce(xor, body.encode(), 0):02X}"


def run(*lines: str, clock: float = T0) -> tuple[list[TrackUpdate], list[ParseError]]:
    items = AisParser("t", clock=lambda: clock).parse_all("\n".join(lines) + "\n")
    return ([i for i in items if isinstance(i, TrackUpdate)],
            [i for i in items if isinstance(i, ParseError)])  # fmt: skip


def test_registry_builds_the_parser() -> None:
    assert isinstance(make_parser("nmea", "x"), AisParser)


def test_type1_fields_and_sentinels() -> None:
    (u,), errors = run(TYPE1)
    assert not errors
    assert u.domain == Domain.SEA and u.key == "mmsi:367033650"
    assert abs(u.lat - 42.79855) < 1e-5 and abs(u.lon - -70.346905) < 1e-5
    f = u.fields
    assert f["speed_kn"] == 8.6 and f["course_deg"] == 35.9
    assert "heading_deg" not in f  # 511 = not available
    assert f["nav_status"] == 0 and f["nav_status_text"] == NAV_STATUS_TEXT[0]
    assert f["ais_class"] == "A" and f["position_source"] == "ais" and f["flag"] == "US"
    assert u.time == T0  # no time in the input: the clock's


def test_uscg_trailer_time_is_the_last_epoch_field() -> None:
    (u,), _ = run(TYPE1_USCG)
    assert u.time == 1325394001.0


def test_talkers_and_vdo() -> None:
    for talker in ("AB", "BS", "SA", "AA"):
        for kind in ("VDM", "VDO"):
            (u,), errors = run(nmea(f"{talker}{kind},1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0HQ6,0"))
            assert not errors and u.fields["mmsi"] == 367033650


def test_interleaved_multipart_on_both_channels() -> None:
    updates, errors = run(*INTERLEAVED)
    assert not errors
    # gpsd sample.aivdm.js.chk: two type 5 objects for 271010059, "HEALTH CONTROL 13".
    assert [u.fields["mmsi"] for u in updates] == [271010059, 271010059]
    assert {u.fields["name"] for u in updates} == {"HEALTH CONTROL 13"}
    assert all(u.lat is None for u in updates)  # static data carries no position


def test_fragment_on_other_or_missing_channel_still_assembles() -> None:
    p1 = nmea("AIVDM,2,1,3,1,53=ct<42BJ9cTP7;OS859AHTr222222222222216HPQ7I6450R@CDm1A0CH8,0")
    for chan in ("2", "", "B"):
        (u,), errors = run(p1, nmea(f"AIVDM,2,2,3,{chan},88888888880,2"))
        assert not errors and u.fields["name"]


def test_orphan_and_stale_fragments_are_errors() -> None:
    _, errors = run(INTERLEAVED[2])
    assert len(errors) == 1 and "without" in errors[0].reason
    # A first fragment never completed: reported at close (and names its line).
    updates, errors = run(INTERLEAVED[0], TYPE1)
    assert len(updates) == 1 and len(errors) == 1 and errors[0].location == "line 1"


def test_stale_groups_are_dropped_after_a_bounded_count() -> None:
    firsts = [nmea(f"AIVDM,2,1,{i % 10},{'AB'[i // 10 % 2]},5,0") for i in range(20)]
    talkers = [f.replace("AIVDM", f"A{chr(65 + i)}VDM", 1) for i, f in enumerate(firsts)]
    lines = [nmea(t[1 : t.index("*")]) for t in talkers] * 5  # 100 distinct open groups
    parser = AisParser("t", clock=lambda: T0)
    parser.feed("\n".join(lines) + "\n")
    assert len(parser._groups) <= 64
    assert parser.stats.rejected > 0


def test_bad_checksum_junk_and_comments() -> None:
    bad = TYPE1[:-2] + "31"
    updates, errors = run("# a comment", "", bad, "foobar", "$GPGGA,1*00", TYPE1)
    assert len(updates) == 1
    assert [e.reason for e in errors] == [
        "bad NMEA checksum", "not an AIS sentence", "not an AIS sentence"]  # fmt: skip
    assert [e.location for e in errors] == ["line 3", "line 4", "line 5"]


def test_tag_block_time_source_and_ms() -> None:
    tb = "s:station7,c:1671620143"
    line = f"\\{tb}*{reduce(xor, tb.encode(), 0):02X}\\{TYPE1}"
    (u,), errors = run(line)
    assert not errors and u.time == 1671620143.0 and u.source == "t/station7"
    tb = "c:1671620143250"
    (u,), _ = run(f"\\{tb}*{reduce(xor, tb.encode(), 0):02X}\\{TYPE1}")
    assert u.time == 1671620143.25


def test_bad_tag_block_is_one_error_and_the_sentence_still_decodes() -> None:
    (u,), (e,) = run(f"\\s:x,c:1671620143*00\\{TYPE1}")
    assert "tag block" in e.reason and u.time == T0 and u.source == "t"


def test_gatehouse_time_applies_to_the_next_message_only() -> None:
    gh = "$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17"
    updates, errors = run(gh, TYPE1, TYPE1)
    assert not errors
    assert updates[0].time == calendar.timegm((2008, 5, 9, 0, 0, 0)) + 0.01
    assert updates[1].time == T0


def test_type9_sar_aircraft_goes_to_air_domain() -> None:
    # gpsd sample.aivdm type 9: mmsi 111232511, altitude 303 m, 42 kn.
    (u,), errors = run("!AIVDM,1,1,,B,91b55wi;hbOS@OdQAC062Ch2089h,0*30")
    assert not errors
    assert u.domain == Domain.AIR and u.key == "mmsi:111232511"
    assert u.fields["altitude_ft"] == round(303 * 3.280839895) and u.fields["speed_kn"] == 42


def test_truncated_and_bad_payloads_are_errors() -> None:
    _, errors = run(nmea("AIVDM,1,1,,A,15N1u<PP1FJu,0"), nmea("AIVDM,1,1,,B,,0"),
                    nmea("AIVDM,1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0H{6,0"))  # fmt: skip
    assert len(errors) == 3


def test_chunked_feeding_equals_whole() -> None:
    text = "\n".join([*INTERLEAVED, TYPE1_USCG, "junk", TYPE1]) + "\n"
    whole = AisParser("t", clock=lambda: T0).parse_all(text)
    parser = AisParser("t", clock=lambda: T0)
    chunked = [i for k in range(0, len(text), 7) for i in parser.feed(text[k : k + 7])]
    assert chunked + parser.close() == whole


def test_mid_flags() -> None:
    assert mid_of(366913120) == 366 and flag_for_mmsi(366913120) == "US"
    assert mid_of(3669713) == 366  # 00MIDxxxx coast station
    assert mid_of(111232511) == 232 and flag_for_mmsi(111232511) == "GB"  # SAR aircraft
    assert mid_of(992351000) == 235  # 99MIDxxxx aid to navigation
    assert mid_of(974291422) is None  # EPIRB-AIS: no MID
    assert flag_for_mmsi(999_999_999) is None
