"""The ``cop-app`` command: the app (default), ``import``, and the demo picture.

``parse_args(argv)`` is kept apart from ``main() -> int`` so tests call the command
in-process with real arguments. Only this module and ``cop_app.ui`` may touch Qt, and
only this module may start the reference server in-process (``--demo``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cop_app import __version__
from cop_app.core.entities import Zone
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.ingest import FORMATS
from cop_app.ingest.files import FileResult, expand, feed_file
from cop_app.logs import setup_logging
from cop_app.paths import resource

log = logging.getLogger("cop_app")
# Commands that live beside the code they drive: each module has
# ``add_arguments(parser)`` and ``run(args) -> int``, so cli.py stays a dispatcher.
PLUGGED: dict[str, tuple[str, str]] = {
    # name: (module, help)
    "sync": ("cop_app.api.command", "fill the offline cache from a verification API server"),
    "serve": ("cop_app.server.cmd_serve", "run the reference verification API server"),
    "token": ("cop_app.server.cmd_token", "create, list or revoke API bearer tokens"),
    "snapshot": ("cop_app.cmd_snapshot", "draw or export the picture: PNG/PDF/SVG briefs, "
                 "HTML, KML/KMZ, GeoJSON, CSV, CoT (no window needed)"),
}
COMMANDS = ("gui", "import", *PLUGGED)
ERRORS_PER_FILE = 5
MANY_FILES = 20  # past this, only files with errors or problems get a summary line


GLOBAL_WITH_VALUE = ("--log-level",)


def _with_default_command(argv: list[str]) -> list[str]:
    """Insert ``gui`` where the command word would stand, after the global options,
    so ``cop-app --demo`` and ``cop-app --log-level INFO --demo`` open the window."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in ("-h", "--help", "--version") or word in COMMANDS:
            return argv
        if word in GLOBAL_WITH_VALUE:
            i += 2
            continue
        if word.startswith("-"):
            if any(word.startswith(g + "=") for g in GLOBAL_WITH_VALUE):
                i += 1
                continue
            break  # an option of the default command (e.g. --demo)
        sys.stderr.write(f"cop-app: unknown command {word!r}; commands: "
                         f"{', '.join(COMMANDS)} (see cop-app --help)\n")  # fmt: skip
        raise SystemExit(2)
    return [*argv[:i], "gui", *argv[i:]]


