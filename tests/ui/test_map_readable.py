"""The map an officer reads (trial findings 3, 5 and 16): what a person sees in a grab.

Expectations come from UX.md and the findings: a selected track must not look like an
alerted one, an alert must not wear a report-status colour, a hostile aircraft over a
report stays visible, labels never overlap each other nor (where avoidable) a place
name, a stack of moored ships reads as one symbol with a count, alert text is at least
11 pt, and symbol marks stay inside a snapshot's map frame.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from cop_app.core.entities import LandReport
from cop_app.core.enums import Domain, EventType, Identity
from cop_app.core.picture import Picture
from cop_app.core.style import STATUS_COLOURS
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.map.alerts_layer import ALERT_COLOURS, add_alert_layer, alert_colour
from cop_app.ui.map.context import add_context_layers
from cop_app.ui.map.labels import LABEL, LabelBoard, Request, town_rects
from cop_app.ui.map.symbols import SELECT_INK, Variant, paint_symbol
from cop_app.ui.map.tracks import add_track_layers
from cop_app.ui.map.view import MapView
from tests.ui.test_map_tracks import T, open_map, up

SALMON = QColor("#FF8080")  # UX.md: 2525C hostile fill


def rgb(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return buf.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4].reshape(
        img.height(), img.width(), 4)[..., 2::-1].astype(int)  # BGRA -> RGB


def count(pix: np.ndarray, colour: str | QColor, tol: int, box: tuple[int, int, int]) -> int:
    """Pixels within ``tol`` per channel of ``colour`` in a box (x, y, half-side)."""
    c = QColor(colour)
    x, y, r = box
    part = pix[max(y - r, 0):y + r + 1, max(x - r, 0):x + r + 1]
    d = np.abs(part - np.array([c.red(), c.green(), c.blue()])).max(axis=2)
    return int((d <= tol).sum())


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def alert(i: int, subject: str, severity: str, state: str = "new") -> dict:
    return {"id": f"A{i}", "subject": subject, "severity": severity, "state": state,
            "rule": "test"}  # fmt: skip


def full_map(qtbot, picture: Picture, size: tuple[int, int],
             bbox: tuple[float, float, float, float]):  # fmt: skip
    """A shown MapView with the context layers (base map, reports) and the tracks."""
    hub = Hub(picture)
    hub.set_cursor(T)
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(*size)
    add_context_layers(view, hub)
    layers = add_track_layers(view, hub)
    view.set_bbox(*bbox)
    view.show()
    qtbot.waitExposed(view)
    return hub, view, layers


# ---- finding 3: selection, alert rings, z order ----------------------------------------
def test_alert_colours_stay_apart_from_every_report_status():
    for sev, hex_ in ALERT_COLOURS.items():
        a = QColor(hex_)
        for status, s_hex in STATUS_COLOURS.items():
            s = QColor(s_hex)
            gap = max(abs(a.red() - s.red()), abs(a.green() - s.green()),
                      abs(a.blue() - s.blue()))  # fmt: skip
            assert gap > 60, (sev, status)


@pytest.mark.parametrize("night", [False, True])
def test_selection_and_alert_ring_at_one_spot_look_different(qtbot, night):
    picture = Picture()
    picture.upsert(up("air:uav", Domain.AIR, T, 47.0, 35.0, identity="hostile",
                      callsign="UAV1", speed_kn=0.0))  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (700, 500), (34.0, 46.5, 36.0, 47.5))
    for layer in layers.values():
        if hasattr(layer, "set_night"):
            layer.set_night(night)
    alerts = add_alert_layer(view, hub)
    p = view.latlon_to_widget(47.0, 35.0)
    box = (round(p.x()), round(p.y()), 26)

    hub.select({"air:uav"})
    selected = rgb(view.grab().toImage())
    hub.select(set())
    alerts.set_alerts([alert(1, "air:uav", "high")])
    alerted = rgb(view.grab().toImage())

    magenta = alert_colour("high")
    # The selection is white brackets; no alert colour anywhere round it ...
    assert count(selected, SELECT_INK, 8, box) > 30
    assert count(selected, magenta, 40, box) == 0
    # ... and the alert ring is magenta, with none of the brackets' white at the lower
    # corners (the severity chip, white text on dark, sits above the ring).
    corners = [(box[0] + dx, box[1] + 20, 5) for dx in (-20, 20)]
    assert sum(count(selected, SELECT_INK, 8, c) for c in corners) > 10
    assert count(alerted, magenta, 40, box) > 60
    assert sum(count(alerted, SELECT_INK, 8, c) for c in corners) == 0
    # The old orange selection ring (#FF9900) and the old HIGH ring (#FF8C00) are gone.
    for old in ("#FF9900", "#FF8C00"):
        assert count(selected, old, 20, box) == 0 and count(alerted, old, 20, box) == 0
    hub.close()


def test_a_hostile_uav_over_a_report_is_drawn_on_top(qtbot):
    picture = Picture()
    picture.upsert(up("air:uav", Domain.AIR, T, 47.0, 35.0, identity="hostile",
                      callsign="UAV1", speed_kn=0.0))  # fmt: skip
    picture.restore_report(LandReport(id="R1", time=T - 60, lat=47.0, lon=35.0,
                                      status=S.VERIFIED, event_type=EventType.MINE_UXO))
    hub, view, _ = full_map(qtbot, picture, (700, 500), (34.0, 46.5, 36.0, 47.5))
    p = view.latlon_to_widget(47.0, 35.0)
    box = (round(p.x()), round(p.y()) - 6, 8)  # the half-diamond's body, above the base
    both = rgb(view.grab().toImage())
    hub.set_layer("reports", False)
    alone = rgb(view.grab().toImage())
    assert count(alone, SALMON, 20, box) > 40
    # The report (red hexagon, drawn under) takes nothing from the aircraft's fill.
    assert count(both, SALMON, 20, box) >= count(alone, SALMON, 20, box) - 3
    hub.close()


# ---- finding 5: labels -------------------------------------------------------------------
@pytest.fixture
def crowded(qtbot):
    """Forty ships and aircraft in a few kilometres off Odesa, zoomed to working scale."""
    rng = np.random.default_rng(5)
    ups = [up(f"sea:s{i}", Domain.SEA, T, 46.3 + rng.uniform(-0.05, 0.05),
              30.9 + rng.uniform(-0.07, 0.07), identity="unknown", name=f"SHIP{i:02d}",
              speed_kn=0.0) for i in range(30)]  # fmt: skip
    ups += [up(f"air:a{i}", Domain.AIR, T, 46.3 + rng.uniform(-0.05, 0.05),
               30.9 + rng.uniform(-0.07, 0.07), identity="hostile", callsign=f"UAV{i}",
               altitude_ft=3000.0, speed_kn=0.0) for i in range(10)]  # fmt: skip
    picture = Picture()
    picture.upsert_many(ups)
    hub, view, layers = open_map(qtbot, picture, (900, 700), (30.6, 46.15, 31.2, 46.45))
    yield hub, view, layers
    hub.close()


def test_no_two_labels_overlap_across_air_and_sea(crowded):
    _, view, layers = crowded
    img = view.grab().toImage()
    img.save("/tmp/cop_map_readable_labels.png")  # for a person to look at
    board = layers["air"].declutter.board
    rects = board.placed
    assert len(rects) >= 12  # a crowd still gets many labels
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not overlaps(a, b), (a, b)
    # One pass over both layers: air and sea labels are both among them.
    texts = {line for layer in (layers["air"], layers["sea"])
             for lines in layer._label_text.values() for line in lines}  # fmt: skip
    assert any(t.startswith("UAV") for t in texts) and any(t.startswith("SHIP") for t in texts)


def test_labels_keep_off_place_names(qtbot):
    # Tracks right beside Odesa's name on the base map (46.48N 30.73E).
    picture = Picture()
    picture.upsert_many([
        up(f"sea:q{i}", Domain.SEA, T, 46.47 + 0.004 * i, 30.70 + 0.01 * (i % 3),
           identity="neutral", name=f"QUAY{i}", speed_kn=0.0) for i in range(6)])  # fmt: skip
    hub, view, layers = full_map(qtbot, picture, (900, 700), (30.3, 46.3, 31.1, 46.65))
    view.grab()
    air = layers["air"]
    tr = air.deviceTransform(view.viewportTransform())
    towns = town_rects(tr)
    assert towns  # Odesa's name is drawn at this zoom
    placed = air.declutter.board.placed
    assert placed
    for r in placed:
        assert not any(overlaps(r, t) for t in towns), r
    hub.close()


def test_a_stack_of_moored_ships_is_one_symbol_with_a_count(qtbot):
    picture = Picture()
    picture.upsert_many([up(f"sea:m{i}", Domain.SEA, T, 46.49 + 1e-4 * (i % 3),
                            30.74 + 1e-4 * (i // 3), identity="neutral", name=f"MOOR{i}",
                            speed_kn=0.0) for i in range(10)])  # fmt: skip
    hub, view, layers = open_map(qtbot, picture, (700, 500), (30.4, 46.3, 31.1, 46.7))
    sea = layers["sea"]
    view.grab()
    assert sorted(sea.declutter.counts(sea).tolist()) == [10]  # one symbol stands for ten
    img = view.grab().toImage()
    p = view.latlon_to_widget(46.49, 30.74)
    pix = rgb(img)
    # The count chip: a dark box with white digits at the symbol's top left.
    chip = (round(p.x()) - 14, round(p.y()) - 16, 9)
    assert count(pix, "#18081E", 30, chip) > 20 and count(pix, "#FFFFFF", 40, chip) > 5
    hub.close()


def test_alert_chips_are_11pt_and_never_overlap(qtbot):
    picture = Picture()
    picture.upsert_many([up(f"air:u{i}", Domain.AIR, T, 47.0 + 0.01 * i, 35.0 + 0.01 * i,
                            identity="hostile", callsign=f"U{i}", speed_kn=0.0)
                         for i in range(8)])  # fmt: skip
    hub, view, _layers = open_map(qtbot, picture, (800, 600), (34.7, 46.8, 35.4, 47.3))
    alerts = add_alert_layer(view, hub)
    alerts.set_alerts([alert(i, f"air:u{i}", ("high", "medium")[i % 2]) for i in range(8)])
    view.grab()
    assert alerts.chips.font.pointSize() >= 11
    chips = [r for _, r in alerts.declutter._placed.get(id(alerts), [])]
    assert len(chips) >= 4
    for i, a in enumerate(chips):
        for b in chips[i + 1:]:
            assert not overlaps(a, b)
    # Zoomed out to the theatre, the eight merge into one chip ("HIGH +7").
    view.set_bbox(28.0, 43.5, 41.0, 52.5)
    view.grab()
    placed = alerts.declutter._placed.get(id(alerts), [])
    assert [alerts.chip_text(g) for (_, g), _ in placed] == ["HIGH +7"]
    hub.close()


def test_label_board_is_greedy_and_forced_labels_still_show():
    board = LabelBoard()
    first = board.place(Request(1, [(0, 0, 50, 20)], "a"))
    assert first == (0, 0, 50, 20)
    # The second's first choice is taken: it gets its next option.
    assert board.place(Request(1, [(10, 5, 60, 25), (0, 30, 50, 50)], "b")) == (0, 30, 50, 50)
    assert board.place(Request(1, [(5, 5, 20, 20)], "c")) is None  # nowhere free: dropped
    assert board.place(Request(1, [(5, 5, 20, 20)], "d", force=True)) == (5, 5, 20, 20)
    assert board.worst((1, 1, 2, 2)) == LABEL


# ---- finding 16: marks stay inside the frame ---------------------------------------------
@pytest.mark.parametrize("domain", list(Domain))
def test_paint_symbol_keeps_the_callers_clip(qapp, domain):
    img = QImage(120, 120, QImage.Format.Format_ARGB32)
    img.fill(QColor("#FFFFFF"))
    p = QPainter(img)
    p.setClipRect(QRectF(0, 0, 120, 60))  # the map frame ends at y = 60
    for k, ident in enumerate((Identity.HOSTILE, Identity.FRIEND, Identity.UNKNOWN)):
        p.save()
        p.translate(QPointF(25 + 35 * k, 60))  # centred on the frame's edge
        paint_symbol(p, ident, domain, Variant.SELECTED)
        p.restore()
    p.end()
    pix = rgb(img)
    assert (pix[:60] < 200).any()  # drawn above the edge
    assert (pix[61:] == 255).all()  # and nothing below it


def test_pdf_snapshot_has_no_symbol_marks_outside_the_map_frame(qapp, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed (.ci/run installs it)")
    from cop_app.core.updates import TrackUpdate
    from cop_app.ui.snapshot import SnapshotOptions, render_snapshot

    t = time.time()
    bbox = (30.0, 45.0, 38.0, 49.0)
    pic = Picture()
    # Aircraft and ships on the frame's bottom edge, a little inside and outside it, at
    # half degrees (the collar's longitude labels sit at whole ones).
    spots = [(30.5 + k, lat, dom) for k in range(8)
             for lat, dom in ((45.02, Domain.AIR), (44.99, Domain.SEA), (44.97, Domain.AIR))]
    for i, (lon, lat, dom) in enumerate(spots):
        pic.upsert(TrackUpdate(dom, f"{dom.label}:{i}", "test", t, lat, lon,
                               {"identity": "hostile"}))  # fmt: skip
    path = tmp_path / "edge.pdf"
    info = render_snapshot(pic, SnapshotOptions(bbox=bbox, at=t, window_s=3600.0, fmt="pdf",
                                                paper="A4", produced=t,
                                                layers=frozenset({"air", "sea"})), path)
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    pix = rgb(QImage(str(tmp_path / "page.png")))
    m = info.map_rect
    assert count(pix, SALMON, 25, (round(m.center().x()), round(m.bottom()) - 6,
                                   round(m.width() / 2) - 4)) > 100  # drawn inside
    below = pix[round(m.bottom()) + 2:round(m.bottom()) + 13]  # the collar, to its line
    salmon = np.abs(below - np.array([255, 128, 128])).max(axis=2) <= 25
    assert salmon.sum() == 0  # no symbol fill under the frame ...
    for lon in {lon for lon, _, _ in spots}:
        x, _ = info.project(45.0, lon, scale=1.0)
        column = below[:, round(x) - 12:round(x) + 12]
        assert (column.min(axis=2) > 120).all()  # ... and no black mark (hull, aircraft)


# ---- finding 10: go to a coordinate ------------------------------------------------------
@pytest.mark.parametrize("text,reason", [
    ("36T UR 5800 200000", "same number of digits"),  # the trial's input: 4 and 6 digits
    ("37U DQ 123 45", "same number of digits"),
    ("37U DQ 12345", "odd number of digits"),
    ("37U DQ 123456 654321", "at most 5 digits"),
    ("37U DQ 1 2 3", "two groups at most"),
    ("61U DQ 1 2", "zone 61"),
])  # fmt: skip
def test_malformed_mgrs_is_refused_with_the_reason(text, reason):
    from cop_app.ui.map.tools import parse_position

    with pytest.raises(ValueError, match=reason):
        parse_position(text)


def test_mgrs_one_run_splits_in_half_and_the_prompt_shows_examples():
    from cop_app.ui.map.tools import GOTO_PROMPT, parse_position

    assert parse_position("37U DQ 1234567890") == parse_position("37U DQ 12345 67890")
    for example in ("37U DQ 12345 67890", "48.5867 37.84"):
        assert example in GOTO_PROMPT
        parse_position(example)  # and each example is one the parser takes


def test_go_to_mgrs_draws_a_crosshair_and_the_100_m_square(qtbot):
    from pyproj import Geod

    from cop_app.ui.map.tools import GoToMarker, go_to, mgrs_square, parse_position

    hub, view, _ = full_map(qtbot, Picture(), (800, 600), (30.0, 46.0, 31.0, 47.0))
    ref = "36T VS 123 567"  # 6 digits: a 100 m square (8 digits: 10 m, 10 digits: 1 m)
    assert "100 m square" in go_to(view, ref, span_km=0.5)  # it returns a confirmation
    lat, lon = parse_position(ref)
    corners = mgrs_square(ref)
    geod = Geod(ellps="WGS84")
    for (la1, lo1), (la2, lo2) in zip(corners, corners[1:] + corners[:1], strict=True):
        assert geod.inv(lo1, la1, lo2, la2)[2] == pytest.approx(100.0, abs=1.0)
    pix = rgb(view.grab().toImage())
    cyan = "#00B8D4"
    c = view.latlon_to_widget(lat, lon)
    assert count(pix, cyan, 30, (round(c.x()), round(c.y()), 30)) > 60  # the crosshair
    for la, lo in corners:  # the square's outline passes by every corner
        p = view.latlon_to_widget(la, lo)
        assert count(pix, cyan, 30, (round(p.x()), round(p.y()), 4)) > 0
    marker = next(i for i in view.scene().items() if isinstance(i, GoToMarker))
    marker.clear()
    pix = rgb(view.grab().toImage())
    assert count(pix, cyan, 30, (round(c.x()), round(c.y()), 30)) == 0  # gone after a while
    # Bad input leaves the view where it was and marks nothing.
    before = view.viewbox.viewRange()
    with pytest.raises(ValueError):
        go_to(view, "36T UR 5800 200000")
    assert view.viewbox.viewRange() == before and marker.at is None
    hub.close()


# ---- finding 11: the ruler's result in a fixed box -----------------------------------------
def test_range_bearing_result_stays_readable_with_the_end_off_view(qtbot):
    hub, view, _ = full_map(qtbot, Picture(), (900, 600), (30.0, 45.0, 34.0, 47.5))
    items = [i for i in view.scene().items() if type(i).__name__ == "RangeBearingTool"]
    ruler = items[0]
    said: list[str] = []
    ruler.measured.connect(said.append)
    ruler.measure(46.48, 30.73, 41.01, 28.98)  # Odesa to Istanbul: the end is off the view
    assert said and "km" in said[-1] and "nm" in said[-1] and "°T" in said[-1]
    box = ruler.readout_rect().translated(ruler.pos())
    end = view.latlon_to_widget(41.01, 28.98)
    assert not view.viewport().rect().contains(end.toPoint())
    img = view.grab().toImage()
    pix = rgb(img)
    r = box.toRect()
    part = pix[r.top():r.bottom(), r.left():r.right()]
    assert r.width() > 120 and (part.max(axis=2) < 80).sum() > 100  # dark text on the box
    assert [ln.split()[0] for ln in ruler.readout_lines()] == ["Range", "Bearing", "From", "To"]
    ruler.clear()
    assert said[-1] == ""
    hub.close()


# ---- finding 4: a legend that gives the map back ------------------------------------------
@pytest.mark.parametrize("width,expanded", [(1000, False), (1600, True)])
def test_legend_starts_collapsed_on_a_narrow_map(qtbot, width, expanded):
    hub, view, _ = full_map(qtbot, Picture(), (width, 700), (30.0, 45.0, 38.0, 49.0))
    legend = next(i for i in view.scene().items() if type(i).__name__ == "ReportLegend")
    assert legend.expanded is expanded and hub.layers["legend"] is expanded
    hub.close()


def test_legend_chip_is_small_and_a_click_or_the_layers_switch_toggles_it(qtbot):
    from PySide6.QtCore import Qt

    from cop_app.ui.panels.layers import LayersPanel

    hub, view, _ = full_map(qtbot, Picture(), (1200, 760), (30.0, 45.0, 38.0, 49.0))
    panel = LayersPanel(hub)
    qtbot.addWidget(panel)
    legend = next(i for i in view.scene().items() if type(i).__name__ == "ReportLegend")
    box = panel.boxes["legend"]
    assert not legend.expanded and not box.isChecked()
    chip = legend.sceneBoundingRect()
    map_area = view.viewbox.sceneBoundingRect()
    assert chip.width() * chip.height() < 0.01 * map_area.width() * map_area.height()
    assert chip.right() <= map_area.right() and chip.bottom() <= map_area.bottom()
    # A click on the chip opens the legend (and the Layers switch follows) ...
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(chip.center()))  # fmt: skip
    full = legend.sceneBoundingRect()
    assert legend.expanded and box.isChecked()
    assert full.width() * full.height() > 10 * chip.width() * chip.height()
    pix = rgb(view.grab().toImage())
    r = full.toRect()
    part = pix[r.top():r.bottom(), r.left():r.right()]
    red = np.abs(part - np.array([0xE5, 0x39, 0x35])).max(axis=2) <= 12  # the verified swatch
    assert red.sum() > 5
    # ... and the Layers switch closes it again; it stays so when the map widens.
    box.setChecked(False)
    assert not legend.expanded
    view.resize(1700, 760)
    qtbot.wait(20)
    assert not legend.expanded and legend.sceneBoundingRect().width() == chip.width()
    assert "Selected" in legend.lines() and "Hostile / suspect" in legend.lines()
    hub.close()


def test_after_a_zoom_the_label_margin_is_placed_while_idle(qtbot, crowded):
    _, view, layers = crowded
    shared = layers["air"].declutter
    view.grab()  # settle: a pan at this scale reuses the placed margin
    view.viewbox.scaleBy(s=(0.9, 0.9))
    view.grab()  # a zoom frame places the view alone
    vw, vh = view.viewbox.width(), view.viewbox.height()
    assert shared._region.width() <= vw + 1
    qtbot.waitUntil(lambda: shared._region.width() > vw * 1.2, timeout=2000)
    assert shared._region.height() > vh * 1.2
    placed_before = shared._placed
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    d = (x1 - x0) * 0.02
    view.viewbox.setRange(xRange=(x0 + d, x1 + d), yRange=(y0, y1), padding=0)
    view.grab()  # the first pan after the zoom reuses the idle placement
    assert shared._placed is placed_before
