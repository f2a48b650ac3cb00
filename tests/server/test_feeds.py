"""Live feeds over real sockets on 127.0.0.1: AIS NMEA over UDP, SBS-1 over TCP, CoT over UDP.

Expected values come from the corpora's own expected output (gpsd's daemon-test echo
files, libais's tag-block JSON) or from the input text read by its layout (BaseStation
CSV fields, CoT event/point attributes), never from our parsers.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_app.core.enums import Domain
from cop_app.core.updates import air_key, sea_key
from cop_app.server import feeds
from cop_app.server.feeds import (
    TAK_MESH_HEADER,
    CotUdpListener,
    NmeaUdpListener,
    SbsTcpClient,
)
from tests.conftest import corpus
from tests.ingest.cot_support import event_attrs, fts_files
from tests.server.feed_support import (
    Collector,
    ais_lines,
    datagrams_of,
    free_port,
    gpsd_objects,
    gpsd_positions,
    is_first_of_many,
    sbs_expected,
    sbs_lines,
    send_datagrams,
    wait_for,
)

FID55 = "ais-nmea-type6-fid55.log"
# One good sentence (gpsd sample.aivdm, type 1, MMSI 371798000) to prove a feed still works.
GOOD = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n"
GOOD_MMSI = 371798000
# ITU-R M.1371 messages that report a station's position or identity.
STATION_TYPES = {1, 2, 3, 4, 5, 9, 11, 18, 19, 21, 24, 27}


@pytest.fixture
def sink() -> Collector:
    return Collector()


def nmea_feed(sink: Collector, **kw: object) -> NmeaUdpListener:
    return NmeaUdpListener("127.0.0.1", 0, sink, **kw).start()


# --- AIS NMEA over UDP ---------------------------------------------------------------------


def test_gpsd_log_over_udp_gives_gpsd_positions_and_names(sink: Collector) -> None:
    lines = ais_lines(FID55)
    assert len(lines) == 1480
    grams = datagrams_of(lines, seed=1)
    split = [d for d in grams if is_first_of_many(d.decode().splitlines()[-1])]
    assert len(split) >= 10, "the packing must split multipart messages across datagrams"
    feed = nmea_feed(sink)
    try:
        send_datagrams(feed.port, grams)
        wait_for(lambda: feed.snapshot()["datagrams"] == len(grams), what="all datagrams")
    finally:
        feed.stop()
    snap = feed.snapshot()
    assert snap["lines"] == len(lines) and snap["state"] == "stopped"
    assert snap["updates"] == len(sink.updates) and snap["errors"] == len(sink.errors)

    by_key: dict[str, list] = {}
    for u in sink.updates:
        by_key.setdefault(u.key, []).append(u)
    # Every MMSI gpsd decoded from a message that describes a station (not binary
    # messages, acks, DGNSS corrections or group assignments, types 6-8, 17, 20, 23)
    # arrives as a track. gpsd's own opinion; we may decode more.
    theirs = {o["mmsi"] for _, o in gpsd_objects(FID55) if o["type"] in STATION_TYPES}
    assert {sea_key(m) for m in theirs} <= set(by_key)
    # Every position gpsd decoded from a position report arrives with that position.
    positions = gpsd_positions(FID55)
    assert len(positions) > 500
    for mmsi, lat, lon in positions:
        got = [(u.lat, u.lon) for u in by_key[sea_key(mmsi)] if u.has_position]
        assert any(abs(a - lat) < 2e-5 and abs(b - lon) < 2e-5 for a, b in got), (mmsi, lat, lon)
    # Type 5 static data is always two fragments: each name gpsd read arrives. Names are
    # compared as the AIS conformance test does: '@' (M.1371 table 47 padding) and
    # surrounding blanks dropped.
    names = [(o["mmsi"], o["shipname"]) for _, o in gpsd_objects(FID55) if o["type"] == 5]
    assert len(names) > 20
    for mmsi, name in names:
        got = {u.fields.get("name") for u in by_key[sea_key(mmsi)]}
        assert name.replace("@", "").strip() in got, (mmsi, name)


def test_multipart_split_across_two_datagrams_reassembles(sink: Collector) -> None:
    pairs = [(line, o) for line, o in gpsd_objects(FID55) if o["type"] == 5]
    line2, obj = pairs[0]
    lines = ais_lines(FID55)
    line1 = lines[lines.index(line2) - 1]
    assert is_first_of_many(line1)
    feed = nmea_feed(sink)
    try:
        send_datagrams(feed.port, [line1.encode() + b"\r\n", line2.encode() + b"\r\n"])
        wait_for(lambda: sink.updates, what="the reassembled message")
    finally:
        feed.stop()
    (u,) = sink.updates
    assert u.key == sea_key(obj["mmsi"]) and u.fields["name"] == obj["shipname"]
    assert u.fields.get("imo") == (obj["imo"] or None)  # IMO 0: not available (M.1371)
    assert not sink.errors


def test_lf_only_and_tag_blocks_one_sentence_per_datagram(sink: Collector) -> None:
    """libais's ORBCOMM lines: tag blocks, LF endings, a group with a message between."""
    import json

    lines = corpus("libais", "tagblock.nmea").read_text().splitlines()
    expected = [json.loads(x) for x in corpus("libais", "tagblock.json").read_text().split("\n")
                if x.strip()]  # fmt: skip
    feed = nmea_feed(sink)
    try:
        send_datagrams(feed.port, [s.encode() + b"\n" for s in lines])
        wait_for(lambda: len(sink.updates) >= len(expected), what="libais objects")
    finally:
        feed.stop()
    assert not sink.errors
    got = {(u.fields["mmsi"], u.time) for u in sink.updates}
    for o in expected:
        t = datetime.fromisoformat(o["tagblock_timestamp"].replace("Z", "+00:00"))
        assert (o["mmsi"], t.astimezone(UTC).timestamp()) in got
    [static] = [u for u in sink.updates if "name" in u.fields]
    [theirs] = [o for o in expected if o["type"] == 5]
    assert static.fields["name"] == theirs["shipname"].replace("@", "").strip()


