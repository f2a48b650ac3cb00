"""Alert messages read like a watch-log line: subject, what, where, each said once
("RCH123 entered Buffer zone, east/south side (15 km, CF-BUF-E)")."""

from __future__ import annotations

import re

import pytest
import shapely

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, EventType, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.rules import RuleEngine
from cop_app.core.rules.wording import subject_name, zone_phrase
from cop_app.core.updates import ReportUpdate, TrackUpdate

T0 = 1_790_000_000.0
BOX = shapely.box(30.0, 45.0, 30.2, 45.2)


@pytest.mark.parametrize(
    ("kind", "name", "zid", "want"),
    [(ZoneKind.BUFFER, "Buffer zone, east/south side (15 km)", "CF-BUF-E",
      "Buffer zone, east/south side (15 km, CF-BUF-E)"),
     (ZoneKind.PROHIBITED_AIRSPACE, "Zaporizhzhia NPP prohibited area (exercise)",
      "CF-AIR-ZNPP", "Zaporizhzhia NPP prohibited area (exercise, CF-AIR-ZNPP)"),
     (ZoneKind.RESTRICTED_AIRSPACE, "Mission UAV operating area TRA 1", "CF-AIR-TRA1",
      "restricted airspace Mission UAV operating area TRA 1 (CF-AIR-TRA1)"),
     (ZoneKind.RESTRICTED_AREA, "P-12", "P-12", "restricted area P-12"),
     (ZoneKind.CORRIDOR, "", "CF-COR", "corridor CF-COR")],
)  # fmt: skip
def test_zone_phrase_names_kind_and_id_once(kind, name, zid, want):
    assert zone_phrase(Zone(zid, kind, name, BOX)) == want


def test_subject_is_the_callsign_or_name_else_the_id():
    assert subject_name(Domain.AIR, {"callsign": "RCH123", "name": "x"}, "icao:ae1234") == \
        "RCH123"
    assert subject_name(Domain.SEA, {"callsign": "5BCD2", "name": "NORDIC STAR"},
                        "mmsi:272123456") == "NORDIC STAR"
    assert subject_name(Domain.AIR, {}, "icao:ae1234") == "ICAO ae1234"
    assert subject_name(Domain.SEA, {}, "mmsi:272123456") == "MMSI 272123456"
    assert subject_name(Domain.LAND, {}, "cot:UAV-7") == "UAV-7"


def words_once(message: str) -> None:
    words = re.findall(r"[a-z]+", message.lower())
    doubled = {w for w in words if words.count(w) > 1 and len(w) > 3}
    assert not doubled, (doubled, message)


def test_engine_messages_read_subject_what_where_once():
    p = Picture(history_points=10, history_seconds=86400)
    p.set_zone(Zone("CF-BUF-E", ZoneKind.BUFFER, "Buffer zone, east/south side (15 km)", BOX))
    p.set_zone(Zone("RA-1", ZoneKind.RESTRICTED_AREA, "Port approach", BOX))
    p.upsert(TrackUpdate(Domain.AIR, "icao:ae1234", "sbs", T0, 45.1, 30.1,
                         {"callsign": "RCH123", "altitude_ft": 7690.0}))
    p.upsert(TrackUpdate(Domain.AIR, "icao:ae1235", "sbs", T0, 45.1, 30.1,
                         {"squawk": "7700"}))
    p.upsert(TrackUpdate(Domain.SEA, "mmsi:272123456", "ais", T0, 45.1, 30.1,
                         {"name": "NORDIC STAR"}))
    p.upsert(ReportUpdate("r-1", "obs", T0, 45.1, 30.1, None,
                          {"title": "Two tanks seen", "event_type": EventType.WEAPON_SIGHTING.value,
                           "status": "corroborated"}))
    msgs = {k: c.message for k, c in RuleEngine().evaluate(p, T0 + 5).items()}
    assert msgs[("icao:ae1234", "air_zone_entry")] == \
        "RCH123 entered Buffer zone, east/south side (15 km, CF-BUF-E)"
    assert msgs[("icao:ae1235", "emergency_squawk")] == "ICAO ae1235 squawking 7700 EMERGENCY"
    assert msgs[("mmsi:272123456", "restricted_area_entry")] == \
        "NORDIC STAR entered restricted area Port approach (RA-1)"
    assert msgs[("r-1", "report_corroborated")] == "Two tanks seen (weapon sighting) corroborated"
    assert msgs[("r-1", "report_in_zone")].startswith(
        "Two tanks seen (weapon sighting) reported in Buffer zone, east/south side (15 km, "
        "CF-BUF-E) at ")
    for m in msgs.values():
        words_once(m)


def test_report_subjects_use_the_event_labels_people_read():
    from cop_app.core.entities import LandReport
    from cop_app.core.enums import EventType
    from cop_app.core.rules.reports import _subject

    assert _subject(LandReport(id="R1", event_type=EventType.MINE_UXO)) == "Mine / UXO R1"
    titled = LandReport(id="R2", title="Device on the road", event_type=EventType.MINE_UXO)
    assert _subject(titled) == "Device on the road (mine / UXO)"


def test_a_title_that_names_the_event_by_its_label_is_not_repeated():
    from cop_app.core.entities import LandReport
    from cop_app.core.enums import EventType
    from cop_app.core.rules.reports import _subject

    rep = LandReport(id="R3", title="Mine / UXO 13 km NE of Kupiansk",
                     event_type=EventType.MINE_UXO)  # fmt: skip
    assert _subject(rep) == "Mine / UXO 13 km NE of Kupiansk"
