"""Reports: land reports with status, type, time (UTC and DTG), MGRS, reliability and
credibility; filters by status and type; the time-window brush filters them too.

A verifier moves a report one step through the API (POST /v1/reports/{id}/transitions)
with a rationale. The panel offers only what the API will accept: the targets come
from ``cop_app.core.verification.allowed_next`` and the action shows only for a token
whose roles (GET /v1/me) include ``verifier``. A viewer is never offered it.

Replaying, the status column, its colour and the status filter are the status each
report had at the cursor (``LandReport.status_at``): a report verified this morning
reads "reported" at yesterday's cursor. The change action is then disabled ("back to
live to change status"): a transition is an act of now, taken from the latest status,
which the replayed table is not showing, and its result would not show at the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cop_app.core.entities import LandReport
from cop_app.core.enums import EventType
from cop_app.core.geo import to_mgrs
from cop_app.core.style import HIDDEN_BY_DEFAULT, status_colour
from cop_app.core.timeutil import format_dtg, format_iso
from cop_app.core.verification import VerificationStatus, allowed_next
from cop_app.ui.hub import Hub
from cop_app.ui.panels._table import ColumnsModel, Index, select_row_in_place
from cop_app.ui.panels.chips import CHIP_ROLE, ChipDelegate
from cop_app.ui.panels.readout import event_label
from cop_app.ui.workers import run_task

COLUMNS = ("Report", "Status", "Event type", "Time (UTC)", "DTG", "Location (MGRS)",
           "Rel/Cred", "Title")  # fmt: skip
# Display order (logical column indices): DTG, Status, Event type, Title, Location,
# Rel/Cred, Report id, Time (UTC).
VISUAL_ORDER = (4, 1, 2, 7, 5, 6, 0, 3)
# Short enough to read whole in the combo (the long form, "Active (hide rejected,
# retracted, superseded)", was cut to "Active (hide rejec…" in the trial); the tooltip
# says what it hides.
ACTIVE = "Active reports"
ACTIVE_TIP = ("Which reports to list by status. Active reports: rejected, retracted and "
              "superseded ones are hidden")
ALL = "All statuses"
ALL_TYPES = "All event types"
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
VERIFY_TIP = "Move the selected report to an allowed next status (verifier)"
REPLAY_TIP = ("Back to live to change status: replay shows each report's status at the "
              "cursor, and a change is made from its latest status")
# Posts a transition; returns the report record the server answers with.
TransitionFn = Callable[[str, VerificationStatus, str], dict[str, Any]]


def status_label(status: VerificationStatus) -> str:
    return status.value.replace("_", " ")


def location(rep: LandReport) -> str:
    if not rep.has_position:
        return ""
    try:
        return to_mgrs(float(rep.lat), float(rep.lon))  # type: ignore[arg-type]
    except Exception:  # outside MGRS bands
        return f"{rep.lat:.5f}, {rep.lon:.5f}"


class ReportsModel(ColumnsModel):
    columns = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports: list[LandReport] = []
        self.at: float | None = None  # replay cursor the statuses are read at; None: live

    def set_reports(self, reports: list[LandReport], at: float | None = None) -> None:
        self.beginResetModel()
        self.reports = reports
        self.at = at
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.reports)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rep, c = self.reports[index.row()], index.column()
        status = rep.status_at(self.at)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(rep, c, status)
        if role == SORT_ROLE:
            return (rep.time or 0.0) if c in (3, 4) else self._text(rep, c, status)
        if role == CHIP_ROLE and c == 1:  # a chip at night, a fill by day (chips.py)
            return status_colour(status.value)
        if role == Qt.ItemDataRole.FontRole and status.value in HIDDEN_BY_DEFAULT:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == 1 and self.at is not None:
                return (f"{status_label(status)} at {format_dtg(self.at)}; "
                        f"now {status_label(rep.status)}")
            return rep.text or rep.title
        return None

    @staticmethod
    def _text(rep: LandReport, c: int, status: VerificationStatus) -> str:
        if c == 0:
            return rep.id
        if c == 1:
            return status_label(status)
        if c == 2:
            return event_label(rep.event_type)
        if c == 3:
            return format_iso(rep.time) if rep.time is not None else ""
        if c == 4:
            return format_dtg(rep.time) if rep.time is not None else ""
        if c == 5:
            return location(rep)
        if c == 6:
            return f"{rep.reliability or '-'}{rep.credibility or '-'}"
        return rep.title


class TransitionDialog(QDialog):
    """Pick one allowed next status and say why (the rationale goes in the trail)."""

    def __init__(self, report: LandReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Change status of {report.id}")
        self.target = QComboBox(self)
        for status in allowed_next(report.status):
            self.target.addItem(status_label(status), status)
        self.rationale = QPlainTextEdit(self)
        self.rationale.setPlaceholderText("Rationale (required; kept in the audited trail)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)  # fmt: skip
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.rationale.textChanged.connect(
            lambda: self.ok.setEnabled(bool(self.rationale.toPlainText().strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("From", QLabel(status_label(report.status)))
        form.addRow("To", self.target)
        form.addRow("Rationale", self.rationale)
        form.addRow(buttons)

    def choice(self) -> tuple[VerificationStatus, str]:
        return self.target.currentData(), self.rationale.toPlainText().strip()


class ReportsPanel(QWidget):
    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.roles: frozenset[str] = frozenset()
        self.post_transition: TransitionFn | None = None
        self.model = ReportsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.status = QComboBox(self)
        self.status.addItems([ACTIVE, ALL, *(status_label(s) for s in VerificationStatus)])
        self.status.setItemData(0, ACTIVE_TIP, Qt.ItemDataRole.ToolTipRole)
        self.status.setToolTip(ACTIVE_TIP)
        self.etype = QComboBox(self)
        self.etype.addItem(ALL_TYPES, "")
        for e in EventType:
            self.etype.addItem(event_label(e), e.value)
        for combo in (self.status, self.etype):  # narrow docks: do not size to the longest
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status.setMinimumContentsLength(len(ACTIVE))  # the default reads whole
        self.etype.setMinimumContentsLength(10)
        self.action = QPushButton("Change status…", self)
        self.action.setToolTip(VERIFY_TIP)
        self.action.setVisible(False)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # ids keep both ends
        self.table.setItemDelegateForColumn(1, ChipDelegate(self.table))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # What an officer reads first, first: when, how far verified, what, where; the
        # id and the ISO time (the DTG's tooltip twin) last, off to the right.
        for visual, logical in enumerate(VISUAL_ORDER):
            header.moveSection(header.visualIndex(logical), visual)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.etype, 1)
        top.addWidget(self.action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        # The replay cursor: at 3600x it moves every tick; one refresh per 250 ms at
        # most (the timer is not restarted, so a steady stream cannot starve it), and
        # the rows are only rebuilt when the set shown changes.
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.setInterval(250)
        self._cursor_timer.timeout.connect(lambda: self.refresh(only_if_changed=True))
        self._selecting = False
        self.status.currentTextChanged.connect(lambda _: self.refresh())
        self.etype.currentTextChanged.connect(lambda _: self.refresh())
        self.action.clicked.connect(self.open_transition)
        self.table.selectionModel().selectionChanged.connect(self._rows_selected)
        hub.pictureChanged.connect(lambda ch: ch.reports and self._timer.start())
        hub.windowChanged.connect(lambda _w: self.refresh())
        hub.liveChanged.connect(lambda _live: self.refresh())
        hub.cursorChanged.connect(self._cursor_moved)
        hub.selectionChanged.connect(self._show_selection)
        self.refresh()

    def _cursor_moved(self, _t: float) -> None:
        # Replaying, the statuses follow the cursor even when a brushed window fixes
        # the set of reports.
        if not self.hub.live and not self._cursor_timer.isActive():
            self._cursor_timer.start()

    def status_time(self) -> float | None:
        """When the statuses shown are read: the replay cursor; None live (the latest)."""
        return None if self.hub.live else self.hub.cursor

    # ---- content ---------------------------------------------------------------------
    def time_range(self) -> tuple[float | None, float | None]:
        """As the map's report layer (ReportLayer.time_range): the brushed window wins;
        replaying lists what was known up to the cursor; live lists everything."""
        if self.hub.window is not None:
            return self.hub.window
        if self.hub.live:
            return None, None
        return None, self.hub.cursor

    def refresh(self, only_if_changed: bool = False) -> None:
        picture = self.hub.picture
        start, end = self.time_range()
        with picture.lock:
            reps = (picture.reports() if start is None and end is None
                    else picture.reports_in(start=start, end=end))  # fmt: skip
        at = self.status_time()
        choice = self.status.currentText()
        if choice == ACTIVE:
            reps = [r for r in reps if r.status_at(at).value not in HIDDEN_BY_DEFAULT]
        elif choice != ALL:
            reps = [r for r in reps if status_label(r.status_at(at)) == choice]
        if self.etype.currentData():
            reps = [r for r in reps if r.event_type.value == self.etype.currentData()]
        if only_if_changed and [(r.id, r.status_at(at)) for r in reps] == [
                (r.id, r.status_at(self.model.at)) for r in self.model.reports]:  # fmt: skip
            self.model.at = at  # same rows, same statuses: keep scroll and selection
            return
        self.model.set_reports(reps, at)
        self._show_selection(self.hub.selection)

    def shown_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    # ---- selection ---------------------------------------------------------------------
    def selected_report(self) -> LandReport | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.reports[self.proxy.mapToSource(rows[0]).row()]

    def _rows_selected(self, *_: object) -> None:
        self._update_action()
        if self._selecting:
            return
        rep = self.selected_report()
        if rep is not None:
            self.hub.select({rep.id})

    def select_id(self, report_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data() == report_id:
                select_row_in_place(self.table, r)
                return True
        return False

    def _show_selection(self, ids: frozenset[str]) -> None:
        self._selecting = True
        try:
            sm = self.table.selectionModel()
            sm.clearSelection()
            for r in range(self.proxy.rowCount()):
                if self.proxy.index(r, 0).data() in ids:
                    select_row_in_place(self.table, r)
                    break
        finally:
            self._selecting = False
        self._update_action()

    # ---- verification ------------------------------------------------------------------
    def set_roles(self, roles: frozenset[str] | set[str] | list[str]) -> None:
        self.roles = frozenset(roles)
        self._update_action()

    @property
    def can_verify(self) -> bool:
        return ("verifier" in self.roles or "admin" in self.roles) and (
            self.post_transition is not None)

    def offered_transitions(self, report: LandReport | None = None) -> tuple:
        """What the panel offers for ``report`` (the selection by default): nothing
        unless the user may verify and the view is live (replay: see the module
        docstring), else exactly the API's allowed next states from the latest status."""
        report = report or self.selected_report()
        if report is None or not self.can_verify or not self.hub.live:
            return ()
        return allowed_next(report.status)

    def _update_action(self) -> None:
        self.action.setVisible(self.can_verify)
        self.action.setEnabled(bool(self.offered_transitions()))
        self.action.setToolTip(VERIFY_TIP if self.hub.live else REPLAY_TIP)

    def open_transition(self) -> None:
        rep = self.selected_report()
        if rep is None or not self.offered_transitions(rep):
            return
        dialog = TransitionDialog(rep, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            to, why = dialog.choice()
            self.transition(rep.id, to, why)

    def transition(self, report_id: str, to: VerificationStatus, rationale: str):
        """Post one step off the UI thread; the answer updates the picture at once
        (the changes stream brings the same record again, a harmless replay)."""
        post = self.post_transition
        if post is None or not self.can_verify:
            raise PermissionError("this token may not change a report's status")
        self.message.setText(f"Moving {report_id} to {status_label(to)}…")
        return run_task(lambda _state: post(report_id, to, rationale), parent=self,
                        name="transition", on_done=self._transition_done,
                        on_error=self._transition_failed)  # fmt: skip

    def _transition_done(self, record: dict[str, Any]) -> None:
        from cop_app.api.records import apply_report

        with self.hub.picture.lock:
            apply_report(self.hub.picture, record)
        self.message.setText(f"{record.get('id')} is now "
                             f"{str(record.get('status', '')).replace('_', ' ')}")  # fmt: skip
        self.refresh()

    def _transition_failed(self, error: str) -> None:
        self.message.setText(f"Status not changed: {error}")
