"""A file the cache cannot use is moved aside (never deleted) and a fresh cache is made."""

from __future__ import annotations

import calendar
import logging
import os
import re
import sqlite3
import time

import pytest

from cop_app.store import PictureCache
from cop_app.store.schema import SCHEMA_VERSION
from tests.store._synth import assert_same_picture, synth_picture

STAMP = re.compile(r"^cache\.sqlite\.corrupt-(\d{8}T\d{6}Z)(-\d+)?$")


def _assert_moved_aside(tmp_path, original: bytes, cache: PictureCache, kind: str):
    """The old bytes sit untouched at <name>.corrupt-<UTC stamp>, and the message says so."""
    [problem] = cache.problems
    assert problem.kind == kind
    moved = problem.moved_to
    match = STAMP.match(moved.name)
    assert match and moved.parent == tmp_path
    stamp = calendar.timegm(time.strptime(match.group(1), "%Y%m%dT%H%M%SZ"))
    assert abs(stamp - time.time()) < 120  # UTC (tests run in Asia/Kathmandu)
    assert moved.read_bytes() == original
    assert str(tmp_path / "cache.sqlite") in problem.message and str(moved) in problem.message
    # ...and the fresh cache works.
    picture = synth_picture(1, n_tracks=20)
    cache.save(picture)
    assert_same_picture(picture, cache.load())
    return problem


def _open_over(tmp_path, content: bytes, kind: str, caplog) -> str:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="cop_app.store"), PictureCache(path) as cache:
        problem = _assert_moved_aside(tmp_path, content, cache, kind)
    assert problem.message in caplog.text
    return problem.message


def test_random_bytes(tmp_path, caplog):
    msg = _open_over(tmp_path, os.urandom(64 * 1024), "corrupt", caplog)
    assert "not an SQLite database" in msg


def test_text_file(tmp_path, caplog):
    msg = _open_over(tmp_path, b"lat,lon\n47.1,37.5\n" * 100, "corrupt", caplog)
    assert "not an SQLite database" in msg


def test_short_text_file(tmp_path, caplog):
    _open_over(tmp_path, b"hi\n", "corrupt", caplog)


def _sqlite_bytes(tmp_path, build) -> bytes:
    src = tmp_path / "src.db"
    con = sqlite3.connect(src)
    build(con)
    con.commit()
    con.close()
    data = src.read_bytes()
    src.unlink()
    return data


def test_other_applications_database(tmp_path, caplog):
    def build(con):
        con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO users (name) VALUES ('alice')")

    data = _sqlite_bytes(tmp_path, build)
    msg = _open_over(tmp_path, data, "foreign", caplog)
    assert "another application" in msg and "users" in msg
    moved = next(tmp_path.glob("cache.sqlite.corrupt-*"))
    assert sqlite3.connect(moved).execute("SELECT name FROM users").fetchone() == ("alice",)


def test_other_application_with_a_user_version(tmp_path, caplog):
    def build(con):
        con.execute("PRAGMA user_version = 1")
        con.execute("CREATE TABLE tracks (key TEXT)")

    _open_over(tmp_path, _sqlite_bytes(tmp_path, build), "foreign", caplog)


def test_cache_from_a_newer_version(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    with PictureCache(path) as cache:
        cache.save(synth_picture(0, n_tracks=5))
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    msg = _open_over(tmp_path, path.read_bytes(), "newer", caplog)
    assert "newer cop-app" in msg


def test_truncated_cache(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    with PictureCache(path) as cache:
        cache.save(synth_picture(0, n_tracks=500))
    data = path.read_bytes()
    assert not (tmp_path / "cache.sqlite-wal").exists()  # checkpointed on close
    _open_over(tmp_path, data[: len(data) // 2], "corrupt", caplog)


def test_cache_with_scrambled_pages(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    with PictureCache(path) as cache:
        cache.save(synth_picture(0, n_tracks=500))
    data = bytearray(path.read_bytes())
    page = 4096
    for k in range(2, len(data) // page, 3):  # keep page 1 (header, schema), scramble others
        data[k * page + 8 : k * page + 200] = os.urandom(192)
    _open_over(tmp_path, bytes(data), "corrupt", caplog)


def test_empty_file_becomes_a_cache_without_complaint(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"")
    with PictureCache(path) as cache:
        assert cache.problems == []
        cache.set_cursor("events", 3)
        assert cache.get_cursor("events") == 3
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_companion_wal_is_moved_with_the_file(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"garbage" * 100)
    (tmp_path / "cache.sqlite-wal").write_bytes(b"old wal" * 100)
    with PictureCache(path) as cache:
        moved = cache.problems[0].moved_to
        assert (tmp_path / (moved.name + "-wal")).read_bytes() == b"old wal" * 100
        cache.set_cursor("events", 1)
        assert cache.get_cursor("events") == 1


def test_two_bad_files_in_the_same_second_both_kept(tmp_path):
    path = tmp_path / "cache.sqlite"
    for content in (b"first bad file", b"second bad file"):
        path.unlink(missing_ok=True)
        path.write_bytes(content)
        PictureCache(path).close()
    kept = sorted(p.read_bytes() for p in tmp_path.glob("cache.sqlite.corrupt-*"))
    assert kept == [b"first bad file", b"second bad file"]


def test_damage_found_while_loading_moves_the_file_aside(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = PictureCache(path)
    cache.save(synth_picture(0, n_tracks=10))
    con = sqlite3.connect(path)
    con.execute("DROP TABLE histories")
    con.commit()
    con.close()
    picture = cache.load()
    assert len(picture) == 0
    [problem] = cache.problems
    assert problem.kind == "corrupt" and "no such table" in problem.message
    assert sqlite3.connect(problem.moved_to).execute("SELECT count(*) FROM tracks").fetchone()[0]
    cache.set_cursor("events", 5)  # the fresh cache works
    assert cache.get_cursor("events") == 5
    cache.close()


def test_a_locked_cache_is_not_mistaken_for_a_corrupt_one(tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite"
    PictureCache(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr("cop_app.store.cache._BUSY_TIMEOUT_MS", 100)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        PictureCache(path)
    holder.close()
    assert list(tmp_path.glob("*.corrupt-*")) == []
