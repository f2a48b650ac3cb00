"""Verification API figures: initial sync of 100k tracks, and SSE fan-out to 10 clients.

Starts the real server (``cop-app serve``, a subprocess on 127.0.0.1 with a temporary
database), loads N tracks through ``POST /v1/ingest/sbs`` (the path real feeds use),
then measures:

- initial sync: a fresh ``Syncer.sync_once()`` into an empty Picture (paging every
  track plus the changes-log catch-up), best and median of R runs (target <= 3 s);
- history: ``fetch_history`` of the window holding every track's loaded fix (one fix
  per track) into the synced picture's archive, against the initial sync of the same
  tracks in the same run (ratio);
- fan-out: 10 SSE clients, each its own process, follow ``/v1/stream`` while a feeder
  posts position batches at a set rate, then as fast as it can; delivered changes/s
  per client and p50/p99 latency from the server's change time (stamped at ingest)
  to the client's receive time, on the same machine's clock.

    .venv/bin/python benchmarks/api.py [--tracks 100000] [--repeat 3] [--clients 10]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from _common import REPO, report

from cop_app.api.history import fetch_history
from cop_app.api.http import ApiClient
from cop_app.api.sse import SSEDecoder
from cop_app.api.sync import Syncer
from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso, to_datetime

BATCH_LINES = 20_000  # ~2 MB of SBS per POST, well under the server's ingest limit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "cop_app.cli", *args], check=True,
                         capture_output=True, text=True, cwd=REPO)  # fmt: skip
    return out.stdout.strip()


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "cop_app.cli", "serve", "--db", str(db),
                             "--port", str(port), "--heartbeat", "1"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not come up: " + (proc.stderr.read() or b"").decode()[-2000:])


def sbs(first: int, count: int, step: int, t: float) -> str:
    dt = to_datetime(t)
    day = dt.strftime("%Y/%m/%d")
    clock = dt.strftime("%H:%M:%S.") + f"{dt.microsecond // 1000:03d}"
    lines = []
    for a in range(first, first + count):
        lat = 44.0 + (a % 400) * 0.02 + step * 1e-4
        lon = 28.0 + (a // 400) * 0.02 + step * 1e-4
        lines.append(f"MSG,3,1,1,{0x100000 + a:06X},1,{day},{clock},{day},{clock},,30000,,,"
                     f"{lat:.5f},{lon:.5f},,,0,0,0,0")  # fmt: skip
    return "\n".join(lines) + "\n"


def ingest(session: requests.Session, url: str, token: str, body: str) -> dict:
    r = session.post(url + "/v1/ingest/sbs", data=body.encode(), timeout=(3, 600),
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "text/plain"})  # fmt: skip
    r.raise_for_status()
    return r.json()


def sse_client(url: str, token: str, after: int, stop_seq, ready, out) -> None:
    """One follower process: latencies (s) of every change it receives up to stop_seq."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream",
               "Accept-Encoding": "identity", "Last-Event-ID": str(after)}  # fmt: skip
    lat: list[float] = []
    first = last = None
    with requests.get(url + "/v1/stream", headers=headers, stream=True, timeout=(3, 30)) as r:
        r.raise_for_status()
        ready.set()
        dec = SSEDecoder()
        last_seq = after
        for chunk in r.iter_content(chunk_size=None):
            now = time.time()
            for ev in dec.feed(chunk):
                if ev.event != "change":
                    continue
                change = json.loads(ev.data)
                lat.append(now - parse_iso(change["time"]))
                last_seq = change["seq"]
                first = now if first is None else first
                last = now
            target = stop_seq.value
            if target and last_seq >= target:
                break
    out.put({"n": len(lat), "lat": lat, "first": first, "last": last})


