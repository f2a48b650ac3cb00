"""UTC time helpers and date-time groups (DTG, e.g. ``261530ZNOV26``).

Times inside cop-app are float seconds since the Unix epoch, UTC: cheap to keep in
numpy columns and free of time-zone surprises. Datetimes appear only at the edges.
"""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, datetime

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DTG_RE = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})(\d{2})?[Zz]([A-Za-z]{3})(\d{2}|\d{4})\s*$")


def now() -> float:
    """The current UTC time as epoch seconds."""
    return _time.time()


def to_datetime(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def from_datetime(dt: datetime) -> float:
    """Epoch seconds; a naive datetime is taken to be UTC (feeds often omit the zone)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_iso(text: str) -> float:
    """ISO 8601 with or without zone (``Z`` accepted); naive means UTC."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    return from_datetime(datetime.fromisoformat(s))


def format_iso(t: float) -> str:
    """ISO 8601 UTC with a ``Z`` and millisecond precision where there is any."""
    dt = to_datetime(t)
    # strftime's %Y does not pad years before 1000 on glibc; ISO 8601 needs four digits.
    base = (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
            f"T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}")
    if dt.microsecond:
        return f"{base}.{dt.microsecond // 1000:03d}Z"
    return base + "Z"


def format_dtg(t: float, *, seconds: bool = False) -> str:
    """``DDHHMMZMONYY``; with ``seconds`` the form ``DDHHMMSSZMONYY`` used for logs."""
    dt = to_datetime(t)
    ss = f"{dt.second:02d}" if seconds else ""
    return f"{dt.day:02d}{dt.hour:02d}{dt.minute:02d}{ss}Z{MONTHS[dt.month - 1]}{dt.year % 100:02d}"


def parse_dtg(text: str) -> float:
    """Parse ``DDHHMM[SS]ZMONYY`` (or a 4-digit year); raises ValueError with the reason."""
    m = _DTG_RE.match(text)
    if not m:
        raise ValueError(f"not a date-time group (expected DDHHMMZMONYY): {text!r}")
    day, hour, minute, second, mon, year = m.groups()
    try:
        month = MONTHS.index(mon.upper()) + 1
    except ValueError:
        raise ValueError(f"unknown month {mon!r} in date-time group {text!r}") from None
    yr = int(year)
    if len(year) == 2:
        yr += 2000
    dt = datetime(yr, month, int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC)
    return dt.timestamp()


def format_age(seconds: float) -> str:
    """Human age beside an absolute time: ``12 s ago``, ``3 min ago``, ``2 h ago``; a
    time still ahead (a stale time, a cursor past the clock) reads ``in 26 s``. Less
    than a second ahead is clock jitter and reads ``0 s ago``."""
    ahead = seconds <= -1.0
    s = max(0.0, -seconds if ahead else seconds)
    if s < 60:
        span = f"{int(s)} s"
    elif s < 3600:
        span = f"{int(s // 60)} min"
    elif s < 86400 * 2:
        span = f"{int(s // 3600)} h"
    else:
        span = f"{int(s // 86400)} d"
    return f"in {span}" if ahead else f"{span} ago"
