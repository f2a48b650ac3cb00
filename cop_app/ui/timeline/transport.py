"""Transport controls above the timeline: live, step, play/pause, speed, cursor DTG.

Buttons carry text as well as glyphs and the live state reads as a word on a coloured
chip, not a colour only (UX.md); fonts are 11 pt or more for a watch-floor screen. The
header also carries the key of both strips (fix domains, alert marks, report statuses),
so no legend sits over the bars.

Play and pause take Qt's standard media icons: "⏸" is missing from common UI fonts and
drew as an empty box (officer trial, session 3); the icons are drawn by the style.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cop_app.core.style import STATUS_LABELS, status_colour
from cop_app.core.timeutil import format_age, format_dtg, to_datetime
from cop_app.ui.panels import alert_rows as ar

SPEEDS: tuple[int, ...] = (1, 10, 60, 600, 3600)
FONT_PT = 11
# The state chip: (background, text). REPLAY is the warning: the picture is not "now".
# Both pairs read on the day and the night theme; the word carries the state as well.
MODE_COLOURS: dict[str, tuple[str, str]] = {
    "LIVE": ("#2E7D32", "#FFFFFF"),  # green: following the clock
    "REPLAY": ("#FFB300", "#000000"),  # amber warning: the map shows the past
}


class Transport(QWidget):
    def __init__(self, parent: QWidget | None = None, *,
                 domain_colours: dict[str, str] | None = None,
                 statuses: tuple[str, ...] = ()) -> None:  # fmt: skip
        super().__init__(parent)
        font = QFont()
        font.setPointSizeF(FONT_PT)
        self.setFont(font)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        row, key_row = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(row)
        rows.addLayout(key_row)
        self.live = _button("LIVE", "Cursor follows the clock", checkable=True)
        self.back = _button("◀ Step", "Cursor back one bin")
        self.play = _button("Play", "Replay from the cursor", checkable=True)
        self.play.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.forward = _button("Step ▶", "Cursor forward one bin")
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Replay speed")
        for s in SPEEDS:
            self.speed_box.addItem(f"{s}x", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(60))
        self.clear_window = _button("Clear window", "Show all times again (shift-drag brushes)")
        self.clear_window.setEnabled(False)
        bold = QFont(font)
        bold.setBold(True)
        self.mode = QLabel()
        self.mode.setFont(bold)
        self.dtg = QLabel()
        self.dtg.setFont(bold)
        self.age = QLabel()
        self.age.setToolTip("How long before the present the cursor is")
        self.key = QLabel(_key_html(domain_colours or {}, statuses))
        self.key.setToolTip(_status_key_html(statuses))
        # The key has a line of its own: with the status chips it is ~1000 px, more than
        # the header has beside the buttons at 1366 px. On a narrower screen it gives
        # way (cut at the right), not the window.
        self.key.setMinimumWidth(1)
        for w in (self.live, self.back, self.play, self.forward, self.speed_box):
            row.addWidget(w)
        row.addSpacing(12)
        for w in (self.mode, self.dtg, self.age):
            row.addWidget(w)
        row.addStretch(1)
        key_row.addWidget(self.key)
        key_row.addStretch(1)
        row.addWidget(self.clear_window)
        self.play.toggled.connect(self._show_playing)
        self._show_playing(False)

    def _show_playing(self, playing: bool) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaPause if playing
                else QStyle.StandardPixmap.SP_MediaPlay)  # fmt: skip
        self.play.setIcon(self.play.style().standardIcon(icon))
        self.play.setText("Pause" if playing else "Play")

    def speed(self) -> float:
        return float(self.speed_box.currentData())

    def set_speed(self, speed: float) -> None:
        self.speed_box.setCurrentIndex(SPEEDS.index(int(speed)))

    def show_time(self, t: float, *, live: bool, now: float | None = None) -> None:
        """The cursor as a DTG (UX.md ``DDHHMMZMONYY``), the state chip and, in replay,
        the age; the ISO time with seconds stays in the tooltip."""
        mode = "LIVE" if live else "REPLAY"
        if self.mode.text() != mode:
            bg, fg = MODE_COLOURS[mode]
            self.mode.setText(mode)
            self.mode.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; "
                                    "padding: 1px 8px; border-radius: 3px; }")  # fmt: skip
            self.mode.setToolTip("The cursor follows the clock" if live else
                                 "Replaying: the map shows the picture at the cursor")  # fmt: skip
        self.dtg.setText(format_dtg(t))
        self.dtg.setToolTip(f"Time at the cursor: {to_datetime(t):%Y-%m-%d %H:%M:%S}Z (UTC)")
        self.age.setText("" if live or now is None else format_age(now - t))

    def set_night(self, night: bool) -> None:
        """Nothing of its own to recolour: the window's theme styles the buttons, and the
        chip and key colours read on both themes."""


# The alert marks along the top of the fixes strip (timeline.view draws them with
# alert_rows' severity shapes): the same shapes as text, in the severity colours.
ALERT_GLYPHS = {"critical": "&#9733;", "high": "&#9660;", "medium": "&#9670;",
                "low": "&#9679;"}  # ★ ▼ ◆ ●  # fmt: skip


def _key_html(colours: dict[str, str], statuses: tuple[str, ...] = ()) -> str:
    """``fixes ■ AIR ■ SEA · ★▼◆● alert · reports ■ Reported ■ Triaged …``: what each
    colour and mark in the strips means, in one line (officer trial: the alert diamonds
    had no key and the status colours were only in a tooltip)."""
    if not colours:
        return ""
    gap = "&nbsp;&nbsp;·&nbsp;&nbsp;"
    swatches = "&nbsp;&nbsp;".join(_chip(c, name.upper()) for name, c in colours.items())
    marks = "".join(f'<span style="color:{ar.SEVERITY_COLOURS[s]}">{g}</span>'
                    for s, g in ALERT_GLYPHS.items())  # fmt: skip
    chips = "&nbsp;&nbsp;".join(_chip(status_colour(s), STATUS_LABELS[s].lower())
                                for s in STATUS_LABELS if s in statuses)  # workflow order
    reports = f"reports&nbsp;{chips}" if chips else "reports by status"
    return f"fixes&nbsp;{swatches}{gap}{marks}&nbsp;alert{gap}{reports}"


def _chip(colour: str, words: str) -> str:
    """A coloured square and its words, kept together on one line."""
    return (f'<span style="color:{colour}">&#9632;</span>&nbsp;'
            f"{escape(words).replace(' ', '&nbsp;')}")


def _status_key_html(statuses: tuple[str, ...]) -> str:
    rows = "".join(
        f'<tr><td style="color:{status_colour(s)}">&#9632;</td>'
        f"<td>{escape(STATUS_LABELS.get(s, s))}</td></tr>" for s in statuses)  # fmt: skip
    alerts = ", ".join(f"{g} {s}" for s, g in ALERT_GLYPHS.items())
    return ("Report bars are coloured by verification status, as on the map and in the "
            f"Reports table; marker shape is the event type.<table>{rows}</table>"
            f"Alerts are marked along the top of the fixes strip by severity: {alerts}.")


def _button(text: str, tip: str, *, checkable: bool = False) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setCheckable(checkable)
    return b
