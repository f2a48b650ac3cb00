"""A PDF or SVG brief names who matters at any scale: hostile, emergency and selected
tracks are labelled (as text) on an A4 page of the whole exercise area, where the
screen's zoom rule would label none, and symbols shrink to the page."""

from __future__ import annotations

import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import parse_iso
from cop_app.core.updates import TrackUpdate, air_key
from cop_app.ui.snapshot import SnapshotOptions, render_snapshot
from cop_app.ui.snapshot_labels import page_symbol_scale

T0 = parse_iso("2026-11-26T15:30:00Z")
EXERCISE = (28.0, 43.5, 41.0, 52.5)  # cop-app snapshot's default area
SVG = "{http://www.w3.org/2000/svg}"
# Twelve hostile UAVs within ~15 km of Donetsk: a crowd on an A4 sheet.
UAVS = [(f"UAV{n:02d}", 48.0 + 0.03 * (n % 4), 37.65 + 0.05 * (n // 4)) for n in range(12)]


def _picture() -> Picture:
    pic = Picture()
    ups = [TrackUpdate(Domain.AIR, air_key(f"a{n:05d}"), "sbs", T0 - 5, lat, lon,
                       {"callsign": name, "identity": "hostile", "altitude_ft": 3000.0})
           for n, (name, lat, lon) in enumerate(UAVS)]  # fmt: skip
    ups += [
        TrackUpdate(Domain.AIR, air_key("f00001"), "sbs", T0 - 5, 46.5, 31.0,
                    {"callsign": "FRND1", "identity": "friend", "altitude_ft": 20000.0}),
        TrackUpdate(Domain.AIR, air_key("f00002"), "sbs", T0 - 5, 45.5, 33.0,
                    {"callsign": "PICKED", "identity": "friend", "altitude_ft": 9000.0}),
        TrackUpdate(Domain.AIR, air_key("e00003"), "sbs", T0 - 5, 47.0, 30.0,
                    {"callsign": "MAYDAY1", "identity": "unknown", "squawk": "7700"}),
    ]
    pic.upsert_many(ups)
    return pic


def _opts(fmt: str) -> SnapshotOptions:
    return SnapshotOptions(bbox=EXERCISE, at=T0, window_s=3600.0, fmt=fmt, produced=T0,
                           layers=frozenset({"air"}), selected=frozenset({air_key("f00002")}))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_a4_pdf_names_hostile_emergency_and_selected_tracks(qapp, tmp_path):
    path = tmp_path / "brief.pdf"
    render_snapshot(_picture(), _opts("pdf"), path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    missing = [name for name, _, _ in UAVS if name not in text]
    assert missing == [], text
    assert "EMERGENCY" in text and "MAYDAY1" in text
    assert "PICKED" in text  # selected by the officer
    assert "FRND1" not in text  # an ordinary friend, zoomed out: no label (declutter)


def test_svg_names_them_too(qapp, tmp_path):
    path = tmp_path / "brief.svg"
    render_snapshot(_picture(), _opts("svg"), path)
    words = {"".join(t.itertext()).strip()
             for t in ElementTree.parse(str(path)).getroot().iter(f"{SVG}text")}  # fmt: skip
    assert {name for name, _, _ in UAVS} <= words
    assert {"MAYDAY1", "PICKED"} <= words


def test_symbols_shrink_to_an_a4_map_but_not_a_slide():
    a4_map_px = 297 / 25.4 * 96 * 0.75  # an A4 landscape sheet's map frame, about
    assert page_symbol_scale(a4_map_px) < 0.7
    assert page_symbol_scale(1600) == 1.0
