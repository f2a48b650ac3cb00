"""Acceptance (demo): ``cop-app serve --scenario ceasefire`` serves zones, air and sea
tracks and reports within 5 seconds of start, through the real server and pipeline. The
time is benchmarks/demo.py's figure (no timed tests): here the picture must come."""

from __future__ import annotations

import time

import requests

from cop_app.core.verification import VerificationStatus, allowed_next

PATIENCE_S = 30.0  # only catches a picture that never comes (a loaded CI is slow)


def _get(server, path: str, **params) -> dict:
    r = requests.get(server.url + path, params=params, headers=server.headers("viewer"),
                     timeout=10)  # fmt: skip
    r.raise_for_status()
    return r.json()


def _picture(server) -> dict[str, int]:
    return {
        "zones": len(_get(server, "/v1/zones")["features"]),
        "air": len(_get(server, "/v1/tracks", domain="air", limit=1000)["items"]),
        "sea": len(_get(server, "/v1/tracks", domain="sea", limit=1000)["items"]),
        "reports": len(_get(server, "/v1/reports", limit=1000)["items"]),
    }


def test_serve_scenario_ceasefire_has_a_picture_and_legal_trails(live_server_factory):
    t0 = time.monotonic()
    server = live_server_factory(("--scenario", "ceasefire", "--speed", "10"), name="demo")
    seen: dict[str, int] = {}
    while time.monotonic() - t0 < PATIENCE_S:
        seen = _picture(server)
        if all(seen.values()):
            break
        time.sleep(0.1)
    elapsed = time.monotonic() - t0
    assert all(seen.values()), seen
    assert seen["zones"] >= 7 and seen["air"] >= 50 and seen["sea"] >= 50, seen
    print(f"picture after {elapsed:.2f} s of `cop-app serve --scenario ceasefire`: {seen}")

    # Verification moved on through legal steps only, as the trail shows.
    reports = _get(server, "/v1/reports", limit=1000)["items"]
    moved = [r for r in reports if r["status"] != "reported"]
    assert moved, "no report has left 'reported'"
    for rep in moved[:20]:
        # One read for both: the scenario moves statuses on while the test reads.
        rep = _get(server, f"/v1/reports/{rep['id']}")
        trail = rep["trail"]
        status = None
        for step in trail:
            if status is not None:
                assert VerificationStatus(step["to"]) in allowed_next(status), trail
            status = VerificationStatus(step["to"])
        assert status == VerificationStatus(rep["status"])
