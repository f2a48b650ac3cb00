"""History older than the local picture, fetched from ``GET /v1/history`` on demand.

Replay of last night must not depend on what this client happened to keep: the
Picture's own history is short on purpose. The fetch asks only for the parts of a
window the archive does not hold yet, pages through the server's answer (ordered by
time, so the last fix of a page says how far through the window it is), and hands
the fixes to ``Picture.add_archived_fixes``. It stops cleanly when told to, or at a
fix budget, keeping what came and marking as fetched only the stretch it finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cop_app.api.http import ApiClient
from cop_app.api.records import wire_times
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_iso

MAX_FIXES = 500_000  # one request's budget: ~14 MB of columns, ~10 s over a LAN
PAGE = 10_000

Progress = Callable[[float, str], None]


@dataclass
class HistoryFetch:
    """What one fetch did, for the status line and the logs."""

    fixes: int = 0  # fixes received
    added: int = 0  # new to the archive
    unknown: int = 0  # of tracks this picture does not hold
    pages: int = 0
    spans: list[tuple[float, float]] = field(default_factory=list)  # asked for
    complete: bool = True  # False: stopped early (cancelled or over budget)
    cancelled: bool = False


def fetch_history(client: ApiClient, picture: Picture, t0: float, t1: float, *,
                  max_fixes: int = MAX_FIXES, page: int = PAGE,
                  progress: Progress | None = None,
                  should_stop: Callable[[], bool] = lambda: False) -> HistoryFetch:  # fmt: skip
    """Fetch the fixes of [t0, t1] the picture's archive lacks; see the module doc."""
    result = HistoryFetch(spans=picture.archive.missing(t0, t1))
    total = sum(b - a for a, b in result.spans) or 1.0
    done = 0.0
    for a, b in result.spans:
        keys: list[str] = []
        times: list[str] = []
        lats: list[float] = []
        lons: list[float] = []
        reached = a
        finished = True
        for body in client.pages("/v1/history", start=format_iso(a), end=format_iso(b),
                                 limit=page):  # fmt: skip
            items = body.get("items") or ()
            result.pages += 1
            for item in items:
                keys.append(str(item["id"]))
                times.append(item["time"])
                lats.append(item["lat"])
                lons.append(item["lon"])
            if items:
                reached = float(wire_times([items[-1]["time"]])[0])
            if progress is not None:
                progress((done + reached - a) / total,
                         f"History {format_iso(a)[:16]}Z–{format_iso(b)[:16]}Z: "
                         f"{result.fixes + len(keys):,} fixes")  # fmt: skip
            if body.get("next_cursor") and (should_stop() or
                                            result.fixes + len(keys) >= max_fixes):  # fmt: skip
                finished = False
                break
        # A stop mid-span keeps what came; the fixes at ``reached`` itself may be
        # part-read, so only the stretch before it counts as fetched.
        span = (a, b) if finished else ((a, reached - 1e-3) if reached > a else None)
        if keys or span:
            added, unknown = picture.add_archived_fixes(
                keys, wire_times(times), np.asarray(lats, np.float64),
                np.asarray(lons, np.float64), span=span)  # fmt: skip
            result.added += added
            result.unknown += unknown
        result.fixes += len(keys)
        done += b - a
        if not finished:
            result.complete = False
            result.cancelled = should_stop()
            break
    if progress is not None:
        progress(1.0, f"History: {result.fixes:,} fixes")
    return result
