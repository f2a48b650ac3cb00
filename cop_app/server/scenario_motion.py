"""Deterministic motion and sampling for the exercise scenario.

Every track's position is a closed-form function of absolute time and the seed, and
every report a track sends is due at ``phase + k * period`` in integer milliseconds.
So the emissions of a window do not depend on where earlier windows ended: asking for
[t0, t2) gives exactly what [t0, t1) and [t1, t2) give together, which is what lets the
runner tick at any rate and still be byte-for-byte reproducible. Geodesy is pyproj's
(geodesics on WGS84); all functions take numpy arrays so 100k tracks cost a few calls.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
KN = 1852.0 / 3600.0  # metres per second in one knot
FT_PER_NM_PROFILE = 300.0  # climb/descent gradient of transit flights (about 3 degrees)

MOVING, AT_END, RETURNING, AT_START = 0, 1, 2, 3  # phases of a shuttle cycle


def rng(seed: int, *labels: object) -> np.random.Generator:
    """A generator for one part of the scenario: stable across runs and Python
    versions (crc32, not ``hash()``, which is salted per process)."""
    words = [seed & 0xFFFFFFFF, *(zlib.crc32(str(x).encode()) for x in labels)]
    return np.random.default_rng(np.random.SeedSequence(words))


def due(phase_ms: np.ndarray, period_ms: np.ndarray, t0_ms: int, t1_ms: int
        ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(entity index, time in ms) of every report due in [t0_ms, t1_ms), exact in ints.

    Ordered by entity, then time.
    """
    phase_ms = np.asarray(phase_ms, dtype=np.int64)
    period_ms = np.broadcast_to(np.asarray(period_ms, dtype=np.int64), phase_ms.shape)
    k0 = -((phase_ms - t0_ms) // period_ms)  # ceil((t0 - phase) / period)
    k1 = -((phase_ms - t1_ms) // period_ms)
    n = np.maximum(k1 - k0, 0)
    total = int(n.sum())
    idx = np.repeat(np.arange(phase_ms.size), n)
    if total == 0:
        return idx, np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(n) - n, n)
    k = k0[idx] + (np.arange(total) - starts)
    return idx, phase_ms[idx] + k * period_ms[idx]


@dataclass(slots=True)
class Racetrack:
    """Orbits: two straight legs joined by half circles, flown at constant speed."""

    lat: np.ndarray
    lon: np.ndarray
    axis_deg: np.ndarray
    leg_m: np.ndarray
    radius_m: np.ndarray
    speed_mps: np.ndarray
    phase_m: np.ndarray

    def position(self, i: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        leg, r = self.leg_m[i], self.radius_m[i]
        perimeter = 2 * leg + 2 * np.pi * r
        s = np.mod(self.speed_mps[i] * t + self.phase_m[i], perimeter)
        x, y = np.empty_like(s), np.empty_like(s)
        a = s < leg
        x[a], y[a] = s[a] - leg[a] / 2, r[a]
        b = ~a & (s < leg + np.pi * r)
        th = (s[b] - leg[b]) / r[b]
        x[b], y[b] = leg[b] / 2 + r[b] * np.sin(th), r[b] * np.cos(th)
        c = ~a & ~b & (s < 2 * leg + np.pi * r)
        x[c], y[c] = leg[c] / 2 - (s[c] - leg[c] - np.pi * r[c]), -r[c]
        d = ~(a | b | c)
        th = (s[d] - 2 * leg[d] - np.pi * r[d]) / r[d]
        x[d], y[d] = -leg[d] / 2 - r[d] * np.sin(th), -r[d] * np.cos(th)
        beta = np.radians(self.axis_deg[i])
        east = x * np.sin(beta) + y * np.cos(beta)
        north = x * np.cos(beta) - y * np.sin(beta)
        lon, lat, _ = GEOD.fwd(self.lon[i], self.lat[i], np.degrees(np.arctan2(east, north)),
                               np.hypot(east, north))  # fmt: skip
        return np.asarray(lat), np.asarray(lon)


def shuttle(t: np.ndarray, length_m: np.ndarray, speed_mps: np.ndarray, dwell_end_s: np.ndarray,
            dwell_start_s: np.ndarray, phase_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance along a route and cycle phase for a there-wait-back-wait shuttle."""
    leg_s = length_m / speed_mps
    cycle = 2 * leg_s + dwell_end_s + dwell_start_s
    tau = np.mod(t + phase_s, cycle)
    d = np.zeros_like(tau)
    state = np.full(tau.shape, AT_START, dtype=np.int8)
    out = tau < leg_s
    d[out], state[out] = speed_mps[out] * tau[out], MOVING
    wait = ~out & (tau < leg_s + dwell_end_s)
    d[wait], state[wait] = length_m[wait], AT_END
    back = ~out & ~wait & (tau < 2 * leg_s + dwell_end_s)
    d[back] = length_m[back] - speed_mps[back] * (tau[back] - leg_s[back] - dwell_end_s[back])
    state[back] = RETURNING
    return d, state


class Route:
    """A polyline of waypoints and where along it a distance falls (geodesic legs)."""

    def __init__(self, lonlat: list[list[float]]) -> None:
        pts = np.asarray(lonlat, dtype=float)
        self.lon, self.lat = pts[:, 0], pts[:, 1]
        az, _back, dist = GEOD.inv(self.lon[:-1], self.lat[:-1], self.lon[1:], self.lat[1:])
        self.az = np.atleast_1d(az)
        self.cum = np.concatenate(([0.0], np.cumsum(dist)))
        self.length_m = float(self.cum[-1])

    def at(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seg = np.clip(np.searchsorted(self.cum, d, side="right") - 1, 0, self.az.size - 1)
        lon, lat, _ = GEOD.fwd(self.lon[seg], self.lat[seg], self.az[seg], d - self.cum[seg])
        return np.asarray(lat), np.asarray(lon)


def course(lat0: np.ndarray, lon0: np.ndarray, lat1: np.ndarray, lon1: np.ndarray,
           fallback: np.ndarray) -> np.ndarray:  # fmt: skip
    """True course from one position to the next; ``fallback`` where they coincide."""
    az, _back, dist = GEOD.inv(lon0, lat0, lon1, lat1)
    az = np.mod(np.asarray(az), 360.0)
    return np.where(np.asarray(dist) > 0.01, az, fallback)


def offset(lat: np.ndarray, lon: np.ndarray, bearing: np.ndarray, dist_m: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, dist_m)
    return np.asarray(lat2), np.asarray(lon2)
