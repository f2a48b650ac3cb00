"""Logging for a watch station: a rotating file per user, stderr for the operator.

Why a file: IT staff looking at a fault after the fact have no terminal to read; the
file sits where the platform keeps logs (``cop_app.paths.user_log_dir``, or
``$COP_APP_LOG_DIR``) and rotates so a station that runs for months never fills
its disk.

Why a redacting filter on every handler: a bearer token (``cop_<id>_<secret>``) or an
``Authorization: Bearer ...`` header can end up in an exception message or a third
party's debug line; the filter rewrites the rendered message and traceback before any
handler writes it, so no level and no library can leak one. Report text (what
monitors wrote) is never logged at INFO or above by cop-app itself: log calls name
ids, counts and states only (tests/packaging/test_logs.py checks a real sync).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import time
from pathlib import Path

from cop_app.paths import user_log_dir

LOG_DIR_ENV = "COP_APP_LOG_DIR"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"

# The id part (hex) is kept: it names the token row without granting anything.
_TOKEN = re.compile(r"\b(cop_[0-9A-Za-z]+_)[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!\[redacted\])[^\s,;\"']+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with token secrets and bearer credentials replaced."""
    return _BEARER.sub(r"\1" + REDACTED, _TOKEN.sub(r"\1" + REDACTED, text))


class RedactFilter(logging.Filter):
    """Renders each record's message (and traceback) once, redacted, in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _Ours:
    """Marks the handlers ``setup_logging`` installed, so a second call replaces them
    (tests call ``cli.main`` many times in one process)."""


def log_dir() -> Path:
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        path = Path(override)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return user_log_dir()


def setup_logging(level: str = "WARNING", *, name: str = "cop-app") -> Path | None:
    """Root logging: stderr at ``level``, and ``<log dir>/<name>.log`` (rotating) at
    ``level`` or INFO, whichever says more. Returns the log file's path, or None when
    the log directory cannot be written (the app still runs; stderr says why)."""
    chosen = logging.getLevelName(level.upper())
    if not isinstance(chosen, int):
        raise ValueError(f"unknown log level {level!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Ours)]:
        root.removeHandler(handler)
        handler.close()
    redactor = RedactFilter()
    stderr = _Stderr()
    stderr.setLevel(chosen)
    stderr.setFormatter(logging.Formatter(STDERR_FORMAT))
    stderr.addFilter(redactor)
    root.addHandler(stderr)
    file_level = min(chosen, logging.INFO)
    root.setLevel(file_level)
    try:
        path = log_dir() / f"{name}.log"
        handler = _RotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                encoding="utf-8", delay=True)  # fmt: skip
    except OSError as exc:
        logging.getLogger("cop_app").warning("no log file (%s); logging to stderr only", exc)
        return None
    handler.setLevel(file_level)
    handler.setFormatter(_UtcFormatter(FILE_FORMAT))
    handler.addFilter(redactor)
    root.addHandler(handler)
    return path


class _Stderr(_Ours, logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record (tests and
    embedding code swap it), not the stream that was current at setup."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


class _RotatingFile(_Ours, logging.handlers.RotatingFileHandler):
    pass


class _UtcFormatter(logging.Formatter):
    """Timestamps in UTC with a Z: the mission works in UTC, never station time."""

    converter = staticmethod(time.gmtime)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = super().formatTime(record, "%Y-%m-%dT%H:%M:%S")
        return f"{stamp}.{int(record.msecs):03d}Z"
