"""SSE: an independent client (curl -N) resumes after Last-Event-ID at the right event;
heartbeats and the retry hint are sent; live changes arrive on open streams."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")

SBS = "MSG,3,1,1,{hex},1,2026/03/01,06:00:{s:02d}.000,2026/03/01,06:00:{s:02d}.000,,30000,,,48.{s:02d},37.5,,,0,0,0,0\n"  # noqa: E501


def feed(srv, n: int, start: int = 0) -> int:
    text = "".join(SBS.format(hex=f"A{i:05X}", s=i % 60) for i in range(start, start + n))
    r = requests.post(srv.url + "/v1/ingest/sbs", data=text, headers=srv.headers("feeder"))
    assert r.status_code == 200 and r.json()["tracks_changed"] == n, r.text
    return r.json()["seq"]


def curl_stream(srv, seconds: float, *extra: str) -> str:
    """Run real curl -N against /v1/stream for ``seconds`` and return what it printed."""
    args = ["curl", "-sN", "--max-time", str(seconds), "-H",
            f"Authorization: Bearer {srv.tokens['viewer']}", *extra]  # fmt: skip
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 10)
    assert out.returncode in (0, 28), out.stderr  # 28: --max-time reached (expected)
    return out.stdout


def events(text: str) -> list[dict[str, str]]:
    """Minimal parse of complete events (fields per blank-line-separated block)."""
    out = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if fields:
            out.append(fields)
    return out


def test_curl_resumes_after_last_event_id(module_server):
    srv = module_server
    first = feed(srv, 10)
    resume_at = first - 4  # the client had seen up to here
    text = curl_stream(srv, 2.5, "-H", f"Last-Event-ID: {resume_at}", srv.url + "/v1/stream")
    got = [e for e in events(text) if e.get("event") == "change"]
    ids = [int(e["id"]) for e in got]
    assert ids == list(range(resume_at + 1, first + 1))
    for e in got:
        assert json.loads(e["data"])["seq"] == int(e["id"])
    assert any(e.get("retry", "").isdigit() for e in events(text))
    assert ": heartbeat" in text  # --heartbeat 1 in the fixture, 2.5 s of silence


def test_header_wins_over_query_and_query_alone_works(module_server):
    srv = module_server
    top = feed(srv, 3, start=100)
    text = curl_stream(srv, 1.5, srv.url + f"/v1/stream?after={top - 1}")
    assert [int(e["id"]) for e in events(text) if "id" in e] == [top]
    text = curl_stream(srv, 1.5, "-H", f"Last-Event-ID: {top - 2}",
                       srv.url + "/v1/stream?after=0")  # fmt: skip
    assert [int(e["id"]) for e in events(text) if "id" in e] == [top - 1, top]


def test_live_changes_reach_several_open_streams(module_server):
    srv = module_server
    start = requests.get(srv.url + "/v1/health").json()["seq"]
    results: list[str] = [""] * 5

    def listen(i: int) -> None:
        results[i] = curl_stream(srv, 3.0, srv.url + f"/v1/stream?after={start}")

    threads = [threading.Thread(target=listen, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.8)
    top = feed(srv, 20, start=200)
    for t in threads:
        t.join()
    for text in results:
        assert [int(e["id"]) for e in events(text) if "id" in e] == list(range(start + 1, top + 1))


def test_stream_requires_a_token(module_server):
    r = requests.get(module_server.url + "/v1/stream", timeout=5)
    assert r.status_code == 401
