"""The air-zone rule judges a CoT-only aircraft by its HAE height when it has no
barometric altitude (CoT carries only ``point@hae``), and records which height it used."""

from __future__ import annotations

import shapely

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.rules import RuleEngine
from cop_app.core.updates import TrackUpdate

T0 = 1_790_000_000.0
SQUARE = shapely.box(30.0, 45.0, 30.2, 45.2)


def test_floor_and_ceiling_use_hae_when_there_is_no_baro_altitude():
    zone = Zone("P", ZoneKind.PROHIBITED_AIRSPACE, "P", SQUARE, floor_ft=1000, ceiling_ft=10000)
    p = Picture()
    p.set_zone(zone)
    for key, fields in (("cot:in", {"geo_altitude_ft": 5000.0}),
                        ("cot:above", {"geo_altitude_ft": 12000.0}),
                        ("icao:baro", {"altitude_ft": 5000.0, "geo_altitude_ft": 12000.0})):
        p.upsert(TrackUpdate(Domain.AIR, key, "t", T0, 45.1, 30.1, fields))
    conds = RuleEngine().evaluate(p, T0 + 5)
    # the baro altitude wins where both are known (5,000 ft: inside, whatever the HAE)
    assert set(conds) == {("cot:in", "air_zone_entry"), ("icao:baro", "air_zone_entry")}
    # which height was judged is in the details (the message carries no live numbers)
    assert conds[("cot:in", "air_zone_entry")].details == {"altitude_ft": 5000.0,
                                                           "altitude_hae": True}
    assert conds[("icao:baro", "air_zone_entry")].details == {"altitude_ft": 5000.0,
                                                              "altitude_hae": False}
