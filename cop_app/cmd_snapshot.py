"""``cop-app snapshot``: a briefing product from the command line, with no window.

Sources: ``--demo`` (the exercise scenario), ``--server URL`` (one sync from a
verification API server), ``--cache PATH`` (an offline picture cache: no network at
all). Formats: png/pdf/svg are drawn by ``cop_app.ui.snapshot`` (Qt, offscreen when
there is no display); html/kml/kmz/geojson/csv/cot by ``cop_app.export.write``.

This module sits beside ``cli.py`` rather than in ``cop_app.ui`` because ``--demo``
needs the scenario from ``cop_app.server`` and the import contracts keep ``ui`` away
from ``server`` (only the command layer wires the demo, as ``cli.run_gui`` does). Qt
is imported only for the picture formats, so data exports never load it.

``--demo`` builds the Picture straight from the scenario through the ingest parsers
(the scenario emits the same NMEA, SBS-1, CoT and GeoJSON text the server parses)
rather than starting the reference server in-process and syncing over HTTP: no
socket, no database, no thread, deterministic for a given ``--at``, and it works in a
sandbox with networking off; the picture is the one the server would hold.

Errors print one line ``cop-app snapshot: ...`` and exit non-zero (2: bad arguments,
1: the product could not be made); no traceback unless ``--log-level DEBUG``.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, now, parse_dtg, parse_iso
from cop_app.export.selection import DEFAULT_TITLE, DEFAULT_WINDOW_S

log = logging.getLogger(__name__)

PICTURE_FORMATS = ("png", "pdf", "svg")
DATA_FORMATS = ("html", "kml", "kmz", "geojson", "csv", "cot")
LAYER_NAMES = ("air", "sea", "land", "reports", "zones", "trails")
DEFAULT_LAYERS = "air,sea,land,zones"
DEFAULT_WINDOW = f"{DEFAULT_WINDOW_S / 3600:g}h"  # the GUI export uses the same
DEFAULT_BBOX = (28.0, 43.5, 41.0, 52.5)  # the exercise area (cop_app.ui.map.view)
DEMO_HISTORY_S = 1800.0  # track history the demo backfills, one fix a minute
DEMO_RECENT_S = 180.0  # then every fix of the last minutes, so nothing is stale at --at
DEMO_REPORTS_S = 86400.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


class UsageError(ValueError):
    """Bad arguments: exit 2."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demo", action="store_true",
                     help="the exercise scenario's picture (no server, no network)")
    src.add_argument("--server", metavar="URL", help="sync once from this verification API")
    src.add_argument("--cache", type=Path, metavar="PATH",
                     help="an offline picture cache (works with no network)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--bbox", metavar="W,S,E,N", help="area in degrees (default: the "
                       "exercise area)")
    where.add_argument("--center", metavar="LAT,LON", help="map centre (with --zoom)")
    p.add_argument("--zoom", type=float, metavar="Z",
                   help="web map zoom level with --center (6: a region, 9: a city)")
    p.add_argument("--at", default="latest", metavar="TIME",
                   help="picture time: ISO 8601 (2026-11-26T15:30Z), DTG (261530ZNOV26), "
                        "'now', or 'latest' (default: the newest fix in the picture)")
    p.add_argument("--window", default=DEFAULT_WINDOW, metavar="DURATION",
                   help=f"time window ending at --at: 30m, 2h, 1d, or 'all' "
                        f"(default {DEFAULT_WINDOW})")
    p.add_argument("--layers", default=DEFAULT_LAYERS, metavar="LIST",
                   help=f"comma-separated, of {', '.join(LAYER_NAMES)} (default "
                        f"{DEFAULT_LAYERS}; land brings the land reports)")
    p.add_argument("--format", choices=[*PICTURE_FORMATS, *DATA_FORMATS],
                   help="output format (default: from the -o suffix)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    p.add_argument("--title", default=DEFAULT_TITLE)
    p.add_argument("--banner", default="UNCLASSIFIED \u2014 EXERCISE",
                   help="handling marking at top and bottom")
    p.add_argument("--banner-colour", "--banner-color", default="#007A33", metavar="HEX",
                   dest="banner_colour", help="banner colour (default #007A33, green)")
    p.add_argument("--size", default="1920x1080", metavar="WxH",
                   help="PNG pixels or SVG units (default 1920x1080)")
    p.add_argument("--dpi", type=float, default=96.0,
                   help="PNG dots per inch: text and symbols scale with it (default 96)")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4", help="PDF paper")
    p.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape")
    p.add_argument("--grid", choices=["latlon", "mgrs"], default="latlon",
                   help="graticule labels (default latlon)")
    p.add_argument("--token-file", type=Path, metavar="PATH", help="bearer token for --server")
    p.add_argument("--seed", type=int, default=0, help="--demo scenario seed")  # fmt: skip


# ---- argument parsing --------------------------------------------------------------------
def parse_time(text: str, latest: Callable[[], float]) -> float:
    s = text.strip()
    if s.lower() == "now":
        return now()
    if s.lower() == "latest":
        return latest()
    try:
        return parse_dtg(s)
    except ValueError:
        pass
    try:
        return parse_iso(s)
    except ValueError:
        raise UsageError(f"--at {text!r} is not ISO 8601, a DTG (261530ZNOV26), "
                         "'now' or 'latest'") from None  # fmt: skip


def parse_duration(text: str) -> float | None:
    if text.strip().lower() in ("all", "none"):
        return None
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--window {text!r} is not a duration like 30m, 2h or 1d")
    return float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]


