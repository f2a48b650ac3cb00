"""Alerts: the list the API serves (GET /v1/alerts, kept by the Syncer); the Alerts
issue adds the rules. Severity is spelled out, never colour alone (UX.md)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cop_app.api.records import wire_time
from cop_app.core.timeutil import format_dtg
from cop_app.ui.hub import Hub

COLUMNS = ("Time", "Severity", "Rule", "Subject", "State", "Message")
SEVERITY_COLOURS = {"critical": "#E53935", "high": "#FF8C00", "medium": "#FFC107",
                    "low": "#9E9E9E"}  # fmt: skip


class AlertsPanel(QWidget):
    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel("No alerts.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.table.itemSelectionChanged.connect(self._selected)
        self._subjects: list[str] = []

    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        rows = sorted(alerts, key=lambda a: wire_time(a.get("time")) or 0.0, reverse=True)
        self.table.setRowCount(len(rows))
        self._subjects = []
        for r, a in enumerate(rows):
            t = wire_time(a.get("time"))
            sev = str(a.get("severity", ""))
            values = (format_dtg(t) if t is not None else "", sev.upper(), a.get("rule", ""),
                      a.get("subject", ""), a.get("state", ""), a.get("message", ""))  # fmt: skip
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c == 1 and sev in SEVERITY_COLOURS:
                    item.setBackground(QColor(SEVERITY_COLOURS[sev]))
                    item.setForeground(QColor("#111111"))
                self.table.setItem(r, c, item)
            self._subjects.append(str(a.get("subject", "")))
        open_ = sum(1 for a in rows if a.get("state") in ("new", None))
        self.summary.setText(f"{len(rows)} alerts, {open_} new" if rows else "No alerts.")

    def _selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        subjects = {self._subjects[r] for r in rows if self._subjects[r]}
        if subjects:
            self.hub.select(subjects)

    def rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(len(COLUMNS))]
                for r in range(self.table.rowCount())]  # fmt: skip



