"""CoT export: TAK types, and CoT -> picture -> CoT keeps uid, type, time, stale, point.

Every event of the ATAK, FreeTAKServer, Esri GeoEvent and node-CoT corpora that our
CotParser (or GeoJsonParser, for node-CoT) turns into an update goes through a
picture of its own and back; drawings and chat are skipped by the parser and so
have nothing to keep.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cop_app.core.picture import Picture
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.export import cot, write
from cop_app.export.selection import ALL_LAYERS, select
from cop_app.ingest.cot import CotParser
from cop_app.ingest.reports import GeoJsonParser
from tests.conftest import corpus
from tests.export.conftest import T0

Update = TrackUpdate | ReportUpdate


def _parse_cot(text: str) -> list[Update]:
    parser = CotParser("corpus")
    return [i for i in parser.feed(text) + parser.close() if not hasattr(i, "reason")]


def _round_trip(update: Update) -> list[Update]:
    pic = Picture()
    pic.upsert(update)
    sel = select(pic, at=update.time, window=None, layers=set(ALL_LAYERS), bbox=None,
                 include_stale=True)  # fmt: skip
    return _parse_cot(cot.cot_text(sel))


def _facts(u: Update) -> tuple:
    if isinstance(u, TrackUpdate):
        uid = u.key
        stale = u.stale_at
    else:
        uid = u.id
        stale = u.fields.get("cot_stale")
    kind = u.fields.get("cot_type") or u.fields.get("properties", {}).get("type")
    return uid, kind, u.time, stale, u.lat, u.lon


def _corpus_updates() -> list[tuple[str, Update]]:
    out: list[tuple[str, Update]] = []
    files = sorted(corpus("freetakserver", "cot").rglob("*.xml"))
    files += sorted(corpus("atak-civ").glob("*.cot"))
    files += [corpus("atak-civ", "atakcotcaptures.txt")]
    files += sorted(corpus("esri-geoevent").glob("*.xml"))
    for path in files:
        for i, u in enumerate(_parse_cot(path.read_text(encoding="utf-8", errors="replace"))):
            out.append((f"{path.parent.name}/{path.name}#{i}", u))
    return out


CORPUS = _corpus_updates()


def test_corpus_is_big_enough():
    assert len(CORPUS) > 800  # 892 FreeTAKServer captures alone, minus chat and drawings


def _same(a: tuple, b: tuple) -> None:
    assert a[:4] == b[:4]
    assert a[4] == pytest.approx(b[4], abs=1e-6) and a[5] == pytest.approx(b[5], abs=1e-6)


@pytest.mark.parametrize("name,update", CORPUS, ids=[n for n, _ in CORPUS])
def test_corpus_round_trip_keeps_uid_type_time_stale_point(name, update):
    back = _round_trip(update)
    assert len(back) == 1
    before, after = _facts(update), _facts(back[0])
    if before[3] is not None and before[3] < before[2]:
        # Stale before time (seen in captures): the picture keeps no negative stale
        # interval, so the export says stale == time (MITRE: stale must not precede time).
        before = (*before[:3], before[2], *before[4:])
    _same(before, after)


def test_node_cot_fixtures_round_trip():
    """node-CoT GeoJSON -> picture -> CoT -> our CoT ingest: point types keep it all."""
    fixtures = sorted(corpus("node-cot", "fixtures").glob("*.geojson"))
    kept = drawings = 0
    for path in fixtures:
        parser = GeoJsonParser("node-cot")
        reports = [i for i in parser.feed(path.read_text()) + parser.close()
                   if isinstance(i, ReportUpdate)]  # fmt: skip
        assert len(reports) == 1, path.name
        rep = reports[0]
        props = rep.fields["properties"]
        pic = Picture()
        pic.upsert(rep)
        sel = select(pic, at=rep.time, window=None, layers={"reports"}, bbox=None)
        back = _parse_cot(cot.cot_text(sel))
        assert len(back) == 1, path.name
        got = back[0]
        uid = got.key if isinstance(got, TrackUpdate) else got.id
        if not re.match(r"^(a-|b-m-p-)", props["type"]):
            # u-d-* drawings: we write no <link> vertices or <shape>, so they come back
            # as spot markers at the representative point.
            assert got.fields["cot_type"] == "b-m-p-s-m"
            drawings += 1
            continue
        assert uid == f"cot:{rep.id}"
        assert got.fields["cot_type"] == props["type"]
        assert got.time == rep.time
        stale = got.stale_at if isinstance(got, TrackUpdate) else got.fields.get("cot_stale")
        assert cot.cot_time(stale) == cot.cot_time(max(rep.time, _iso(props["stale"])))
        assert (got.lat, got.lon) == pytest.approx((rep.lat, rep.lon), abs=1e-6)
        kept += 1
    assert kept >= 31 and drawings == 4


def _iso(text: str) -> float:
    from cop_app.core.timeutil import parse_iso

    return parse_iso(text)


def test_types_from_identity_and_domain(picture, tmp_path):
    path = tmp_path / "out.cot"
    write("cot", picture, path, at=T0)
    by_uid = {u.key if isinstance(u, TrackUpdate) else u.id: u
              for u in _parse_cot(path.read_text())}  # fmt: skip
    assert by_uid["icao:4b1805"].fields["cot_type"] == "a-f-A"  # friend air
    assert by_uid["icao:abc123"].fields["cot_type"] == "a-h-A"  # hostile air
    assert by_uid["mmsi:273456780"].fields["cot_type"] == "a-n-S"  # neutral sea
    assert by_uid["cot:PATROL-7"].fields["cot_type"] == "a-f-G-U-C"  # kept from CoT
    rep = by_uid["cot:rep-1"]
    assert rep.fields["cot_type"] == "b-m-p-s-m"
    assert rep.fields["text"] == "Two explosions heard, 3 km NE"
    air = by_uid["icao:4b1805"]
    assert air.fields["speed_kn"] == pytest.approx(420.0, abs=0.01)  # m/s there and back
    assert air.fields["course_deg"] == 90.0
    assert air.stale_at == T0  # last fix T0-60 plus the 60 s ADS-B stale policy


def test_one_event_per_line(picture, tmp_path):
    path = tmp_path / "out.cot"
    write("cot", picture, path, at=T0)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and all(x.startswith("<event ") and x.endswith("</event>")
                                   for x in lines)  # fmt: skip
