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
_FIELD_ONLY = _FIELD_KEYS - _TRACK_META


def wire_time(value: Any) -> float | None:
    """A record time: ISO 8601 text (the contract) or epoch seconds (tolerated)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return parse_iso(str(value))


def track_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The Picture's per-track attributes from a record (known field names only)."""
    return {k: v for k, v in record.items() if k in _FIELD_ONLY and v is not None}


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
    """Many records at once (a page of the initial sync): one whole-column restore.

    Tracks the picture does not hold yet (all of them in an initial sync) are built
    as columns: times parsed in one numpy pass, history as one-point blocks, so the
    only per-record Python work is picking the fields. Tracks already held (their
    history is extended) and repeated ids take the per-record path, in order.
    """
    if not records:
        return []
    if not hasattr(picture, "restore_tracks"):  # a Picture without the batch restore
        return [apply_track(picture, r) for r in records]
    keys = [str(r["id"]) for r in records]
    seen: set[str] = set()
    fresh: list[int] = []
    for i, key in enumerate(keys):
        if key not in seen and key not in picture:
            fresh.append(i)
        seen.add(key)
    rest = [records[i] for i in sorted(set(range(len(records))) - set(fresh))]
    if fresh:
        batch = records if len(fresh) == len(records) else [records[i] for i in fresh]
        try:
            _restore_fresh(picture, [keys[i] for i in fresh], batch)
        except ValueError:  # an odd record (a source that is not text...): one by one
            rest = records
    for rec in rest:
        apply_track(picture, rec)
    return keys


_DOMAIN_NAMES = {d.name.lower(): d for d in Domain}


def _domain(name: Any) -> Domain:
    found = _DOMAIN_NAMES.get(name)
    return Domain.parse(str(name)) if found is None else found


def _restore_fresh(picture: Picture, keys: list[str], records: list[dict[str, Any]]) -> None:
    """``restore_tracks`` for tracks new to the picture; raises ValueError naming a bad one."""
    m = len(records)
    field_keys = _FIELD_ONLY
    fields = [{k: v for k, v in r.items() if k in field_keys and v is not None}
              for r in records]  # fmt: skip
    domains = [_domain(r["domain"]) for r in records]
    t = wire_times([r.get("time") for r in records])
    lat = np.array([r.get("lat") for r in records], dtype=np.float64).reshape(m)
    lon = np.array([r.get("lon") for r in records], dtype=np.float64).reshape(m)
    has_fix = ~(np.isnan(t) | np.isnan(lat) | np.isnan(lon))
    stale_at = wire_times([r.get("stale_at") for r in records])
    stale = np.maximum(0.0, stale_at - t)
    for i in np.flatnonzero(np.isnan(stale)).tolist():
        stale[i] = picture.stale.for_update(domains[i], fields[i])
    picture.restore_tracks(keys, domains, fields=fields,
                           sources=[r.get("sources") or () for r in records],
                           last_time=np.where(np.isnan(t), -np.inf, t), stale_s=stale,
                           history=(t[:, None], lat[:, None], lon[:, None]),
                           history_n=has_fix.astype(np.int64))  # fmt: skip


def wire_times(values: list[Any]) -> np.ndarray:
    """``wire_time`` of many values as a float array (NaN for None).

    The server writes every time as ``YYYY-MM-DDTHH:MM:SS[.fff]Z``; those are parsed
    by numpy in one pass (about 20x cheaper than one ``parse_iso`` each). Anything
    else (another offset, epoch numbers, None) takes ``wire_time`` value by value.
    """
    if values and all(type(v) is str and len(v) in (20, 24) and v[-1] == "Z" for v in values):
        try:
            stamps = np.array([v[:-1] for v in values], dtype="datetime64[us]")
        except ValueError:
            stamps = None
        if stamps is not None and not np.isnat(stamps).any():
            return stamps.astype(np.int64) / 1e6
    out = [wire_time(v) for v in values]
    return np.array([np.nan if x is None else x for x in out], dtype=np.float64)


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
