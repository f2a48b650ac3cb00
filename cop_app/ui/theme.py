"""Night and day themes for a watch floor (UX.md, "Screens").

Night is a dark grey (not black: pure black next to lit symbols tires the eye and
smears on LCDs) with no large white areas; day is a light grey that survives a sunlit
room. Every text is at least 11 pt so a status bar reads from 2 m on a 24-inch screen.
Verification-status colours come from ``cop_app.core.style`` (one palette everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

MIN_POINT_SIZE = 11


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    alt_base: str
    text: str
    dim_text: str
    highlight: str
    highlight_text: str
    button: str
    map_background: str
    banner_offline: str
    banner_text: str
    banner_replay: str  # replay / time filter: not the amber of "offline"
    banner_replay_text: str

    @property
    def is_night(self) -> bool:
        return self.name == "night"


NIGHT = Theme(
    name="night", window="#2B2D30", base="#232527", alt_base="#2A2C2F", text="#D6D6D6",
    dim_text="#9A9A9A", highlight="#3D6A99", highlight_text="#FFFFFF", button="#3A3D41",
    map_background="#1F2A33", banner_offline="#8A5A00", banner_text="#FFE9B0",
    banner_replay="#4A3A80", banner_replay_text="#EDE7FF",
)  # fmt: skip
DAY = Theme(
    name="day", window="#ECECEC", base="#FAFAFA", alt_base="#F0F0F0", text="#111111",
    dim_text="#555555", highlight="#2F6DB5", highlight_text="#FFFFFF", button="#E0E0E0",
    map_background="#CFE3F0", banner_offline="#FFB300", banner_text="#1A1A1A",
    banner_replay="#6A4FC8", banner_replay_text="#FFFFFF",
)  # fmt: skip
THEMES = {t.name: t for t in (NIGHT, DAY)}


def theme_named(name: str | None) -> Theme:
    return THEMES.get(name or "", NIGHT)


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Palette plus a small style sheet; Fusion so the palette is honoured on every OS."""
    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alt_base,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.button,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: theme.highlight_text,
        QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.dim_text,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.dim_text))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                 QColor(theme.dim_text))  # fmt: skip
    app.setPalette(pal)
    font = QFont(app.font())
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme))


def style_sheet(theme: Theme) -> str:
    return f"""
    QWidget {{ font-size: {MIN_POINT_SIZE}pt; }}
    QStatusBar QLabel {{ font-size: 12pt; padding: 0 8px; }}
    QStatusBar QLabel#clock {{ font-weight: bold; font-family: monospace; }}
    QLabel#banner {{ background: {theme.banner_offline}; color: {theme.banner_text};
                     font-size: 13pt; font-weight: bold; padding: 4px 10px; }}
    QLabel#mode {{ background: {theme.banner_replay}; color: {theme.banner_replay_text};
                   font-size: 13pt; font-weight: bold; padding: 4px 10px; }}
    QHeaderView::section {{ background: {theme.button}; color: {theme.text};
                            padding: 3px; border: 0; border-right: 1px solid {theme.window}; }}
    QDockWidget::title {{ background: {theme.button}; padding: 4px; }}
    QToolTip {{ background: {theme.base}; color: {theme.text};
               border: 1px solid {theme.dim_text}; }}
    """
