"""The ceasefire exercise scenario: a seeded, deterministic picture fed through ingest.

EXERCISE DATA. The zones approximate the publicly mapped line of contact in southern
and eastern Ukraine and a Black Sea corridor from Odesa to the Bosphorus, coarsely
(10-20 km on the line; see ``scenario_zones`` and the ``geography.json`` note). Ships,
aircraft, UAVs and reports are invented; identifiers are plausible, not real.

``Scenario(seed=...).emissions(t0, t1)`` is a pure function of the seed and the window:
the same arguments give byte-identical emissions, and consecutive windows give what
one window over their union gives (see ``scenario_motion``). An emission is either raw
feed text (``FeedText``: NMEA with tag blocks, SBS-1, CoT, GeoJSON) that the server
parses with ``cop_app.ingest`` exactly as a live feed, a verification step
(``ReportTransition``), or, only at scale, typed updates (``DirectUpdates``).

Where typed updates replace text, and why: beyond ``TEXT_AIR``/``TEXT_SEA`` tracks per
domain (1000 each) the extra generic transit aircraft and corridor ships are emitted
as TrackUpdates. Encoding and re-parsing some 10k NMEA sentences and SBS lines a second
would measure pyais and string formatting, not the picture, the API or the client,
which is what a 100k-track exercise is for. The text feeds keep running alongside, so
the real ingest path is exercised at every scale.

``ScenarioRunner`` plays a scenario into a server Pipeline on a daemon thread, in real
time or faster.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from cop_app.core import timeutil
from cop_app.core.updates import TrackUpdate
from cop_app.server import scenario_air as air
from cop_app.server import scenario_history as older
from cop_app.server import scenario_sea as sea
from cop_app.server.scenario_land import land_emissions
from cop_app.server.scenario_zones import load_zones, temporary_zone

log = logging.getLogger(__name__)

NAMES = ("ceasefire",)
DEFAULT_TRACKS = 280  # a realistic few hundred: ~130 aircraft and UAVs, ~150 vessels
MAX_TRACKS = 100_000
TEXT_AIR = TEXT_SEA = 1000  # beyond these, generic tracks are typed updates (see above)
SPECIALS = len(air.ORBITS) + 12  # orbits, 8 hostile and 4 mission UAVs
HISTORY_STEP_MS = 60_000  # backfilled history: one position a minute per track
SOURCE = "scenario:ceasefire"
ORDER = {"sbs": 0, "nmea": 1, "cot": 2, "geojson": 3, "updates": 4, "transition": 5}


@dataclass(frozen=True, slots=True)
class FeedText:
    """Raw feed text for ``pipeline.ingest_text(fmt, text, source)``."""

    time: float
    fmt: str  # "nmea" | "sbs" | "cot" | "geojson"
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class ReportTransition:
    """One verification step for ``pipeline.transition_report``."""

    time: float
    report_id: str
    to_status: str
    actor: str
    rationale: str


@dataclass(frozen=True, slots=True)
class DirectUpdates:
    """Typed updates of generic tracks at scale, one second's worth."""

    time: float
    updates: tuple[TrackUpdate, ...]
    source: str


Emission = FeedText | ReportTransition | DirectUpdates


@dataclass(frozen=True, slots=True)
class Mix:
    """How many tracks of each kind a scale setting makes."""

    orbits: int
    uav_hostile: int
    uav_friendly: int
    air_text: int
    air_typed: int
    corridor: int
    moored: int
    boats: int
    sea_typed: int

    @property
    def total(self) -> int:
        return sum(getattr(self, f) for f in self.__dataclass_fields__)

    @classmethod
    def for_tracks(cls, tracks: int) -> Mix:
        if not 0 <= tracks <= MAX_TRACKS:
            raise ValueError(f"tracks must be 0..{MAX_TRACKS}, not {tracks}")
        special = min(tracks, SPECIALS)
        orbits = min(special, len(air.ORBITS))
        uav = special - orbits
        hostile = min(uav, 8)
        rest = tracks - special
        air_n = round(rest * 0.45)
        sea_n = rest - air_n
        sea_text = min(sea_n, TEXT_SEA)
        corridor = round(sea_text * 0.40)
        moored = round(sea_text * 0.45)
        return cls(orbits, hostile, uav - hostile, min(air_n, TEXT_AIR),
                   air_n - min(air_n, TEXT_AIR), corridor, moored,
                   sea_text - corridor - moored, sea_n - sea_text)  # fmt: skip


def _ms(t: float) -> int:
    return round(t * 1000.0)