def _floats(text: str, n: int, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise UsageError(f"{what} {text!r}: expected {n} comma-separated numbers")
    return values


def parse_layers(text: str) -> frozenset[str]:
    names = {n.strip().lower() for n in text.split(",") if n.strip()}
    unknown = names - set(LAYER_NAMES)
    if unknown:
        raise UsageError(f"--layers: unknown {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(LAYER_NAMES)}")  # fmt: skip
    return frozenset(names)


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1920x1080")
    return int(m.group(1)), int(m.group(2))


def output_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix in (*PICTURE_FORMATS, *DATA_FORMATS):
        return suffix
    if suffix == "json":
        return "geojson"
    raise UsageError(f"cannot tell the format from {args.output.name!r}: give --format")


def area(args: argparse.Namespace) -> tuple[tuple[float, float, float, float] | None,
                                          tuple[float, float, float] | None]:  # fmt: skip
    """(bbox, None) or (None, (lat, lon, zoom))."""
    if args.center:
        if args.zoom is None:
            raise UsageError("--center needs --zoom")
        lat, lon = _floats(args.center, 2, "--center")
        if not (-85 <= lat <= 85 and -180 <= lon <= 180) or not 0 <= args.zoom <= 20:
            raise UsageError("--center LAT,LON within +-85,+-180 and --zoom 0..20")
        return None, (lat, lon, float(args.zoom))
    if args.zoom is not None:
        raise UsageError("--zoom goes with --center")
    if args.bbox:
        w, s, e, n = _floats(args.bbox, 4, "--bbox")
        if not (-180 <= w < e <= 180 and -85 <= s < n <= 85):
            raise UsageError(f"--bbox {args.bbox!r}: need W<E within +-180 and S<N within +-85")
        return (w, s, e, n), None
    return DEFAULT_BBOX, None


# ---- sources -----------------------------------------------------------------------------
def scenario_picture(at: float, seed: int = 0) -> Picture:
    """The exercise picture at ``at``, built from the scenario's feed text by the same
    parsers the server runs (see the module docstring for why not the server)."""
    from cop_app.core.entities import Zone
    from cop_app.core.verification import VerificationStatus
    from cop_app.ingest import make_parser
    from cop_app.server.scenario import DirectUpdates, FeedText, Scenario, _merge_geojson

    sc = Scenario("ceasefire", seed=seed, start=math.floor(at / 60.0) * 60.0)
    picture = Picture(history_seconds=DEMO_REPORTS_S)
    for feature in sc.zones_geojson()["features"]:
        props = dict(feature.get("properties") or {})
        for key in ("valid_from", "valid_to"):
            if isinstance(props.get(key), str):
                props[key] = parse_iso(props[key])
        picture.set_zone(Zone.from_feature({**feature, "properties": props}))
    runs = [sc.emissions(at - DEMO_HISTORY_S, at - DEMO_RECENT_S, domains=("air", "sea"),
                         history=True),
            sc.emissions(at - DEMO_RECENT_S, at, domains=("air", "sea")),
            sc.emissions(at - DEMO_REPORTS_S, at, domains=("land",),
                         reports_since=at - DEMO_REPORTS_S)]  # fmt: skip
    for emissions in runs:
        texts: dict[tuple[str, str], list[str]] = {}
        steps = []
        for e in emissions:
            if type(e) is FeedText:
                texts.setdefault((e.fmt, e.source), []).append(e.text)
            elif type(e) is DirectUpdates:
                picture.upsert_many(e.updates)
            else:
                steps.append(e)
        for (fmt, source), parts in texts.items():
            body = _merge_geojson(parts) if fmt == "geojson" else "\n".join(parts) + "\n"
            parser = make_parser(fmt, source)
            picture.upsert_many(parser.feed(body) + parser.close())
        for step in steps:  # verification so far, as the server's pipeline applies it
            report = picture.report(step.report_id)
            if report is not None:
                report.status = VerificationStatus(step.to_status)
    return picture


def cache_picture(path: Path) -> Picture:
    from cop_app.store.cache import PictureCache

    if not path.is_file():
        raise UsageError(f"--cache {path}: no such file")
    with PictureCache(path) as cache:
        for problem in cache.problems:
            sys.stderr.write(f"cop-app snapshot: {problem.message}\n")
        return cache.load()


def server_picture(url: str, token_file: Path | None) -> Picture:
    from cop_app.api.failures import quiet_retry_warnings, transport_problem
    from cop_app.api.http import ApiClient
    from cop_app.api.sync import Syncer
    from cop_app.api.tokens import find_token
    from cop_app.store.cache import PictureCache

    token = find_token(token_file, server=url)
    picture = Picture(history_seconds=DEMO_REPORTS_S)
    with tempfile.TemporaryDirectory(prefix="cop-app-snapshot-") as tmp:
        client = ApiClient(url, token)
        cache = PictureCache(Path(tmp) / "cache.sqlite")
        try:
            # urllib3 logs each retry: the log file keeps them, a cron mail wants the
            # one line saying what failed.
            with quiet_retry_warnings():
                Syncer(client, picture, cache).sync_once()
        except OSError as exc:  # requests' transport errors
            log.info("sync from %s failed", url, exc_info=True)
            raise RuntimeError(f"cannot reach {url}: {transport_problem(exc, url)}") from None
        finally:
            cache.close()
            client.close()
    return picture


def latest_time(picture: Picture) -> float:
    """The newest fix or report time in the picture (``--at latest``)."""
    import numpy as np

    with picture.lock:
        frame = picture.in_window(-np.inf, np.inf)
        times = [float(np.max(frame.time, initial=-np.inf))]
        times += [r.time for r in picture.reports() if r.time is not None]
    t = max(times)
    if not math.isfinite(t):
        raise UsageError("the picture is empty: nothing to draw (give --at to draw the map)")
    return t


def load_picture(args: argparse.Namespace, at_text: str) -> tuple[Picture, float]:
    if args.demo:
        at = parse_time(at_text, now) if at_text != "latest" else now()
        return scenario_picture(at, args.seed), at
    picture = cache_picture(args.cache) if args.cache else server_picture(args.server,
                                                                          args.token_file)
    return picture, parse_time(at_text, lambda: latest_time(picture))


# ---- the command -------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    err = sys.stderr
    try:
        return _run(args)
    except UsageError as exc:
        err.write(f"cop-app snapshot: {exc}\n")
        return 2
    except Exception as exc:  # one clear line, never a traceback, for cron and scripts
        log.debug("snapshot failed", exc_info=True)
        err.write(f"cop-app snapshot: {_one_line(exc)}\n")
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    what = text[0] if text else type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return f"cannot reach or write: {what}"
    return what


def _run(args: argparse.Namespace) -> int:
    fmt = output_format(args)
    layers = parse_layers(args.layers)
    window_s = parse_duration(args.window)
    bbox, centre = area(args)
    size = parse_size(args.size)
    if not args.output.parent.is_dir():
        raise UsageError(f"-o {args.output}: folder {args.output.parent} does not exist")
    if args.at != "latest":
        parse_time(args.at, now)  # a bad --at fails before any picture is loaded
    picture, at = load_picture(args, args.at)
    window = None if window_s is None else (at - window_s, at)
    if fmt in DATA_FORMATS:
        summary = _export(fmt, picture, args, at=at, window=window, layers=layers,
                          bbox=bbox, centre=centre)  # fmt: skip
    else:
        summary = _draw(fmt, picture, args, at=at, window_s=window_s, layers=layers,
                        bbox=bbox, centre=centre, size=size)  # fmt: skip
    sys.stderr.write(f"cop-app snapshot: wrote {args.output} ({fmt}, picture time "
                     f"{format_dtg(at)}{summary})\n")  # fmt: skip
    return 0


def _draw(fmt: str, picture: Picture, args: argparse.Namespace, **kw: Any) -> str:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from cop_app.ui.snapshot import SnapshotError, SnapshotOptions, render_snapshot

    opts = SnapshotOptions(bbox=kw["bbox"] or DEFAULT_BBOX, centre=kw["centre"], at=kw["at"],
                           window_s=kw["window_s"], layers=kw["layers"], fmt=fmt,
                           title=args.title, banner=args.banner,
                           banner_colour=args.banner_colour, size=kw["size"], dpi=args.dpi,
                           paper=args.paper, landscape=args.orientation == "landscape",
                           grid=args.grid)  # fmt: skip
    try:
        info = render_snapshot(picture, opts, args.output)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None
    counts = ", ".join(f"{e.label.lower()} {e.count}" for e in info.legend
                       if not e.detail and e.count >= 0)  # fmt: skip
    return f"; {counts}" if counts else ""


def _export(fmt: str, picture: Picture, args: argparse.Namespace, **kw: Any) -> str:
    from cop_app.export import ExportError, write
    from cop_app.export.selection import ProductView
    from cop_app.ui.snapshot_grid import centre_bbox  # Qt-free

    bbox = kw["bbox"]
    # An interactive page opens where it was asked to; with neither --bbox nor
    # --center it fits its data (the default bbox still bounds what is selected).
    view = ProductView(bbox=bbox) if args.bbox else None
    if kw["centre"] is not None:
        view = ProductView(centre=kw["centre"])
        bbox = centre_bbox(*kw["centre"], width_px=1920, height_px=1080)
    try:
        write(fmt, picture, args.output, at=kw["at"], window=kw["window"],
              layers=set(kw["layers"]), bbox=bbox, title=args.title,
              banner=args.banner, view=view)  # fmt: skip
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("cop_app.export"):
            raise RuntimeError(f"format {fmt} is not available in this build yet") from None
        raise
    except ExportError as exc:
        raise RuntimeError(str(exc)) from None
    return ""
