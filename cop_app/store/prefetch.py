"""Prefetch: fetch a planned set of XYZ tiles into the MBTiles cache before going offline.

Qt-free: the caller (a worker thread in the window) passes a progress callback and a
cancel test; the loop checks the cancel test before every tile, so a cancel costs at
most one request's timeout. Tiles already in the cache are skipped, not refetched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from cop_app.store.tilegrid import Key, tile_url
from cop_app.store.tiles import MBTiles

USER_AGENT = "cop-app tile prefetch"


@dataclass
class PrefetchResult:
    total: int
    fetched: int = 0
    failed: int = 0
    skipped: int = 0  # already in the cache
    cancelled: bool = False

    @property
    def done(self) -> int:
        return self.fetched + self.failed + self.skipped

    def summary(self) -> str:
        head = "Prefetch cancelled" if self.cancelled else "Prefetch done"
        return (f"{head}: {self.fetched} fetched, {self.failed} failed, "
                f"{self.skipped} already cached ({self.done} of {self.total} tiles)")  # fmt: skip


def prefetch_tiles(cache: MBTiles, template: str, keys: Sequence[Key], *,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False,
                   timeout_s: float = 10.0,
                   session: requests.Session | None = None) -> PrefetchResult:  # fmt: skip
    """Fetch ``keys`` from ``template`` into ``cache``; never raises for one bad tile."""
    result = PrefetchResult(total=len(keys))
    own = session is None
    http = session or requests.Session()
    http.headers.setdefault("User-Agent", USER_AGENT)
    try:
        for z, x, y in keys:
            if cancelled():
                result.cancelled = True
                break
            if cache.has(z, x, y):
                result.skipped += 1
            else:
                try:
                    resp = http.get(tile_url(template, z, x, y), timeout=timeout_s)
                    if resp.status_code == 200 and resp.content:
                        cache.put(z, x, y, resp.content)
                        result.fetched += 1
                    else:
                        result.failed += 1
                except (requests.RequestException, sqlite3.Error, OSError):
                    result.failed += 1
            if progress is not None:
                progress(result.done, result.total)
    finally:
        if own:
            http.close()
    return result
