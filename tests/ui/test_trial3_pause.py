"""Officer trial, session 3: the Pause button drew "⏸" as an empty box (the glyph is not
in the UI font). Play and pause now show the style's media icons beside plain words."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontMetrics

from cop_app.ui.timeline.transport import Transport
from tests.ui.test_panels_readable import rgb


def drawn(button) -> np.ndarray:
    return rgb(button.grab().toImage())


def test_play_and_pause_show_an_icon_and_words_the_font_has(qtbot):
    t = Transport()
    qtbot.addWidget(t)
    t.resize(900, 60)
    t.show()
    qtbot.waitExposed(t)
    button = t.play
    metrics = QFontMetrics(button.font())
    shown = {}
    for playing, word in ((False, "Play"), (True, "Pause")):
        button.setChecked(playing)
        assert button.text() == word
        assert not button.icon().isNull()
        # every character of the label is in the font: no missing-glyph box
        missing = [c for c in button.text() if not metrics.inFontUcs4(ord(c))]
        assert not missing, missing
        shown[word] = drawn(button)
    # the icon is drawn and differs between the states (the words alone would differ
    # only where the text is): compare the strip left of the text
    play, pause = shown["Play"], shown["Pause"]
    h = min(play.shape[0], pause.shape[0])
    left = button.iconSize().width() + 6
    assert np.abs(play[:h, :left] - pause[:h, :left]).sum() > 0
    button.setChecked(False)
