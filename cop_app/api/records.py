"""Wire records (the API's JSON) into the Picture: the inverse of ``core.records``.

The server's record is the current state of a track or report, not one observation,
so it is restored as a whole (``Picture.restore_track`` / ``restore_report``) rather
than merged like a feed update: a field the server dropped is dropped here too, and
the client ends with exactly the server's state. Positions still accumulate into the
track's kept history, one point per state that moved it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cop_app.core.entities import LandReport, Zone
from cop_app.core.enums import Domain, EventType
from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import TRACK_FIELDS
from cop_app.core.verification import Transition, VerificationStatus

# Record keys that are the track's identity, position or bookkeeping, not its fields.
_TRACK_META = frozenset({"kind", "domain", "id", "lat", "lon", "time", "sources", "version",
                         "updated_at", "seq", "stale_at"})  # fmt: skip
_FIELD_KEYS = frozenset(TRACK_FIELDS)


def wire_time(value: Any) -> float | None:
    """A record time: ISO 8601 text (the contract) or epoch seconds (tolerated)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return parse_iso(str(value))


def track_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The Picture's per-track attributes from a record (known field names only)."""
    return {k: v for k, v in record.items()
            if k in _FIELD_KEYS and k not in _TRACK_META and v is not None}  # fmt: skip


def _track_state(picture: Picture, record: dict[str, Any]) -> tuple:
    """(key, domain, fields, sources, last_time, stale_s, (t, lat, lon)) for a restore."""
    key = str(record["id"])
    domain = Domain.parse(str(record["domain"]))
    fields = track_fields(record)
    t = wire_time(record.get("time"))
    lat, lon = record.get("lat"), record.get("lon")
    has_fix = t is not None and lat is not None and lon is not None
    if key not in picture:  # the common case of an initial sync: no history to extend
        history = ([t], [lat], [lon]) if has_fix else (_EMPTY, _EMPTY, _EMPTY)
    else:
        ht, hla, hlo = picture.history(key)
        n = len(ht)
        if has_fix and not (n and ht[-1] == t and hla[-1] == lat and hlo[-1] == lon):
            ht, hla, hlo = np.append(ht, t), np.append(hla, lat), np.append(hlo, lon)
        history = (ht, hla, hlo)
    stale_at = wire_time(record.get("stale_at"))
    if stale_at is not None and t is not None:
        stale_s = max(0.0, stale_at - t)
    else:
        stale_s = picture.stale.for_update(domain, fields)
    sources = [str(s) for s in record.get("sources") or ()]
    last = float("-inf") if t is None else t
    return key, domain, fields, sources, last, stale_s, history


_EMPTY = np.empty(0)


def apply_track(picture: Picture, record: dict[str, Any]) -> str:
    """Make the picture's track equal to ``record``; returns its key."""
    key, domain, fields, sources, last, stale_s, history = _track_state(picture, record)
    picture.restore_track(key, domain, fields=fields, sources=sources, last_time=last,
                          stale_s=stale_s, history=history)  # fmt: skip
    return key


def apply_tracks(picture: Picture, records: list[dict[str, Any]]) -> list[str]:
    """Many records at once (a page of the initial sync): one whole-column restore,
    ~20x cheaper than one ``restore_track`` per record at 100k tracks."""
    if not records:
        return []
    states = [_track_state(picture, r) for r in records]
    if not hasattr(picture, "restore_tracks"):  # a Picture without the batch restore
        for key, domain, fields, sources, last, stale_s, history in states:
            picture.restore_track(key, domain, fields=fields, sources=sources, last_time=last,
                                  stale_s=stale_s, history=history)  # fmt: skip
        return [st[0] for st in states]
    keys, domains, fields, sources, last, stale, hist = (list(c) for c in zip(*states, strict=True))
    history = ([h[0] for h in hist], [h[1] for h in hist], [h[2] for h in hist])
    picture.restore_tracks(keys, domains, fields=fields, sources=sources, last_time=last,
                           stale_s=stale, history=history)  # fmt: skip
    return keys


def _status(value: Any, default: VerificationStatus) -> VerificationStatus:
    try:
        return VerificationStatus(value)
    except ValueError:
        return default


def _trail(steps: Any) -> list[Transition]:
    """Trail steps as the server sends them (``from``/``to``; the first step, the
    report's creation, has no ``from`` and reads as from ``reported``)."""
    out = []
    for s in steps or ():
        out.append(Transition(
            from_status=_status(s.get("from_status", s.get("from")), VerificationStatus.REPORTED),
            to_status=_status(s.get("to_status", s.get("to")), VerificationStatus.REPORTED),
            actor=str(s.get("actor") or ""),
            time=wire_time(s.get("time")) or 0.0,
            rationale=str(s.get("rationale") or ""),
        ))  # fmt: skip
    return out


def report_from_record(record: dict[str, Any]) -> LandReport:
    """A LandReport exactly as the record describes it (trail included when sent)."""
    try:
        event_type = EventType(record.get("event_type"))
    except ValueError:
        event_type = EventType.OTHER
    known = {"kind", "domain", "id", "lat", "lon", "time", "status", "event_type", "sources",
             "name", "text", "reliability", "credibility", "perception", "count", "time_end",
             "geometry", "trail", "version", "updated_at", "seq"}  # fmt: skip
    lat, lon = record.get("lat"), record.get("lon")
    geometry = record.get("geometry")
    if geometry is None and lat is not None and lon is not None:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    return LandReport(
        id=str(record["id"]),
        version=int(record.get("version") or 1),
        updated_at=wire_time(record.get("updated_at")) or 0.0,
        sources=tuple(str(s) for s in record.get("sources") or ()),
        time=wire_time(record.get("time")),
        lat=lat,
        lon=lon,
        event_type=event_type,
        status=_status(record.get("status"), VerificationStatus.REPORTED),
        title=str(record.get("name") or ""),
        text=str(record.get("text") or ""),
        perception=record.get("perception"),
        count=record.get("count"),
        reliability=record.get("reliability"),
        credibility=record.get("credibility"),
        time_end=wire_time(record.get("time_end")),
        geometry=geometry,
        trail=_trail(record.get("trail")),
        fields={k: v for k, v in record.items() if k not in known},
    )


def apply_report(picture: Picture, record: dict[str, Any]) -> str:
    report = report_from_record(record)
    old = picture.report(report.id)
    if old is not None and not report.trail and "trail" not in record:
        report.trail = list(old.trail)  # a change without the trail keeps the known one
    picture.restore_report(report)
    return report.id


def apply_zone(picture: Picture, feature: dict[str, Any]) -> str:
    """A zone feature; its validity times arrive as ISO text, the Zone keeps epoch seconds."""
    props = dict(feature.get("properties") or {})
    for name in ("valid_from", "valid_to"):
        props[name] = wire_time(props.get(name))
    zone = Zone.from_feature({**feature, "properties": props})
    picture.set_zone(zone)
    return zone.id
