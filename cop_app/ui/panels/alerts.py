"""The Alerts dock: the alerts the server raised (GET /v1/alerts, kept by the Syncer),
sorted and filtered, acknowledged or snoozed through the API, with who did it and when
from the server's own trail, so every station reads the same audit.

The acknowledgement goes to the server in a worker (``run_task``); the row changes
when the server's answer (and, for other stations, the change stream) comes back, never
optimistically: what the officer reads is what the server recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cop_app.api.records import wire_time
from cop_app.core.timeutil import format_age, format_dtg, format_iso, now
from cop_app.ui.hub import Hub
from cop_app.ui.panels import alert_rows as ar
from cop_app.ui.panels._table import select_row_in_place
from cop_app.ui.panels.chips import CHIP_ROLE, ChipDelegate, ElideRightDelegate
from cop_app.ui.panels.readout import message_text, rule_text
from cop_app.ui.workers import run_task

# Model (logical) columns; rows() reads them in this order.
COLUMNS = ("Time", "Severity", "Rule", "Subject", "State", "Acknowledged", "Message")
# What the officer sees left to right (trial finding 7): how bad, who, what happened
# ("Alert": the message, a log line that says who did what where), so all three are in
# view at the default dock width (~400 px); then when (a whole DTG), state and who
# acknowledged. The list is newest first and the selected alert reads in full, DTG and
# rule words included, under the table. The bare Rule column is hidden: the message's
# verb says what happened ("entered", "lost in", "squawking 7700 EMERGENCY"), the rule
# filter and the full text below name the rule.
VISUAL_ORDER = ("Severity", "Subject", "Message", "Time", "State", "Acknowledged", "Rule")
HEADERS = {"Message": "Alert"}
TRAIL_MAX_PX = 130  # the selected alert's full text, at most ~6 lines before it scrolls
SUBJECT_MAX_PX = 110  # a long name elides in the middle; the tooltip has the full id
MESSAGE_MAX_PX = 320
GOTO_SPAN_KM = 25.0  # "Go to": the subject with its surroundings (zone edge, towns)
SEVERITY_COLOURS = ar.SEVERITY_COLOURS
STATE_CHOICES = (("Open", "open"), ("All", "all"), ("New", "new"),
                 ("Acknowledged", "acknowledged"), ("Snoozed", "snoozed"),
                 ("Cleared", "cleared"))  # fmt: skip
SCOPES = (("This alert", "alert"), ("This track and rule", "subject"), ("Whole rule", "rule"))
SORT_KEY = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

PostAck = Callable[[str, dict[str, Any]], dict[str, Any]]


class _Item(QTableWidgetItem):
    """Sorts by its key (time as a number, severity by rank), not by the text shown."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        a, b = self.data(SORT_KEY), other.data(SORT_KEY)
        if a is not None and b is not None and type(a) is type(b):
            return a < b
        return super().__lt__(other)


