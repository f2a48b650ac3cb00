"""A reader loads consistent pictures while another process keeps saving (WAL)."""

from __future__ import annotations

import time

import pytest

from cop_app.core.picture import Picture
from cop_app.store import PictureCache
from tests.store._synth import assert_same_picture, synth_picture
from tests.store.test_crash import read_until, start_writer

N_TRACKS = 1500


@pytest.mark.slow
def test_reader_sees_whole_saves_while_a_writer_writes(tmp_path):
    path = tmp_path / "cache.sqlite"
    proc = start_writer(path, N_TRACKS)
    seen: set[int] = set()
    try:
        read_until(proc, "saved 0")
        with PictureCache(path) as reader:
            deadline = time.monotonic() + 4.0
            loads = 0
            while time.monotonic() < deadline and (len(seen) < 4 or loads < 8):
                picture = reader.load(Picture(history_points=60))
                loads += 1
                gens = {t.fields["gen"] for t in picture.tracks()}
                assert len(gens) == 1, f"a load mixed saves {sorted(gens)}"
                assert len(picture) == N_TRACKS
                gen = gens.pop()
                if gen not in seen:  # check each generation seen fully, once
                    assert_same_picture(synth_picture(gen, N_TRACKS), picture)
                    seen.add(gen)
            assert reader.problems == []
        assert proc.poll() is None, "the writer died while we read"
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
    assert len(seen) >= 2, f"reads never overlapped the writer's saves: {seen}"
