"""A briefing product shows what the map shows: a track past its stale time but within
its lost period is in the product, marked LOST (the map draws it hollow); after its
lost period it is in neither."""

from __future__ import annotations

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg
from cop_app.core.updates import TrackUpdate
from cop_app.export import describe as d
from cop_app.export.html import _track_symbol
from cop_app.export.selection import select

T = 1_800_000_000.0
LAYERS = {"air", "sea", "land"}


def _picture() -> Picture:
    pic = Picture()
    pic.upsert_many([
        TrackUpdate(Domain.AIR, "air:bad", "test", T, 48.0, 35.0,
                    {"identity": "hostile", "callsign": "BAD01"}),
        TrackUpdate(Domain.AIR, "air:new", "test", T + 200, 48.5, 35.5,
                    {"identity": "friend", "callsign": "NEW01"}),
    ])  # fmt: skip
    return pic


def test_a_lost_track_is_in_the_product_marked_lost_then_gone():
    pic = _picture()
    stale = pic.stale_seconds("air:bad")
    sel = select(pic, at=T + 200, window=None, layers=LAYERS, bbox=None)
    placed = {p.track.id: p for p in sel.tracks}
    assert set(placed) == {"air:bad", "air:new"}
    lost, live = placed["air:bad"], placed["air:new"]
    assert lost.lost and not live.lost
    assert (lost.lat, lost.lon) == (48.0, 35.0)  # where it was last heard
    props = d.track_props(lost)
    assert props["track_status"] == f"LOST since {format_dtg(T + stale)}"
    assert ("Status", props["track_status"]) in d.rows(props, d.TRACK_ROWS)
    assert "track_status" not in d.track_props(live)
    assert _track_symbol(lost)["lost"] and not _track_symbol(live)["lost"]
    # After the lost period (air: 5 min) it has left the product as it left the map.
    later = select(pic, at=T + stale + pic.stale.lost_air_s + 1, window=None, layers=LAYERS,
                   bbox=None)  # fmt: skip
    assert [p.track.id for p in later.tracks] == ["air:new"]
    # A product may still ask for current tracks only.
    live_only = select(pic, at=T + 200, window=None, layers=LAYERS, bbox=None,
                       include_lost=False)  # fmt: skip
    assert [p.track.id for p in live_only.tracks] == ["air:new"]
