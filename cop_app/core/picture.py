"""The Picture: one columnar model of every track and report that all views share.

Tracks live in numpy columns (one row per track) and their position histories in
fixed-width 2-D columns (row x point), oldest first, padded with +inf times. That
layout lets ``as_of(t)`` answer for 100k tracks with a handful of whole-array
operations instead of a Python loop, and costs ~2 KB per track instead of ~17 KB
of per-point objects. Strings and rarely-read attributes stay in one dict per track.

The Picture is Qt-free and does no I/O; views subscribe with plain callbacks.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from cop_app.core.archive import FixArchive
from cop_app.core.entities import AirTrack, GroundTrack, LandReport, MaritimeTrack, Track, Zone
from cop_app.core.enums import EMERGENCY_SQUAWKS, Domain, EventType, Identity, PositionSource
from cop_app.core.geo import bbox_mask
from cop_app.core.updates import ParseError, ReportUpdate, TrackUpdate
from cop_app.core.verification import VerificationStatus

_INF = np.inf


def _locked(method):
    """Run a method holding the Picture's lock (feeds, the Syncer and the UI share it)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper

_NUMERIC = ("speed_kn", "course_deg", "heading_deg", "altitude_ft")
_DOMAINS = tuple(Domain)  # Domain by int code without an enum lookup per row
MAX_SOURCES = 16  # sources listed per track
_BULK_MIN = 32  # deferred fixes below this are written one by one
ARCHIVE_HORIZON_S = 6 * 3600.0  # at most this far around a replay time for archived fixes
# Replaying, a track whose next held fix comes within this of its last one was reporting
# all along: stored history is thinned (the server's backfill keeps one fix a minute, the
# demo's older hours one per two minutes), and judging staleness on the thinned fixes
# drew every aircraft (stale after 60 s) as lost half the time. A longer gap is silence.
BRIDGE_S = 180.0


@dataclass(frozen=True)
class StalePolicy:
    """Seconds after its last report that a track goes stale ("lost"), and how long a
    lost track is still kept on show before it goes.

    Stale defaults follow what officers know from tar1090 (ADS-B stale after ~60 s)
    and OpenCPN (AIS targets lost after several missed reports: class A reports every
    2 s-3 min, class B every 30 s-3 min). A CoT event's own ``stale`` wins.

    The lost periods are OpenCPN's "remove lost after" beside its "mark lost after":
    a lost track stays at its last position, drawn as lost, so a track that vanishes
    is seen to vanish. Air 5 min: at cruise speed an aircraft is ~35 NM on by then, so
    its last position says little more. Sea 30 min: a ship at 12 kn is ~6 NM on, and a
    class B or anchored ship may simply be between reports (every 3 min). Land 1 h:
    ground reports are sparse and units slow. An emergency squawk (7500/7600/7700, or
    a flagged emergency) stays 1 h whatever the domain: an aircraft that squawked
    hijack and then vanished is the one track an officer must not lose sight of.
    """

    air_s: float = 60.0
    mlat_s: float = 60.0
    sea_class_a_s: float = 360.0
    sea_class_b_s: float = 900.0
    land_s: float = 600.0
    lost_air_s: float = 300.0
    lost_sea_s: float = 1800.0
    lost_land_s: float = 3600.0
    lost_emergency_s: float = 3600.0

    def for_update(self, domain: Domain, fields: dict[str, Any]) -> float:
        if domain is Domain.AIR:
            return self.mlat_s if fields.get("position_source") == "mlat" else self.air_s
        if domain is Domain.SEA:
            return self.sea_class_b_s if fields.get("ais_class") == "B" else self.sea_class_a_s
        return self.land_s

    def lost_for(self, domain: Domain | int, fields: Mapping[str, Any] | None = None) -> float:
        """Seconds a track stays on show, drawn as lost, after it went stale."""
        lost = float(self.lost_by_domain[int(domain)])
        if fields and is_emergency(fields):
            return max(lost, self.lost_emergency_s)
        return lost

    @functools.cached_property
    def lost_by_domain(self) -> np.ndarray:
        """Lost periods indexed by domain code (whole-column lookups; read once per
        new track, so made once)."""
        by = {Domain.AIR: self.lost_air_s, Domain.SEA: self.lost_sea_s,
              Domain.LAND: self.lost_land_s}  # fmt: skip
        return np.array([by[d] for d in _DOMAINS], np.float64)


def emergency_text(fields: Mapping[str, Any]) -> str | None:
    """tar1090's name for an emergency squawk (7500/7600/7700) or a flagged emergency
    ("EMERGENCY"), else None: the map, the table, the snapshot and the HTML say it."""
    squawk = fields.get("squawk")
    name = EMERGENCY_SQUAWKS.get(str(squawk).strip()) if squawk is not None else None
    if name is None and fields.get("emergency"):
        name = "EMERGENCY"
    return name


def is_emergency(fields: Mapping[str, Any]) -> bool:
    """An emergency squawk (7500/7600/7700) or a flagged emergency."""
    return emergency_text(fields) is not None


@dataclass(frozen=True)
class Frame:
    """Tracks as they stood at one moment: parallel arrays, ready to draw or filter.

    ``rows`` index the Picture's columns; ``keys`` are the track identities.
    """

    t: float
    rows: np.ndarray
    keys: list[str]
    domain: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    time: np.ndarray  # time of the last report at or before t
    identity: np.ndarray
    speed_kn: np.ndarray
    course_deg: np.ndarray
    heading_deg: np.ndarray
    altitude_ft: np.ndarray
    stale_at: np.ndarray | None = None  # when each track went (or goes) stale

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def lost(self) -> np.ndarray:
        """Tracks past their stale time at ``t`` (kept on show, drawn as lost)."""
        if self.stale_at is None:
            return np.zeros(len(self.rows), bool)
        return self.t > self.stale_at

    def counts(self) -> dict[str, int]:
        return {d.label: int(np.count_nonzero(self.domain == d)) for d in Domain}

    def select(self, mask: np.ndarray) -> Frame:
        idx = np.flatnonzero(mask)
        return Frame(
            t=self.t,
            rows=self.rows[idx],
            keys=[self.keys[i] for i in idx],
            domain=self.domain[idx],
            lat=self.lat[idx],
            lon=self.lon[idx],
            time=self.time[idx],
            identity=self.identity[idx],
            speed_kn=self.speed_kn[idx],
            course_deg=self.course_deg[idx],
            heading_deg=self.heading_deg[idx],
            altitude_ft=self.altitude_ft[idx],
            stale_at=None if self.stale_at is None else self.stale_at[idx],
        )


