"""AIS over NMEA 0183 (``!xxVDM``/``!xxVDO``) -> maritime (and SAR aircraft) updates.

The six-bit payloads are decoded by pyais (``MSG_CLASS[type].from_vector``). The NMEA
framing around them is ours, written here on purpose rather than through pyais's
``NMEASentenceFactory``/stream classes, because a feed needs things those do not give:
a ParseError per bad line (pyais skips them silently), multipart reassembly that
survives fragments on the other channel, stale-group eviction with a report, times
from tag blocks, USCG trailers and Gatehouse ``$PGHP`` lines, and a per-line cost low
enough to keep up with pyais alone (see benchmarks/ingest.py).

Decisions (documented for the operator and the tests):
- Anything that is not an AIS sentence is a ParseError ("not an AIS sentence"), except
  well-formed ``$`` NMEA sentences with a good checksum (``$GPGGA``, a receiver's own
  GPS), counted in ``other_nmea``; blank lines and ``#`` comments are skipped.
- A tag block with a bad checksum is a ParseError and its contents (time, station) are
  not used, as NMEA 4.10 says; the sentence after it carries its own checksum, so it is
  still decoded when that checksum is good.
- Message time: tag block ``c:`` (seconds, or ms when it has 13 digits), else the last
  epoch field of a USCG/``b...`` trailer, else a preceding ``$PGHP`` time, else the
  parser's clock (the receive time). A multipart message takes the time of its first
  fragment.
- Type 4 base stations become sea tracks with ``ais_class="base"``; type 21 aids to
  navigation ``ais_class="aton"``; type 9 SAR aircraft are AIR tracks keyed by MMSI.
  Other types (6, 7, 8, 10-17, 20, 22, 23, 25, 26) are valid but carry no track data:
  they are counted in ``ignored``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from operator import xor

from pyais.messages import MSG_CLASS, bit_vector

from cop_app.core import timeutil
from cop_app.core.enums import Domain
from cop_app.core.updates import ParseError, TrackUpdate
from cop_app.ingest.ais_fields import AIR_TYPES, BUILDERS, MIN_BITS, POSITION_TYPES, position
from cop_app.ingest.base import Item, LineParser

MAX_PENDING_GROUPS = 64  # multipart groups waiting for their next fragment
MAX_GROUP_AGE_LINES = 500  # a group not finished within this many lines is dropped
MAX_GROUP_AGE_S = 120.0  # ... or this many seconds of message time
MAX_FRAGMENTS = 9
MAX_PAYLOAD_CHARS = 1024  # of a whole (reassembled) message; type 8/26 fit easily

_HEX2 = {f"{i:02X}": i for i in range(256)} | {f"{i:02x}": i for i in range(256)}
_DIGIT = {str(i): i for i in range(10)}
# First payload character -> message type (six-bit armouring, ITU-R M.1371 annex 8).
_ARMOUR = bytes((*range(48, 88), *range(96, 120)))  # the 64 valid payload characters
_MSG_TYPE = {chr(c): c - 48 if c < 88 else c - 56 for c in (*range(48, 88), *range(96, 120))}


def _valid_nmea(s: str) -> bool:
    """A ``$``-sentence whose checksum is right (the receiver's GPS and other talkers)."""
    star = s.find("*")
    if star < 2:
        return False
    expected = _HEX2.get(s[star + 1 : star + 3])
    body = s[1:star]
    return expected is not None and body.isascii() and reduce(xor, body.encode(), 0) == expected


def _epoch(text: str) -> float | None:
    """Unix seconds (10 digits) or milliseconds (13 digits) as float; None if neither."""
    if not text.isdigit() or not 9 <= len(text) <= 13:
        return None
    value = int(text)
    return value / 1000.0 if len(text) > 11 else float(value)


class _Group:
    """Fragments of one multipart message seen so far."""

    __slots__ = ("count", "first_line", "parts", "station", "text", "time")

    def __init__(self, count: int, payload: str, line: int, t: float, station: str | None,
                 text: str) -> None:  # fmt: skip
        self.count = count
        self.parts = [payload]
        self.first_line = line
        self.time = t
        self.station = station
        self.text = text


class AisParser(LineParser):
    format = "nmea"

    def __init__(self, source: str = "", clock: Callable[[], float] = timeutil.now) -> None:
        super().__init__(source)
        self.clock = clock
        self.other_nmea = 0  # valid non-AIS NMEA sentences ($GPGGA...)
        self.ignored = 0  # valid AIS messages of types that carry no track data
        self._groups: dict[tuple[str, str, str], _Group] = {}
        self._gatehouse_time: float | None = None
        self._sources: dict[str, str] = {}

    # The hot loop: LineParser's per-line generator chain is replaced by one list, the
    # semantics (line numbers, \r, blanks, one error per failing line) are the same.
    def _feed(self, data: str) -> Iterator[Item]:
        buf = self._partial + data
        lines = buf.split("\n")
        self._partial = lines.pop()
        out: list[Item] = []
        line_fn = self._line
        for line in lines:
            self.lineno += 1
            try:
                line_fn(line.strip(), out)
            except Exception as exc:  # a bug on one line must not lose the others
                out.append(self.error(f"line {self.lineno}", f"{type(exc).__name__}: {exc}", line))
        return iter(out)

    def parse_line(self, line: str, lineno: int) -> Iterable[Item]:
        out: list[Item] = []
        self._line(line.strip(), out)
        return out

    def finish(self) -> Iterable[Item]:
        out: list[Item] = []
        for group in self._groups.values():
            out.append(self._incomplete(group, "incomplete multipart message at end of input"))
        self._groups.clear()
        return out

    # -- one line ---------------------------------------------------------------------
    def _line(self, s: str, out: list[Item]) -> None:
        if s and s[0] == "\\":
            n = len(out)
            self._sentence_line(s, out)
            if len(out) > n + 1:
                first, second = out[n], out[n + 1]
                here = f"line {self.lineno}"
                if (isinstance(first, ParseError) and isinstance(second, ParseError)
                        and "tag block" in first.reason and second.location == here):  # fmt: skip
                    out[n : n + 2] = [self._err(f"{first.reason}; {second.reason}", s)]
            return
        self._sentence_line(s, out)

    def _sentence_line(self, s: str, out: list[Item]) -> None:
        if not s:
            return
        c0 = s[0]
        station = None
        t = None
        tb_problem = None
        if c0 == "\\":
            end = s.find("\\", 1)
            if end < 0:
                out.append(self._err("unterminated tag block", s))
                return
            t, station, tb_problem = self._tag_block(s[1:end])
            sentence = s[end + 1 :]
            if tb_problem:
                out.append(self._err(tb_problem, s))
        elif c0 == "!":
            sentence = s
        elif c0 == "#":
            return
        elif c0 == "$" and s.startswith("$PGHP"):
            self._gatehouse(s, out)
            return
        elif c0 == "$" and _valid_nmea(s):
            # A receiver's own GPS ($GPGGA...) and other instrument sentences share the
            # line with AIS; they are valid NMEA, not junk: counted apart, not as errors.
            self.other_nmea += 1
            return
        else:
            out.append(self._err("not an AIS sentence", s))
            return

        star = sentence.find("*")
        if star < 0:
            out.append(self._err("no NMEA checksum", s))
            return
        body = sentence[1:star]
        expected = _HEX2.get(sentence[star + 1 : star + 3])
        if expected is None or not body.isascii():
            out.append(self._err("malformed NMEA checksum", s))
            return
        if reduce(xor, body.encode(), 0) != expected:
            out.append(self._err("bad NMEA checksum", s))
            return
        fields = body.split(",")
        if len(fields) != 7 or not sentence.startswith("!"):
            out.append(self._err("not an AIS sentence", s))
            return
        tag, cnt_s, num_s, seq, chan, payload, fill_s = fields
        if len(tag) != 5 or tag[2:] not in ("VDM", "VDO"):
            out.append(self._err("not an AIS sentence", s))
            return
        cnt = _DIGIT.get(cnt_s)
        num = _DIGIT.get(num_s)
        fill = _DIGIT.get(fill_s)
        if not cnt or not num or num > cnt or fill is None or fill > 5:
            out.append(self._err("bad fragment count, number or fill bits", s))
            return
        if not payload:
            out.append(self._err("empty AIS payload", s))
            return

        if t is None:
            trailer = sentence[star + 3 :]
            if trailer:
                t = _epoch(trailer.rsplit(",", 1)[-1])
            if t is None and num == 1 and self._gatehouse_time is not None:
                t, self._gatehouse_time = self._gatehouse_time, None
            if t is None:
                t = self.clock()

        if cnt == 1:
            self._decode(payload, fill, t, station, s, out)
        else:
            self._fragment(tag[:2], seq, chan, cnt, num, payload, fill, t, station, s, out)

    def _err(self, reason: str, text: str) -> ParseError:
        return self.error(f"line {self.lineno}", reason, text)

    # -- tag blocks and Gatehouse -----------------------------------------------------
    def _tag_block(self, tb: str) -> tuple[float | None, str | None, str | None]:
        """(time, station, problem) of an NMEA 4.10 tag block."""
        star = tb.rfind("*")
        if star < 0:
            return None, None, "tag block without checksum (ignored)"
        expected = _HEX2.get(tb[star + 1 :])
        body = tb[:star]
        if expected is None or not body.isascii() or reduce(xor, body.encode(), 0) != expected:
            return None, None, "bad tag block checksum (tag block ignored, sentence used)"
        t = station = None
        for part in body.split(","):
            code, _, value = part.partition(":")
            if code == "c":
                t = _epoch(value)
            elif code == "s" and value:
                station = value
        return t, station, None

    def _gatehouse(self, s: str, out: list[Item]) -> None:
        """``$PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,...``: the time of the next AIS message."""
        star = s.find("*")
        expected = _HEX2.get(s[star + 1 : star + 3]) if star > 0 else None
        body = s[1:star]
        if expected is None or not body.isascii() or reduce(xor, body.encode(), 0) != expected:
            out.append(self._err("bad NMEA checksum", s))
            return
        f = body.split(",")
        try:
            if f[1] != "1":
                raise ValueError
            y, mo, d, h, mi, sec, ms = (int(x) for x in f[2:9])
            if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and sec < 61):
                raise ValueError
            self._gatehouse_time = calendar.timegm((y, mo, d, h, mi, sec)) + ms / 1000.0
        except (ValueError, IndexError):
            out.append(self._err("unreadable Gatehouse $PGHP time", s))

    # -- multipart --------------------------------------------------------------------
    def _fragment(self, talker: str, seq: str, chan: str, cnt: int, num: int, payload: str,
                  fill: int, t: float, station: str | None, s: str,
                  out: list[Item]) -> None:  # fmt: skip
        groups = self._groups
        key = (talker, seq, chan)
        if num == 1:
            old = groups.pop(key, None)
            if old is not None:
                out.append(self._incomplete(old, "multipart message interrupted by a new one"))
            self._evict(t, out)
            groups[key] = _Group(cnt, payload, self.lineno, t, station, s)
            return
        group = groups.get(key)
        if group is None or len(group.parts) + 1 != num or group.count != cnt:
            # Receivers hand the fragments of one message over on both channels, or
            # write the channel as 1/2 or not at all: find the group on another channel.
            for other_key, other in groups.items():
                if (other_key[0] == talker and other_key[1] == seq and other.count == cnt
                        and len(other.parts) + 1 == num):  # fmt: skip
                    key, group = other_key, other
                    break
        if group is None or len(group.parts) + 1 != num or group.count != cnt:
            out.append(self._err(f"fragment {num} of {cnt} without the fragments before it", s))
            return
        group.parts.append(payload)
        if num == cnt:
            del groups[key]
            whole = "".join(group.parts)
            if len(whole) > MAX_PAYLOAD_CHARS:
                out.append(self._err("multipart payload too long", s))
                return
            self._decode(whole, fill, group.time, group.station, s, out)

    def _evict(self, t: float, out: list[Item]) -> None:
        """Drop the oldest groups when too many wait, or they are too old."""
        groups = self._groups
        while groups:
            key, oldest = next(iter(groups.items()))
            if (len(groups) < MAX_PENDING_GROUPS
                    and self.lineno - oldest.first_line <= MAX_GROUP_AGE_LINES
                    and t - oldest.time <= MAX_GROUP_AGE_S):  # fmt: skip
                return
            del groups[key]
            out.append(self._incomplete(oldest, "incomplete multipart message (stale, dropped)"))

    def _incomplete(self, group: _Group, reason: str) -> ParseError:
        got = f"{len(group.parts)} of {group.count} fragments"
        return self.error(f"line {group.first_line}", f"{reason}: {got}", group.text)

    # -- decode -----------------------------------------------------------------------
    def _decode(self, payload: str, fill: int, t: float, station: str | None, s: str,
                out: list[Item]) -> None:  # fmt: skip
        mtype = _MSG_TYPE.get(payload[0])
        if mtype is None:
            out.append(self._err("invalid character in AIS payload", s))
            return
        build = BUILDERS.get(mtype)
        if build is None:
            self.ignored += 1
            return
        raw = payload.encode()
        # pyais decodes any byte as if it were armoured six-bit data, and a field cut
        # short by the end of the payload as a partial value: check both first.
        if raw.translate(None, _ARMOUR):
            out.append(self._err("invalid character in AIS payload", s))
            return
        bits = len(raw) * 6 - fill
        if bits < MIN_BITS[mtype]:
            out.append(self._err(f"AIS type {mtype} message too short ({bits} bits)", s))
            return
        try:
            bv = bit_vector(raw, fill)
            msg = MSG_CLASS[mtype].from_vector(bv)
            mmsi = msg.mmsi
            if not mmsi:
                raise ValueError("no MMSI")
            fields = build(msg, mmsi, t, bv)
        except Exception as exc:  # pyais on a malformed payload
            out.append(self._err(f"cannot decode AIS type {mtype}: {exc}", s))
            return
        if mtype in POSITION_TYPES:
            lat, lon = position(msg)
        else:
            lat = lon = None
        source = self.source
        if station is not None:
            source = self._sources.get(station) or self._sources.setdefault(
                station, f"{self.source}/{station}"
            )
        domain = Domain.AIR if mtype in AIR_TYPES else Domain.SEA
        out.append(TrackUpdate(domain, f"mmsi:{mmsi:09d}", source, t, lat, lon, fields))
