"""Start-up as the officer does it: ``cop-app --server URL`` with no stored token asks
for one; a wrong token says so in the window; Cancel on the prompt opens offline from
the cache; plain ``cop-app`` reopens the last server profile.

The command line is parsed by the real ``cli`` and the window built by ``app.start``
(what ``launch`` runs before the event loop). The prompt is answered from a timer, as
a person would: find the dialog, type into it, press OK or Cancel. The server is the
real ``cop-app serve``, behind a recording proxy that shows which token it was sent.
Every user directory (token file, settings, keyring) is redirected under tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog, QLineEdit

from cop_app import cli
from cop_app.api import tokens
from cop_app.cli import demo_picture
from cop_app.core.timeutil import format_dtg
from cop_app.store.cache import PictureCache
from cop_app.ui import app as ui_app
from cop_app.ui.settings import AppSettings
from cop_app.ui.status import OFFLINE_PREFIX
from tests.conftest import corpus
from tests.server.conftest import live_server, live_server_factory  # noqa: F401 (fixtures)
from tests.ui.proxy import GatedProxy

WAIT_MS = 30_000


@pytest.fixture
def home(platformdirs_isolated: Path, monkeypatch) -> Path:
    """No token anywhere the app looks, and none of the developer's own config read."""
    monkeypatch.delenv(tokens.ENV_VAR, raising=False)
    monkeypatch.setattr(tokens, "_keyring_token", lambda _server: None)
    assert tokens.default_token_file().is_relative_to(platformdirs_isolated)
    assert not tokens.default_token_file().exists()
    return platformdirs_isolated


@pytest.fixture
def server(live_server) -> Iterator[tuple[object, GatedProxy]]:  # noqa: F811
    """The real server with the gpsd AIS sample in it, behind a recording proxy."""
    r = requests.post(live_server.url + "/v1/ingest/nmea",
                      data=corpus("gpsd", "sample.aivdm").read_bytes(),
                      headers=live_server.headers("feeder"), timeout=30)  # fmt: skip
    assert r.ok and r.json()["accepted"] > 0, r.text
    proxy = GatedProxy(live_server.url)
    yield live_server, proxy
    proxy.close()


class Prompt:
    """Answers token dialogs in turn: a string is typed and OK pressed; None: Cancel."""

    def __init__(self, qtbot, answers: list[str | None]) -> None:
        self.qtbot = qtbot
        self.answers = list(answers)
        self.asked: list[str] = []  # each dialog's label text
        self.masked: list[bool] = []
        self._answered: set[int] = set()
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        for w in QApplication.topLevelWidgets():
            if not (isinstance(w, QInputDialog) and w.isVisible()) or id(w) in self._answered:
                continue
            self._answered.add(id(w))
            self.asked.append(w.labelText())
            edit = w.findChild(QLineEdit)
            self.masked.append(edit.echoMode() == QLineEdit.EchoMode.Password)
            buttons = w.findChild(QDialogButtonBox)
            answer = self.answers.pop(0) if self.answers else None
            if answer is not None:
                self.qtbot.keyClicks(edit, answer)
            which = QDialogButtonBox.StandardButton.Ok if answer is not None else (
                QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
            self.qtbot.mouseClick(buttons.button(which), Qt.MouseButton.LeftButton)

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def launch_cli(qtbot, tmp_path, monkeypatch, home):
    """``launch_cli("--server", url)``: the real argument parsing, then ``start(opts)``."""
    opened: list = []

    def run(*argv: str, answers: list[str | None] = ()) -> tuple:
        captured: list[ui_app.LaunchOptions] = []
        monkeypatch.setattr(ui_app, "launch", lambda opts: captured.append(opts) or 0)
        args = cli.parse_args([*argv, "--settings", str(tmp_path / "settings.ini"),
                               "--cache", str(tmp_path / "cache.sqlite")])  # fmt: skip
        assert cli.run_gui(args) == 0
        prompt = Prompt(qtbot, list(answers))
        window, session = ui_app.start(captured[0])
        qtbot.addWidget(window)
        opened.append((window, session, prompt))
        return window, session, prompt

    yield run
    for window, session, prompt in opened:
        prompt.stop()
        session.stop()
        window.close()


def wait_live(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.status.connection.text().startswith("LIVE"),
                    timeout=WAIT_MS)  # fmt: skip
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=WAIT_MS)


