"""Details: every field of the selection, its sources, history span and verification trail.

HTML in a read-only browser; every string from the data is escaped (a callsign or a
report text is untrusted input, never markup).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from cop_app.core.entities import LandReport, Track
from cop_app.core.geo import format_dms, to_mgrs
from cop_app.core.timeutil import format_age, format_dtg, format_iso, now
from cop_app.ui.hub import Hub

MAX_SHOWN = 20


def _when(t: float | None) -> str:
    if t is None or not math.isfinite(t):
        return "—"
    return f"{format_dtg(t)} ({format_iso(t)}, {format_age(now() - t)})"


def _where(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None or math.isnan(lat):
        return "—"
    try:
        grid = to_mgrs(lat, lon)
    except Exception:
        grid = ""
    return f"{format_dms(lat, lon)}<br>{html.escape(grid)}"


def _rows(pairs: list[tuple[str, Any]]) -> str:
    out = []
    for name, value in pairs:
        text = value if isinstance(value, _Html) else html.escape(_plain(value))
        out.append(f"<tr><td><b>{html.escape(name)}</b></td><td>{text}</td></tr>")
    return "<table cellspacing=2 cellpadding=2>" + "".join(out) + "</table>"


class _Html(str):
    """Already-escaped markup."""


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


def track_html(track: Track, history: tuple[np.ndarray, np.ndarray, np.ndarray]) -> str:
    t, _lat, _lon = history
    span = (f"{len(t)} fixes, {format_dtg(float(t[0]))} – {format_dtg(float(t[-1]))}"
            if len(t) else "no fixes kept")  # fmt: skip
    head = [
        ("Track", track.id), ("Domain", track.domain.label.upper()),
        ("Identity", track.identity.label.replace("_", " ")), ("Callsign", track.callsign),
        ("Position", _Html(_where(track.lat, track.lon))), ("Last report", _when(track.time)),
        ("Stale at", _when(track.stale_at)), ("Speed kn", track.speed_kn),
        ("Course °T", track.course_deg), ("Heading °T", track.heading_deg),
        ("Sources", list(track.sources)), ("History", span),
    ]  # fmt: skip
    fields = sorted((k, v) for k, v in track.fields.items() if k != "callsign")
    return (f"<h3>{html.escape(track.id)}</h3>" + _rows(head)
            + "<h4>All fields</h4>" + _rows(fields))  # fmt: skip


def report_html(rep: LandReport) -> str:
    head = [
        ("Report", rep.id), ("Title", rep.title), ("Status", rep.status.value.replace("_", " ")),
        ("Event type", rep.event_type.value.replace("_", " ")), ("Time", _when(rep.time)),
        ("Location", _Html(_where(rep.lat, rep.lon))), ("Reliability", rep.reliability),
        ("Credibility", rep.credibility), ("Perception", rep.perception), ("Count", rep.count),
        ("Sources", list(rep.sources)), ("Text", rep.text),
    ]  # fmt: skip
    trail = "".join(
        f"<tr><td>{html.escape(format_dtg(s.time))}</td>"
        f"<td>{html.escape(s.from_status.value)} → {html.escape(s.to_status.value)}</td>"
        f"<td>{html.escape(s.actor)}</td><td>{html.escape(s.rationale)}</td></tr>"
        for s in rep.trail)  # fmt: skip
    trail_html = (f"<table cellspacing=2 cellpadding=2><tr><th>When</th><th>Step</th>"
                  f"<th>By</th><th>Rationale</th></tr>{trail}</table>" if trail
                  else "<p>No verification steps yet.</p>")  # fmt: skip
    fields = sorted(rep.fields.items())
    return (f"<h3>{html.escape(rep.id)}</h3>" + _rows(head) + "<h4>Verification trail</h4>"
            + trail_html + ("<h4>All fields</h4>" + _rows(fields) if fields else ""))  # fmt: skip


class DetailsPanel(QWidget):
    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
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
        with picture.lock:
            for rid in ids[:MAX_SHOWN]:
                track = picture.track(rid)
                if track is not None:
                    parts.append(track_html(track, picture.history(rid)))
                    continue
                rep = picture.report(rid)
                if rep is not None:
                    parts.append(report_html(rep))
        if len(ids) > MAX_SHOWN:
            parts.append(f"<p>… and {len(ids) - MAX_SHOWN} more selected</p>")
        self.browser.setHtml("<hr>".join(parts) or "<p>Nothing selected. Click a track or a "
                             "report on the map or in a table.</p>")
