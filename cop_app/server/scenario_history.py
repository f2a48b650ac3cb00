"""The scenario's older track history: the hours before the start-up backfill, for replay.

Reports go back a day, so an analyst replays hours, not minutes. The start-up backfill
(``ScenarioRunner.backfill``) sends the last half hour as feed text through ingest, so
the live picture is what live feeds make. The hours before it are for replay only and
take another path, for two reasons:

- Cost. Six hours of one fix a minute is some 160k SBS/AIS/CoT lines: ~6 s to encode
  (pyais) and ~3 s to parse again, on the start-up path of every demo. The positions
  come straight from the motion model here (one numpy pass per group), one fix every
  ``OLDER_STEP_MS``, on the same ``phase + k * period`` grid the feeds use, so every
  fix is one the feed text also sends (a test compares the two).
- Alerts. A fix merged into the live picture runs the rules at the server clock. These
  are history rows only (what ``GET /v1/history`` serves): no merge, no rules, no
  change log. The one exception is an aircraft that flew then but is on the ground for
  the whole last half hour: the live picture would not hold it and a client drops
  fixes of tracks it does not hold, so its last fix is merged as a typed update dated
  at its own time (hours stale: no rule fires on it; the backfill test checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cop_app.core.updates import TrackUpdate, air_key, sea_key
from cop_app.server import scenario_air as air
from cop_app.server import scenario_motion as mo
from cop_app.server import scenario_sea as sea

if TYPE_CHECKING:
    from cop_app.server.scenario import Scenario

OLDER_S = 6.5 * 3600  # 6 h to replay, and the half hour before so its first minute has fixes
OLDER_STEP_MS = 120_000  # a multiple of every feed period below it: see the module doc
CHUNK_S = 7200.0  # one write per two hours of history: short transactions beside other writers

Row = tuple[str, float, float, float]  # track key, time, lat, lon


def history_rows(sc: Scenario, t0: float, t1: float, step_ms: int = OLDER_STEP_MS
                 ) -> list[Row]:  # fmt: skip
    """Every track's positions due in [t0, t1) at one per ``step_ms`` (unordered)."""
    a, b = round(t0 * 1000.0), round(t1 * 1000.0)
    rows: list[Row] = []

    def add(keys: list[str], idx: np.ndarray, t_ms: np.ndarray, lat: np.ndarray,
            lon: np.ndarray) -> None:  # fmt: skip
        lat, lon = np.round(lat, 5).tolist(), np.round(lon, 5).tolist()
        rows.extend((keys[i], t / 1000.0, la, lo) for i, t, la, lo
                    in zip(idx.tolist(), t_ms.tolist(), lat, lon, strict=True))  # fmt: skip

    for group in (sc.orbits, sc.transit, sc.air_bulk):
        if len(group):
            idx, t_ms = mo.due(group.phase_ms, step_ms, a, b)
            lat, lon, _alt, _kn, active = group.motion.state(idx, t_ms / 1000.0)
            add([air_key(h) for h in group.icao], idx[active], t_ms[active], lat[active],
                lon[active])  # fmt: skip
    if len(sc.uavs):
        idx, t_ms = mo.due(sc.uavs.phase_ms, max(air.UAV_MS, step_ms), a, b)
        add([f"cot:{u}" for u in sc.uavs.uid], idx, t_ms,
            *sc.uavs.track.position(idx, t_ms / 1000.0))  # fmt: skip
    # AIS text is dated by its tag block's whole second: so are these fixes (the typed
    # bulk traffic keeps its milliseconds, as its live updates do).
    sea_groups = ((sc.corridor, sc.corridor.ships.mmsi, sea.UNDER_WAY_MS, 1000),
                  (sc.boats, sc.boats.ships.mmsi, sea.CLASS_B_MS, 1000),
                  (sc.sea_bulk, sc.sea_bulk.mmsi, sea.TYPED_SEA_MS, 1))  # fmt: skip
    for group, mmsi, period, unit in sea_groups:
        if len(group):
            idx, t_ms = mo.due(group.phase_ms, max(period, step_ms), a, b)
            lat, lon = group.state(idx, t_ms / 1000.0)[:2]
            add([sea_key(m) for m in mmsi], idx, t_ms // unit * unit, lat, lon)
    m = sc.moored
    if len(m):
        idx, t_ms = mo.due(m.phase_ms, max(sea.STATIONARY_MS, step_ms), a, b)
        add([sea_key(x) for x in m.ships.mmsi], idx, t_ms // 1000 * 1000, m.lat[idx],
            m.lon[idx])  # fmt: skip
    return rows


def last_fixes(sc: Scenario, last: dict[str, float], source: str,
               step_ms: int = OLDER_STEP_MS) -> list[TrackUpdate]:  # fmt: skip
    """Typed updates of these transit aircraft at these times (each one's last fix:
    identity, level, speed, what the live picture needs to hold the track)."""
    out = []
    for key, t in sorted(last.items(), key=lambda kv: kv[1]):
        t_ms = round(t * 1000.0)
        out += [u for _t, _i, u in air.typed_updates(sc.transit, t_ms, t_ms + 1, source, step_ms)
                if u.key == key]  # fmt: skip
    return out
