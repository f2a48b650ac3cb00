"""Details: every field of the selection, its sources, history span and verification trail.

HTML in a read-only browser; every string from the data is escaped (a callsign or a
report text is untrusted input, never markup).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from cop_app.core.entities import LandReport, Track
from cop_app.core.enums import Domain
from cop_app.core.geo import format_dms, to_mgrs
from cop_app.core.timeutil import format_age, format_dtg, now
from cop_app.ui.hub import Hub
from cop_app.ui.panels.readout import altitude_both, bearing_text, speed_text, squawk_text

MAX_SHOWN = 20
ALARM = "#E53935"  # the squawk line's red, as tar1090 and the map label draw it


class _Html(str):
    """Already-escaped markup."""


def _nobr(text: str, style: str = "") -> str:
    """One unbreakable line (Qt honours nowrap on blocks, not spans): a narrow dock
    scrolls rather than split a DTG or an id ("260151ZNO" / "V26" reads as two wrong
    values)."""
    return f'<div style="white-space:nowrap;{style}">{html.escape(text)}</div>'


def _when(t: float | None, ref: float | None = None) -> _Html:
    """DTG and age ("in 26 s" for a time still ahead), as UX.md writes times. (The
    ISO form is in "All fields" and the exports; in a ~250 px dock it cost a line.)"""
    if t is None or not math.isfinite(t):
        return _Html("—")
    age = format_age((now() if ref is None else ref) - t)
    return _Html(f"{format_dtg(t)} ({html.escape(age)})")


def _title(text: str) -> str:
    return f'<h3 style="white-space:nowrap">{html.escape(text)}</h3>'


def _where(lat: float | None, lon: float | None) -> _Html:
    if lat is None or lon is None or math.isnan(lat):
        return _Html("—")
    try:
        grid = to_mgrs(lat, lon)
    except Exception:
        grid = ""
    return _Html(f"<div>{html.escape(format_dms(lat, lon))}</div>" + _nobr(grid))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    out = []
    for name, value in pairs:
        text = value if isinstance(value, _Html) else html.escape(_plain(value))
        out.append(f"<tr><td>{_nobr(name, 'font-weight:bold')}</td><td>{text}</td></tr>")
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


def track_html(track: Track, history: tuple[np.ndarray, np.ndarray, np.ndarray],
               ref: float | None = None) -> str:  # fmt: skip
    """``ref`` is the time ages count from (the replay cursor; now when live)."""
    t, _lat, _lon = history
    span = (f"{len(t)} fixes, {format_dtg(float(t[0]))} – {format_dtg(float(t[-1]))}"
            if len(t) else "no fixes kept")  # fmt: skip
    f = track.fields
    name = ("Callsign", track.callsign) if track.domain is Domain.AIR else (
        "Name", f.get("name") or track.callsign)
    head: list[tuple[str, Any]] = [
        ("Track", _Html(_nobr(track.id))), ("Domain", track.domain.label.upper()),
        ("Identity", track.identity.label.replace("_", " ")), name,
    ]
    squawk = squawk_text(f)
    if squawk:
        alarm = any(w in squawk for w in ("HIJACK", "NORDO", "EMERGENCY"))
        head.append(("Squawk", _Html(_nobr(squawk, f"color:{ALARM};font-weight:bold"
                                           if alarm else ""))))  # fmt: skip
    alt = getattr(track, "altitude_ft", None)
    if alt is not None or track.domain is Domain.AIR:
        head.append(("Altitude", altitude_both(alt) or None))
    if f.get("nav_status_text") or getattr(track, "nav_status_text", None):
        head.append(("Nav status", f.get("nav_status_text") or track.nav_status_text))
    head += [
        ("Speed", speed_text(track.speed_kn) or None),
        ("Course", bearing_text(track.course_deg) or None),
        ("Heading", bearing_text(track.heading_deg) or None),
        ("Position", _where(track.lat, track.lon)), ("Last report", _when(track.time, ref)),
        ("Stale", _when(track.stale_at, ref)), ("Sources", list(track.sources)),
        ("History", span),
    ]  # fmt: skip
    fields = sorted((k, v) for k, v in f.items() if k != "callsign")
    return (_title(track.id) + _rows(head)
            + "<h4>All fields</h4>" + _rows(fields))  # fmt: skip


def step_text(from_status: Any, to_status: Any) -> str:
    """A trail step in words: the first step is the report's creation."""
    a, b = (str(getattr(v, "value", v)).replace("_", " ") for v in (from_status, to_status))
    return f"created as {b}" if a == b else f"{a} → {b}"


def report_html(rep: LandReport, ref: float | None = None) -> str:
    head = [
        ("Report", _Html(_nobr(rep.id))), ("Title", rep.title),
        ("Status", rep.status.value.replace("_", " ")),
        ("Event type", rep.event_type.value.replace("_", " ")), ("Time", _when(rep.time, ref)),
        ("Location", _Html(_where(rep.lat, rep.lon))), ("Reliability", rep.reliability),
        ("Credibility", rep.credibility), ("Perception", rep.perception), ("Count", rep.count),
        ("Sources", list(rep.sources)), ("Text", rep.text),
    ]  # fmt: skip
    trail = "".join(
        f"<tr><td>{_nobr(format_dtg(s.time))}</td>"
        f"<td>{html.escape(step_text(s.from_status, s.to_status))}</td>"
        f"<td>{html.escape(s.actor)}</td><td>{html.escape(s.rationale)}</td></tr>"
        for s in rep.trail)  # fmt: skip
    trail_html = (f"<table cellspacing=2 cellpadding=2><tr><th>When</th><th>Step</th>"
                  f"<th>By</th><th>Rationale</th></tr>{trail}</table>" if trail
                  else "<p>No verification steps yet.</p>")  # fmt: skip
    fields = sorted(rep.fields.items())
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
        hub.selectionChanged.connect(lambda _ids: self.refresh())
        hub.pictureChanged.connect(self._changed)
        self.refresh()

    def _changed(self, change: Any) -> None:
        if self.hub.selection & (change.tracks | change.reports):
            self.refresh()

    def text(self) -> str:
        return self.browser.toPlainText()

    def refresh(self) -> None:
        picture = self.hub.picture
        ids = sorted(self.hub.selection)
        parts = []
        ref = None if self.hub.live else self.hub.cursor  # ages as of the replayed time
        with picture.lock:
            for rid in ids[:MAX_SHOWN]:
                track = picture.track(rid)
                if track is not None:
                    parts.append(track_html(track, picture.history(rid), ref))
                    continue
                rep = picture.report(rid)
                if rep is not None:
                    parts.append(report_html(rep, ref))
        if len(ids) > MAX_SHOWN:
            parts.append(f"<p>… and {len(ids) - MAX_SHOWN} more selected</p>")
        self.browser.setHtml("<hr>".join(parts) or "<p>Nothing selected. Click a track or a "
                             "report on the map or in a table.</p>")
