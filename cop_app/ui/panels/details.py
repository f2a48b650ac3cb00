"""Details: every field of the selection, its sources, history span and verification trail.

HTML in a read-only browser; every string from the data is escaped (a callsign or a
report text is untrusted input, never markup). In replay a track's position and times
are those of the Picture at the cursor (``frame_at``), not its newest record, and a
report's status is the one it had at the cursor (read from its trail), beside the latest.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from cop_app.core.entities import LandReport, Track
from cop_app.core.enums import Domain
from cop_app.core.geo import format_dms, to_mgrs
from cop_app.core.timeutil import format_dtg, now
from cop_app.core.verification import SOURCE_STATUS
from cop_app.ui.hub import Hub
from cop_app.ui.map.frames import frame_at
from cop_app.ui.panels.readout import (
    age_text,
    altitude_both,
    bearing_text,
    elide_middle,
    event_label,
    speed_text,
    squawk_text,
)

MAX_SHOWN = 20
# A word longer than this may break (``breakable``); an id in the value column is cut
# to ID_CHARS: at 11 pt about 180 px, the value column of a ~280 px Details dock.
LONG_TOKEN = 20
ID_CHARS = 22
ZWSP = "\u200b"
ALARM = "#E53935"  # the squawk line's red, as tar1090 and the map label draw it
# A 3600x replay moves the cursor 20 times a second; the panel follows at most 4 times.
REPLAY_REFRESH_MS = 250


class _Html(str):
    """Already-escaped markup."""


class _Wide(_Html):
    """Markup shown under its row name across the whole table: beside a name column a
    position's MGRS line (~165 px at 11 pt) overflows a ~280 px dock."""


def _nobr(text: str, style: str = "") -> str:
    """One unbreakable line (Qt honours nowrap on blocks, not spans): a narrow dock
    scrolls rather than split a DTG or an id ("260151ZNO" / "V26" reads as two wrong
    values)."""
    return f'<div style="white-space:nowrap;{style}">{html.escape(text)}</div>'


def _when(t: float | None, ref: float | None = None, cursor: bool | None = None) -> _Html:
    """DTG and age ("in 26 s" for a time still ahead), as UX.md writes times. (The
    ISO form is in "All fields" and the exports; in a ~250 px dock it cost a line.)
    ``cursor`` (by default: ``ref`` given, the replay cursor) says the age counts from
    the cursor: "1 h before cursor", not "1 h ago" (``readout.age_text``). A number
    and its unit never break apart ("(1" / "h ago)" read as two values)."""
    if t is None or not math.isfinite(t):
        return _Html("—")
    age = age_text((now() if ref is None else ref) - t, ref is not None if cursor is None
                   else cursor)  # fmt: skip
    age = re.sub(r"(\d) ", "\\1\u00a0", age)
    return _Html(f"{format_dtg(t)} ({html.escape(age)})")


def _title(text: str) -> str:
    """A short one-word title (an id) never breaks; a title of words breaks between
    them; a long id breaks after ':' or '/' (``breakable``): it is the one place the
    whole id reads, so it wraps rather than widen the dock."""
    short = " " not in text.strip() and len(text) <= LONG_TOKEN
    nowrap = ' style="white-space:nowrap"' if short else ""
    return f"<h3{nowrap}>{html.escape(breakable(text))}</h3>"


def breakable(text: str) -> str:
    """``text`` with a zero-width space after each ':' or '/' of a word longer than
    LONG_TOKEN, and every LONG_TOKEN characters in a run with neither (a hash): one
    unbreakable id widened the whole table and cut every "DTG (age)" at the dock's edge
    (officer trial, session 3). Short words, DTGs included, are left whole."""

    def soften(word: str) -> str:
        if len(word) <= LONG_TOKEN:
            return word
        parts = re.split(r"(?<=[:/])", word)
        return ZWSP.join(ZWSP.join(p[k:k + LONG_TOKEN] for k in range(0, len(p), LONG_TOKEN))
                         for p in parts if p)  # fmt: skip

    return re.sub(r"\S+", lambda m: soften(m.group(0)), text)


def _id(text: str) -> _Html:
    """An id in the value column: one line, elided in the middle (both ends tell ids
    apart); the whole id is the section's title just above."""
    return _Html(_nobr(elide_middle(text, ID_CHARS)))


def _where(lat: float | None, lon: float | None) -> _Html:
    """Latitude, longitude and MGRS each on a line of its own, none split inside: the
    three fit a ~280 px dock one under the other, not side by side."""
    if lat is None or lon is None or math.isnan(lat):
        return _Html("—")
    try:
        grid = to_mgrs(lat, lon)
    except Exception:
        grid = ""
    lat_text, lon_text = format_dms(lat, lon).split(" ", 1)
    return _Wide(_nobr(lat_text) + _nobr(lon_text) + (_nobr(grid) if grid else ""))


