"""Snapshots: marking at top and bottom, legend of visible layers only, tracks where
``as_of`` puts them, the PDF page through pdftoppm, and the SVG as plain text."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from defusedxml import ElementTree
from PySide6.QtGui import QColor, QImage

from cop_app.core.entities import Zone
from cop_app.core.enums import Domain
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_dtg, parse_iso
from cop_app.core.updates import TrackUpdate
from cop_app.ui.snapshot import SnapshotOptions, render_snapshot

T0 = parse_iso("2026-11-26T15:00:00Z")
AT = T0 + 30.0  # halfway between the two fixes: as_of interpolates
BBOX = (30.0, 45.0, 38.0, 49.0)
HOSTILE = QColor("#FF8080")  # UX.md: 2525C hostile fill (salmon)
BANNER = "#007A33"


def make_picture() -> Picture:
    """One hostile aircraft flying east (fixes at 33E then 34E, 60 s apart), one
    unknown ship, and one buffer zone."""
    pic = Picture()
    for t, lon in ((T0, 33.0), (T0 + 60.0, 34.0)):
        pic.upsert(TrackUpdate(Domain.AIR, "icao:abc123", "test:adsb", t, 47.0, lon,
                               {"identity": "hostile", "callsign": "BAD01"}))  # fmt: skip
    pic.upsert(TrackUpdate(Domain.SEA, "mmsi:273000001", "test:ais", T0 + 10, 45.8, 31.5,
                           {"name": "SHIP ONE"}))  # fmt: skip
    pic.set_zone(Zone.from_feature({
        "type": "Feature", "id": "buf1",
        "properties": {"id": "buf1", "kind": "buffer", "name": "Buffer <b>A</b>"},
        "geometry": {"type": "Polygon", "coordinates": [[[35, 47.5], [36, 47.5], [36, 48.2],
                                                         [35, 48.2], [35, 47.5]]]},
    }))  # fmt: skip
    return pic


@pytest.fixture(scope="module")
def picture() -> Picture:
    return make_picture()


def opts(**kw: object) -> SnapshotOptions:
    base = dict(bbox=BBOX, at=AT, window_s=3600.0, size=(1600, 900), produced=AT + 600)
    base.update(kw)
    return SnapshotOptions(**base)  # type: ignore[arg-type]


def rgb(img: QImage, x: float, y: float) -> tuple[int, int, int]:
    c = img.pixelColor(round(x), round(y))
    return c.red(), c.green(), c.blue()


def near(a: tuple[int, int, int], b: QColor, tol: int = 12) -> bool:
    return max(abs(a[0] - b.red()), abs(a[1] - b.green()), abs(a[2] - b.blue())) <= tol


def colour_around(img: QImage, x: float, y: float, colour: QColor, r: int = 10) -> int:
    """How many pixels near (x, y) have ``colour``."""
    return sum(near(rgb(img, x + dx, y + dy), colour)
               for dx in range(-r, r + 1) for dy in range(-r, r + 1)
               if 0 <= x + dx < img.width() and 0 <= y + dy < img.height())  # fmt: skip


def strip_share(img: QImage, y0: int, y1: int, colour: QColor) -> float:
    xs = range(0, img.width(), 7)
    ys = range(y0, y1)
    hits = sum(near(rgb(img, x, y), colour, 20) for x in xs for y in ys)
    return hits / (len(xs) * len(ys))


def strip(img: QImage, y0: int, y1: int) -> np.ndarray:
    part = img.copy(0, y0, img.width(), y1 - y0).convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(part.constBits(), np.uint8, part.sizeInBytes())
    return buf.reshape(part.height(), part.bytesPerLine())[:, : part.width() * 4].copy()


def test_banner_top_and_bottom_in_colour_with_its_text(qapp, picture, tmp_path):
    info = render_snapshot(picture, opts(banner="SECRET TEST MARKING", banner_colour="#C8102E"),
                           tmp_path / "a.png")  # fmt: skip
    img = QImage(str(tmp_path / "a.png"))
    assert (img.width(), img.height()) == (1600, 900)
    h = int(info.banner_height * info.scale)
    red = QColor("#C8102E")
    assert strip_share(img, 1, h - 1, red) > 0.6  # mostly banner colour: the text is on it
    assert strip_share(img, 900 - h + 1, 899, red) > 0.6
    assert strip_share(img, h + 4, h + 10, red) < 0.05  # and only a strip
    top, bottom = strip(img, 0, h), strip(img, 900 - h, 900)
    assert np.array_equal(top, bottom)  # the same banner, text and all, at both ends
    white = (top[:, 0::4] > 230) & (top[:, 1::4] > 230) & (top[:, 2::4] > 230)
    assert white.sum() > 200  # white text on the dark red
    render_snapshot(picture, opts(banner="OTHER WORDS", banner_colour="#C8102E"),
                    tmp_path / "b.png")  # fmt: skip
    other = QImage(str(tmp_path / "b.png"))
    assert not np.array_equal(strip(other, 0, h), top)  # the text is what differs


def test_legend_lists_only_visible_layers(qapp, picture, tmp_path):
    info = render_snapshot(picture, opts(layers=frozenset({"sea", "zones"})), tmp_path / "s.png")
    assert info.legend_layers() == {"sea", "zones"}
    rows = {(e.label, e.count) for e in info.legend if not e.detail}
    assert rows == {("Sea tracks", 1), ("Zones", 1)}
    img = QImage(str(tmp_path / "s.png"))
    x, y = info.project(47.0, 33.5)
    assert colour_around(img, x, y, HOSTILE) == 0  # the air layer is off: no symbol drawn
    full = render_snapshot(picture, opts(), tmp_path / "f.png")
    assert {"air", "sea", "land", "zones"} <= full.legend_layers()
    assert ("Air tracks", 1) in {(e.label, e.count) for e in full.legend}
    # The legend panel shows the hostile swatch only when the air layer is in it.
    legend_px = QImage(str(tmp_path / "f.png")), img
    panel = full.map_rect.right() * full.scale + 4
    counts = [sum(near(rgb(im, px, py), HOSTILE, 10) for px in range(int(panel), im.width(), 2)
                  for py in range(0, im.height(), 2)) for im in legend_px]  # fmt: skip
    assert counts[0] > 0 and counts[1] == 0


def test_track_pixels_sit_where_as_of_puts_them(qapp, picture, tmp_path):
    frame = picture.as_of(AT)
    i = frame.keys.index("icao:abc123")
    lat, lon = float(frame.lat[i]), float(frame.lon[i])
    assert lon == pytest.approx(33.5)  # halfway between the fixes (the spec of as_of)
    info = render_snapshot(picture, opts(dpi=144, size=(2400, 1350)), tmp_path / "t.png")
    img = QImage(str(tmp_path / "t.png"))
    x, y = info.project(lat, lon)
    assert colour_around(img, x, y, HOSTILE, r=12) > 40
    for other_lon in (33.0, 34.0):  # the raw fixes, ~50 px either side at this scale
        ox, oy = info.project(lat, other_lon)
        assert abs(ox - x) > 40
        assert colour_around(img, ox, oy, HOSTILE, r=8) == 0


def test_pdf_page_through_pdftoppm(qapp, picture, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed (.ci/run installs it)")
    path = tmp_path / "brief.pdf"
    info = render_snapshot(picture, opts(fmt="pdf", paper="A4", layers=frozenset({"air", "sea"})),
                           path)  # fmt: skip
    assert path.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-singlefile", str(path),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    page = QImage(str(tmp_path / "page.png"))
    assert (page.width(), page.height()) == (round(info.page.width()), round(info.page.height()))
    h = int(info.banner_height)
    green = QColor(BANNER)
    assert strip_share(page, 1, h - 1, green) > 0.6
    assert strip_share(page, page.height() - h + 1, page.height() - 1, green) > 0.6
    x, y = info.project(47.0, 33.5, scale=1.0)
    # The track, where as_of puts it (an A4 map draws symbols at ~0.6 of screen size:
    # snapshot_labels.page_symbol_scale, so fewer of its pixels than on a slide).
    assert colour_around(page, x, y, HOSTILE, r=12) > 12
    sea = QColor("#CFE3F0")
    sx, sy = info.project(45.6, 31.0, scale=1.0)  # the Black Sea, south of Odesa
    assert colour_around(page, sx, sy, sea, r=3) > 20
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert lines[0] == lines[-1] == "UNCLASSIFIED \u2014 EXERCISE"
    assert format_dtg(AT) in text and "Natural Earth" in text
    assert "Air tracks" in text and "Sea tracks" in text and "Zones" not in text


def test_svg_is_vector_text_and_untrusted_strings_stay_text(qapp, picture, tmp_path):
    path = tmp_path / "brief.svg"
    title = "<script>alert(1)</script> & {0} %s"
    render_snapshot(picture, opts(fmt="svg", title=title, size=(1400, 900)), path)
    raw = path.read_text(encoding="utf-8")
    root = ElementTree.fromstring(raw.encode())  # well-formed: the title did not break it
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert title in texts
    assert texts.count("UNCLASSIFIED \u2014 EXERCISE") == 2
    assert "<script" not in raw
    assert len(raw) < 6_000_000  # symbols as paths, not the atlas embedded per track


def test_mgrs_grid_labels_squares(qapp, picture, tmp_path):
    from cop_app.ui.snapshot_grid import mgrs_grid

    grid = mgrs_grid((33.0, 46.0, 37.0, 48.5))
    assert grid.major  # the 36/37 zone boundary at 36E
    assert any(np.allclose(line[:, 0], 36.0) for line in grid.major)
    names = {text for text, _, _ in grid.cell_labels}
    assert {"36T", "36U", "37U"} <= {n.split()[0] for n in names}
    for text, lon, lat in grid.cell_labels:  # UTM zone 36 is 30-36E, 37 is 36-42E
        assert text.startswith("36" if lon < 36 else "37")
        assert text.split()[0][-1] == ("T" if lat < 48 else "U")  # bands: T 40-48N, U 48-56N
    render_snapshot(picture, opts(grid="mgrs", bbox=(33.0, 46.0, 37.0, 48.5)), tmp_path / "m.png")
