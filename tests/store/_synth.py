"""Seeded pictures for the store tests, and an exact comparison of two pictures.

Used in-process and by the writer subprocess (``tests/store/_writer.py``), so the
test can rebuild exactly what the killed process was saving.
"""

from __future__ import annotations

import numpy as np
from shapely.geometry import LineString, Polygon

from cop_app.core.entities import LandReport, LocationPrecision, TimePrecision, Zone
from cop_app.core.enums import Domain, EventType, Identity, PositionSource, ZoneKind
from cop_app.core.picture import Picture
from cop_app.core.verification import VerificationStatus as VS
from cop_app.core.verification import transition

T0 = 1_790_000_000.0
_KEY_FORMATS = {Domain.AIR: "icao:{:06x}", Domain.SEA: "mmsi:{:09d}", Domain.LAND: "cot:unit-{}"}


def synth_picture(gen: int, n_tracks: int = 300, points: int = 60) -> Picture:
    """Tracks of every domain (some without history), reports with trails, zones.

    Every track carries ``gen`` in its fields, so a loaded picture says which save
    it came from.
    """
    rng = np.random.default_rng(gen)
    p = Picture(history_points=points, history_seconds=1e9, capacity=max(16, n_tracks))
    n_pts = np.where(np.arange(n_tracks) % 11 == 0, np.arange(n_tracks) % 3, points)
    with p.batch():
        for i in range(n_tracks):
            dom = Domain(i % 3)
            n = int(n_pts[i])
            t = T0 + gen * 1000.0 + np.cumsum(rng.uniform(0.5, 30.0, n))
            lat, lon = rng.uniform(-89.9, 89.9, n), rng.uniform(-180.0, 180.0, n)
            fields = {
                "gen": gen,
                "name": f'T{i} "Ünïcode" \\ {gen}',
                "speed_kn": float(rng.uniform(0.0, 600.0)),
                "identity": Identity(i % 9),
                "position_source": PositionSource.MLAT if i % 2 else PositionSource.ADSB,
                "on_ground": bool(i % 5 == 0),
                "mmsi": 200_000_000 + i,
                "remarks": None,
            }
            p.restore_track(
                _KEY_FORMATS[dom].format(i),
                dom,
                fields=fields,
                sources=["ais", "sbs", "cot"][: 1 + i % 3],
                last_time=float(t[-1]) if n else T0 + gen,
                stale_s=float(60 * (1 + i % 4)),
                history=(t, lat, lon),
            )
        for j in range(max(1, n_tracks // 100)):
            p.restore_report(synth_report(gen, j))
        p.set_zone(Zone(id=f"z{gen}-line", kind=ZoneKind.CEASEFIRE_LINE, name="Line A",
                        geometry=LineString([(30.1, 45.2), (30.5, 45.75), (31.0 + gen, 46.0)]),
                        valid_from=T0, version=gen + 1))  # fmt: skip
        p.set_zone(Zone(id="buffer", kind=ZoneKind.PROHIBITED_AIRSPACE, name="No fly",
                        geometry=Polygon([(30, 45), (31, 45), (31, 46), (30, 45)]),
                        valid_from=T0, valid_to=T0 + 86400, floor_ft=0.0,
                        ceiling_ft=10000.0 + gen))  # fmt: skip
    return p


def synth_report(gen: int, j: int) -> LandReport:
    steps = [VS.TRIAGED, VS.UNDER_VERIFICATION, VS.CORROBORATED, VS.VERIFIED][: j % 5]
    trail, status = [], VS.REPORTED
    for k, nxt in enumerate(steps):
        trail.append(transition(status, nxt, actor=f"verifier{k}", time=T0 + 60 * k,
                                rationale=f"step {k}: 'quoted' \"text\""))  # fmt: skip
        status = nxt
    return LandReport(
        id=f"r{j}",
        version=gen + 1,
        updated_at=T0 + gen,
        sources=("patrol", "uav"),
        time=T0 + j,
        time_precision=TimePrecision.MINUTE,
        lat=47.5 + j * 0.01,
        lon=37.25,
        location_precision=LocationPrecision.APPROXIMATE,
        ce90_m=250.0,
        event_type=EventType.EXPLOSION,
        status=status,
        title=f"Explosions heard {gen}",
        text="Two undetermined explosions, 3-5 km SE.",
        perception="heard",
        count=2,
        reliability="B",
        credibility=2,
        geometry={"type": "Point", "coordinates": [37.25, 47.5 + j * 0.01]},
        trail=trail,
        fields={"weapon_class": "artillery", "gen": gen, "nested": {"a": [1, 2.5, None]}},
    )


def assert_same_picture(a: Picture, b: Picture) -> None:
    """Equal tracks (entities and fields), histories to the bit, reports, zones."""
    assert sorted(a.keys()) == sorted(b.keys())
    for key in a.keys():
        assert a.track(key) == b.track(key), key
        assert a.last_time(key) == b.last_time(key), key
        assert a.stale_seconds(key) == b.stale_seconds(key), key
        for col_a, col_b in zip(a.history(key), b.history(key), strict=True):
            assert col_a.dtype == col_b.dtype == np.float64
            assert col_a.tobytes() == col_b.tobytes(), key
    assert sorted(a.reports(), key=lambda r: r.id) == sorted(b.reports(), key=lambda r: r.id)
    assert a.zones.keys() == b.zones.keys()
    for zid, za in a.zones.items():
        zb = b.zones[zid]
        assert za.geometry.wkb == zb.geometry.wkb, zid
        assert (za.kind, za.name, za.version, za.valid_from, za.valid_to, za.floor_ft,
                za.ceiling_ft, za.buffer_m) == (zb.kind, zb.name, zb.version, zb.valid_from,
                                                 zb.valid_to, zb.floor_ft, zb.ceiling_ft,
                                                 zb.buffer_m), zid  # fmt: skip