@dataclass(frozen=True)
class AtCursor:
    """A track as the Picture held it at the replay cursor ``t``.

    ``lat``/``lon``/``last`` are None when the track is not in the picture at ``t``
    (before its first fix, or stale by then); ``fixes`` are every fix time held for it
    (kept and archived), oldest first.
    """

    t: float
    lat: float | None
    lon: float | None
    last: float | None
    stale_s: float
    fixes: np.ndarray

    @property
    def shown(self) -> bool:
        return self.last is not None

    def absent_text(self) -> str:
        """Why the track is not on the map at the cursor, in plain words."""
        at = format_dtg(self.t)
        if not len(self.fixes):
            return f"Not in the picture at {at} — no fixes held"
        if self.t < self.fixes[0]:
            return f"Not in the picture at {at} — first fix {format_dtg(float(self.fixes[0]))}"
        before = float(self.fixes[self.fixes <= self.t][-1])
        return (f"Not in the picture at {at} — stale since "
                f"{format_dtg(before + self.stale_s)} (last report {format_dtg(before)})")


def _rows(pairs: list[tuple[str, Any]]) -> str:
    out = []
    for name, value in pairs:
        text = value if isinstance(value, _Html) else html.escape(breakable(_plain(value)))
        label = _nobr(name, "font-weight:bold")
        if isinstance(value, _Wide):
            out.append(f"<tr><td colspan=2>{label}</td></tr>"
                       f'<tr><td colspan=2 style="padding-left:12px">{text}</td></tr>')
        else:
            out.append(f"<tr><td>{label}</td><td>{text}</td></tr>")
    return "<table cellspacing=2 cellpadding=2>" + "".join(out) + "</table>"


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    if hasattr(value, "value") and isinstance(value.value, str | int):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "—"
    return str(value)


def _span(t: np.ndarray, at: AtCursor | None) -> str:
    if not len(t):
        return "no fixes kept"
    n = f"{len(t)} fix" if len(t) == 1 else f"{len(t)} fixes"
    text = f"{n}, {format_dtg(float(t[0]))} – {format_dtg(float(t[-1]))}"
    if at is not None:
        text += f"; {int(np.count_nonzero(t <= at.t))} up to {format_dtg(at.t)}"
    return text


def track_html(track: Track, history: tuple[np.ndarray, np.ndarray, np.ndarray],
               ref: float | None = None, at: AtCursor | None = None,
               lost_s: float | None = None) -> str:  # fmt: skip
    """``ref`` is the time ages count from (the replay cursor; now when live). ``at``
    (replay) replaces the newest record's position and times with the cursor's; the
    other fields stay the latest known, and the panel says so. ``lost_s``: how long a
    stale track stays on the map as lost (``StalePolicy.lost_for``); a track past its
    stale time then reads "LOST since <DTG>" with when it leaves the map."""
    f = track.fields
    name = ("Callsign", track.callsign) if track.domain is Domain.AIR else (
        "Name", f.get("name") or track.callsign)
    head: list[tuple[str, Any]] = [
        ("Track", _id(track.id)), ("Domain", track.domain.label.upper()),
        ("Identity", track.identity.label.replace("_", " ")), name,
    ]
    squawk = squawk_text(f)
    if squawk:
        alarm = any(w in squawk for w in ("HIJACK", "NORDO", "EMERGENCY"))
        head.append(("Squawk", _Html(_nobr(squawk, f"color:{ALARM};font-weight:bold"
                                           if alarm else ""))))  # fmt: skip
    alt = getattr(track, "altitude_ft", None)
    geo = getattr(track, "geo_altitude_ft", f.get("geo_altitude_ft"))
    if alt is not None or geo is not None or track.domain is Domain.AIR:
        head.append(("Altitude", altitude_both(alt, geo) or None))
    if f.get("nav_status_text") or getattr(track, "nav_status_text", None):
        head.append(("Nav status", f.get("nav_status_text") or track.nav_status_text))
    head += [
        ("Speed", speed_text(track.speed_kn, f.get("nav_status")
                             if track.domain is Domain.SEA else None) or None),
        ("Course", bearing_text(track.course_deg) or None),
        ("Heading", bearing_text(track.heading_deg) or None),
    ]  # fmt: skip
    fields = sorted((k, v) for k, v in f.items() if k != "callsign")
    if at is None:
        stale_at, t_ref = track.stale_at, (now() if ref is None else ref)
        when = [("Position", _where(track.lat, track.lon)),
                ("Last report", _when(track.time, ref))]  # fmt: skip
        note = ""
    else:
        last, t_ref = at.last, at.t
        stale_at = None if last is None else last + at.stale_s
        when = [("Position", _where(at.lat, at.lon)), ("Last report", _when(last, at.t))]
        note = (f"<p><b>Replay at {format_dtg(at.t)}</b>: position and times as at the "
                f"cursor. Other fields are the latest known "
                f"({html.escape(format_dtg(track.time))}).</p>")  # fmt: skip
        if not at.shown:
            note += f'<p style="font-weight:bold">{html.escape(at.absent_text())}</p>'
    lost = stale_at is not None and math.isfinite(stale_at) and stale_at < t_ref
    if lost and (at is None or at.shown):
        note += f'<p style="font-weight:bold">{html.escape(lost_note(stale_at, lost_s))}</p>'
    when.append(("Lost since" if lost else "Stale",
                 _when(stale_at, t_ref, cursor=ref is not None)))
    fixes = history[0] if at is None else at.fixes
    tail = [("Sources", list(track.sources)), ("History", _span(fixes, at))]
    return (_title(track.id) + note + _rows(head + when + tail)
            + "<h4>All fields" + (" (latest known)" if at is not None else "") + "</h4>"
            + _rows(fields))  # fmt: skip


