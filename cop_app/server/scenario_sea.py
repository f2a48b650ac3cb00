"""Sea picture of the ceasefire exercise: merchant ships in the corridor and in port.

- Corridor traffic (class A): bulk carriers and tankers shuttle from Odesa, Chornomorsk
  or Pivdennyi to the Istanbul inspection anchorage or to Constanța, wait there (at
  anchor or moored), sail back and load again, at 10-14 kn.
- Ships in port: moored at a berth or at anchor off Odesa, Chornomorsk, Pivdennyi,
  Constanța and in the Istanbul inspection anchorage.
- Class B craft (pleasure and fishing) working out of the ports.

Reports go out as ``!AIVDM`` sentences encoded by pyais with an NMEA 4.10 tag block
(``s:`` receiving station, ``c:`` UNIX time) whose checksum is computed like the
sentence's. Rates follow ITU-R M.1371-5 annex 1 table 1 where that stays sane: class A
under way every 10 s (the standard asks 2-10 s by speed), at anchor or moored every
3 min; static and voyage data (type 5) every 6 min; class B (type 18) every 30 s under
way and 3 min stationary, its static data (type 24 A and B) every 6 min.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import xor

import numpy as np
import pyais

from cop_app.core.enums import Domain
from cop_app.core.updates import TrackUpdate, sea_key
from cop_app.server import scenario_motion as mo
from cop_app.server.scenario_zones import geography

UNDER_WAY_MS, STATIONARY_MS, STATIC_MS = 10_000, 180_000, 360_000
CLASS_B_MS = 30_000
TYPED_SEA_MS = 30_000  # generic typed corridor traffic at scale (see scenario.py)
UNDER_WAY, AT_ANCHOR, MOORED = 0, 1, 5  # AIS navigational status

ORIGINS = ("odesa", "chornomorsk", "pivdennyi")
DESTINATIONS = ("istanbul", "constanta")
LOCODE = {"odesa": "UAODS", "chornomorsk": "UAILK", "pivdennyi": "UAYUZ",
          "constanta": "ROCND", "istanbul": "TRIST"}  # fmt: skip
# Flag MIDs of the ships that use the corridor (ITU MID table), most common first.
MIDS = (538, 636, 248, 229, 256, 215, 352, 355, 370, 371, 271, 272, 237, 241, 264, 207, 249)
_ADJ = ("ORIENT", "GOLDEN", "NORDIC", "AEGEAN", "SILVER", "OCEAN", "STAR", "PACIFIC",
        "MARE", "BLUE", "ATLANTIC", "DANUBE", "KARADENIZ", "ANATOLIAN", "IONIAN", "GREEN")
_NOUN = ("GRACE", "PIONEER", "SPIRIT", "HARMONY", "VOYAGER", "TRADER", "QUEEN", "GLORY",
         "FORTUNE", "HOPE", "BRAVE", "WIND", "PRIDE", "WAVE", "DAWN", "CARRIER")  # fmt: skip


def _routes() -> dict[tuple[str, str], mo.Route]:
    geo = geography()
    ports, cor = geo["ports"], geo["corridor"]
    trunk = cor["trunk"]
    j = cor["constanta_junction"]
    cst = ports["constanta"]
    out = {}
    for o in ORIGINS:
        p = ports[o]
        head = [p["berth"], *p["approach"]]
        out[o, "istanbul"] = mo.Route(head + trunk)
        out[o, "constanta"] = mo.Route(head + trunk[: j + 1] + cst["approach"][::-1]
                                       + [cst["berth"]])  # fmt: skip
    return out


def tag_block(station: str, t_s: int) -> str:
    """``\\s:<station>,c:<epoch>*hh\\`` (NMEA 4.10; checksum as for sentences)."""
    body = f"s:{station},c:{t_s}"
    return f"\\{body}*{reduce(xor, body.encode(), 0):02X}\\"


def imo_number(r: np.random.Generator) -> int:
    """A 7-digit IMO number with a valid check digit (weights 7..2, sum mod 10)."""
    digits = [9, *(int(d) for d in r.integers(0, 10, 5))]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return int("".join(map(str, digits)) + str(check))


# Disjoint MMSI suffix ranges per group, so no two groups can draw the same number.
SUFFIXES = {"corridor": (100_000, 200_000), "moored": (200_000, 300_000),
            "class-b": (300_000, 400_000), "bulk": (400_000, 1_000_000)}  # fmt: skip


def _mmsis(r: np.random.Generator, n: int, group: str) -> list[int]:
    lo, hi = SUFFIXES[group]
    pick = r.choice(len(MIDS) * (hi - lo), n, replace=False)
    return [MIDS[p % len(MIDS)] * 1_000_000 + lo + p // len(MIDS) for p in pick.tolist()]


def station_for(lat: float) -> str:
    """The shore station that hears a ship: Odesa, Constanța or Istanbul by latitude."""
    return "CF-AIS-ODS" if lat > 45.3 else "CF-AIS-CND" if lat > 42.8 else "CF-AIS-IST"


@dataclass(slots=True)
class Ships:
    """Identities and static data, parallel lists."""

    mmsi: list[int]
    name: list[str]
    callsign: list[str]
    imo: list[int]
    ship_type: list[int]
    length: np.ndarray
    beam: np.ndarray
    draught: np.ndarray
    heading_bias: np.ndarray


def ships(r: np.random.Generator, n: int, group: str, *, class_b: bool = False) -> Ships:
    mmsi = _mmsis(r, n, group)
    names = [f"{_ADJ[a]} {_NOUN[b]}" + (f" {c}" if c else "") for a, b, c in
             zip(r.integers(0, 16, n), r.integers(0, 16, n), r.integers(0, 9, n), strict=True)]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    calls = ["".join(letters[k] for k in r.integers(0, 36, 5)) for _ in range(n)]
    if class_b:
        types = r.choice([30, 36, 37], n).tolist()
        length = r.uniform(8, 24, n).round()
        beam = (length / 3.2).round()
        draught = r.uniform(1.0, 2.5, n).round(1)
        imo = [0] * n
    else:
        types = r.choice([70, 70, 70, 79, 80, 89], n).tolist()
        length = r.uniform(120, 230, n).round()
        beam = np.clip((length / 6.8).round(), 16, 32)
        draught = r.uniform(7.0, 12.5, n).round(1)
        imo = [imo_number(r) for _ in range(n)]
    return Ships(mmsi, names, calls, imo, types, length, beam, draught, r.uniform(-3, 3, n))


class Corridor:
    """Class A ships shuttling between a Ukrainian port and Istanbul or Constanța."""

    def __init__(self, seed: int, n: int) -> None:
        r = mo.rng(seed, "corridor")
        self.ships = ships(r, n, "corridor")
        self.routes = _routes()
        self.origin = r.choice(len(ORIGINS), n)
        self.dest = r.choice(len(DESTINATIONS), n, p=[0.75, 0.25])
        self.speed_kn = r.uniform(10, 14, n).round(1)
        self.dwell_end = r.uniform(6, 24, n) * 3600
        self.dwell_start = r.uniform(12, 48, n) * 3600
        self.phase_s = r.uniform(0, 7 * 86400, n)
        self.phase_ms = r.integers(0, UNDER_WAY_MS, n)
        # where a ship lies while it waits: spread over the berth or anchorage area
        self.park_bearing = r.uniform(0, 360, n)
        self.park_m = r.uniform(100, 1500, n)
        self.length_m = np.asarray([self.route(k).length_m for k in range(n)])

    def __len__(self) -> int:
        return len(self.ships.mmsi)

    def route(self, k: int) -> mo.Route:
        return self.routes[ORIGINS[self.origin[k]], DESTINATIONS[self.dest[k]]]

    def state(self, i: np.ndarray, t: np.ndarray):
        """lat, lon, sog kn, nav status per (ship, time)."""
        d, st = mo.shuttle(t, self.length_m[i], self.speed_kn[i] * mo.KN, self.dwell_end[i],
                           self.dwell_start[i], self.phase_s[i])  # fmt: skip
        lat, lon = np.empty(i.size), np.empty(i.size)
        for key, route in self.routes.items():
            sel = (self.origin[i] == ORIGINS.index(key[0])) & (
                self.dest[i] == DESTINATIONS.index(key[1]))
            if sel.any():
                lat[sel], lon[sel] = route.at(d[sel])
        moving = (st == mo.MOVING) | (st == mo.RETURNING)
        still = ~moving
        if still.any():
            lat[still], lon[still] = mo.offset(lat[still], lon[still], self.park_bearing[i][still],
                                               self.park_m[i][still])  # fmt: skip
        sog = np.where(moving, self.speed_kn[i], 0.0)
        at_istanbul = (st == mo.AT_END) & (self.dest[i] == 0)
        nav = np.where(moving, UNDER_WAY, np.where(at_istanbul, AT_ANCHOR, MOORED))
        return lat, lon, sog, nav, st, d


class Moored:
    """Ships that stay in port (moored at a berth or at anchor) for the whole exercise."""

    def __init__(self, seed: int, n: int) -> None:
        r = mo.rng(seed, "moored")
        self.ships = ships(r, n, "moored")
        ports = geography()["ports"]
        keys = list(ports)
        self.port = r.choice(len(keys), n)
        anchored = r.uniform(0, 1, n) < 0.4
        self.anchored = anchored | (np.asarray(keys)[self.port] == "istanbul")
        base = np.asarray([ports[keys[p]]["anchorage" if a else "berth"]
                           for p, a in zip(self.port, self.anchored, strict=True)])  # fmt: skip
        lat, lon = mo.offset(base[:, 1], base[:, 0], r.uniform(0, 360, n),
                             np.where(self.anchored, r.uniform(200, 3000, n),
                                      r.uniform(50, 800, n)))  # fmt: skip
        self.lat, self.lon = lat.round(5), lon.round(5)
        self.heading = r.integers(0, 360, n)
        self.port_keys = [keys[p] for p in self.port]
        self.phase_ms = r.integers(0, STATIONARY_MS, n)
        self.type3 = r.uniform(0, 1, n) < 0.3  # some answer interrogations (type 3)

    def __len__(self) -> int:
        return len(self.ships.mmsi)


class Boats:
    """Class B craft: out to a fishing ground or along the coast and back."""

    def __init__(self, seed: int, n: int) -> None:
        r = mo.rng(seed, "class-b")
        geo = geography()
        self.ships = ships(r, n, "class-b", class_b=True)
        homes = ("odesa", "chornomorsk", "constanta")
        self.home = [homes[k] for k in r.choice(3, n)]
        self.routes = []
        for h in self.home:
            p = geo["ports"][h]
            self.routes.append(mo.Route([p["berth"], *p["approach"], p["anchorage"]]))
        self.length_m = np.asarray([rt.length_m for rt in self.routes])
        self.speed_kn = r.uniform(5, 9, n).round(1)
        self.dwell_end = r.uniform(1, 4, n) * 3600
        self.dwell_start = r.uniform(6, 18, n) * 3600
        self.phase_s = r.uniform(0, 86400, n)
        self.phase_ms = r.integers(0, CLASS_B_MS, n)

    def __len__(self) -> int:
        return len(self.ships.mmsi)

    def state(self, i: np.ndarray, t: np.ndarray):
        d, st = mo.shuttle(t, self.length_m[i], self.speed_kn[i] * mo.KN, self.dwell_end[i],
                           self.dwell_start[i], self.phase_s[i])  # fmt: skip
        lat, lon = np.empty(i.size), np.empty(i.size)
        for boat in np.unique(i):  # one geodesy call per boat's route, not per sample
            sel = i == boat
            lat[sel], lon[sel] = self.routes[boat].at(d[sel])
        moving = (st == mo.MOVING) | (st == mo.RETURNING)
        return lat, lon, np.where(moving, self.speed_kn[i], 0.0), moving


# ---- encoding ---------------------------------------------------------------------------
def _nmea(fields: dict, station: str, t_ms: int, seq: int | None = None) -> str:
    sentences = pyais.encode_dict(fields, talker_id="AI", sentence_type="VDM",
                                  radio_channel="AB"[fields["mmsi"] % 2], seq_id=seq)  # fmt: skip
    tb = tag_block(station, t_ms // 1000)
    return "\n".join(tb + s for s in sentences)


def _static5(sh: Ships, k: int, t_ms: int, dest: str, eta_s: float | None, station: str,
             seq: int) -> str:  # fmt: skip
    eta = {"month": 0, "day": 0, "hour": 24, "minute": 60}
    if eta_s is not None:
        when = np.datetime64(int(eta_s), "s").astype(object)
        eta = {"month": when.month, "day": when.day, "hour": when.hour, "minute": when.minute}
    length, beam = int(sh.length[k]), int(sh.beam[k])
    fields = {"msg_type": 5, "mmsi": sh.mmsi[k], "ais_version": 2, "imo": sh.imo[k],
              "callsign": sh.callsign[k], "shipname": sh.name[k], "ship_type": sh.ship_type[k],
              "to_bow": length * 4 // 5, "to_stern": length - length * 4 // 5,
              "to_port": beam // 2, "to_starboard": beam - beam // 2, "epfd": 1,
              "draught": float(sh.draught[k]), "destination": dest, **eta}  # fmt: skip
    return _nmea(fields, station, t_ms, seq)


def _position(msg_type: int, mmsi: int, t_ms: int, lat: float, lon: float, sog: float,
              cog: float, heading: int, nav: int, station: str) -> str:  # fmt: skip
    fields = {"msg_type": msg_type, "mmsi": mmsi, "status": nav, "speed": round(sog, 1),
              "accuracy": True, "lon": round(lon, 5), "lat": round(lat, 5),
              "course": round(cog, 1), "heading": heading, "second": (t_ms // 1000) % 60}
    return _nmea(fields, station, t_ms)


def corridor_nmea(c: Corridor, t0_ms: int, t1_ms: int, slow_ms: int = 0
                  ) -> list[tuple[int, int, str]]:  # fmt: skip
    out: list[tuple[int, int, str]] = []
    idx, t_ms = mo.due(c.phase_ms, max(UNDER_WAY_MS, slow_ms), t0_ms, t1_ms)
    t = t_ms / 1000.0
    lat, lon, sog, nav, st, _d = c.state(idx, t)
    lat1, lon1, *_rest = c.state(idx, t + 1.0)
    hdg0 = (c.park_bearing[idx] * 7) % 360
    cog = mo.course(lat, lon, lat1, lon1, hdg0)
    # stationary ships report every 3 min: keep the 10 s slots that fall on that grid
    keep = (nav == UNDER_WAY) | ((t_ms - c.phase_ms[idx]) % STATIONARY_MS == 0)
    if slow_ms:
        keep[:] = True
    for k in np.flatnonzero(keep):
        i = int(idx[k])
        heading = int(np.rint(cog[k] + c.ships.heading_bias[i])) % 360
        station = station_for(lat[k])
        out.append((int(t_ms[k]), i, _position(1, c.ships.mmsi[i], int(t_ms[k]), lat[k], lon[k],
                                               sog[k], cog[k], heading, int(nav[k]), station)))
    idx, t_ms = mo.due(c.phase_ms + 4_000, STATIC_MS, t0_ms, t1_ms)
    t = t_ms / 1000.0
    lat, _lon, _sog, _nav, st, d = c.state(idx, t)
    for k in range(idx.size):
        i, s = int(idx[k]), int(st[k])
        outbound = s in (mo.AT_START, mo.MOVING)
        dest = DESTINATIONS[c.dest[i]] if outbound else ORIGINS[c.origin[i]]
        eta = None
        if s in (mo.MOVING, mo.RETURNING):
            left = c.length_m[i] - d[k] if s == mo.MOVING else d[k]
            eta = t[k] + left / (c.speed_kn[i] * mo.KN)
        out.append((int(t_ms[k]), i, _static5(c.ships, i, int(t_ms[k]), LOCODE[dest], eta,
                                              station_for(lat[k]), i % 10)))
    return out


def moored_nmea(m: Moored, t0_ms: int, t1_ms: int, slow_ms: int = 0
                ) -> list[tuple[int, int, str]]:  # fmt: skip
    out: list[tuple[int, int, str]] = []
    idx, t_ms = mo.due(m.phase_ms, max(STATIONARY_MS, slow_ms), t0_ms, t1_ms)
    for k in range(idx.size):
        i = int(idx[k])
        nav = AT_ANCHOR if m.anchored[i] else MOORED
        out.append((int(t_ms[k]), i, _position(3 if m.type3[i] else 1, m.ships.mmsi[i],
                                               int(t_ms[k]), m.lat[i], m.lon[i], 0.0, 0.0,
                                               int(m.heading[i]), nav,
                                               station_for(m.lat[i]))))  # fmt: skip
    idx, t_ms = mo.due(m.phase_ms + 60_000, STATIC_MS, t0_ms, t1_ms)
    for k in range(idx.size):
        i = int(idx[k])
        out.append((int(t_ms[k]), i, _static5(m.ships, i, int(t_ms[k]), LOCODE[m.port_keys[i]],
                                              None, station_for(m.lat[i]), i % 10)))
    return out


def boat_nmea(b: Boats, t0_ms: int, t1_ms: int, slow_ms: int = 0) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    idx, t_ms = mo.due(b.phase_ms, max(CLASS_B_MS, slow_ms), t0_ms, t1_ms)
    t = t_ms / 1000.0
    lat, lon, sog, moving = b.state(idx, t)
    lat1, lon1, _s, _m = b.state(idx, t + 1.0)
    cog = mo.course(lat, lon, lat1, lon1, np.zeros(idx.size))
    keep = moving | ((t_ms - b.phase_ms[idx]) % STATIONARY_MS == 0) | bool(slow_ms)
    for k in np.flatnonzero(keep):
        i = int(idx[k])
        fields = {"msg_type": 18, "mmsi": b.ships.mmsi[i], "speed": round(float(sog[k]), 1),
                  "accuracy": False, "lon": round(float(lon[k]), 5),
                  "lat": round(float(lat[k]), 5), "course": round(float(cog[k]), 1),
                  "heading": 511, "second": (int(t_ms[k]) // 1000) % 60, "cs": True,
                  "display": False, "dsc": True, "band": True, "msg22": True}  # fmt: skip
        out.append((int(t_ms[k]), i, _nmea(fields, station_for(lat[k]), int(t_ms[k]))))
    idx, t_ms = mo.due(b.phase_ms + 7_000, STATIC_MS, t0_ms, t1_ms)
    lat_home = [b.routes[i].lat[0] for i in range(len(b))]
    for k in range(idx.size):
        i, tk = int(idx[k]), int(t_ms[k])
        sh = b.ships
        length, beam = int(sh.length[i]), int(sh.beam[i])
        part_a = {"msg_type": 24, "mmsi": sh.mmsi[i], "partno": 0, "shipname": sh.name[i]}
        part_b = {"msg_type": 24, "mmsi": sh.mmsi[i], "partno": 1, "ship_type": sh.ship_type[i],
                  "vendorid": "SRT", "callsign": sh.callsign[i], "to_bow": length // 2,
                  "to_stern": length - length // 2, "to_port": beam // 2,
                  "to_starboard": beam - beam // 2}  # fmt: skip
        station = station_for(float(lat_home[i]))
        out.append((tk, i, _nmea(part_a, station, tk) + "\n" + _nmea(part_b, station, tk)))
    return out


class Bulk:
    """Generic corridor traffic at scale, spread across the corridor's width."""

    def __init__(self, seed: int, n: int) -> None:
        r = mo.rng(seed, "bulk-sea")
        trunk = geography()["corridor"]["trunk"]
        self.route = mo.Route(trunk)
        self.mmsi = _mmsis(r, n, "bulk")
        self.speed_kn = r.uniform(8, 14, n).round(1)
        self.lateral_m = r.uniform(-8 * 1852, 8 * 1852, n)  # the corridor is 10 nm wide
        self.phase_s = r.uniform(0, 4 * 86400, n)
        self.phase_ms = r.integers(0, TYPED_SEA_MS, n)
        self.ship_type = r.choice([70, 79, 80, 89], n)
        self.zero = np.zeros(n)

    def __len__(self) -> int:
        return len(self.mmsi)

    def state(self, i: np.ndarray, t: np.ndarray):
        length = np.full(i.size, self.route.length_m)
        d, st = mo.shuttle(t, length, self.speed_kn[i] * mo.KN, self.zero[i], self.zero[i],
                           self.phase_s[i])  # fmt: skip
        lat, lon = self.route.at(d)
        seg = np.clip(np.searchsorted(self.route.cum, d, side="right") - 1, 0,
                      self.route.az.size - 1)  # fmt: skip
        side = self.route.az[seg] + 90.0
        lat, lon = mo.offset(lat, lon, side, self.lateral_m[i])
        heading = np.mod(self.route.az[seg] + np.where(st == mo.RETURNING, 180.0, 0.0), 360.0)
        return lat, lon, heading


def bulk_updates(b: Bulk, t0_ms: int, t1_ms: int, source: str, slow_ms: int = 0
                 ) -> list[tuple[int, int, TrackUpdate]]:  # fmt: skip
    idx, t_ms = mo.due(b.phase_ms, max(TYPED_SEA_MS, slow_ms), t0_ms, t1_ms)
    lat, lon, heading = b.state(idx, t_ms / 1000.0)
    out = []
    for k in range(idx.size):
        i = int(idx[k])
        mmsi = b.mmsi[i]
        fields = {"mmsi": mmsi, "speed_kn": float(b.speed_kn[i]),
                  "course_deg": round(float(heading[k]), 1), "nav_status": UNDER_WAY,
                  "ship_type": int(b.ship_type[i]), "ais_class": "A"}  # fmt: skip
        out.append((int(t_ms[k]), i, TrackUpdate(Domain.SEA, sea_key(mmsi), source,
                                                 int(t_ms[k]) / 1000.0, round(float(lat[k]), 5),
                                                 round(float(lon[k]), 5), fields)))  # fmt: skip
    return out
