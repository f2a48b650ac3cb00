"""Roles and tokens (issue 3 acceptance): a viewer cannot POST, an observer cannot make
transitions, a wrong or revoked token gets 401 with a Bearer challenge."""

from __future__ import annotations

import sqlite3

import pytest
import requests

from cop_app.server.auth import role_allows
from tests.server.conftest import cop_app

REPORT = {"event_type": "burst", "time": "2026-03-01T06:40:00Z", "lat": 48.0, "lon": 37.8}


def _post(srv, path: str, token: str | None, json: dict | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(srv.url + path, json=json, headers=headers, timeout=10)


def test_roles_over_http(live_server):
    t = live_server.tokens
    assert _post(live_server, "/v1/reports", t["viewer"], REPORT).status_code == 403
    made = _post(live_server, "/v1/reports", t["observer"], REPORT)
    assert made.status_code == 201
    rid = made.json()["id"]
    step = {"to": "triaged", "rationale": "seen by two patrols"}
    denied = _post(live_server, f"/v1/reports/{rid}/transitions", t["observer"], step)
    assert denied.status_code == 403
    assert denied.json()["needed_role"] == "verifier"
    assert _post(live_server, f"/v1/reports/{rid}/transitions", t["verifier"],
                 step).status_code == 200  # fmt: skip
    assert _post(live_server, f"/v1/reports/{rid}/transitions", t["admin"],
                 {"to": "under_verification", "rationale": "x"}).status_code == 200  # fmt: skip
    assert _post(live_server, "/v1/ingest/sbs", t["observer"]).status_code == 403


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer cop_abc_def",
])  # fmt: skip
def test_missing_or_wrong_token_is_401_with_challenge(module_server, header):
    headers = {"Authorization": header} if header else {}
    r = requests.get(module_server.url + "/v1/tracks", headers=headers, timeout=10)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401


def test_a_tampered_secret_is_401(module_server):
    good = module_server.tokens["viewer"]
    bad = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    ok = requests.get(module_server.url + "/v1/me", headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200
    r = requests.get(module_server.url + "/v1/me", headers={"Authorization": f"Bearer {bad}"})
    assert r.status_code == 401


def test_token_cli_create_list_revoke(live_server):
    db = str(live_server.db)
    made = cop_app("token", "create", "--db", db, "--role", "verifier", "--name", "anna")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("cop_") and "shown only this once" in made.stderr
    h = {"Authorization": f"Bearer {token}"}
    assert requests.get(live_server.url + "/v1/me", headers=h).json()["name"] == "anna"
    listed = cop_app("token", "list", "--db", db)
    assert "anna" in listed.stdout and token.split("_", 2)[2] not in listed.stdout
    token_id = token.split("_")[1]
    assert cop_app("token", "revoke", token_id, "--db", db).returncode == 0
    assert requests.get(live_server.url + "/v1/me", headers=h).status_code == 401  # at once
    assert "revoked" in cop_app("token", "list", "--db", db).stdout
    assert cop_app("token", "revoke", token_id, "--db", db).returncode == 1
    bad_role = cop_app("token", "create", "--db", db, "--role", "king")
    assert bad_role.returncode != 0


def test_only_hashes_are_stored(module_server):
    with sqlite3.connect(module_server.db) as conn:
        stored = " ".join(str(v) for row in conn.execute("SELECT * FROM tokens") for v in row)
    for token in module_server.tokens.values():
        assert token.split("_", 2)[2] not in stored


def test_role_ladder():
    assert role_allows("verifier", "observer") and role_allows("observer", "viewer")
    assert not role_allows("viewer", "observer") and not role_allows("observer", "verifier")
    assert not role_allows("feeder", "viewer") and not role_allows("verifier", "feeder")
    assert all(role_allows("admin", r) for r in ("viewer", "feeder", "verifier", "admin"))
