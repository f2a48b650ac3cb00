"""Track rules: whole-column tests over ``TrackColumns``; a Python loop only over the
few rows that end up holding a condition (to build their messages).

Each function adds its conditions to ``out`` keyed by (subject, rule).
"""

from __future__ import annotations

import numpy as np
import shapely

from cop_app.core.enums import Domain, Severity, ZoneKind
from cop_app.core.geo import M_PER_NM, haversine_m
from cop_app.core.rules import config as R
from cop_app.core.rules.columns import TrackColumns
from cop_app.core.rules.condition import Condition, Conditions
from cop_app.core.rules.wording import zone_phrase
from cop_app.core.rules.zones import PreparedZone
from cop_app.core.timeutil import format_iso

AIRSPACE = (ZoneKind.PROHIBITED_AIRSPACE, ZoneKind.RESTRICTED_AIRSPACE)


def _cond(c: TrackColumns, i: int, rule: str, severity: Severity, message: str,
          zone: str | None = None, **details) -> Condition:  # fmt: skip
    return Condition(c.key(i), rule, severity, float(c.time[i]), float(c.lat[i]),
                     float(c.lon[i]), message, zone, details)  # fmt: skip


def _zone_label(z: PreparedZone) -> str:
    return zone_phrase(z.zone)


def air_zone_entry(c: TrackColumns, air: np.ndarray, zones: list[PreparedZone],
                   cfg: R.RuleConfig, out: Conditions) -> None:  # fmt: skip
    """Air tracks inside prohibited/restricted airspace (between floor and ceiling) or a
    buffer zone; one condition per track naming the most severe zone (then by id)."""
    best_sev = np.zeros(len(c), np.int8)
    best_zone = np.full(len(c), -1)
    exempt = np.isin(c.identity, [int(i) for i in cfg.airspace_exempt])
    idx = np.flatnonzero(air & ~exempt)
    lon, lat, alt_ft = c.lon[idx], c.lat[idx], c.altitude_ft[idx]
    cands = [z for z in sorted(zones, key=lambda z: z.id)
             if z.polygonal and z.kind in R.AIR_ZONE_SEVERITY]  # fmt: skip
    for k, z in enumerate(cands):
        sev = R.AIR_ZONE_SEVERITY[z.kind]
        inside = z.contains(lon, lat)
        inside &= z.altitude_ok(alt_ft, cfg.unknown_altitude_inside)
        hit = idx[inside & (best_sev[idx] < sev)]
        best_sev[hit] = sev
        best_zone[hit] = k
    for i in np.flatnonzero(best_zone >= 0).tolist():
        z = cands[int(best_zone[i])]
        alt = c.altitude_ft[i]
        known = alt == alt
        # The altitude goes to details, not the message: a climbing aircraft would
        # rewrite its alert at every fix (messages carry no live numbers).
        out[(c.key(i), R.AIR_ZONE)] = _cond(
            c, i, R.AIR_ZONE, Severity(int(best_sev[i])),
            f"{c.name(i)} entered {_zone_label(z)}{'' if known else ', altitude unknown'}",
            z.id, altitude_ft=float(alt) if known else None,
            altitude_hae=bool(c.altitude_hae[i]))


