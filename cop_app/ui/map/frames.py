"""The picture at the hub's cursor, computed once per (picture version, cursor).

``Picture.as_of`` costs ~60 ms at 100k tracks; the three domain layers, the trails and
zoom-to-selection all want the same frame, so they share this one.
"""

from __future__ import annotations

import weakref

from cop_app.core.picture import Frame
from cop_app.ui.hub import Hub

_FRAMES: weakref.WeakKeyDictionary[Hub, tuple[tuple[int, float], Frame]] = (
    weakref.WeakKeyDictionary())  # fmt: skip


def frame_at(hub: Hub) -> Frame:
    stamp = (hub.picture.version, hub.cursor)
    cached = _FRAMES.get(hub)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    frame = hub.picture.as_of(hub.cursor)
    _FRAMES[hub] = (stamp, frame)
    return frame
