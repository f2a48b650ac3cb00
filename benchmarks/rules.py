"""Rules figures: one evaluation of every rule over 100k tracks and the exercise zones.

Target (Alerts issue): <= 100 ms median. Tracks are spread over the exercise area
(Black Sea and the line of contact), 40% air, 45% sea, 15% land, with 10 fixes each
and some planted conditions (emergency squawks, slow ships in the corridor, silent
ships, jumps, stale tracks). Baselines in the same run: ``Picture.as_of`` over the
same picture (the floor any whole-picture view pays) and a plain shapely per-point
loop (Point + contains for each track and zone) on 1k tracks, scaled to 100k.
    .venv/bin/python benchmarks/rules.py [--tracks N] [--repeat N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import median_ms, report, timed
from shapely.geometry import Point

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.rules import RuleConfig, RuleEngine
from cop_app.server.scenario import Scenario

T0 = 1_790_000_000.0
POINTS = 10


def build(n: int, seed: int = 11) -> tuple[Picture, float]:
    rng = np.random.default_rng(seed)
    dom = rng.choice([0, 1, 2], n, p=[0.40, 0.45, 0.15])
    lat0 = rng.uniform(41.0, 50.0, n)
    lon0 = rng.uniform(27.5, 40.0, n)
    step = np.where(dom == 0, 0.02, 0.001)  # degrees per 30 s
    heading = rng.uniform(0, 2 * np.pi, n)
    k = np.arange(POINTS)
    t = T0 + k[None, :] * 30.0 + rng.uniform(0, 5, (n, 1))
    lat = lat0[:, None] + np.sin(heading)[:, None] * step[:, None] * k[None, :]
    lon = lon0[:, None] + np.cos(heading)[:, None] * step[:, None] * k[None, :]
    jump = rng.random(n) < 0.002
    lat[jump, -1] += 1.0
    silent = (dom == 1) & (rng.random(n) < 0.01)
    t[silent] -= 3600.0
    fields = []
    squawks = ("7700", "7600", "7500")
    for i in range(n):
        f = {"speed_kn": 300.0 if dom[i] == 0 else (1.0 if i % 50 == 0 else 10.0),
             "altitude_ft": float(rng.uniform(0, 40000)) if dom[i] == 0 else None}
        if dom[i] == 0:
            f["squawk"] = squawks[i % 3] if i % 997 == 0 else "1200"
        fields.append(f)
    pic = Picture(history_points=POINTS, history_seconds=86400, capacity=n)
    stale = np.where(dom == 0, 60.0, np.where(dom == 1, 360.0, 600.0))
    pic.restore_tracks([f"t{i}" for i in range(n)], [Domain(int(d)) for d in dom],
                       fields=fields, sources=[("bench",)] * n,
                       last_time=t[:, -1], stale_s=stale, history=(t, lat, lon),
                       history_n=np.full(n, POINTS))  # fmt: skip
    for feat in Scenario(start=T0).zones_geojson()["features"]:
        pic.set_zone(Zone.from_feature(feat))
    return pic, float(t[:, -1].max()) + 1.0


def shapely_loop(pic: Picture, t: float, m: int) -> None:
    """The naive baseline: one Point per track and a contains call per zone."""
    zones = [z.geometry for z in pic.zones.values()]
    frame = pic.as_of(t)
    for i in range(min(m, len(frame))):
        p = Point(frame.lon[i], frame.lat[i])
        for g in zones:
            g.contains(p)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    t_build = time.perf_counter()
    pic, t = build(args.tracks)
    t_build = time.perf_counter() - t_build
    engine = RuleEngine(RuleConfig())
    conds = engine.evaluate(pic, t)  # first call prepares zones (cached per version)
    first = timed(lambda: RuleEngine(RuleConfig()).evaluate(pic, t), 1)[0]
    rules_ms = median_ms(timed(lambda: engine.evaluate(pic, t), args.repeat))
    as_of_ms = median_ms(timed(lambda: pic.as_of(t), args.repeat))
    m = 1000
    loop_ms = median_ms(timed(lambda: shapely_loop(pic, t, m), 3)) * args.tracks / m
    by_rule: dict[str, int] = {}
    for _subject, rule in conds:
        by_rule[rule] = by_rule.get(rule, 0) + 1
    figures = {
        "tracks": args.tracks, "zones": len(pic.zones), "conditions": len(conds),
        "rules_ms": round(rules_ms, 1), "first_ms": round(first * 1000, 1),
        "as_of_ms": round(as_of_ms, 1), "shapely_loop_ms_scaled": round(loop_ms, 0),
        "ratio_to_as_of": round(rules_ms / as_of_ms, 2),
        "speedup_vs_loop": round(loop_ms / rules_ms, 1), "target_ms": 100,
        "by_rule": by_rule, "build_s": round(t_build, 1),
    }  # fmt: skip
    report("rules", [
        ("tracks / zones", f"{args.tracks} / {len(pic.zones)}", ""),
        ("conditions found", str(len(conds)), ""),
        ("evaluate all rules (median)", f"{rules_ms:.1f} ms", "<= 100 ms"),
        ("first evaluation (zones prepared)", f"{first * 1000:.1f} ms", ""),
        ("baseline as_of (median)", f"{as_of_ms:.1f} ms", f"ratio {rules_ms / as_of_ms:.2f}"),
        ("baseline shapely loop, scaled", f"{loop_ms:.0f} ms", f"x{loop_ms / rules_ms:.1f}"),
    ], figures)  # fmt: skip


if __name__ == "__main__":
    main()
