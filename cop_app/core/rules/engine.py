"""One evaluation of every rule over a Picture: ``RuleEngine.evaluate``.

The engine keeps two small per-row arrays between evaluations (rows of its own
Picture): whether a vessel has been in a corridor (corridor departure needs that
memory) and when its current slow run began (loitering). Everything else is computed
afresh from the Picture's columns, so evaluating the same picture twice gives the
same answer.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

import numpy as np

from cop_app.core.enums import Domain, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.rules import config as R
from cop_app.core.rules import tracks as T
from cop_app.core.rules.columns import attr_column, history_rows, track_columns
from cop_app.core.rules.condition import Conditions
from cop_app.core.rules.reports import report_rules
from cop_app.core.rules.zones import ZoneCache


class RuleEngine:
    def __init__(self, config: R.RuleConfig | None = None) -> None:
        self.config = config or R.RuleConfig()
        self._zones = ZoneCache()
        self._lock = threading.Lock()
        self._picture: weakref.ref | None = None
        self._seen = np.zeros(0, bool)
        self._slow_since = np.zeros(0)

    def _state_for(self, picture: Picture) -> None:
        """Reset the per-row memory when a different picture is evaluated; grow it."""
        if self._picture is None or self._picture() is not picture:
            self._picture = weakref.ref(picture)
            self._seen = np.zeros(0, bool)
            self._slow_since = np.zeros(0)
        n = len(picture)
        if len(self._seen) < n:
            grow = max(n, 2 * len(self._seen))
            self._seen = np.concatenate([self._seen, np.zeros(grow - len(self._seen), bool)])
            self._slow_since = np.concatenate(
                [self._slow_since, np.full(grow - len(self._slow_since), np.nan)])

    def evaluate(self, picture: Picture, t: float, *, tracks: Iterable[str] | None = None,
                 reports: Iterable[str] | None = None,
                 latest: bool = False) -> Conditions:  # fmt: skip
        """Every condition holding at ``t``: {(subject, rule): Condition}.

        ``tracks``/``reports`` limit the evaluation to those subjects (incremental
        evaluation of what just changed; pass ``()`` to skip a kind); None means all.
        ``latest``: judge each track's newest fix even if later than ``t`` (server).
        """
        cfg = self.config
        out: Conditions = {}
        with picture.lock, self._lock:
            self._state_for(picture)
            zones = self._zones.prepared(list(picture.zones.values()), t,
                                         cfg.corridor_departure_m)  # fmt: skip
            if tracks is None or tracks:
                self._tracks(picture, t, tracks, latest, zones, out)
            if reports is None:
                reps = picture.reports()
            else:
                reps = [r for r in (picture.report(i) for i in reports) if r is not None]
            if reps:
                report_rules(reps, t, zones, cfg, out)
        return out

    def _tracks(self, picture: Picture, t: float, keys, latest: bool, zones, out) -> None:
        cfg, on = self.config, self.config.rules
        c = track_columns(picture, t, keys=keys, latest=latest)
        if not len(c):
            return
        alive = c.alive
        air = alive & (c.domain == Domain.AIR)
        sea_all = c.domain == Domain.SEA
        sea = alive & sea_all
        corridors = [z for z in zones if z.kind is ZoneKind.CORRIDOR and z.polygonal]
        if R.AIR_ZONE in on:
            T.air_zone_entry(c, air, zones, cfg, out)
        if R.CEASEFIRE_CROSSING in on:
            T.ceasefire_crossing(c, air, zones, cfg, out)
        if R.SQUAWK in on and air.any():
            T.squawk(c, air, attr_column(picture, c.rows[air], "squawk"), cfg, out)
        if R.RESTRICTED_AREA in on:
            T.sea_restricted(c, sea, zones, cfg, out)
        seen = self._seen[c.rows]
        if R.CORRIDOR_DEPARTURE in on:
            T.corridor_departure(c, sea, corridors, seen, cfg, out)
            self._seen[c.rows] = seen
        if R.LOITER in on and corridors:
            slow = self._slow_since[c.rows]
            T.loiter(c, sea, corridors, slow, lambda rows: history_rows(picture, rows),
                     cfg, out)  # fmt: skip
            self._slow_since[c.rows] = slow
        if R.AIS_GAP in on:
            T.ais_gap(c, sea_all, cfg, out)
        if R.JUMP in on:
            T.impossible_jump(c, alive & ((c.domain == Domain.AIR) | sea_all), cfg, out)
        if R.LOST in on:
            T.lost_in_zone(c, zones, cfg, out)
