"""Wire records -> Picture: the inverse of cop_app.core.records, on the exercise feeds."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.api.records import (
    apply_report,
    apply_track,
    apply_tracks,
    report_from_record,
    wire_time,
    wire_times,
)
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.core.timeutil import format_iso
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


def _same_tracks(a: Picture, b: Picture) -> None:
    assert sorted(a.keys()) == sorted(b.keys())
    for key in a.keys():
        assert track_record(a.track(key)) == track_record(b.track(key))
        assert a.stale_seconds(key) == b.stale_seconds(key)
        assert a.last_time(key) == b.last_time(key)
        for x, y in zip(a.history(key), b.history(key), strict=True):
            assert list(x) == list(y)


def test_apply_tracks_equals_one_by_one(source_picture):
    """The column path of a page gives the picture the per-record path gives."""
    recs = [track_record(tr) for tr in source_picture.tracks()]
    one, many = Picture(), Picture()
    for rec in recs:
        apply_track(one, rec)
    assert apply_tracks(many, recs) == [r["id"] for r in recs]
    _same_tracks(one, many)


def test_apply_tracks_mixed_page():
    """Known tracks (history extended), a repeated id, no fix, epoch and offset times,
    a stale_at, a non-text source: each as if applied one record after another."""
    base = {"kind": "track", "domain": "sea", "lat": 46.0, "lon": 30.0, "sources": ["ais"]}
    first = [{**base, "id": "a", "time": "2026-01-01T00:00:00Z"},
             {**base, "id": "b", "time": "2026-01-01T00:00:00.250Z", "name": "B"}]  # fmt: skip
    page = [
        {**base, "id": "a", "lat": 46.5, "time": "2026-01-01T00:01:00Z"},  # known: extends
        {**base, "id": "c", "domain": "air", "time": "2026-01-01T00:00:01.500Z",
         "position_source": "mlat"},
        {**base, "id": "d", "time": None, "lat": None, "lon": None},  # never heard
        {**base, "id": "e", "time": 1767225600.5, "stale_at": 1767225660.5},
        {**base, "id": "f", "time": "2026-01-01T02:00:00+01:00"},
        {**base, "id": "c", "domain": "air", "lat": 47.0, "time": "2026-01-01T00:00:09Z"},
        {**base, "id": "g", "time": "2026-01-01T00:00:00Z", "stale_at": "2026-01-01T00:05:00Z",
         "speed_kn": None},
    ]  # fmt: skip
    one, many = Picture(), Picture()
    for pic in (one, many):
        for rec in first:
            apply_track(pic, rec)
    for rec in page:
        apply_track(one, rec)
    apply_tracks(many, page)
    _same_tracks(one, many)
    assert len(many.history("a")[0]) == 2 and len(many.history("c")[0]) == 2
    assert many.stale_seconds("g") == 300.0 and many.stale_seconds("e") == 60.0
    odd = [{**base, "id": "h", "time": "2026-01-01T00:00:00Z", "sources": [7]}]
    apply_tracks(many, odd)  # not text: restored one by one, the source as text
    assert list(many.track("h").sources) == ["7"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)).map(
        lambda d: format_iso(d.replace(tzinfo=UTC).timestamp())),
    st.floats(min_value=0, max_value=4e9),
), max_size=20))  # fmt: skip
def test_wire_times_equal_wire_time(values):
    got = wire_times(values)
    want = [wire_time(v) for v in values]
    assert [None if math.isnan(x) else x for x in got.tolist()] == want
