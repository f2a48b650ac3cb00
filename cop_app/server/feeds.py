"""Live feed listeners: AIS NMEA over UDP, SBS-1 from a TCP source, CoT over UDP.

These take feeds in the forms real receivers emit them (AIS-catcher/rtl-ais UDP output,
dump1090/readsb port 30003, TAK devices' UDP CoT) and hand parsed items to a sink.

The seam is ``sink(items, source)``, where ``items`` is parser output (TrackUpdate,
ReportUpdate and ParseError) and ``source`` names the sender. Why parsed items and not
raw text: a stream carries state across reads. An AIS multipart message arrives as two
datagrams, and a TCP read can end mid-line. A stateless ``ingest_text(fmt, text)`` per
datagram or read would lose both, so each feed owns long-lived parsers
(``cop_app.ingest.make_parser``): one per UDP sender address for NMEA (kept in an LRU so
a spray of sender addresses cannot grow memory), one per TCP connection for SBS. The
server wires the sink to its pipeline (``Pipeline.ingest_updates``), which also sees the
ParseErrors, so it can count them. An optional ``text_sink(fmt, text, source)`` also
receives the raw text, for a recorder or a forwarder; it is never the parsing path.

Threads, not asyncio: the listeners must also run inside the desktop app's ``--demo``
(a Qt process with no event loop) and in tests, and the sink does blocking work (SQLite
writes) that would stall uvicorn's loop if run on it. A blocking socket with a short
timeout per feed is simple, and ``stop()`` is honoured within that timeout. A UDP feed
has two threads: one only receives (so a burst is not lost in the kernel while the sink
writes), the other parses and delivers in batches, with a byte cap on what waits.

Every feed survives any input: parsers never raise, a failing sink is counted and
logged, and a datagram is at most 64 KB (the UDP maximum; the receive buffer is that
size).
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import random
import socket
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from cop_app.core import timeutil
from cop_app.core.updates import ParseError
from cop_app.ingest import make_parser
from cop_app.ingest.base import Item, StreamParser, excerpt

log = logging.getLogger(__name__)

Sink = Callable[[list[Item], str], object]
TextSink = Callable[[str, str, str], object]

MAX_DATAGRAM = 65536  # bytes; no IPv4/IPv6 UDP payload is larger (65507/65527)
MAX_SENDERS = 256  # NMEA parsers kept per UDP feed (one per sender address)
POLL_S = 0.25  # socket timeout: how soon a blocked thread notices stop()
RCVBUF = 4 * 1024 * 1024  # ask for a large kernel buffer so bursts are not dropped
MAX_QUEUED_BYTES = 32 * 1024 * 1024  # UDP datagrams received but not yet parsed
MAX_BATCH = 500  # datagrams parsed per sink call (per sender)
# TAK Protocol version 1 "mesh" datagrams start 0xbf 0x01 0xbf, then protobuf.
TAK_MESH_HEADER = b"\xbf\x01\xbf"


@dataclass
class FeedStats:
    """Counters of one feed, as the server's health/status shows them."""

    datagrams: int = 0  # UDP datagrams, or TCP reads for SBS
    bytes: int = 0
    lines: int = 0  # complete lines received (NMEA, SBS)
    updates: int = 0  # TrackUpdate/ReportUpdate handed to the sink
    errors: int = 0  # ParseErrors plus failures of the sink or the socket
    reconnects: int = 0  # SBS: connections made after the first
    evicted_senders: int = 0  # NMEA: parsers dropped by the LRU cap
    dropped: int = 0  # UDP: datagrams dropped because the parse queue was full
    last_error: str | None = None
    last_error_at: float | None = None
    last_data_at: float | None = None  # UTC epoch seconds of the last bytes received


