"""The ``cop-app`` command: the app (default), ``import``, and the demo picture.

``parse_args(argv)`` is kept apart from ``main() -> int`` so tests call the command
in-process with real arguments. Only this module and ``cop_app.ui`` may touch Qt;
until the window lands, the default command prints a headless summary instead.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from cop_app import __version__
from cop_app.core.entities import Zone
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.core.timeutil import format_dtg, format_iso
from cop_app.ingest import FORMATS
from cop_app.ingest.files import FileResult, expand, feed_file
from cop_app.paths import resource

log = logging.getLogger("cop_app")
# Commands that live beside the code they drive: each module has
# ``add_arguments(parser)`` and ``run(args) -> int``, so cli.py stays a dispatcher.
PLUGGED: dict[str, tuple[str, str]] = {
    # name: (module, help)
    "sync": ("cop_app.api.command", "fill the offline cache from a verification API server"),
    "serve": ("cop_app.server.cmd_serve", "run the reference verification API server"),
    "token": ("cop_app.server.cmd_token", "create, list or revoke API bearer tokens"),
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


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    argv = _with_default_command(list(argv))
    ap = argparse.ArgumentParser(
        prog="cop-app",
        description="Multi-domain common operating picture (ceasefire monitoring).",
        epilog="Without a command, cop-app opens the window: `cop-app --demo` runs the "
        "embedded exercise (reference server in-process on loopback).",
    )
    ap.add_argument("--version", action="version", version=f"cop-app {__version__}")
    ap.add_argument("--log-level", default="WARNING",
                    choices=["DEBUG", "INFO", "WARNING", "ERROR"])  # fmt: skip
    sub = ap.add_subparsers(dest="command", required=True)

    gui = sub.add_parser("gui", help="open the common operating picture (the default)")
    gui.add_argument(
        "--demo", action="store_true",
        help="embedded default: reference server in-process with the exercise scenario",
    )

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
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "import":
            return run_import(args.files, args.format, as_json=args.json)
        if args.command in PLUGGED:
            return int(importlib.import_module(PLUGGED[args.command][0]).run(args))
        return run_gui(demo=args.demo)
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


def run_gui(*, demo: bool) -> int:
    if not demo:
        sys.stderr.write(
            "cop-app: the desktop window is not built yet; run `cop-app --demo` for the "
            "exercise picture summary, or `cop-app import FILE...`\n"
        )
        return 2
    picture = demo_picture()
    t = max((tr.time for tr in picture.tracks() if tr.time is not None), default=0.0)
    frame = picture.as_of(t)
    print(f"cop-app {__version__} — exercise picture (headless summary; the window comes next)")
    print(f"picture time {format_dtg(t)} ({format_iso(t)})")
    counts = frame.counts()
    print(f"alive tracks: {counts['air']} air, {counts['sea']} sea, {counts['land']} land")
    for key in frame.keys:
        tr = picture.track(key)
        label = tr.fields.get("name") or tr.callsign or key
        print(f"  {tr.domain.label:<4} {key:<16} {label}")
    print(f"reports: {len(picture.reports())}")
    for rep in picture.reports():
        print(f"  {rep.id:<8} {rep.status.value:<19} {rep.event_type.value:<16} {rep.title}")
    print(f"zones: {', '.join(z.name for z in picture.zones.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
