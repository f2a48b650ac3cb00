"""``cop-app serve``: the reference verification server.

Binds to loopback unless told otherwise: the API carries a ceasefire mission's
picture, so exposing it on a network needs TLS (``--tls-cert/--tls-key``) or an
explicit ``--insecure`` that says so loudly.
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import logging
import sys
from pathlib import Path

from cop_app.paths import user_data_dir

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    p.add_argument("--port", type=int, default=8642)
    p.add_argument("--db", type=Path, help="SQLite database (default: user data dir)")
    p.add_argument("--scenario", metavar="NAME", help="run an exercise scenario, e.g. ceasefire")
    p.add_argument("--tracks", type=int, help="scenario scale: number of tracks")
    p.add_argument("--speed", type=float, default=1.0, help="scenario clock speed-up")
    p.add_argument("--seed", type=int, default=0, help="scenario seed")
    p.add_argument("--nmea-udp", metavar="[HOST:]PORT", help="AIS NMEA over UDP")
    p.add_argument("--sbs-tcp", metavar="HOST:PORT", help="SBS-1 TCP source (dump1090 30003)")
    p.add_argument("--cot-udp", metavar="[HOST:]PORT", help="Cursor-on-Target over UDP")
    p.add_argument("--tls-cert", type=Path)
    p.add_argument("--tls-key", type=Path)
    p.add_argument("--insecure", action="store_true",
                   help="allow plain HTTP on a non-loopback address (prints a warning)")
    p.add_argument("--retention-days", type=float, default=7.0,
                   help="prune track history and the changes log after this many days")
    p.add_argument("--alert-hold", type=float, default=600.0, metavar="SECONDS",
                   help="an alert clears after its condition has been false this long "
                        "(hysteresis; default 600)")
    p.add_argument("--alert-sweep", type=float, default=10.0, help=argparse.SUPPRESS)
    p.add_argument("--heartbeat", type=float, default=15.0, help=argparse.SUPPRESS)
    p.add_argument("--poll", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--access-log", action="store_true", help="log every request")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_port(text: str, default_host: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host = default_host
    return host.strip("[]") or default_host, int(port)


def run(args: argparse.Namespace) -> int:
    err = sys.stderr
    if bool(args.tls_cert) != bool(args.tls_key):
        err.write("cop-app serve: --tls-cert and --tls-key go together\n")
        return 2
    tls = bool(args.tls_cert)
    if not is_loopback(args.host) and not tls:
        if not args.insecure:
            err.write(f"cop-app serve: refusing plain HTTP on {args.host}; give --tls-cert "
                      "and --tls-key, or --insecure to accept the risk\n")
            return 2
        err.write(f"WARNING: serving plain HTTP on {args.host}: tokens and the picture cross "
                  "the network unencrypted\n")
    if args.scenario and importlib.util.find_spec("cop_app.server.scenario") is None:
        err.write("cop-app serve: --scenario is not available yet (cop_app.server.scenario "
                  "is missing)\n")
        return 2

    import uvicorn

    from cop_app.server.alerting import AlertPolicy
    from cop_app.server.app import ServerConfig, create_app
    from cop_app.server.pipeline import Pipeline
    from cop_app.server.storage import Storage, StorageError

    db = args.db or user_data_dir() / "server.sqlite"
    try:
        storage = Storage(db)
    except (StorageError, OSError) as exc:
        err.write(f"cop-app serve: {exc}\n")
        return 2
    pipeline = Pipeline(storage, retention_days=args.retention_days,
                        alert_policy=AlertPolicy(hold_s=args.alert_hold,
                                                 sweep_s=args.alert_sweep))  # fmt: skip
    pipeline.start_maintenance()
    config = ServerConfig(heartbeat_s=args.heartbeat, poll_s=args.poll)
    app = create_app(pipeline, config)
    started: list = []
    try:
        started += _start_feeds(args, pipeline)
        if args.scenario:
            started.append(_start_scenario(args, pipeline))
    except (OSError, ValueError) as exc:
        err.write(f"cop-app serve: {exc}\n")
        _stop_all(started)
        pipeline.close()
        return 2
    scheme = "https" if tls else "http"
    err.write(f"cop-app serve: {scheme}://{args.host}:{args.port}/v1 (db {db})\n")
    err.flush()
    server = uvicorn.Server(uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning",
        access_log=args.access_log, ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
        timeout_graceful_shutdown=2, proxy_headers=False,
    ))  # fmt: skip
    try:
        server.run()
    finally:
        _stop_all(started)
        pipeline.close()
    return 0 if server.started else 1


def _start_feeds(args: argparse.Namespace, pipeline) -> list:
    wanted = [(args.nmea_udp, "NmeaUdpListener"), (args.sbs_tcp, "SbsTcpClient"),
              (args.cot_udp, "CotUdpListener")]  # fmt: skip
    if not any(spec for spec, _ in wanted):
        return []
    from cop_app.server import feeds

    out = []
    for spec, cls_name in wanted:
        if not spec:
            continue
        host, port = _host_port(spec, args.host)
        feed = getattr(feeds, cls_name)(host, port, pipeline.ingest_updates)
        out.append(feed.start())
        sys.stderr.write(f"cop-app serve: feed {feed.name}\n")
    return out


def _start_scenario(args: argparse.Namespace, pipeline):
    from cop_app.server import scenario as sc

    scen = sc.Scenario(name=args.scenario, seed=args.seed, tracks=args.tracks)
    runner = sc.ScenarioRunner(scen, pipeline, speed=args.speed)
    runner.start()
    return runner


def _stop_all(things: list) -> None:
    for thing in reversed(things):
        try:
            thing.stop()
        except Exception:  # stopping is best effort at shutdown
            log.exception("stopping %r failed", thing)
