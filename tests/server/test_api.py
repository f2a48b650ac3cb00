"""The API against a real server: ingest, paging, filters, reports, zones, changes, limits.

Expected values come from the corpora's own expected output (gpsd's decodes) or from
the contract (issue 3), not from this server's earlier answers.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import corpus
from tests.server.conftest import LiveServer

EXERCISE = Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "exercise"


@pytest.fixture(scope="module")
def srv(tmp_path_factory) -> LiveServer:
    """One server for the read-mostly tests of this module (startup costs seconds)."""
    server = LiveServer(tmp_path_factory.mktemp("api") / "server.sqlite")
    server.create_tokens()
    server.start()
    h = server.headers("feeder")
    feeds = (("nmea", corpus("gpsd", "sample.aivdm")), ("sbs", EXERCISE / "air.sbs"),
             ("geojson", EXERCISE / "reports.geojson"))  # fmt: skip
    for fmt, path in feeds:
        r = requests.post(f"{server.url}/v1/ingest/{fmt}", data=path.read_bytes(), headers=h,
                          timeout=30)  # fmt: skip
        assert r.status_code == 200, r.text
    yield server
    server.kill()


def get(srv: LiveServer, path: str, role: str = "viewer", **params) -> requests.Response:
    return requests.get(srv.url + path, headers=srv.headers(role), params=params, timeout=30)


def gpsd_positions() -> dict[int, tuple[float, float]]:
    """MMSI -> last valid position of AIS types 1-3 and 18 in gpsd's expected decodes."""
    out: dict[int, tuple[float, float]] = {}
    for line in corpus("gpsd", "sample.aivdm.ju.chk").read_text().splitlines():
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if d.get("class") == "AIS" and d["type"] in (1, 2, 3, 18):
            lat, lon = d["lat"] / 600000, d["lon"] / 600000  # unscaled: 1/10000 minute
            if abs(lat) <= 90 and abs(lon) <= 180:  # 91/181 mean "not available"
                out[d["mmsi"]] = (lat, lon)
    return out


