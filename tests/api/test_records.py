"""Wire records -> Picture: the inverse of cop_app.core.records, on the exercise feeds."""

from __future__ import annotations

import pytest

from cop_app.api.records import apply_report, apply_track, report_from_record
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.ingest.files import feed_file
from cop_app.paths import resource


@pytest.fixture(scope="module")
def source_picture() -> Picture:
    pic = Picture(history_seconds=86400)
    folder = resource("scenarios", "exercise")
    for name in ("sea.nmea", "air.sbs", "reports.geojson"):
        feed_file(folder / name, "auto", pic.upsert_many)
    assert len(pic) and pic.reports()
    return pic


def test_track_records_round_trip(source_picture):
    client = Picture()
    for tr in source_picture.tracks():
        apply_track(client, track_record(tr))
    assert sorted(client.keys()) == sorted(source_picture.keys())
    for tr in source_picture.tracks():
        assert track_record(client.track(tr.id)) == track_record(tr)


def test_report_records_round_trip(source_picture):
    client = Picture()
    for rep in source_picture.reports():
        apply_report(client, report_record(rep))
    for rep in source_picture.reports():
        assert report_record(client.report(rep.id)) == report_record(rep)


def test_state_replaces_not_merges():
    client = Picture()
    rec = {"kind": "track", "domain": "sea", "id": "mmsi:211000001", "lat": 46.0, "lon": 30.0,
           "time": "2026-01-01T00:00:00Z", "sources": ["ais"], "mmsi": 211000001,
           "name": "OLD NAME", "destination": "ODESA"}  # fmt: skip
    apply_track(client, rec)
    rec2 = {**rec, "lat": 46.1, "time": "2026-01-01T00:01:00Z", "name": "NEW NAME"}
    del rec2["destination"]
    apply_track(client, rec2)
    out = track_record(client.track(rec["id"]))
    assert out["name"] == "NEW NAME" and "destination" not in out
    t, lat, _ = client.history(rec["id"])
    assert list(lat) == [46.0, 46.1] and t[1] - t[0] == 60.0
    apply_track(client, rec2)  # the same state again adds no point
    assert len(client.history(rec["id"])[0]) == 2


def test_report_trail_from_record():
    rec = {"kind": "report", "domain": "land", "id": "r1", "lat": 48.0, "lon": 37.8,
           "time": "2026-01-01T00:00:00Z", "status": "triaged", "event_type": "explosion",
           "sources": ["obs"], "version": 2,
           "trail": [{"from_status": "reported", "to_status": "triaged", "actor": "v1",
                      "time": "2026-01-01T00:05:00Z", "rationale": "seen twice"}]}  # fmt: skip
    rep = report_from_record(rec)
    assert rep.status.value == "triaged" and rep.version == 2
    assert rep.trail[0].to_status.value == "triaged" and rep.trail[0].actor == "v1"
    assert rep.trail[0].time - rep.time == 300.0