class AlertsPanel(QWidget):
    countChanged = Signal(int, int)  # alerts needing attention (new), open alerts
    alertsUpdated = Signal(object)  # list of every alert record held (map, timeline)
    message = Signal(str)

    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.post_ack: PostAck | None = None  # set by the window when connected
        self.sound = False  # audible cue for new high/critical alerts (off by default)
        self.beep: Callable[[], None] = QApplication.beep
        self.beeps = 0
        self.alerts: dict[str, dict[str, Any]] = {}
        self.filter = ar.AlertFilter()
        self._seen: set[str] = set()
        self._first = True
        self._tasks: list[Any] = []
        self._build()

    # ---- construction --------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel("No alerts.", self)
        self.state_box = QComboBox(self)
        for text, value in STATE_CHOICES:
            self.state_box.addItem(text, value)
        self.severity_box = QComboBox(self)
        self.severity_box.addItem("Any severity", "")
        for name in ar.SEVERITIES:
            self.severity_box.addItem(f"{name.upper()} and above", name)
        self.rule_box = QComboBox(self)
        self.rule_box.addItem("Any rule", "")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter: subject, rule, message…")
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()  # narrow rows: the dock shares the right side with the map
        for w in (self.state_box, self.severity_box, self.rule_box):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(6)
            filters.addWidget(w, 1)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([HEADERS.get(c, c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # ids keep both ends
        self.table.setItemDelegateForColumn(COLUMNS.index("Severity"),
                                            ChipDelegate(self.table))  # fmt: skip
        self.table.setItemDelegateForColumn(COLUMNS.index("Message"),
                                            ElideRightDelegate(self.table))  # fmt: skip
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for visual, name in enumerate(VISUAL_ORDER):
            header.moveSection(header.visualIndex(COLUMNS.index(name)), visual)
        header.setSectionHidden(COLUMNS.index("Rule"), True)
        header.setStretchLastSection(True)
        self._sized = False
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

        self.note = QLineEdit(self)
        self.note.setPlaceholderText("Note (goes into the audit trail)")
        self.ack_button = QPushButton("Acknowledge", self)
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, 7 * 24 * 60)
        self.minutes.setValue(30)
        self.minutes.setSuffix(" min")
        self.scope_box = QComboBox(self)
        for text, value in SCOPES:
            self.scope_box.addItem(text, value)
        self.snooze_button = QPushButton("Snooze", self)
        self.goto_button = QPushButton("Go to", self)
        self.sound_box = QCheckBox("Sound for high/critical", self)
        self.sound_box.setToolTip("Beep when a new HIGH or CRITICAL alert arrives "
                                  "(the row, the map ring and the badge show it anyway)")
        self.scope_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scope_box.setMinimumContentsLength(8)
        actions = QHBoxLayout()
        actions.addWidget(self.ack_button)
        actions.addWidget(self.goto_button)
        actions.addStretch(1)
        actions.addWidget(self.sound_box)
        snooze = QHBoxLayout()
        snooze.addWidget(self.snooze_button)
        snooze.addWidget(self.minutes)
        snooze.addWidget(self.scope_box, 1)
        self.trail = QLabel("", self)
        self.trail.setWordWrap(True)
        self.trail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addLayout(actions)
        layout.addLayout(snooze)
        # The selected alert in full scrolls in a bounded area: on a 768-px laptop it
        # took the dock and left the list a row and a half.
        trail_area = QScrollArea(self)
        trail_area.setWidget(self.trail)
        trail_area.setWidgetResizable(True)
        trail_area.setFrameShape(QFrame.Shape.NoFrame)
        trail_area.setMaximumHeight(TRAIL_MAX_PX)
        self.trail_area = trail_area
        layout.addWidget(trail_area)

        for box in (self.state_box, self.severity_box, self.rule_box):
            box.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._filter_changed)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.cellDoubleClicked.connect(lambda *_: self.go_to_selected())
        self.ack_button.clicked.connect(lambda: self.acknowledge())
        self.snooze_button.clicked.connect(lambda: self.snooze())
        self.goto_button.clicked.connect(lambda: self.go_to_selected())
        self.sound_box.toggled.connect(lambda on: setattr(self, "sound", on))
        self._enable()

    def set_post_ack(self, post: PostAck | None) -> None:
        """How to reach the server (None: not connected; the buttons are off)."""
        self.post_ack = post
        self._enable()

    # ---- data in -------------------------------------------------------------------
    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """The Syncer's whole alert set (every change replaces it)."""
        self.alerts = {str(a.get("id")): a for a in alerts}
        self._updated()

    def merge(self, record: dict[str, Any]) -> None:
        """One alert as the server returned it (the answer to our own POST)."""
        if record.get("id"):
            old = self.alerts.get(str(record["id"]))
            if old is None or int(record.get("version", 0)) >= int(old.get("version", 0)):
                self.alerts[str(record["id"])] = record
                self._updated()

    def _updated(self) -> None:
        self._cue()
        self._fill_rules()
        self.refresh()
        values = list(self.alerts.values())
        new = sum(1 for a in values if ar.needs_attention(a))
        self.countChanged.emit(new, sum(1 for a in values if ar.is_open(a)))
        self.alertsUpdated.emit(values)

    def _cue(self) -> None:
        """One beep per batch with a new HIGH/CRITICAL alert; not for what was already
        there when the dock first filled (a reconnect is not an alarm)."""
        fresh = [a for i, a in self.alerts.items() if i not in self._seen]
        self._seen.update(self.alerts)
        first, self._first = self._first, False
        if first or not self.sound:
            return
        if any(ar.needs_attention(a) and ar.severity(a) in ar.LOUD for a in fresh):
            self.beeps += 1
            self.beep()

    def _fill_rules(self) -> None:
        rules = sorted({str(a.get("rule", "")) for a in self.alerts.values()} - {""})
        have = [self.rule_box.itemData(i) for i in range(1, self.rule_box.count())]
        if rules != have:
            current = self.rule_box.currentData()
            self.rule_box.blockSignals(True)
            self.rule_box.clear()
            self.rule_box.addItem("Any rule", "")
            for r in rules:
                self.rule_box.addItem(rule_text(r), r)
            self.rule_box.setCurrentIndex(max(0, self.rule_box.findData(current)))
            self.rule_box.blockSignals(False)

    def _filter_changed(self, *_: Any) -> None:
        self.filter = ar.AlertFilter(state=self.state_box.currentData() or "",
                                     severity=self.severity_box.currentData() or "",
                                     rule=self.rule_box.currentData() or "",
                                     text=self.search.text().strip(),
                                     shown=self._shown_text)  # fmt: skip
        self.refresh()

    # ---- table ---------------------------------------------------------------------
    def refresh(self) -> None:
        selected = set(self.selected_ids())
        rows = [a for a in self.alerts.values() if self.filter.accepts(a)]
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        clock = now()
        for r, a in enumerate(rows):
            t = wire_time(a.get("time"))
            sev = ar.severity(a)
            subject = str(a.get("subject") or "")
            # The message is a whole log line (who, what, where: core/rules/wording.py);
            # the rule's words are their own column, not a prefix said twice.
            message = message_text(a.get("message"))
            cells = ((format_dtg(t) if t is not None else "", t or 0.0,
                      f"{format_iso(t)} ({format_age(clock - t)})" if t is not None else ""),
                     (sev.upper(), ar.SEVERITY_RANK.get(sev, 0), None),
                     (rule_text(a.get("rule")), None, str(a.get("rule") or "")),
                     (ar.subject_text(self.hub.picture, subject), None, subject),
                     (a.get("state", ""), None, None), (ar.who_text(a), None, None),
                     (message, None, message))  # fmt: skip
            for c, (text, key, tip) in enumerate(cells):
                item = _Item(str(text))
                item.setData(ID_ROLE, str(a.get("id")))
                if key is not None:
                    item.setData(SORT_KEY, key)
                if tip:
                    item.setToolTip(tip)
                if c == 1 and sev in SEVERITY_COLOURS:  # a chip at night, a fill by day
                    item.setData(CHIP_ROLE, SEVERITY_COLOURS[sev])
                table.setItem(r, c, item)
        table.setSortingEnabled(True)
        if rows and not self._sized:  # once: later the officer's own widths stay
            self._sized = True
            self.size_columns()
        table.blockSignals(True)
        for r in range(table.rowCount()):
            if table.item(r, 0).data(ID_ROLE) in selected:
                select_row_in_place(table, r, scroll=False)
        table.blockSignals(False)
        values = list(self.alerts.values())
        new = sum(1 for a in values if ar.needs_attention(a))
        opened = sum(1 for a in values if ar.is_open(a))
        self.summary.setText(f"{len(rows)} shown of {len(values)} · {opened} open · {new} new"
                             if values else "No alerts.")  # fmt: skip
        self._show_trail()
        self._enable()

    def size_columns(self) -> None:
        """Severity and time whole, the subject capped (it elides in the middle), the
        alert text as long as it is (it scrolls; the selected one reads in full below)."""
        t = self.table
        for name in ("Severity", "Time", "State", "Acknowledged"):
            t.resizeColumnToContents(COLUMNS.index(name))
        for name, cap in (("Subject", SUBJECT_MAX_PX), ("Message", MESSAGE_MAX_PX)):
            c = COLUMNS.index(name)
            t.resizeColumnToContents(c)
            t.setColumnWidth(c, min(t.columnWidth(c), cap))

    def rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(len(COLUMNS))]
                for r in range(self.table.rowCount())]  # fmt: skip

    def row_of(self, alert_id: str) -> int | None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(ID_ROLE) == alert_id:
                return r
        return None

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).data(ID_ROLE) for r in rows if self.table.item(r, 0)]

    def select_alert(self, alert_id: str) -> bool:
        r = self.row_of(alert_id)
        if r is None:
            return False
        select_row_in_place(self.table, r)
        return True

    def _selected(self) -> None:
        subjects = {str(self.alerts[i].get("subject") or "") for i in self.selected_ids()
                    if i in self.alerts} - {""}  # fmt: skip
        if subjects:
            self.hub.select(subjects)
        self._show_trail()
        self._enable()

    def _shown_text(self, alert: dict[str, Any]) -> str:
        """What the row shows, for the search box (callsign, rule and message in words)."""
        return " ".join((ar.subject_text(self.hub.picture, str(alert.get("subject") or "")),
                         rule_text(alert.get("rule")), message_text(alert.get("message"))))

    def _show_trail(self) -> None:
        """The selected alert in full under the table (the row elides): what, then who
        did what and when."""
        ids = self.selected_ids()
        a = self.alerts.get(ids[0]) if len(ids) == 1 else None
        if not a:
            self.trail.setText("")
            return
        subject = str(a.get("subject") or "")
        name = ar.subject_text(self.hub.picture, subject)
        who = name if name == subject else f"{name} ({subject})"
        t = wire_time(a.get("time"))
        when = f"{format_dtg(t)} · " if t is not None else ""
        head = f"{when}{ar.severity(a).upper()} · {rule_text(a.get('rule'))} · {who}\n" \
               f"{message_text(a.get('message'))}"
        trail = ar.trail_text(a)
        self.trail.setText(f"{head}\n{trail}" if trail else head)

    def _enable(self) -> None:
        can = self.post_ack is not None and bool(self.selected_ids())
        self.ack_button.setEnabled(can)
        self.snooze_button.setEnabled(can)
        self.goto_button.setEnabled(bool(self.selected_ids()))

    # ---- actions -------------------------------------------------------------------
    def go_to_selected(self) -> bool:
        """Select the subject and centre the map on where it is now (else where the
        alert was raised)."""
        ids = [i for i in self.selected_ids() if i in self.alerts]
        if not ids:
            return False
        a = self.alerts[ids[0]]
        subject = str(a.get("subject") or "")
        if subject:
            self.hub.select({subject})
        pos = ar.subject_position(self.hub.picture, subject) or ar.alert_position(a)
        if pos is None:
            return False
        self.hub.focus(*pos, span_km=GOTO_SPAN_KM)  # a working span round the subject
        return True

    def acknowledge(self, scope: str = "alert") -> list[Any]:
        return self._post({"action": "ack", "scope": scope, "note": self.note.text().strip()})

    def snooze(self, minutes: float | None = None, scope: str | None = None) -> list[Any]:
        return self._post({"action": "snooze", "scope": scope or self.scope_box.currentData(),
                           "minutes": float(minutes or self.minutes.value()),
                           "note": self.note.text().strip()})  # fmt: skip

    def _post(self, body: dict[str, Any]) -> list[Any]:
        post = self.post_ack
        ids = self.selected_ids()
        if post is None or not ids:
            return []
        if body["scope"] == "rule":  # one request acts on the whole rule
            rules: dict[str, str] = {}
            for i in ids:
                rules.setdefault(str(self.alerts.get(i, {}).get("rule")), i)
            ids = list(rules.values())
        runners = []
        for alert_id in ids:
            runners.append(run_task(lambda _s, i=alert_id: post(i, body), parent=self,
                                    name="alert-ack", on_done=self._acked,
                                    on_error=self._failed))  # fmt: skip
        self._tasks = [t for t in self._tasks if not t.done.is_set()] + runners
        self.note.clear()
        return runners

    def _acked(self, record: Any) -> None:
        if isinstance(record, dict):
            self.merge(record)
            self.message.emit(f"Alert {record.get('id')}: {ar.who_text(record)}")

    def _failed(self, error: str) -> None:
        self.message.emit(f"Alert not acknowledged: {error}")

