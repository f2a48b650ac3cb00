"""The client against the real server (``cop-app serve`` on 127.0.0.1): outages,
offline preparation, problem details, and the token never in a log."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from cop_app.api.http import ApiClient, ApiError
from cop_app.api.sync import ConnectionState, Syncer
from cop_app.core.picture import Picture
from cop_app.store.cache import PictureCache
from tests.api.compare import all_seqs, differences, high_water
from tests.api.feeding import post_until_done, report_geojson, sbs_lines


def feed(server, batches: range, aircraft: int, reports_every: int = 10) -> None:
    tok = server.tokens["feeder"]
    t0 = time.time() - 3600
    for b in batches:
        post_until_done(server.url, tok, "sbs", sbs_lines(b, aircraft, t0 + b))
        if b % reports_every == 0:
            post_until_done(server.url, tok, "geojson", report_geojson(b, 3, t0 + b))


def wait_caught_up(syncer: Syncer, client: ApiClient, timeout: float = 30.0) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            hw = high_water(client)
            if syncer.last_seq == hw:
                return hw
        except Exception:  # the server may still be coming back
            pass
        time.sleep(0.1)
    raise AssertionError(f"client stuck at seq {syncer.last_seq} (state {syncer.state})")


@pytest.mark.slow
def test_outage_every_seq_once_and_same_state(live_server, tmp_path):
    rng = random.Random(20260301)
    server = live_server
    viewer = ApiClient(server.url, server.tokens["viewer"], timeout=(1, 5), retries=1,
                       backoff_factor=0.05)  # fmt: skip
    applied: list[int] = []
    states: list[ConnectionState] = []
    cache = PictureCache(tmp_path / "cache.sqlite")
    syncer = Syncer(viewer, Picture(), cache, backoff_base=0.05, backoff_cap=0.5,
                    stream_read_timeout=5.0, on_change=lambda c: applied.append(c.seq),
                    on_state=states.append, rng=random.Random(1))  # fmt: skip
    syncer.start()
    # Changes are counted from the live stream: start feeding once the (empty) initial
    # sync is done, or the first batch may arrive inside the snapshot instead.
    deadline = time.monotonic() + 20
    while syncer.state is not ConnectionState.LIVE and time.monotonic() < deadline:
        time.sleep(0.02)
    assert syncer.state is ConnectionState.LIVE, syncer.state

    nbatches, aircraft = 220, 50  # 11,000 track changes plus reports
    kill_at = sorted(rng.sample(range(10, nbatches - 10), 5))
    killer: threading.Thread | None = None
    kills = 0

    def outage(delay: float, down: float) -> None:
        time.sleep(delay)
        server.kill()
        time.sleep(down)
        server.start()

    tok = server.tokens["feeder"]
    t0 = time.time() - 3600
    started = time.monotonic()
    for b in range(nbatches):
        if b in kill_at:
            if killer is not None:
                killer.join()
            killer = threading.Thread(target=outage,
                                      args=(rng.uniform(0, 0.05), rng.uniform(0.1, 0.8)))
            killer.start()
            kills += 1
        post_until_done(server.url, tok, "sbs", sbs_lines(b, aircraft, t0 + b))
        if b % 10 == 0:
            post_until_done(server.url, tok, "geojson", report_geojson(b, 3, t0 + b))
    assert killer is not None
    killer.join()
    hw = wait_caught_up(syncer, viewer, timeout=60)
    syncer.stop()
    elapsed = time.monotonic() - started
    seqs = all_seqs(viewer)
    assert kills == 5
    assert len(seqs) >= 10_000 and seqs[-1] == hw
    assert applied == seqs, "every seq applied exactly once, in order"
    assert differences(syncer.picture, viewer) == []
    assert ConnectionState.BACKOFF in states and states[-1] is ConnectionState.OFFLINE
    # The offline cache holds the same picture and the cursor of the last applied seq.
    cache.close()
    again = PictureCache(tmp_path / "cache.sqlite")
    assert again.get_cursor(syncer.cursor_name) == hw
    assert differences(again.load(), viewer) == []
    assert elapsed < 90, f"outage test took {elapsed:.0f} s"


def run_cli(*args: str, env_token: str | None, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COP_API_TOKEN"}
    if env_token is not None:
        env["COP_API_TOKEN"] = env_token
    return subprocess.run([sys.executable, "-m", "cop_app.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120, **kw)  # fmt: skip


def test_offline_preparation_cache_equals_server(live_server, tmp_path):
    feed(live_server, range(30), aircraft=40, reports_every=5)
    viewer = ApiClient(live_server.url, live_server.tokens["viewer"])
    # Make some verification history so trails travel too.
    verifier = ApiClient(live_server.url, live_server.tokens["verifier"])
    first = next(viewer.items("/v1/reports"))
    verifier.transition(first["id"], "triaged", "two observers, same bearing")
    cache = tmp_path / "prep.sqlite"
    res = run_cli("sync", "--server", live_server.url, "--cache", str(cache),
                  env_token=live_server.tokens["viewer"])  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "40 air" in res.stderr
    picture = PictureCache(cache).load()
    assert len(picture) == 40 and picture.reports()
    assert differences(picture, viewer) == []
    # A second run resumes from the cache's cursor and still matches after more changes.
    feed(live_server, range(30, 35), aircraft=45, reports_every=5)
    res = run_cli("sync", "--server", live_server.url, "--cache", str(cache),
                  env_token=live_server.tokens["viewer"])  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert differences(PictureCache(cache).load(), viewer) == []


def test_follow_stops_cleanly_on_sigterm(live_server, tmp_path):
    cache = tmp_path / "follow.sqlite"
    env = {**os.environ, "COP_API_TOKEN": live_server.tokens["viewer"]}
    proc = subprocess.Popen([sys.executable, "-m", "cop_app.cli", "sync", "--follow",
                             "--server", live_server.url, "--cache", str(cache)],
                            env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        feed(live_server, range(5), aircraft=10)
        viewer = ApiClient(live_server.url, live_server.tokens["viewer"])
        hw = high_water(viewer)
        end = time.monotonic() + 20
        seen = None
        while time.monotonic() < end:
            with PictureCache(cache) as c:
                seen = c.get_cursor(f"api:{viewer.base_url}")
            if seen == hw:
                break
            time.sleep(0.2)
        assert seen == hw
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert differences(PictureCache(cache).load(), viewer) == []


def test_problem_details_401_403_409(live_server):
    with pytest.raises(ApiError) as e401:
        ApiClient(live_server.url, "not-a-token").get("/v1/tracks")
    assert e401.value.status == 401 and e401.value.title
    assert e401.value.problem["status"] == 401

    viewer = ApiClient(live_server.url, live_server.tokens["viewer"])
    with pytest.raises(ApiError) as e403:
        viewer.post("/v1/reports", {"event_type": "explosion", "time": "2026-03-01T06:40:00Z",
                                    "lat": 48.0, "lon": 37.8})  # fmt: skip
    assert e403.value.status == 403

    observer = ApiClient(live_server.url, live_server.tokens["observer"])
    created = observer.post("/v1/reports", {"event_type": "explosion", "lat": 48.0, "lon": 37.8,
                                            "time": "2026-03-01T06:40:00Z"})  # fmt: skip
    verifier = ApiClient(live_server.url, live_server.tokens["verifier"])
    with pytest.raises(ApiError) as e409:
        verifier.transition(created["id"], "verified", "skipping steps")
    err = e409.value
    assert err.status == 409
    # The mechanism (cop_app.core.verification): from reported only triaged or the
    # terminal retracted/superseded are allowed.
    assert set(err.allowed) == {"triaged", "retracted", "superseded"}
    assert err.type != "about:blank" or err.detail


def test_token_never_logged(live_server, tmp_path, caplog):
    token = live_server.tokens["viewer"]
    feed(live_server, range(3), aircraft=5)
    caplog.set_level(logging.DEBUG)
    client = ApiClient(live_server.url, token)
    syncer = Syncer(client, Picture(), PictureCache(tmp_path / "c.sqlite"))
    syncer.sync_once()
    assert any(r.name.startswith("urllib3") for r in caplog.records), "urllib3 debug captured"
    assert token not in caplog.text
    with pytest.raises(ApiError) as exc:
        ApiClient(live_server.url, token + "x").get("/v1/tracks")
    assert token not in str(exc.value) and token not in repr(exc.value.problem)
    res = run_cli("--log-level", "DEBUG", "sync", "--server", live_server.url,
                  "--cache", str(tmp_path / "d.sqlite"), env_token=token)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "urllib3" in res.stderr and token not in res.stderr + res.stdout


def test_token_file_world_readable_refused(live_server, tmp_path):
    path = tmp_path / "token"
    path.write_text(live_server.tokens["viewer"] + "\n")
    os.chmod(path, 0o644)
    res = run_cli("sync", "--server", live_server.url, "--cache", str(tmp_path / "c.sqlite"),
                  "--token-file", str(path), env_token=None)  # fmt: skip
    assert res.returncode == 2 and "chmod 600" in res.stderr
    assert live_server.tokens["viewer"] not in res.stderr
    os.chmod(path, 0o600)
    res = run_cli("sync", "--server", live_server.url, "--cache", str(tmp_path / "c.sqlite"),
                  "--token-file", str(path), env_token=None)  # fmt: skip
    assert res.returncode == 0, res.stderr


def test_a_resumed_sync_holds_the_servers_alerts(live_server, tmp_path):
    """A new Syncer resuming from the cache's cursor (a reconnect, or a restart) holds
    every alert the server has, not only those changed after the cursor (a reconnect
    showed "0 new · 0 open" over a server holding eleven)."""
    import requests

    from cop_app.core.timeutil import now
    from tests.server.alert_support import sbs

    line = sbs("4CA7E1", now(), 33.2, 47.5, 12000, squawk="7700")
    r = requests.post(live_server.url + "/v1/ingest/sbs", data=line, timeout=10,
                      headers=live_server.headers("feeder"))  # fmt: skip
    assert r.ok, r.text
    viewer = ApiClient(live_server.url, live_server.tokens["viewer"])
    cache = PictureCache(tmp_path / "c.sqlite")
    first = Syncer(viewer, Picture(), cache)
    first.sync_once()
    assert [a["rule"] for a in first.alerts.values()] == ["emergency_squawk"]
    first.stop()
    again = Syncer(viewer, Picture(), cache, resume=True)
    assert again.last_seq is not None  # resuming: no initial sync
    again.sync_once()
    assert set(again.alerts) == set(first.alerts)
    again.stop()
    cache.close()
