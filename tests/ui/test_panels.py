"""Panels on their own (no server): the virtual Tracks table at 100k rows, Reports
filters and what a viewer or verifier is offered, Details, Alerts, status texts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cop_app.core.enums import Domain, Identity
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, parse_iso
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.core.verification import VerificationStatus as S
from cop_app.core.verification import allowed_next
from cop_app.ui.hub import Hub
from cop_app.ui.panels.alerts import AlertsPanel
from cop_app.ui.panels.details import DetailsPanel
from cop_app.ui.panels.layers import LayersPanel
from cop_app.ui.panels.reports import ReportsPanel, TransitionDialog
from cop_app.ui.panels.tracks import C_DOMAIN, C_NAME, C_SPEED, TracksPanel
from cop_app.ui.status import connection_text, counts_text, offline_text, position_text

T0 = parse_iso("2026-11-26T10:00:00Z")
N = 100_000


def big_picture(n: int = N) -> Picture:
    """n tracks, 3 fixes each, with known speeds, identities and domains."""
    rng = np.random.default_rng(7)
    pic = Picture(capacity=n, history_points=4)
    keys = [f"t{i:06d}" for i in range(n)]
    domains = np.arange(n) % 3
    speed = rng.uniform(0, 500, n).round(1)
    ident = np.arange(n) % 9
    fields = [{"callsign": f"CS{i:06d}", "speed_kn": float(speed[i]),
               "identity": Identity(int(ident[i])).label} for i in range(n)]  # fmt: skip
    t = np.tile([T0 - 120, T0 - 60, T0], (n, 1))
    lat = 44.0 + rng.uniform(0, 8, (n, 1)) + np.zeros((1, 3))
    lon = 28.0 + rng.uniform(0, 12, (n, 1)) + np.zeros((1, 3))
    pic.restore_tracks(keys, domains, fields=fields, sources=[("test",)] * n,
                       last_time=np.full(n, T0), stale_s=np.full(n, 3600.0),
                       history=(t, lat, lon), history_n=np.full(n, 3))  # fmt: skip
    return pic


@pytest.fixture(scope="module")
def picture_100k() -> Picture:
    return big_picture()


def test_tracks_table_holds_100k_rows_and_sorts_searches_filters(qtbot, picture_100k):
    hub = Hub(picture_100k)
    hub.set_live(False)
    hub.set_cursor(T0)
    panel = TracksPanel(hub)  # its speed is benchmarks/map.py's "tracks table" row
    qtbot.addWidget(panel)
    m = panel.model
    assert m.rowCount() == N
    # sort by speed: the shown column reads in ascending order ("123 kn")
    speed = lambda r: float(m.index(r, C_SPEED).data().removesuffix(" kn"))  # noqa: E731
    m.sort(C_SPEED, Qt.SortOrder.AscendingOrder)
    shown = [speed(r) for r in range(0, N, N // 50)]
    assert shown == sorted(shown)
    m.sort(C_SPEED, Qt.SortOrder.DescendingOrder)
    assert speed(0) >= speed(N - 1)
    # text search on the callsign
    panel.search.setText("cs01234")
    assert sorted(m.index(r, C_NAME).data() for r in range(m.rowCount())) == [
        f"CS{i:06d}" for i in range(12340, 12350)]
    panel.search.setText("")
    # domain filter: untick AIR and SEA, only LAND rows remain (a third)
    panel.domain_boxes[Domain.AIR].setChecked(False)
    panel.domain_boxes[Domain.SEA].setChecked(False)
    assert m.rowCount() == N // 3
    assert {m.index(r, C_DOMAIN).data() for r in range(0, m.rowCount(), 97)} == {"LAND"}
    for box in panel.domain_boxes.values():
        box.setChecked(True)
    # identity filter: hostile group = hostile, suspect, joker, faker (4 of 9 codes)
    panel.identity.setCurrentText("Hostile / suspect")
    expected = sum(1 for i in range(N) if i % 9 in (5, 6, 7, 8))
    assert m.rowCount() == expected
    panel.identity.setCurrentText("All identities")
    # in view only: a bbox that holds a known share of the uniform positions
    panel.visible_bbox = lambda: (28.0, 44.0, 34.0, 52.0)
    panel.in_view.setChecked(True)
    frame = picture_100k.as_of(T0)
    inside = int(np.count_nonzero(frame.lon <= 34.0))
    assert m.rowCount() == inside
    assert m.rowCount() < N
    hub.close()


def test_tracks_row_selection_goes_to_the_hub_and_back(qtbot, picture_100k):
    hub = Hub(picture_100k)
    hub.set_live(False)
    hub.set_cursor(T0)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    assert panel.select_key("t054321")
    assert hub.selection == frozenset({"t054321"})
    hub.select({"t000007"})  # the map selects: the table follows
    rows = panel.table.selectionModel().selectedRows()
    assert [panel.model.key_at(r.row()) for r in rows] == ["t000007"]
    hub.close()


def reports_picture() -> Picture:
    pic = Picture()
    specs = [("R1", "reported", "explosion", 0), ("R2", "under_verification", "burst", 600),
             ("R3", "verified", "explosion", 1200), ("R4", "rejected", "mine_uxo", 1800),
             ("R5", "corroborated", "weapon_sighting", 2400)]  # fmt: skip
    pic.upsert_many(ReportUpdate(id=rid, source="test", time=T0 + dt, lat=48.0, lon=37.5,
                                 fields={"status": st, "event_type": et, "title": f"<b>{rid}</b>",
                                         "reliability": "B", "credibility": 2})
                    for rid, st, et, dt in specs)  # fmt: skip
    return pic


def test_reports_filters_by_status_type_and_window(qtbot):
    hub = Hub(reports_picture())
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    # UX.md: rejected (and retracted, superseded) hidden by default
    assert sorted(panel.shown_ids()) == ["R1", "R2", "R3", "R5"]
    panel.status.setCurrentText("All statuses")
    assert len(panel.shown_ids()) == 5
    panel.status.setCurrentText("verified")
    assert panel.shown_ids() == ["R3"]
    panel.status.setCurrentText("All statuses")
    panel.etype.setCurrentText("Explosion")  # the legend's words (style.EVENT_LABELS)
    assert sorted(panel.shown_ids()) == ["R1", "R3"]
    panel.etype.setCurrentText("All event types")
    hub.set_window((T0 + 500, T0 + 1900))
    assert sorted(panel.shown_ids()) == ["R2", "R3", "R4"]
    # time in UTC ISO and DTG, reliability/credibility as the admiralty code
    row = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 0).data() == "R3")
    cells = [panel.proxy.index(row, c).data() for c in range(8)]
    assert cells[3] == "2026-11-26T10:20:00Z" and cells[4] == format_dtg(T0 + 1200)
    assert cells[6] == "B2" and re.fullmatch(r"\d{1,2}[C-X] [A-Z]{2} \d{5} \d{5}", cells[5])
    hub.close()


def test_viewer_is_not_offered_a_transition_and_a_verifier_gets_exactly_allowed_next(qtbot):
    hub = Hub(reports_picture())
    panel = ReportsPanel(hub)
    qtbot.addWidget(panel)
    panel.post_transition = lambda rid, to, why: {}
    panel.show()
    panel.select_id("R2")
    panel.set_roles({"viewer"})
    assert not panel.action.isVisible() and panel.offered_transitions() == ()
    with pytest.raises(PermissionError):
        panel.transition("R2", S.CORROBORATED, "seen on two videos")
    panel.set_roles({"viewer", "observer", "verifier"})
    assert panel.action.isVisible() and panel.action.isEnabled()
    assert panel.offered_transitions() == allowed_next(S.UNDER_VERIFICATION)
    dialog = TransitionDialog(hub.picture.report("R2"))
    qtbot.addWidget(dialog)
    offered = [dialog.target.itemData(i) for i in range(dialog.target.count())]
    assert tuple(offered) == allowed_next(S.UNDER_VERIFICATION)
    assert not dialog.ok.isEnabled()  # a rationale is required
    dialog.rationale.setPlainText("two independent videos")
    assert dialog.ok.isEnabled()
    hub.close()


def test_details_show_fields_sources_history_and_trail_escaped(qtbot):
    pic = reports_picture()
    pic.upsert_many([TrackUpdate(Domain.SEA, "mmsi:1", "ais-test", T0 - 300 + 60 * i,
                                 44.0 + 0.01 * i, 33.0,
                                 {"name": "NORDIC <STAR>", "mmsi": "1", "nav_status": "Moored"})
                     for i in range(5)])  # fmt: skip
    hub = Hub(pic)
    panel = DetailsPanel(hub)
    qtbot.addWidget(panel)
    hub.select({"mmsi:1"})
    text = panel.text()
    assert "mmsi:1" in text and "NORDIC <STAR>" in text and "Moored" in text
    assert "ais-test" in text  # sources
    assert f"5 fixes, {format_dtg(T0 - 300)} – {format_dtg(T0 - 60)}" in text
    hub.select({"R3"})
    assert "<b>R3</b>" in panel.text()  # markup in data stays text
    assert "No verification steps yet." in panel.text()
    hub.close()


def test_alerts_list_newest_first_severity_in_words(qtbot):
    hub = Hub(Picture())
    panel = AlertsPanel(hub)
    qtbot.addWidget(panel)
    panel.set_alerts([
        {"id": "a1", "rule": "zone_entry", "severity": "high", "subject": "mmsi:1",
         "time": "2026-11-26T10:00:00Z", "state": "new", "message": "entered buffer"},
        {"id": "a2", "rule": "squawk", "severity": "critical", "subject": "icao:abc",
         "time": "2026-11-26T11:00:00Z", "state": "acknowledged"},
    ])  # fmt: skip
    rows = panel.rows()
    assert [r[3] for r in rows] == ["icao:abc", "mmsi:1"]
    assert rows[0][0] == "261100ZNOV26" and rows[0][1] == "CRITICAL"
    assert panel.summary.text() == "2 shown of 2 · 2 open · 1 new"
    panel.table.selectRow(1)
    assert hub.selection == frozenset({"mmsi:1"})
    hub.close()


def test_layers_panel_and_hub_stay_in_step(qtbot):
    hub = Hub(Picture())
    panel = LayersPanel(hub)
    qtbot.addWidget(panel)
    panel.boxes["air"].setChecked(False)
    assert hub.layers["air"] is False
    hub.set_layer("air", True)
    assert panel.boxes["air"].isChecked()
    hub.close()


def test_status_texts():
    assert connection_text("live", age_s=3.4, data_time=None) == "LIVE · 3 s"
    assert connection_text("backoff", age_s=12.0, data_time=T0) == "RECONNECTING"
    assert connection_text("offline", age_s=None, data_time=T0).startswith(
        f"OFFLINE — data as of {format_dtg(T0)} (")
    assert offline_text(T0, clock=lambda: T0 + 23 * 3600 + 59) == \
        f"OFFLINE — data as of {format_dtg(T0)} (23 h ago)"
    assert connection_text("syncing", age_s=None, data_time=None, progress=(50, 200)) == \
        "SYNCING 25%"
    # UX.md's own example position: 48°35'12"N 037°50'24"E, and 10-digit MGRS
    text = position_text(48 + 35 / 60 + 12 / 3600, 37 + 50 / 60 + 24 / 3600)
    assert text.startswith("48°35'12\"N 037°50'24\"E")
    assert re.search(r"37U [A-Z]{2} \d{5} \d{5}$", text)
    assert counts_text({"air": 3, "sea": 4, "land": 0}) == "AIR 3 · SEA 4 · LAND 0"
