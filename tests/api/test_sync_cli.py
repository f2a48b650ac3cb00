"""``cop-app sync`` when the server cannot be reached: what the operator reads on stderr.

Trial finding 19: the real error was buried among urllib3 retry warnings and followed
by "cop-app sync: 0 air, 0 sea ... (seq None)", which reads like success.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys

import pytest
import requests
import urllib3

from cop_app import logs
from cop_app.api.command import Progress
from cop_app.api.failures import transport_problem
from cop_app.api.sync import ConnectionState


@pytest.fixture
def closed_port():
    """A real socket bound on loopback and not listening: connecting is refused, and no
    other process can take the port while the test runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def run_sync(tmp_path, port: int, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COP_API_TOKEN": "cop_0123456789ab_notarealsecret",
           logs.LOG_DIR_ENV: str(tmp_path / "logs")}  # fmt: skip
    cmd = [sys.executable, "-m", "cop_app.cli", *extra, "sync",
           "--server", f"http://127.0.0.1:{port}", "--cache", str(tmp_path / "c.sqlite")]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


def test_unreachable_server_one_error_line_no_retry_noise(tmp_path, closed_port):
    res = run_sync(tmp_path, closed_port)
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    # Which server, what failed, what to do.
    assert line.startswith(f"cop-app sync: cannot reach http://127.0.0.1:{closed_port}: "
                           "connection refused (nothing is listening on 127.0.0.1 port "
                           f"{closed_port}); check that the server is running")  # fmt: skip
    assert line.endswith(f"Cache unchanged: {tmp_path / 'c.sqlite'}")
    for noise in ("Retrying", "urllib3", "WARNING", "Traceback", "Max retries",
                  "NewConnectionError", "Errno"):  # fmt: skip
        assert noise not in res.stderr
    # Nothing that reads like a success summary or a progress bar after the failure.
    for looks_ok in (" air,", "seq None", "0 records", "syncing"):
        assert looks_ok not in res.stderr
    assert res.stdout == ""
    # The retries are not lost: the log file has them, and the whole error chain.
    text = (tmp_path / "logs" / "cop-app.log").read_text("utf-8")
    assert text.count("Retrying") == 3 and "ConnectionRefusedError" in text


def test_debug_level_still_shows_the_retries(tmp_path, closed_port):
    res = run_sync(tmp_path, closed_port, "--log-level", "DEBUG")
    assert res.returncode == 1
    assert res.stderr.count("Retrying") == 3  # asked for everything: gets everything
    assert res.stderr.splitlines()[-1].startswith("cop-app sync: cannot reach")


def _wrapped(leaf: BaseException, host: str = "h.example") -> requests.ConnectionError:
    """The chain requests raises: ConnectionError(MaxRetryError(reason=urllib3 error
    caused by the OS error))."""
    if isinstance(leaf, socket.gaierror):
        mid = urllib3.exceptions.NameResolutionError(host, None, leaf)
    else:
        mid = urllib3.exceptions.NewConnectionError(None, str(leaf))
    mid.__cause__ = leaf
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/v1/tracks", mid))


def test_transport_problem_names_the_cause_in_words():
    dns = transport_problem(_wrapped(socket.gaierror(-2, "Name or service not known"),
                                     "cop.invalid"), "https://cop.invalid:8642")  # fmt: skip
    assert dns.startswith("host name 'cop.invalid' not found (DNS)")
    refused = transport_problem(_wrapped(ConnectionRefusedError(111, "Connection refused")),
                                "https://cop.example")  # fmt: skip
    assert "nothing is listening on cop.example port 443" in refused
    slow = transport_problem(requests.exceptions.ConnectTimeout("x"), "http://10.0.0.9:8642")
    assert slow.startswith("no answer from 10.0.0.9 port 8642 (connect timeout)")
    tls = transport_problem(requests.exceptions.SSLError("certificate verify failed"),
                            "https://cop.example")  # fmt: skip
    assert tls.startswith("TLS handshake with cop.example port 443 failed") and "--ca-bundle" in tls


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_wiped_after_a_failure_and_kept_after_success():
    for ok, tail in ((False, "\r\x1b[K"), (True, "changes\x1b[K\n")):
        stream = _Tty()
        p = Progress(stream)
        p.state_changed(ConnectionState.SYNCING)
        p.paged(0, None)
        p.end(ok=ok)
        assert stream.getvalue().endswith(tail)


def test_progress_lines_off_a_tty_wait_for_news():
    stream = io.StringIO()
    p = Progress(stream)
    p.state_changed(ConnectionState.SYNCING)
    p.paged(0, None)
    assert stream.getvalue() == ""  # a run failing in its first seconds shows only its error
    p.state_changed(ConnectionState.LIVE)
    assert stream.getvalue().startswith("sync live")


def test_snapshot_from_unreachable_server_says_the_same_in_one_line(tmp_path, closed_port):
    env = {**os.environ, "COP_API_TOKEN": "cop_0123456789ab_notarealsecret",
           logs.LOG_DIR_ENV: str(tmp_path / "logs"), "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    cmd = [sys.executable, "-m", "cop_app.cli", "snapshot", "--server",
           f"http://127.0.0.1:{closed_port}", "-o", str(tmp_path / "x.csv")]  # fmt: skip
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        f"cop-app snapshot: cannot reach http://127.0.0.1:{closed_port}: connection refused "
        f"(nothing is listening on 127.0.0.1 port {closed_port}); check that the server is "
        "running and that the URL and port are right"]
    assert not (tmp_path / "x.csv").exists()
