"""The alert life cycle on the server: rules -> deduplicated alerts, hysteresis,
acknowledgement and snooze with an audit trail, automatic clearing.

Choices (documented here because officers will ask):

* Deduplication: at most one open (not cleared) alert per (subject, rule). While it
  is open, the rule holding again only refreshes it; the stored record is rewritten
  only when its severity or message changes (messages carry no live numbers).
* Hysteresis (OpenCPN #4872: a vessel dithering on a zone edge must not raise an alarm
  each time it crosses): an open alert clears only after its condition has been false
  for ``hold_s`` without a break (default 10 min). A condition that comes back inside
  the hold keeps the same alert. After clearing, the next occurrence is a new alert.
  The hold is measured on the server's clock at evaluation time, not on fix times,
  so a late or replayed fix cannot shorten it.
* Acknowledge: per alert, or every open alert of a rule (scope ``rule``); "subject"
  means the alert's (subject, rule), which deduplication makes the same one alert.
  Acknowledging twice keeps the first who/when and changes nothing (idempotent).
* Snooze for N minutes: per alert (that alert only), per (subject, rule) or per rule.
  The latter two also mute alerts raised during the window (created ``snoozed``).
  When the time runs out the alert returns to ``new`` (or ``acknowledged``) if its
  condition still holds; if the condition ended meanwhile it has cleared as usual.
* Every step (raised, acknowledged, snoozed, snooze ended, severity changed, cleared)
  is a trail entry with actor and time inside the alert record, so every station sees
  the same audit through /v1/alerts, /v1/alerts/{id}, the changes log and the stream.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cop_app.core.entities import Alert
from cop_app.core.enums import AlertState, Severity
from cop_app.core.rules import Condition, RuleConfig, RuleEngine
from cop_app.core.timeutil import format_iso, parse_iso
from cop_app.server.storage import Storage, Writer, dumps

log = logging.getLogger(__name__)
SYSTEM = "system"
ACTIONS = ("ack", "snooze")
SCOPES = ("alert", "subject", "rule")


@dataclass(frozen=True)
class AlertPolicy:
    hold_s: float = 600.0  # condition false this long (unbroken) before an alert clears
    sweep_s: float = 10.0  # full evaluation for time-based rules, holds and snoozes
    max_snooze_min: float = 7 * 24 * 60.0


class AlertClosed(ValueError):
    """A per-alert snooze of an alert that has already cleared."""


@dataclass
class _Open:
    """An open alert as the manager holds it (the stored body is built from it)."""

    alert: Alert
    version: int
    zone: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    trail: list[dict[str, Any]] = field(default_factory=list)
    false_since: float | None = None


@dataclass(frozen=True)
class _Mute:
    scope: str  # "subject" or "rule"
    rule: str
    subject: str | None
    until: float
    actor: str


def alert_record(o: _Open, version: int, t: float, seq: int) -> dict[str, Any]:
    a = o.alert

    def iso(v: float | None) -> str | None:
        return format_iso(v) if v is not None else None

    return {
        "kind": "alert", "id": a.id, "rule": a.rule, "severity": a.severity.name.lower(),
        "subject": a.subject, "time": iso(a.time), "lat": a.lat, "lon": a.lon,
        "state": a.state.value, "message": a.message, "zone": o.zone,
        "details": o.details, "acknowledged_by": a.acknowledged_by,
        "acknowledged_at": iso(a.acknowledged_at), "snoozed_until": iso(a.snoozed_until),
        "cleared_at": iso(a.cleared_at), "trail": o.trail, "version": version,
        "updated_at": format_iso(t), "seq": seq,
    }  # fmt: skip


def _from_record(rec: dict[str, Any], version: int) -> _Open:
    def epoch(v: str | None) -> float | None:
        return parse_iso(v) if v else None

    a = Alert(id=rec["id"], rule=rec["rule"], severity=Severity[rec["severity"].upper()],
              subject=rec["subject"], time=parse_iso(rec["time"]), lat=rec.get("lat"),
              lon=rec.get("lon"), state=AlertState(rec["state"]),
              message=rec.get("message", ""), acknowledged_by=rec.get("acknowledged_by"),
              acknowledged_at=epoch(rec.get("acknowledged_at")),
              snoozed_until=epoch(rec.get("snoozed_until")),
              cleared_at=epoch(rec.get("cleared_at")))  # fmt: skip
    return _Open(a, version, rec.get("zone"), dict(rec.get("details") or {}),
                 list(rec.get("trail") or []))  # fmt: skip


def _entry(action: str, actor: str, t: float, note: str = "", **extra: Any) -> dict[str, Any]:
    return {"action": action, "actor": actor, "time": format_iso(t), "note": note, **extra}


class AlertManager:
    """Turns rule conditions into stored alerts. The caller (Pipeline) holds its lock
    around every call, so the manager itself needs none beyond that."""

    def __init__(self, storage: Storage, picture, *, clock: Callable[[], float],
                 rules: RuleConfig | None = None, policy: AlertPolicy | None = None,
                 lock: threading.RLock) -> None:  # fmt: skip
        self.storage = storage
        self.picture = picture
        self.clock = clock
        self.policy = policy or AlertPolicy()
        self.engine = RuleEngine(rules)
        self._lock = lock
        self._open: dict[tuple[str, str], _Open] = {}
        self._by_id: dict[str, _Open] = {}
        self._mutes: list[_Mute] = []
        for version, body in storage.open_alerts():
            o = _from_record(json.loads(body), version)
            self._track(o)
        for scope, rule, subject, until, actor in storage.alert_mutes(clock()):
            self._mutes.append(_Mute(scope, rule, subject, until, actor))

    def _track(self, o: _Open) -> None:
        self._by_id[o.alert.id] = o
        self._open[(o.alert.subject, o.alert.rule)] = o

    def _untrack(self, o: _Open) -> None:
        self._by_id.pop(o.alert.id, None)
        if self._open.get((o.alert.subject, o.alert.rule)) is o:
            del self._open[(o.alert.subject, o.alert.rule)]

    # ---- evaluation -----------------------------------------------------------------
    def evaluate(self, *, tracks: Iterable[str] | None = None,
                 reports: Iterable[str] | None = None) -> int | None:  # fmt: skip
        """Run the rules (on the given subjects, or all) and apply the result.

        Returns the new high-water seq if anything was written, else None.
        """
        t = self.clock()
        tracks = None if tracks is None else list(tracks)
        reports = None if reports is None else list(reports)
        with self._lock:
            conds = self.engine.evaluate(self.picture, t, tracks=tracks, reports=reports,
                                         latest=True)  # fmt: skip
            if tracks is None and reports is None:
                scope = None
            else:
                scope = set(tracks or ()) | set(reports or ())
            return self._apply(conds, scope, t)

    def sweep(self) -> int | None:
        """The periodic full evaluation: time-based rules, holds, snooze expiry."""
        return self.evaluate()

    def _apply(self, conds: dict[tuple[str, str], Condition], scope: set[str] | None,
               t: float) -> int | None:  # fmt: skip
        dirty: dict[str, _Open] = {}
        for key, c in conds.items():
            o = self._open.get(key)
            if o is None:
                o = self._raise(c, t)
                dirty[o.alert.id] = o
                continue
            o.false_since = None
            a = o.alert
            if a.severity != c.severity or a.message != c.message:
                if a.severity != c.severity:
                    o.trail.append(_entry("severity", SYSTEM, t, f"{a.severity.name.lower()}"
                                          f" -> {c.severity.name.lower()}"))  # fmt: skip
                a.severity, a.message, a.lat, a.lon = c.severity, c.message, c.lat, c.lon
                o.zone, o.details = c.zone, dict(c.details or {})
                dirty[a.id] = o
        for key, o in list(self._open.items()):
            if key in conds or (scope is not None and key[0] not in scope):
                continue
            if o.false_since is None:
                o.false_since = t
        for o in list(self._open.values()):
            a = o.alert
            if o.false_since is not None and t - o.false_since >= self.policy.hold_s:
                a.state, a.cleared_at = AlertState.CLEARED, t
                o.trail.append(_entry("cleared", SYSTEM, t, "condition false since "
                                      f"{format_iso(o.false_since)}"))  # fmt: skip
                self._untrack(o)
                dirty[a.id] = o
            elif a.state is AlertState.SNOOZED and a.snoozed_until is not None \
                    and a.snoozed_until <= t:  # fmt: skip
                a.state = AlertState.ACKNOWLEDGED if a.acknowledged_by else AlertState.NEW
                a.snoozed_until = None
                o.trail.append(_entry("snooze_ended", SYSTEM, t, "condition still holds"))
                dirty[a.id] = o
        self._mutes = [m for m in self._mutes if m.until > t]
        if not dirty:
            return None
        with self.storage.write() as w:
            for o in dirty.values():
                self._write(w, o, t)
            return w.seq

    def _raise(self, c: Condition, t: float) -> _Open:
        a = Alert(id=f"AL-{uuid.uuid4().hex[:16]}", rule=c.rule, severity=c.severity,
                  subject=c.subject, time=c.time, lat=c.lat, lon=c.lon, message=c.message)
        o = _Open(a, 0, c.zone, dict(c.details or {}), [_entry("raised", SYSTEM, t,
                                                               c.message)])  # fmt: skip
        mute = self._mute_for(c.subject, c.rule, t)
        if mute is not None:
            a.state, a.snoozed_until = AlertState.SNOOZED, mute.until
            o.trail.append(_entry("snoozed", mute.actor, t, f"muted by a {mute.scope} snooze",
                                  scope=mute.scope, until=format_iso(mute.until)))  # fmt: skip
        self._track(o)
        return o

    def _mute_for(self, subject: str, rule: str, t: float) -> _Mute | None:
        best = None
        for m in self._mutes:
            if m.until > t and m.rule == rule and (m.scope == "rule" or m.subject == subject):
                if best is None or m.until > best.until:
                    best = m
        return best

    def _write(self, w: Writer, o: _Open, t: float) -> dict[str, Any]:
        seq = w.next_seq()
        o.version += 1
        rec = alert_record(o, o.version, t, seq)
        body = dumps(rec)
        a = o.alert
        w.alert(a.id, a.rule, int(a.severity), a.subject, a.time, a.state.value, t, o.version,
                seq, body)  # fmt: skip
        w.change(seq, t, "alert", "upsert", a.id, body)
        return rec

    # ---- acknowledgement and snooze -------------------------------------------------
    def act(self, alert_id: str, actor: str, *, action: str = "ack", scope: str = "alert",
            minutes: float | None = None, note: str = "") -> tuple[dict[str, Any], int | None]:
        """Acknowledge or snooze; returns (the alert's record, seq written or None).

        KeyError: unknown alert; ValueError: bad action/scope/minutes; AlertClosed: a
        per-alert snooze of a cleared alert.
        """
        if action not in ACTIONS or scope not in SCOPES:
            raise ValueError(f"action must be one of {ACTIONS}, scope one of {SCOPES}")
        if action == "snooze" and not (minutes and 0 < minutes <= self.policy.max_snooze_min):
            raise ValueError(f"a snooze needs minutes in (0, {self.policy.max_snooze_min:g}]")
        t = self.clock()
        with self._lock:
            o = self._by_id.get(alert_id)
            if o is None:
                row = self.storage.alert_row(alert_id)
                if row is None:
                    raise KeyError(alert_id)
                o = _from_record(json.loads(row[1]), row[0])
                if o.alert.state is not AlertState.CLEARED:
                    self._track(o)  # an alert put by hand (put_alert) joins the life cycle
            a = o.alert
            if action == "snooze" and scope == "alert" and a.state is AlertState.CLEARED:
                raise AlertClosed(f"alert {alert_id} has cleared")
            targets = [o]
            if scope == "rule":
                targets += [x for x in self._open.values() if x.alert.rule == a.rule and x is not o]
            until = t + minutes * 60.0 if action == "snooze" and minutes else None
            extra = {"scope": scope} if until is None else {"scope": scope,
                                                             "until": format_iso(until)}
            dirty = []
            for x in targets:
                xa = x.alert
                if xa.state is AlertState.CLEARED and x is not o:
                    continue
                if action == "ack":
                    if xa.acknowledged_by is None:
                        xa.acknowledged_by, xa.acknowledged_at = actor, t
                        if xa.state is AlertState.NEW:
                            xa.state = AlertState.ACKNOWLEDGED
                        x.trail.append(_entry("ack", actor, t, note, **extra))
                        dirty.append(x)
                elif xa.state is not AlertState.CLEARED:
                    xa.state, xa.snoozed_until = AlertState.SNOOZED, until
                    x.trail.append(_entry("snooze", actor, t, note, minutes=minutes, **extra))
                    dirty.append(x)
            mute = None
            if until is not None and scope in ("subject", "rule"):
                mute = _Mute(scope, a.rule, a.subject if scope == "subject" else None, until,
                             actor)  # fmt: skip
                self._mutes.append(mute)
            if not dirty and mute is None:
                row = self.storage.alert_row(alert_id)
                return json.loads(row[1]), None
            with self.storage.write() as w:
                w.alert_ack(alert_id, actor, t, note, action=action, scope=scope, until=until)
                if mute is not None:
                    w.alert_mute(mute.scope, mute.rule, mute.subject, mute.until, actor, t,
                                 note)  # fmt: skip
                rec = None
                for x in dirty:
                    r = self._write(w, x, t)
                    if x is o:
                        rec = r
                seq = w.seq
            if rec is None:
                rec = json.loads(self.storage.alert_row(alert_id)[1])
            return rec, seq