def lost_note(stale_at: float, lost_s: float | None) -> str:
    """``LOST since <DTG>: no report since; on the map until <DTG>``."""
    text = f"LOST since {format_dtg(stale_at)}: no report since then"
    if lost_s is not None and math.isfinite(lost_s):
        text += f"; shown at its last position until {format_dtg(stale_at + lost_s)}"
    return text


def step_text(from_status: Any, to_status: Any) -> str:
    """A trail step in words: the first step is the report's creation."""
    a, b = (str(getattr(v, "value", v)).replace("_", " ") for v in (from_status, to_status))
    return f"created as {b}" if a == b else f"{a} → {b}"


def status_html(rep: LandReport, at: float | None) -> str | _Html:
    """Live: the status. Replay: the status at the cursor, and the latest beside it, so
    the officer sees both ("reported at 261000ZNOV26 (now: verified)")."""
    latest = rep.status.value.replace("_", " ")
    if at is None:
        return latest
    first = min((s.time for s in rep.trail), default=rep.time)
    if first is not None and at < first:  # the cursor is before the report existed
        return _Html(f"<b>not yet reported</b> at {html.escape(format_dtg(at))} "
                     f"(received {html.escape(format_dtg(first))}; now: "
                     f"{html.escape(latest)})")
    then = rep.status_at(at).value.replace("_", " ")
    now_text = f"now: {latest}" if then != latest else "unchanged since"
    return _Html(f"<b>{html.escape(then)}</b> at {html.escape(format_dtg(at))} "
                 f"({html.escape(now_text)})")


def claimed_text(rep: LandReport) -> str | None:
    """A status the feed or file claimed, in its own words and marked as such: only the
    mission's verifiers set a report's status (core.verification.received_fields)."""
    claimed = rep.fields.get(SOURCE_STATUS)
    if not claimed:
        return None
    return f"{str(claimed).replace('_', ' ')} (the source's word, not verified here)"


def report_html(rep: LandReport, ref: float | None = None, at: float | None = None) -> str:
    """``ref`` is the time ages count from; ``at`` (replay: the cursor) is when the
    status shown was held, and trail steps after it are marked as later."""
    head = [
        ("Report", _id(rep.id)), ("Title", rep.title),
        ("Status", status_html(rep, at)),
        *([("Source says", claimed)] if (claimed := claimed_text(rep)) else []),
        ("Event type", event_label(rep.event_type)), ("Time", _when(rep.time, ref)),
        ("Location", _where(rep.lat, rep.lon)), ("Reliability", rep.reliability),
        ("Credibility", rep.credibility), ("Perception", rep.perception), ("Count", rep.count),
        ("Sources", list(rep.sources)), ("Text", rep.text),
    ]  # fmt: skip
    trail = "".join(
        f"<tr><td>{_nobr(format_dtg(s.time))}</td>"
        f"<td>{html.escape(step_text(s.from_status, s.to_status))}"
        f"{' <i>(after the cursor)</i>' if at is not None and s.time > at else ''}</td>"
        f"<td>{html.escape(s.actor)}</td><td>{html.escape(s.rationale)}</td></tr>"
        for s in rep.trail)  # fmt: skip
    trail_html = (f"<table cellspacing=2 cellpadding=2><tr><th>When</th><th>Step</th>"
                  f"<th>By</th><th>Rationale</th></tr>{trail}</table>" if trail
                  else "<p>No verification steps yet.</p>")  # fmt: skip
    fields = sorted((k, v) for k, v in rep.fields.items() if k != SOURCE_STATUS)
    return (_title(rep.id) + _rows(head) + "<h4>Verification trail</h4>"
            + trail_html + ("<h4>All fields</h4>" + _rows(fields) if fields else ""))  # fmt: skip


