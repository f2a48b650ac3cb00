"""The track columns the rules read: last fix, the fix before it, staleness, numerics.

Why not ``Picture.as_of``: rules judge real fixes, never positions interpolated
between them, and need the previous fix (crossings, jumps, gaps) and the stale time.
This is the one place that reads the Picture's column arrays directly (both live in
cop_app.core); a change of the Picture's layout is fixed here, nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.rules.wording import subject_name


@dataclass
class TrackColumns:
    t: float
    rows: np.ndarray
    all_keys: list[str]  # the Picture's keys by row (use ``key(i)``)
    domain: np.ndarray
    time: np.ndarray  # time of the last fix used
    lat: np.ndarray
    lon: np.ndarray
    prev_time: np.ndarray  # NaN when there is no earlier fix
    prev_lat: np.ndarray
    prev_lon: np.ndarray
    stale_s: np.ndarray
    speed_kn: np.ndarray
    # Barometric altitude; for an air track with none, its geometric height (CoT HAE),
    # flagged in ``altitude_hae``: close enough to judge a floor or ceiling (the geoid
    # is within ~100 ft of MSL here) and better than "unknown", which counts as inside.
    altitude_ft: np.ndarray
    hist_i: np.ndarray  # index of the last fix used in the history row
    identity: np.ndarray  # Identity codes (int8)
    altitude_hae: np.ndarray  # True where altitude_ft is a geometric (HAE) height
    all_attrs: list[dict]  # the Picture's attributes by row (use ``name(i)``)

    def __len__(self) -> int:
        return len(self.rows)

    def key(self, i: int) -> str:
        return self.all_keys[self.rows[i]]

    def name(self, i: int) -> str:
        """Who a message is about: callsign or name, else the id the key carries."""
        return subject_name(int(self.domain[i]), self.all_attrs[self.rows[i]], self.key(i))

    @property
    def alive(self) -> np.ndarray:
        """Not stale at ``t`` (a fix from the future counts as alive)."""
        return (self.t - self.time) <= self.stale_s


def track_columns(picture: Picture, t: float, *, keys: Iterable[str] | None = None,
                  latest: bool = False) -> TrackColumns:  # fmt: skip
    """Columns of the tracks with a fix (of ``keys``, or all), as known at ``t``.

    ``latest`` takes each track's newest fix even if it is later than ``t`` (the
    server: a feed's clock a second ahead must not hide its newest fix); otherwise
    only fixes at or before ``t`` count (replay on the desktop).
    """
    p = picture
    with p.lock:
        n = p._n
        k = p.history_points
        if keys is None:
            rows = np.arange(n)
        else:
            index = p._index
            rows = np.array(sorted({index[k] for k in keys if k in index}), dtype=np.intp)
        hn = p._hist_n[rows]
        if latest:
            cnt = hn.astype(np.intp)
        else:
            cnt = (p._hist_t[rows] <= t).sum(axis=1)
        has = cnt > 0
        rows, cnt = rows[has], cnt[has]
        i = cnt - 1
        # Flat indices into the (row x point) blocks: cheaper than 2-D fancy indexing.
        flat_i = rows * k + i
        flat_j = rows * k + np.maximum(i - 1, 0)
        ht, hla, hlo = (a.reshape(-1) for a in (p._hist_t, p._hist_lat, p._hist_lon))
        prev_ok = i > 0
        alt, hae = _altitudes(p, rows)
        return TrackColumns(
            t=float(t),
            rows=rows,
            all_keys=p._keys,
            domain=p._domain[rows],
            time=ht[flat_i],
            lat=hla[flat_i],
            lon=hlo[flat_i],
            prev_time=np.where(prev_ok, ht[flat_j], np.nan),
            prev_lat=np.where(prev_ok, hla[flat_j], np.nan),
            prev_lon=np.where(prev_ok, hlo[flat_j], np.nan),
            stale_s=p._stale_s[rows],
            speed_kn=p._num["speed_kn"][rows],
            altitude_ft=alt,
            hist_i=i,
            identity=p._identity[rows],
            altitude_hae=hae,
            all_attrs=p._attrs,
        )


def _altitudes(p: Picture, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(altitude, is-HAE) of ``rows``: the baro column, with the geometric height of the
    air rows that have no baro one (read from their attributes: a few rows, CoT-only)."""
    alt = p._num["altitude_ft"][rows]  # fancy indexing: a copy, safe to fill
    hae = np.zeros(len(rows), bool)
    for k in np.flatnonzero(np.isnan(alt) & (p._domain[rows] == Domain.AIR)).tolist():
        geo = p._attrs[rows[k]].get("geo_altitude_ft")
        if isinstance(geo, int | float) and not isinstance(geo, bool) and geo == geo:
            alt[k], hae[k] = geo, True
    return alt, hae


def attr_column(picture: Picture, rows: np.ndarray, name: str) -> list:
    """One string attribute (squawk, name...) for ``rows``: a Python loop, so callers
    pass only the rows they need (e.g. air tracks for squawks)."""
    with picture.lock:
        attrs = picture._attrs
        return [attrs[r].get(name) for r in rows.tolist()]


def history_rows(picture: Picture, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]:  # fmt: skip
    """(time, lat, lon) history blocks of ``rows`` (copies; +inf/NaN padded)."""
    with picture.lock:
        return (picture._hist_t[rows].copy(), picture._hist_lat[rows].copy(),
                picture._hist_lon[rows].copy())  # fmt: skip
