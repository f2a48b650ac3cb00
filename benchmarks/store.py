"""Offline cache figures: save and load of 10k tracks with 60-point histories.

The baseline in the same run stores the same picture with one SQL row per history
point (the obvious schema), so the ratio means something on a noisy machine. Its
code lives here only; the cache itself keeps one row of float64 BLOBs per track.
Replay history fetched from the server (``--archived`` fixes, in fetches of 100k)
is timed too, saved as the fetcher does and loaded as on start; its ratio is to the
picture's own load in the same run.
    .venv/bin/python benchmarks/store.py [--tracks N] [--points K] [--repeat R]
                                         [--archived F]
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import report, timed

from cop_app.core.enums import Domain, Identity
from cop_app.core.picture import Picture
from cop_app.store import PictureCache, codec

T0 = 1_790_000_000.0


def make_picture(n_tracks: int, points: int, seed: int = 11) -> Picture:
    """Air and sea tracks with feed-like fields and full histories (seeded)."""
    rng = np.random.default_rng(seed)
    p = Picture(history_points=points, history_seconds=86400, capacity=n_tracks)
    t = T0 + np.cumsum(rng.uniform(1.0, 20.0, (n_tracks, points)), axis=1)
    lat = rng.uniform(44.0, 52.0, (n_tracks, 1)) + np.cumsum(
        rng.normal(0, 1e-3, (n_tracks, points)), axis=1
    )
    lon = rng.uniform(28.0, 40.0, (n_tracks, 1)) + np.cumsum(
        rng.normal(0, 1e-3, (n_tracks, points)), axis=1
    )
    with p.batch():
        for i in range(n_tracks):
            air = i % 2 == 0
            fields = (
                {"icao24": f"{i:06x}", "callsign": f"FLT{i}", "altitude_ft": 30000.0 + i,
                 "speed_kn": 420.0, "squawk": "1000", "position_source": "adsb"}
                if air else
                {"mmsi": 200_000_000 + i, "name": f"VESSEL {i}", "speed_kn": 11.5,
                 "course_deg": 93.0, "nav_status": 0, "ais_class": "A", "ship_type": 70}
            )  # fmt: skip
            fields["identity"] = Identity.UNKNOWN
            p.restore_track(
                f"icao:{i:06x}" if air else f"mmsi:{200_000_000 + i:09d}",
                Domain.AIR if air else Domain.SEA,
                fields=fields,
                sources=["sbs", "aircraft-json"] if air else ["ais"],
                last_time=float(t[i, -1]),
                stale_s=60.0 if air else 360.0,
                history=(t[i], lat[i], lon[i]),
            )
    return p


class NaiveCache:
    """Baseline: the same tracks table, but histories as one row per point."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute(
            "CREATE TABLE tracks (key TEXT PRIMARY KEY, domain INTEGER, fields TEXT,"
            " sources TEXT, last_time REAL, stale_s REAL)"
        )
        self.conn.execute(
            "CREATE TABLE points (key TEXT, i INTEGER, t REAL, lat REAL, lon REAL,"
            " PRIMARY KEY (key, i))"
        )

    def save(self, picture: Picture) -> None:
        tracks, points = [], []
        for key in picture.keys():
            tr = picture.track(key)
            tracks.append((key, int(tr.domain), codec.dumps(tr.fields),
                           codec.dumps(list(tr.sources)), picture.last_time(key),
                           picture.stale_seconds(key)))  # fmt: skip
            t, lat, lon = picture.history(key)
            points.extend(zip(itertools.repeat(key), range(len(t)), t.tolist(),
                              lat.tolist(), lon.tolist()))  # fmt: skip
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute("DELETE FROM tracks")
        c.execute("DELETE FROM points")
        c.executemany("INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?)", tracks)
        c.executemany("INSERT INTO points VALUES (?, ?, ?, ?, ?)", points)
        c.execute("COMMIT")

    def load(self) -> Picture:
        c = self.conn
        c.execute("BEGIN")
        tracks = c.execute("SELECT * FROM tracks ORDER BY key").fetchall()
        points = c.execute("SELECT key, t, lat, lon FROM points ORDER BY key, i").fetchall()
        c.execute("COMMIT")
        picture = Picture(capacity=max(1024, len(tracks)))
        by_key = {k: list(g) for k, g in itertools.groupby(points, key=lambda r: r[0])}
        with picture.batch():
            for key, domain, fields, sources, last_time, stale_s in tracks:
                pts = np.array([r[1:] for r in by_key.get(key, [])], dtype=np.float64)
                hist = (pts[:, 0], pts[:, 1], pts[:, 2]) if len(pts) else ((), (), ())
                picture.restore_track(key, Domain(domain), fields=codec.loads_dict(fields),
                                      sources=codec.loads_list(sources), last_time=last_time,
                                      stale_s=stale_s, history=hist)  # fmt: skip
        return picture


