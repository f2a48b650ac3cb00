"""A status or severity cell drawn as a small coloured chip beside its words.

Why not a cell fill: at night a column of bright fills (luminance ~150 on a ~55
background) is the brightest thing on the screen and dazzles a dark-adapted eye
(UX.md: no large bright areas at night). The chip keeps the colour cue, the words keep
the meaning for colour-blind officers. The day theme keeps the whole-cell fill, which
scans faster in a lit room. Night or day is read from the palette the cell is drawn
with, so the panels follow the theme without being told.

The chip is the item's decoration (the icon slot), so the style lays out, sizes and
selects the cell as it does any other.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

CHIP_ROLE = Qt.ItemDataRole.UserRole + 20  # the cell's colour as "#RRGGBB"
CHIP_PX = 12
DARK_TEXT = "#111111"


def is_night(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@cache
def chip_icon(colour: str) -> QIcon:
    pix = QPixmap(CHIP_PX * 2, CHIP_PX * 2)  # drawn at 2x: sharp on high-dpi screens
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(0, 0, 0, 170))
    p.setBrush(QColor(colour))
    p.drawRoundedRect(QRectF(1, 1, CHIP_PX * 2 - 2, CHIP_PX * 2 - 2), 5, 5)
    p.end()
    pix.setDevicePixelRatio(2.0)
    return QIcon(pix)


class ChipDelegate(QStyledItemDelegate):
    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        super().initStyleOption(option, index)
        colour = index.data(CHIP_ROLE)
        if not colour:
            return
        if is_night(option.palette):
            option.icon = chip_icon(str(colour))
            option.decorationSize = QSize(CHIP_PX, CHIP_PX)
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
        else:
            option.backgroundBrush = QBrush(QColor(str(colour)))
            option.palette.setColor(QPalette.ColorRole.Text, QColor(DARK_TEXT))


class ElideRightDelegate(QStyledItemDelegate):
    """Sentences (an alert's message) keep their start; ids elsewhere elide in the
    middle (the view's mode)."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight
