"""Syncer ordering rules without a network: duplicates ignored, gaps filled from the log.

The integration tests (test_sync_live.py) run the same code against the real server;
here a changes log in memory stands in for /v1/changes so gaps can be made on purpose.
"""

from __future__ import annotations

import gc
import itertools
import random
import threading

import pytest

from cop_app.api.http import ApiClient
from cop_app.api.sync import Change, Stopped, Syncer, _gc_paused, _prefetched
from cop_app.core.picture import Picture


def track_change(seq: int, key: str, lat: float) -> Change:
    rec = {"kind": "track", "domain": "sea", "id": key, "lat": lat, "lon": 30.0,
           "time": f"2026-01-01T00:00:{seq % 60:02d}Z", "sources": ["ais"], "seq": seq}  # fmt: skip
    return Change(seq, None, "track", "upsert", key, rec)


class LogClient(ApiClient):
    """Answers GET /v1/changes from a list; counts the calls."""

    def __init__(self, log: list[Change]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.log = log
        self.calls = 0

    def get(self, path, **params):
        assert path == "/v1/changes"
        self.calls += 1
        after, limit = params["after"], params["limit"]
        items = [c for c in self.log if c.seq > after][:limit]
        hw = self.log[-1].seq
        return {"items": [{"seq": c.seq, "time": None, "kind": c.kind, "op": c.op, "id": c.id,
                           "record": c.record} for c in items],
                "next_after": items[-1].seq if items else after, "seq": hw}  # fmt: skip


def make(log: list[Change]) -> tuple[Syncer, list[int], LogClient]:
    client = LogClient(log)
    applied: list[int] = []
    s = Syncer(client, Picture(), on_change=lambda c: applied.append(c.seq), changes_limit=3)
    s.last_seq = 0
    return s, applied, client


def test_in_order_and_duplicates_ignored():
    log = [track_change(i, f"mmsi:{i % 3:09d}", 40 + i) for i in range(1, 11)]
    s, applied, client = make(log)
    s.apply_changes(log[:5])
    s.apply_changes(log[2:8])  # a replay after a reconnect overlaps
    s.apply_changes(log[7:])
    assert applied == list(range(1, 11)) and client.calls == 0
    assert s.picture.track("mmsi:000000001").lat == 40 + 10


def test_gap_filled_from_log_before_newer_change():
    log = [track_change(i, "mmsi:000000001", 40 + i) for i in range(1, 21)]
    s, applied, client = make(log)
    s.apply_changes([log[0], log[14], log[15]])  # 2..14 missing
    assert applied == list(range(1, 17))
    assert client.calls >= 1
    assert list(s.picture.history("mmsi:000000001")[1])[-3:] == [54.0, 55.0, 56.0]


def test_shuffled_batches_apply_each_seq_once():
    log = [track_change(i, f"mmsi:{i % 7:09d}", i / 10) for i in range(1, 301)]
    rng = random.Random(3)
    s, applied, _ = make(log)
    pos = 0
    while pos < len(log):  # batches that skip ahead, step back and repeat
        start = max(0, pos - rng.randint(0, 5))
        end = min(len(log), pos + rng.randint(1, 12))
        batch = log[start:end]
        if rng.random() < 0.3:
            batch = batch[rng.randint(0, len(batch) - 1):]
        s.apply_changes(batch)
        pos = end
    assert applied == list(range(1, 301))


def test_page_record_newer_than_change_is_kept():
    s, applied, _ = make([track_change(1, "k", 1)])
    s._apply_record("track", {**track_change(5, "mmsi:000000009", 45.0).record})
    s.apply_changes([track_change(1, "mmsi:000000009", 41.0)])
    assert applied == [1] and s.picture.track("mmsi:000000009").lat == 45.0


def test_backoff_is_capped_full_jitter():
    s, _, _ = make([track_change(1, "k", 1)])
    s.backoff_base, s.backoff_cap = 0.5, 8.0
    delays = [s.backoff_delay(n) for n in range(1, 30) for _ in range(20)]
    assert max(delays) <= 8.0 and min(delays) >= 0.0
    assert max(s.backoff_delay(1) for _ in range(200)) <= 1.0


def test_prefetch_keeps_order_and_raises_the_producers_error():
    stop = threading.Event()
    assert list(_prefetched(iter(range(50)), stop)) == list(range(50))

    def failing():
        yield 1
        raise ValueError("page 2 broke")

    got = []
    with pytest.raises(ValueError, match="page 2 broke"):
        for item in _prefetched(failing(), stop):
            got.append(item)
    assert got == [1]


def test_prefetch_ends_its_thread_when_the_consumer_stops():
    made = []

    def endless():
        for i in itertools.count():
            made.append(i)
            yield i

    stop = threading.Event()
    before = threading.active_count()
    pages = _prefetched(endless(), stop)
    assert next(pages) == 0
    pages.close()  # the consumer raised (or broke off)
    assert threading.active_count() == before and len(made) <= 3
    stop.set()
    with pytest.raises(Stopped):
        list(_prefetched(endless(), stop))
    assert threading.active_count() == before


def test_gc_paused_only_for_the_pass_and_nested_pauses_share_it():
    was_enabled = gc.isenabled()  # off once a Qt test ran (GUI-thread collection)
    gc.enable()
    try:
        with _gc_paused():
            assert not gc.isenabled()
            with _gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer pass still runs
        assert gc.isenabled()
        with pytest.raises(RuntimeError), _gc_paused():
            raise RuntimeError("the sync failed")
        assert gc.isenabled()
        gc.disable()
        with _gc_paused():
            pass
        assert not gc.isenabled()  # left as the application had it
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