def ceasefire_crossing(c: TrackColumns, air: np.ndarray, zones: list[PreparedZone],
                       cfg: R.RuleConfig, out: Conditions) -> None:  # fmt: skip
    """The segment from an air track's previous fix to its last one intersects the line."""
    lines = [z for z in zones if z.kind is ZoneKind.CEASEFIRE_LINE]
    if not lines:
        return
    cand = air & np.isfinite(c.prev_lat)
    for z in lines:
        w, s, e, n = z.bounds
        lo1, la1, lo2, la2 = c.prev_lon, c.prev_lat, c.lon, c.lat
        box = (cand & (np.maximum(lo1, lo2) >= w) & (np.minimum(lo1, lo2) <= e)
               & (np.maximum(la1, la2) >= s) & (np.minimum(la1, la2) <= n))  # fmt: skip
        if z.grid is not None:
            # A segment shorter than a grid cell lies in the 3x3 cells around its start;
            # it can only meet the line if one of those cells does.
            g = z.grid
            long_seg = (np.abs(lo2 - lo1) >= g.dx) | (np.abs(la2 - la1) >= g.dy)
            box &= long_seg | g.near(lo1, la1)
        idx = np.flatnonzero(box)
        if not len(idx):
            continue
        coords = np.stack([np.column_stack((lo1[idx], la1[idx])),
                           np.column_stack((lo2[idx], la2[idx]))], axis=1)  # fmt: skip
        segs = shapely.linestrings(coords)
        hit = idx[shapely.intersects(segs, z.geometry)]
        sev = cfg.severity_of(R.CEASEFIRE_CROSSING)
        for i in hit.tolist():
            out[(c.key(i), R.CEASEFIRE_CROSSING)] = _cond(
                c, i, R.CEASEFIRE_CROSSING, sev,
                f"{c.name(i)} crossed {_zone_label(z)} between {format_iso(c.prev_time[i])} and "
                f"{format_iso(c.time[i])}", z.id,
                from_lat=float(c.prev_lat[i]), from_lon=float(c.prev_lon[i]))


def squawk(c: TrackColumns, air: np.ndarray, squawks: list, cfg: R.RuleConfig,
           out: Conditions) -> None:  # fmt: skip
    """7500/7600/7700 (``squawks`` holds the squawk of each ``air`` row, in order)."""
    sev = cfg.severity_of(R.SQUAWK)
    names = cfg.squawks
    idx = np.flatnonzero(air)
    for k in [k for k, s in enumerate(squawks) if s is not None and s in names]:
        i = int(idx[k])
        code = squawks[k]
        out[(c.key(i), R.SQUAWK)] = _cond(c, i, R.SQUAWK, sev,
                                          f"{c.name(i)} squawking {code} {names[code]}",
                                          code=code)  # fmt: skip


def sea_restricted(c: TrackColumns, sea: np.ndarray, zones: list[PreparedZone],
                   cfg: R.RuleConfig, out: Conditions) -> None:  # fmt: skip
    sev = cfg.severity_of(R.RESTRICTED_AREA)
    for z in sorted(zones, key=lambda z: z.id):
        if z.kind is not ZoneKind.RESTRICTED_AREA or not z.polygonal:
            continue
        idx = np.flatnonzero(sea)
        for i in idx[z.contains(c.lon[idx], c.lat[idx])].tolist():
            out.setdefault((c.key(i), R.RESTRICTED_AREA), _cond(
                c, i, R.RESTRICTED_AREA, sev, f"{c.name(i)} entered {_zone_label(z)}",
                z.id))


def corridor_departure(c: TrackColumns, sea: np.ndarray, corridors: list[PreparedZone],
                       seen: np.ndarray, cfg: R.RuleConfig, out: Conditions) -> None:  # fmt: skip
    """A vessel that was in a corridor (``seen``, by column row; updated here) and is now
    further from every corridor than the departure distance."""
    if not corridors:
        return
    idx = np.flatnonzero(sea)
    lon, lat = c.lon[idx], c.lat[idx]
    inside = np.zeros(len(idx), bool)
    near = np.zeros(len(idx), bool)
    for z in corridors:
        inside |= z.contains(lon, lat)
        near |= z.in_outer(lon, lat)
    prev = np.isfinite(c.prev_lat[idx]) & ~seen[idx]
    pidx = np.flatnonzero(prev)
    for z in corridors:
        if len(pidx):
            seen[idx[pidx]] |= z.contains(c.prev_lon[idx[pidx]], c.prev_lat[idx[pidx]])
    seen[idx] |= inside
    sev = cfg.severity_of(R.CORRIDOR_DEPARTURE)
    z0 = corridors[0]
    for i in idx[seen[idx] & ~near].tolist():
        dist = cfg.corridor_departure_m
        dist = dist if dist is not None else (z0.zone.buffer_m or 0.0)
        out[(c.key(i), R.CORRIDOR_DEPARTURE)] = _cond(
            c, i, R.CORRIDOR_DEPARTURE, sev,
            f"{c.name(i)} left {_zone_label(z0)} by more than {dist:.0f} m", z0.id)


