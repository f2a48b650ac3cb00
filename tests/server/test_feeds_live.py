"""Acceptance (issue 3, Feeds): gpsd's AIS logs sent over UDP and the VRS BaseStation
lines sent over TCP appear as tracks through ``GET /v1/tracks`` (and CoT over UDP too).

The real ``cop-app serve --nmea-udp PORT --sbs-tcp HOST:PORT`` runs as a subprocess; the
test plays the receivers (an AIS-catcher-like UDP sender, a dump1090-like port 30003) and
reads the result back as a viewer. Expected values come from gpsd's expected output and
from the BaseStation lines' own fields.
"""

from __future__ import annotations

import socket
import time

import requests

from tests.ingest.cot_support import event_attrs, fts_files
from tests.server.feed_support import (
    ais_lines,
    datagrams_of,
    free_port,
    gpsd_objects,
    sbs_expected,
    sbs_lines,
    send_datagrams,
)

AIS_LOGS = ("ais-nmea-type6-fid55.log", "ais-raw-messages.log", "ais_unpack_sixbit.log")
STATION_TYPES = {1, 2, 3, 4, 5, 9, 11, 18, 19, 21, 24, 27}  # messages about a station
NO_LAT, NO_LON = 91 * 600000, 181 * 600000  # M.1371 "not available" (1/10000 min)


def all_tracks(url: str, token: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    cursor = None
    while True:
        params = {"limit": 5000, **({"cursor": cursor} if cursor else {})}
        r = requests.get(url + "/v1/tracks", params=params, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        r.raise_for_status()
        page = r.json()
        out.update((t["id"], t) for t in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return out


def gpsd_last_positions() -> dict[int, tuple[float, float]]:
    """Each MMSI's last position in gpsd's decodes, in input order (types 1-3, 18, 19)."""
    last: dict[int, tuple[float, float]] = {}
    for name in AIS_LOGS:
        for _, o in gpsd_objects(name):
            if o["type"] in {1, 2, 3, 18, 19} and o["lat"] != NO_LAT and o["lon"] != NO_LON:
                last[o["mmsi"]] = (o["lat"] / 600000.0, o["lon"] / 600000.0)
    return last


def test_ais_over_udp_and_sbs_over_tcp_appear_in_v1_tracks(live_server_factory) -> None:
    udp_port, cot_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    sbs = socket.create_server(("127.0.0.1", 0))  # the dump1090 stand-in, up first
    sbs.settimeout(20)
    sbs_port = sbs.getsockname()[1]
    server = live_server_factory(("--nmea-udp", f"127.0.0.1:{udp_port}",
                                  "--sbs-tcp", f"127.0.0.1:{sbs_port}",
                                  "--cot-udp", f"127.0.0.1:{cot_port}"), name="feeds")  # fmt: skip
    token = server.tokens["viewer"]
    try:
        conn, _ = sbs.accept()  # the server's SBS client connects to us
        lines = sbs_lines()
        with conn:
            data = "".join(x + "\r\n" for x in lines).encode()
            for i in range(0, len(data), 512):  # TCP reads that end mid-line
                conn.sendall(data[i : i + 512])
            grams = [d for n, name in enumerate(AIS_LOGS)
                     for d in datagrams_of(ais_lines(name), seed=n)]  # fmt: skip
            send_datagrams(udp_port, grams)
            cot = [p for p in fts_files() if p.parent.name == "a-u-A-M-F"]
            send_datagrams(cot_port, [p.read_bytes() for p in cot])
            cot_points = {f"cot:{e['uid']}": (float(pt["lat"]), float(pt["lon"]))
                          for e, pt in (event_attrs(p.read_text()) for p in cot)}  # fmt: skip
            cot_ids = set(cot_points)

            mmsis = {o["mmsi"] for name in AIS_LOGS for _, o in gpsd_objects(name)
                     if o["type"] in STATION_TYPES}  # fmt: skip
            msg = [sbs_expected(x) for x in lines if x.startswith("MSG")]
            icaos = {m["icao"] for m in msg}
            deadline = time.monotonic() + 30
            while True:
                tracks = all_tracks(server.url, token)
                got_mmsi = {t.get("mmsi") for t in tracks.values()}
                got_icao = {t.get("icao24") for t in tracks.values()}
                done = mmsis <= got_mmsi and icaos <= got_icao and cot_ids <= set(tracks)
                if done or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    finally:
        sbs.close()

    assert mmsis - got_mmsi == set(), "AIS stations missing from /v1/tracks"
    assert icaos - got_icao == set(), "aircraft missing from /v1/tracks"
    assert cot_ids - set(tracks) == set(), "CoT tracks missing from /v1/tracks"
    # CoT (a bonus to the acceptance criterion): the last event of each uid is current.
    for tid, (lat, lon) in cot_points.items():
        assert (tracks[tid]["lat"], tracks[tid]["lon"]) == (lat, lon), tracks[tid]
    by_mmsi = {t["mmsi"]: t for t in tracks.values() if "mmsi" in t}
    by_icao = {t["icao24"]: t for t in tracks.values() if "icao24" in t}
    # Sea tracks: where gpsd says a ship last was.
    for mmsi, (lat, lon) in gpsd_last_positions().items():
        t = by_mmsi[mmsi]
        assert t["domain"] == "sea"
        assert abs(t["lat"] - lat) < 2e-5 and abs(t["lon"] - lon) < 2e-5, (mmsi, t, lat, lon)
    # Air tracks: the last valid position and altitude each aircraft's lines gave.
    last_pos: dict[str, tuple[float, float]] = {}
    last_alt: dict[str, int] = {}
    for m in msg:
        if m["pos"]:
            last_pos[m["icao"]] = m["pos"]
        if m["alt"] is not None:
            last_alt[m["icao"]] = m["alt"]
    assert last_pos and last_alt
    for icao, (lat, lon) in last_pos.items():
        t = by_icao[icao]
        assert t["domain"] == "air" and (t["lat"], t["lon"]) == (lat, lon), (icao, t)
    for icao, alt in last_alt.items():
        assert by_icao[icao]["altitude_ft"] == alt, (icao, by_icao[icao])
