"""Fetched replay history (core ``FixArchive``) as cache rows, and back.

A fetch brings up to half a million fixes; stored one row per fix they would cost
~25x the rows and the load time of the picture itself. So a fetched batch becomes a
few rows of columns (``CHUNK_FIXES`` fixes at most, so the on-disk cap can drop the
oldest in steps): the batch's track keys once, a per-fix index into them, and the
times and positions as BLOBs, plus the stretches the batch fetched in full.

Decoding raises ``ValueError``/``TypeError`` on a row it cannot trust; the cache
counts and skips that row (and with it its spans, so the stretch is fetched again
when the server is back) instead of failing the load.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from cop_app.core.archive import Columns, merge_spans
from cop_app.store import codec
from cop_app.store.schema import HISTORY_DTYPE

CHUNK_FIXES = 100_000  # ~2.8 MB of BLOBs a row; the cap drops whole rows, oldest first
INDEX_DTYPE = np.dtype("<i4")

INSERT_CHUNK = ("INSERT INTO archive_chunks (t0, t1, n, keys, track, t, lat, lon, spans,"
                " saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")  # fmt: skip
# As BLOBs: a damaged TEXT value that is not UTF-8 would make sqlite3 fail the whole
# fetch; as bytes it fails only its own row's decoding.
SELECT_CHUNKS = ("SELECT id, n, CAST(keys AS BLOB), CAST(track AS BLOB), CAST(t AS BLOB),"
                 " CAST(lat AS BLOB), CAST(lon AS BLOB), CAST(spans AS BLOB)"
                 " FROM archive_chunks ORDER BY t0, id")  # fmt: skip


class Chunk(NamedTuple):
    keys: list[str]
    track: np.ndarray  # int32 index into keys, per fix
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    spans: list[tuple[float, float]]


def clip_spans(spans: list[tuple[float, float]], a: float, b: float
               ) -> list[tuple[float, float]]:  # fmt: skip
    """The parts of ``spans`` inside [a, b]."""
    return [(max(x, a), min(y, b)) for x, y in spans if y >= a and x <= b]


def batch_chunks(keys_by_row: list[str], cols: Columns, covered: list[tuple[float, float]],
                 a: float, b: float) -> Iterator[tuple[float, float, Chunk]]:  # fmt: skip
    """The archived fixes of [a, b] as chunks (t0, t1, chunk), oldest first.

    A chunk ends only where the time changes, so fixes sharing a time (and the
    span edge between two chunks) never straddle a dropped chunk.
    """
    lo = int(np.searchsorted(cols.t, a, "left"))
    hi = int(np.searchsorted(cols.t, b, "right"))
    starts = [lo]
    while hi - starts[-1] > CHUNK_FIXES:
        cut = int(np.searchsorted(cols.t, cols.t[starts[-1] + CHUNK_FIXES], "left"))
        if cut <= starts[-1]:  # one time holds more than a chunk: take all of it
            cut = int(np.searchsorted(cols.t, cols.t[starts[-1]], "right"))
        if cut >= hi:
            break
        starts.append(cut)
    edges = [a, *(float(cols.t[s]) for s in starts[1:]), b]
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else hi
        t0, t1 = edges[i], edges[i + 1]
        rows = cols.row[s:e]
        used, track = np.unique(rows, return_inverse=True)
        keys = [keys_by_row[r] for r in used.tolist()]
        yield t0, t1, Chunk(keys, track.astype(np.int32), cols.t[s:e], cols.lat[s:e],
                            cols.lon[s:e], clip_spans(covered, t0, t1))  # fmt: skip


def chunk_row(t0: float, t1: float, chunk: Chunk, saved_at: float) -> tuple:
    pack = codec.pack
    return (t0, t1, len(chunk.t), codec.dumps(chunk.keys),
            np.ascontiguousarray(chunk.track, dtype=INDEX_DTYPE).tobytes(),
            pack(chunk.t), pack(chunk.lat), pack(chunk.lon),
            codec.dumps([list(s) for s in chunk.spans]), saved_at)  # fmt: skip


def _text(blob: Any) -> str:
    if type(blob) is not bytes:
        raise TypeError(f"expected text, found {type(blob).__name__}")
    return blob.decode("utf-8")  # UnicodeDecodeError is a ValueError


def _floats(blob: Any, n: int, what: str) -> np.ndarray:
    if type(blob) is not bytes or len(blob) != n * HISTORY_DTYPE.itemsize:
        raise ValueError(f"{what} BLOB does not hold {n} float64 values")
    return np.frombuffer(blob, dtype=HISTORY_DTYPE).astype(np.float64)


def chunk_from(row: tuple) -> Chunk:
    """One archive_chunks row (SELECT_CHUNKS order) decoded and checked; raises if bad."""
    _id, n, keys_text, track_blob, t_blob, lat_blob, lon_blob, spans_text = row
    if type(n) is not int or n < 0:
        raise ValueError(f"fix count is not a count: {n!r}")
    keys = codec.loads_list(_text(keys_text))
    if not all(type(k) is str for k in keys):
        raise TypeError("track keys are not all text")
    if type(track_blob) is not bytes or len(track_blob) != n * INDEX_DTYPE.itemsize:
        raise ValueError(f"track BLOB does not hold {n} int32 indexes")
    track = np.frombuffer(track_blob, dtype=INDEX_DTYPE).astype(np.int32)
    if n and (int(track.min()) < 0 or int(track.max()) >= len(keys)):
        raise ValueError(f"track index outside the {len(keys)} keys")
    t, lat, lon = (_floats(b, n, w) for b, w in ((t_blob, "t"), (lat_blob, "lat"),
                                                 (lon_blob, "lon")))  # fmt: skip
    if not (np.isfinite(t).all() and (np.abs(lat) <= 90.0).all()
            and (np.abs(lon) <= 180.0).all()):  # fmt: skip
        raise ValueError("times or positions out of range")
    spans = []
    for span in codec.loads_list(_text(spans_text)):
        x, y = (float(v) for v in span)  # raises on a non-pair or non-number
        if not (math.isfinite(x) and math.isfinite(y) and x <= y):
            raise ValueError(f"span {span!r} is not a time range")
        spans.append((x, y))
    return Chunk(keys, track, t, lat, lon, merge_spans(spans))
