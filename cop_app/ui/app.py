"""Starting the desktop app: the picture, its offline cache, the server connection.

``Session`` owns what the window shows but does not draw: the Picture, the cache it
is restored from, the ApiClient and the Syncer. The Syncer's callbacks come from its
own thread; ``Session`` turns them into Qt signals that arrive queued on the UI thread.
All network and disk work (cache load, sync, /v1/me, transitions) runs off the UI
thread; the Picture is shared under its own lock (``Picture.lock``).

``launch(...)`` is what ``cop-app`` (cli.py) calls: it builds the QApplication, the
Session and the MainWindow, and runs the event loop.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from cop_app.api.failures import quiet_retry_warnings
from cop_app.api.http import ApiClient, ApiError
from cop_app.api.sync import Change, ConnectionState, Syncer
from cop_app.core.picture import Picture
from cop_app.core.timeutil import now
from cop_app.core.verification import VerificationStatus
from cop_app.store.cache import PictureCache
from cop_app.ui.status import connection_text, offline_text
from cop_app.ui.workers import TaskRunner, TaskState, run_task

log = logging.getLogger("cop_app.ui")
QUEUED = Qt.ConnectionType.QueuedConnection


def latest_time(picture: Picture) -> float | None:
    """What "data as of" names: the newest track fix, else the newest report.

    Tracks first because a report's time is when its event happened, which can be
    long before it was filed; a fix's time is when the data was current.
    """
    with picture.lock:
        times = [picture.last_time(k) for k in picture.keys()]
        if not any(math.isfinite(t) for t in times):
            times = [r.time for r in picture.reports() if r.time is not None]
    finite = [t for t in times if math.isfinite(t)]
    return max(finite) if finite else None


class Session(QObject):
    """The picture and where it comes from: cache, server, imported files."""

    stateChanged = Signal(str)  # ConnectionState value, or "local"
    progressed = Signal(int, object)  # done, total (None: unknown)
    rolesChanged = Signal(object)  # frozenset[str]
    alertsChanged = Signal(object)  # list of alert records
    cacheLoaded = Signal(object)  # data time (float | None)
    message = Signal(str)

    def __init__(self, picture: Picture | None = None, cache: PictureCache | None = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.picture = picture or Picture(history_seconds=6 * 3600)
        self.lock = self.picture.lock
        self.cache = cache
        self.client: ApiClient | None = None
        self.syncer: Syncer | None = None
        self.server_url: str | None = None
        self.state = "local"
        self.progress: tuple[int, int | None] | None = None
        self.roles: frozenset[str] = frozenset()
        self.data_time: float | None = None
        self.me: dict[str, Any] = {}
        self.token: str | None = None  # kept for File → Reconnect (never shown)
        self.refused: str | None = None  # the server's 401/403, shown in the banner
        self._tasks: list[TaskRunner] = []
        self._gen = 0  # which Syncer is current: a cancelled one's late callbacks are stale
        # Callbacks from the sync thread arrive here queued on the UI thread.
        self._syncState.connect(self._on_state, QUEUED)
        self._syncProgress.connect(self._on_progress, QUEUED)
        self._syncAlerts.connect(lambda a: self.alertsChanged.emit(a), QUEUED)

    _syncState = Signal(int, str)  # generation, state
    _syncProgress = Signal(int, int, object)  # generation, done, total
    _syncAlerts = Signal(object)

    # ---- cache -----------------------------------------------------------------------
    def load_cache(self, then: Callable[[], None] | None = None) -> TaskRunner | None:
        """Restore the cached picture off the UI thread; ``cacheLoaded`` says when."""
        cache = self.cache
        if cache is None:
            if then is not None:
                then()
            return None

        def work(_state: TaskState) -> float | None:
            with self.lock:
                cache.load(self.picture)
            cache.load_archive(self.picture)  # fetched replay history (sorts off the lock)
            return latest_time(self.picture)

        def done(t: float | None) -> None:
            self.data_time = t
            if t is not None and self.syncer is None:
                self.state = ConnectionState.OFFLINE.value  # a saved picture, not live
            self.cacheLoaded.emit(t)
            if then is not None:
                then()

        return self._track(run_task(work, parent=self, name="cache-load", on_done=done,
                                    on_error=lambda e: (self.message.emit(
                                        f"cache not read: {e}"), then and then())))  # fmt: skip

    def _track(self, runner: TaskRunner) -> TaskRunner:
        self._tasks = [t for t in self._tasks if not t.done.is_set()] + [runner]
        return runner

    # ---- server ----------------------------------------------------------------------
    def connect_to(self, url: str, token: str | None, *, resume: bool = True) -> None:
        """Start syncing from ``url`` (in the background; the picture keeps showing)."""
        self.stop()
        self.server_url, self.token, self.refused = url, token, None
        self._gen += 1
        gen = self._gen
        self.state = ConnectionState.OFFLINE.value  # until the Syncer says otherwise
        self.stateChanged.emit(self.state)
        self.client = ApiClient(url, token)
        syncer = Syncer(self.client, self.picture, self.cache, resume=resume,
                        on_state=lambda s: self._syncState.emit(gen, s.value),
                        on_progress=lambda d, t: self._syncProgress.emit(gen, d, t),
                        on_change=self._sync_change)  # fmt: skip
        syncer.lock = self.lock  # one lock for the picture, whoever writes it
        self.syncer = syncer
        syncer.start()
        self._fetch_me()

    def _fetch_me(self) -> None:
        """The token's roles (GET /v1/me); asked again once live if the server was away."""
        client = self.client
        if client is None:
            return
        self._track(run_task(lambda _s: client.get("/v1/me"), parent=self, name="me",
                             on_done=self._on_me,
                             on_error=lambda e: log.info("GET /v1/me failed: %s", e)))

    def _sync_change(self, change: Change) -> None:  # sync thread
        if change.kind == "alert" and self.syncer is not None:
            self._syncAlerts.emit(list(self.syncer.alerts.values()))

    def _on_me(self, me: dict[str, Any]) -> None:
        self.me = me
        self.roles = frozenset(str(r) for r in me.get("roles", ()))
        self.rolesChanged.emit(self.roles)

    def stay_offline(self, url: str) -> None:
        """A server is known but not contacted (no token given): the cache only, with
        File → Reconnect to try again."""
        self.server_url = url
        self.state = ConnectionState.OFFLINE.value
        self.stateChanged.emit(self.state)
        self.message.emit(f"Not connected to {url}: no token (File → Reconnect, F5)")

    def cancel_sync(self) -> None:
        """Stop syncing now, keeping the picture as far as it was loaded.

        The sync thread is told to stop and is joined on a worker (a page request in
        flight ends on its own); its late callbacks are ignored (a new generation).
        """
        syncer, client = self.syncer, self.client
        if syncer is None:
            return
        self.syncer, self.client = None, None
        self._gen += 1
        self.progress = None
        self.state = ConnectionState.OFFLINE.value
        self.stateChanged.emit(self.state)
        self.message.emit("Sync cancelled: the picture stays as loaded (File → Reconnect, F5)")

        def as_of(_state: TaskState) -> float | None:
            syncer.stop(timeout=0)  # the flag only: a page in flight may still land
            return latest_time(self.picture)

        def wind_down(_state: TaskState) -> float | None:
            syncer.stop(timeout=60.0)
            if client is not None:
                client.close()
            return latest_time(self.picture)

        def settled(t: float | None) -> None:
            if t is not None and self.syncer is None:
                self.data_time = max(t, self.data_time or t)
                self.stateChanged.emit(self.state)

        for work in (as_of, wind_down):
            self._track(run_task(work, parent=self, name="sync-cancel", on_done=settled))

    def reconnect(self) -> bool:
        """File → Reconnect: the same server with the same token (asked if there is none)."""
        url = self.server_url
        if not url:
            self.message.emit("No server to reconnect to (start with --server URL)")
            return False
        token = (None if self.refused else self.token) or ask_token(url)
        if not token:
            return False
        self.connect_to(url, token)
        return True

    def _on_state(self, gen: int, state: str) -> None:
        if gen != self._gen:
            return  # a cancelled or replaced Syncer winding down
        if state == ConnectionState.OFFLINE.value and self.syncer is not None:
            self._note_refusal(self.syncer.last_error)
        previous, self.state = self.state, state
        if state == ConnectionState.LIVE.value:
            self.progress = None
            if not self.me:
                self._fetch_me()
            if self.syncer is not None:
                self.alertsChanged.emit(list(self.syncer.alerts.values()))
        if previous == ConnectionState.LIVE.value and state != previous:
            self.data_time = now()  # what we had when the link dropped
        self.stateChanged.emit(state)

    def _note_refusal(self, error: str | None) -> None:
        """The Syncer gives up on 401/403 (retrying cannot help): say so plainly."""
        code = (error or "").split(" ", 1)[0]
        if code in ("401", "403"):
            self.refused = error
            self.message.emit(f"The server refused the token: {error}")

    def _on_progress(self, gen: int, done: int, total: int | None) -> None:
        if gen != self._gen:
            return
        self.progress = (done, total)
        self.progressed.emit(done, total)

    def post_transition(self, report_id: str, to: VerificationStatus,
                        rationale: str) -> dict[str, Any]:  # fmt: skip
        """POST one verification step (called on a worker thread)."""
        if self.client is None:
            raise ApiError(0, "not connected")
        return self.client.post(f"/v1/reports/{report_id}/transitions",
                                {"to": to.value, "rationale": rationale})  # fmt: skip

    def post_ack(self, alert_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one acknowledge or snooze step (called on a worker thread)."""
        if self.client is None:
            raise ApiError(0, "not connected")
        return self.client.post(f"/v1/alerts/{alert_id}/ack", body)

    # ---- what the window shows -------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.state == ConnectionState.LIVE.value

    def connection_text(self) -> str:
        syncer = self.syncer
        age = syncer.data_age() if syncer is not None else None
        if self.state == ConnectionState.SYNCING.value and syncer is not None and (
                syncer.last_contact is None):  # fmt: skip
            return offline_text(self.data_time)  # still trying the first contact
        return connection_text(self.state, age_s=age, data_time=self.data_time,
                               progress=self.progress)  # fmt: skip

    def banner_text(self) -> str | None:
        """The banner over the map when the picture is not live (None: no banner)."""
        if self.live or self.state == "local":
            return None
        text = offline_text(self.data_time)
        if self.refused:  # the link is up; the token is the problem, so say that first
            host = urlsplit(self.server_url or "").netloc or "the server"
            return (f"TOKEN REFUSED — {host}: the server refused the token ({self.refused}); "
                    f"F5 to sign in again   ·   {text}")
        if self.state in (ConnectionState.BACKOFF.value, ConnectionState.CONNECTING.value):
            text += "   ·   reconnecting…"
        elif self.state == ConnectionState.SYNCING.value:
            text += "   ·   syncing…"
        return text

    def stop(self) -> None:
        if self.syncer is not None:
            self.syncer.stop(timeout=5.0)
            self.syncer = None
        if self.client is not None:
            self.client.close()
            self.client = None


# ---- start-up ----------------------------------------------------------------------------
@dataclass
class LaunchOptions:
    server: str | None = None
    token: str | None = None
    token_file: Path | None = None
    cache: Path | None = None
    settings: Path | None = None
    screenshot: Path | None = None
    quit_after: float | None = None
    title: str = "cop-app"
    handling: str = ""
    remember_server: bool = True
    on_exit: list[Callable[[], None]] = field(default_factory=list)


def ensure_platform() -> None:
    """Headless Linux (CI, ssh) without a display: draw offscreen instead of failing."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):  # fmt: skip
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def ask_token(url: str) -> str | None:
    """No stored token for ``url``: ask once (the answer is kept for this run only)."""
    text, ok = QInputDialog.getText(None, "cop-app: sign in",
                                    f"Bearer token for {url}\n(cop-app token create --role "
                                    "viewer on the server)", QLineEdit.EchoMode.Password)
    return text.strip() if ok and text.strip() else None


def resolve_token(opts: LaunchOptions, url: str) -> str | None:
    from cop_app.api.tokens import TokenError, find_token

    if opts.token:
        return opts.token
    try:
        token = find_token(opts.token_file, server=url)
    except TokenError as exc:
        sys.stderr.write(f"cop-app: {exc}\n")
        token = None
    return token or ask_token(url)


def start(opts: LaunchOptions) -> tuple[Any, Session]:
    """Build the window and start the session (cache first, then the server); the
    caller runs the event loop. Asks for a token when a server has none stored; with
    no answer the window opens offline from the cache."""
    from cop_app.ui.gc_guard import collect_on_gui_thread
    from cop_app.ui.main_window import MainWindow
    from cop_app.ui.settings import AppSettings

    ensure_platform()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("cop-app")
    collect_on_gui_thread()
    settings = AppSettings(opts.settings)
    url = opts.server or settings.server
    session = Session(cache=PictureCache(opts.cache))
    window = MainWindow(session, settings, title=opts.title, handling=opts.handling)
    window.remember_server = opts.remember_server
    window.show()
    token = resolve_token(opts, url) if url else None

    def connect() -> None:
        if url:
            if opts.remember_server:
                settings.server = url
            if token:
                session.connect_to(url, token)
            else:
                session.stay_offline(url)

    session.load_cache(then=connect)
    return window, session


def launch(opts: LaunchOptions) -> int:
    """Open the window and run until it closes (or ``quit_after`` seconds)."""
    window, session = start(opts)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if opts.quit_after is not None:
        def finish() -> None:
            if opts.screenshot is not None:
                window.save_screenshot(opts.screenshot)
                sys.stderr.write(f"cop-app: screenshot {opts.screenshot}\n")
            window.close()
            app.quit()

        QTimer.singleShot(int(opts.quit_after * 1000), finish)
    try:
        # The window shows the link's state; urllib3's per-retry warnings go to the log
        # file, not to the terminal the officer launched from.
        with quiet_retry_warnings():
            return int(app.exec())
    finally:
        session.stop()
        for fn in opts.on_exit:
            fn()
