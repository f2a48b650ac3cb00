"""Shared fixtures: a real ``cop-app serve`` subprocess on 127.0.0.1 with a temp database.

``live_server`` is what every issue-3 integration test uses (server, client, feeds,
scenario): it starts the real command, not an in-process app, so the tests cover
argument parsing, uvicorn, the database file and SIGKILL/restart behaviour.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import requests

from cop_app.server.auth import create_token
from cop_app.server.storage import Storage
from tests.conftest import REPO

ROLES = ("viewer", "observer", "verifier", "feeder", "admin")
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cop_app(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run the ``cop-app`` command (as ``python -m cop_app.cli``) and capture its output."""
    return subprocess.run([sys.executable, "-m", "cop_app.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env=_env())  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class LiveServer:
    """A ``cop-app serve`` subprocess: ``.url``, ``.db``, ``.port``, ``.tokens``
    (role -> bearer token), ``.kill()`` (SIGKILL) and ``.start()`` (same port and db)."""

    def __init__(self, db: Path, extra_args: Sequence[str] = (), port: int | None = None,
                 log: Path | None = None) -> None:  # fmt: skip
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        self.log = log or db.with_suffix(".log")
        self.proc: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    def create_tokens(self, roles: Sequence[str] = ROLES) -> dict[str, str]:
        """One token per role, made by the same code ``cop-app token create`` runs
        (in-process: five CLI start-ups would cost seconds per server; test_tokens.py
        covers the command itself)."""
        storage = Storage(self.db)
        try:
            for role in roles:
                self.tokens[role] = create_token(storage, role, f"test-{role}")[0]
        finally:
            storage.close()
        return self.tokens

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def start(self, timeout: float = START_TIMEOUT, verify: bool | str = True) -> LiveServer:
        args = [sys.executable, "-m", "cop_app.cli", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--db", str(self.db), "--heartbeat", "1",
                "--poll", "0.5", *self.extra_args]  # fmt: skip
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(args, cwd=REPO, env=_env(), stdout=logf,
                                     stderr=subprocess.STDOUT)  # fmt: skip
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cop-app serve exited {self.proc.returncode}:\n"
                                   + self.log.read_text(errors="replace")[-3000:])  # fmt: skip
            try:
                if requests.get(self.url + "/v1/health", timeout=1, verify=verify).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("cop-app serve did not answer /v1/health in time:\n"
                           + self.log.read_text(errors="replace")[-3000:])  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run (the outage the client must survive)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """A clean stop (SIGTERM), as an operator would do."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def live_server_factory(tmp_path: Path) -> Iterator:
    """``make(extra_args=(...))`` -> a started LiveServer with tokens for every role."""
    servers: list[LiveServer] = []

    def make(extra_args: Sequence[str] = (), name: str = "server") -> LiveServer:
        srv = LiveServer(tmp_path / f"{name}.sqlite", extra_args)
        srv.create_tokens()
        servers.append(srv.start())
        return srv

    yield make
    for srv in servers:
        srv.kill()


@pytest.fixture
def live_server(live_server_factory) -> LiveServer:
    """A fresh server (empty database) for one test."""
    return live_server_factory()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory) -> Iterator[LiveServer]:
    """One server shared by the tests of a module (for tests that tolerate shared state)."""
    srv = LiveServer(tmp_path_factory.mktemp("srv") / "server.sqlite")
    srv.create_tokens()
    yield srv.start()
    srv.kill()
