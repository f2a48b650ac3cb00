"""Second officer trial (session 3): Details does not give a status to a report the
replay cursor has not reached, and the status-bar counts under a time filter count
what the map shows."""

from __future__ import annotations

from cop_app.core.entities import LandReport
from cop_app.core.verification import Transition
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.panels.details import status_html
from cop_app.ui.panels.tracks import TracksPanel
from tests.ui.test_panels import T0, big_picture


def test_a_report_after_the_cursor_is_not_yet_reported():
    rep = LandReport(id="R1", time=T0 - 3600, status=S.TRIAGED,
                     trail=[Transition(S.REPORTED, S.REPORTED, "feed", T0 - 1000, "created"),
                            Transition(S.REPORTED, S.TRIAGED, "vera", T0, "seen")])  # fmt: skip
    before = str(status_html(rep, T0 - 2000))
    assert before.startswith("<b>not yet reported</b>") and "now: triaged" in before
    assert str(status_html(rep, T0 - 500)).startswith("<b>reported</b>")


def test_counts_under_a_time_filter_are_the_tracks_in_the_window(qtbot):
    pic = big_picture(300)
    hub = Hub(pic)
    panel = TracksPanel(hub)
    qtbot.addWidget(panel)
    got: list[dict] = []
    panel.refreshed.connect(got.append)
    hub.set_live(False)
    hub.set_cursor(T0 + 7200)  # two hours on: every track is long past stale
    hub.set_window((T0 - 300, T0 + 7200))  # a long brush: tracks heard early in it
    panel.refresh()
    assert got[-1] == {"air": 100, "sea": 100, "land": 100}
    hub.close()
