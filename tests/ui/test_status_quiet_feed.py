"""The status bar says when one domain's feed has gone quiet while the link is up:
"SEA 143 (no fix 12 min)", that part in the warning colour (an officer trial: one data age
for the whole link hid a dead AIS feed)."""

from __future__ import annotations

from cop_app.ui.status import QUIET_AFTER_S, StatusBar, counts_text, quiet_domains

T = 1_800_000_000.0


def test_quiet_domains_are_those_past_their_limit():
    newest = {"air": T - 5, "sea": T - 12 * 60, "land": T - 2 * 3600}
    assert quiet_domains(newest, T) == {"sea": 720.0, "land": 7200.0}
    assert quiet_domains({"air": T - QUIET_AFTER_S["air"]}, T) == {}  # at the limit: not yet
    assert counts_text({"air": 81, "sea": 143}, {"sea": 720.0}) == (
        "AIR 81 · SEA 143 (no fix 12 min) · LAND 0")


def shown(bar: StatusBar) -> str:
    """The label's text as a person reads it (rich text rendered to plain)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(bar.counts.text())
    return doc.toPlainText()


def test_the_counts_label_names_a_quiet_feed_in_the_warning_colour(qtbot):
    clock = [T]
    bar = StatusBar(clock=lambda: clock[0])
    qtbot.addWidget(bar)
    bar.set_counts({"air": 81, "sea": 143, "land": 0}, {"air": T - 2, "sea": T - 30})
    assert shown(bar) == "AIR 81 · SEA 143 · LAND 0" and "FFB300" not in bar.counts.text()
    clock[0] = T + 12 * 60  # the AIS feed stops; aircraft keep coming
    bar.set_counts({"air": 80, "sea": 143, "land": 0}, {"air": clock[0] - 1, "sea": T - 30})
    assert shown(bar) == "AIR 80 · SEA 143 (no fix 12 min) · LAND 0"
    # Only the quiet domain is in the warning colour.
    assert '<b style="color:#FFB300">SEA 143 (no fix 12 min)</b>' in bar.counts.text()
    assert "AIR 80" not in bar.counts.text().split("<b")[1]
    bar.refresh_counts(live=False)  # replaying: a past picture is not a quiet feed
    assert shown(bar) == "AIR 80 · SEA 143 · LAND 0"
