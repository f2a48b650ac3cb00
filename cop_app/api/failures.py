"""Telling an operator that a server could not be reached: one line, no library noise.

requests wraps a refused connection three deep (``ConnectionError`` around urllib3's
``MaxRetryError`` around ``NewConnectionError`` around the ``ConnectionRefusedError``),
and its message repeats the host, the URL and the errno twice. A duty officer running
``cop-app sync`` before a deployment needs which server, what failed and what to do;
the full chain stays in the log file.

urllib3 logs a WARNING for every retry of an idempotent call. Those belong in the log
file (IT staff read them) but, at the default level, not on the operator's stderr,
where they bury the one line that matters (trial finding 19).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps: urllib3's ``reason``, ``__cause__``, ``args[0]``."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        nxt = getattr(cur, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = cur.__cause__
        if nxt is None and cur.args and isinstance(cur.args[0], BaseException):
            nxt = cur.args[0]
        cur = nxt


def _where(server: str) -> str:
    parts = urlsplit(server)
    host = parts.hostname or server
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number: the URL itself is wrong
        return host
    return f"{host} port {port}"


def transport_problem(exc: BaseException, server: str) -> str:
    """What failed and what to do, in words, for a transport error reaching ``server``
    (no URL repetition, no errno soup). The caller prefixes the command and server."""
    chain = list(_chain(exc))
    where = _where(server)
    if any(isinstance(e, requests.exceptions.SSLError | ssl.SSLError) for e in chain):
        leaf = chain[-1]
        reason = getattr(leaf, "reason", None) or getattr(leaf, "verify_message", None) or leaf
        return (f"TLS handshake with {where} failed ({reason}); check the server's "
                "certificate, or pass --ca-bundle with the mission CA")  # fmt: skip
    if any(isinstance(e, socket.gaierror) for e in chain):
        return (f"host name {urlsplit(server).hostname!r} not found (DNS); check the URL "
                "and the network connection")  # fmt: skip
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return (f"connection refused (nothing is listening on {where}); check that the "
                "server is running and that the URL and port are right")  # fmt: skip
    if any(isinstance(e, requests.exceptions.ReadTimeout) for e in chain):
        return (f"{where} accepted the connection but stopped answering (read timeout); "
                "the server may be overloaded: try again later")  # fmt: skip
    if any(isinstance(e, requests.exceptions.ConnectTimeout | TimeoutError) for e in chain):
        return (f"no answer from {where} (connect timeout); check the URL, the network "
                "and any firewall between here and the server")  # fmt: skip
    if any(isinstance(e, ConnectionResetError | requests.exceptions.ChunkedEncodingError)
           for e in chain):  # fmt: skip
        return (f"the connection to {where} was cut mid-transfer; run the command again "
                "(it resumes from the cache)")  # fmt: skip
    leaf = chain[-1]
    text = str(leaf).strip().splitlines()
    return (f"network error talking to {where} ({type(leaf).__name__}"
            f"{': ' + text[0] if text else ''}); check the URL and the network")  # fmt: skip


class _LibraryRetryNoise(logging.Filter):
    """Drops urllib3's below-ERROR records (retry warnings) from a stderr handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("urllib3") and record.levelno < logging.ERROR)


def _stderr_handlers() -> list[logging.Handler]:
    handlers = list(logging.getLogger().handlers)
    if not handlers and logging.lastResort is not None:  # no logging set up (a library
        handlers = [logging.lastResort]  # caller): Python's last resort writes to stderr
    return [h for h in handlers
            if getattr(h, "stream", None) in (sys.stderr, sys.__stderr__)
            and h.level > logging.DEBUG]  # fmt: skip


@contextlib.contextmanager
def quiet_retry_warnings() -> Iterator[None]:
    """While inside, urllib3's retry warnings reach the log file but not stderr (unless
    stderr is at DEBUG: someone asked to see everything). Adds a filter to the stderr
    handlers rather than raising urllib3's level, so the file keeps them."""
    noise = _LibraryRetryNoise()
    handlers = _stderr_handlers()
    for h in handlers:
        h.addFilter(noise)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(noise)
