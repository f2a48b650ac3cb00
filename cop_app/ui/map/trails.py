"""Trails: where each track was over the last N minutes, as cached QPainterPaths.

Positions repaint at the hub's rate; trails are rebuilt on a slower timer (and after
the view or the cursor settles), so building them never holds back a frame. The path
is built in Mercator metres from ``Picture.history_blocks`` (the kept history, and the
archived fixes when replaying before it) with whole array operations and pyqtgraph's
``arrayToQPath`` (one path per affiliation colour).
Past ``max_tracks`` tracks in view only the selected tracks keep a trail: 100k trails
at theatre scale are an unreadable smear and would cost a frame each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from cop_app.core.enums import Identity
from cop_app.core.geo import to_mercator
from cop_app.ui.hub import Hub
from cop_app.ui.map.frames import frame_at
from cop_app.ui.map.symbols import fill_colour

WORLD = 20037508.342789244
GROUPS = {  # trail colour groups: the affiliation colours, darkened to read as lines
    "friend": (Identity.FRIEND, Identity.ASSUMED_FRIEND),
    "hostile": (Identity.HOSTILE, Identity.SUSPECT, Identity.JOKER, Identity.FAKER),
    "neutral": (Identity.NEUTRAL,),
    "unknown": (Identity.UNKNOWN, Identity.PENDING),
}


def trail_path(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, now_lat: np.ndarray,
               now_lon: np.ndarray, t0: float, t1: float) -> QPainterPath:  # fmt: skip
    """One path of polylines: each row's fixes in [t0, t1], then its position at t1."""
    valid = (t >= t0) & (t <= t1) & ~np.isnan(lat)
    valid = np.concatenate([valid, np.ones((len(t), 1), bool)], axis=1)
    lat = np.concatenate([lat, now_lat[:, None]], axis=1)[valid]
    lon = np.concatenate([lon, now_lon[:, None]], axis=1)[valid]
    counts = valid.sum(axis=1)
    if not len(lat) or counts.max() < 2:
        return QPainterPath()
    x, y = to_mercator(lon, lat)
    connect = np.ones(len(x), np.int32)
    connect[np.cumsum(counts) - 1] = 0  # a row's last point does not join the next row
    return pg.arrayToQPath(x, y, connect=connect)


class TrailLayer(pg.GraphicsObject):
    def __init__(self, hub: Hub, *, minutes: float = 10.0, max_tracks: int = 5000,
                 rebuild_ms: int = 2000) -> None:  # fmt: skip
        super().__init__()
        self.hub = hub
        self.minutes = minutes
        self.max_tracks = max_tracks
        self.night = False
        self.paths: dict[str, QPainterPath] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(rebuild_ms)
        self._timer.timeout.connect(self.rebuild)
        self._timer.start()
        self._settle = QTimer(self)  # one rebuild after the view or cursor stops moving
        self._settle.setSingleShot(True)
        self._settle.setInterval(250)
        self._settle.timeout.connect(self.rebuild)
        hub.cursorChanged.connect(lambda *_: self._settle.start())
        hub.windowChanged.connect(lambda *_: self._settle.start())
        hub.selectionChanged.connect(lambda *_: self._settle.start())

    def viewRangeChanged(self) -> None:  # pyqtgraph calls this on pan and zoom
        self._settle.start()

    def itemChange(self, change: Any, value: Any) -> Any:
        if change == self.GraphicsItemChange.ItemVisibleHasChanged and value:
            self._settle.start()
        return super().itemChange(change, value)

    def rebuild(self) -> None:
        if not self.isVisible():
            return
        picture, t1 = self.hub.picture, self.hub.cursor
        t0 = t1 - self.minutes * 60.0
        frame = frame_at(self.hub)
        mx, my = to_mercator(frame.lon, frame.lat)
        keep = np.ones(len(frame), bool)
        view = self.viewRect() if self.getViewBox() is not None else None
        if view is not None:
            keep &= ((mx >= view.left()) & (mx <= view.right())
                     & (my >= view.top()) & (my <= view.bottom()))  # fmt: skip
        if self.hub.window is not None:
            keep &= (frame.time >= self.hub.window[0]) & (frame.time <= self.hub.window[1])
        if keep.sum() > self.max_tracks:
            sel = self.hub.selection
            keep &= np.fromiter((k in sel for k in frame.keys), bool, len(frame))
        paths = {}
        for name, idents in GROUPS.items():
            idx = np.flatnonzero(keep & np.isin(frame.identity, [int(i) for i in idents]))
            if len(idx):
                t, lat, lon = picture.history_blocks(frame.rows[idx], t0, t1)
                paths[name] = trail_path(t, lat, lon, frame.lat[idx], frame.lon[idx], t0, t1)
        self.paths = paths
        self.update()

    def set_night(self, night: bool) -> None:
        self.night = night
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for name, path in self.paths.items():
            colour = QColor(fill_colour(GROUPS[name][0]))
            colour = colour.darker(260 if self.night else 170)
            pen = QPen(colour, 2.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawPath(path)
