"""AIS ingest throughput: our full path (AisParser.feed + Picture.upsert_many) against
pyais decode alone (its own stream assembler + decode) on the same sentences.

The AIS corpora (gpsd, pyais, libais) are replayed until there are at least 200k
sentences; both sides get the same lines; best of 3 runs each. Target (Foundation
issue): ours >= 0.7 of pyais alone. Rates are sentences per second for both.
    .venv/bin/python benchmarks/ingest.py [--sentences N]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from _common import REPO, report, timed
from pyais.stream import IterMessages

from cop_app.core.picture import Picture
from cop_app.ingest.ais import AisParser

CORPORA = Path(os.environ.get("COP_CORPORA", REPO.parent / "shared" / "corpora"))
FILES = [
    "gpsd/sample.aivdm", "gpsd/ais-18-27.log", "gpsd/ais-nmea-type6-fid55.log",
    "gpsd/ais-nmea.log", "gpsd/ais-raw-messages.log", "gpsd/ais_unpack_sixbit.log",
    "gpsd/ait250.log", "gpsd/saab-r4.log", "pyais/ais_test_messages", "pyais/messages.ais",
    "pyais/mixed.txt", "pyais/nmea_data_sample.txt", "pyais/sample.ais",
    "libais/typeexamples.nmea", "libais/tagblock.nmea", "libais/test.aivdm",
]  # fmt: skip
CHUNK = 64 * 1024  # what a file or socket read hands the parser


def load_sentences(minimum: int) -> list[str]:
    """The AIS sentences of the corpora (junk, GPS and comment lines left out), replayed."""
    lines: list[str] = []
    for name in FILES:
        for raw in (CORPORA / name).read_text(errors="replace").splitlines():
            s = raw.strip()
            if s.startswith(("!", "\\")) and ("VDM," in s or "VDO," in s):
                lines.append(s)
    return lines * (minimum // len(lines) + 1)


def pyais_alone(lines: list[bytes]) -> int:
    n = 0
    for msg in IterMessages(lines):
        try:
            msg.decode()
        except Exception:
            continue
        n += 1
    return n


def ours(text: str) -> int:
    parser = AisParser("bench", clock=lambda: 1_790_000_000.0)
    picture = Picture()
    n = 0
    for k in range(0, len(text), CHUNK):
        n += picture.upsert_many(parser.feed(text[k : k + CHUNK]))
    return n + picture.upsert_many(parser.close())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=200_000)
    args = ap.parse_args(argv)
    lines = load_sentences(args.sentences)
    as_bytes = [s.encode() for s in lines]
    text = "\n".join(lines) + "\n"
    n = len(lines)
    decoded = pyais_alone(as_bytes)
    merged = ours(text)
    t_pyais = min(timed(lambda: pyais_alone(as_bytes), 3))
    t_ours = min(timed(lambda: ours(text), 3))
    pyais_rate, ours_rate = n / t_pyais, n / t_ours
    ratio = ours_rate / pyais_rate
    report(
        "ingest",
        [
            ("sentences", f"{n}", ""),
            ("pyais decoded msgs", f"{decoded}", ""),
            ("ours merged updates", f"{merged}", "(types with track data only)"),
            ("pyais decode alone msgs/s", f"{pyais_rate:,.0f}", ""),
            ("ours parse+upsert msgs/s", f"{ours_rate:,.0f}", ""),
            ("ratio", f"{ratio:.2f}", ">= 0.70"),
        ],
        {
            "sentences": n,
            "pyais_msgs_per_s": round(pyais_rate),
            "ours_msgs_per_s": round(ours_rate),
            "ratio": round(ratio, 3),
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
