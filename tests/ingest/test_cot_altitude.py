"""A CoT height never replaces an aircraft's barometric altitude.

CoT ``point@hae`` is metres above the WGS84 ellipsoid (MITRE Event.xsd); SBS field 12
is the Mode S/ADS-B barometric altitude in feet (the number written as a flight level
above the transition altitude). adsbcot relays the same aircraft as CoT with its ICAO
address, so the two feeds merge into one track; the merge must keep both meanings
apart. Expected values come from those definitions, not from our output.
"""

from __future__ import annotations

import pytest

from cop_app.core.picture import Picture
from cop_app.core.readings import altitude_reading
from cop_app.core.updates import air_key
from cop_app.ingest.adsb import SbsParser
from cop_app.ingest.cot import CotParser
from tests.ingest.cot_support import errors

ICAO = "4ca7e1"
SBS = f"MSG,3,1,1,{ICAO.upper()},1,2026/11/26,10:00:00.000,2026/11/26,10:00:00.000,,35000," \
      ",,47.5000,33.2000,,,0,0,0,0"
HAE_M = 10_800.0  # ~35,433 ft: near FL350, so a wrong merge would still look plausible


def cot_event(uid: str, second: int) -> str:
    return (f"<event version='2.0' uid='{uid}' type='a-n-A-C-F' how='m-g' "
            f"time='2026-11-26T10:00:{second:02d}Z' start='2026-11-26T10:00:{second:02d}Z' "
            f"stale='2026-11-26T10:01:{second:02d}Z'>"
            f"<point lat='47.51' lon='33.21' hae='{HAE_M}' ce='10' le='9999999'/>"
            f"<detail><contact callsign='RCH123'/></detail></event>")  # fmt: skip


def parsed(parser, text: str) -> list:
    items = parser.parse_all(text)
    assert not errors(items), errors(items)
    return items


def test_merged_track_keeps_the_sbs_flight_level_after_a_cot_update() -> None:
    pic = Picture()
    pic.upsert_many(parsed(SbsParser("sbs"), SBS + "\n"))
    pic.upsert_many(parsed(CotParser("cot"), cot_event(f"ICAO-{ICAO.upper()}", 5)))
    assert pic.keys() == [air_key(ICAO)]  # one track: the CoT event named the ICAO address
    track = pic.track(air_key(ICAO))
    assert track.altitude_ft == 35000.0
    assert track.geo_altitude_ft == pytest.approx(HAE_M / 0.3048)
    assert altitude_reading(track.altitude_ft, track.geo_altitude_ft) == "FL350"
    assert set(track.sources) == {"sbs", "cot"}


def test_cot_only_track_reads_its_hae_marked_as_such() -> None:
    pic = Picture()
    pic.upsert_many(parsed(CotParser("cot"), cot_event("UAV-7", 5)))
    track = pic.track("cot:UAV-7")
    assert track.altitude_ft is None
    feet = round(HAE_M / 0.3048)
    text = altitude_reading(track.altitude_ft, track.geo_altitude_ft)
    assert text == f"{feet:,} ft HAE"  # a height above the ellipsoid, never "FL354"
    assert not text.startswith("FL")


@pytest.mark.parametrize(
    ("baro", "geo", "want"),
    [(35000.0, 35433.0, "FL350"), (4500.0, None, "4,500 ft"), (None, 3200.4, "3,200 ft HAE"),
     (float("nan"), 9400.0, "9,400 ft HAE"), (None, None, ""), (None, float("nan"), ""),
     (None, 12000.0, "12,000 ft HAE")],
)  # fmt: skip
def test_altitude_reading(baro, geo, want) -> None:
    # FL only for a barometric altitude at or above the transition (geo.py: 6,000 ft).
    assert altitude_reading(baro, geo) == want