def test_datagram_without_newline_is_one_whole_sentence(sink: Collector) -> None:
    feed = nmea_feed(sink)
    try:
        send_datagrams(feed.port, [GOOD.rstrip(), GOOD.rstrip()])
        wait_for(lambda: len(sink.updates) == 2, what="two updates")
    finally:
        feed.stop()
    assert not sink.errors and {u.key for u in sink.updates} == {sea_key(GOOD_MMSI)}


def test_random_datagrams_are_errors_and_the_feed_goes_on(sink: Collector) -> None:
    rng = random.Random(7)
    junk = [b"\xff" + rng.randbytes(rng.randint(1, 2000)) for _ in range(30)]
    junk.append(b"!" + rng.randbytes(60000))  # near the UDP maximum
    feed = nmea_feed(sink)
    try:
        grams = [g for j in junk for g in (j, GOOD)]
        send_datagrams(feed.port, grams)
        wait_for(lambda: feed.snapshot()["datagrams"] == len(grams), what="all datagrams")
        assert feed.running
    finally:
        feed.stop()
    assert len(sink.updates) == len(junk)  # every good sentence after a bad one decoded
    # Each junk datagram cost at least one error, and the stats count what the sink got.
    assert len(sink.errors) >= len(junk)
    assert feed.snapshot()["errors"] == len(sink.errors)
    assert feed.snapshot()["last_error"]


def test_sender_parsers_are_capped_and_an_evicted_multipart_is_reported(sink: Collector) -> None:
    pairs = [(line, o) for line, o in gpsd_objects(FID55) if o["type"] == 5]
    line2 = pairs[0][0]
    lines = ais_lines(FID55)
    line1 = lines[lines.index(line2) - 1]
    feed = nmea_feed(sink, max_senders=2)
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    first = f"nmea-udp:{feed.port}/127.0.0.1:{socks[0].getsockname()[1]}"
    try:
        dest = ("127.0.0.1", feed.port)
        socks[0].sendto(line1.encode() + b"\r\n", dest)  # a multipart left waiting
        wait_for(lambda: feed.snapshot()["datagrams"] == 1)
        socks[1].sendto(GOOD, dest)
        socks[2].sendto(GOOD, dest)  # third sender: the first one's parser goes
        wait_for(lambda: feed.snapshot()["evicted_senders"] == 1, what="eviction")
        socks[0].sendto(line2.encode() + b"\r\n", dest)  # its first half is gone
        wait_for(lambda: feed.snapshot()["datagrams"] == 4)
    finally:
        feed.stop()
        for s in socks:
            s.close()
    assert len(sink.updates) == 2 and all(u.key == sea_key(GOOD_MMSI) for u in sink.updates)
    reasons = [e.reason for e in sink.errors if e.source == first]
    assert any("incomplete multipart" in r for r in reasons), reasons
    assert len(reasons) == 2  # the orphaned first half, then the orphaned second half


