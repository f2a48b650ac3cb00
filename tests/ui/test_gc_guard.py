"""Cyclic garbage is collected on the GUI thread only (cop_app/ui/gc_guard.py).

Without the guard, Qt objects that die in reference cycles are destroyed on whichever
thread trips the collector; their timers stay registered with the GUI thread and its
next timer pass jumps into freed memory (the segfault CI met in a window test). Each
case runs tests/ui/gc_offthread.py in a child process, since the unguarded one may crash.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("gc_offthread.py")
REPO = Path(__file__).resolve().parents[2]


def run(mode: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(SCRIPT), mode], capture_output=True,
                          text=True, timeout=60, env=env, cwd=REPO)  # fmt: skip


def test_unguarded_qt_objects_die_on_a_worker_thread_and_qt_complains():
    """The hazard is real on this Qt: the worker thread destroys them (or the process
    crashes on the next timer pass)."""
    proc = run("bare")
    if proc.returncode == 0:
        where = json.loads(proc.stdout.strip().splitlines()[-1])
        assert where["other"] > 0, where
    assert "Timers cannot be stopped from another thread" in proc.stderr


def test_guarded_they_die_on_the_gui_thread_and_the_process_lives():
    proc = run("guard")
    assert proc.returncode == 0, proc.stderr[-2000:]
    where = json.loads(proc.stdout.strip().splitlines()[-1])
    assert where == {"gui": 20, "other": 0}
    assert "another thread" not in proc.stderr
