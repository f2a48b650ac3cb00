"""Alerts against the real ``cop-app serve``: an acknowledgement made by one station
reaches a second station (a cop_app.api Syncer on the stream) within 2 s with who and
when; a short snooze returns on the server's own sweep; the trail is readable."""

from __future__ import annotations

import time

import requests

from cop_app.api.http import ApiClient
from cop_app.api.sync import Syncer
from cop_app.core.picture import Picture
from cop_app.core.timeutil import now, parse_iso
from tests.server.alert_support import ZONES, nmea


def _wait(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_ack_reaches_a_second_station_within_2s_and_snooze_returns(live_server_factory):
    srv = live_server_factory(["--alert-sweep", "0.5"])
    assert requests.put(srv.url + "/v1/zones", json=ZONES, headers=srv.headers("admin"),
                        timeout=10).ok  # fmt: skip
    body = nmea(211000001, now(), 32.195, 44.1, sog=0.2)
    r = requests.post(srv.url + "/v1/ingest/nmea", data=body, headers=srv.headers("feeder"),
                      timeout=10)  # fmt: skip
    assert r.ok and r.json()["accepted"] == 1
    stations = []
    for role in ("observer", "viewer"):
        client = ApiClient(srv.url, srv.tokens[role], timeout=(1, 5), retries=1)
        s = Syncer(client, Picture(), backoff_base=0.05, backoff_cap=0.5)
        s.start()
        stations.append(s)
    one, two = stations
    try:
        alert = _wait(lambda: next(iter(two.alerts.values()), None), 10, "the alert at B")
        assert alert["rule"] == "restricted_area_entry" and alert["state"] == "new"
        _wait(lambda: one.alerts, 10, "the alert at A")
        t_ack = time.monotonic()
        rec = one.client.post(f"/v1/alerts/{alert['id']}/ack",
                              {"action": "ack", "note": "on it"})  # fmt: skip
        seen = _wait(lambda: (a := two.alerts.get(alert["id"])) and a.get("acknowledged_by")
                     and a, 2.0, "the acknowledgement at B")  # fmt: skip
        assert time.monotonic() - t_ack < 2.0
        assert seen["acknowledged_by"] == "test-observer" == rec["acknowledged_by"]
        assert abs(parse_iso(seen["acknowledged_at"]) - now()) < 30
        assert seen["trail"][-1]["actor"] == "test-observer"
        assert seen["trail"][-1]["note"] == "on it"

        # A 3-second snooze: quiet at B, then back to acknowledged (still inside RA).
        one.client.post(f"/v1/alerts/{alert['id']}/ack",
                        {"action": "snooze", "minutes": 0.05})  # fmt: skip
        _wait(lambda: two.alerts[alert["id"]]["state"] == "snoozed", 2.0, "snoozed at B")
        t_snooze = time.monotonic()
        # Keep the vessel reporting inside, as a real one would.
        requests.post(srv.url + "/v1/ingest/nmea", headers=srv.headers("feeder"), timeout=10,
                      data=nmea(211000001, now(), 32.195, 44.1, sog=0.2))  # fmt: skip
        _wait(lambda: two.alerts[alert["id"]]["state"] == "acknowledged", 8.0, "snooze end")
        assert time.monotonic() - t_snooze >= 2.0  # quiet until its time ran out
        full = requests.get(f"{srv.url}/v1/alerts/{alert['id']}", headers=srv.headers("viewer"),
                            timeout=10).json()  # fmt: skip
        assert [e["action"] for e in full["trail"]] == ["raised", "ack", "snooze",
                                                        "snooze_ended"]  # fmt: skip
        missing = requests.get(srv.url + "/v1/alerts/AL-none", headers=srv.headers("viewer"),
                               timeout=10)  # fmt: skip
        assert missing.status_code == 404
        bad = requests.post(f"{srv.url}/v1/alerts/{alert['id']}/ack", json={"action": "snooze"},
                            headers=srv.headers("observer"), timeout=10)  # fmt: skip
        assert bad.status_code == 422
    finally:
        for s in stations:
            s.stop()
