"""What the Alerts dock shows of one alert record, as plain functions (tested without
a window): open or not, severity rank, who acted and when (from the server's trail),
and the filter an officer sets. Severity is always spelled out, never colour alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cop_app.api.records import wire_time
from cop_app.core.enums import Domain
from cop_app.core.timeutil import format_dtg
from cop_app.ui.panels.readout import message_text

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: len(SEVERITIES) - k for k, name in enumerate(SEVERITIES)}
SEVERITY_COLOURS = {"critical": "#E53935", "high": "#FF8C00", "medium": "#FFC107",
                    "low": "#9E9E9E"}  # fmt: skip
# A shape per severity, so the map and the timeline never rely on colour alone.
SEVERITY_SYMBOLS = {"critical": "star", "high": "t", "medium": "d", "low": "o"}
OPEN_STATES = frozenset({"new", "acknowledged"})  # snoozed is muted, cleared is over
LOUD = frozenset({"critical", "high"})
ACTED = {"ack": "acknowledged", "snooze": "snoozed"}


def is_open(alert: dict[str, Any]) -> bool:
    return str(alert.get("state", "new")) in OPEN_STATES


def needs_attention(alert: dict[str, Any]) -> bool:
    """New and not yet acknowledged: what the badge counts and the map rings."""
    return str(alert.get("state", "new")) == "new"


def severity(alert: dict[str, Any]) -> str:
    return str(alert.get("severity", "")).lower()


def last_action(alert: dict[str, Any]) -> dict[str, Any] | None:
    """The newest acknowledge or snooze step of the trail (who and when)."""
    for step in reversed(alert.get("trail") or []):
        if step.get("action") in ACTED:
            return step
    return None


def who_text(alert: dict[str, Any]) -> str:
    """``acknowledged by ops-1 141230Z`` from the trail; the record's own fields when a
    trail is missing (an older server)."""
    step = last_action(alert)
    if step is not None:
        t = wire_time(step.get("time"))
        when = format_dtg(t) if t is not None else ""
        text = f"{ACTED[step['action']]} by {step.get('actor', '?')} {when}".strip()
        note = str(step.get("note") or "")
        return f"{text}: {note}" if note else text
    by, at = alert.get("acknowledged_by"), wire_time(alert.get("acknowledged_at"))
    if by:
        return f"acknowledged by {by}" + (f" {format_dtg(at)}" if at is not None else "")
    return ""


def trail_text(alert: dict[str, Any]) -> str:
    """Every step of the audit trail, oldest first, one per line."""
    lines = []
    for step in alert.get("trail") or []:
        t = wire_time(step.get("time"))
        line = f"{format_dtg(t) if t is not None else '—'}  {step.get('action', '?')}  " \
               f"{step.get('actor', '?')}"
        if step.get("note"):  # the "raised" step repeats the server's message
            line += f" — {message_text(step['note'])}"
        lines.append(line)
    return "\n".join(lines)


@dataclass
class AlertFilter:
    """``state``: "open" (new or acknowledged), "all" or one state; ``severity``: the
    lowest severity shown ("" for all); ``rule``: one rule or ""; ``text``: a
    case-insensitive substring of subject, rule, message or zone."""

    state: str = "open"
    severity: str = ""
    rule: str = ""
    text: str = ""
    shown: Callable[[dict[str, Any]], str] | None = None  # the row's words, searched too

    def accepts(self, alert: dict[str, Any]) -> bool:
        state = str(alert.get("state", "new"))
        if self.state == "open" and state not in OPEN_STATES:
            return False
        if self.state not in ("open", "all", "") and state != self.state:
            return False
        if self.severity and SEVERITY_RANK.get(severity(alert), 0) < SEVERITY_RANK.get(
                self.severity, 0):  # fmt: skip
            return False
        if self.rule and alert.get("rule") != self.rule:
            return False
        if self.text:
            hay = " ".join(str(alert.get(k) or "") for k in ("subject", "rule", "message",
                                                             "zone", "id"))  # fmt: skip
            if self.shown is not None:
                hay += " " + self.shown(alert)
            if self.text.lower() not in hay.lower():
                return False
        return True


def subject_text(picture: Any, subject: str) -> str:
    """The subject as an officer names it: an aircraft's callsign, a ship's name (from
    the track's attributes), else the id without its scheme (``cot:CF-UAV-0007`` ->
    ``CF-UAV-0007``); a report keeps its id. The full id goes in the tooltip."""
    if not subject:
        return ""
    if picture is None:
        return subject
    with picture.lock:
        state = picture.track_state(subject)
    if state is None:
        return subject
    f = state.fields
    first, second = ("callsign", "name") if state.domain is Domain.AIR else ("name",
                                                                              "callsign")
    name = str(f.get(first) or f.get(second) or "").strip()
    return name or subject.split(":", 1)[-1]


def subject_position(picture: Any, subject: str,
                     at_time: float | None = None) -> tuple[float, float] | None:
    """Where the subject is: a track's fix at ``at_time`` (the last fix at or before
    it, else its first; its newest when None), or a report's place."""
    if not subject or picture is None:
        return None
    if picture.track_state(subject) is not None:
        t, lat, lon = picture.history(subject)
        k = len(t) - 1
        if at_time is not None:
            k = max(0, int(np.searchsorted(t, at_time, side="right")) - 1)
        if len(t) and np.isfinite(lat[k]) and np.isfinite(lon[k]):
            return float(lat[k]), float(lon[k])
    report = picture.report(subject)
    if report is not None and report.has_position:
        return float(report.lat), float(report.lon)
    return None


def alert_position(alert: dict[str, Any]) -> tuple[float, float] | None:
    lat, lon = alert.get("lat"), alert.get("lon")
    return (float(lat), float(lon)) if lat is not None and lon is not None else None