@dataclass
class PictureChange:
    """What one upsert or batch touched, handed to subscribers."""

    tracks: set[str] = field(default_factory=set)
    reports: set[str] = field(default_factory=set)
    zones: set[str] = field(default_factory=set)
    history: bool = False  # archived fixes arrived (older than the kept history)

    def __bool__(self) -> bool:
        return bool(self.tracks or self.reports or self.zones or self.history)

    def absorb(self, other: PictureChange) -> None:
        """Fold ``other`` into this one (coalescing several changes into one)."""
        self.tracks |= other.tracks
        self.reports |= other.reports
        self.zones |= other.zones
        self.history |= other.history


Subscriber = Callable[[PictureChange], None]


class TrackState(NamedTuple):
    """One track as saved and restored (cache, server state), without building an entity.

    ``fields`` is a copy of the track's attributes; the history is read apart with
    ``Picture.history(key)``.
    """

    key: str
    domain: Domain
    fields: dict[str, Any]
    sources: tuple[str, ...]
    last_time: float
    stale_s: float


class Picture:
    def __init__(
        self,
        *,
        history_points: int = 60,
        history_seconds: float = 3600.0,
        stale: StalePolicy | None = None,
        capacity: int = 1024,
    ) -> None:
        if history_points < 2:
            raise ValueError("history_points must be at least 2 (interpolation needs two)")
        self.history_points = history_points
        self.history_seconds = float(history_seconds)
        self.stale = stale or StalePolicy()
        self._n = 0
        self._index: dict[str, int] = {}
        self._keys: list[str] = []
        self._attrs: list[dict[str, Any]] = []
        self._sources: list[list[str]] = []
        self._alloc(capacity)
        self._reports: dict[str, LandReport] = {}
        self._report_cols: tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None = None
        self.zones: dict[str, Zone] = {}
        # Fixes older than the kept history, fetched for replay (see core/archive.py).
        self.archive = FixArchive()
        self._subscribers: list[Subscriber] = []
        # One re-entrant lock for writers (feeds, the Syncer, imports) and readers (views):
        # numpy columns are not safe to grow or shift while another thread reads them.
        self.lock = threading.RLock()
        self._pending: PictureChange | None = None
        self._batch_depth = 0
        self.version = 0  # bumps on every change; views compare it to skip redraws
        # upsert_many defers fixes here (row -> (t, lat, lon)) and writes them as columns.
        self._points: dict[int, tuple[float, float, float]] | None = None

    # ---- storage -------------------------------------------------------------------
    def _alloc(self, capacity: int) -> None:
        k = self.history_points
        self._domain = np.zeros(capacity, np.int8)
        self._identity = np.full(capacity, int(Identity.UNKNOWN), np.int8)
        self._time = np.full(capacity, -_INF)  # last heard, any message
        self._pos_time = np.full(capacity, -_INF)
        self._lat = np.full(capacity, np.nan)
        self._lon = np.full(capacity, np.nan)
        self._stale_s = np.zeros(capacity)
        self._lost_s = np.zeros(capacity)  # on show as lost this long after stale
        self._num = {name: np.full(capacity, np.nan) for name in _NUMERIC}
        self._hist_t = np.full((capacity, k), _INF)
        self._hist_lat = np.full((capacity, k), np.nan)
        self._hist_lon = np.full((capacity, k), np.nan)
        self._hist_n = np.zeros(capacity, np.int32)

    def _grow(self, rows: int | None = None) -> None:
        """Double the columns (or grow them to ``rows`` if that is more)."""
        old = self._domain.shape[0]
        size = max(old * 2, rows or 0)
        fills = {"_domain": 0, "_identity": int(Identity.UNKNOWN), "_time": -_INF,
                 "_pos_time": -_INF, "_lat": np.nan, "_lon": np.nan, "_stale_s": 0.0,
                 "_lost_s": 0.0, "_hist_n": 0, "_hist_t": _INF, "_hist_lat": np.nan,
                 "_hist_lon": np.nan}
        for name, fill in fills.items():
            setattr(self, name, _grown(getattr(self, name), size, fill))
        for name, arr in self._num.items():
            self._num[name] = _grown(arr, size, np.nan)

    def _row_for(self, key: str, domain: Domain) -> int:
        row = self._index.get(key)
        if row is not None:
            return row
        if self._n == self._domain.shape[0]:
            self._grow()
        row = self._n
        self._n += 1
        self._index[key] = row
        self._keys.append(key)
        self._attrs.append({})
        self._sources.append([])
        self._domain[row] = domain
        self._lost_s[row] = self.stale.lost_for(domain)
        return row

    # ---- updates -------------------------------------------------------------------
    @_locked
    def upsert(self, update: TrackUpdate | ReportUpdate | ParseError) -> None:
        """Merge one update; errors are ignored here (the parser already counted them)."""
        if isinstance(update, TrackUpdate):
            self._upsert_track(update)
        elif isinstance(update, ReportUpdate):
            self._upsert_report(update)

    @_locked
    def upsert_many(self, updates: Iterable[TrackUpdate | ReportUpdate | ParseError]) -> int:
        """Merge a batch with one change notification; returns how many were merged."""
        n = 0
        with self.batch():
            track = self._upsert_track
            self._flush_points()  # an enclosing batch's fixes go first
            outer, self._points = self._points, {}
            try:
                for u in updates:
                    if type(u) is TrackUpdate:
                        track(u)
                        n += 1
                    elif type(u) is ReportUpdate:
                        self._upsert_report(u)
                        n += 1
            finally:
                self._flush_points()
                self._points = outer
        return n

    def _upsert_track(self, u: TrackUpdate) -> None:
        row = self._row_for(u.key, u.domain)
        f = u.fields
        t = u.time
        if f:
            attrs = self._attrs[row]
            if t < self._time[row]:
                # A late message (satellite AIS, a slow feed, files out of order) may fill
                # what we lack but never overwrite what a newer message said.
                f = {k: v for k, v in f.items() if k not in attrs}
            attrs.update(f)
            if "squawk" in f or "emergency" in f:
                self._lost_s[row] = self.stale.lost_for(u.domain, attrs)
            ident = f.get("identity")
            if ident is not None:
                self._identity[row] = _identity_of(ident)
            num = self._num
            for name in _NUMERIC:
                v = f.get(name)
                if v is not None:
                    num[name][row] = v
        srcs = self._sources[row]
        if u.source not in srcs:
            if len(srcs) >= MAX_SOURCES:
                del srcs[0]  # keep the most recent feeds; a replay of 900 files is not 900
            srcs.append(u.source)
        if t > self._time[row]:
            self._time[row] = t
            if u.stale_at is not None:
                self._stale_s[row] = max(0.0, u.stale_at - t)
            elif self._stale_s[row] == 0.0 or f:
                self._stale_s[row] = self.stale.for_update(Domain(u.domain), self._attrs[row])
        if u.lat is not None and u.lon is not None:
            points = self._points
            if points is None or not self._hist_n[row]:  # a first fix is no append
                self._add_point(row, t, u.lat, u.lon)
            else:
                earlier = points.pop(row, None)
                if earlier is not None:  # a second fix of a row in one batch sees the first
                    self._add_point(row, *earlier)
                points[row] = (t, u.lat, u.lon)
        self._changed(tracks=u.key)

    def _flush_points(self) -> None:
        """Write the deferred fixes (one per row) as whole-column operations.

        The common case, a fix newer than the row's last point, is an append (after
        dropping points past the age or count bound) and is done for all rows at once;
        first fixes, late and equal-time ones go through ``_add_point`` one by one. A
        100k-track position update spent ~half its time in per-row ``_add_point``.
        """
        points = self._points
        if not points:
            return
        if len(points) < _BULK_MIN:  # numpy's per-call cost beats a few scalar writes
            for row, fix in points.items():
                self._add_point(row, *fix)
            points.clear()
            return
        rows = np.fromiter(points.keys(), np.intp, len(points))
        tla = np.array(list(points.values()), float).reshape(-1, 3)
        points.clear()
        t, lat, lon = tla[:, 0], tla[:, 1], tla[:, 2]
        n = self._hist_n[rows].astype(np.intp)
        last = self._hist_t[rows, np.maximum(n - 1, 0)]
        fast = (n > 0) & (t > last)
        for j in np.flatnonzero(~fast).tolist():
            self._add_point(int(rows[j]), float(t[j]), float(lat[j]), float(lon[j]))
        rows, t, lat, lon, n = rows[fast], t[fast], lat[fast], lon[fast], n[fast]
        k = self.history_points
        ht = self._hist_t[rows]
        # Points older than the age bound go (the history is in time order), then the
        # oldest while the row is full: the same bounds ``_add_point`` keeps.
        drop = (ht < (t - self.history_seconds)[:, None]).sum(axis=1)
        drop = np.where(n - drop >= k, n - k + 1, drop)
        keep = n - drop
        shift = drop > 0
        if shift.any():
            r, d, kp = rows[shift], drop[shift], keep[shift]
            j = np.arange(k)[None, :]
            src = np.minimum(j + d[:, None], k - 1)
            gone = j >= kp[:, None]
            for col, fill in ((self._hist_t, _INF), (self._hist_lat, np.nan),
                              (self._hist_lon, np.nan)):  # fmt: skip
                block = np.take_along_axis(col[r], src, axis=1)
                block[gone] = fill
                col[r] = block
        self._hist_t[rows, keep] = t
        self._hist_lat[rows, keep] = lat
        self._hist_lon[rows, keep] = lon
        self._hist_n[rows] = keep + 1
        self._pos_time[rows] = t
        self._lat[rows] = lat
        self._lon[rows] = lon

    def _add_point(self, row: int, t: float, lat: float, lon: float) -> None:
        ht, hla, hlo = self._hist_t[row], self._hist_lat[row], self._hist_lon[row]
        n = int(self._hist_n[row])
        if n and t >= ht[n - 1]:
            if t == ht[n - 1] and lat == hla[n - 1] and lon == hlo[n - 1]:
                return  # the same fix relayed by a second source
            i = n
        elif n:
            i = int(np.searchsorted(ht[:n], t, side="right"))  # late arrival: keep time order
            if i and ht[i - 1] == t and hla[i - 1] == lat and hlo[i - 1] == lon:
                return
        else:
            i = 0
        # Drop points older than the age bound, then the oldest if the row is full.
        cutoff = max(t, ht[n - 1] if n else t) - self.history_seconds
        drop = int(np.searchsorted(ht[:n], cutoff, side="left")) if n and ht[0] < cutoff else 0
        if n - drop >= self.history_points:
            drop = n - self.history_points + 1
        if drop:
            if i < drop:
                return  # older than everything we keep
            keep = n - drop
            ht[:keep] = ht[drop:n]
            hla[:keep] = hla[drop:n]
            hlo[:keep] = hlo[drop:n]
            ht[keep:n] = _INF
            n, i = keep, i - drop
        if i < n:
            ht[i + 1 : n + 1] = ht[i:n].copy()
            hla[i + 1 : n + 1] = hla[i:n].copy()
            hlo[i + 1 : n + 1] = hlo[i:n].copy()
        ht[i] = t
        hla[i] = lat
        hlo[i] = lon
        n += 1
        self._hist_n[row] = n
        if i == n - 1:
            self._pos_time[row] = t
            self._lat[row] = lat
            self._lon[row] = lon

    def _upsert_report(self, u: ReportUpdate) -> None:
        rep = self._reports.get(u.id)
        f = u.fields
        if rep is None:
            rep = LandReport(id=u.id)
            self._reports[u.id] = rep
        else:
            rep.version += 1
        if u.source and u.source not in rep.sources:
            rep.sources = (*rep.sources, u.source)
        if u.time is not None:
            rep.time = u.time
        if u.lat is not None and u.lon is not None:
            rep.lat, rep.lon = u.lat, u.lon
        if u.geometry is not None:
            rep.geometry = u.geometry
        rep.fields.update(f)
        if "event_type" in f:
            rep.event_type = _enum_or(EventType, f["event_type"], EventType.OTHER)
        if "status" in f:
            rep.status = _enum_or(VerificationStatus, f["status"], rep.status)
        for name in ("title", "text"):
            if f.get(name) is not None:
                setattr(rep, name, str(f[name]))
        for name in ("perception", "count", "reliability", "credibility", "time_end", "ce90_m"):
            if name in f:
                setattr(rep, name, f[name])
        rep.updated_at = max(rep.updated_at, u.time or 0.0)
        self._report_cols = None
        self._changed(reports=u.id)

    @_locked
    def set_zone(self, zone: Zone) -> None:
        self.zones[zone.id] = zone
        self._changed(zones=zone.id)

    # ---- restore (offline cache) ----------------------------------------------------
    @_locked
    def restore_track(
        self,
        key: str,
        domain: Domain,
        *,
        fields: Mapping[str, Any],
        sources: Iterable[str],
        last_time: float,
        stale_s: float,
        history: tuple[Any, Any, Any],
    ) -> None:
        """Load one track as saved; raises ValueError (changing nothing) on a bad value."""
        try:
            code, attrs, srcs, ident, nums = _checked_row(key, domain, fields, sources)
            last, stale = float(last_time), float(stale_s)
            t, lat, lon = (np.asarray(a, dtype=np.float64).reshape(-1) for a in history)
            if not len(t) == len(lat) == len(lon):
                raise ValueError(f"history columns differ in length ({len(t)}, {len(lat)}, "
                                 f"{len(lon)})")  # fmt: skip
            if np.isnan(t).any():
                raise ValueError("a history time is NaN")
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"cannot restore track {key!r}: {exc}") from None
        row = self._row_for(key, _DOMAINS[code])
        self._domain[row] = code
        self._identity[row] = ident
        for name, v in zip(_NUMERIC, nums, strict=True):
            self._num[name][row] = v
        self._time[row] = last
        self._stale_s[row] = stale
        self._lost_s[row] = self.stale.lost_for(code, attrs)
        self._attrs[row] = attrs
        self._sources[row] = srcs
        # One row: a plain argsort is several times cheaper than the block path.
        order = np.argsort(t, kind="stable")[-self.history_points :]
        n = len(order)
        self._hist_t[row, :n] = t[order]
        self._hist_t[row, n:] = _INF
        self._hist_lat[row, :n] = lat[order]
        self._hist_lat[row, n:] = np.nan
        self._hist_lon[row, :n] = lon[order]
        self._hist_lon[row, n:] = np.nan
        self._hist_n[row] = n
        newest = order[-1] if n else None
        self._pos_time[row] = -_INF if newest is None else t[newest]
        self._lat[row] = np.nan if newest is None else lat[newest]
        self._lon[row] = np.nan if newest is None else lon[newest]
        self._changed(tracks=key)

    @_locked
    def restore_tracks(
        self,
        keys: Sequence[str],
        domains: Sequence[Domain | int] | np.ndarray,
        *,
        fields: Sequence[Mapping[str, Any]],
        sources: Sequence[Iterable[str]],
        last_time: Sequence[float] | np.ndarray,
        stale_s: Sequence[float] | np.ndarray,
        history: tuple[Any, Any, Any],
        history_n: Sequence[int] | np.ndarray | None = None,
        skip_bad: bool = False,
    ) -> dict[int, str]:
        """Load many saved tracks at once (cache start-up): whole-column writes, one
        notification. A restored track replaces any track with its key.

        ``history`` is (time, lat, lon): either 2-D arrays (track x point) of which row
        i holds ``history_n[i]`` points, or, without ``history_n``, one 1-D array per
        track. Points need not be in time order; the newest ``history_points`` are kept.

        Every row is checked before anything changes, so a bad row never leaves a
        partial track: a bad row raises ValueError naming it and nothing is restored,
        or, with ``skip_bad``, is left out and returned as {row index: reason}.
        """
        m = len(keys)
        for name, seq in (("domains", domains), ("fields", fields), ("sources", sources),
                          ("last_time", last_time), ("stale_s", stale_s)):  # fmt: skip
            if len(seq) != m:
                raise ValueError(f"restore_tracks: {name} has {len(seq)} rows for {m} keys")
        bad: dict[int, str] = {}
        ht, hla, hlo, hn = _history_block(history, history_n, m, bad)
        last = _float_column(last_time, "last_time", bad)
        stale = _float_column(stale_s, "stale_s", bad)
        columns = _checked_columns(keys, domains, fields, sources)
        if columns is None:  # an unusual row somewhere: check row by row, naming it
            unknown = (0, {}, [], int(Identity.UNKNOWN), (np.nan,) * len(_NUMERIC))
            checked = []  # plain lists, one numpy conversion at the end: cheaper per row
            for i in range(m):
                try:
                    checked.append(_checked_row(keys[i], domains[i], fields[i], sources[i]))
                except (TypeError, ValueError, OverflowError) as exc:
                    bad.setdefault(i, str(exc))
                    checked.append(unknown)
            dom_l, attrs, srcs, ident_l, nums = zip(*checked, strict=True)
            columns = dom_l, attrs, srcs, ident_l, np.array(nums, np.float64)
        if bad and not skip_bad:
            i = min(bad)
            raise ValueError(f"cannot restore track {keys[i]!r} (row {i}): {bad[i]}")
        # The last of repeated keys wins, as it would restoring one by one.
        last_of = {k: i for i, k in enumerate(keys) if i not in bad}
        if not last_of:
            return bad
        take = np.fromiter(last_of.values(), dtype=np.intp, count=len(last_of))
        dom_l, attrs, srcs, ident_l, nums = columns
        rows = self._rows_for(list(last_of))
        self._domain[rows] = np.array(dom_l, np.int8)[take]
        self._identity[rows] = np.array(ident_l, np.int8)[take]
        num = nums.reshape(m, len(_NUMERIC))[take]
        for j, name in enumerate(_NUMERIC):
            self._num[name][rows] = num[:, j]
        self._time[rows] = last[take]
        self._stale_s[rows] = stale[take]
        self._lost_s[rows] = self.stale.lost_by_domain[self._domain[rows]]
        own_attrs, own_sources, lost_for = self._attrs, self._sources, self.stale.lost_for
        for r, i in zip(rows.tolist(), take.tolist(), strict=True):
            a = own_attrs[r] = attrs[i]
            own_sources[r] = srcs[i]
            if "squawk" in a or "emergency" in a:
                self._lost_s[r] = lost_for(int(self._domain[r]), a)
        self._set_histories(rows, ht[take], hla[take], hlo[take], hn[take])
        self.version += 1
        self._changed_many(last_of)
        return bad

    def _rows_for(self, keys: list[str]) -> np.ndarray:
        """Rows of distinct ``keys``, appending the new ones (columns grown once); the
        caller fills every column of the new rows, attrs and sources included."""
        index = self._index
        rows = [index.get(k, -1) for k in keys]
        new = [k for k, r in zip(keys, rows, strict=True) if r < 0]
        if new:
            start = self._n
            if start + len(new) > self._domain.shape[0]:
                self._grow(start + len(new))
            index.update(zip(new, range(start, start + len(new)), strict=True))
            self._keys.extend(new)
            self._attrs.extend([{}] * len(new))  # placeholders, replaced by the caller
            self._sources.extend([[]] * len(new))
            self._n += len(new)
            rows = [index[k] for k in keys]
        return np.array(rows, dtype=np.intp)

    def _set_histories(self, rows: np.ndarray, t: np.ndarray, lat: np.ndarray,
                       lon: np.ndarray, n: np.ndarray) -> None:  # fmt: skip
        """Write whole history rows: time-sorted, the newest ``history_points`` kept.

        ``t``, ``lat`` and ``lon`` are the caller's copies and are changed in place.
        """
        k = self.history_points
        m, width = t.shape
        if width < k:
            pad = ((0, 0), (0, k - width))
            t = np.pad(t, pad, constant_values=_INF)
            lat = np.pad(lat, pad, constant_values=np.nan)
            lon = np.pad(lon, pad, constant_values=np.nan)
            width = k
        t = np.where(np.arange(width) < n[:, None], t, _INF)  # padding sorts after all points
        unsorted = np.flatnonzero(~(t[:, 1:] >= t[:, :-1]).all(axis=1))
        if len(unsorted):
            order = np.argsort(t[unsorted], axis=1, kind="stable")
            t[unsorted] = np.take_along_axis(t[unsorted], order, axis=1)
            lat[unsorted] = np.take_along_axis(lat[unsorted], order, axis=1)
            lon[unsorted] = np.take_along_axis(lon[unsorted], order, axis=1)
        over = np.flatnonzero(n > k)
        if len(over):  # longer rows: move their newest k points to the front
            idx = (n[over] - k)[:, None] + np.arange(k)
            t[over, :k] = np.take_along_axis(t[over], idx, axis=1)
            lat[over, :k] = np.take_along_axis(lat[over], idx, axis=1)
            lon[over, :k] = np.take_along_axis(lon[over], idx, axis=1)
        kept = np.minimum(n, k)
        t, lat, lon = t[:, :k], lat[:, :k], lon[:, :k]
        pad = np.arange(k) >= kept[:, None]
        lat[pad] = np.nan
        lon[pad] = np.nan
        self._hist_t[rows], self._hist_lat[rows], self._hist_lon[rows] = t, lat, lon
        self._hist_n[rows] = kept
        newest = (np.arange(m), np.maximum(kept - 1, 0))
        self._pos_time[rows] = np.where(kept > 0, t[newest], -_INF)
        self._lat[rows] = lat[newest]  # NaN when there is no point
        self._lon[rows] = lon[newest]

    @_locked
    def restore_report(self, report: LandReport) -> None:
        self._reports[report.id] = report
        self._report_cols = None
        self._changed(reports=report.id)

    # ---- notifications -------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` after every change (once per batch); returns an unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Collect changes and notify once at the end (nested batches are merged).

        Holds the lock for the whole batch, so readers see all of it or none of it."""
        with self.lock:
            if self._batch_depth == 0:
                self._pending = PictureChange()
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    change, self._pending = self._pending, None
                    if change:
                        self._notify(change)

    def _changed(self, *, tracks: str | None = None, reports: str | None = None,
                 zones: str | None = None, history: bool = False) -> None:  # fmt: skip
        self.version += 1
        pending = self._pending
        if pending is None:
            if not self._subscribers:
                return
            pending = PictureChange(history=history)
            self._fill(pending, tracks, reports, zones)
            self._notify(pending)
        else:
            pending.history |= history
            self._fill(pending, tracks, reports, zones)

    def _changed_many(self, tracks: Iterable[str]) -> None:
        """One change naming many tracks (bulk restore)."""
        if self._pending is not None:
            self._pending.tracks.update(tracks)
        elif self._subscribers:
            self._notify(PictureChange(tracks=set(tracks)))

    @staticmethod
    def _fill(change: PictureChange, tracks: str | None, reports: str | None,
              zones: str | None) -> None:  # fmt: skip
        if tracks is not None:
            change.tracks.add(tracks)
        if reports is not None:
            change.reports.add(reports)
        if zones is not None:
            change.zones.add(zones)

    def _notify(self, change: PictureChange) -> None:
        for cb in list(self._subscribers):
            cb(change)

    # ---- reading: single records ---------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def __contains__(self, key: str) -> bool:
        return key in self._index

    @_locked
    def keys(self) -> list[str]:
        return list(self._keys)

    @_locked
    def track(self, key: str) -> Track | None:
        row = self._index.get(key)
        return None if row is None else self._track_at(row)

    def tracks(self) -> Iterator[Track]:
        """Every track, each read under the lock (a writer may go on between two)."""
        for row in range(self._n):
            with self.lock:
                track = self._track_at(row)
            yield track

    @_locked
    def history(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(time, lat, lon) of a track's kept positions, oldest first (copies)."""
        row = self._index[key]
        n = int(self._hist_n[row])
        return (self._hist_t[row, :n].copy(), self._hist_lat[row, :n].copy(),
                self._hist_lon[row, :n].copy())  # fmt: skip

    @_locked
    def stale_seconds(self, key: str) -> float:
        return float(self._stale_s[self._index[key]])

    @_locked
    def last_time(self, key: str) -> float:
        return float(self._time[self._index[key]])

    @_locked
    def fix_times(self, domains: tuple[Domain, ...] = (Domain.AIR, Domain.SEA)
                  ) -> dict[str, np.ndarray]:  # fmt: skip
        """Every kept fix time per domain label (copies): what a timeline counts.

        Archived fixes count too, those older than the track's first kept fix (a fix
        held both ways would count twice; the archive is fetched for the stretch before
        the kept history, so nothing archived lies after it)."""
        n = self._n
        hist_t, dom = self._hist_t[:n], self._domain[:n]
        archived = self.archive.by_domain(dom) if len(self.archive) else {}
        first = hist_t[:, 0].copy()
        out: dict[str, np.ndarray] = {}
        for d in domains:
            t = hist_t[dom == d].ravel()
            t = t[np.isfinite(t)]
            if int(d) in archived:
                a_rows, a_t = archived[int(d)]
                t = np.concatenate([t, a_t[a_t < first[a_rows]]])
            out[d.label] = t
        return out

    @_locked
    def history_blocks(self, rows: np.ndarray, t0: float | None = None, t1: float | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """(time, lat, lon) blocks (one row per Picture row in ``rows``, oldest first,
        padded with +inf times): the kept history, plus the archived fixes in
        [t0, t1] when a span is given (trails drawn in the archived past).

        One fancy index for all tracks, copies the caller may keep.
        """
        rows = np.asarray(rows, np.intp)
        ht, hla, hlo = self._hist_t[rows], self._hist_lat[rows], self._hist_lon[rows]
        if t0 is None or t1 is None or not len(self.archive) or not len(rows):
            return ht, hla, hlo
        c = self.archive.cols
        lo, hi = int(np.searchsorted(c.t, t0, "left")), int(np.searchsorted(c.t, t1, "right"))
        where = np.full(self._n, -1, np.intp)
        where[rows] = np.arange(len(rows))
        seg = c.row[lo:hi]
        seg = np.where(seg < self._n, seg, 0)
        pos = np.where(c.row[lo:hi] < self._n, where[seg], -1)
        keep = np.flatnonzero(pos >= 0)
        if not len(keep):
            return ht, hla, hlo
        pos = pos[keep]
        order = np.argsort(pos, kind="stable")  # by track, still by time within it
        pos, idx = pos[order], keep[order] + lo
        rank = np.arange(len(pos)) - np.searchsorted(pos, pos, "left")
        width = int(rank.max()) + 1
        et = np.full((len(rows), width), _INF)
        ela, elo = np.full((len(rows), width), np.nan), np.full((len(rows), width), np.nan)
        et[pos, rank], ela[pos, rank], elo[pos, rank] = c.t[idx], c.lat[idx], c.lon[idx]
        t = np.concatenate([et, ht], axis=1)
        by_time = np.argsort(t, axis=1, kind="stable")
        lat = np.concatenate([ela, hla], axis=1)
        lon = np.concatenate([elo, hlo], axis=1)
        return tuple(np.take_along_axis(a, by_time, axis=1) for a in (t, lat, lon))

    def add_archived_fixes(self, keys: Sequence[str], t: Any, lat: Any, lon: Any,
                           span: tuple[float, float] | None = None, *,
                           rows: np.ndarray | None = None) -> tuple[int, int]:  # fmt: skip
        """Fixes fetched for replay; returns (new fixes, fixes of unknown tracks).

        A fix of a track this picture does not hold is not kept: the server's track
        list is synced whole, so an unknown id is one the picture dropped on purpose.
        The sort runs outside the Picture's lock (the archive swaps its columns whole).
        ``rows`` (-1: unknown) may stand for ``keys`` when the caller mapped each key
        once (the cache's load of 2M fixes names ~10k tracks: a lookup per fix is half
        that load).
        """
        if rows is None:
            # Lookups without the lock: rows never move and the index only grows, and
            # one dict.get is atomic, so a fetch of 500k fixes never holds a frame back.
            index = self._index
            rows = np.fromiter((index.get(k, -1) for k in keys), np.int32, len(keys))
        added = self.archive.add(rows, t, lat, lon, span)
        with self.lock:
            self._changed(history=True)
        return added, int(np.count_nonzero(rows < 0))

    @_locked
    def track_state(self, key: str) -> TrackState | None:
        """The track's saved state (None if unknown), cheaper than ``track(key)``."""
        row = self._index.get(key)
        return None if row is None else self._state_at(row)

    @_locked
    def attribute_values(self, keys: Sequence[str], names: Sequence[str]
                         ) -> list[tuple[Any, ...]]:  # fmt: skip
        """The named attributes of many tracks under one lock (None where missing or the
        track is unknown): a 100k-row table asking ``track_state`` key by key spent 1.5 s
        taking the lock and copying every attribute dict."""
        index, attrs, empty = self._index, self._attrs, {}
        out = []
        for key in keys:
            row = index.get(key)
            a = empty if row is None else attrs[row]
            out.append(tuple(a.get(n) for n in names))
        return out

    def track_states(self) -> Iterator[TrackState]:
        """Every track's saved state, in insertion order, each read under the lock."""
        for row in range(self._n):
            with self.lock:
                state = self._state_at(row)
            yield state

    def _state_at(self, row: int) -> TrackState:
        return TrackState(self._keys[row], _DOMAINS[self._domain[row]], dict(self._attrs[row]),
                          tuple(self._sources[row]), float(self._time[row]),
                          float(self._stale_s[row]))  # fmt: skip

    @_locked
    def report(self, report_id: str) -> LandReport | None:
        return self._reports.get(report_id)

    @_locked
    def reports(self) -> list[LandReport]:
        return list(self._reports.values())

    def _track_at(self, row: int) -> Track:
        a = self._attrs[row]
        domain = Domain(int(self._domain[row]))
        last = float(self._time[row])
        common: dict[str, Any] = {
            "id": self._keys[row],
            "updated_at": last,
            "sources": tuple(self._sources[row]),
            "time": last,
            "lat": _opt(self._lat[row]),
            "lon": _opt(self._lon[row]),
            "ce90_m": a.get("ce90_m"),
            "domain": domain,
            "identity": Identity(int(self._identity[row])),
            "callsign": a.get("callsign"),
            "speed_kn": _opt(self._num["speed_kn"][row]),
            "course_deg": _opt(self._num["course_deg"][row]),
            "heading_deg": _opt(self._num["heading_deg"][row]),
            "stale_at": last + float(self._stale_s[row]),
            "history_points": int(self._hist_n[row]),
            "fields": dict(a),
        }
        if domain is Domain.AIR:
            src = a.get("position_source") or "adsb"
            return AirTrack(
                **common,
                icao24=a.get("icao24"),
                squawk=a.get("squawk"),
                altitude_ft=_opt(self._num["altitude_ft"][row]),
                geo_altitude_ft=a.get("geo_altitude_ft"),
                vertical_rate_fpm=a.get("vertical_rate_fpm"),
                on_ground=a.get("on_ground"),
                position_source=_enum_or(PositionSource, src, PositionSource.OTHER),
                emergency=bool(a.get("emergency")),
            )
        if domain is Domain.SEA:
            return MaritimeTrack(
                **common,
                mmsi=a.get("mmsi"),
                imo=a.get("imo"),
                name=a.get("name"),
                ship_type=a.get("ship_type"),
                flag=a.get("flag"),
                nav_status=a.get("nav_status"),
                destination=a.get("destination"),
                ais_class=a.get("ais_class"),
            )
        return GroundTrack(**common, cot_type=a.get("cot_type"))

    # ---- reading: whole-picture queries --------------------------------------------
    @_locked
    def as_of(self, t: float, *, include_stale: bool = False,
              include_lost: bool = False) -> Frame:  # fmt: skip
        """Every track alive at ``t``, its position interpolated between the kept fixes.

        A track is alive from its first fix until its stale time after the last fix
        at or before ``t``; later fixes are ignored, so replay shows what was known
        then. Stale tracks are hidden unless ``include_stale``, never deleted; with
        ``include_lost`` those still within their lost period (``StalePolicy``) are
        kept, at their last position (``Frame.lost`` marks them). Where the archive
        holds a later fix at or before ``t`` than the kept history (replay older than
        the kept history), the archived fix is used.
        """
        n = self._n
        ht = self._hist_t[:n]
        cnt = (ht <= t).sum(axis=1)
        rows = np.flatnonzero(cnt > 0)
        i = cnt[rows] - 1
        t_i = ht[rows, i]
        archived = len(self.archive) > 0
        keep_s = self._stale_s + self._lost_s if include_lost else self._stale_s
        if not include_stale and not archived:  # most rows of a long session are gone:
            # drop them before interpolating. Loose by BRIDGE_S (a bridged track was
            # heard less than BRIDGE_S ago); the exact test follows.
            near = (t - t_i) <= np.maximum(keep_s[rows], BRIDGE_S)
            rows, i, t_i = rows[near], i[near], t_i[near]
        j = np.minimum(i + 1, self.history_points - 1)
        t_next = np.where((j > i) & (j < self._hist_n[rows]), ht[rows, j], np.nan)
        lat, lon = _lerp(t, t_i, self._hist_lat[rows, i], self._hist_lon[rows, i],
                         t_next, self._hist_lat[rows, j], self._hist_lon[rows, j])  # fmt: skip
        if archived:
            rows, t_i, lat, lon, t_next = self._with_archive(
                t, cnt, rows, t_i, lat, lon, t_next, include_stale, keep_s)
        heard = _heard(t, t_i, t_next)
        if not include_stale:
            alive = (t - heard) <= keep_s[rows]
            rows, t_i, lat, lon, heard = (rows[alive], t_i[alive], lat[alive], lon[alive],
                                          heard[alive])  # fmt: skip
        return self._frame(t, rows, lat, lon, t_i, heard)

    def _with_archive(self, t: float, cnt: np.ndarray, rows: np.ndarray, t_i: np.ndarray,
                      lat: np.ndarray, lon: np.ndarray, t_next: np.ndarray,
                      include_stale: bool,
                      keep_s: np.ndarray) -> tuple[np.ndarray, ...]:  # fmt: skip
        """Merge the archive's fixes around ``t`` into the kept-history answer."""
        n = self._n
        # Nothing staler than the stalest track can show, so look no further back.
        horizon = ARCHIVE_HORIZON_S
        if not include_stale:  # (a fix up to BRIDGE_S back may be bridged to the next)
            horizon = min(float(keep_s[:n].max(initial=0.0)) + BRIDGE_S, horizon)
        a = self.archive.around(t, horizon, n)
        best_t = np.full(n, -_INF)
        best_t[rows] = t_i
        take = a.t > best_t[a.rows]
        ar = a.rows[take]
        nt, nla, nlo = a.next_t[take], a.next_lat[take], a.next_lon[take]
        # No later archived fix: head for the first kept fix after t, if there is one.
        none = np.flatnonzero(~np.isfinite(nt))
        if len(none):
            rr = ar[none]
            c = cnt[rr]
            ok = c < self._hist_n[rr]
            k, rr, c = none[ok], rr[ok], c[ok]
            nt[k], nla[k] = self._hist_t[rr, c], self._hist_lat[rr, c]
            nlo[k] = self._hist_lon[rr, c]
        alat, alon = _lerp(t, a.t[take], a.lat[take], a.lon[take], nt, nla, nlo)
        d_lat, d_lon, d_next = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        d_lat[rows], d_lon[rows], d_next[rows] = lat, lon, t_next
        best_t[ar], d_lat[ar], d_lon[ar], d_next[ar] = a.t[take], alat, alon, nt
        out = np.flatnonzero(np.isfinite(best_t))
        return out, best_t[out], d_lat[out], d_lon[out], d_next[out]

    def current(self, now: float, *, include_stale: bool = False,
                include_lost: bool = False) -> Frame:  # fmt: skip
        """Latest known positions, as ``as_of(now)`` when nothing arrives from the future."""
        return self.as_of(now, include_stale=include_stale, include_lost=include_lost)

    @_locked
    def in_window(self, t0: float, t1: float) -> Frame:
        """Tracks with at least one fix in [t0, t1], at their last fix in the window."""
        n = self._n
        ht = self._hist_t[:n]
        inside = (ht >= t0) & (ht <= t1)
        rows = np.flatnonzero(inside.any(axis=1))
        k = self.history_points - 1 - np.argmax(inside[rows, ::-1], axis=1)
        frame = self._frame(t1, rows, self._hist_lat[rows, k], self._hist_lon[rows, k],
                            ht[rows, k])  # fmt: skip
        # Heard in the window is the filter: none of them is "lost" at the window's end
        # (the Tracks table marked every one LOST under a long brush).
        return dataclasses.replace(frame, stale_at=None)

    @_locked
    def in_bbox(self, bbox: tuple[float, float, float, float], t: float | None = None) -> Frame:
        """Tracks inside (west, south, east, north) at ``t`` (default: latest fixes)."""
        frame = self.as_of(t) if t is not None else self._latest_frame()
        return frame.select(bbox_mask(frame.lon, frame.lat, bbox))

    def _latest_frame(self) -> Frame:
        rows = np.flatnonzero(self._hist_n[: self._n] > 0)
        return self._frame(float(np.max(self._pos_time[rows], initial=-_INF)), rows,
                           self._lat[rows].copy(), self._lon[rows].copy(),
                           self._pos_time[rows].copy())  # fmt: skip

    def _frame(self, t: float, rows: np.ndarray, lat: np.ndarray, lon: np.ndarray,
               times: np.ndarray, heard: np.ndarray | None = None) -> Frame:  # fmt: skip
        keys = self._keys
        return Frame(
            t=t,
            rows=rows,
            keys=[keys[r] for r in rows.tolist()],
            domain=self._domain[rows],
            lat=lat,
            lon=lon,
            time=times,
            identity=self._identity[rows],
            speed_kn=self._num["speed_kn"][rows],
            course_deg=self._num["course_deg"][rows],
            heading_deg=self._num["heading_deg"][rows],
            altitude_ft=self._num["altitude_ft"][rows],
            stale_at=(times if heard is None else heard) + self._stale_s[rows],
        )

    @_locked
    def reports_in(
        self,
        *,
        start: float | None = None,
        end: float | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> list[LandReport]:
        """Reports whose time falls in [start, end] and whose position is in bbox."""
        if self._report_cols is None:
            reps = list(self._reports.values())
            self._report_cols = (
                [r.id for r in reps],
                np.array([r.time if r.time is not None else np.nan for r in reps], float),
                np.array([r.lat if r.lat is not None else np.nan for r in reps], float),
                np.array([r.lon if r.lon is not None else np.nan for r in reps], float),
            )
        ids, times, lat, lon = self._report_cols
        mask = np.ones(len(ids), bool)
        if start is not None:
            mask &= times >= start
        if end is not None:
            mask &= times <= end
        if bbox is not None:
            mask &= bbox_mask(lon, lat, bbox)
        return [self._reports[ids[i]] for i in np.flatnonzero(mask)]

    @_locked
    def counts(self) -> dict[str, int]:
        dom = self._domain[: self._n]
        out = {d.label: int(np.count_nonzero(dom == d)) for d in Domain}
        out["reports"] = len(self._reports)
        return out


def _heard(t: float, t_i: np.ndarray, t_next: np.ndarray) -> np.ndarray:
    """When each track was last heard as at ``t``: its last held fix, or ``t`` itself
    where the next held fix follows within ``BRIDGE_S`` (thinned history, see there)."""
    with np.errstate(invalid="ignore"):
        bridged = np.isfinite(t_next) & (t_next > t) & (t_next - t_i <= BRIDGE_S)
    return np.where(bridged, t, t_i)


def _lerp(t: float, t0: np.ndarray, lat0: np.ndarray, lon0: np.ndarray, t1: np.ndarray,
          lat1: np.ndarray, lon1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Positions at ``t`` between fix 0 and fix 1 (copies); where fix 1 is missing
    (nan or +inf time) or not later, fix 0 stands."""
    lat, lon = lat0.copy(), lon0.copy()
    between = np.isfinite(t1) & (t1 > t0)
    if between.any():
        b = np.flatnonzero(between)
        frac = (t - t0[b]) / (t1[b] - t0[b])
        lat[b] += (lat1[b] - lat[b]) * frac
        dlon = lon1[b] - lon[b]
        dlon = (dlon + 180.0) % 360.0 - 180.0  # the short way across the antimeridian
        lon[b] = (lon[b] + dlon * frac + 180.0) % 360.0 - 180.0
    return lat, lon


def _grown(arr: np.ndarray, rows: int, fill: float) -> np.ndarray:
    out = np.full((rows, *arr.shape[1:]), fill, dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


def _opt(value: float) -> float | None:
    v = float(value)
    return None if v != v else v  # NaN means unknown


def _enum_or(enum_cls, value, default):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        return default


def _identity_of(value: Any) -> int:
    if isinstance(value, Identity):
        return int(value)
    if isinstance(value, int):
        return int(Identity(value))
    try:
        return int(Identity[str(value).strip().upper().replace(" ", "_")])
    except KeyError:
        return int(Identity.UNKNOWN)


def _float_column(values: Any, name: str, bad: dict[int, str]) -> np.ndarray:
    """A float64 column; entries that are not numbers become NaN and mark their row bad."""
    try:
        return np.asarray(values, dtype=np.float64).reshape(len(values))
    except (TypeError, ValueError):
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                bad.setdefault(i, f"{name} is not a number: {v!r}")
        return out


def _history_block(history: tuple[Any, Any, Any], history_n: Any, m: int,
                   bad: dict[int, str]) -> tuple[np.ndarray, ...]:  # fmt: skip
    """(t, lat, lon, n) as 2-D float64 blocks with per-row counts, bad rows emptied."""
    if len(history) != 3:
        raise ValueError("history must be (time, lat, lon)")
    if history_n is not None:
        blocks = [np.asarray(h, dtype=np.float64) for h in history]
        n = np.asarray(history_n, dtype=np.int64).reshape(m)
        if any(b.ndim != 2 or b.shape[0] != m or b.shape != blocks[0].shape for b in blocks):
            raise ValueError(f"history blocks must be 2-D with {m} rows and one shape")
        for i in np.flatnonzero((n < 0) | (n > blocks[0].shape[1])).tolist():
            bad.setdefault(i, f"history_n {n[i]} outside 0..{blocks[0].shape[1]}")
    else:
        if any(len(h) != m for h in history):
            raise ValueError(f"history needs one array per track ({m})")
        cols: list[list[np.ndarray]] = [[], [], []]
        n = np.zeros(m, np.int64)
        empty = np.empty(0)
        for i in range(m):
            try:
                t, la, lo = (np.asarray(h[i], dtype=np.float64).reshape(-1) for h in history)
                if not len(t) == len(la) == len(lo):
                    raise ValueError(f"history columns differ in length "
                                     f"({len(t)}, {len(la)}, {len(lo)})")  # fmt: skip
            except (TypeError, ValueError) as exc:
                bad.setdefault(i, f"bad history: {exc}")
                t = la = lo = empty
            for col, a in zip(cols, (t, la, lo), strict=True):
                col.append(a)
            n[i] = len(t)
        width = int(n.max(initial=0))
        blocks = [np.full((m, width), fill) for fill in (_INF, np.nan, np.nan)]
        if width:
            rr = np.repeat(np.arange(m), n)
            cc = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            for block, col in zip(blocks, cols, strict=True):
                block[rr, cc] = np.concatenate(col)
    t = blocks[0]
    n = np.clip(n, 0, t.shape[1])
    nan_times = np.isnan(t) & (np.arange(t.shape[1]) < n[:, None])
    for i in np.flatnonzero(nan_times.any(axis=1)).tolist():
        bad.setdefault(i, "a history time is NaN")  # would sort among the padding
    return blocks[0], blocks[1], blocks[2], n


# Codes by value: a dict lookup is several times cheaper than an enum call per row.
# IntEnum members hash and compare as their ints, so both forms are found.
_DOMAIN_CODES: dict[Any, int] = {int(d): int(d) for d in Domain}
_IDENTITY_CODES: dict[Any, int] = {
    **{int(i): int(i) for i in Identity}, **{i.name.lower(): int(i) for i in Identity}}  # fmt: skip


def _checked_row(key: Any, domain: Any, fields: Any, sources: Any
                 ) -> tuple[int, dict[str, Any], list[str], int, tuple[float, ...]]:  # fmt: skip
    """Validate one restored track: (domain code, attrs, sources, identity, numerics).

    The numeric columns (speed, course...) must hold numbers, so a bad value is found
    here, before the track exists, and not half-way through writing it.
    """
    if type(key) is not str:
        raise TypeError(f"key is not text: {key!r}")
    code = _DOMAIN_CODES.get(domain) if type(domain) is not bool else None
    if code is None:
        raise ValueError(f"not a domain: {domain!r}")
    if not isinstance(fields, Mapping):
        raise TypeError(f"fields are not a mapping: {type(fields).__name__}")
    get = fields.get
    try:
        nums = tuple(np.nan if (v := get(name)) is None else float(v) for name in _NUMERIC)
    except (TypeError, ValueError):
        bad = next(n for n in _NUMERIC if not _is_number(get(n)))
        raise ValueError(f"{bad} is not a number: {get(bad)!r}") from None
    ident = get("identity")
    identity = int(Identity.UNKNOWN) if ident is None else _IDENTITY_CODES.get(ident)
    if identity is None:
        identity = _identity_of(ident)
    if isinstance(sources, str | bytes):
        raise TypeError("sources must be a list of names, not one string")
    src = list(sources)
    for name in src:
        if type(name) is not str:
            raise TypeError(f"a source is not text: {name!r}")
    return code, dict(fields), src, identity, nums


_PLAIN_NUMBERS = frozenset({float, int, bool, type(None)})


def _checked_columns(keys: Sequence[Any], domains: Any, fields: Sequence[Any],
                     sources: Sequence[Any]) -> tuple | None:  # fmt: skip
    """``_checked_row`` for many rows at once when every row is of the plain kind a
    decoded JSON page or the cache gives (text keys, dict fields, plain numbers,
    lists of text): (domain codes, attrs, sources, identities, numerics m x k).

    None when any row is unusual; the caller then checks row by row, which finds
    and names the bad one. About 4x cheaper than the per-row check at 100k tracks.
    """
    if not all(type(k) is str for k in keys) or not all(type(f) is dict for f in fields):
        return None
    codes = [_DOMAIN_CODES.get(d) for d in domains]
    if None in codes or any(type(d) is bool for d in domains):
        return None
    cols = []
    for name in _NUMERIC:
        col = [f.get(name) for f in fields]
        if not set(map(type, col)) <= _PLAIN_NUMBERS:
            return None
        cols.append(col)
    unknown = int(Identity.UNKNOWN)
    try:
        idents = [unknown if (i := f.get("identity")) is None else _IDENTITY_CODES[i]
                  for f in fields]  # fmt: skip
    except (KeyError, TypeError):
        return None
    if not all(type(s) is list or type(s) is tuple for s in sources):
        return None
    srcs = [list(s) for s in sources]
    if not all(type(name) is str for src in srcs for name in src):
        return None
    try:
        nums = np.array(cols, dtype=np.float64).T
    except OverflowError:  # an int too large for a float
        return None
    return codes, [dict(f) for f in fields], srcs, idents, nums


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return value is None
    return True