def loiter(c: TrackColumns, sea: np.ndarray, corridors: list[PreparedZone],
           slow_since: np.ndarray, history, cfg: R.RuleConfig, out: Conditions) -> None:
    """Below ``loiter_speed_kn`` inside a corridor for ``loiter_s``.

    ``slow_since`` (by column row) carries the start of the slow run between
    evaluations; a row without one is seeded from the track's kept history (the run of
    fixes whose implied speeds stay below the threshold), so a single evaluation of a
    picture with enough history finds a loiterer too. ``history(rows)`` gives blocks.
    """
    idx = np.flatnonzero(sea)
    inside = np.zeros(len(idx), bool)
    zone_of = np.full(len(idx), -1)
    for k, z in enumerate(corridors):
        hit = z.contains(c.lon[idx], c.lat[idx]) & ~inside
        zone_of[hit] = k
        inside |= hit
    speed = c.speed_kn[idx].copy()
    implied = _implied_kn(c.prev_lat[idx], c.prev_lon[idx], c.prev_time[idx],
                          c.lat[idx], c.lon[idx], c.time[idx])  # fmt: skip
    speed = np.where(np.isfinite(speed), speed, implied)
    slow = inside & (speed < cfg.loiter_speed_kn)
    slow_since[idx[~slow]] = np.nan
    seed = np.flatnonzero(slow & np.isnan(slow_since[idx]))
    if len(seed):
        slow_since[idx[seed]] = _run_start(c, idx[seed], history, cfg.loiter_speed_kn)
    run = c.time[idx] - slow_since[idx]
    sev = cfg.severity_of(R.LOITER)
    for k in np.flatnonzero(slow & (run >= cfg.loiter_s)).tolist():
        i = int(idx[k])
        z = corridors[int(zone_of[k])]
        out[(c.key(i), R.LOITER)] = _cond(
            c, i, R.LOITER, sev,
            f"{c.name(i)} below {cfg.loiter_speed_kn:g} kn in {_zone_label(z)} since "
            f"{format_iso(slow_since[i])}", z.id, since=float(slow_since[i]))


def _implied_kn(lat1, lon1, t1, lat2, lon2, t2) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        d = haversine_m(lat1, lon1, lat2, lon2)
        return d / M_PER_NM / ((t2 - t1) / 3600.0)


def _run_start(c: TrackColumns, rows: np.ndarray, history, limit_kn: float) -> np.ndarray:
    """Time of the first fix of the slow run that ends at each row's last fix."""
    ht, hla, hlo = history(c.rows[rows])
    last = c.hist_i[rows]
    k = ht.shape[1]
    if k < 2:
        return c.time[rows].copy()
    seg = _implied_kn(hla[:, :-1], hlo[:, :-1], ht[:, :-1], hla[:, 1:], hlo[:, 1:], ht[:, 1:])
    valid = np.arange(k - 1)[None, :] < last[:, None]  # segment j ends at point j+1 <= last
    fast = valid & ~(seg < limit_kn)
    # the last fast segment j -> run starts at point j+1; none -> at point 0
    any_fast = fast.any(axis=1)
    j = k - 2 - np.argmax(fast[:, ::-1], axis=1)
    start = np.where(any_fast, j + 1, 0)
    return ht[np.arange(len(rows)), start]


