"""The strip over the map that says when the map is not the live present.

An officer glancing at the map must never take a replayed picture, or a picture
filtered to a time window, for the present: both change what the map, the tables
and the counts show. The status bar's connection label is about the link to the
server; this strip is about the picture's time, in its own colour (not the amber of
the offline banner), with the way back ("live", "show all") one click away.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from cop_app.core.timeutil import format_age, format_dtg, now
from cop_app.ui.hub import Hub
from cop_app.ui.map.frames import frame_at


def mode_text(*, live: bool, cursor: float, window: tuple[float, float] | None,
              clock: float, tracks_held: int, tracks_shown: int | None,
              fetching: bool = False) -> str:  # fmt: skip
    """Rich text of the strip ('' when the map shows the live present, unfiltered)."""
    parts = []
    if not live:
        text = f"REPLAY — picture as of {format_dtg(cursor)}"
        if clock - cursor >= 1:
            text += f" ({format_age(clock - cursor)})"
        if tracks_shown == 0 and tracks_held:
            text += " · fetching history…" if fetching else " · no track data at this time"
        parts.append(f'{escape(text)} · <a href="live" style="color: #FFFFFF">back to live (L)</a>')
    if window is not None:
        a, b = window
        parts.append(f"TIME FILTER {escape(format_dtg(a))} – {escape(format_dtg(b))}: only "
                     "tracks and reports with data in this window are shown · "
                     '<a href="clear" style="color: #FFFFFF">show all</a>')
    return "<br>".join(parts)


class ModeBanner(QLabel):
    def __init__(self, hub: Hub, parent: QWidget | None = None, *,
                 fetching: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = now) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("mode")
        self.hub = hub
        self.fetching = fetching
        self.clock = clock
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.linkActivated.connect(self._link)
        self.hide()
        # A replay at 3600x moves the cursor 20 times a second: refresh at most 4 Hz.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        for signal in (hub.liveChanged, hub.windowChanged, hub.pictureChanged):
            signal.connect(lambda *_: self.refresh())
        hub.cursorChanged.connect(lambda *_: self._timer.isActive() or self._timer.start())
        self.refresh()

    def refresh(self) -> None:
        hub = self.hub
        shown = None if hub.live else len(frame_at(hub))
        text = mode_text(live=hub.live, cursor=hub.cursor, window=hub.window,
                         clock=self.clock(), tracks_held=len(hub.picture), tracks_shown=shown,
                         fetching=self.fetching())  # fmt: skip
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(text))

    def _link(self, target: str) -> None:
        if target == "live":
            self.hub.set_live(True)
            self.hub.set_cursor(now())
        elif target == "clear":
            self.hub.set_window(None)
