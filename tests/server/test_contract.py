"""The written contract and the server agree: a test fails on any drift."""

from __future__ import annotations

import requests
import yaml

from cop_app.server import contract


def _normal(doc: dict) -> dict:
    """What a client depends on: paths, methods, parameters, bodies, responses, schemas."""
    ops = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ops[(path, method)] = {
                "parameters": sorted(
                    (p["name"], p["in"], p.get("required", False), repr(p.get("schema")))
                    for p in op.get("parameters", [])
                ),
                "requestBody": op.get("requestBody"),
                "responses": op.get("responses"),
                "security": op.get("security"),
            }
    return {"ops": ops, "schemas": doc.get("components", {}).get("schemas", {}),
            "security": doc.get("components", {}).get("securitySchemes")}  # fmt: skip


def test_yaml_matches_the_app():
    written = contract.load()
    generated = yaml.safe_load(contract.render(contract.generated()))
    assert _normal(written) == _normal(generated), (
        "resources/api/openapi.yaml drifted from the server; review and run "
        "`python -m cop_app.server.contract --write`"
    )
    assert written == generated  # prose too


def test_contract_covers_issue_endpoints():
    paths = contract.load()["paths"]
    expected = {
        ("/v1/health", "get"), ("/v1/me", "get"), ("/v1/tracks", "get"),
        ("/v1/tracks/{track_id}", "get"), ("/v1/tracks/{track_id}/history", "get"),
        ("/v1/reports", "get"), ("/v1/reports", "post"), ("/v1/reports/{report_id}", "get"),
        ("/v1/reports/{report_id}/transitions", "post"), ("/v1/zones", "get"),
        ("/v1/alerts", "get"), ("/v1/alerts/{alert_id}/ack", "post"), ("/v1/changes", "get"),
        ("/v1/stream", "get"), ("/v1/ingest/{format}", "post"),
    }  # fmt: skip
    have = {(p, m) for p, item in paths.items() for m in item}
    assert expected <= have, expected - have
    assert contract.load()["openapi"].startswith("3.1")
    fmt = next(p for p in paths["/v1/ingest/{format}"]["post"]["parameters"]
               if p["name"] == "format")  # fmt: skip
    schema = contract.load()["components"]["schemas"][fmt["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(schema["enum"]) == {"nmea", "sbs", "aircraft-json", "cot", "geojson", "kml"}


def test_every_error_is_problem_json():
    for item in contract.load()["paths"].values():
        for op in item.values():
            for code, resp in op["responses"].items():
                if int(code) >= 400:
                    assert list(resp["content"]) == ["application/problem+json"], code


def test_live_server_serves_the_same_document(live_server):
    served = requests.get(live_server.url + "/v1/openapi.json", timeout=5).json()
    assert _normal(served) == _normal(contract.load())