class Scenario:
    """A seeded exercise picture. ``start`` (default: now, to the millisecond) only
    anchors the runner's clock and the temporary zone; emissions depend on the seed
    and the window alone.

    Why not a round minute: at speed 1 the runner plays scenario time ``start + wall
    time elapsed``, so a start rounded down lagged the server clock by up to 59 s, and
    every fix arrived that old: a UAV (stale after 30 s) was then stale on arrival,
    "lost" in the airspace and never inside it.
    """

    def __init__(self, name: str = "ceasefire", seed: int = 0, tracks: int | None = None,
                 start: float | None = None) -> None:  # fmt: skip
        if name not in NAMES:
            raise ValueError(f"unknown scenario {name!r}; known: {', '.join(NAMES)}")
        self.name, self.seed = name, int(seed)
        self.tracks = DEFAULT_TRACKS if tracks is None else int(tracks)
        self.start = float(round(timeutil.now(), 3) if start is None else start)
        self.mix = m = Mix.for_tracks(self.tracks)
        # Scale settings are load tests: every transit airframe is then kept airborne
        # (no turnaround on the ground) so that N tracks are N live tracks.
        self.orbits = air.orbit_group(self.seed, m.orbits)
        self.transit, self.air_bulk = air.transit_groups(
            self.seed, m.air_text, m.air_typed, turnaround=self.tracks <= DEFAULT_TRACKS)
        self.uavs = air.uav_fleet(self.seed, m.uav_hostile, m.uav_friendly)
        self.corridor = sea.Corridor(self.seed, m.corridor)
        self.moored = sea.Moored(self.seed, m.moored)
        self.boats = sea.Boats(self.seed, m.boats)
        self.sea_bulk = sea.Bulk(self.seed, m.sea_typed)

    # ---- zones ----------------------------------------------------------------------
    def zones_geojson(self) -> dict[str, Any]:
        """Static zones plus a temporary restricted area valid for 6 h from start."""
        doc = copy.deepcopy(load_zones())
        doc["features"].append(temporary_zone(self.start))
        return doc

    # ---- emissions ------------------------------------------------------------------
    def emissions(self, t0: float, t1: float, *, domains: tuple[str, ...] = ("air", "sea", "land"),
                  history: bool = False, reports_since: float | None = None,
                  ) -> Iterator[Emission]:  # fmt: skip
        """Everything due in [t0, t1), in time order.

        ``history`` thins track reports to one a minute per track (backfill);
        ``reports_since`` drops verification steps of reports posted before it (their
        reports were never sent, e.g. older than the runner's backfill).
        """
        a, b = _ms(t0), _ms(t1)
        slow = HISTORY_STEP_MS if history else 0
        rows: list[tuple[int, int, int, Emission]] = []

        def text(fmt: str, source: str, items: list[tuple[int, int, str]], group: int) -> None:
            rows.extend((t, ORDER[fmt], group * 1_000_000 + i,
                         FeedText(t / 1000.0, fmt, line, source)) for t, i, line in items)

        if "air" in domains:
            text("sbs", f"{SOURCE}/adsb", air.sbs_lines(self.orbits, a, b, slow), 0)
            text("sbs", f"{SOURCE}/adsb", air.sbs_lines(self.transit, a, b, slow), 1)
            text("cot", f"{SOURCE}/cuas", air.cot_events(self.uavs, a, b, slow), 2)
            self._typed(rows, air.typed_updates(self.air_bulk, a, b, f"{SOURCE}/bulk", slow), 3)
        if "sea" in domains:
            text("nmea", f"{SOURCE}/ais", sea.corridor_nmea(self.corridor, a, b, slow), 4)
            text("nmea", f"{SOURCE}/ais", sea.moored_nmea(self.moored, a, b, slow), 5)
            text("nmea", f"{SOURCE}/ais", sea.boat_nmea(self.boats, a, b, slow), 6)
            self._typed(rows, sea.bulk_updates(self.sea_bulk, a, b, f"{SOURCE}/bulk", slow), 7)
        if "land" in domains:
            posted, steps = land_emissions(self.seed, a / 1000.0, b / 1000.0, reports_since)
            for k, p in enumerate(posted):
                rows.append((_ms(p.posted), ORDER["geojson"], k,
                             FeedText(p.posted, "geojson", p.document, f"{SOURCE}/observers")))
            for k, s in enumerate(steps):
                rows.append((_ms(s.time), ORDER["transition"], k,
                             ReportTransition(s.time, s.report_id, str(s.to_status), s.actor,
                                              s.rationale)))  # fmt: skip
        rows.sort(key=lambda r: r[:3])
        for row in rows:
            yield row[3]

    @staticmethod
    def _typed(rows: list, items: list[tuple[int, int, TrackUpdate]], group: int) -> None:
        """Typed updates batched per second (one ingest call each, not one per track)."""
        batches: dict[int, list[TrackUpdate]] = {}
        for t, _i, u in items:
            batches.setdefault(t // 1000, []).append(u)
        for sec, ups in batches.items():
            rows.append((sec * 1000, ORDER["updates"], group,
                         DirectUpdates(float(sec), tuple(ups), f"{SOURCE}/bulk")))


# ---- the runner ---------------------------------------------------------------------------
class Pipeline(Protocol):
    def ingest_text(self, fmt: str, text: str | bytes, source: str, *,
                    received: float | None = None) -> Any: ...  # fmt: skip
    def ingest_updates(self, updates: list, source: str, *,
                       received: float | None = None) -> Any: ...  # fmt: skip
    def transition_report(self, report_id: str, to_status: str, actor: str, rationale: str,
                          *, at: float | None = None) -> Any: ...  # fmt: skip
    def put_zones(self, feature_collection: dict[str, Any]) -> Any: ...
    def store_history(self, rows: list[tuple[str, float, float, float]]) -> Any: ...


class ScenarioRunner:
    """Plays a scenario into a pipeline on a daemon thread.

    On start: the zones, then the last ``backfill_s`` of track history (thinned to one
    report a minute per track, but for the last minute: see ``backfill``) and the
    reports of the last ``reports_backfill_s`` with their verification so far, each
    dated when the scenario says it happened, so the picture is not empty; then the
    older track history back to ``older_s`` before start, for replay only
    (``backfill_older``: after the picture, so it is served no later for it); then
    every ``tick_s`` of wall time, what the scenario emits over ``tick_s * speed`` of
    scenario time. ``ready`` is set once all of that is stored: a client that connects
    after it finds every hour it may replay (``cli.start_demo_server`` waits for it).
    Pipeline errors (a refused transition after a restart on the same database, say)
    are counted in ``stats`` and logged, never fatal.
    """

    def __init__(self, scenario: Scenario, pipeline: Pipeline, speed: float = 1.0,
                 tick_s: float = 1.0, *, backfill_s: float | None = None,
                 reports_backfill_s: float = 86_400.0, older_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        if speed <= 0 or tick_s <= 0:
            raise ValueError("speed and tick_s must be positive")
        self.scenario, self.pipeline = scenario, pipeline
        self.speed, self.tick_s = float(speed), float(tick_s)
        # At scale one minute of history is already a million updates: backfill less.
        self.small = scenario.tracks <= 10 * DEFAULT_TRACKS
        default = 1800.0 if self.small else 120.0
        self.backfill_s = default if backfill_s is None else float(backfill_s)
        # At scale six hours would be tens of millions of rows: the short backfill only.
        self.older_s = (older.OLDER_S if self.small else 0.0) if older_s is None else older_s
        self.reports_backfill_s = float(reports_backfill_s)
        self.clock = clock
        self.stats: Counter[str] = Counter()
        self.sim_time = scenario.start
        self.ready = threading.Event()  # set once the backfill is in the pipeline
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ScenarioRunner:
        self._thread = threading.Thread(target=self._run, name=f"scenario-{self.scenario.name}",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def reports_since(self) -> float:
        return self.scenario.start - self.reports_backfill_s

    def _run(self) -> None:
        try:
            self.backfill()
        except Exception:  # the picture keeps running on the live feed
            log.exception("scenario backfill failed")
        # The clock starts before the older history: the first tick then covers the
        # time it took, so live play does not lag the server clock by it.
        wall0, sim0 = self.clock(), self.scenario.start
        try:
            self.backfill_older()
        except Exception:  # replay of the older hours is lost, the picture is not
            log.exception("scenario older history failed")
        self.ready.set()
        while not self._stop.wait(self.tick_s):
            now = sim0 + (self.clock() - wall0) * self.speed
            try:
                self.dispatch(self.scenario.emissions(self.sim_time, now,
                                                      reports_since=self.reports_since))
            except Exception:
                self.stats["errors"] += 1
                log.exception("scenario tick failed")
            self.sim_time = now

    def backfill(self) -> None:
        """Zones, track history, then the last day's reports and their steps.

        Thinned history leaves every track's last fix up to a minute old, and rules
        run at the server clock: each UAV (stale after 30 s) and many aircraft would be
        stale when live play begins a second later, so "lost" in the airspace with an
        alert that stays open for the clearing hold. At the default scale the last
        minute is therefore sent at the feeds' own rates, in the same ingest calls as
        the thinned part, so no evaluation sees a track's thinned fix alone.

        Reports and steps go one per call, dated with their scenario times: replayed
        at the server clock, a day of corroborations would all be "news" now.
        """
        sc = self.scenario
        self._call("zones", self.pipeline.put_zones, sc.zones_geojson())
        tracks = ("air", "sea")
        t0 = sc.start - self.backfill_s
        full = min(HISTORY_STEP_MS / 1000.0, self.backfill_s) if self.small else 0.0
        self.dispatch(itertools.chain(
            sc.emissions(t0, sc.start - full, domains=tracks, history=True),
            sc.emissions(sc.start - full, sc.start, domains=tracks)))  # fmt: skip
        self.dispatch(sc.emissions(self.reports_since, sc.start, domains=("land",),
                                   reports_since=self.reports_since), dated=True)  # fmt: skip

    def backfill_older(self) -> None:
        """Track history from ``older_s`` before start to where ``backfill`` began,
        one fix every two minutes, for replay (see ``scenario_history``): history rows
        only, newest hours first; an aircraft the live picture does not hold (on
        the ground since) gets its last fix merged, dated at its own time."""
        sc = self.scenario
        t0, t1 = sc.start - self.older_s, sc.start - self.backfill_s
        if t0 >= t1:
            return
        rows = older.history_rows(sc, t0, t1)
        pic = getattr(self.pipeline, "picture", None)
        merged: list[TrackUpdate] = []
        if pic is not None:
            with pic.lock:
                held = set(pic.keys())
            last: dict[str, float] = {}
            for key, t, _la, _lo in rows:
                if key not in held and t > last.get(key, -math.inf):
                    last[key] = t
            merged = older.last_fixes(sc, last, f"{SOURCE}/adsb")
            skip = {(u.key, u.time) for u in merged}
            rows = [r for r in rows if (r[0], r[1]) not in skip]
        rows.sort(key=lambda r: r[1], reverse=True)
        for _k, chunk in itertools.groupby(rows, key=lambda r: (t1 - r[1]) // older.CHUNK_S):
            self._call("history", self.pipeline.store_history, list(chunk))
        for u in merged:
            self._call("updates", self.pipeline.ingest_updates, [u], u.source, received=u.time)

    def dispatch(self, emissions: Iterator[Emission] | list[Emission], *,
                 dated: bool = False) -> None:  # fmt: skip
        """Feed text in one call per format and source, then typed updates, then
        transitions (a report is always posted long before its first step).

        ``dated``: one call per emission in time order, each stamped with its scenario
        time (the backfill of reports; cheap, as there are a few hundred a day).
        """
        if dated:
            for e in emissions:
                self._dated(e)
            return
        texts: dict[tuple[str, str], list[str]] = {}
        updates: list[DirectUpdates] = []
        steps: list[ReportTransition] = []
        for e in emissions:
            if type(e) is FeedText:
                texts.setdefault((e.fmt, e.source), []).append(e.text)
            elif type(e) is DirectUpdates:
                updates.append(e)
            else:
                steps.append(e)
        for (fmt, source), parts in texts.items():
            body = _merge_geojson(parts) if fmt == "geojson" else "\n".join(parts) + "\n"
            result = self._call(fmt, self.pipeline.ingest_text, fmt, body, source)
            self.stats["rejected"] += int(getattr(result, "rejected", 0) or 0)
        for batch in updates:
            self._call("updates", self.pipeline.ingest_updates, list(batch.updates), batch.source)
        for s in steps:
            self._call("transition", self.pipeline.transition_report, s.report_id, s.to_status,
                       s.actor, s.rationale)  # fmt: skip

    def _dated(self, e: Emission) -> None:
        if type(e) is FeedText:
            result = self._call(e.fmt, self.pipeline.ingest_text, e.fmt, e.text, e.source,
                                received=e.time)  # fmt: skip
            self.stats["rejected"] += int(getattr(result, "rejected", 0) or 0)
        elif type(e) is DirectUpdates:
            self._call("updates", self.pipeline.ingest_updates, list(e.updates), e.source,
                       received=e.time)  # fmt: skip
        else:
            self._call("transition", self.pipeline.transition_report, e.report_id,
                       e.to_status, e.actor, e.rationale, at=e.time)  # fmt: skip

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            self.stats[f"{what}_refused"] += 1
            log.debug("scenario %s refused: %s", what, exc)
            return None
        self.stats[what] += 1
        return result


def _merge_geojson(docs: list[str]) -> str:
    features = [f for d in docs for f in json.loads(d)["features"]]
    return json.dumps({"type": "FeatureCollection", "features": features}, sort_keys=True)
