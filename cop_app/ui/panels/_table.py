"""What the panels' tables share: fixed named columns, a flat row count, and selecting
a row without scrolling the table sideways."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

Index = QModelIndex | QPersistentModelIndex


class ColumnsModel(QAbstractTableModel):
    columns: tuple[str, ...] = ()

    def row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None


def select_row_in_place(table: QTableView, row: int, scroll: bool = True) -> None:
    """Select ``row`` and, with ``scroll``, bring it into view vertically only.

    ``scrollTo`` a cell scrolls sideways to that cell's column as well: the Reports
    table scrolled to its id column (far right) on every selection, and DTG, status,
    type and title went off-screen (officer trial, session 3). The officer's
    horizontal position is kept whatever selectRow and scrollTo do to it."""
    bar = table.horizontalScrollBar()
    x = bar.value()
    table.selectRow(row)
    if scroll:
        column = max(table.horizontalHeader().logicalIndexAt(0), 0)  # leftmost in view
        table.scrollTo(table.model().index(row, column))
    bar.setValue(x)
