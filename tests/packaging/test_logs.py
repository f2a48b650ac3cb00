"""Log files: rotating, per user, and never holding a bearer token or report text at
INFO (the level a station runs at when IT staff ask for a log)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from cop_app import logs
from tests.api.feeding import post_until_done

# Shaped like cop_app.server.auth.create_token's output: cop_<hex id>_<urlsafe secret>.
SECRET = "Zm9vYmFyYmF6cXV4LWxvZ3Mtc2VjcmV0XzEyMzQ1Njc4OQ"
TOKEN = f"cop_0123456789ab_{SECRET}"


def test_redact_hides_token_secrets_and_bearer_credentials():
    text = logs.redact(f"GET /v1/me with {TOKEN}; Authorization: Bearer abc.def-ghi")
    assert SECRET not in text and "abc.def-ghi" not in text
    assert "cop_0123456789ab_[redacted]" in text and "Bearer [redacted]" in text
    assert logs.redact("sync live, 12 changes") == "sync live, 12 changes"


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "logs"))
    yield tmp_path / "logs"
    root = logging.getLogger()
    for h in [h for h in root.handlers if isinstance(h, logs._Ours)]:
        root.removeHandler(h)
        h.close()


def test_file_gets_info_by_default_redacted_including_tracebacks(log_dir):
    path = logs.setup_logging("WARNING")
    assert path == log_dir / "cop-app.log"
    log = logging.getLogger("cop_app.test")
    log.info("token was %s", TOKEN)
    log.debug("debug lines stay out at the default level")
    try:
        raise RuntimeError(f"401 for Bearer {TOKEN}")
    except RuntimeError:
        log.exception("call failed")
    text = path.read_text("utf-8")
    assert "token was cop_0123456789ab_[redacted]" in text
    assert "RuntimeError" in text and "Traceback" in text
    assert SECRET not in text and "debug lines" not in text
    first = text.splitlines()[0]
    assert first[:4].isdigit() and "Z INFO cop_app.test" in first  # UTC stamp


def test_second_setup_replaces_handlers_and_files_rotate(log_dir, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    logs.setup_logging("INFO")
    path = logs.setup_logging("INFO", name="server")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs._Ours)]
    assert len(ours) == 2  # one stderr, one file: the first call's are gone
    for i in range(100):
        logging.getLogger("cop_app.test").info("line %d of a long enough message", i)
    assert path.name == "server.log" and (log_dir / "server.log.1").exists()
    assert len(list(log_dir.glob("server.log*"))) <= logs.BACKUPS + 1


def _cop_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cop_app.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.slow
def test_sync_and_import_at_info_log_neither_token_nor_report_text(live_server, tmp_path):
    marker_title, marker_text = "LOGCHECK-TITLE-7f3a", "LOGCHECK-NARRATIVE-91bd shelling"
    feature = {"type": "Feature", "id": "LOG-1",
               "geometry": {"type": "Point", "coordinates": [37.5, 48.0]},
               "properties": {"title": marker_title, "description": marker_text,
                              "event_type": "explosion", "time": "2026-01-02T03:04:05Z"}}
    body = json.dumps({"type": "FeatureCollection", "features": [feature]})
    post_until_done(live_server.url, live_server.tokens["admin"], "geojson", body)
    geojson = tmp_path / "reports.geojson"
    geojson.write_text(body, encoding="utf-8")

    token = live_server.tokens["viewer"]
    wrong = token[:-6] + "AAAAAA"  # right shape, wrong secret: the 401 path logs too
    env = {**os.environ, logs.LOG_DIR_ENV: str(tmp_path / "logs")}
    good = _cop_app("--log-level", "INFO", "sync", "--server", live_server.url,
                    "--cache", str(tmp_path / "c.sqlite"), env={**env, "COP_API_TOKEN": token})
    assert good.returncode == 0, good.stderr
    bad = _cop_app("--log-level", "INFO", "sync", "--server", live_server.url,
                   "--cache", str(tmp_path / "d.sqlite"), env={**env, "COP_API_TOKEN": wrong})
    assert bad.returncode != 0
    imp = _cop_app("--log-level", "INFO", "import", str(geojson), env=env)
    assert imp.returncode == 0, imp.stderr

    text = (tmp_path / "logs" / "cop-app.log").read_text("utf-8")
    assert "INFO cop_app.api.sync [MainThread]: sync " in text  # the file did get the INFO lines
    for secret in (token.rsplit("_", 1)[1], wrong.rsplit("_", 1)[1], marker_title, marker_text):
        assert secret not in text
        assert secret not in good.stderr + bad.stderr


def test_stderr_handler_follows_sys_stderr(log_dir, monkeypatch):
    """cli.main runs many times in one test process, each under a new capture."""
    import io

    logs.setup_logging("WARNING")
    swapped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", swapped)
    logging.getLogger("cop_app.test").warning("to the current stderr with %s", TOKEN)
    assert "to the current stderr with cop_0123456789ab_[redacted]" in swapped.getvalue()
