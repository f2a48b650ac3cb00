"""Tracks: a virtual table over the Picture that holds 100k rows.

The model keeps no per-row objects: rows are indices (``order``) into one Frame's
numpy columns, so a refresh is a few whole-array operations and ``data()`` reads one
cell from an array. Sorting is ``np.argsort`` on a column and filtering is a boolean
mask (domain, identity, text, in view), the pyqtgraph habit of whole-column work.
Labels (callsign or name) come from the track's attributes only for the rows drawn
and for text search, cached per key and dropped when that track changes.

Lost tracks (past their stale time, still on the map: ``Frame.lost``) keep their row,
greyed, with the Age cell reading ``LOST 3 min`` on the amber warning chip, so a track
that stops reporting is seen to go rather than silently leaving the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cop_app.core.enums import Domain, Identity
from cop_app.core.geo import bbox_mask, format_dms, to_mgrs
from cop_app.core.picture import Frame, Picture, PictureChange, is_emergency
from cop_app.core.timeutil import format_dtg
from cop_app.ui.hub import Hub
from cop_app.ui.map.frames import frame_at, lost_text
from cop_app.ui.panels._table import ColumnsModel, Index
from cop_app.ui.panels.readout import (
    age_text,
    altitude_text,
    bearing_text,
    speed_text,
    squawk_text,
)

# Ordered by use (trial finding 14): who it is, what it is, how fresh, then the
# numbers; the raw id last (it is in every row's tooltip and the Details dock).
COLUMNS = ("Name / callsign", "Identity", "Age", "Alt / FL", "Speed", "Course", "Squawk",
           "Position (MGRS)", "Last report", "Domain", "Track")  # fmt: skip
C_NAME, C_IDENTITY, C_AGE, C_ALT, C_SPEED, C_COURSE, C_SQUAWK, C_POS, C_TIME, C_DOMAIN, \
    C_TRACK = range(len(COLUMNS))
NUMERIC = frozenset({C_ALT, C_SPEED, C_COURSE})
Id = Identity
IDENTITY_GROUPS: dict[str, frozenset[int]] = {
    "All identities": frozenset(int(i) for i in Identity),
    "Friend": frozenset({Id.FRIEND, Id.ASSUMED_FRIEND}),
    "Hostile / suspect": frozenset({Id.HOSTILE, Id.SUSPECT, Id.JOKER, Id.FAKER}),
    "Neutral": frozenset({Id.NEUTRAL}),
    "Unknown / pending": frozenset({Id.UNKNOWN, Id.PENDING}),
}


def empty_frame(t: float = 0.0) -> Frame:
    f, i = np.empty(0, float), np.empty(0, np.int64)
    return Frame(t=t, rows=i, keys=[], domain=np.empty(0, np.int8), lat=f, lon=f, time=f,
                 identity=np.empty(0, np.int8), speed_kn=f, course_deg=f, heading_deg=f,
                 altitude_ft=f)  # fmt: skip


class TracksModel(ColumnsModel):
    columns = COLUMNS
    # Replay: the Age column counts from the cursor and says so ("5 s before cursor");
    # the banner's "ago" counts from now (readout.age_text). The panel sets it.
    cursor_ages = False

    def __init__(self, picture: Picture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture = picture
        self.frame = empty_frame()
        self.lost = np.zeros(0, bool)
        self.order = np.empty(0, np.int64)  # visible row -> frame index
        self.domains: frozenset[int] = frozenset(int(d) for d in Domain)
        self.identities: frozenset[int] = IDENTITY_GROUPS["All identities"]
        self.text = ""
        self.bbox: tuple[float, float, float, float] | None = None
        self.sort_column, self.sort_order = C_NAME, Qt.SortOrder.AscendingOrder
        self._labels: dict[str, str] = {}
        self._squawks: dict[str, str] = {}
        self._extras: dict[str, tuple[Any, Any]] = {}
        self._emergency: dict[str, bool] = {}
        self.emergency = np.zeros(0, bool)
        self._key_pos: dict[str, int] | None = None

    # ---- content ---------------------------------------------------------------------
    def set_frame(self, frame: Frame) -> None:
        self.beginResetModel()
        self.frame = frame
        self.lost = frame.lost
        self.emergency = self.emergencies()
        self._key_pos = None
        self.order = self._ordered(self._mask())
        self.endResetModel()

    def refilter(self) -> None:
        self.set_frame(self.frame)

    def forget(self, change: PictureChange) -> None:
        for key in change.tracks:
            self._labels.pop(key, None)
            self._squawks.pop(key, None)
            self._extras.pop(key, None)
            self._emergency.pop(key, None)

    def emergencies(self) -> np.ndarray:
        """Which frame rows squawk an emergency (7500/7600/7700, or flagged): read in
        bulk and cached like the labels, so a 100k-row refresh stays cheap."""
        keys, cache = self.frame.keys, self._emergency
        missing = [k for k in keys if k not in cache]
        if missing:
            values = self.picture.attribute_values(missing, ("squawk", "emergency"))
            for key, (squawk, flag) in zip(missing, values, strict=True):
                fields = {"squawk": squawk, "emergency": flag}
                cache[key] = is_emergency(fields)
                self._squawks[key] = squawk_text(fields)  # the same read fills both
        return np.fromiter((cache[k] for k in keys), bool, len(keys))

    def label(self, key: str) -> str:
        label = self._labels.get(key)
        if label is None:
            with self.picture.lock:
                state = self.picture.track_state(key)
            f = state.fields if state is not None else {}
            # A ship is known by its name (its call sign is a radio detail); an
            # aircraft by its callsign.
            first, second = ("callsign", "name") if (
                state is not None and state.domain is Domain.AIR) else ("name", "callsign")
            label = str(f.get(first) or f.get(second) or "").strip()
            self._labels[key] = label
        return label

    def squawk(self, key: str) -> str:
        """``7700 EMERGENCY`` or the code; cached like the label (attributes only)."""
        text = self._squawks.get(key)
        if text is None:
            with self.picture.lock:
                state = self.picture.track_state(key)
            text = squawk_text(state.fields) if state is not None else ""
            self._squawks[key] = text
        return text

    def extras(self, key: str) -> tuple[Any, Any]:
        """(geometric altitude, AIS nav status) for a drawn row: the HAE height shown
        when there is no baro one, the status that says why a ship reads 0 kn; read
        only for drawn rows and cached like the label."""
        got = self._extras.get(key)
        if got is None:
            got = self._extras[key] = self.picture.attribute_values(
                [key], ("geo_altitude_ft", "nav_status"))[0]
        return got

    def labels(self) -> np.ndarray:
        keys, cache = self.frame.keys, self._labels
        missing = [i for i, k in enumerate(keys) if k not in cache]
        if missing:  # read in bulk: one lock, no copies (1.5 s -> ~0.1 s for 100k rows)
            values = self.picture.attribute_values([keys[i] for i in missing],
                                                   ("callsign", "name"))  # fmt: skip
            air = int(Domain.AIR)
            for i, (callsign, name) in zip(missing, values, strict=True):
                first, second = (callsign, name) if self.frame.domain[i] == air else (
                    name, callsign)
                cache[keys[i]] = str(first or second or "").strip()
        return np.array([cache[k] for k in keys], dtype=object)

    def _mask(self) -> np.ndarray:
        f = self.frame
        mask = np.isin(f.domain, list(self.domains)) & np.isin(f.identity, list(self.identities))
        if self.bbox is not None:
            mask &= bbox_mask(f.lon, f.lat, self.bbox)
        if self.text:
            needle = self.text.lower()
            idx = np.flatnonzero(mask)
            hit = [needle in f.keys[i].lower() or needle in self.label(f.keys[i]).lower()
                   for i in idx.tolist()]  # fmt: skip
            mask[idx[~np.asarray(hit, bool)]] = False
        return mask

    def _ordered(self, mask: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(mask)
        col = self._sort_key(self.sort_column)
        order = idx[np.argsort(col[idx], kind="stable")] if len(idx) else idx
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            order = order[::-1]
        em = self.emergency
        if len(order) and len(em) == len(self.frame.keys) and em[order].any():
            # Emergencies first, whatever the sort: seen without scrolling or searching.
            order = np.concatenate([order[em[order]], order[~em[order]]])
        return order

    def _sort_key(self, column: int) -> np.ndarray:
        f = self.frame
        if column == C_TRACK:
            return np.array(f.keys, dtype=object)
        if column == C_NAME:
            return np.array([(s or k).lower() for s, k in zip(self.labels(), f.keys,
                                                               strict=True)], dtype=object)
        if column == C_SQUAWK:  # emergencies first, then codes, blanks last
            return np.array([_squawk_rank(self.squawk(k)) for k in f.keys], dtype=object)
        if column == C_AGE:  # youngest first
            return -f.time
        arrays = {C_DOMAIN: f.domain, C_IDENTITY: f.identity, C_POS: f.lat,
                  C_SPEED: f.speed_kn, C_COURSE: f.course_deg, C_ALT: f.altitude_ft,
                  C_TIME: f.time}  # fmt: skip
        col = arrays.get(column, f.time)
        # NaN sorts last in argsort; keep it so (missing values at the end).
        return col

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self.order = self._ordered(self._mask())
        self._key_pos = None
        self.layoutChanged.emit()

    # ---- lookups -----------------------------------------------------------------------
    def key_at(self, row: int) -> str:
        return self.frame.keys[int(self.order[row])]

    def row_of(self, key: str) -> int | None:
        if self._key_pos is None:
            keys = self.frame.keys
            self._key_pos = {keys[i]: r for r, i in enumerate(self.order.tolist())}
        return self._key_pos.get(key)

    # ---- Qt model ----------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.order)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        i = int(self.order[index.row()])
        f, c = self.frame, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(f, i, c)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == C_POS:
                return format_dms(float(f.lat[i]), float(f.lon[i]))
            return f.keys[i]  # the full id, whatever the column elides
        if role == Qt.ItemDataRole.TextAlignmentRole and c in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        colour_roles = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole)
        if role in colour_roles and self.lost[i] and (c == C_AGE or not self.emergency[i]):
            return _lost_colour(role, c)
        if role in colour_roles and self.emergency[i]:  # tar1090's habit: the row in red
            return QColor(EMERGENCY_ROW[0] if role == Qt.ItemDataRole.BackgroundRole
                          else EMERGENCY_ROW[1])  # fmt: skip
        return None

    def _text(self, f: Frame, i: int, c: int) -> str:
        if c == C_TRACK:
            return f.keys[i]
        if c == C_DOMAIN:
            return Domain(int(f.domain[i])).label.upper()
        if c == C_IDENTITY:
            return Identity(int(f.identity[i])).label.replace("_", " ")
        if c == C_NAME:
            return self.label(f.keys[i]) or f.keys[i]  # no name yet: the id says who
        if c == C_SQUAWK:
            return self.squawk(f.keys[i])
        if c == C_POS:
            try:
                return to_mgrs(float(f.lat[i]), float(f.lon[i]))
            except Exception:  # outside the MGRS band (polar): DMS instead
                return format_dms(float(f.lat[i]), float(f.lon[i]))
        if c == C_SPEED:
            return speed_text(f.speed_kn[i], self.extras(f.keys[i])[1]
                              if f.domain[i] == Domain.SEA else None)
        if c == C_COURSE:
            return bearing_text(f.course_deg[i])
        if c == C_ALT:
            alt = f.altitude_ft[i]
            return altitude_text(alt, None if alt == alt else self.extras(f.keys[i])[0])
        t = float(f.time[i])
        if not np.isfinite(t):
            return ""
        if c == C_AGE:
            return lost_text(f.t - t) if self.lost[i] else age_text(f.t - t, self.cursor_ages)
        return format_dtg(t)

    def newest_fix(self) -> dict[str, float]:
        """Each domain's newest fix time in the frame (lost tracks included): how long a
        feed has been quiet."""
        f = self.frame
        return {d.label: float(f.time[f.domain == d].max()) for d in Domain
                if np.any(f.domain == d)}  # fmt: skip

    def live_counts(self) -> dict[str, int]:
        """Tracks per domain label in the frame, lost ones left out (the status bar
        counts what is current)."""
        f, live = self.frame, ~self.lost
        return {d.label: int(np.count_nonzero(live & (f.domain == d))) for d in Domain}


LOST_CHIP = ("#FFB300", "#000000")  # the amber warning (REPLAY, offline), black text
EMERGENCY_ROW = ("#C62828", "#FFFFFF")  # an emergency squawk's row: white on red
LOST_TEXT = "#8A8A8A"  # the rest of a lost row: grey, readable on day and night rows


def _lost_colour(role: int, column: int) -> QColor | None:
    if column == C_AGE:
        return QColor(LOST_CHIP[0] if role == Qt.ItemDataRole.BackgroundRole else LOST_CHIP[1])
    return QColor(LOST_TEXT) if role == Qt.ItemDataRole.ForegroundRole else None


def _squawk_rank(text: str) -> str:
    return f"{0 if ' ' in text else 1 if text else 2}{text}"


class TracksPanel(QWidget):
    """The table plus its filters; rows select through the hub."""

    refreshed = Signal(object)  # the frame's counts per domain, after each refresh

    def __init__(self, hub: Hub, visible_bbox: Callable[[], tuple] | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.hub = hub
        self.visible_bbox = visible_bbox
        self.model = TracksModel(hub.picture, self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search id, callsign, name…")
        self.search.setClearButtonEnabled(True)
        self.domain_boxes = {d: QCheckBox(d.label.upper(), self) for d in Domain}
        self.identity = QComboBox(self)
        self.identity.addItems(list(IDENTITY_GROUPS))
        self.identity.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.identity.setMinimumContentsLength(8)
        self.in_view = QCheckBox("In view only", self)
        self.count = QLabel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(C_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # ids keep both ends
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: 100k stay cheap
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Column widths from the first 200 rows (Qt's default 1000 read ~11k cells: 1.1 s
        # at 100k tracks on the first refresh, for widths that barely differ).
        self.table.horizontalHeader().setResizeContentsPrecision(200)

        filters = QHBoxLayout()  # two rows, so the dock stays narrow and the map wide
        for box in self.domain_boxes.values():
            box.setChecked(True)
            box.toggled.connect(self._filters_changed)
            filters.addWidget(box)
        filters.addWidget(self.identity, 1)
        filters.addWidget(self.in_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(250)
        self._refresh_timer.timeout.connect(self.refresh)
        self._selecting = False
        self._sized = False
        self.search.textChanged.connect(self._filters_changed)
        self.identity.currentTextChanged.connect(self._filters_changed)
        self.in_view.toggled.connect(self._filters_changed)
        self.table.selectionModel().selectionChanged.connect(self._rows_selected)
        hub.pictureChanged.connect(self._picture_changed)
        hub.cursorChanged.connect(self._soon)
        hub.windowChanged.connect(self._soon)
        hub.selectionChanged.connect(self._show_selection)
        self.refresh()

    # ---- inputs ------------------------------------------------------------------------
    def _soon(self, *_: object) -> None:
        """Refresh within 250 ms; a burst of triggers (replay ticks, a feed) costs one
        refresh, and a steady stream cannot postpone it forever (no restart)."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _picture_changed(self, change: PictureChange) -> None:
        self.model.forget(change)
        self._soon()

    def view_changed(self) -> None:
        if self.in_view.isChecked():
            self._soon()

    def _filters_changed(self, *_: object) -> None:
        m = self.model
        m.domains = frozenset(int(d) for d, b in self.domain_boxes.items() if b.isChecked())
        m.identities = IDENTITY_GROUPS[self.identity.currentText()]
        m.text = self.search.text().strip()
        self.refresh()

    def refresh(self) -> None:
        self.model.bbox = (self.visible_bbox() if self.in_view.isChecked() and self.visible_bbox
                           else None)  # fmt: skip
        picture, window = self.hub.picture, self.hub.window
        with picture.lock:
            frame = picture.in_window(*window) if window else frame_at(self.hub)
        self.model.cursor_ages = not self.hub.live
        self.model.set_frame(frame)
        lost = int(np.count_nonzero(self.model.lost))
        self.count.setText(f"{len(self.model.order):,} of {len(frame):,} tracks shown"
                           + (f" ({lost:,} lost)" if lost else ""))
        if not self._sized and len(frame):
            self._sized = True  # once, on the first real rows: sizing 100k rows is slow
            self.table.resizeColumnsToContents()
        # Under a time filter the tracks heard in the window are what the map shows: none
        # is "lost" there (counting live ones only read AIR 0 over a full map).
        self.refreshed.emit(frame.counts() if window else self.model.live_counts())
        self._show_selection(self.hub.selection)

    # ---- selection ---------------------------------------------------------------------
    def _rows_selected(self, *_: object) -> None:
        if self._selecting:
            return
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        keys = {self.model.key_at(r) for r in rows}
        others = {k for k in self.hub.selection if self.model.row_of(k) is None}
        self.hub.select(keys | others)

    def select_key(self, key: str) -> bool:
        """Select the row of ``key`` (as a click would); False when it is not shown."""
        row = self.model.row_of(key)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _show_selection(self, ids: frozenset[str]) -> None:
        sm = self.table.selectionModel()
        self._selecting = True
        try:
            sm.clearSelection()
            first = None
            for key in ids:
                row = self.model.row_of(key)
                if row is None:
                    continue
                idx = self.model.index(row, 0)
                sm.select(idx, sm.SelectionFlag.Select | sm.SelectionFlag.Rows)
                first = first or idx
            if first is not None:  # down to the row, not sideways (see select_row_in_place)
                bar = self.table.horizontalScrollBar()
                x = bar.value()
                self.table.scrollTo(first)
                bar.setValue(x)
        finally:
            self._selecting = False
