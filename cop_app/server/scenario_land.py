"""Land reports along the ceasefire line, and how their verification progresses.

Rates: about 120 reports a day across the whole line (5 an hour on average, twice as
many in the late evening as at midday, as ceasefire violations cluster after dark),
which sits inside the tens-to-a-few-hundred a day a monitoring mission files. Each
report is one observation in the SMM vocabulary (event type, seen/heard/recorded, a
count) with an admiralty grading of its source (A-F) and information (1-6), placed near
the line: 70% around the sectors that saw most fighting, within a few km of the line.

Verification after the report is posted: triaged within 10-90 min; most go under
verification within hours; then about 45% corroborated (60% of those later verified),
35% unverifiable and 20% rejected; 10% stay triaged and 2% are retracted by the
observer. Each step is one emission and legal by ``verification.allowed_next``.

Everything for one hour of event time is drawn from its own generator, so any window
of emissions is the same whatever windows came before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cop_app.core.enums import EventType, Perception
from cop_app.core.style import EVENT_LABELS
from cop_app.core.timeutil import format_iso
from cop_app.core.verification import VerificationStatus as VS
from cop_app.server import scenario_motion as mo
from cop_app.server.scenario_zones import contact_line, geography

HOUR = 3600
MEAN_PER_HOUR = 5.0
MAX_LAG_H = 60  # report posted <= 1.5 h after the event, last step <= 57 h after that
HOT_SPOTS = (0.08, 0.42, 0.60, 0.64, 0.70, 0.93)  # Kherson, Robotyne, Pokrovsk, Toretsk,
# Chasiv Yar, Kupiansk (fractions of the line's length)

# event type, weight, perception weights (seen, heard, recorded), count range, wording
EVENTS = (
    (EventType.EXPLOSION, 0.32, (0.2, 0.75, 0.05), (1, 40), "undetermined explosion(s)"),
    (EventType.BURST, 0.22, (0.15, 0.85, 0.0), (5, 300), "bursts of small-arms fire"),
    (EventType.PROJECTILE, 0.08, (0.7, 0.3, 0.0), (1, 12), "projectile(s) in flight"),
    (EventType.WEAPON_SIGHTING, 0.12, (0.6, 0.0, 0.4), (1, 12),
     "heavy weapon(s) in violation of the withdrawal lines"),
    (EventType.PRESENCE_IN_DISENGAGEMENT_AREA, 0.06, (0.8, 0.0, 0.2), (2, 30),
     "armed personnel inside the buffer zone"),
    (EventType.CIVILIAN_HARM, 0.03, (0.6, 0.0, 0.4), (1, 4),
     "civilian(s) injured or house(s) damaged"),
    (EventType.MINE_UXO, 0.08, (1.0, 0.0, 0.0), (1, 20),
     "mine(s) or unexploded ordnance near a road"),
    (EventType.MONITOR_IMPEDIMENT, 0.07, (1.0, 0.0, 0.0), (1, 1),
     "patrol denied passage at a checkpoint"),
    (EventType.OTHER, 0.02, (1.0, 0.0, 0.0), (1, 1), "case of jamming of a mission UAV"),
)  # fmt: skip
PERCEPTIONS = (Perception.SEEN, Perception.HEARD, Perception.RECORDED)
RELIABILITY = ("A", "B", "C", "D", "E", "F")
RELIABILITY_P = (0.08, 0.35, 0.35, 0.12, 0.05, 0.05)
CREDIBILITY_P = (0.10, 0.30, 0.35, 0.12, 0.05, 0.08)
VERB = {Perception.SEEN: "saw", Perception.HEARD: "heard", Perception.RECORDED: "recorded"}
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


@dataclass(frozen=True, slots=True)
class Step:
    time: float  # whole milliseconds, like every emission time
    report_id: str
    to_status: str
    actor: str
    rationale: str


@dataclass(frozen=True, slots=True)
class Planned:
    id: str
    posted: float
    document: str  # a GeoJSON FeatureCollection holding the one report
    steps: tuple[Step, ...]


def _verification(r: np.random.Generator, rid: str, posted: float, observer: str
                  ) -> tuple[Step, ...]:  # fmt: skip
    cell = f"verifier:cell-{int(r.integers(1, 5))}"
    u = r.uniform(0, 1, 3)
    if u[0] < 0.02:
        return _to_ms([Step(posted + r.uniform(600, 3600), rid, VS.RETRACTED,
                            f"observer:{observer}",
                            "Duplicate of an earlier report from the same post")])
    t = posted + r.uniform(600, 5400)
    steps = [Step(t, rid, VS.TRIAGED, cell, "Within mandate; queued for verification")]
    if u[1] < 0.10:
        return _to_ms(steps)
    t += r.uniform(1, 6) * HOUR
    steps.append(Step(t, rid, VS.UNDER_VERIFICATION, cell, "Tasked to a patrol and UAV"))
    t += r.uniform(2, 24) * HOUR
    if u[2] < 0.45:
        steps.append(Step(t, rid, VS.CORROBORATED, cell,
                          "Corroborated by a second observation post"))  # fmt: skip
        if r.uniform() < 0.6:
            t += r.uniform(4, 24) * HOUR
            steps.append(Step(t, rid, VS.VERIFIED, cell,
                              "Site visited; craters and fragments consistent"))  # fmt: skip
    elif u[2] < 0.80:
        steps.append(Step(t, rid, VS.UNVERIFIABLE, cell,
                          "No access to the site; no other source"))  # fmt: skip
    else:
        steps.append(Step(t, rid, VS.REJECTED, cell,
                          "Imagery shows no activity at the reported time and place"))
    return _to_ms(steps)


def _to_ms(steps: list[Step]) -> tuple[Step, ...]:
    """Times in whole milliseconds, like every other emission (exact ordering)."""
    return tuple(Step(round(s.time, 3), s.report_id, s.to_status, s.actor, s.rationale)
                 for s in steps)  # fmt: skip


def _where(lon: float, lat: float) -> str:
    names = geography()["settlements"]
    lons = np.asarray([s[1] for s in names])
    lats = np.asarray([s[2] for s in names])
    az, _b, dist = mo.GEOD.inv(lons, lats, np.full(lons.shape, lon), np.full(lons.shape, lat))
    k = int(np.argmin(dist))
    if dist[k] < 1000:
        return f"in {names[k][0]}"
    point = COMPASS[int(((az[k] % 360) + 22.5) // 45) % 8]
    return f"{dist[k] / 1000:.0f} km {point} of {names[k][0]}"


@lru_cache(maxsize=512)
def hour_plan(seed: int, hour: int) -> tuple[Planned, ...]:
    """The reports whose events fall in one UTC hour (``hour`` = epoch hours)."""
    r = mo.rng(seed, "land", hour)
    hod = hour % 24
    lam = MEAN_PER_HOUR * (1 + 0.6 * np.cos(2 * np.pi * (hod - 22) / 24))
    n = int(r.poisson(lam))
    if n == 0:
        return ()
    weights = np.asarray([e[1] for e in EVENTS])
    kinds = r.choice(len(EVENTS), n, p=weights / weights.sum())
    hot = r.uniform(0, 1, n) < 0.7
    frac = np.where(hot, np.asarray(HOT_SPOTS)[r.integers(0, len(HOT_SPOTS), n)]
                    + r.normal(0, 0.02, n), r.uniform(0, 1, n))  # fmt: skip
    side = np.clip(r.normal(0, 6000, n), -24000, 24000)
    buffer_only = kinds == 4  # presence in the disengagement area: inside the buffer
    side = np.where(buffer_only, np.clip(side, -14000, 14000), side)
    lon, lat = contact_line().points(np.clip(frac, 0.0, 1.0), side)
    out = []
    for i in range(n):
        kind, _w, pw, (lo, hi), wording = EVENTS[int(kinds[i])]
        perception = PERCEPTIONS[int(r.choice(3, p=np.asarray(pw) / sum(pw)))]
        count = int(min(hi, lo + r.geometric(1 / max(1.0, (hi - lo) / 4)) - 1))
        t = hour * HOUR + float(r.uniform(0, HOUR))
        posted = round(t + float(r.uniform(300, 5400)), 3)
        rid = f"CF{seed}-{format_iso(hour * HOUR)[2:13].replace('-', '').replace('T', '')}-{i:02d}"
        observer = (f"OP-{int(r.integers(1, 13))}" if r.uniform() < 0.6
                    else f"Patrol {int(r.integers(1, 31))}")  # fmt: skip
        if perception is Perception.RECORDED:
            camera = f"Camera CF-CAM-{int(r.integers(1, 9))}"
            observer = "Mission UAV" if r.uniform() < 0.7 else camera
        rel = RELIABILITY[int(r.choice(6, p=RELIABILITY_P))]
        cred = int(r.choice(6, p=CREDIBILITY_P)) + 1
        place = _where(float(lon[i]), float(lat[i]))
        props = {
            "id": rid, "title": f"{EVENT_LABELS.get(kind.value, kind.value)} {place}",
            "event_type": kind.value, "perception": perception.value, "count": count,
            "status": VS.REPORTED.value, "time": format_iso(round(t)),
            "reliability": rel, "credibility": cred, "observer": observer,
            "text": f"{observer} {VERB[perception]} {count if hi > 1 else 'a'} {wording} {place}.",
            "exercise": True,
        }  # fmt: skip
        feature = {"type": "Feature", "id": rid, "properties": props,
                   "geometry": {"type": "Point",
                                "coordinates": [round(float(lon[i]), 4), round(float(lat[i]), 4)]}}
        doc = json.dumps({"type": "FeatureCollection", "features": [feature]}, sort_keys=True)
        out.append(Planned(rid, posted, doc, _verification(r, rid, posted, observer)))
    return tuple(out)


def land_emissions(seed: int, t0: float, t1: float, reports_since: float | None = None
                   ) -> tuple[list[Planned], list[Step]]:  # fmt: skip
    """Reports posted and verification steps taken in [t0, t1); steps of reports
    posted before ``reports_since`` are left out (those reports were never sent)."""
    posted: list[Planned] = []
    steps: list[Step] = []
    for hour in range(int(t0 // HOUR) - MAX_LAG_H, int(t1 // HOUR) + 1):
        for plan in hour_plan(seed, hour):
            if t0 <= plan.posted < t1:
                posted.append(plan)
            if reports_since is None or plan.posted >= reports_since:
                steps.extend(s for s in plan.steps if t0 <= s.time < t1)
    return posted, steps