class Feed:
    """Base of the three feeds: a daemon thread, stats, and guarded delivery."""

    fmt = ""
    kind = ""

    def __init__(self, host: str, port: int, sink: Sink, *, name: str | None = None,
                 text_sink: TextSink | None = None,
                 clock: Callable[[], float] = timeutil.now) -> None:  # fmt: skip
        self.host = host
        self.port = port
        self.sink = sink
        self.text_sink = text_sink
        self.clock = clock
        self._name = name
        self.stats = FeedStats()
        self.state = "stopped"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def name(self) -> str:
        return self._name or f"{self.kind}:{self.host}:{self.port}"

    def start(self) -> Feed:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        self._stop.clear()
        self._open()
        self._thread = threading.Thread(target=self._run_guarded, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self.state = "stopped"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the stats plus name, format and state."""
        with self._lock:
            stats = asdict(self.stats)
        return {"name": self.name, "format": self.fmt, "state": self.state, **stats}

    # -- for subclasses ------------------------------------------------------------------
    def _open(self) -> None:
        """Bind/prepare in the caller's thread, so a bad address fails start()."""

    def _run(self) -> None:
        raise NotImplementedError

    def _run_guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a feed thread dying silently would look like a quiet feed
            log.exception("%s stopped by an unexpected error", self.name)
            self._count_error(f"feed stopped: {type(exc).__name__}: {exc}")
            self.state = "failed"

    def _received(self, data: bytes) -> None:
        with self._lock:
            self.stats.datagrams += 1
            self.stats.bytes += len(data)
            self.stats.lines += data.count(b"\n")
            self.stats.last_data_at = self.clock()

    def _tap(self, raw: bytes, source: str) -> None:
        if self.text_sink is not None:
            self._call(self.text_sink, self.fmt, raw.decode("utf-8", errors="replace"), source)

    def _deliver(self, items: list[Item], source: str) -> None:
        """Count and hand over; a sink that raises costs this batch only."""
        errors = [i for i in items if isinstance(i, ParseError)]
        with self._lock:
            self.stats.updates += len(items) - len(errors)
        if errors:
            last = errors[-1]
            self._count_error(str(last), len(errors))
        if items:
            self._call(self.sink, items, source)

    def _call(self, fn: Callable[..., object], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            log.exception("%s: sink failed", self.name)
            self._count_error(f"sink failed: {type(exc).__name__}: {exc}")

    def _count_error(self, reason: str, n: int = 1) -> None:
        with self._lock:
            self.stats.errors += n
            self.stats.last_error = reason
            self.stats.last_error_at = self.clock()


class _UdpListener(Feed):
    """A UDP socket bound on (host, port); unicast, or a multicast group if host is one.

    ``port=0`` binds a free port; ``self.port`` then holds the real one.
    """

    def __init__(self, host: str, port: int, sink: Sink, *, interface: str = "0.0.0.0",
                 **kw: Any) -> None:  # fmt: skip
        super().__init__(host, port, sink, **kw)
        self.interface = interface  # for multicast: the local address to join on
        self._sock: socket.socket | None = None
        self._queue: queue.SimpleQueue[tuple[bytes, str] | None] = queue.SimpleQueue()
        self._queued_bytes = 0

    def _open(self) -> None:
        addr = ipaddress.ip_address(self.host)
        family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
            if addr.is_multicast:
                # Several TAK tools share 239.2.3.1:6969 on one host, hence REUSEADDR.
                # Binding the group (not "") keeps other groups' traffic out on Linux;
                # Windows only binds local addresses.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("" if sys.platform == "win32" else self.host, self.port))
                self._join(sock, addr)
            else:
                sock.bind((self.host, self.port))
            sock.settimeout(POLL_S)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self._sock = sock

    def _join(self, sock: socket.socket, group: ipaddress.IPv4Address | ipaddress.IPv6Address
              ) -> None:  # fmt: skip
        if group.version == 4:
            mreq = struct.pack("4s4s", group.packed, socket.inet_aton(self.interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        else:
            mreq = group.packed + struct.pack("@I", 0)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)

    def _run(self) -> None:
        """Receive only; a second thread parses and delivers (see ``_drain``)."""
        sock = self._sock
        assert sock is not None
        self.state = "listening"
        worker = threading.Thread(target=self._drain_guarded, name=f"{self.name} parse",
                                  daemon=True)  # fmt: skip
        worker.start()
        try:
            while not self._stop.is_set():
                try:
                    data, addr = sock.recvfrom(MAX_DATAGRAM)
                except TimeoutError:
                    continue
                except OSError as exc:  # e.g. ICMP errors surfacing on some platforms
                    if self._stop.is_set():
                        break
                    self._count_error(f"receive failed: {exc}")
                    continue
                self._received(data)
                self._enqueue(data, f"{self.name}/{addr[0]}:{addr[1]}")
        finally:
            sock.close()
            self._sock = None
            self._queue.put(None)  # the worker drains what is queued, flushes, and ends
            worker.join()

    def _enqueue(self, data: bytes, source: str) -> None:
        with self._lock:
            full = self._queued_bytes + len(data) > MAX_QUEUED_BYTES
            if full:
                self.stats.dropped += 1
            else:
                self._queued_bytes += len(data)
        if full:
            self._count_error("receive queue full (the sink is too slow); datagram dropped")
        else:
            self._queue.put((data, source))

    def _drain_guarded(self) -> None:
        try:
            self._drain()
        except Exception as exc:
            log.exception("%s: parse thread stopped", self.name)
            self._count_error(f"parse thread stopped: {type(exc).__name__}: {exc}")

    def _drain(self) -> None:
        """Parse queued datagrams and hand them over in batches, one sink call per sender.

        Why a separate thread and batches: the receive loop must get back to recvfrom at
        once or the kernel drops datagrams in a burst, and the sink (one SQLite
        transaction per call) is far cheaper per update in batches.
        """
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            by_source: dict[str, list[Item]] = {}
            for entry in batch:
                if entry is None:
                    continue
                data, source = entry
                with self._lock:
                    self._queued_bytes -= len(data)
                by_source.setdefault(source, []).extend(self._parse(data, source))
            for source, items in by_source.items():
                self._deliver(items, source)
            if None in batch:
                self._flush()
                return

    @property
    def name(self) -> str:
        return self._name or f"{self.kind}:{self.port}"

    def _parse(self, data: bytes, source: str) -> list[Item]:
        raise NotImplementedError

    def _flush(self) -> None:
        """At stop: hand over what parsers still hold."""


class NmeaUdpListener(_UdpListener):
    """AIS NMEA over UDP, as AIS-catcher, rtl-ais, gpsd or a serial-to-UDP bridge send it.

    A datagram holds one or more whole sentences (CRLF or LF, maybe with NMEA 4 tag
    blocks); these senders never split a sentence across datagrams, so a datagram that
    does not end in a newline is ended here, rather than glued to the sender's next one.
    Multipart messages do span datagrams, so each sender keeps its own parser (its
    pending fragments), in an LRU of ``max_senders``; an evicted parser is closed and its
    unfinished multiparts are reported as errors.
    """

    fmt = "nmea"
    kind = "nmea-udp"

    def __init__(self, host: str, port: int, sink: Sink, *, max_senders: int = MAX_SENDERS,
                 **kw: Any) -> None:  # fmt: skip
        super().__init__(host, port, sink, **kw)
        self.max_senders = max(1, max_senders)
        self._parsers: OrderedDict[str, StreamParser] = OrderedDict()

    def _parse(self, data: bytes, source: str) -> list[Item]:
        parser = self._parsers.get(source)
        if parser is None:
            parser = self._parsers[source] = make_parser(self.fmt, source)
            while len(self._parsers) > self.max_senders:
                old_source, old = self._parsers.popitem(last=False)
                with self._lock:
                    self.stats.evicted_senders += 1
                self._deliver(old.close(), old_source)
        else:
            self._parsers.move_to_end(source)
        if not data.endswith(b"\n"):
            data += b"\r\n"
            with self._lock:
                self.stats.lines += 1
        self._tap(data, source)
        return parser.feed(data)

    def _flush(self) -> None:
        while self._parsers:
            source, parser = self._parsers.popitem(last=False)
            self._deliver(parser.close(), source)


class CotUdpListener(_UdpListener):
    """CoT events over UDP (TAK devices: 4242 unicast, 239.2.3.1:6969 multicast SA).

    Each datagram is a whole event (or a few), so each is parsed on its own: nothing of
    one datagram may swallow the next, and a truncated event is reported at once.
    TAK Protocol v1 (protobuf) mesh datagrams are recognised and reported as errors:
    set the devices to send XML (protocol version 0).
    """

    fmt = "cot"
    kind = "cot-udp"

    def _parse(self, data: bytes, source: str) -> list[Item]:
        if data.startswith(TAK_MESH_HEADER):
            return [ParseError(source, "offset 0",
                               "TAK Protocol v1 (protobuf) is not supported; send CoT XML",
                               excerpt(data[:40].hex()))]  # fmt: skip
        self._tap(data, source)
        return make_parser(self.fmt, source).parse_all(data)


class SbsTcpClient(Feed):
    """BaseStation (SBS-1) lines from a TCP source such as dump1090/readsb port 30003.

    The client connects out, reads lines, and when the source goes away reconnects
    with capped exponential backoff and jitter. States: connecting, connected, backoff,
    stopped. Each connection gets a fresh parser: a line cut by a dropped connection is
    reported as an error, never glued to the first line of the next connection.

    The loop is hand-written because urllib3's Retry is a policy for HTTP requests
    (status codes, methods, redirects) driven by urllib3's own connection pool; a raw
    TCP stream has no request to retry, only a socket to reopen.
    """

    fmt = "sbs"
    kind = "sbs-tcp"

    def __init__(self, host: str, port: int, sink: Sink, *, backoff_initial: float = 1.0,
                 backoff_max: float = 30.0, connect_timeout: float = 5.0,
                 idle_timeout: float = 300.0, **kw: Any) -> None:  # fmt: skip
        super().__init__(host, port, sink, **kw)
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.connect_timeout = connect_timeout
        # A source that is silent this long is treated as gone (a half-open connection
        # after a receiver reboot would otherwise hang forever); reconnecting is cheap.
        self.idle_timeout = idle_timeout
        self.connections = 0
        self._rng = random.Random()

    def _run(self) -> None:
        delay = self.backoff_initial
        while not self._stop.is_set():
            self.state = "connecting"
            got_data = self._session()
            if self._stop.is_set():
                break
            delay = self.backoff_initial if got_data else min(delay * 2, self.backoff_max)
            self.state = "backoff"
            # Jitter, so several clients of one restarted source do not reconnect in step.
            self._stop.wait(delay * self._rng.uniform(0.5, 1.0))

    def _session(self) -> bool:
        """One connection, until it ends; True if it delivered any data."""
        try:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
        except OSError as exc:
            self._count_error(f"connect to {self.host}:{self.port} failed: {exc}")
            return False
        self.connections += 1
        if self.connections > 1:
            with self._lock:
                self.stats.reconnects += 1
        self.state = "connected"
        source = self.name
        parser = make_parser(self.fmt, source)
        got_data = False
        idle = 0.0
        tail = b""  # bytes after the last newline: a line the connection may cut off
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.settimeout(POLL_S)
            while not self._stop.is_set():
                try:
                    data = sock.recv(MAX_DATAGRAM)
                except TimeoutError:
                    idle += POLL_S
                    if idle >= self.idle_timeout:
                        self._count_error(f"no data for {self.idle_timeout:g} s; reconnecting")
                        break
                    continue
                except OSError as exc:
                    self._count_error(f"connection lost: {exc}")
                    break
                if not data:
                    self._count_error("connection closed by the source")
                    break
                got_data, idle = True, 0.0
                cut = data.rfind(b"\n")
                tail = (tail + data)[-200:] if cut < 0 else data[cut + 1 :][-200:]
                self._received(data)
                self._tap(data, source)
                self._deliver(parser.feed(data), source)
        finally:
            sock.close()
        if tail.strip():  # the parser (and its partial line) is dropped, not closed
            err = ParseError(source, "end of connection",
                             "line cut off when the connection ended", excerpt(tail))
            self._deliver([err], source)
        return got_data
