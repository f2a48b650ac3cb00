"""What an officer reads for altitude and speed in the Tracks table, Details and map
labels: the barometric altitude (FL/ft) when known, else a CoT height above the
ellipsoid marked "ft HAE" (never a flight level: a FL is a pressure altitude); a ship
at anchor or moored reads so, not "0 kn"."""

from __future__ import annotations

import numpy as np

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import TrackUpdate
from cop_app.ingest.ais import AisParser
from cop_app.ui.hub import Hub
from cop_app.ui.map.tracks import label_lines
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.tracks import COLUMNS, TracksPanel
from tests.conftest import corpus

T0 = parse_iso("2026-11-26T10:00:00Z")
COL = {name: k for k, name in enumerate(COLUMNS)}


def picture() -> Picture:
    pic = Picture()
    pic.upsert_many([
        # merged ADS-B + CoT: both heights known, the baro one is what is shown
        TrackUpdate(Domain.AIR, "icao:4ca7e1", "sbs", T0 - 5, 47.5, 33.2,
                    {"callsign": "RCH123", "altitude_ft": 35000.0}),
        TrackUpdate(Domain.AIR, "icao:4ca7e1", "cot", T0 - 4, 47.5, 33.2,
                    {"geo_altitude_ft": 35433.0}),
        # CoT-only UAV: only the HAE height
        TrackUpdate(Domain.AIR, "cot:UAV-7", "cot", T0 - 5, 47.6, 33.3,
                    {"callsign": "UAV 7", "geo_altitude_ft": 3200.4}),
    ])  # fmt: skip
    return pic


def rows(panel: TracksPanel) -> dict[str, dict[str, str]]:
    m = panel.model
    return {m.index(r, COL["Name / callsign"]).data():
            {name: m.index(r, k).data() for name, k in COL.items()}
            for r in range(m.rowCount())}  # fmt: skip


def test_tracks_table_reads_baro_else_hae_marked(qtbot):
    hub = Hub(picture())
    hub.set_live(False)
    hub.set_cursor(T0)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=15000)
    got = rows(panel)
    assert got["RCH123"]["Alt / FL"] == "FL350"
    assert got["UAV 7"]["Alt / FL"] == "3,200 ft HAE"
    hub.close()


def test_details_reads_hae_for_a_cot_only_track(qtbot):
    hub = Hub(picture())
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    hub.select({"cot:UAV-7"})
    lines = [s.strip() for s in panel.text().splitlines()]
    assert lines[lines.index("Altitude") + 1] == "3,200 ft HAE"
    hub.select({"icao:4ca7e1"})
    lines = [s.strip() for s in panel.text().splitlines()]
    assert lines[lines.index("Altitude") + 1] == "FL350 (35,000 ft)"
    hub.close()


def test_map_label_reads_baro_else_hae_marked():
    assert label_lines(Domain.AIR, {"callsign": "RCH123", "geo_altitude_ft": 35433.0},
                       "icao:4ca7e1", 35000.0, np.nan) == ["RCH123", "FL350"]
    assert label_lines(Domain.AIR, {"callsign": "UAV 7", "geo_altitude_ft": 3200.4},
                       "cot:UAV-7", np.nan, np.nan) == ["UAV 7", "3,200 ft HAE"]


# ---- ships at rest: the AIS status, not "0 kn" ----------------------------------------
def moored_ship() -> TrackUpdate:
    """gpsd sample.aivdm, MMSI 563808000 (type 3): the gpsd decode
    (sample.aivdm.js.chk) reads status 5 "Moored", speed 0.0."""
    text = corpus("gpsd", "sample.aivdm").read_text()
    [u] = [i for i in AisParser("ais", clock=lambda: T0).parse_all(text)
           if isinstance(i, TrackUpdate) and i.key == "mmsi:563808000" and i.has_position]
    assert (u.fields["nav_status"], u.fields["speed_kn"]) == (5, 0.0)
    return TrackUpdate(u.domain, u.key, u.source, T0 - 30, u.lat, u.lon, u.fields)


def test_tracks_table_and_details_say_moored_not_zero_knots(qtbot):
    pic = Picture()
    pic.upsert_many([moored_ship(),
                     TrackUpdate(Domain.SEA, "mmsi:272123456", "ais", T0 - 30, 46.4, 30.8,
                                 {"name": "NORDIC STAR", "speed_kn": 0.0, "nav_status": 0})])
    hub = Hub(pic)
    hub.set_live(False)
    hub.set_cursor(T0)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=15000)
    got = {r["Track"]: r["Speed"] for r in rows(panel).values()}
    assert got == {"mmsi:563808000": "Moored", "mmsi:272123456": "0.0 kn"}
    details = DetailsPanel(hub)
    qtbot.addWidget(details)
    hub.select({"mmsi:563808000"})
    lines = [s.strip() for s in details.text().splitlines()]
    assert lines[lines.index("Speed") + 1] == "Moored"
    hub.close()


def test_map_label_says_at_anchor_not_zero_knots():
    assert label_lines(Domain.SEA, {"name": "ANCHORED", "nav_status": 1}, "mmsi:1", np.nan,
                       0.2) == ["ANCHORED", "At anchor"]
    assert label_lines(Domain.SEA, {"name": "DRAGGING", "nav_status": 1}, "mmsi:2", np.nan,
                       1.6) == ["DRAGGING", "At anchor, 2 kn"]
    assert label_lines(Domain.SEA, {"name": "UNDERWAY", "nav_status": 0}, "mmsi:3", np.nan,
                       0.2) == ["UNDERWAY", "0 kn"]
