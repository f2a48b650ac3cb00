"""The hub linked views share: selection, time cursor and window, layers (glue's habit).

Views never talk to each other; they listen to and set the hub. The Picture's plain
callbacks arrive here from any thread and leave as one coalesced Qt signal on the UI
thread, at most ``max_rate_hz`` times a second, so a 10k-updates-per-second feed
cannot flood the event loop.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from cop_app.core.picture import Picture, PictureChange

LAYERS = ("basemap", "zones", "air", "sea", "land", "reports", "trails", "labels", "tiles")


class Hub(QObject):
    selectionChanged = Signal(object)  # frozenset[str]: track keys and report ids
    cursorChanged = Signal(float)  # epoch seconds the map draws (Picture.as_of)
    windowChanged = Signal(object)  # (t0, t1) brushed on the timeline, or None
    liveChanged = Signal(bool)  # True: the cursor follows the clock
    layersChanged = Signal(object)  # dict[str, bool]
    pictureChanged = Signal(object)  # PictureChange, coalesced, on the UI thread
    focusRequested = Signal(float, float, float)  # lat, lon, span km (0: keep the zoom)

    def __init__(self, picture: Picture, *, max_rate_hz: float = 10.0,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.picture = picture
        self.selection: frozenset[str] = frozenset()
        self.cursor: float = 0.0
        self.window: tuple[float, float] | None = None
        self.live = True
        self.layers: dict[str, bool] = {name: True for name in LAYERS}
        self._pending = PictureChange()
        self._lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / max_rate_hz))
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self._unsubscribe = picture.subscribe(self._on_picture)

    # ---- setters views call ----------------------------------------------------------
    def select(self, ids: frozenset[str] | set[str] | list[str]) -> None:
        ids = frozenset(ids)
        if ids != self.selection:
            self.selection = ids
            self.selectionChanged.emit(ids)

    def set_cursor(self, t: float) -> None:
        if t != self.cursor:
            self.cursor = float(t)
            self.cursorChanged.emit(self.cursor)

    def set_window(self, window: tuple[float, float] | None) -> None:
        if window != self.window:
            self.window = window
            self.windowChanged.emit(window)

    def set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            self.liveChanged.emit(live)

    def set_layer(self, name: str, visible: bool) -> None:
        if self.layers.get(name) != visible:
            self.layers[name] = visible
            self.layersChanged.emit(dict(self.layers))

    def focus(self, lat: float, lon: float, span_km: float | None = None) -> None:
        self.focusRequested.emit(lat, lon, float(span_km or 0.0))

    # ---- Picture callbacks (any thread) -------------------------------------------
    def _on_picture(self, change: PictureChange) -> None:
        with self._lock:
            self._pending.absorb(change)

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            if not self._pending:
                return
            change, self._pending = self._pending, PictureChange()
        self.pictureChanged.emit(change)

    def close(self) -> None:
        self._timer.stop()
        self._unsubscribe()