def test_server_without_a_stored_token_asks_and_goes_live_with_the_answer(
        qtbot, launch_cli, server, tmp_path, home):  # fmt: skip
    srv, proxy = server
    token = srv.tokens["verifier"]
    window, _session, prompt = launch_cli("--server", proxy.url, answers=[token])
    assert len(prompt.asked) == 1 and proxy.url in prompt.asked[0]
    assert prompt.masked == [True]  # the token is typed behind dots
    wait_live(qtbot, window)
    qtbot.waitUntil(lambda: window.tracks.model.rowCount() > 0, timeout=WAIT_MS)
    # GET /v1/me answered for the typed token: the verifier is offered the action
    window.docks["Reports"].raise_()
    qtbot.waitUntil(lambda: window.reports.action.isVisible(), timeout=WAIT_MS)
    assert proxy.tokens() == {f"Bearer {token}"}
    assert any(path.startswith("/v1/me") for path, _ in proxy.seen)
    assert AppSettings(tmp_path / "settings.ini").server == proxy.url  # the profile
    assert not tokens.default_token_file().exists()  # kept for this run only


def test_a_wrong_token_says_so_in_the_window_and_reconnect_asks_again(
        qtbot, launch_cli, server):  # fmt: skip
    srv, proxy = server
    window, _session, prompt = launch_cli("--server", proxy.url,
                                          answers=["not-a-token", srv.tokens["viewer"]])
    qtbot.waitUntil(lambda: "server refused the token" in window.banner.text(), timeout=WAIT_MS)
    assert window.banner.isVisible() and window.isVisible()
    assert "401 Unauthorized" in window.banner.text()
    assert window.status.connection.text().startswith(OFFLINE_PREFIX)
    window.act_reconnect.trigger()  # F5: the refused token is not tried again
    wait_live(qtbot, window)
    assert len(prompt.asked) == 2
    assert proxy.tokens() == {"Bearer not-a-token", f"Bearer {srv.tokens['viewer']}"}


def test_cancel_on_the_prompt_opens_offline_from_the_cache(qtbot, launch_cli, server,
                                                           tmp_path):  # fmt: skip
    srv, proxy = server
    cached = demo_picture()
    with PictureCache(tmp_path / "cache.sqlite") as cache:
        cache.save(cached)
    newest = max(tr.time for tr in cached.tracks() if tr.time is not None)
    window, session, prompt = launch_cli("--server", proxy.url, answers=[None])
    assert len(prompt.asked) == 1
    as_of = f"{OFFLINE_PREFIX}{format_dtg(newest)} ("
    qtbot.waitUntil(lambda: window.banner.text().startswith(as_of), timeout=WAIT_MS)
    assert window.banner.isVisible()
    model = window.tracks.model
    qtbot.waitUntil(lambda: "NORDIC STAR" in {model.label(k) for k in model.frame.keys},
                    timeout=WAIT_MS)  # fmt: skip
    assert proxy.seen == []  # nothing was sent to the server
    window.act_reconnect.trigger()  # F5 asks again; this time the officer answers
    qtbot.waitUntil(lambda: len(prompt.asked) == 2, timeout=WAIT_MS)
    assert window.banner.isVisible() and not session.live  # Cancel again: still offline
    prompt.answers.append(srv.tokens["viewer"])
    window.act_reconnect.trigger()
    wait_live(qtbot, window)
    assert proxy.tokens() == {f"Bearer {srv.tokens['viewer']}"}


def test_plain_cop_app_reopens_the_last_server_profile(qtbot, launch_cli, server, tmp_path,
                                                       home):  # fmt: skip
    srv, proxy = server
    profile = AppSettings(tmp_path / "settings.ini")
    profile.server = proxy.url  # where the last watch was connected
    profile.sync()
    stored = tokens.default_token_file()
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text(srv.tokens["viewer"] + "\n", encoding="utf-8")
    os.chmod(stored, 0o600)
    window, session, prompt = launch_cli()  # no --server
    wait_live(qtbot, window)
    assert prompt.asked == []  # the stored token was used: no question
    assert session.server_url == proxy.url
    assert proxy.tokens() == {f"Bearer {srv.tokens['viewer']}"}
    qtbot.waitUntil(lambda: window.tracks.model.rowCount() > 0, timeout=WAIT_MS)
