"""A writer killed with SIGKILL mid-save leaves a cache holding the last committed save.

A real subprocess saves large pictures in a loop and says ``begin <gen>`` once a
save's write transaction has begun. The test kills it at several moments after
that line (inserting, committing, checkpointing, or into the next save), then
opens the cache: it must pass SQLite's integrity check, need no moving aside, and
load exactly one whole committed save (all tracks of one generation, histories to
the bit), which the test rebuilds from the same seed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cop_app.core.picture import Picture
from cop_app.store import PictureCache
from tests.conftest import REPO
from tests.store._synth import assert_same_picture, synth_picture

N_TRACKS = 4000
# (line, delay): with 4000 tracks the writer spends ~250 ms between "begin" and
# "commit" (inserting; SQLite spills pages into the WAL as it goes) and ~40 ms in
# COMMIT and the checkpoint after it; "saved" + delay lands in the next save's start.
KILLS = [
    ("begin", 0.0),
    ("begin", 0.05),
    ("begin", 0.12),
    ("commit", 0.0),
    ("commit", 0.004),
    ("commit", 0.012),
    ("commit", 0.025),
    ("saved", 0.03),
]
INSERTING_S = 0.12  # kills up to this long after "begin" land before COMMIT


def start_writer(path: Path, n_tracks: int = N_TRACKS) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store._writer", str(path), str(n_tracks)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def read_until(proc: subprocess.Popen, wanted: str, timeout_s: float = 60.0) -> list[str]:
    """Lines the writer printed up to and including ``wanted``."""
    lines = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline().strip()
        if not line:
            raise AssertionError(f"writer exited early (rc={proc.poll()}) after {lines}")
        lines.append(line)
        if line == wanted:
            return lines
    raise AssertionError(f"writer never printed {wanted!r}")


def last_saved(lines: list[str]) -> int:
    return max((int(s.split()[1]) for s in lines if s.startswith("saved ")), default=-1)


@pytest.mark.slow
@pytest.mark.parametrize(("stage", "delay_s"), KILLS)
def test_sigkill_mid_save_leaves_the_last_committed_picture(tmp_path, stage, delay_s):
    path = tmp_path / "cache.sqlite"
    proc = start_writer(path)
    try:
        lines = read_until(proc, f"{stage} 1")  # save 0 committed, save 1 under way
        time.sleep(delay_s)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        lines += proc.stdout.read().split("\n")  # whatever it printed before dying
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / "cache.sqlite-wal").exists()  # left unfinished for the reader

    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    with PictureCache(path) as cache:
        loaded = cache.load(Picture(history_points=60))
        assert cache.problems == [], [str(p) for p in cache.problems]
    gens = {t.fields["gen"] for t in loaded.tracks()}
    assert len(gens) == 1, f"tracks from several saves: {sorted(gens)}"
    [gen] = gens
    committed = last_saved([s.strip() for s in lines])
    # The save in progress is there only if it committed before the kill landed.
    assert committed <= gen <= committed + 1, (gen, committed)
    assert len(loaded) == N_TRACKS
    assert_same_picture(synth_picture(gen, N_TRACKS), loaded)
    if stage == "begin" and delay_s <= INSERTING_S:
        # Killed while save 1 was still inserting: whatever it had spilled into the
        # WAL must be ignored, and the cache falls back to save 0.
        assert gen == committed == 0
