"""Helpers for the feed tests: a thread-safe sink, waiting, and the corpora's expectations
read without our parsers (gpsd's daemon-test echo format, the BaseStation layout)."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from cop_app.core.updates import ParseError, TrackUpdate
from tests.conftest import corpus


class Collector:
    """A feed sink that keeps everything it was given, in order, with its source."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, items: list[Any], source: str) -> None:
        with self._lock:
            self.batches.append((source, list(items)))

    @property
    def items(self) -> list[Any]:
        with self._lock:
            return [i for _, batch in self.batches for i in batch]

    @property
    def updates(self) -> list[TrackUpdate]:
        return [i for i in self.items if not isinstance(i, ParseError)]

    @property
    def errors(self) -> list[ParseError]:
        return [i for i in self.items if isinstance(i, ParseError)]


def wait_for(pred: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what or pred}")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_datagrams(port: int, datagrams: list[bytes], host: str = "127.0.0.1") -> None:
    """Send with a breather every few dozen, as a receiver would, so the kernel buffer
    (small on some CI machines) never overflows on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for n, d in enumerate(datagrams, 1):
            s.sendto(d, (host, port))
            if n % 25 == 0:
                time.sleep(0.002)


# --- AIS: gpsd daemon-test logs ------------------------------------------------------------


def ais_lines(name: str) -> list[str]:
    """The AIS sentences of a gpsd log (no comments, no GPS sentences), without EOLs."""
    text = corpus("gpsd", name).read_text(encoding="utf-8", errors="replace")
    return [s for s in text.splitlines() if s.startswith("!")]


def gpsd_objects(name: str) -> list[tuple[str, dict[str, Any]]]:
    """(input line, AIS object) pairs from ``<log>.chk``: gpsd echoes each input line and
    then prints the reports it made from it (after the last fragment of a multipart)."""
    out: list[tuple[str, dict[str, Any]]] = []
    last = ""
    for raw in corpus("gpsd", name + ".chk").read_text(errors="replace").splitlines():
        line = raw.rstrip("\r")
        if line.startswith("{"):
            obj = json.loads(line)
            if obj.get("class") == "AIS":
                out.append((last, obj))
        else:
            last = line
    return out


def is_first_of_many(sentence: str) -> bool:
    """Fragment number 1 of a message of 2+ fragments (NMEA fields 1 and 2)."""
    f = sentence.split("*")[0].split(",")
    return len(f) > 2 and f[1].isdigit() and int(f[1]) > 1 and f[2] == "1"


def datagrams_of(lines: list[str], seed: int = 0, eol: str = "\r\n") -> list[bytes]:
    """Lines packed 1-4 per datagram (receivers send one sentence or a few at a time)."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(lines):
        n = rng.choice((1, 1, 2, 3, 4))
        out.append("".join(s + eol for s in lines[i : i + n]).encode())
        i += n
    return out


# Position report types whose lat/lon gpsd prints in 1/10000 minute when unscaled.
POSITION_TYPES = {1, 2, 3, 18, 19}
NO_LAT, NO_LON = 91 * 600000, 181 * 600000  # ITU-R M.1371 "not available"


def gpsd_positions(name: str) -> list[tuple[int, float, float]]:
    out = []
    for _, o in gpsd_objects(name):
        if o["type"] in POSITION_TYPES and o["lat"] != NO_LAT and o["lon"] != NO_LON:
            out.append((o["mmsi"], o["lat"] / 600000.0, o["lon"] / 600000.0))
    return out


# --- SBS: VRS SampleMessages.txt -----------------------------------------------------------


def sbs_lines() -> list[str]:
    return corpus("vrs", "SampleMessages.txt").read_text().splitlines()


def sbs_expected(line: str) -> dict[str, Any]:
    """What a BaseStation MSG line says, read from its CSV layout (fields 5, 12, 15, 16)."""
    f = line.split(",")
    lat, lon = f[14], f[15]
    pos = None
    if lat and lon and abs(float(lat)) <= 90 and (float(lat), float(lon)) != (0.0, 0.0):
        pos = (float(lat), float(lon))
    return {"icao": f[4].lower(), "alt": int(f[11]) if f[11] else None, "pos": pos}
