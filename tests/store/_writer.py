"""A process that saves large pictures in a loop, for the SIGKILL and WAL tests.

    python -m tests.store._writer CACHE_PATH N_TRACKS [FIRST_GEN]

Prints ``saving <gen>`` just before each save and ``saved <gen>`` after its commit
(both flushed), so the parent knows when a write is under way.
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
    for gen in count(first):
        picture = synth_picture(gen, n_tracks)
        print(f"saving {gen}", flush=True)
        cache.save(picture)
        print(f"saved {gen}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
