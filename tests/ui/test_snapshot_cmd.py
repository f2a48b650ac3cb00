"""``cop-app snapshot`` as a user runs it: a subprocess with no display, a cache with
networking off, and one clear line on every error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from cop_app import cli
from cop_app.store.cache import PictureCache
from tests.ui.test_snapshot import AT, BANNER, HOSTILE, colour_around, make_picture, strip_share

ROOT = Path(__file__).resolve().parents[2]
# Runs the command with every way out to the network refused (CI runs as root without
# network namespaces for sure, so block in-process: connect, DNS and create_connection).
NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from cop_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def headless_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_demo_png_with_no_display(tmp_path):
    out = tmp_path / "brief.png"
    cmd = [sys.executable, "-m", "cop_app.cli", "snapshot", "--demo", "--format", "png",
           "-o", str(out)]  # fmt: skip
    run = subprocess.run(cmd, env=headless_env(), cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1920, 1080)
    assert strip_share(img, 2, 20, QColor(BANNER)) > 0.6
    assert strip_share(img, 1060, 1078, QColor(BANNER)) > 0.6
    assert "sea tracks" in run.stderr  # the summary counts what was drawn


def test_cache_snapshot_with_networking_off(tmp_path):
    cache_path = tmp_path / "cache.sqlite"
    with PictureCache(cache_path) as cache:
        cache.save(make_picture())
    out = tmp_path / "offline.png"
    at = "2026-11-26T15:00:30Z"  # AT, as ISO 8601
    cmd = [sys.executable, "-c", NO_NETWORK, "snapshot", "--cache", str(cache_path),
           "--bbox", "30,45,38,49", "--at", at, "--window", "1h", "--size", "1600x900",
           "-o", str(out)]  # fmt: skip
    run = subprocess.run(cmd, env=headless_env(), cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    img = QImage(str(out))
    assert img.width() == 1600
    # The hostile aircraft from the cache is on the map, where a render in-process puts it.
    from cop_app.core.picture import Picture
    from cop_app.ui.snapshot import SnapshotOptions, render_snapshot

    with PictureCache(cache_path) as cache:
        picture: Picture = cache.load()
    info = render_snapshot(picture, SnapshotOptions(bbox=(30, 45, 38, 49), at=AT, window_s=3600,
                                                    size=(1600, 900)), tmp_path / "ref.png")
    x, y = info.project(47.0, 33.5)
    assert colour_around(img, x, y, HOSTILE, r=12) > 40


def test_network_block_really_blocks(tmp_path):
    """The wrapper above must make a --server run fail, else the offline test proves
    nothing."""
    cmd = [sys.executable, "-c", NO_NETWORK, "snapshot", "--server", "http://127.0.0.1:9",
           "-o", str(tmp_path / "x.png")]  # fmt: skip
    env = headless_env() | {"COP_API_TOKEN": "x" * 40}
    run = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cop-app snapshot: "), run.stderr
    assert "network blocked by the test" in lines[0]


@pytest.mark.parametrize("args, says", [
    (["--demo", "--at", "yesterday"], "--at"),
    (["--demo", "--window", "two hours"], "--window"),
    (["--demo", "--layers", "air,space"], "unknown space"),
    (["--demo", "--bbox", "40,50,30,45"], "--bbox"),
    (["--demo", "--center", "47,33"], "--zoom"),
    (["--demo", "--size", "big"], "--size"),
    (["--cache", "/nonexistent/cache.sqlite"], "no such file"),
])  # fmt: skip
def test_errors_are_one_line_and_non_zero(capsys, tmp_path, args, says):
    code = cli.main(["snapshot", *args, "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and err[0].startswith("cop-app snapshot: ") and says in err[0]
    assert not (tmp_path / "x.png").exists()


def test_unknown_suffix_needs_format(capsys, tmp_path):
    assert cli.main(["snapshot", "--demo", "-o", str(tmp_path / "x.bin")]) == 2
    assert "--format" in capsys.readouterr().err


def test_time_and_duration_forms():
    from cop_app.cmd_snapshot import parse_duration, parse_time

    assert parse_duration("2h") == 7200 and parse_duration("30m") == 1800
    assert parse_duration("1d") == 86400 and parse_duration("all") is None
    iso = parse_time("2026-11-26T15:30:00Z", lambda: 0.0)
    assert parse_time("261530ZNOV26", lambda: 0.0) == iso  # DTG, UX.md's example
    assert parse_time("latest", lambda: 42.0) == 42.0
