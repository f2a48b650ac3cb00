"""Storage and pipeline in-process: schema versions, retention, alerts, concurrent writers,
and write throughput with batched transactions."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from fastapi.testclient import TestClient

from cop_app.core.entities import Alert
from cop_app.core.enums import Domain, Severity
from cop_app.core.updates import TrackUpdate, sea_key
from cop_app.server.app import create_app
from cop_app.server.auth import create_token
from cop_app.server.pipeline import Pipeline
from cop_app.server.storage import SCHEMA_VERSION, Storage, StorageError


@pytest.fixture
def pipe(tmp_path):
    p = Pipeline(Storage(tmp_path / "s.sqlite"))
    yield p
    p.close()


def ship(i: int, t: float, lat: float = 46.0) -> TrackUpdate:
    return TrackUpdate(Domain.SEA, sea_key(200000000 + i), "test", t, lat, 31.0 + i * 1e-4,
                       {"mmsi": 200000000 + i, "speed_kn": 10.0})  # fmt: skip


def client(pipe: Pipeline, role: str = "admin") -> tuple[TestClient, dict[str, str]]:
    token, _ = create_token(pipe.storage, role)
    return TestClient(create_app(pipe)), {"Authorization": f"Bearer {token}"}


def test_schema_is_versioned_and_a_newer_file_is_refused(tmp_path):
    db = tmp_path / "s.sqlite"
    Storage(db).close()
    assert Storage(db).schema_version() == SCHEMA_VERSION
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StorageError, match="newer"):
        Storage(db)


def test_retention_prunes_history_and_old_changes_then_410(pipe, monkeypatch):
    pipe.ingest_updates([ship(1, 1000.0), ship(2, 1000.0)], "t")
    pipe.ingest_updates([ship(1, 1010.0, 46.1)], "t")
    # Eight days later (retention is 7): history and changes received before are pruned.
    later = time.time() + 8 * 86400
    monkeypatch.setattr("cop_app.server.pipeline.now", lambda: later)
    pipe.ingest_updates([ship(3, 2000.0)], "t")
    hist, changes = pipe.prune()
    assert hist == 3 and changes == 3
    assert pipe.storage.track_history(sea_key(200000001), None, None, 100) == []
    assert pipe.storage.track_body(sea_key(200000001)) is not None  # current state kept
    c, h = client(pipe, "viewer")
    gone = c.get("/v1/changes", params={"after": 0}, headers=h)
    assert gone.status_code == 410 and gone.json()["floor"] == 3
    ok = c.get("/v1/changes", params={"after": 3}, headers=h).json()
    assert [i["seq"] for i in ok["items"]] == [4]
    assert c.get("/v1/stream", params={"after": 1}, headers=h).status_code == 410


def test_alerts_listed_acked_once_and_logged(pipe):
    a = Alert(id="A-1", rule="zone_entry", severity=Severity.HIGH, subject="icao:abc123",
              time=1000.0, lat=48.0, lon=37.0, message="entered R-1")  # fmt: skip
    pipe.put_alert(a)
    c, h = client(pipe, "observer")
    page = c.get("/v1/alerts", headers=h).json()
    assert [x["id"] for x in page["items"]] == ["A-1"] and page["items"][0]["state"] == "new"
    acked = c.post("/v1/alerts/A-1/ack", json={"note": "seen"}, headers=h)
    assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
    assert acked.json()["acknowledged_by"].startswith("observer")
    again = c.post("/v1/alerts/A-1/ack", headers=h).json()
    assert again["version"] == acked.json()["version"]  # idempotent
    assert c.post("/v1/alerts/A-9/ack", headers=h).status_code == 404
    assert c.get("/v1/alerts", params={"state": "new"}, headers=h).json()["items"] == []
    kinds = [x["kind"] for x in c.get("/v1/changes", headers=h).json()["items"]]
    assert kinds == ["alert", "alert"]


def test_concurrent_writers_get_contiguous_unique_seqs(pipe):
    def worker(k: int) -> None:
        for j in range(20):
            pipe.ingest_updates([ship(k * 100 + j, 1000.0 + j)], f"w{k}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = pipe.storage.changes_after(0, 1000)
    assert [r.seq for r in rows] == list(range(1, 121))
    assert len({r.id for r in rows}) == 120


def test_restart_reloads_the_merge_engine(tmp_path):
    db = tmp_path / "s.sqlite"
    p = Pipeline(Storage(db))
    p.ingest_updates([TrackUpdate(Domain.SEA, sea_key(211000001), "a", 1000.0, 54.0, 10.0,
                                  {"mmsi": 211000001, "name": "ALPHA"})], "a")  # fmt: skip
    p.close()
    p = Pipeline(Storage(db))
    # A position-only update from another feed keeps the static name from before.
    p.ingest_updates([TrackUpdate(Domain.SEA, sea_key(211000001), "b", 1060.0, 54.1, 10.1)], "b")
    rec = json.loads(p.storage.track_body(sea_key(211000001)))
    assert rec["name"] == "ALPHA" and rec["lat"] == 54.1 and rec["version"] == 2
    assert rec["sources"] == ["a", "b"]
    p.close()


def test_batched_ingest_throughput(pipe):
    """20k tracks in one call, then 20k updates: one transaction each (measured, and a
    loose floor so a per-row-commit regression fails)."""
    n = 20_000
    t0 = time.perf_counter()
    pipe.ingest_updates([ship(i, 1000.0) for i in range(n)], "bulk")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    pipe.ingest_updates([ship(i, 1010.0, 46.01) for i in range(n)], "bulk")
    second = time.perf_counter() - t0
    print(f"\n20k new tracks {first:.2f} s ({n / first:,.0f}/s); "
          f"20k updates {second:.2f} s ({n / second:,.0f}/s)")
    assert pipe.last_seq == 2 * n
    assert n / second > 2000


def test_changes_beyond_the_high_water_are_not_echoed(pipe):
    pipe.ingest_updates([ship(1, 1000.0)], "t")
    c, h = client(pipe, "viewer")
    page = c.get("/v1/changes", params={"after": 50}, headers=h).json()
    assert page == {"items": [], "next_after": 50, "seq": 1}
    caught_up = c.get("/v1/changes", params={"after": 1}, headers=h).json()
    assert caught_up == {"items": [], "next_after": 1, "seq": 1}


def _report_doc(status: str, text: str) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "R-1", "geometry": {"type": "Point", "coordinates": [37.6, 48.0]},
        "properties": {"event_type": "explosion", "time": "2026-03-01T06:00:00Z",
                       "status": status, "text": text}}]})  # fmt: skip


def test_a_resent_feed_cannot_change_status_and_trails_survive_restart(tmp_path):
    db = tmp_path / "s.sqlite"
    p = Pipeline(Storage(db))
    assert p.ingest_text("geojson", _report_doc("reported", "first"), "feed").reports_changed == 1
    p.transition_report("R-1", "triaged", "vera", "two sources")
    p.ingest_text("geojson", _report_doc("verified", "second"), "feed")
    rec = p.report_record("R-1")
    assert rec["status"] == "triaged" and rec["text"] == "second"  # status only via the trail
    p.close()
    p = Pipeline(Storage(db))
    rec = p.report_record("R-1")
    assert [(e["from"], e["to"]) for e in rec["trail"]] == [(None, "reported"),
                                                             ("reported", "triaged")]  # fmt: skip
    p.transition_report("R-1", "under_verification", "vera", "patrol sent")
    assert p.report_record("R-1")["trail"][-1]["from"] == "triaged"
    assert len(p.storage.report_trail("R-1")) == 3
    p.close()