def _check_same(a: Picture, b: Picture) -> None:
    """Both stores must hand back the picture they were given (spot check)."""
    assert sorted(a.keys()) == sorted(b.keys())
    for key in a.keys()[:: max(1, len(a) // 200)]:
        assert a.track(key) == b.track(key)
        pairs = zip(a.history(key), b.history(key), strict=True)
        assert all(np.array_equal(x, y) for x, y in pairs)


def archive_batches(picture: Picture, n_fixes: int, per_fetch: int = 100_000,
                    seed: int = 12) -> list[tuple[tuple[float, float], tuple]]:  # fmt: skip
    """Fetch-sized batches of fixes older than the kept history, one span each."""
    rng = np.random.default_rng(seed)
    keys = np.asarray(picture.keys(), dtype=object)
    out = []
    for i in range(0, n_fixes, per_fetch):
        n = min(per_fetch, n_fixes - i)
        a = T0 - 86400.0 + i / n_fixes * 43200.0
        b = a + per_fetch / n_fixes * 43200.0
        t = np.sort(np.round(rng.uniform(a, b, n), 3))
        out.append(((a, b), (keys[rng.integers(0, len(keys), n)], t,
                             rng.uniform(44.0, 52.0, n), rng.uniform(28.0, 40.0, n))))
    return out


def time_archive(cache: PictureCache, picture: Picture, n_fixes: int, repeat: int
                 ) -> tuple[list[float], list[float]]:  # fmt: skip
    """(save, load) seconds of ``n_fixes`` archived fixes: the saves one transaction
    per fetch as the fetcher writes them, the load into the restored picture."""
    batches = archive_batches(picture, n_fixes)
    for span, fixes in batches:
        picture.add_archived_fixes(*fixes, span=span)
    save, load = [], []
    for _ in range(repeat):
        cache._conn.execute("DELETE FROM archive_chunks")
        t0 = time.perf_counter()
        for span, _fixes in batches:
            cache.save_archive_batch(picture, [span])
        save.append(time.perf_counter() - t0)
        fresh = cache.load()
        t0 = time.perf_counter()
        cache.load_archive(fresh)
        load.append(time.perf_counter() - t0)
        for a, b in zip(picture.archive.cols, fresh.archive.cols, strict=True):
            assert np.array_equal(a, b)  # rows match: both pictures restored in one order
        assert fresh.archive.covered == picture.archive.covered
    return save, load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=10_000)
    ap.add_argument("--points", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--archived", type=int, default=1_000_000)
    args = ap.parse_args()
    picture = make_picture(args.tracks, args.points)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.sqlite"
        cache = PictureCache(path)
        save = timed(lambda: cache.save(picture), args.repeat)
        load = timed(cache.load, args.repeat)
        _check_same(picture, cache.load())
        arch_save, arch_load = time_archive(cache, picture, args.archived, args.repeat)
        cache.close()
        size_mb = path.stat().st_size / 2**20
        opened = timed(lambda: PictureCache(path).close(), args.repeat)

        naive = NaiveCache(Path(tmp) / "naive.sqlite")
        naive_save = timed(lambda: naive.save(picture), args.repeat)
        naive_load = timed(naive.load, args.repeat)
        _check_same(picture, naive.load())
        naive.conn.close()
        naive_mb = (Path(tmp) / "naive.sqlite").stat().st_size / 2**20

    def ms(samples: list[float], fn=statistics.median) -> float:
        return round(fn(samples) * 1000.0, 1)

    figures = {
        "tracks": args.tracks,
        "history_points": args.points,
        "load_ms": ms(load),
        "load_best_ms": ms(load, min),
        "save_ms": ms(save),
        "save_best_ms": ms(save, min),
        "open_ms": ms(opened),
        "file_mb": round(size_mb, 1),
        "naive_load_ms": ms(naive_load),
        "naive_save_ms": ms(naive_save),
        "naive_file_mb": round(naive_mb, 1),
        "load_speedup_vs_naive": round(statistics.median(naive_load) / statistics.median(load), 2),
        "save_speedup_vs_naive": round(statistics.median(naive_save) / statistics.median(save), 2),
        "archived_fixes": args.archived,
        "archive_save_ms": ms(arch_save),
        "archive_load_ms": ms(arch_load),
        "archive_load_best_ms": ms(arch_load, min),
        "archive_load_vs_picture_load": round(statistics.median(arch_load)
                                              / statistics.median(load), 2),
    }
    f = figures
    rows = [
        ("load, median (best)", f"{f['load_ms']} ({f['load_best_ms']}) ms", "on start"),
        ("save, median (best)", f"{f['save_ms']} ({f['save_best_ms']}) ms", "whole picture"),
        ("open + quick_check", f"{f['open_ms']} ms", ""),
        ("cache file", f"{f['file_mb']} MB", ""),
        ("naive load (row/point)", f"{f['naive_load_ms']} ms", "baseline"),
        ("naive save (row/point)", f"{f['naive_save_ms']} ms", "baseline"),
        ("naive file", f"{f['naive_file_mb']} MB", "baseline"),
        ("load speed-up", f"{f['load_speedup_vs_naive']}x", "vs naive, same run"),
        ("save speed-up", f"{f['save_speedup_vs_naive']}x", "vs naive, same run"),
        (f"archive save, {f['archived_fixes']:,} fixes", f"{f['archive_save_ms']} ms",
         "one transaction per 100k fetch"),
        (f"archive load, {f['archived_fixes']:,} fixes",
         f"{f['archive_load_ms']} ({f['archive_load_best_ms']}) ms", "on start, after the picture"),
        ("archive load / picture load", f"{f['archive_load_vs_picture_load']}x", "same run"),
    ]
    report("store", rows, figures)


if __name__ == "__main__":
    main()
