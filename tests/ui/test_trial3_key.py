"""Officer trial, session 3: the orange diamonds above the fixes strip (alerts) had no
key, and the report status colours were only in a tooltip. The timeline header's key
now names the alert marks and every status shown, in words beside their colours."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QTextDocument

from cop_app.core.picture import Picture
from cop_app.core.style import HIDDEN_BY_DEFAULT, STATUS_LABELS
from cop_app.ui.hub import Hub
from cop_app.ui.timeline.view import TimelineView


def plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText().replace("\u00a0", " ")


def test_the_timeline_key_names_alert_marks_and_report_statuses(qtbot):
    hub = Hub(Picture())
    view = TimelineView(hub, hub.picture)
    qtbot.addWidget(view)
    view.resize(1366, 260)  # the timeline dock across a 1366 px screen
    view.show()
    qtbot.waitExposed(view)
    key = view.transport.key
    text = plain(key.text())
    assert "◆" in text and "alert" in text, text
    for status, label in STATUS_LABELS.items():
        assert (label.lower() in text) == (status not in HIDDEN_BY_DEFAULT), label
    # workflow order, as the officer reads it
    shown = [STATUS_LABELS[s].lower() for s in STATUS_LABELS if s not in HIDDEN_BY_DEFAULT]
    assert [text.index(w) for w in shown] == sorted(text.index(w) for w in shown)
    # all of it is on screen at this width, and every character is in the font
    assert key.isVisible() and key.width() >= key.sizeHint().width()
    assert key.mapTo(view, key.rect().topRight()).x() <= view.width()
    metrics = QFontMetrics(key.font())
    assert not [c for c in text if not c.isspace() and not metrics.inFontUcs4(ord(c))]
    view.grab().save("/tmp/w_key.png")
    hub.close()