def fan_out(url: str, viewer: str, feeder: str, n_clients: int, tracks: int,
            rate: float | None, seconds: float, batch: int) -> dict:  # fmt: skip
    """Feed ``batch`` changes per POST at ``rate`` changes/s (None: flat out)."""
    session = requests.Session()
    hw = ApiClient(url, viewer).get("/v1/changes", after=0, limit=1)["seq"]
    ctx = mp.get_context("spawn")
    stop_seq, out = ctx.Value("q", 0), ctx.Queue()
    readies = [ctx.Event() for _ in range(n_clients)]
    procs = [ctx.Process(target=sse_client, args=(url, viewer, hw, stop_seq, e, out))
             for e in readies]  # fmt: skip
    for p in procs:
        p.start()
    for e in readies:
        e.wait(30)
    sent = 0
    step = 0
    t_start = time.monotonic()
    last_seq = hw
    while time.monotonic() - t_start < seconds:
        first = (step * batch) % max(1, tracks - batch)
        res = ingest(session, url, feeder, sbs(first, batch, step + 1000, time.time() - 60))
        last_seq = res["seq"]
        sent += res["tracks_changed"]
        step += 1
        if rate:
            wait = t_start + sent / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
    feed_s = time.monotonic() - t_start
    stop_seq.value = last_seq
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(10)
    lat = sorted(x for r in results for x in r["lat"])
    per_client = [r["n"] / max(1e-9, (r["last"] - r["first"])) for r in results if r["n"] > 1]
    delivered = [r["n"] for r in results]
    return {
        "offered_per_s": sent / feed_s,
        "delivered_per_client_per_s": statistics.median(per_client) if per_client else 0.0,
        "delivered_total_per_s": sum(delivered) / feed_s,
        "complete": all(n == last_seq - hw for n in delivered),
        "p50_ms": 1000 * lat[len(lat) // 2] if lat else float("nan"),
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--rate", type=float, default=2000.0, help="paced phase, changes/s")
    ap.add_argument("--seconds", type=float, default=8.0, help="each fan-out phase")
    ap.add_argument("--page-limit", type=int, default=10_000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        feeder = cli("token", "create", "--db", str(db), "--role", "feeder")
        viewer = cli("token", "create", "--db", str(db), "--role", "viewer")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(db, port)
        try:
            session = requests.Session()
            t0 = time.perf_counter()
            loaded_at = time.time() - 120
            for first in range(0, args.tracks, BATCH_LINES):
                n = min(BATCH_LINES, args.tracks - first)
                ingest(session, url, feeder, sbs(first, n, 0, loaded_at))
            load_s = time.perf_counter() - t0

            runs, counts = [], 0
            for _ in range(args.repeat):
                client = ApiClient(url, viewer, timeout=(3, 120))
                picture = Picture(capacity=args.tracks + 1024)
                syncer = Syncer(client, picture, page_limit=args.page_limit)
                t0 = time.perf_counter()
                syncer.sync_once()
                runs.append(time.perf_counter() - t0)
                counts = len(picture)
                client.close()
            history_runs, fixes = [], 0
            for _ in range(args.repeat):
                client = ApiClient(url, viewer, timeout=(3, 120))
                picture.archive.clear()
                t0 = time.perf_counter()
                fixes = fetch_history(client, picture, loaded_at - 1, loaded_at + 1).fixes
                history_runs.append(time.perf_counter() - t0)
                client.close()
            paced = fan_out(url, viewer, feeder, args.clients, args.tracks, args.rate,
                            args.seconds, batch=max(1, int(args.rate / 10)))  # fmt: skip
            flat = fan_out(url, viewer, feeder, args.clients, args.tracks, None,
                           args.seconds, batch=2000)  # fmt: skip
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()

    best, med = min(runs), statistics.median(runs)
    rows = [
        (f"load {args.tracks} tracks via POST /v1/ingest/sbs", f"{load_s:.2f} s", ""),
        (f"initial sync of {counts} tracks, best", f"{best:.2f} s", "target <= 3 s"),
        (f"initial sync, median of {args.repeat}", f"{med:.2f} s", ""),
        (f"history fetch of {fixes} fixes, median", f"{statistics.median(history_runs):.2f} s",
         f"{statistics.median(history_runs) / med:.2f}x the initial sync"),
    ]
    for name, r in (("paced", paced), ("flat out", flat)):
        rows += [
            (f"{name}: offered changes/s", f"{r['offered_per_s']:.0f}", ""),
            (f"{name}: delivered/s per client ({args.clients})",
             f"{r['delivered_per_client_per_s']:.0f}", "all delivered" if r["complete"]
             else "INCOMPLETE"),
            (f"{name}: latency p50 / p99", f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms",
             "ingest -> client"),
        ]  # fmt: skip
    report("api", rows, {
        "tracks": counts, "load_s": round(load_s, 3), "sync_best_s": round(best, 3),
        "sync_median_s": round(med, 3), "sync_runs_s": [round(x, 3) for x in runs],
        "history_fixes": fixes, "history_median_s": round(statistics.median(history_runs), 3),
        "history_vs_sync_ratio": round(statistics.median(history_runs) / med, 2),
        "clients": args.clients,
        "paced": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in paced.items()},
        "flat": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in flat.items()},
        "cpus": os.cpu_count(),
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
