"""The picture at the hub's cursor, computed once per (picture version, cursor).

``Picture.as_of`` costs ~60 ms at 100k tracks; the three domain layers, the trails and
zoom-to-selection all want the same frame, so they share this one. It holds the lost
tracks too (past their stale time, within their lost period: ``Frame.lost``), so a track
that stops reporting is seen to go lost before it goes.
"""

from __future__ import annotations

import weakref

from cop_app.core.picture import Frame
from cop_app.core.timeutil import format_age
from cop_app.ui.hub import Hub

_FRAMES: weakref.WeakKeyDictionary[Hub, tuple[tuple[int, float], Frame]] = (
    weakref.WeakKeyDictionary())  # fmt: skip


def frame_at(hub: Hub) -> Frame:
    stamp = (hub.picture.version, hub.cursor)
    cached = _FRAMES.get(hub)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    frame = hub.picture.as_of(hub.cursor, include_lost=True)
    _FRAMES[hub] = (stamp, frame)
    return frame


def lost_text(age_s: float) -> str:
    """``LOST 3 min``: lost, last heard that long ago (the Age column's number, so the
    map label, the table and the Last report time agree)."""
    return "LOST " + format_age(age_s).removesuffix(" ago")
