"""The status bar an officer reads at a glance: UTC DTG clock, cursor position in DMS
and MGRS, connection state with data age, and track counts per domain.

The texts are pure functions of their inputs (tested without a window); the widget
only lays them out and ticks the clock once a second.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from cop_app.core.geo import format_dms, to_mgrs
from cop_app.core.timeutil import format_age, format_dtg, now

OFFLINE_PREFIX = "OFFLINE — data as of "


def clock_text(t: float) -> str:
    return format_dtg(t)


def position_text(lat: float, lon: float) -> str:
    """DMS and a 10-digit (1 m) MGRS reference; MGRS is undefined past 84°N/80°S."""
    try:
        grid = to_mgrs(lat, lon, 5)
    except Exception:  # the mgrs library raises its own errors near the poles
        grid = "—"
    return f"{format_dms(lat, lon)}   {grid}"


def connection_text(state: str, *, age_s: float | None, data_time: float | None,
                    progress: tuple[int, int | None] | None = None) -> str:  # fmt: skip
    """``LIVE · 3 s``, ``SYNCING 40%``, ``RECONNECTING``, ``OFFLINE — data as of <DTG>``.

    ``state`` is a sync ConnectionState value, or ``"local"`` for a picture read from
    files with no server at all.
    """
    if state == "live":
        return f"LIVE · {int(age_s or 0)} s"
    if state == "syncing":
        if progress and progress[1]:
            return f"SYNCING {min(100, int(100 * progress[0] / max(progress[1], 1)))}%"
        return "SYNCING"
    if state in ("backoff", "connecting") and age_s is not None:
        return "RECONNECTING"
    if state == "connecting":
        return "CONNECTING"
    if state == "local":
        return "LOCAL FILES" + (f" — data as of {format_dtg(data_time)}" if data_time else "")
    return offline_text(data_time)


def offline_text(data_time: float | None, clock: Callable[[], float] = now) -> str:
    """``OFFLINE — data as of <DTG> (23 h ago)``: the age, because a DTG alone does not
    say at a glance that the picture is from yesterday (UX.md: ages beside times)."""
    if not data_time:
        return OFFLINE_PREFIX + "— (no data)"
    return f"{OFFLINE_PREFIX}{format_dtg(data_time)} ({format_age(clock() - data_time)})"


# A domain whose newest fix is older than this has probably lost its feed: the link to
# the server can be up while the AIS receiver behind it is dead, and one age for the
# whole link would not show it. Generous: with many ships the newest fix is seconds old.
QUIET_AFTER_S = {"air": 60.0, "sea": 600.0, "land": 3600.0}


def quiet_domains(newest: Mapping[str, float], t: float) -> dict[str, float]:
    """Seconds since the newest fix, for each domain past its quiet limit."""
    return {d: t - newest[d] for d, limit in QUIET_AFTER_S.items()
            if d in newest and t - newest[d] > limit}  # fmt: skip


def count_parts(counts: dict[str, int], quiet: Mapping[str, float] | None = None
                ) -> list[tuple[str, bool]]:  # fmt: skip
    """(text, quiet) per domain: ``SEA 143 (no fix 12 min)`` for a domain whose feed
    went quiet, so the label can mark that part alone."""
    quiet = quiet or {}
    return [(f"{d.upper()} {counts.get(d, 0)}"
             + (f" (no fix {format_age(quiet[d]).removesuffix(' ago')})" if d in quiet else ""),
             d in quiet) for d in ("air", "sea", "land")]  # fmt: skip


def counts_text(counts: dict[str, int], quiet: Mapping[str, float] | None = None) -> str:
    """``AIR 81 · SEA 0 (no fix 12 min) · LAND 0``: tracks shown per domain."""
    return " · ".join(text for text, _ in count_parts(counts, quiet))


class StatusBar(QStatusBar):
    """Permanent labels, left to right: clock, cursor, connection, counts."""

    def __init__(self, clock: Callable[[], float] = now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        # Messages ("Imported …", "History …") get a label of their own on the left that
        # takes the room the permanent labels leave: QStatusBar's own temporary message
        # shares the normal-widget area, which stretching permanent labels squeeze to
        # nothing, so a message could be set and never seen.
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addWidget(self.message, 1)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clearMessage)
        self.clock = self._label("clock", "UTC clock (date-time group)")
        self.cursor = self._label("cursor", "position under the mouse: DMS and MGRS")
        self.connection = self._label("connection", "server connection and data age")
        self.counts = self._label("counts", "tracks shown per domain; a domain with no fix "
                                  "for a while says so (its feed may have stopped)")
        self._counts: dict[str, int] = {}
        self._newest: dict[str, float] = {}
        self.cursor.setText("—")
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(1000)
        self.tick()

    def _label(self, name: str, tip: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setToolTip(tip)
        # An explicit minimum below the text width: on a 1366-px laptop a long state
        # (OFFLINE — data as of … (23 h ago)) is cut, not allowed to widen the window.
        label.setMinimumWidth(40)
        self.addPermanentWidget(label, 0)
        return label

    # ---- messages ---------------------------------------------------------------------
    def showMessage(self, text: str, timeout: int = 0) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)  # the whole text, where the bar cuts it
        if timeout > 0:
            self._message_timer.start(timeout)
        else:
            self._message_timer.stop()

    def currentMessage(self) -> str:
        return self.message.text()

    def clearMessage(self) -> None:
        self.message.clear()
        self.message.setToolTip("")

    def tick(self) -> None:
        self.clock.setText(clock_text(self._clock()))

    def set_cursor(self, lat: float, lon: float) -> None:
        self.cursor.setText(position_text(lat, lon))

    def set_connection(self, text: str, warn: bool = False) -> None:
        self.connection.setText(text)
        self.connection.setToolTip(f"server connection and data age: {text}")
        self.connection.setStyleSheet("font-weight: bold; color: #FFB300;" if warn else "")

    def set_counts(self, counts: dict[str, int],
                   newest: Mapping[str, float] | None = None) -> None:  # fmt: skip
        """Counts per domain and (live) each domain's newest fix time, for the quiet
        check ``refresh_counts`` repeats every second."""
        self._counts, self._newest = dict(counts), dict(newest or {})
        self.refresh_counts()

    def refresh_counts(self, live: bool = True) -> None:
        quiet = quiet_domains(self._newest, self._clock()) if live else {}
        parts = count_parts(self._counts, quiet)
        if quiet:  # only the quiet domain in the warning colour: AIR is not alarmed
            self.counts.setText(" · ".join(
                f'<b style="color:#FFB300">{html.escape(t)}</b>' if q else html.escape(t)
                for t, q in parts))  # fmt: skip
        else:
            self.counts.setText(counts_text(self._counts))
