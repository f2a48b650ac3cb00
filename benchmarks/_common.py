"""Helpers every benchmark shares: timing, a table on stdout, one JSON line last."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def rss_mb() -> float:
    """Resident set size of this process now, from /proc (Linux)."""
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def report(name: str, rows: list[tuple[str, str, str]], figures: dict) -> None:
    """A table (figure, value, target) and then the JSON line tools read."""
    width = max(len(r[0]) for r in rows)
    print(f"{name}")
    for label, value, target in rows:
        print(f"  {label:<{width}}  {value:>14}  {target}")
    print(json.dumps({"bench": name, **figures}, sort_keys=True))