def all_pages(srv: LiveServer, path: str, **params) -> tuple[list[dict], list[int]]:
    items, seqs, cursor = [], [], None
    while True:
        page = get(srv, path, **params, **({"cursor": cursor} if cursor else {})).json()
        items += page["items"]
        seqs.append(page["seq"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items, seqs


def test_ingested_ais_appears_as_tracks_at_gpsd_positions(srv):
    expected = gpsd_positions()
    assert expected
    tracks, _ = all_pages(srv, "/v1/tracks", domain="sea")
    by_id = {t["id"]: t for t in tracks}
    for mmsi in expected:
        t = by_id.get(f"mmsi:{mmsi:09d}")
        assert t is not None, mmsi
        # gpsd gives the last position; a later message of another type may move it, so
        # only single-position vessels are compared exactly.
        assert t["mmsi"] == mmsi
    lines = corpus("gpsd", "sample.aivdm.ju.chk").read_text().splitlines()
    decoded = [json.loads(x) for x in lines if x.startswith("{")]
    singles = Counter(d["mmsi"] for d in decoded if d.get("type") in (1, 2, 3, 18))
    checked = 0
    for mmsi, (lat, lon) in expected.items():
        if singles[mmsi] == 1:
            t = by_id[f"mmsi:{mmsi:09d}"]
            assert t["lat"] == pytest.approx(lat, abs=1e-6)
            assert t["lon"] == pytest.approx(lon, abs=1e-6)
            checked += 1
    assert checked >= 3


def test_paging_is_complete_without_duplicates_and_keeps_first_seq(srv):
    everything = get(srv, "/v1/tracks", limit=10000).json()
    items, seqs = all_pages(srv, "/v1/tracks", limit=3)
    ids = [t["id"] for t in items]
    assert len(ids) == len(set(ids)) == len(everything["items"]) > 6
    assert ids == sorted(ids)
    assert len(set(seqs)) == 1  # every page reports the seq of the first page


def test_filters(srv):
    air = get(srv, "/v1/tracks", domain="air").json()["items"]
    assert air and all(t["domain"] == "air" for t in air)
    box = (30.0, 44.0, 40.0, 50.0)
    inside = get(srv, "/v1/tracks", bbox=",".join(map(str, box)), limit=10000).json()["items"]
    everything = get(srv, "/v1/tracks", limit=10000).json()["items"]
    want = {t["id"] for t in everything if t["lat"] is not None
            and box[1] <= t["lat"] <= box[3] and box[0] <= t["lon"] <= box[2]}  # fmt: skip
    assert {t["id"] for t in inside} == want and want
    future = get(srv, "/v1/tracks", updated_since="2100-01-01T00:00:00Z").json()
    assert future["items"] == []
    bad = get(srv, "/v1/tracks", bbox="1,2")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert get(srv, "/v1/tracks", cursor="not-a-cursor").status_code == 400


def test_one_track_and_history(srv):
    tid = get(srv, "/v1/tracks", domain="air", limit=1).json()["items"][0]["id"]
    one = get(srv, f"/v1/tracks/{tid}").json()
    assert one["id"] == tid and one["version"] >= 1 and one["seq"] >= 1
    hist = get(srv, f"/v1/tracks/{tid}/history").json()
    times = [p["time"] for p in hist["points"]]
    assert times and times == sorted(times)
    assert get(srv, "/v1/tracks/icao:nothere").status_code == 404
    assert get(srv, "/v1/tracks/icao:nothere/history").status_code == 404


def test_reports_filters_post_and_transitions(srv):
    reports = get(srv, "/v1/reports").json()["items"]
    source = json.loads((EXERCISE / "reports.geojson").read_text())["features"]
    assert len(reports) == len(source)
    for r in reports:
        assert r["trail"][0]["from"] is None and r["trail"][0]["to"] == r["status"]
    rel_b = get(srv, "/v1/reports", min_reliability="B").json()["items"]
    assert all(r.get("reliability") in ("A", "B") for r in rel_b)
    body = {"event_type": "explosion", "time": "2026-03-01T06:40:00Z", "lat": 48.0,
            "lon": 37.8, "title": "test", "reliability": "A", "credibility": 2}  # fmt: skip
    viewer = requests.post(srv.url + "/v1/reports", json=body, headers=srv.headers("viewer"))
    assert viewer.status_code == 403
    made = requests.post(srv.url + "/v1/reports", json=body, headers=srv.headers("observer"))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert made.headers["location"] == f"/v1/reports/{rid}"
    assert made.json()["status"] == "reported"
    assert get(srv, "/v1/reports", event_type="explosion", min_reliability="A").json()["items"]

    def step(to: str, role: str = "verifier") -> requests.Response:
        return requests.post(f"{srv.url}/v1/reports/{rid}/transitions",
                             json={"to": to, "rationale": f"to {to}"},
                             headers=srv.headers(role))  # fmt: skip

    assert step("triaged", role="observer").status_code == 403
    illegal = step("verified")
    assert illegal.status_code == 409
    problem = illegal.json()
    # issue 3 / core.verification: from reported only triaged, retracted, superseded
    assert set(problem["allowed"]) == {"triaged", "retracted", "superseded"}
    assert problem["status"] == 409 and problem["current"] == "reported"
    for to in ("triaged", "under_verification", "corroborated", "verified"):
        assert step(to).status_code == 200
    final = get(srv, f"/v1/reports/{rid}").json()
    assert [e["to"] for e in final["trail"]] == ["reported", "triaged", "under_verification",
                                                "corroborated", "verified"]  # fmt: skip
    assert final["trail"][-1]["rationale"] == "to verified"
    assert final["trail"][-1]["actor"] == "test-verifier"
    assert final["status"] == "verified"
    dup = requests.post(srv.url + "/v1/reports", json={**body, "id": rid},
                        headers=srv.headers("observer"))  # fmt: skip
    assert dup.status_code == 409


def test_zones_replace_versions_and_validity(srv):
    doc = json.loads((EXERCISE / "zones.geojson").read_text())
    doc["features"][0]["properties"]["valid_from"] = "2026-01-01T00:00:00Z"
    r = requests.put(srv.url + "/v1/zones", json=doc, headers=srv.headers("admin"))
    assert r.status_code == 200, r.text
    assert requests.put(srv.url + "/v1/zones", json=doc,
                        headers=srv.headers("verifier")).status_code == 403  # fmt: skip
    zones = get(srv, "/v1/zones").json()
    assert zones["type"] == "FeatureCollection"
    assert {f["id"] for f in zones["features"]} == {f["id"] for f in doc["features"]}
    first = next(f for f in zones["features"] if f["id"] == doc["features"][0]["id"])
    assert first["properties"]["valid_from"] == "2026-01-01T00:00:00Z"
    v1 = {f["id"]: f["properties"]["version"] for f in zones["features"]}
    # Same set again: nothing changes. One moved zone: only it gets version 2.
    seq_before = get(srv, "/v1/health").json()["seq"]
    requests.put(srv.url + "/v1/zones", json=doc, headers=srv.headers("admin"))
    assert get(srv, "/v1/health").json()["seq"] == seq_before
    doc["features"][0]["properties"]["name"] = "moved"
    del doc["features"][-1]
    requests.put(srv.url + "/v1/zones", json=doc, headers=srv.headers("admin"))
    after = get(srv, "/v1/zones").json()
    v2 = {f["id"]: f["properties"]["version"] for f in after["features"]}
    assert v2[doc["features"][0]["id"]] == v1[doc["features"][0]["id"]] + 1
    assert len(v2) == len(v1) - 1
    changes = get(srv, "/v1/changes", after=seq_before).json()["items"]
    assert [(c["kind"], c["op"]) for c in changes] == [("zone", "upsert"), ("zone", "delete")]
    assert changes[1]["record"] is None
    not_zone = {"type": "FeatureCollection", "features": [{"type": "Feature"}]}
    bad = requests.put(srv.url + "/v1/zones", json=not_zone, headers=srv.headers("admin"))
    assert bad.status_code == 422


def test_changes_log_is_ordered_and_matches_records(srv):
    items, after = [], 0
    while True:
        page = get(srv, "/v1/changes", after=after, limit=50).json()
        items += page["items"]
        after = page["next_after"]
        if after >= page["seq"]:
            break
    seqs = [c["seq"] for c in items]
    assert seqs == list(range(1, len(seqs) + 1))  # strictly increasing, no gaps
    last: dict[tuple[str, str], dict] = {}
    for c in items:
        last[(c["kind"], c["id"])] = c
    tracks = {t["id"]: t for t in get(srv, "/v1/tracks", limit=10000).json()["items"]}
    for tid, t in tracks.items():
        assert last[("track", tid)]["record"] == t  # replaying the log gives the state
    for c in items:
        if c["op"] == "upsert":
            rec = c["record"]
            assert (rec["properties"] if c["kind"] == "zone" else rec)["seq"] == c["seq"]


def test_ingest_counts_errors_and_requires_feeder(srv):
    text = "!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E\nthis is not nmea\n"
    r = requests.post(srv.url + "/v1/ingest/nmea", data=text, headers=srv.headers("feeder"))
    out = r.json()
    assert r.status_code == 200 and out["format"] == "nmea"
    assert out["rejected"] >= 1 and out["errors"][0]["location"]
    viewer = requests.post(srv.url + "/v1/ingest/nmea", data=text, headers=srv.headers("viewer"))
    assert viewer.status_code == 403
    assert get(srv, "/v1/tracks", role="feeder").status_code == 403  # feeders cannot read
    assert requests.post(srv.url + "/v1/ingest/pdf", data=text,
                         headers=srv.headers("feeder")).status_code == 422  # fmt: skip


def test_body_limits_and_gzip(srv):
    big = b"x" * (2 << 20)
    r = requests.post(srv.url + "/v1/reports", data=big, headers={
        **srv.headers("observer"), "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")

    def chunks():
        for _ in range(40):
            yield b"y" * 65536

    chunked = requests.post(srv.url + "/v1/reports", data=chunks(), headers={
        **srv.headers("observer"), "Content-Type": "application/json"})  # fmt: skip
    assert chunked.status_code == 413
    raw = requests.get(srv.url + "/v1/tracks", headers={**srv.headers("viewer"),
                       "Accept-Encoding": "gzip"}, stream=True)  # fmt: skip
    assert raw.headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(raw.raw.read()))["items"]


def test_me_and_health(srv):
    me = get(srv, "/v1/me", role="verifier").json()
    assert me["role"] == "verifier" and set(me["roles"]) == {"viewer", "observer", "verifier"}
    health = requests.get(srv.url + "/v1/health").json()
    assert health["status"] == "ok" and health["seq"] > 0


def test_restart_keeps_state_and_seq_continues(live_server):
    h = live_server.headers("feeder")
    requests.post(live_server.url + "/v1/ingest/sbs", data=(EXERCISE / "air.sbs").read_bytes(),
                  headers=h)  # fmt: skip
    before = get(live_server, "/v1/tracks", limit=10000).json()
    live_server.kill()
    live_server.start()
    after = get(live_server, "/v1/tracks", limit=10000).json()
    assert after == before
    # One more fix for a known aircraft merges into the restored track: version 2.
    tid = before["items"][0]["id"]
    hexid = tid.split(":")[1].upper()
    line = f"MSG,3,1,1,{hexid},1,2026/03/01,06:00:00.000,2026/03/01,06:00:00.000,,35000,,,48.5,37.5,,,0,0,0,0\n"  # noqa: E501
    out = requests.post(live_server.url + "/v1/ingest/sbs", data=line, headers=h).json()
    assert out["tracks_changed"] == 1 and out["seq"] == before["seq"] + 1
    t = get(live_server, f"/v1/tracks/{tid}").json()
    assert t["version"] == 2 and t["seq"] == before["seq"] + 1
    assert t["callsign"] == before["items"][0]["callsign"]  # merged, not replaced


def test_a_feed_cannot_set_a_verification_status(srv):
    """Only a verifier's transition moves a report on: a feeder's GeoJSON saying
    "verified" makes a new report "reported", the claim kept as ``source_status``."""
    feature = {"type": "Feature", "id": "claim-1",
               "geometry": {"type": "Point", "coordinates": [37.8, 48.0]},
               "properties": {"event_type": "explosion", "status": "verified",
                              "time": "2026-03-01T06:40:00Z", "title": "claimed"}}  # fmt: skip

    def post(status: str) -> None:
        feature["properties"]["status"] = status
        body = json.dumps({"type": "FeatureCollection", "features": [feature]})
        r = requests.post(f"{srv.url}/v1/ingest/geojson", data=body,
                          headers=srv.headers("feeder"), timeout=30)  # fmt: skip
        assert r.status_code == 200, r.text

    post("verified")
    rep = get(srv, "/v1/reports/claim-1").json()
    assert rep["status"] == "reported" and rep["source_status"] == "verified"
    assert [(e["from"], e["to"]) for e in rep["trail"]] == [(None, "reported")]
    post("rejected")  # sent again: the status stays the mission's
    rep = get(srv, "/v1/reports/claim-1").json()
    assert rep["status"] == "reported" and rep["source_status"] == "rejected"
    assert len(rep["trail"]) == 1
