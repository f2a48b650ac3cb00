"""Demo start-up benchmark: seconds from launching ``cop-app serve --scenario ceasefire``
until zones, air and sea tracks and reports are all served (issue 3: within 5 s), against
the same process with no scenario answering its first request (the baseline: Python,
FastAPI and uvicorn starting, no picture).

    .venv/bin/python benchmarks/demo.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import REPO, report  # noqa: F401 (REPO: sys.path)

from tests.server.conftest import LiveServer
from tests.server.test_demo import TARGET_S, full_picture


def start_to_ready(scenario: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        srv = LiveServer(Path(tmp) / "demo.sqlite", ["--scenario", "ceasefire"] if scenario else [])
        srv.create_tokens()
        t0 = time.monotonic()
        srv.start()
        try:
            if not scenario:
                return time.monotonic() - t0
            elapsed, seen = full_picture(srv, t0, 60.0)
            if not all(seen.values()):
                raise SystemExit(f"no full picture after {elapsed:.0f} s: {seen}")
            return elapsed
        finally:
            srv.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bare = statistics.median(start_to_ready(False) for _ in range(args.repeat))
    full = statistics.median(start_to_ready(True) for _ in range(args.repeat))
    rows = [("serve --scenario ceasefire: full picture", f"{full:.2f} s", f"<= {TARGET_S:.0f} s"),
            ("serve, no scenario: first answer", f"{bare:.2f} s", "baseline"),
            ("  ratio full picture / bare start", f"{full / bare:.1f}x", "")]
    report("demo", rows, {"demo_full_picture_s": round(full, 2), "serve_ready_s": round(bare, 2)})


if __name__ == "__main__":
    main()
