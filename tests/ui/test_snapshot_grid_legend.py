"""Snapshot products a briefer reads: grid values at the frame edges (a grid reference
can be read off the product), the report event-type key in the legend, and track
labels in the vector formats. Checked in what a reader gets: SVG text elements,
``pdftotext`` of the PDF, and where the page says it drew each label."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from defusedxml import ElementTree
from PySide6.QtCore import QRectF

from cop_app.core.enums import Domain
from cop_app.core.geo import to_mgrs
from cop_app.core.picture import Picture
from cop_app.core.style import EVENT_LABELS, STATUS_LABELS
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import ReportUpdate, TrackUpdate
from cop_app.ui.snapshot import SnapshotOptions, render_snapshot
from cop_app.ui.snapshot_grid import mgrs_grid
from cop_app.ui.snapshot_page import PageLayout

T0 = parse_iso("2026-11-26T15:00:00Z")
ODESA = (29.7, 46.1, 31.2, 46.8)  # UTM zones 35 and 36 (30E): two GZDs
SVG = "{http://www.w3.org/2000/svg}"


def make_picture() -> Picture:
    """Ships off Odesa (some in a tight cluster), one hostile aircraft, reports of two
    event types."""
    pic = Picture()
    ups = [TrackUpdate(Domain.AIR, "icao:abc123", "test:adsb", T0, 46.5, 30.9,
                       {"identity": "hostile", "callsign": "BAD01", "altitude_ft": 35000.0})]
    for k in range(12):
        lat, lon = 46.35 + 0.004 * (k % 4), 30.75 + 0.004 * (k // 4)
        ups.append(TrackUpdate(Domain.SEA, f"mmsi:27300{k:04d}", "test:ais", T0, lat, lon,
                               {"name": f"SHIP{k:02d}"}))  # fmt: skip
    reports = [ReportUpdate(f"r{k}", "field", T0 - 60 * k, 46.55 + 0.01 * k, 31.1, None,
                            {"event_type": ev, "status": st})
               for k, (ev, st) in enumerate([("explosion", "verified"), ("explosion", "triaged"),
                                             ("mine_uxo", "triaged")])]  # fmt: skip
    pic.upsert_many([*ups, *reports])
    return pic


@pytest.fixture(scope="module")
def picture() -> Picture:
    return make_picture()


def opts(**kw: object) -> SnapshotOptions:
    base = dict(bbox=ODESA, at=T0 + 5, window_s=3600.0, size=(1600, 900), produced=T0,
                layers=frozenset({"air", "sea", "land", "zones"}), grid="mgrs")
    base.update(kw)
    return SnapshotOptions(**base)  # type: ignore[arg-type]


def svg_texts(path) -> list[tuple[str, float, float]]:
    root = ElementTree.parse(str(path)).getroot()
    return [("".join(t.itertext()).strip(), float(t.get("x", 0)), float(t.get("y", 0)))
            for t in root.iter(f"{SVG}text")]  # fmt: skip


def test_mgrs_edge_digits_are_the_mgrs_of_the_point_where_the_line_meets_the_frame():
    grid = mgrs_grid(ODESA, width_px=1500)
    assert grid.step_text == "10 km"
    assert {t.side for t in grid.ticks} == {"top", "bottom", "left", "right"}
    for t in grid.ticks:
        # The mgrs library's reference of that point, independent of our UTM sums:
        # its easting (top/bottom) or northing (left/right) is the line's value.
        _, _, east, north = to_mgrs(t.lat, t.lon, precision=5).split()
        value = int(east if t.side in ("top", "bottom") else north)
        if t.full:
            assert re.fullmatch(r"\d{6,7}m[EN]", t.text)
            full = int(t.text[:-2]) % 100000
            assert min(abs(value - full), 100000 - abs(value - full)) <= 2
        else:
            assert re.fullmatch(r"\d\d", t.text)
            off = abs(value - int(t.text) * 1000)
            assert min(off, 100000 - off) <= 2, (t, value)
    assert set(grid.squares) == {"35T", "36T"}


def test_svg_collar_carries_grid_values_and_squares_avoid_tracks(qapp, picture, tmp_path):
    info = render_snapshot(picture, opts(fmt="svg"), tmp_path / "m.svg")
    words = [w for w, _, _ in svg_texts(tmp_path / "m.svg")]
    collar = [d for d in info.grid_labels if d.kind != "square"]
    assert {d.kind for d in collar} == {"top", "bottom", "left", "right"}
    assert any(w.endswith("mE") for w in words) and any(w.endswith("mN") for w in words)
    assert sum(1 for w in words if re.fullmatch(r"\d\d", w)) >= 10
    frame = info.map_rect
    for d in collar:  # in the collar: outside the map, so they cover nothing on it
        assert d.text in words
        assert not d.rect.adjusted(1, 1, -1, -1).intersects(frame), d
    # The 100 km square names are on the map, as text, and clear of every track symbol.
    squares = [d for d in info.grid_labels if d.kind == "square"]
    assert squares and all(d.text in words for d in squares)
    assert all(re.fullmatch(r"3[56]T [A-Z]{2}", d.text) for d in squares)
    for lat, lon in [(46.5, 30.9)] + [(46.35 + 0.004 * (k % 4), 30.75 + 0.004 * (k // 4))
                                      for k in range(12)]:  # fmt: skip
        x, y = info.project(lat, lon)
        symbol = QRectF(x - 12, y - 12, 24, 24)
        assert not any(d.rect.intersects(symbol) for d in squares)
    # The footer names the grid so the reader knows what the digits are.
    assert "10 km lines labelled in km" in info.attribution[1]
    assert "35T" in info.attribution[1] and "36T" in info.attribution[1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_pdf_text_has_grid_values_legend_shapes_and_track_labels(qapp, picture, tmp_path):
    path = tmp_path / "m.pdf"
    render_snapshot(picture, opts(fmt="pdf", grid="latlon"), path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert re.search(r"30°\d\d'E", text) and re.search(r"46°\d\d'N", text)  # lon/lat collar
    # Track labels drawn as text in the vector product (they were missing before).
    assert "BAD01" in text and "FL350" in text and "SHIP" in text
    # The event-type key: the shapes in view and their counts, not the others.
    assert re.search(r"Explosion\s+2", text) and re.search(r"Mine / UXO\s+1", text)
    assert "Weapon sighting" not in text and "Burst" not in text


def test_legend_event_rows_only_for_types_in_view(qapp, picture, tmp_path):
    info = render_snapshot(picture, opts(fmt="svg"), tmp_path / "l.svg")
    events = {e.label: e.count for e in info.legend if e.swatch[0] == "event"}
    assert events == {EVENT_LABELS["explosion"]: 2, EVENT_LABELS["mine_uxo"]: 1}
    statuses = {e.label: e.count for e in info.legend if e.swatch[0] == "report"
                and e.detail}  # fmt: skip
    assert statuses == {STATUS_LABELS["verified"]: 1, STATUS_LABELS["triaged"]: 2}
    words = [w for w, _, _ in svg_texts(tmp_path / "l.svg")]
    assert {"Explosion", "Mine / UXO", "By event type (shape)"} <= set(words)
    assert not info.legend_layout.hidden


def test_crowded_legend_stays_inside_its_box(qapp, tmp_path):
    """Every status, every event type and many zone kinds on a small page: the legend
    tightens rather than running off its box, and says what it left out."""
    pic = make_picture()
    events, statuses = list(EVENT_LABELS), list(STATUS_LABELS)
    pic.upsert_many([ReportUpdate(f"c{k}", "field", T0 - k, 46.4, 30.6 + 0.01 * k, None,
                                  {"event_type": events[k % len(events)],
                                   "status": statuses[k % len(statuses)]})
                     for k in range(40)])  # fmt: skip
    for size in ((800, 600), (1600, 900)):
        info = render_snapshot(pic, opts(fmt="png", size=size), tmp_path / f"c{size[0]}.png")
        lay = info.legend_layout
        box = QRectF(0, 0, 0, 0)
        for c in lay.cells:
            box = box.united(QRectF(c.x, c.y - lay.row_h / 2, c.width, lay.row_h))
        legend = PageLayout(info.page, "png").legend
        assert legend.contains(box.adjusted(1, 1, -1, -1)), (size, box, legend)
        drawn = {c.row.label for c in lay.cells}
        if lay.hidden:
            assert any(label.startswith("+ ") for label in drawn)
        else:
            wanted = {e.label for e in info.legend if e.swatch[0] == "event"}
            assert len(wanted) >= 6 and wanted <= drawn


def test_svg_track_labels_are_text_beside_their_tracks(qapp, picture, tmp_path):
    info = render_snapshot(picture, opts(fmt="svg", bbox=(30.6, 46.3, 31.0, 46.55)),
                           tmp_path / "t.svg")  # fmt: skip
    found = {w: (x, y) for w, x, y in svg_texts(tmp_path / "t.svg")}
    assert "BAD01" in found and "FL350" in found
    x, y = info.project(46.5, 30.9)
    lx, ly = found["BAD01"]
    assert abs(lx - x) < 200 and abs(ly - y) < 60  # beside its symbol
    # The cluster of 12 ships: labels never overlap each other (greedy placement).
    names = [w for w in found if w.startswith("SHIP")]
    assert names
    pts = np.array([found[w] for w in names])
    if len(pts) > 1:
        d = np.abs(pts[:, None, :] - pts[None, :, :])
        overlap = (d[..., 0] < 40) & (d[..., 1] < 14)
        np.fill_diagonal(overlap, False)
        assert not overlap.any()
