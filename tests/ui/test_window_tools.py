"""The window's tools, read where an officer looks: the ruler's result in the status bar,
and Go to's refusal of a malformed MGRS reference."""

from __future__ import annotations

from pyproj import Geod

from tests.ui.test_window_import import window


def test_the_range_and_bearing_result_reads_in_the_status_bar(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    win.act_ruler.trigger()
    win.map_layers["ruler"].measure(46.48, 30.73, 46.0, 31.5)  # Odesa to the south-east
    az, _, metres = Geod(ellps="WGS84").inv(30.73, 46.48, 31.5, 46.0)
    text = win.status.currentMessage()
    assert text.startswith("Range and bearing: ")
    assert f"{metres / 1000:.1f}" in text and f"{round(az % 360):03d}°T" in text
    win.map_layers["ruler"].clear()
    assert win.status.currentMessage() == ""
    win.close()


def test_go_to_refuses_a_malformed_mgrs_and_leaves_the_view(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    before = win.map.visible_bbox()
    assert not win.go_to("36T UR 5800 200000")  # unequal digit groups: no square
    assert win.status.currentMessage().startswith("Not a coordinate:")
    assert win.map.visible_bbox() == before
    assert win.go_to("36T UR 58 20") and win.map.visible_bbox() != before
    win.close()
