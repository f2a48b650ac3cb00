"""A screenshot of the timeline over the ceasefire exercise, for a person to look at.

Saved to $TMPDIR/cop_timeline_ceasefire.png (night theme too). The test also checks what
should be visible: air and sea bars, and report markers in status colours.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from cop_app.core.picture import Picture
from cop_app.core.style import STATUS_COLOURS
from cop_app.core.updates import ReportUpdate
from cop_app.ingest import make_parser
from cop_app.ui.hub import Hub
from cop_app.ui.timeline import TimelineView
from cop_app.ui.timeline.view import DOMAIN_COLOURS

scenario = pytest.importorskip("cop_app.server.scenario")
NOW = 1795701600.0  # 261400ZNOV26
HOUR = 3600.0


def _ceasefire_picture() -> Picture:
    """Three hours of tracks (one fix a minute) and eight hours of reports, via ingest."""
    pic = Picture(history_points=240, history_seconds=4 * HOUR)
    sc = scenario.Scenario(seed=0, start=NOW - 8 * HOUR)
    emissions = [*sc.emissions(NOW - 3 * HOUR, NOW, domains=("air", "sea"), history=True),
                 *sc.emissions(NOW - 8 * HOUR, NOW, domains=("land",),
                               reports_since=NOW - 8 * HOUR)]  # fmt: skip
    parsers = {}
    with pic.batch():
        for e in emissions:
            if isinstance(e, scenario.FeedText) and e.fmt == "geojson":
                doc = make_parser(e.fmt, e.source)  # one document per parser
                pic.upsert_many([*doc.feed(e.text.encode()), *doc.close()])
            elif isinstance(e, scenario.FeedText):
                parser = parsers.setdefault((e.fmt, e.source), make_parser(e.fmt, e.source))
                pic.upsert_many(parser.feed((e.text + "\n").encode()))
            elif isinstance(e, scenario.ReportTransition):
                pic.upsert(ReportUpdate(e.report_id, "verification", None, None, None,
                                        fields={"status": e.to_status}))  # fmt: skip
            elif isinstance(e, scenario.DirectUpdates):
                pic.upsert_many(e.updates)
        for parser in parsers.values():
            pic.upsert_many(parser.close())
    return pic


def _has_colour(img, hex_colour: str, tol: int = 10) -> bool:
    want = QColor(hex_colour)
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixelColor(x, y)
            if (abs(c.red() - want.red()) <= tol and abs(c.green() - want.green()) <= tol
                    and abs(c.blue() - want.blue()) <= tol):  # fmt: skip
                return True
    return False


def test_timeline_screenshot_of_the_ceasefire_exercise(qtbot):
    pic = _ceasefire_picture()
    assert pic.counts()["air"] and pic.counts()["sea"] and pic.counts()["reports"]
    hub = Hub(pic)
    view = TimelineView(hub, pic, clock=lambda: NOW)
    qtbot.addWidget(view)
    view.resize(1600, 280)
    view.show()
    qtbot.waitExposed(view)
    view.set_x_range(NOW - 8 * HOUR, NOW + 10 * 60)
    hub.set_window((NOW - 5 * HOUR, NOW - 4 * HOUR))
    qtbot.wait(100)
    view.rebin()
    out = Path(tempfile.gettempdir())
    img = view.grab().toImage()
    img.save(str(out / "cop_timeline_ceasefire.png"))
    assert _has_colour(img, DOMAIN_COLOURS["air"]) and _has_colour(img, DOMAIN_COLOURS["sea"])
    shown = {str(r.status) for r in pic.reports()} & set(STATUS_COLOURS)
    for status in shown - {"rejected", "retracted", "superseded"}:
        assert _has_colour(img, STATUS_COLOURS[status]), status
    view.set_night(True)
    qtbot.wait(50)
    view.grab().toImage().save(str(out / "cop_timeline_ceasefire_night.png"))
    hub.close()