def test_sources_name_each_sender(sink: Collector) -> None:
    feed = nmea_feed(sink, name="ais-catcher")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(GOOD, ("127.0.0.1", feed.port))
        wait_for(lambda: sink.updates)
        port = s.getsockname()[1]
    feed.stop()
    assert sink.batches[0][0] == f"ais-catcher/127.0.0.1:{port}"
    assert sink.updates[0].source == f"ais-catcher/127.0.0.1:{port}"


def test_a_failing_sink_is_counted_and_the_feed_goes_on() -> None:
    calls: list[int] = []

    def sink(items: list, source: str) -> None:
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("database is locked")

    feed = NmeaUdpListener("127.0.0.1", 0, sink).start()
    try:
        send_datagrams(feed.port, [GOOD])
        wait_for(lambda: len(calls) == 1, what="the failing delivery")
        send_datagrams(feed.port, [GOOD])
        wait_for(lambda: len(calls) == 2, what="the next delivery")
    finally:
        feed.stop()
    snap = feed.snapshot()
    assert snap["errors"] == 1 and "database is locked" in snap["last_error"]
    assert snap["updates"] == 2


def test_a_stalled_sink_costs_datagrams_not_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_QUEUED_BYTES", 10 * len(GOOD))
    release = threading.Event()
    got: list[int] = []

    def sink(items: list, source: str) -> None:
        release.wait(10)
        got.append(len(items))

    feed = NmeaUdpListener("127.0.0.1", 0, sink).start()
    try:
        send_datagrams(feed.port, [GOOD])
        wait_for(lambda: feed.snapshot()["datagrams"] == 1)
        time.sleep(0.1)  # the parse thread is now stuck in the sink
        send_datagrams(feed.port, [GOOD] * 40)
        wait_for(lambda: feed.snapshot()["datagrams"] == 41, what="all received")
        snap = feed.snapshot()
        assert snap["dropped"] == 40 - 10 and "queue full" in snap["last_error"]
        release.set()
        wait_for(lambda: sum(got) == 11, what="the first and the ten queued")
        send_datagrams(feed.port, [GOOD])  # and the feed goes on
        wait_for(lambda: sum(got) == 12, what="one more after the stall")
    finally:
        release.set()
        feed.stop()


def test_text_sink_gets_the_raw_datagrams(sink: Collector) -> None:
    raw: list[tuple[str, str, str]] = []
    feed = NmeaUdpListener("127.0.0.1", 0, sink,
                           text_sink=lambda f, t, s: raw.append((f, t, s))).start()  # fmt: skip
    try:
        send_datagrams(feed.port, [GOOD])
        wait_for(lambda: raw and sink.updates)
    finally:
        feed.stop()
    assert raw[0][:2] == ("nmea", GOOD.decode()) and raw[0][2] == sink.batches[0][0]


def test_stop_is_prompt_and_frees_the_port(sink: Collector) -> None:
    feed = nmea_feed(sink)
    port = feed.port
    t0 = time.monotonic()
    feed.stop()
    # Within a few socket polls (POLL_S), not the 5 s join timeout; loose for a loaded CI.
    assert time.monotonic() - t0 < 4 and not feed.running
    again = NmeaUdpListener("127.0.0.1", port, sink).start()  # the port is free again
    again.stop()
    with pytest.raises(RuntimeError):
        feed.start().start()
    feed.stop()


def test_bind_failure_raises_at_start(sink: Collector) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        with pytest.raises(OSError):
            NmeaUdpListener("127.0.0.1", s.getsockname()[1], sink).start()


