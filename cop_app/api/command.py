"""``cop-app sync``: fill the offline cache from a server, once or following the stream.

This is how a laptop is prepared before it goes where there is no network. Progress
goes to stderr: a one-line bar redrawn in place on a terminal, a plain line every few
seconds otherwise (logs, CI). SIGINT and SIGTERM stop cleanly: the cache keeps every
change applied so far and its cursor, so the next run resumes.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from cop_app.api.failures import quiet_retry_warnings, transport_problem
from cop_app.api.http import ApiClient, ApiError
from cop_app.api.sync import Change, ConnectionState, Stopped, Syncer
from cop_app.api.tokens import TokenError, find_token

log = logging.getLogger(__name__)

BAR_WIDTH = 30
LINE_INTERVAL_S = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, metavar="URL",
                        help="verification API base URL, e.g. https://cop.example:8642")
    parser.add_argument("--cache", type=Path, metavar="PATH",
                        help="offline cache file (default: the per-user cache)")
    parser.add_argument("--follow", action="store_true",
                        help="keep following the live stream until stopped (Ctrl-C)")
    parser.add_argument("--token-file", type=Path, metavar="PATH",
                        help="file holding the bearer token (mode 0600); default: "
                             "$COP_API_TOKEN, the user config file, then the OS keyring")
    parser.add_argument("--ca-bundle", metavar="PATH",
                        help="CA certificates to trust for the server's TLS certificate")
    parser.add_argument("--insecure", action="store_true",
                        help="do not verify the server's TLS certificate (testing only)")
    parser.add_argument("--fresh", action="store_true",
                        help="ignore the cache's cursor and sync everything again")  # fmt: skip


class Progress:
    """Paging progress and live counts on stderr, a bar on a TTY or periodic lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.done = 0
        self.total: int | None = None
        self.changes = 0
        self.state = ConnectionState.OFFLINE
        # A non-TTY stream gets its first line after LINE_INTERVAL_S, not at once: a
        # run that fails in its first seconds then shows just its error line.
        self._last_line = time.monotonic()
        self._drawn = False  # a bar is on the TTY line

    def paged(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        self.show()

    def changed(self, _change: Change) -> None:
        self.changes += 1
        if self.changes % 500 == 0:
            self.show()

    def state_changed(self, state: ConnectionState) -> None:
        self.state = state
        # Going live or backing off is news; "syncing" at the start is not (yet).
        self.show(force=state in (ConnectionState.LIVE, ConnectionState.BACKOFF))

    def show(self, *, force: bool = False) -> None:
        if self.total:
            frac = min(1.0, self.done / self.total)
            fill = int(frac * BAR_WIDTH)
            bar = f"[{'#' * fill}{'.' * (BAR_WIDTH - fill)}] {self.done}/{self.total} records"
        else:
            bar = f"{self.done} records"
        text = f"sync {self.state.value:<10} {bar}, {self.changes} changes"
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K")
            self.stream.flush()
            self._drawn = True
        elif force or time.monotonic() - self._last_line >= LINE_INTERVAL_S:
            self._last_line = time.monotonic()
            self.stream.write(text + "\n")
            self.stream.flush()

    def end(self, ok: bool = True) -> None:
        """Leave the bar on its line after a success; wipe it after a failure, so the
        error line is the last word and no "0 records" bar sits above it."""
        if self.tty:
            self.stream.write("\n" if ok and self._drawn else "\r\x1b[K")
            self.stream.flush()
        self._drawn = False


def run(args: argparse.Namespace) -> int:
    from cop_app.store.cache import PictureCache

    err = sys.stderr
    try:
        token = find_token(args.token_file, server=args.server)
    except TokenError as exc:
        err.write(f"cop-app sync: {exc}\n")
        return 2
    client = ApiClient(args.server, token, ca_bundle=args.ca_bundle, verify=not args.insecure)
    cache = PictureCache(args.cache)
    for problem in cache.problems:
        err.write(f"cop-app sync: {problem.message}\n")
    picture = cache.load()
    progress = Progress(err)
    syncer = Syncer(client, picture, cache, resume=not args.fresh, on_state=progress.state_changed,
                    on_change=progress.changed, on_progress=progress.paged)  # fmt: skip
    stopped = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stopped.set()
        syncer._stop.set()  # the loop checks it between pages and chunks
        if args.follow:
            threading.Thread(target=syncer.stop, daemon=True).start()

    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    failure: str | None = None
    try:
        with quiet_retry_warnings():
            if args.follow:
                syncer.start()
                while syncer._thread is not None and syncer._thread.is_alive():
                    syncer._thread.join(0.2)
                if syncer.last_error and not stopped.is_set():
                    failure = f"{args.server} stopped the sync: {syncer.last_error}"
                    code = 1
            else:
                syncer.sync_once()
    except Stopped:
        code = 130
    except ApiError as exc:
        failure = f"{args.server} answered {exc}"
        code = 1
    except OSError as exc:  # connection refused, TLS failure, DNS: requests' errors are OSErrors
        log.info("sync from %s failed", args.server, exc_info=True)  # the chain, for the file
        failure = f"cannot reach {args.server}: {transport_problem(exc, args.server)}"
        code = 1
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        syncer.flush()
        cache.close()
        client.close()
    progress.end(ok=failure is None)
    if failure is not None:
        # One line and no summary after it: "0 air, 0 sea ..." would read like success.
        kept = (f"The cache keeps the {progress.changes} changes synced before the failure"
                if progress.changes else "Cache unchanged")
        err.write(f"cop-app sync: {failure}. {kept}: {cache.path}\n")
        return code
    counts = picture.counts()
    err.write(
        f"cop-app sync: {counts['air']} air, {counts['sea']} sea, {counts['land']} land tracks, "
        f"{counts['reports']} reports, {len(picture.zones)} zones in {cache.path} "
        f"(seq {syncer.last_seq})\n"
    )
    return code
