"""The server's write path: parse, merge, persist, notify.

An in-memory ``Picture`` is the merge engine, so fields from several feeds merge
into one track keyed by icao24/MMSI exactly as they do in the desktop app. Each
call (one ingest request, one scenario tick, one transition) becomes one storage
transaction with one change row per changed record: batching is what keeps 100k-
track scenarios possible. After the commit, listeners (the SSE notifier) hear the
new high-water seq.

Thread-safe: the HTTP threadpool, feed listeners and the scenario thread all call
in; a lock serialises merging and writing (the storage has a single writer anyway).

Report status changes only through ``transition_report``: a feed that re-sends a
known report may update its text or position, but a ``status`` it carries is
ignored, so the verification trail stays the complete audit of every status.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from cop_app.core.entities import Alert, LandReport, Zone
from cop_app.core.enums import Domain, EventType
from cop_app.core.picture import Picture
from cop_app.core.records import report_record, track_record
from cop_app.core.rules import RuleConfig
from cop_app.core.timeutil import format_iso, now, parse_iso
from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate
from cop_app.core.verification import VerificationStatus, received_fields, transition
from cop_app.ingest import make_parser
from cop_app.ingest.kml_read import KmlError, read_kmz
from cop_app.server.alerting import AlertManager, AlertPolicy
from cop_app.server.storage import Storage, Writer, dumps

log = logging.getLogger(__name__)
MAX_ERRORS_RETURNED = 100


@dataclass
class IngestResult:
    format: str
    accepted: int = 0
    rejected: int = 0
    errors: list[ParseError] = field(default_factory=list)
    tracks_changed: int = 0
    reports_changed: int = 0
    seq: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "tracks_changed": self.tracks_changed,
            "reports_changed": self.reports_changed,
            "seq": self.seq,
            "errors": [
                {"location": e.location, "reason": e.reason, "excerpt": e.excerpt}
                for e in self.errors[:MAX_ERRORS_RETURNED]
            ],
        }


class ReportExists(ValueError):
    pass


class ZoneError(ValueError):
    pass


class Pipeline:
    def __init__(self, storage: Storage, *, retention_days: float = 7.0,
                 rules: RuleConfig | None = None, alert_policy: AlertPolicy | None = None,
                 clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.storage = storage
        self.retention_s = retention_days * 86400.0
        # Two fixes per track are enough to merge; the full history lives in storage.
        self.picture = Picture(history_points=2, history_seconds=math.inf)
        self._lock = threading.RLock()
        self._track_versions: dict[str, int] = {}
        self._report_versions: dict[str, int] = {}
        self._trails: dict[str, list[dict[str, Any]]] = {}
        self._listeners: list[Callable[[int], None]] = []
        self._stop = threading.Event()
        self._maintenance: threading.Thread | None = None
        self._sweeper: threading.Thread | None = None
        self._load()
        # The rules' clock: injectable so tests can step time (holds, snoozes, gaps).
        self.clock = clock or (lambda: now())
        self.alerts = AlertManager(storage, self.picture, clock=self.clock, rules=rules,
                                   policy=alert_policy, lock=self._lock)  # fmt: skip

    # ---- start-up --------------------------------------------------------------------
    def _load(self) -> None:
        """Rebuild the merge engine from storage, so a restart continues where it was."""
        pic = self.picture
        for key, domain, version, state in self.storage.track_states():
            st = json.loads(state)
            hist = st.get("history") or [[], [], []]
            pic.restore_track(key, Domain.parse(domain), fields=st.get("fields") or {},
                              sources=st.get("sources") or (), last_time=st["last_time"],
                              stale_s=st["stale_s"],
                              history=tuple(np.asarray(h, float) for h in hist))  # fmt: skip
            self._track_versions[key] = version
        for rid, version, state in self.storage.report_states():
            st = json.loads(state)
            self._trails[rid] = st.pop("trail", [])
            pic.restore_report(_report_from_state(st))
            self._report_versions[rid] = version
        for body in self.storage.zone_bodies():
            try:
                pic.set_zone(Zone.from_feature(_zone_feature_for_core(json.loads(body))))
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("stored zone not loaded into the merge engine: %s", exc)

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(last_seq)`` after every commit (from the writing thread)."""
        self._listeners.append(listener)

    @property
    def last_seq(self) -> int:
        return self.storage.last_seq()

    # ---- ingest ----------------------------------------------------------------------
    def ingest_text(self, fmt: str, text: str | bytes, source: str, *,
                    received: float | None = None) -> IngestResult:  # fmt: skip
        """Parse one raw feed body with ``cop_app.ingest`` and merge what it held.

        Raises ValueError for an unknown format; bad input is counted, never raised.
        ``received``: see ``ingest_updates``.
        """
        parser = make_parser(fmt, source)
        result = IngestResult(fmt)
        if fmt == "kml" and isinstance(text, bytes) and text[:2] == b"PK":
            try:
                text = read_kmz(text)
            except KmlError as exc:
                result.rejected = 1
                result.errors = [ParseError(source, "offset 0", str(exc))]
                result.seq = self.last_seq
                return result
        items = parser.feed(text) + parser.close()
        updates = [i for i in items if not isinstance(i, ParseError)]
        result.accepted = parser.stats.accepted
        result.rejected = parser.stats.rejected
        result.errors = list(parser.stats.errors)
        result.tracks_changed, result.reports_changed, result.seq = self.ingest_updates(
            updates, source, received=received
        )
        return result

    def ingest_updates(self, updates: Iterable[TrackUpdate | ReportUpdate | ParseError],
                       source: str, *, received: float | None = None,
                       ) -> tuple[int, int, int]:  # fmt: skip
        """Merge typed updates and persist them in one transaction.

        Returns (tracks changed, reports changed, high-water seq). ``source`` names
        the caller for updates that carry none.

        ``received`` (in-process callers only: the scenario's backfill replaying the
        last day; HTTP and feeds always use the server clock) dates the call instead
        of now: a new report's "created" trail entry, the stored versions and the
        history rows' ``received_at``. Retention prunes by ``received_at`` and change
        time, so a backdated call is pruned that much earlier; the backfill goes back
        at most a day, well inside the retention period.
        """
        tracks: list[TrackUpdate] = []
        reports: list[ReportUpdate] = []
        for u in updates:
            if type(u) is TrackUpdate:
                if not u.source:
                    u.source = source
                tracks.append(u)
            elif type(u) is ReportUpdate:
                if not u.source:
                    u.source = source
                reports.append(u)
        if not tracks and not reports:
            return 0, 0, self.last_seq
        with self._lock:
            pic = self.picture
            created: list[tuple[str, str]] = []  # (report id, source): new, as reported
            new_ids: set[str] = set()
            for r in reports:
                new = pic.report(r.id) is None and r.id not in new_ids
                r.fields = received_fields(r.fields, known=not new)
                if new:
                    new_ids.add(r.id)
                    created.append((r.id, r.source))
            pic.upsert_many(tracks)
            pic.upsert_many(reports)
            received = now() if received is None else float(received)
            history = [(u.key, u.time, u.lat, u.lon, received) for u in tracks
                       if u.lat is not None and u.lon is not None]  # fmt: skip
            track_keys = sorted({u.key for u in tracks})
            report_ids = sorted({r.id for r in reports})
            for rid, src in created:  # received_fields made each one "reported"
                self._trails[rid] = [_trail_entry(None, VerificationStatus.REPORTED.value,
                                                  src, received, "created")]  # fmt: skip
            seq = self._persist(track_keys, report_ids, history, created, received)
            seq = self._evaluate(tracks=track_keys, reports=report_ids) or seq
        self._notify(seq)
        return len(track_keys), len(report_ids), seq

    def store_history(self, rows: Iterable[tuple[str, float, float, float]]) -> int:
        """(track key, time, lat, lon) fixes kept for replay only (the scenario's older
        hours): stored as history rows, never merged into the picture, so no rule runs
        on them and no change is published. In-process callers only."""
        received = now()
        batch = [(k, float(t), float(la), float(lo), received) for k, t, la, lo in rows]
        if batch:
            with self.storage.write() as w:
                w.history(batch)
        return len(batch)

    def _evaluate(self, **subjects) -> int | None:
        """Run the rules on what changed; a rule failure must not lose the ingest."""
        try:
            return self.alerts.evaluate(**subjects)
        except Exception:
            log.exception("alert rules failed")
            return None

    def create_report(self, update: ReportUpdate) -> dict[str, Any]:
        """A report posted by an observer; a new id is made when none is given."""
        with self._lock:
            if not update.id:
                update.id = f"R-{uuid.uuid4().hex[:12]}"
            elif self.picture.report(update.id) is not None:
                raise ReportExists(update.id)
            update.fields["status"] = VerificationStatus.REPORTED.value
            self.ingest_updates([update], update.source)
            return self.report_record(update.id)

    def transition_report(self, report_id: str, to_status: str | VerificationStatus,
                          actor: str, rationale: str, *,
                          at: float | None = None) -> dict[str, Any]:  # fmt: skip
        """One audited verification step. KeyError if unknown; IllegalTransition
        (naming the allowed next states) if the mechanism does not allow it.

        ``at`` (in-process callers only: the scenario's backfill; the HTTP endpoint
        keeps the server clock) is when the step was taken, for the trail and the
        report's ``updated_at``, which the report rules read: a day of steps replayed
        at start-up must not all look as if they happened now. Backdating is bounded
        by the caller (the backfill: a day); see ``ingest_updates`` on retention.
        """
        with self._lock:
            rep = self.picture.report(report_id)
            if rep is None:
                raise KeyError(report_id)
            t = now() if at is None else float(at)
            step = transition(rep.status, VerificationStatus(to_status), actor=actor, time=t,
                              rationale=rationale)  # fmt: skip
            rep.status = step.to_status
            rep.updated_at = t
            self._trails.setdefault(report_id, []).append(
                _trail_entry(step.from_status.value, step.to_status.value, actor, t, rationale)
            )
            seq = self._persist([], [report_id], [], [], t, transitions=[report_id])
            seq = self._evaluate(tracks=(), reports=[report_id]) or seq
            record = self.report_record(report_id)
        self._notify(seq)
        return record

    # ---- zones and alerts ---------------------------------------------------------------
    def put_zones(self, feature_collection: dict[str, Any]) -> int:
        """Replace the zone set: changed zones get a new version, missing ones are
        deleted, unchanged ones are left alone. Returns the high-water seq.

        Raises ZoneError naming the first feature that is not a valid zone.
        """
        if not isinstance(feature_collection, dict) or \
                feature_collection.get("type") != "FeatureCollection":  # fmt: skip
            raise ZoneError("expected a GeoJSON FeatureCollection")
        features = feature_collection.get("features")
        if not isinstance(features, list):
            raise ZoneError("features must be a list")
        parsed: dict[str, tuple[Zone, dict[str, Any]]] = {}
        for i, feat in enumerate(features):
            try:
                normal = _normal_zone_feature(feat)
                zone = Zone.from_feature(_zone_feature_for_core(normal))
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise ZoneError(f"feature {i}: not a valid zone ({exc})") from None
            parsed[zone.id] = (zone, normal)
        with self._lock:
            stored = self.storage.zone_versions()
            t = now()
            with self.storage.write() as w:
                for zid in sorted(parsed):
                    zone, feat = parsed[zid]
                    old = stored.get(zid)
                    if old is not None and _same_zone(json.loads(old[1]), feat):
                        continue
                    version = (old[0] if old else 0) + 1
                    seq = w.next_seq()
                    feat["properties"]["version"] = version
                    feat["properties"]["updated_at"] = format_iso(t)
                    feat["properties"]["seq"] = seq
                    body = dumps(feat)
                    w.zone(zid, zone.kind.value, zone.valid_from, zone.valid_to, t, version,
                           seq, body)  # fmt: skip
                    w.change(seq, t, "zone", "upsert", zid, body)
                    zone.version = version
                    self.picture.set_zone(zone)
                for zid in sorted(set(stored) - set(parsed)):
                    seq = w.next_seq()
                    w.delete_zone(zid)
                    w.change(seq, t, "zone", "delete", zid, None)
                    self.picture.zones.pop(zid, None)
                seq = w.seq
            seq = self._evaluate() or seq
        self._notify(seq)
        return seq

    def put_alert(self, alert: Alert) -> dict[str, Any]:
        """Create or update an alert (the Alerts issue's rules call this)."""
        with self._lock:
            row = self.storage.alert_row(alert.id)
            version = (row[0] if row else 0) + 1
            t = now()
            with self.storage.write() as w:
                record = self._write_alert(w, alert, version, t)
                seq = w.seq
        self._notify(seq)
        return record

    def ack_alert(self, alert_id: str, actor: str, note: str = "", *, action: str = "ack",
                  scope: str = "alert", minutes: float | None = None) -> dict[str, Any]:
        """Acknowledge or snooze an alert (see cop_app.server.alerting for the scopes);
        acknowledging twice keeps the first acknowledgement. KeyError if unknown."""
        record, seq = self.alerts.act(alert_id, actor, action=action, scope=scope,
                                      minutes=minutes, note=note)  # fmt: skip
        if seq is not None:
            self._notify(seq)
        return record

    def alert_record(self, alert_id: str) -> dict[str, Any]:
        """The stored alert with its trail; KeyError if unknown."""
        row = self.storage.alert_row(alert_id)
        if row is None:
            raise KeyError(alert_id)
        return json.loads(row[1])

    def sweep_alerts(self) -> None:
        """One periodic evaluation (time-based rules, holds, snooze expiry)."""
        with self._lock:
            try:
                seq = self.alerts.sweep()
            except Exception:
                log.exception("alert sweep failed")
                return
        if seq is not None:
            self._notify(seq)

    def _write_alert(self, w: Writer, alert: Alert, version: int, t: float) -> dict[str, Any]:
        seq = w.next_seq()
        record = alert_record(alert)
        record.update(version=version, updated_at=format_iso(t), seq=seq)
        body = dumps(record)
        w.alert(alert.id, alert.rule, int(alert.severity), alert.subject, alert.time,
                alert.state.value, t, version, seq, body)  # fmt: skip
        w.change(seq, t, "alert", "upsert", alert.id, body)
        return record

    # ---- reading (records as the API sends them) ---------------------------------------
    def report_record(self, report_id: str) -> dict[str, Any]:
        body = self.storage.report_body(report_id)
        if body is None:
            raise KeyError(report_id)
        return json.loads(body)

    # ---- persistence -------------------------------------------------------------------
    def _persist(self, track_keys: list[str], report_ids: list[str], history: list[tuple],
                 created: list[tuple[str, str]], t: float, *,
                 transitions: Iterable[str] = ()) -> int:  # fmt: skip
        pic = self.picture
        updated_at = format_iso(t)
        new_track_versions: dict[str, int] = {}
        new_report_versions: dict[str, int] = {}
        with self.storage.write() as w:
            for key in track_keys:
                tr = pic.track(key)
                seq = w.next_seq()
                version = self._track_versions.get(key, 0) + 1
                new_track_versions[key] = version
                rec = track_record(tr)
                rec.update(version=version, updated_at=updated_at, seq=seq)
                body = dumps(rec)
                ht, hla, hlo = pic.history(key)
                st = pic.track_state(key)  # fields, sources, last time, stale in one read
                state = dumps({"fields": st.fields, "sources": st.sources,
                               "last_time": st.last_time, "stale_s": st.stale_s,
                               "history": [ht.tolist(), hla.tolist(), hlo.tolist()]})  # fmt: skip
                w.track(key, tr.domain.label, tr.lat, tr.lon, tr.time, t, version, seq, body,
                        state)  # fmt: skip
                w.change(seq, t, "track", "upsert", key, body)
            w.history(history)
            # A new report's trail is its creation entry; a transition adds the last one.
            for rid, e in [*((r, self._trails[r][0]) for r, _src in created),
                           *((r, self._trails[r][-1]) for r in transitions)]:  # fmt: skip
                w.trail(rid, e["from"], e["to"], e["actor"], t, e["rationale"])
            for rid in report_ids:
                rep = pic.report(rid)
                seq = w.next_seq()
                version = self._report_versions.get(rid, 0) + 1
                new_report_versions[rid] = version
                rec = report_record(rep)
                rec.update(version=version, updated_at=updated_at, seq=seq,
                           trail=self._trails.get(rid, []))  # fmt: skip
                body = dumps(rec)
                state = _report_state(rep)
                state["trail"] = self._trails.get(rid, [])
                w.report(rid, rep.status.value, rep.event_type.value, rep.time, rep.lat,
                         rep.lon, rep.reliability, t, version, seq, body,
                         dumps(state))  # fmt: skip
                w.change(seq, t, "report", "upsert", rid, body)
            seq = w.seq
        self._track_versions.update(new_track_versions)
        self._report_versions.update(new_report_versions)
        return seq

    def _notify(self, seq: int) -> None:
        for listener in list(self._listeners):
            try:
                listener(seq)
            except Exception:  # a broken listener must not fail the write that succeeded
                log.exception("change listener failed")

    # ---- retention -------------------------------------------------------------------
    def prune(self) -> tuple[int, int]:
        """Drop history and change-log rows older than the retention period."""
        return self.storage.prune(now() - self.retention_s)

    def start_maintenance(self, every_s: float = 3600.0) -> None:
        def loop() -> None:
            while not self._stop.wait(every_s):
                try:
                    self.prune()
                except Exception:
                    log.exception("pruning failed")

        self.prune()
        self._maintenance = threading.Thread(target=loop, name="cop-prune", daemon=True)
        self._maintenance.start()
        self.start_alert_sweep()

    def start_alert_sweep(self, every_s: float | None = None) -> None:
        """Evaluate every rule over the whole picture every ``every_s`` seconds."""
        every = every_s if every_s is not None else self.alerts.policy.sweep_s

        def loop() -> None:
            while not self._stop.wait(every):
                self.sweep_alerts()

        self._sweeper = threading.Thread(target=loop, name="cop-alerts", daemon=True)
        self._sweeper.start()

    def close(self) -> None:
        self._stop.set()
        self.storage.close()