def contract_version() -> str:
    """``info.version`` of the bundled API contract, read without a YAML parser (PyYAML
    is a dev-only dependency): the first ``version:`` indented under ``info:``."""
    in_info = False
    with resource("api", "openapi.yaml").open(encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith((" ", "#")):
                in_info = line.rstrip() == "info:"
            elif in_info and line.startswith("  version:"):
                return line.split(":", 1)[1].strip().strip("'\"")
    return "unknown"


def version_text() -> str:
    """What ``--version`` prints; PySide6 is imported only here, not on every start."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    return (f"cop-app {__version__}\nAPI contract {contract_version()}\n"
            f"Qt {qVersion()}\nPySide6 {pyside_version}")  # fmt: skip


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    argv = _with_default_command(list(argv))
    ap = argparse.ArgumentParser(
        prog="cop-app",
        description="Multi-domain common operating picture (ceasefire monitoring).",
        epilog="Without a command, cop-app opens the window: `cop-app --demo` runs the "
        "embedded exercise (reference server in-process on loopback).",
    )
    ap.add_argument("--version", action=_VersionAction,
                    help="print the app, API contract, Qt and PySide6 versions and exit")
    ap.add_argument("--log-level", default="WARNING",
                    choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                    help="stderr level; the log file (see README) gets at least INFO")
    sub = ap.add_subparsers(dest="command", required=True)

    gui = sub.add_parser("gui", help="open the common operating picture (the default)")
    gui.add_argument(
        "--demo", action="store_true",
        help="embedded default: reference server in-process with the exercise scenario",
    )
    gui.add_argument("--server", metavar="URL",
                     help="verification API base URL (default: the last server profile)")
    gui.add_argument("--token-file", type=Path, metavar="PATH",
                     help="bearer token file (mode 0600); else $COP_API_TOKEN, the user "
                          "config file, the OS keyring, or a prompt")
    gui.add_argument("--cache", type=Path, metavar="PATH",
                     help="offline picture cache (default: the per-user cache)")
    gui.add_argument("--settings", type=Path, metavar="PATH",
                     help="settings file (default: the per-user settings)")
    gui.add_argument("--screenshot", type=Path, metavar="PNG",
                     help="with --quit-after: save the window to this PNG before quitting")
    gui.add_argument("--quit-after", type=float, metavar="SECONDS",
                     help="close the window after this many seconds (scripted runs, CI)")
    gui.add_argument("--speed", type=float, default=1.0, help="--demo scenario clock speed-up")

    imp = sub.add_parser("import", help="feed files through the ingest into a picture")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--format", default="auto", choices=["auto", *FORMATS])
    imp.add_argument(
        "--json", action="store_true",
        help="print one JSON object per resulting track or report on stdout",
    )
    for name, (module, help_text) in PLUGGED.items():
        importlib.import_module(module).add_arguments(sub.add_parser(name, help=help_text))
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging(args.log_level, name="server" if args.command == "serve" else "cop-app")
    try:
        if args.command == "import":
            return run_import(args.files, args.format, as_json=args.json)
        if args.command in PLUGGED:
            return int(importlib.import_module(PLUGGED[args.command][0]).run(args))
        return run_gui(args)
    except BrokenPipeError:  # `cop-app import --json ... | head`: the reader left, not an error
        sys.stderr.close()
        return 0


def run_import(files: Sequence[Path], fmt: str, *, as_json: bool) -> int:
    """Import files; exit 0 when anything at all was read, errors counted on stderr."""
    picture = Picture(history_seconds=30 * 86400)
    results = [feed_file(path, fmt, picture.upsert_many, scope_report_ids=True)
               for path in expand(files)]  # fmt: skip
    _print_summary(results, picture)
    if as_json:
        out = sys.stdout
        for track in picture.tracks():
            out.write(json.dumps(track_record(track), ensure_ascii=False) + "\n")
        for report in picture.reports():
            out.write(json.dumps(report_record(report), ensure_ascii=False) + "\n")
    anything = any(r.stats.accepted for r in results)
    return 0 if anything else 1


def _print_summary(results: Sequence[FileResult], picture: Picture) -> None:
    """Per file: updates, errors (the first few, by place) and what was skipped and why.
    With many files, only files with something to say get a line."""
    err = sys.stderr
    quiet = len(results) > MANY_FILES
    for r in results:
        if r.problem:
            err.write(f"{r.path}: not imported: {r.problem}\n")
            continue
        if quiet and not r.stats.rejected:
            continue
        line = f"{r.path}: {r.format}: {r.stats.accepted} updates, {r.stats.rejected} errors"
        err.write(line + (f"; skipped {r.skipped_what}" if r.skipped else "") + "\n")
        for e in r.stats.errors[:ERRORS_PER_FILE]:
            err.write(f"  error: {e}\n")
        if r.stats.rejected > ERRORS_PER_FILE:
            err.write(f"  ... {r.stats.rejected - ERRORS_PER_FILE} more errors in this file\n")
    total_err = sum(r.stats.rejected for r in results)
    read = sum(1 for r in results if not r.problem)
    c = picture.counts()
    err.write(
        f"picture: {c['air']} air, {c['sea']} sea, {c['land']} land tracks; "
        f"{c['reports']} reports; {sum(r.stats.accepted for r in results)} updates and "
        f"{total_err} errors from {read} of {len(results)} files\n"
    )


def demo_picture() -> Picture:
    """The exercise picture from the bundled scenario feeds (the server's issue replaces
    this with the in-process reference server)."""
    picture = Picture(history_seconds=86400)
    folder = resource("scenarios", "exercise")
    for name in ("sea.nmea", "air.sbs", "reports.geojson"):
        feed_file(folder / name, "auto", picture.upsert_many)
    zones = json.loads((folder / "zones.geojson").read_text(encoding="utf-8"))
    for feature in zones["features"]:
        picture.set_zone(Zone.from_feature(feature))
    return picture


@dataclass
class DemoServer:
    """The reference server running in this process (``--demo``)."""

    url: str
    tokens: dict[str, str]
    stop: Callable[[], None]


def start_demo_server(folder: Path, *, seed: int = 0, speed: float = 1.0,
                      timeout: float = 20.0) -> DemoServer:  # fmt: skip
    """The reference server on loopback, on a free port, with a database in ``folder``
    and the ceasefire scenario playing; uvicorn runs on a daemon thread.

    The listening socket is bound here and handed to uvicorn, so no other process can
    take the port between choosing and binding it.
    """
    import uvicorn

    from cop_app.server import scenario as sc
    from cop_app.server.app import ServerConfig, create_app
    from cop_app.server.auth import create_token
    from cop_app.server.pipeline import Pipeline
    from cop_app.server.storage import Storage

    storage = Storage(folder / "demo-server.sqlite")
    tokens = {role: create_token(storage, role, f"demo-{role}")[0]
              for role in ("admin", "verifier", "viewer")}  # fmt: skip
    pipeline = Pipeline(storage)
    app = create_app(pipeline, ServerConfig(heartbeat_s=5.0, poll_s=0.5))
    runner = sc.ScenarioRunner(sc.Scenario("ceasefire", seed=seed), pipeline, speed=speed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=1))  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="cop-app-demo-server", daemon=True)  # fmt: skip
    thread.start()
    runner.start()
    deadline = time.monotonic() + timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        runner.stop()
        pipeline.close()
        raise RuntimeError("the demo server did not start")
    # The window asks the server for history before its first live moment: the backfill
    # (6.5 h of track history, a day of reports) must be stored by then (~2-3 s).
    runner.ready.wait(max(0.0, deadline - time.monotonic()))

    def stop() -> None:
        server.should_exit = True
        runner.stop()
        thread.join(5)
        pipeline.close()
        sock.close()

    return DemoServer(f"http://127.0.0.1:{port}", tokens, stop)


def run_gui(args: argparse.Namespace) -> int:
    """Open the window: ``--demo`` (in-process server), ``--server URL``, or the last
    server profile; from the offline cache first in every case."""
    from cop_app.ui.app import LaunchOptions, launch

    opts = LaunchOptions(server=args.server, token_file=args.token_file, cache=args.cache,
                         settings=args.settings, screenshot=args.screenshot,
                         quit_after=args.quit_after)  # fmt: skip
    if args.screenshot is not None and args.quit_after is None:
        opts.quit_after = 15.0
    if args.demo:
        folder = Path(tempfile.mkdtemp(prefix="cop-app-demo-"))
        demo = start_demo_server(folder, speed=args.speed)
        sys.stderr.write(f"cop-app: demo server {demo.url}/v1 (exercise data, temporary "
                         f"database in {folder})\n")  # fmt: skip
        opts.server, opts.token = demo.url, demo.tokens["verifier"]
        opts.cache = args.cache or folder / "cache.sqlite"
        opts.remember_server = False  # the demo's port dies with it
        opts.title = "cop-app — ceasefire exercise (demo)"
        opts.handling = "EXERCISE · EXERCISE · EXERCISE — invented data"
        opts.on_exit += [demo.stop, lambda: shutil.rmtree(folder, ignore_errors=True)]
    return launch(opts)


if __name__ == "__main__":
    sys.exit(main())