class DetailsPanel(QWidget):
    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        # Break lines between words only: a DTG never splits inside ("260151ZNO/V26").
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.browser)
        self._rows: dict[str, int] = {}  # track key -> Picture row (rows never move)
        self._fixes: dict[int, tuple[int, np.ndarray]] = {}  # row -> (version, times)
        self._flip_at = math.inf  # live: when a shown track next goes lost
        # Throttle, not debounce: a replay running steadily still refreshes 4 times a
        # second instead of waiting for the cursor to rest.
        self._due = QTimer(self)
        self._due.setSingleShot(True)
        self._due.setInterval(REPLAY_REFRESH_MS)
        self._due.timeout.connect(self.refresh)
        hub.selectionChanged.connect(lambda _ids: self.refresh())
        hub.pictureChanged.connect(self._changed)
        hub.cursorChanged.connect(self._cursor_moved)
        hub.liveChanged.connect(lambda _live: self.refresh())
        hub.windowChanged.connect(lambda _w: self._soon())
        self.refresh()

    def _changed(self, change: Any) -> None:
        if self.hub.selection & (change.tracks | change.reports) or (
                change.history and not self.hub.live and self.hub.selection):
            self.refresh()

    def _cursor_moved(self, t: float) -> None:
        if not self.hub.live:
            self._soon()
        elif t >= self._flip_at:  # live: a shown track went lost (nothing else says so)
            self._soon()

    def _soon(self) -> None:
        if self.hub.selection and not self._due.isActive():
            self._due.start()

    def text(self) -> str:
        return self.browser.toPlainText()

    def _row(self, key: str) -> int | None:
        picture = self.hub.picture
        if key not in self._rows and len(self._rows) < len(picture):
            keys = picture.keys()
            self._rows.update((k, r) for r, k in enumerate(keys[len(self._rows):],
                                                            len(self._rows)))  # fmt: skip
        return self._rows.get(key)

    def _fix_times(self, row: int) -> np.ndarray:
        """Every fix time held for the track, kept and archived, once each; cached per
        Picture version (the cursor moves far more often than fixes arrive)."""
        picture = self.hub.picture
        cached = self._fixes.get(row)
        if cached is not None and cached[0] == picture.version:
            return cached[1]
        t = picture.history_blocks(np.array([row]), -math.inf, math.inf)[0][0]
        t = np.unique(t[np.isfinite(t)])
        if len(self._fixes) > 4 * MAX_SHOWN:
            self._fixes.clear()
        self._fixes[row] = (picture.version, t)
        return t

    def _at_cursor(self, key: str) -> AtCursor | None:
        row = self._row(key)
        if row is None:
            return None
        frame = frame_at(self.hub)
        hit = np.flatnonzero(frame.rows == row)
        stale_s = self.hub.picture.stale_seconds(key)
        fixes = self._fix_times(row)
        if not len(hit):
            return AtCursor(self.hub.cursor, None, None, None, stale_s, fixes)
        i = int(hit[0])
        return AtCursor(self.hub.cursor, float(frame.lat[i]), float(frame.lon[i]),
                        float(frame.time[i]), stale_s, fixes)  # fmt: skip

    def refresh(self) -> None:
        self._due.stop()
        picture = self.hub.picture
        ids = sorted(self.hub.selection)
        parts = []
        replay = not self.hub.live
        ref = self.hub.cursor if replay else None  # ages as of the replayed time
        flips: list[float] = []  # stale times of the tracks shown
        with picture.lock:
            for rid in ids[:MAX_SHOWN]:
                track = picture.track(rid)
                if track is not None:
                    at = self._at_cursor(rid) if replay else None
                    lost_s = picture.stale.lost_for(track.domain, track.fields)
                    parts.append(track_html(track, picture.history(rid), ref, at, lost_s))
                    if track.stale_at is not None:
                        flips.append(track.stale_at)
                    continue
                rep = picture.report(rid)
                if rep is not None:
                    parts.append(report_html(rep, ref, ref))
        t_ref = self.hub.cursor if replay else now()
        self._flip_at = min((t for t in flips if t > t_ref), default=math.inf)
        if len(ids) > MAX_SHOWN:
            parts.append(f"<p>… and {len(ids) - MAX_SHOWN} more selected</p>")
        self.browser.setHtml("<hr>".join(parts) or "<p>Nothing selected. Click a track or a "
                             "report on the map or in a table.</p>")
