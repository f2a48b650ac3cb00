"""Picture figures: as_of over 100k tracks with 60-point histories, upsert rate, RSS.

Targets (Foundation issue): as_of <= 50 ms median; RSS <= 400 MB. The baseline in
the same run is a full numpy pass over the same history block (the floor any
columnar as_of pays), so the ratio is comparable across noisy machines.
Replay older than the kept history (desktop issue): 20 minutes of archived fixes for
every track (2M at 100k tracks, the archive's cap), added as one fetch would add
them, then ``as_of`` inside that stretch; a frame at 100k tracks has 33 ms.
    .venv/bin/python benchmarks/picture.py [--tracks N]
"""

from __future__ import annotations

import argparse
import gc

import numpy as np
from _common import median_ms, report, rss_mb, timed

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.updates import TrackUpdate, air_key, sea_key

T0 = 1_790_000_000.0


def make_round(n_tracks: int, p: int, seed: int = 7) -> list[TrackUpdate]:
    """Round ``p`` of round-robin fixes: every track reports once per round, 10 s apart."""
    rng = np.random.default_rng(seed)
    lat0 = rng.uniform(44.0, 52.0, n_tracks)
    lon0 = rng.uniform(28.0, 40.0, n_tracks)
    air = rng.random(n_tracks) < 0.5
    keys = [air_key(f"{i:06x}") if a else sea_key(200000000 + i) for i, a in enumerate(air)]
    doms = [Domain.AIR if a else Domain.SEA for a in air]
    lat = (lat0 + p * 0.001).tolist()
    lon = (lon0 + p * 0.001).tolist()
    t = T0 + p * 10.0
    return [TrackUpdate(doms[i], keys[i], "bench", t, lat[i], lon[i],
                        {"speed_kn": 300.0 if air[i] else 12.0})
            for i in range(n_tracks)]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=60)
    args = ap.parse_args()

    rss0 = rss_mb()
    picture = Picture(history_points=args.points, history_seconds=86400,
                      capacity=args.tracks)  # fmt: skip
    # Upsert rate, measured on the first 100k updates into an empty picture.
    upsert_s = timed(lambda: picture.upsert_many(make_round(args.tracks, 0)), 1)[0]
    for p in range(1, args.points):
        picture.upsert_many(make_round(args.tracks, p))
    gc.collect()
    rss_total = rss_mb()

    t_last = T0 + (args.points - 1) * 10.0
    t_mid = T0 + (args.points - 1) * 5.0 + 3.0  # between fixes: forces interpolation
    as_of_live = timed(lambda: picture.as_of(t_last), 15)
    as_of_mid = timed(lambda: picture.as_of(t_mid), 15)
    frame = picture.as_of(t_mid)
    assert len(frame) == args.tracks, len(frame)
    block = picture._hist_t[: len(picture)]
    baseline = timed(lambda: (block <= t_mid).sum(axis=1), 15)

    keys = picture.keys()
    minutes = 20
    a_t = np.repeat(T0 - 60.0 * (minutes - np.arange(minutes)), len(keys))
    a_keys = keys * minutes
    a_lat = np.full(len(a_t), 48.0) + np.tile(np.arange(len(keys)) * 1e-5, minutes)
    a_lon = np.full(len(a_t), 33.0)
    add_s = timed(lambda: picture.add_archived_fixes(a_keys, a_t, a_lat, a_lon), 1)[0]
    t_old = T0 - 60.0 * 10 + 30.0  # between two archived fixes
    old = picture.as_of(t_old)
    assert len(old) == args.tracks, len(old)
    as_of_archive = timed(lambda: picture.as_of(t_old), 15)
    as_of_live_with_archive = timed(lambda: picture.as_of(t_last), 15)
    rss_archive = rss_mb()

    figs = {
        "tracks": args.tracks,
        "history_points": args.points,
        "as_of_live_ms": round(median_ms(as_of_live), 2),
        "as_of_replay_ms": round(median_ms(as_of_mid), 2),
        "baseline_scan_ms": round(median_ms(baseline), 2),
        "as_of_vs_scan_ratio": round(median_ms(as_of_mid) / median_ms(baseline), 2),
        "upsert_per_s": round(args.tracks / upsert_s),
        "rss_mb": round(rss_total, 1),
        "rss_picture_mb": round(rss_total - rss0, 1),
        "archived_fixes": len(picture.archive),
        "archive_add_s": round(add_s, 2),
        "as_of_archive_ms": round(median_ms(as_of_archive), 2),
        "as_of_live_with_archive_ms": round(median_ms(as_of_live_with_archive), 2),
        "as_of_archive_vs_replay_ratio": round(median_ms(as_of_archive) / median_ms(as_of_mid),
                                               2),
        "rss_with_archive_mb": round(rss_archive, 1),
    }
    report("picture", [
        ("as_of median (live, ms)", f"{figs['as_of_live_ms']:.1f}", "target <= 50"),
        ("as_of median (replay, ms)", f"{figs['as_of_replay_ms']:.1f}", "target <= 50"),
        ("baseline history scan (ms)", f"{figs['baseline_scan_ms']:.1f}", ""),
        ("as_of / scan ratio", f"{figs['as_of_vs_scan_ratio']:.2f}", ""),
        ("upsert (updates/s)", f"{figs['upsert_per_s']:,}", ""),
        ("RSS whole process (MB)", f"{figs['rss_mb']:.0f}", "target <= 400"),
        (f"archive: add {figs['archived_fixes']:,} fixes (s)", f"{figs['archive_add_s']:.2f}",
         "off the UI thread"),
        ("as_of in the archived past (ms)", f"{figs['as_of_archive_ms']:.1f}", "target <= 33"),
        ("as_of live, archive held (ms)", f"{figs['as_of_live_with_archive_ms']:.1f}",
         "target <= 33"),
        ("archived / kept replay ratio", f"{figs['as_of_archive_vs_replay_ratio']:.2f}", ""),
        ("RSS with the archive (MB)", f"{figs['rss_with_archive_mb']:.0f}", ""),
    ], figs)  # fmt: skip


if __name__ == "__main__":
    main()