def ais_gap(c: TrackColumns, sea: np.ndarray, cfg: R.RuleConfig, out: Conditions) -> None:
    """Silent for at least ``gap_s`` (open gap, at the last fix), or just back after such a
    silence (the last interval between fixes; at the fix where it came back)."""
    silent_for = c.t - c.time
    open_gap = sea & (silent_for >= cfg.gap_s) & (silent_for < cfg.gap_max_s)
    dark = c.time - c.prev_time
    back = sea & ~open_gap & (dark >= cfg.gap_s)
    sev = cfg.severity_of(R.AIS_GAP)
    for i in np.flatnonzero(open_gap).tolist():
        out[(c.key(i), R.AIS_GAP)] = _cond(
            c, i, R.AIS_GAP, sev,
            f"{c.name(i)} silent on AIS since {format_iso(c.time[i])} at {c.lat[i]:.4f}, "
            f"{c.lon[i]:.4f}",
            silent_at=float(c.time[i]), silent_lat=float(c.lat[i]),
            silent_lon=float(c.lon[i]))
    for i in np.flatnonzero(back).tolist():
        out[(c.key(i), R.AIS_GAP)] = _cond(
            c, i, R.AIS_GAP, sev,
            f"{c.name(i)} back on AIS after {dark[i] / 60:.0f} min: silent at "
            f"{c.prev_lat[i]:.4f}, "
            f"{c.prev_lon[i]:.4f} ({format_iso(c.prev_time[i])}), back at {c.lat[i]:.4f}, "
            f"{c.lon[i]:.4f} ({format_iso(c.time[i])})",
            silent_at=float(c.prev_time[i]), silent_lat=float(c.prev_lat[i]),
            silent_lon=float(c.prev_lon[i]), back_at=float(c.time[i]),
            back_lat=float(c.lat[i]), back_lon=float(c.lon[i]))


def impossible_jump(c: TrackColumns, mask: np.ndarray, cfg: R.RuleConfig,
                    out: Conditions) -> None:  # fmt: skip
    """Implied speed between the last two fixes beyond what a ship/aircraft can do."""
    cand = mask & np.isfinite(c.prev_lat)
    idx = np.flatnonzero(cand)
    if not len(idx):
        return
    d = haversine_m(c.prev_lat[idx], c.prev_lon[idx], c.lat[idx], c.lon[idx])
    dt = c.time[idx] - c.prev_time[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        kn = np.where(dt > 0, d / M_PER_NM / (dt / 3600.0), np.inf)
    limit = np.where(c.domain[idx] == Domain.AIR, cfg.jump_air_kn, cfg.jump_sea_kn)
    hit = (d > cfg.jump_min_m) & (kn > limit)
    sev = cfg.severity_of(R.JUMP)
    for k in np.flatnonzero(hit).tolist():
        i = int(idx[k])
        speed = "instantly" if not np.isfinite(kn[k]) else f"at {kn[k]:.0f} kn"
        out[(c.key(i), R.JUMP)] = _cond(
            c, i, R.JUMP, sev,
            f"{c.name(i)} jumped {d[k] / 1000:.1f} km {speed} (limit {limit[k]:.0f} kn): possible "
            f"spoofing", from_lat=float(c.prev_lat[i]), from_lon=float(c.prev_lon[i]),
            implied_kn=None if not np.isfinite(kn[k]) else float(kn[k]))


def lost_in_zone(c: TrackColumns, zones: list[PreparedZone], cfg: R.RuleConfig,
                 out: Conditions) -> None:  # fmt: skip
    """Stale at ``t`` (but lost less than ``lost_max_s`` ago) with the last fix in a
    watched zone; airspace counts only for air tracks within its floor and ceiling."""
    age = c.t - c.time
    lost = ~c.alive & (age <= cfg.lost_max_s)
    sev = cfg.severity_of(R.LOST)
    for z in sorted(zones, key=lambda z: z.id):
        if z.kind not in R.WATCHED_KINDS or not z.polygonal:
            continue
        mask = lost.copy()
        if z.kind in AIRSPACE:
            mask &= c.domain == Domain.AIR
        idx = np.flatnonzero(mask)
        inside = z.contains(c.lon[idx], c.lat[idx])
        if z.kind in AIRSPACE:
            inside &= z.altitude_ok(c.altitude_ft[idx], cfg.unknown_altitude_inside)
        for i in idx[inside].tolist():
            out.setdefault((c.key(i), R.LOST), _cond(
                c, i, R.LOST, sev,
                f"{c.name(i)} lost in {_zone_label(z)}, last fix {format_iso(c.time[i])}", z.id,
                last_fix=float(c.time[i])))
