"""Air picture of the ceasefire exercise: orbits, transit flights and UAVs near the line.

What flies (exercise; callsigns and addresses are plausible, not real airframes):
- Surveillance and air-policing orbits (racetracks): a NATO E-3A over Romania, an
  RC-135 and an RQ-4 over the western Black Sea, Romanian and Polish F-16 pairs, and
  the mission's own surveillance aircraft behind the line.
- Transit flights between European airports (a few to Kyiv and Lviv: the exercise
  assumes civil flights resumed under the ceasefire), at FL340-390 and 420-490 kt,
  climbing and descending at about 300 ft/nm. Ground speed is constant along a leg (a
  simplification); an aircraft on the ground between legs is not reported. About one
  leg in 150 squawks 7700 for 15 minutes mid-leg: deterministic, and rare.
- UAVs near the line as CoT (``a-h-A-M-F-Q`` east of the line from counter-UAV sensors,
  the mission's ``a-f-A-M-F-Q`` to the west).

ADS-B goes out as SBS-1 lines formatted as dump1090-fa's ``modesSendSBSOutput`` writes
them (MSG,1 identity, MSG,3 airborne position, MSG,4 velocity, MSG,6 surveillance
squawk; UTC times). A receiver writes position and velocity about twice a second; the
scenario thins that to every 5 s, and identity/squawk to every 60 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import quoteattr

import numpy as np

from cop_app.core.enums import Domain, PositionSource
from cop_app.core.timeutil import format_iso
from cop_app.core.updates import TrackUpdate, air_key
from cop_app.server import scenario_motion as mo
from cop_app.server.scenario_zones import contact_line, geography

POS_MS, VEL_MS, IDENT_MS, SURV_MS = 5_000, 5_000, 60_000, 60_000
UAV_MS = 5_000  # a counter-UAV track every 5 s (sensors send about 1 Hz)
UAV_STALE_S = 30.0
TYPED_AIR_MS = 20_000  # generic typed transit tracks at scale (see scenario.py)
EMERGENCY_ONE_IN = 150
EMERGENCY_S = 900.0

# callsign, ICAO hex, squawk, centre lat, lon, axis deg, leg km, turn radius km, kt, FL
ORBITS = (
    ("NATO05", "4D03C5", "2712", 45.60, 27.00, 20, 120, 25, 360, 300),  # E-3A, Romania
    ("HOMER51", "AE01CE", "2713", 43.90, 29.60, 60, 150, 25, 400, 330),  # RC-135W
    ("FORTE11", "AE5420", "2714", 44.60, 31.50, 80, 200, 30, 310, 550),  # RQ-4B
    ("TIGER01", "4A5BC1", "2715", 45.50, 28.30, 0, 80, 15, 450, 250),  # RO F-16 QRA
    ("TIGER02", "4A5BC2", "2716", 45.50, 28.30, 0, 80, 15, 450, 260),
    ("GRIZZLY1", "48D8A1", "2717", 50.30, 22.60, 135, 100, 18, 440, 280),  # PL F-16
    ("GRIZZLY2", "48D8A2", "2720", 50.30, 22.60, 135, 100, 18, 440, 290),
    ("CFM01", "440A1B", "4401", 48.45, 36.60, 40, 120, 12, 260, 180),  # mission aircraft
)  # fmt: skip

# ICAO 24-bit address blocks (ICAO Annex 10 vol III), airline designators and hubs.
AIRLINE_BLOCKS = (
    (0x4B8000, 0x8000, ("THY", "PGT"), ("LTFM", "LTFJ", "LTAC", "LTAI")),
    (0x488000, 0x8000, ("LOT",), ("EPWA",)),
    (0x4A0000, 0x8000, ("ROT",), ("LROP", "LRCL")),
    (0x470000, 0x8000, ("WZZ",), ("LHBP",)),
    (0x3C0000, 0x40000, ("DLH", "EWG"), ("EDDF", "EDDM")),
    (0x440000, 0x8000, ("AUA",), ("LOWW",)),
    (0x400000, 0x40000, ("BAW", "EZY"), ("EGLL",)),
    (0x300000, 0x40000, ("ITY",), ("LIRF",)),
    (0x468000, 0x8000, ("AEE",), ("LGAV",)),
    (0x450000, 0x8000, ("LZB",), ("LBSF", "LBWN", "LBBG")),
    (0x508000, 0x8000, ("AUI",), ("UKBB", "UKLL")),
    (0x504C00, 0x400, ("MLD",), ("LUKK",)),
    (0x502C00, 0x400, ("BTI",), ("EVRA",)),
    (0x460000, 0x8000, ("FIN",), ("EFHK",)),
    (0x4A8000, 0x8000, ("SAS",), ("ESSA", "EKCH")),
)
_SUFFIX = ("", "", "", *"ABCDEFGHJKLMNPRSTUVWXYZ", *(str(d) for d in range(10)))
_RESERVED_SQUAWKS = {"7500", "7600", "7700", "7000", "2000", "1200", "7777", "0000"}


@dataclass(slots=True)
class Sample:
    """States of many aircraft at many times (parallel arrays)."""

    idx: np.ndarray
    t_ms: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt_ft: np.ndarray
    speed_kn: np.ndarray
    course: np.ndarray
    vrate_fpm: np.ndarray
    active: np.ndarray


class OrbitMotion:
    def __init__(self, track: mo.Racetrack, alt_ft: np.ndarray, speed_kn: np.ndarray) -> None:
        self.track, self.alt_ft, self.speed_kn = track, alt_ft, speed_kn

    def state(self, i: np.ndarray, t: np.ndarray):
        lat, lon = self.track.position(i, t)
        return lat, lon, self.alt_ft[i], self.speed_kn[i], np.ones(i.shape, bool)


class TransitMotion:
    """Airport-to-airport shuttles along the geodesic."""

    def __init__(self, a: np.ndarray, b: np.ndarray, speed_kn: np.ndarray,
                 cruise_ft: np.ndarray, dwell_s: np.ndarray, phase_s: np.ndarray) -> None:
        self.a, self.b = a, b  # (n, 2) lon, lat
        az, _back, dist = mo.GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        self.az, self.length_m = np.asarray(az), np.asarray(dist)
        self.speed_kn, self.cruise_ft = speed_kn, cruise_ft
        self.dwell_s, self.phase_s = dwell_s, phase_s

    def leg(self, i: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return mo.shuttle(t, self.length_m[i], self.speed_kn[i] * mo.KN, self.dwell_s[i],
                          self.dwell_s[i], self.phase_s[i])  # fmt: skip

    def cycle_no(self, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        cycle = 2 * self.length_m[i] / (self.speed_kn[i] * mo.KN) + 2 * self.dwell_s[i]
        return np.floor((t + self.phase_s[i]) / cycle).astype(np.int64)

    def state(self, i: np.ndarray, t: np.ndarray):
        d, st = self.leg(i, t)
        lon, lat, _ = mo.GEOD.fwd(self.a[i, 0], self.a[i, 1], self.az[i], d)
        to_end = np.minimum(d, self.length_m[i] - d) / 1852.0
        alt = np.minimum(self.cruise_ft[i], np.round(to_end * mo.FT_PER_NM_PROFILE / 25) * 25)
        active = (st == mo.MOVING) | (st == mo.RETURNING)
        return np.asarray(lat), np.asarray(lon), alt, self.speed_kn[i], active


class AirGroup:
    """Aircraft that share a kind of motion; identities as parallel arrays."""

    def __init__(self, icao: list[str], callsign: list[str], squawk: list[str], motion,
                 phase_ms: np.ndarray) -> None:  # fmt: skip
        self.icao, self.callsign, self.squawk = icao, callsign, squawk
        self.motion, self.phase_ms = motion, phase_ms

    def __len__(self) -> int:
        return len(self.icao)

    def sample(self, period_ms: int, offset_ms: int, t0_ms: int, t1_ms: int) -> Sample:
        idx, t_ms = mo.due(self.phase_ms + offset_ms, period_ms, t0_ms, t1_ms)
        t = t_ms / 1000.0
        lat, lon, alt, spd, active = self.motion.state(idx, t)
        lat1, lon1, alt1, _s, _a = self.motion.state(idx, t + 1.0)
        crs = mo.course(lat, lon, lat1, lon1, np.zeros(idx.shape))
        vrate = (alt1 - alt) * 60.0
        return Sample(idx, t_ms, lat, lon, alt, spd, crs, vrate, active)

    def squawk_at(self, i: np.ndarray, t: np.ndarray) -> list[str]:
        codes = [self.squawk[k] for k in i]
        if isinstance(self.motion, TransitMotion) and len(i):
            d, st = self.motion.leg(i, t)
            mid = self.motion.length_m[i] / 2
            window = self.motion.speed_kn[i] * mo.KN * EMERGENCY_S / 2
            hit = (st == mo.MOVING) & (np.abs(d - mid) < window)
            hit &= (self.motion.cycle_no(i, t) * 7919 + i * 104729) % EMERGENCY_ONE_IN == 0
            for k in np.flatnonzero(hit):
                codes[k] = "7700"
        return codes


@lru_cache(maxsize=4096)
def _second(sec: int) -> tuple[str, str]:
    iso = format_iso(float(sec))  # yyyy-mm-ddThh:mm:ssZ
    return iso[:10].replace("-", "/"), iso[11:19]


def _clock(t_ms: int) -> tuple[str, str]:
    """``yyyy/MM/dd`` and ``HH:mm:ss.fff`` in UTC, as dump1090-fa writes them."""
    day, hms = _second(t_ms // 1000)
    return day, f"{hms}.{t_ms % 1000:03d}"


def _head(kind: int, icao: str, t_ms: int, lag_ms: int) -> str:
    gd, gt = _clock(t_ms)
    ld, lt = _clock(t_ms + lag_ms)
    return f"MSG,{kind},1,1,{icao},1,{gd},{gt},{ld},{lt}"


def sbs_lines(group: AirGroup, t0_ms: int, t1_ms: int, slow_ms: int = 0
              ) -> list[tuple[int, int, str]]:  # fmt: skip
    """(time ms, entity, line) for MSG,3/4/1/6 due in the window; ``slow_ms`` thins
    position/velocity to at most one per that interval (history backfill)."""
    out: list[tuple[int, int, str]] = []
    pos_ms = max(POS_MS, slow_ms)
    s = group.sample(pos_ms, 0, t0_ms, t1_ms)
    for k in np.flatnonzero(s.active):
        i, t = int(s.idx[k]), int(s.t_ms[k])
        out.append((t, i, f"{_head(3, group.icao[i], t, 3 + i % 37)},,{int(s.alt_ft[k])},,,"
                          f"{s.lat[k]:.5f},{s.lon[k]:.5f},,,,,,0"))  # fmt: skip
    s = group.sample(max(VEL_MS, slow_ms), pos_ms // 2, t0_ms, t1_ms)
    for k in np.flatnonzero(s.active):
        i, t = int(s.idx[k]), int(s.t_ms[k])
        out.append((t, i, f"{_head(4, group.icao[i], t, 3 + i % 37)},,,{s.speed_kn[k]:.0f},"
                          f"{s.course[k]:.0f},,,{int(round(s.vrate_fpm[k] / 64) * 64)},,,,,0"))
    s = group.sample(IDENT_MS, 1_000, t0_ms, t1_ms)
    for k in np.flatnonzero(s.active):
        i, t = int(s.idx[k]), int(s.t_ms[k])
        out.append((t, i, f"{_head(1, group.icao[i], t, 3 + i % 37)},{group.callsign[i]:<8},"
                          ",,,,,,,,,,0"))  # fmt: skip
    s = group.sample(SURV_MS, 31_000, t0_ms, t1_ms)
    squawks = group.squawk_at(s.idx, s.t_ms / 1000.0)
    for k in np.flatnonzero(s.active):
        i, t = int(s.idx[k]), int(s.t_ms[k])
        sq = squawks[k]
        emergency = "-1" if sq in ("7500", "7600", "7700") else "0"
        out.append((t, i, f"{_head(6, group.icao[i], t, 3 + i % 37)},,,,,,,,{sq},0,"
                          f"{emergency},0,0"))  # fmt: skip
    return out


def typed_updates(group: AirGroup, t0_ms: int, t1_ms: int, source: str, slow_ms: int = 0
                  ) -> list[tuple[int, int, TrackUpdate]]:  # fmt: skip
    """Generic transit traffic at scale as TrackUpdates, skipping text (see scenario.py)."""
    s = group.sample(max(TYPED_AIR_MS, slow_ms), 0, t0_ms, t1_ms)
    out = []
    adsb = PositionSource.ADSB.value
    for k in np.flatnonzero(s.active):
        i, t = int(s.idx[k]), int(s.t_ms[k])
        icao = group.icao[i].lower()
        fields = {"icao24": icao, "callsign": group.callsign[i], "squawk": group.squawk[i],
                  "altitude_ft": float(s.alt_ft[k]), "speed_kn": float(s.speed_kn[k]),
                  "course_deg": round(float(s.course[k]), 1),
                  "vertical_rate_fpm": float(round(s.vrate_fpm[k] / 64) * 64),
                  "on_ground": False, "position_source": adsb}  # fmt: skip
        out.append((t, i, TrackUpdate(Domain.AIR, air_key(icao), source, t / 1000.0,
                                      round(float(s.lat[k]), 5), round(float(s.lon[k]), 5),
                                      fields)))  # fmt: skip
    return out


# ---- building the fleet -------------------------------------------------------------
def orbit_group(seed: int, count: int) -> AirGroup:
    rows = ORBITS[:count]
    r = mo.rng(seed, "orbits")
    arr = np.asarray([row[3:] for row in rows], dtype=float).reshape(-1, 7)
    speed = arr[:, 5]
    leg, rad = arr[:, 3] * 1000, arr[:, 4] * 1000
    phase = r.uniform(0, 1, len(rows)) * (2 * leg + 2 * np.pi * rad)
    for k, row in enumerate(rows):  # wingmen trail their leads by 5 nm
        if row[0].endswith("2") and k > 0 and rows[k - 1][0][:-1] == row[0][:-1]:
            phase[k] = phase[k - 1] - 5 * 1852.0
    track = mo.Racetrack(arr[:, 0], arr[:, 1], arr[:, 2], leg, rad, speed * mo.KN, phase)
    return AirGroup([row[1] for row in rows], [row[0] for row in rows],
                    [row[2] for row in rows], OrbitMotion(track, arr[:, 6] * 100, speed),
                    r.integers(0, POS_MS, len(rows)))  # fmt: skip


def _addresses(r: np.random.Generator, n: int, reserved: set[str]) -> tuple[list[str], list[int]]:
    """n distinct airline addresses (hex, block index) drawn from the airline blocks."""
    sizes = np.asarray([b[1] for b in AIRLINE_BLOCKS])
    bounds = np.cumsum(sizes)
    pick = r.choice(int(bounds[-1]), size=min(n + len(reserved), int(bounds[-1])), replace=False)
    block = np.searchsorted(bounds, pick, side="right")
    out_hex, out_block = [], []
    for p, b in zip(pick.tolist(), block.tolist(), strict=True):
        start = AIRLINE_BLOCKS[b][0]
        h = f"{start + p - (int(bounds[b - 1]) if b else 0):06X}"
        if h in reserved:
            continue
        out_hex.append(h)
        out_block.append(b)
        if len(out_hex) == n:
            break
    return out_hex, out_block


def _squawk(r: np.random.Generator) -> str:
    while True:
        code = "".join(str(d) for d in r.integers(0, 8, 4))
        if code not in _RESERVED_SQUAWKS and not code.startswith("00"):
            return code


def transit_groups(seed: int, n_text: int, n_typed: int, *, turnaround: bool = True
                   ) -> tuple[AirGroup, AirGroup]:  # fmt: skip
    """Transit traffic sent as SBS text and (at scale) as typed updates. One draw of
    addresses and callsigns for both, so no airframe appears twice; the typed ones fly
    leg after leg without a turnaround so that N tracks are N live tracks."""
    n = n_text + n_typed
    r = mo.rng(seed, "transit")
    airports = {code: (lon, lat) for code, lon, lat in geography()["airports"]}
    codes = list(airports)
    hexes, blocks = _addresses(r, n, {row[1] for row in ORBITS})
    a = np.empty((n, 2))
    b = np.empty((n, 2))
    callsigns, squawks = [], []
    used: set[str] = set()
    for k, blk in enumerate(blocks):
        _start, _size, airlines, hubs = AIRLINE_BLOCKS[blk]
        origin = hubs[int(r.integers(len(hubs)))]
        dest = origin
        while dest == origin or dest in hubs:
            dest = codes[int(r.integers(len(codes)))]
        a[k], b[k] = airports[origin], airports[dest]
        while True:  # alphanumeric suffixes (BAW12K) keep big fleets unique
            suffix = _SUFFIX[int(r.integers(len(_SUFFIX)))]
            cs = f"{airlines[int(r.integers(len(airlines)))]}{int(r.integers(1, 1000))}{suffix}"
            if cs not in used:
                used.add(cs)
                break
        callsigns.append(cs)
        squawks.append(_squawk(r))
    speed = r.uniform(420, 490, n).round()
    cruise = r.choice([34000, 35000, 36000, 37000, 38000, 39000], n).astype(float)
    with_dwell = (np.arange(n) < n_text) & turnaround
    dwell_s = np.where(with_dwell, r.uniform(2700, 5400, n), 0.0)
    phase_s = r.uniform(0, 86400, n)
    phase_ms = r.integers(0, POS_MS, n)

    def part(sl: slice) -> AirGroup:
        motion = TransitMotion(a[sl], b[sl], speed[sl], cruise[sl], dwell_s[sl], phase_s[sl])
        return AirGroup(hexes[sl], callsigns[sl], squawks[sl], motion, phase_ms[sl])

    return part(slice(0, n_text)), part(slice(n_text, n))


# ---- UAVs as CoT ------------------------------------------------------------------------
@dataclass(slots=True)
class UavFleet:
    uid: list[str]
    cot_type: list[str]
    how: list[str]
    callsign: list[str]
    ce: np.ndarray
    hae_m: np.ndarray
    speed_kn: np.ndarray
    track: mo.Racetrack
    phase_ms: np.ndarray

    def __len__(self) -> int:
        return len(self.uid)


def uav_fleet(seed: int, hostile: int, friendly: int) -> UavFleet:
    r = mo.rng(seed, "uav")
    n = hostile + friendly
    line = contact_line()
    frac = np.concatenate((r.uniform(0.05, 0.95, hostile), r.uniform(0.1, 0.9, friendly)))
    side = np.concatenate((-r.uniform(8_000, 25_000, hostile), r.uniform(8_000, 18_000, friendly)))
    lon, lat = line.points(frac, side)
    lon_a, lat_a = line.points(frac - 0.005, side)
    lon_b, lat_b = line.points(frac + 0.005, side)
    axis, _back, _d = mo.GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    leg = np.concatenate((r.uniform(10_000, 30_000, hostile), np.full(friendly, 25_000.0)))
    radius = r.uniform(3_000, 5_000, n)
    speed = np.concatenate((r.uniform(50, 80, hostile), r.uniform(60, 75, friendly))).round()
    track = mo.Racetrack(lat, lon, np.asarray(axis), leg, radius, speed * mo.KN,
                         r.uniform(0, 1, n) * (2 * leg + 2 * np.pi * radius))  # fmt: skip
    uid = [f"CF-CUAS-{k + 1:04d}" for k in range(hostile)] + [
        f"CF-UAV-M{k + 1:02d}" for k in range(friendly)]
    cot_type = ["a-h-A-M-F-Q"] * hostile + ["a-f-A-M-F-Q"] * friendly
    how = ["m-f"] * hostile + ["m-g"] * friendly  # fused sensor track / own GPS
    callsign = [f"UNK UAV {k + 1:02d}" for k in range(hostile)] + [
        f"MON-UAV-{k + 1}" for k in range(friendly)]
    ce = np.concatenate((np.full(hostile, 75.0), np.full(friendly, 10.0)))
    hae = np.concatenate((r.uniform(1000, 3000, hostile), r.uniform(2000, 3000, friendly))).round()
    return UavFleet(uid, cot_type, how, callsign, ce, hae, speed, track,
                    r.integers(0, UAV_MS, n))  # fmt: skip


def cot_events(fleet: UavFleet, t0_ms: int, t1_ms: int, slow_ms: int = 0
               ) -> list[tuple[int, int, str]]:  # fmt: skip
    idx, t_ms = mo.due(fleet.phase_ms, max(UAV_MS, slow_ms), t0_ms, t1_ms)
    t = t_ms / 1000.0
    lat, lon = fleet.track.position(idx, t)
    lat1, lon1 = fleet.track.position(idx, t + 1.0)
    crs = mo.course(lat, lon, lat1, lon1, np.zeros(idx.shape))
    out = []
    for k in range(idx.size):
        i, tk = int(idx[k]), int(t_ms[k])
        when = format_iso(tk / 1000.0)
        stale = format_iso(tk / 1000.0 + UAV_STALE_S)
        speed_mps = fleet.speed_kn[i] * mo.KN
        remarks = ("Exercise: counter-UAV sensor track east of the ceasefire line"
                   if fleet.cot_type[i].startswith("a-h") else "Exercise: mission UAV patrol")
        xml = (f'<event version="2.0" uid={quoteattr(fleet.uid[i])} type="{fleet.cot_type[i]}" '
               f'how="{fleet.how[i]}" time="{when}" start="{when}" stale="{stale}">'
               f'<point lat="{lat[k]:.6f}" lon="{lon[k]:.6f}" hae="{fleet.hae_m[i]:.0f}" '
               f'ce="{fleet.ce[i]:.0f}" le="30"/><detail>'
               f'<contact callsign={quoteattr(fleet.callsign[i])}/>'
               f'<track course="{crs[k]:.1f}" speed="{speed_mps:.1f}"/>'
               f"<remarks>{remarks}</remarks></detail></event>")  # fmt: skip
        out.append((tk, i, xml))
    return out
