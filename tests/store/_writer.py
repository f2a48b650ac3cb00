"""A process that saves large pictures in a loop, for the SIGKILL and WAL tests.

    python -m tests.store._writer CACHE_PATH N_TRACKS [FIRST_GEN]

Prints (flushed) ``saving <gen>`` when a save starts encoding, ``begin <gen>`` when
its write transaction has begun (from SQLite's statement trace, so the line means
the database is being written), ``commit <gen>`` as COMMIT starts, and ``saved
<gen>`` after it returns: the parent can kill it at a known stage.
"""

from __future__ import annotations

import sys
from itertools import count

from cop_app.store import PictureCache
from tests.store._synth import synth_picture


def main(argv: list[str]) -> None:
    path, n_tracks = argv[0], int(argv[1])
    first = int(argv[2]) if len(argv) > 2 else 0
    cache = PictureCache(path)
    current = [first]

    def trace(statement: str) -> None:
        if statement.startswith(("BEGIN IMMEDIATE", "COMMIT")):
            print(f"{statement.split()[0].lower()} {current[0]}", flush=True)

    cache._conn.set_trace_callback(trace)
    for gen in count(first):
        picture = synth_picture(gen, n_tracks)
        current[0] = gen
        print(f"saving {gen}", flush=True)
        cache.save(picture)
        print(f"saved {gen}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