_PROP_FEED: dict[str, object] = {}


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=3000))
def test_any_datagram_then_a_good_one_still_decodes(data: bytes) -> None:
    if "feed" not in _PROP_FEED:  # one feed for all examples (fixtures are per test)
        sink = Collector()
        _PROP_FEED.update(sink=sink, feed=nmea_feed(sink))
    feed: NmeaUdpListener = _PROP_FEED["feed"]  # type: ignore[assignment]
    sink: Collector = _PROP_FEED["sink"]  # type: ignore[assignment]
    before = len([u for u in sink.updates if u.key == sea_key(GOOD_MMSI)])
    send_datagrams(feed.port, [data, GOOD])
    wait_for(lambda: len([u for u in sink.updates if u.key == sea_key(GOOD_MMSI)]) > before,
             timeout=5, what="the good sentence after random bytes")  # fmt: skip
    assert feed.running


@pytest.fixture(autouse=True, scope="module")
def _stop_prop_feed():
    yield
    feed = _PROP_FEED.get("feed")
    if feed is not None:
        feed.stop()  # type: ignore[attr-defined]


# --- SBS-1 from a TCP source ---------------------------------------------------------------


class SbsSource:
    """A port-30003 stand-in: accepts clients and writes what the test gives it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.server.settimeout(10)
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.server.accept()

    def send(self, data: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(data)

    def kill(self) -> None:
        """The receiver goes away: listening socket and connection both close."""
        if self.conn is not None:
            self.conn.close()
        self.server.close()


def sbs_client(sink: Collector, port: int, **kw: object) -> SbsTcpClient:
    kw = {"backoff_initial": 0.05, "backoff_max": 0.2, **kw}
    return SbsTcpClient("127.0.0.1", port, sink, **kw).start()  # type: ignore[arg-type]


def test_sbs_source_killed_mid_stream_and_restarted(sink: Collector) -> None:
    lines = sbs_lines()
    assert len(lines) == 71
    cut = 30
    port = free_port()
    src = SbsSource(port)
    client = sbs_client(sink, port)
    try:
        src.accept()
        wait_for(lambda: client.state == "connected", what="connected")
        first = "".join(x + "\r\n" for x in lines[:cut]).encode()
        for i in range(0, len(first), 97):  # reads that end mid-line
            src.send(first[i : i + 97])
            time.sleep(0.001)
        src.send(lines[cut][:25].encode())  # half a line, then the source dies
        msg_before = [x for x in lines[:cut] if x.startswith("MSG")]
        wait_for(lambda: len(sink.updates) == len(msg_before), what="first half")
        src.kill()
        wait_for(lambda: client.state in ("backoff", "connecting"), what="backoff")
        time.sleep(0.3)  # a few refused reconnects
        assert client.snapshot()["reconnects"] == 0
        src = SbsSource(port)
        src.accept()
        wait_for(lambda: client.state == "connected", what="reconnected")
        src.send("".join(x + "\n" for x in lines[cut:]).encode())
        msg = [x for x in lines if x.startswith("MSG")]
        wait_for(lambda: len(sink.updates) == len(msg), what="all MSG lines")
    finally:
        client.stop()
        src.kill()
    snap = client.snapshot()
    assert snap["reconnects"] == 1 and snap["state"] == "stopped"
    assert snap["lines"] == len(lines)  # the cut half line never ended; its resend did
    assert snap["last_data_at"] is not None
    # The cut-off half line is an error, never glued to the next connection's first line.
    cutoff = [e for e in sink.errors if "cut off" in e.reason]
    assert len(cutoff) == 1 and cutoff[0].excerpt == lines[cut][:25]
    # Values match the lines, in order.
    for line, u in zip(msg, sink.updates, strict=True):
        want = sbs_expected(line)
        assert u.domain == Domain.AIR and u.key == air_key(want["icao"])
        assert u.fields.get("altitude_ft") == want["alt"]
        assert ((u.lat, u.lon) if u.has_position else None) == want["pos"], line


def test_sbs_source_not_up_yet_backs_off_then_connects(sink: Collector) -> None:
    port = free_port()
    client = sbs_client(sink, port, backoff_initial=0.02, backoff_max=0.1)
    try:
        wait_for(lambda: client.snapshot()["errors"] >= 3, what="refused connects")
        assert "connect" in client.snapshot()["last_error"]
        assert client.state in ("backoff", "connecting")
        src = SbsSource(port)
        src.accept()
        wait_for(lambda: client.state == "connected")
        src.send((sbs_lines()[4] + "\r\n").encode())
        wait_for(lambda: sink.updates, what="an update")
    finally:
        client.stop()
        src.kill()
    assert sink.updates[0].key == air_key(sbs_expected(sbs_lines()[4])["icao"])
    assert client.snapshot()["reconnects"] == 0  # the first connection is not a reconnect


def test_sbs_silent_source_is_dropped_after_the_idle_timeout(sink: Collector) -> None:
    port = free_port()
    src = SbsSource(port)
    client = sbs_client(sink, port, idle_timeout=0.5)
    accepted = []

    def accept_all() -> None:
        for _ in range(2):
            conn, _ = src.server.accept()
            accepted.append(conn)

    t = threading.Thread(target=accept_all, daemon=True)
    t.start()
    try:
        wait_for(lambda: client.snapshot()["reconnects"] >= 1, what="reconnect after idle")
    finally:
        client.stop()
        for c in accepted:
            c.close()
        src.kill()
    assert "no data" in (client.snapshot()["last_error"] or "")


def test_sbs_stop_during_backoff_is_prompt(sink: Collector) -> None:
    client = sbs_client(sink, free_port(), backoff_initial=5.0, backoff_max=30.0)
    wait_for(lambda: client.state == "backoff")
    t0 = time.monotonic()
    client.stop()
    # Not after the 5 s backoff: stop wakes the wait (loose for a loaded CI).
    assert time.monotonic() - t0 < 3.0 and client.state == "stopped"


# --- CoT over UDP --------------------------------------------------------------------------


def cot_files() -> list:
    files = fts_files()
    air = [p for p in files if p.parent.name == "a-u-A-M-F"]
    ground = [p for p in files if p.parent.name == "a-f-G-U-C"][:40]
    chat = [p for p in files if p.parent.name == "b-t-f"]
    assert air and ground and chat
    return air + ground + chat


def test_cot_events_over_udp_arrive_with_their_points(sink: Collector) -> None:
    files = cot_files()
    feed = CotUdpListener("127.0.0.1", 0, sink).start()
    tracks = [p for p in files if p.parent.name.startswith("a-")]
    try:
        send_datagrams(feed.port, [p.read_bytes() for p in files])
        wait_for(lambda: feed.snapshot()["datagrams"] == len(files), what="all events")
    finally:
        feed.stop()
    assert not sink.errors
    assert len(sink.updates) == len(tracks)  # the chat event is skipped, not an error
    for p, u in zip(tracks, sink.updates, strict=True):
        event, point = event_attrs(p.read_text())
        assert u.key == f"cot:{event['uid']}" and u.fields["cot_type"] == event["type"]
        assert (u.lat, u.lon) == (float(point["lat"]), float(point["lon"]))
        assert u.domain == (Domain.AIR if "-A-" in event["type"] else Domain.LAND)


def test_cot_junk_truncated_and_protobuf_datagrams_are_errors(sink: Collector) -> None:
    good = fts_files()[0].read_bytes()
    rng = random.Random(3)
    bad = [rng.randbytes(500), good[: len(good) // 2], TAK_MESH_HEADER + rng.randbytes(80),
           b"<event uid='x' type='a-f-G'>"]  # fmt: skip
    feed = CotUdpListener("127.0.0.1", 0, sink).start()
    try:
        send_datagrams(feed.port, [g for b in bad for g in (b, good)])
        wait_for(lambda: len(sink.updates) == len(bad), what="the good events")
        wait_for(lambda: feed.snapshot()["datagrams"] == 2 * len(bad))
    finally:
        feed.stop()
    # One error per bad datagram, each reported with the datagram it came in.
    assert len(sink.errors) == len(bad) == feed.snapshot()["errors"]
    assert any("protobuf" in e.reason for e in sink.errors)


def test_cot_multicast_group(sink: Collector) -> None:
    """TAK situational awareness multicast (239.2.3.1), joined on the loopback address."""
    feed = CotUdpListener("239.2.3.1", 0, sink, interface="127.0.0.1").start()
    good = fts_files()[0]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            s.sendto(good.read_bytes(), ("239.2.3.1", feed.port))
            wait_for(lambda: sink.updates, what="the multicast event")
    finally:
        feed.stop()
    event, _ = event_attrs(good.read_text())
    assert sink.updates[0].key == f"cot:{event['uid']}"
