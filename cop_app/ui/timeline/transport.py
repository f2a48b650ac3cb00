"""Transport controls above the timeline: live, step, play/pause, speed, cursor DTG.

Buttons carry text as well as glyphs and the live state reads as a word, not a colour
only (UX.md); fonts are 11 pt or more for a watch-floor screen.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from cop_app.core.timeutil import format_dtg, to_datetime

SPEEDS: tuple[int, ...] = (1, 10, 60, 600, 3600)
FONT_PT = 11


class Transport(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFont()
        font.setPointSizeF(FONT_PT)
        self.setFont(font)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        self.live = _button("LIVE", "Cursor follows the clock", checkable=True)
        self.back = _button("◀ Step", "Cursor back one bin")
        self.play = _button("▶ Play", "Replay from the cursor", checkable=True)
        self.forward = _button("Step ▶", "Cursor forward one bin")
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Replay speed")
        for s in SPEEDS:
            self.speed_box.addItem(f"{s}x", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(60))
        self.clear_window = _button("Clear window", "Show all times again (shift-drag brushes)")
        self.clear_window.setEnabled(False)
        self.dtg = QLabel()
        self.dtg.setToolTip("Time at the cursor (UTC)")
        bold = QFont(font)
        bold.setBold(True)
        self.dtg.setFont(bold)
        for w in (self.live, self.back, self.play, self.forward, self.speed_box):
            row.addWidget(w)
        row.addSpacing(12)
        row.addWidget(self.dtg)
        row.addStretch(1)
        row.addWidget(self.clear_window)
        self.play.toggled.connect(lambda on: self.play.setText("⏸ Pause" if on else "▶ Play"))

    def speed(self) -> float:
        return float(self.speed_box.currentData())

    def set_speed(self, speed: float) -> None:
        self.speed_box.setCurrentIndex(SPEEDS.index(int(speed)))

    def show_time(self, t: float, *, live: bool) -> None:
        dt = to_datetime(t)
        mode = "LIVE" if live else "REPLAY"
        self.dtg.setText(f"{format_dtg(t, seconds=True)}  {dt:%Y-%m-%d %H:%M:%S}Z  {mode}")

    def set_night(self, night: bool) -> None:
        """Nothing of its own to recolour: the window's theme styles the buttons."""


def _button(text: str, tip: str, *, checkable: bool = False) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setCheckable(checkable)
    return b