# ---- record helpers ----------------------------------------------------------------------
def _trail_entry(frm: str | None, to: str, actor: str, t: float, rationale: str) -> dict:
    return {"from": frm, "to": to, "actor": actor, "time": format_iso(t), "rationale": rationale}


_REPORT_SKIP = {"trail"}


def _report_state(rep: LandReport) -> dict[str, Any]:
    return {f.name: getattr(rep, f.name) for f in fields(LandReport) if f.name not in _REPORT_SKIP}


def _report_from_state(st: dict[str, Any]) -> LandReport:
    known = {f.name for f in fields(LandReport)} - _REPORT_SKIP
    kw = {k: v for k, v in st.items() if k in known}
    kw["sources"] = tuple(kw.get("sources") or ())
    rep = LandReport(**kw)
    rep.event_type = _enum(EventType, rep.event_type, EventType.OTHER)
    rep.status = _enum(VerificationStatus, rep.status, VerificationStatus.REPORTED)
    return rep


def _enum(cls, value, default):
    try:
        return cls(value)
    except ValueError:
        return default


def _time_value(value: Any) -> float | None:
    """A validity bound given as epoch seconds or ISO 8601; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a time must be ISO 8601 or epoch seconds")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError("a time must be finite")
        return float(value)
    return parse_iso(str(value))


def _normal_zone_feature(feat: dict[str, Any]) -> dict[str, Any]:
    """The wire form of a zone: id at top level and in properties, ISO validity."""
    props = dict(feat.get("properties") or {})
    zid = feat.get("id") or props.get("id")
    if not zid:
        raise ValueError("a zone needs an id")
    geometry = feat.get("geometry")
    if not isinstance(geometry, dict):
        raise ValueError("a zone needs a geometry")
    props["id"] = str(zid)
    for key in ("valid_from", "valid_to"):
        t = _time_value(props.get(key))
        props[key] = format_iso(t) if t is not None else None
    props.pop("version", None)
    props.pop("updated_at", None)
    props.pop("seq", None)
    return {"type": "Feature", "id": str(zid), "geometry": geometry, "properties": props}


def _zone_feature_for_core(feat: dict[str, Any]) -> dict[str, Any]:
    """Zone.from_feature wants epoch seconds for validity; the wire carries ISO."""
    props = dict(feat.get("properties") or {})
    for key in ("valid_from", "valid_to"):
        props[key] = _time_value(props.get(key))
    return {**feat, "properties": props}


def _same_zone(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    props = {k: v for k, v in stored.get("properties", {}).items()
             if k not in ("version", "updated_at", "seq")}  # fmt: skip
    return stored.get("geometry") == new["geometry"] and props == new["properties"]


def alert_record(alert: Alert) -> dict[str, Any]:
    def iso(t: float | None) -> str | None:
        return format_iso(t) if t is not None else None

    return {
        "kind": "alert",
        "id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity.name.lower(),
        "subject": alert.subject,
        "time": iso(alert.time),
        "lat": alert.lat,
        "lon": alert.lon,
        "state": alert.state.value,
        "message": alert.message,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso(alert.acknowledged_at),
        "snoozed_until": iso(alert.snoozed_until),
        "cleared_at": iso(alert.cleared_at),
    }

