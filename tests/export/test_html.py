"""HTML export in real headless Chromium: renders, errs not, calls no one, runs no text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cop_app.export import write
from tests.export.cdp import CHROMIUM, Browser
from tests.export.conftest import T0, build_picture

ALL = {"air", "sea", "land", "reports", "zones"}
POINTS = 4 + 2  # four tracks and two point reports (the mined field is a polygon)
INJECTIONS = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
              "`${alert(1)}` \u2028 ]]> <svg onload=alert(1)>"]  # fmt: skip


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "data", "action")]


def _export(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brief.html"
    write("html", build_picture(text), path, at=T0, layers=ALL, title="Morning <b>brief</b>",
          banner="UNCLASSIFIED — EXERCISE")  # fmt: skip
    return path


def test_page_references_nothing_outside(tmp_path):
    text = _export(tmp_path, INJECTIONS[0]).read_text(encoding="utf-8")
    links = _Links()
    links.feed(text)
    assert [u for u in links.urls if re.match(r"^(https?:)?//", u)] == []
    assert "//cdn" not in text and "jquery" not in text.lower()
    assert "Morning &lt;b&gt;brief&lt;/b&gt;" in text  # the title is escaped too
    assert text.count("UNCLASSIFIED — EXERCISE") == 2  # banner top and bottom
    assert "261530ZNOV26" in text


pytestmark_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


@pytestmark_chromium
@pytest.mark.slow
@pytest.mark.parametrize("text", INJECTIONS)
def test_renders_offline_without_errors_and_runs_no_injected_text(tmp_path, text):
    path = _export(tmp_path, text)
    with Browser() as browser:
        page = browser.page()
        page.load(path.as_uri())
        if text == INJECTIONS[0]:
            page.screenshot(Path("/tmp/cop_export_html.png"))
        assert page.eval("document.querySelectorAll('path.cop-marker').length") == POINTS
        assert page.eval("document.querySelectorAll('path.cop-shape').length") == 2
        assert page.eval("document.querySelectorAll('.leaflet-control-layers-overlays "
                         "input').length") == 5  # fmt: skip
        # Open every report popup; the one with the hostile text shows it literally.
        shown = page.eval("""(function () {
            var out = [];
            document.querySelectorAll('path.cop-reports').forEach(function (p) {
              p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 1, clientY: 1}));
              // the newest popup: a closed one fades out of the DOM after 200 ms
              var all = document.querySelectorAll('.leaflet-popup-content');
              var c = all[all.length - 1];
              out.push([c.textContent, c.querySelectorAll('img,script,svg').length]);
            });
            return out;})()""")
        page.pump(0.5)
        if text == INJECTIONS[0]:
            page.screenshot(Path("/tmp/cop_export_html_popup.png"))
    assert any(text in content for content, _ in shown), shown
    assert all(n == 0 for _, n in shown)
    assert page.dialogs == []
    assert page.errors == []
    outside = [u for u in page.requests if not u.startswith(("file:", "data:"))]
    assert outside == []


# ---- map-product basics: symbols, legend, north arrow, km + nm scale, the asked view --
from cop_app.core.enums import Domain  # noqa: E402
from cop_app.core.style import STATUS_COLOURS  # noqa: E402
from cop_app.core.updates import TrackUpdate, air_key  # noqa: E402
from cop_app.export.selection import ProductView  # noqa: E402

# UX.md's symbol table: affiliation -> 2525C light fill.
UX_FILLS = {"friend": "#80E0FF", "hostile": "#FF8080", "neutral": "#AAFFAA",
            "unknown": "#FFFF80"}  # fmt: skip


def _product(tmp_path: Path, name: str, view=None, emergency: bool = False) -> Path:
    pic = build_picture()
    if emergency:
        pic.upsert_many([TrackUpdate(Domain.AIR, air_key("4b1805"), "sbs", T0 - 5, 47.0, 35.3,
                                     {"squawk": "7700"})])  # fmt: skip
    path = tmp_path / name
    write("html", pic, path, at=T0, layers=ALL, view=view)
    return path


def _load(browser, path: Path):
    page = browser.page()
    page.load(path.as_uri())
    return page


@pytestmark_chromium
@pytest.mark.slow
def test_symbols_legend_arrow_and_scale(tmp_path):
    with Browser() as browser:
        page = _load(browser, _product(tmp_path, "p.html", emergency=True))
        page.screenshot(Path("/tmp/cop_export_html_symbols.png"))
        frames = page.eval("""Array.from(document.querySelectorAll('path.cop-frame.cop-marker'))
            .map(p => [p.dataset.family, p.getAttribute('fill'),
                       p.getAttribute('stroke-dasharray') || ''])""")
        reports = page.eval("""Array.from(document.querySelectorAll('path.cop-report'))
            .filter(p => p.classList.contains('cop-marker'))
            .map(p => [p.dataset.event, p.getAttribute('fill')])""")
        legend = page.eval("""Array.from(document.querySelectorAll('.cop-legend-row'))
            .map(r => [r.querySelector('.cop-legend-label').textContent,
                       r.querySelector('.cop-legend-count').textContent])""")
        alarms = page.eval("Array.from(document.querySelectorAll('.cop-alarm'))"
                           ".map(e => e.textContent)")
        north = page.eval("document.querySelector('.cop-north').textContent")
        scales = page.eval("""Array.from(document.querySelectorAll(
            '.leaflet-control-scale-line')).map(e => [e.textContent,
                                                     e.getBoundingClientRect().width])""")
        assert page.errors == [] and page.dialogs == []
    # Friend (air SWR123 flies 7700, drawn red; land patrol), hostile air, neutral sea.
    assert sorted(frames) == sorted([["friend", "#FF1A1A", ""], ["friend", UX_FILLS["friend"], ""],
                                     ["hostile", UX_FILLS["hostile"], ""],
                                     ["neutral", UX_FILLS["neutral"], ""]])  # fmt: skip
    assert alarms == ["EMERGENCY SWR123"]
    # Reports: shape by event type, colour by status (the one palette of style.py).
    assert sorted(reports) == [["explosion", STATUS_COLOURS["verified"]],
                               ["weapon_sighting", STATUS_COLOURS["under_verification"]]]
    assert ["Hostile / suspect", "1"] in legend and ["Friend", "2"] in legend
    assert ["Neutral", "1"] in legend
    assert ["Verified", "1"] in legend and ["Under verification", "1"] in legend
    assert ["Reported", "1"] in legend  # the mined field (a polygon report)
    assert ["Explosion", "1"] in legend and ["Mine / UXO", "1"] in legend
    assert north.strip() == "N"
    # A metric bar and a nautical-mile bar (no statute miles), each to the same scale.
    units = {text.split()[-1]: (float(text.split()[0]), width) for text, width in scales}
    assert set(units) == {"km", "nm"}, scales
    km_per_px = units["km"][0] * 1000 / units["km"][1]
    nm_per_px = units["nm"][0] * 1852 / units["nm"][1]  # 1 nm = 1852 m
    assert abs(km_per_px / nm_per_px - 1) < 0.03, (scales, km_per_px, nm_per_px)


@pytestmark_chromium
@pytest.mark.slow
def test_page_opens_on_the_asked_view_and_fits_data_only_without_one(tmp_path):
    bbox = (37.0, 47.5, 38.5, 48.3)
    with Browser() as browser:
        centre = _load(browser, _product(tmp_path, "c.html", ProductView(centre=(47.9, 37.7,
                                                                                  9.0))))
        c = centre.eval("[copMap.getCenter().lat, copMap.getCenter().lng, copMap.getZoom()]")
        boxed = _load(browser, _product(tmp_path, "b.html", ProductView(bbox=bbox)))
        b = boxed.eval("(function (b) { return [b.getWest(), b.getSouth(), b.getEast(), "
                       "b.getNorth()]; })(copMap.getBounds())")
        fitted = _load(browser, _product(tmp_path, "f.html"))
        f = fitted.eval("(function (b) { return [b.getWest(), b.getSouth(), b.getEast(), "
                        "b.getNorth()]; })(copMap.getBounds())")
    assert c == pytest.approx([47.9, 37.7, 9.0], abs=1e-6)
    assert b[0] <= bbox[0] and b[1] <= bbox[1] and b[2] >= bbox[2] and b[3] >= bbox[3]
    # Fitted tightly: the box fills most of the page one way (zoom steps of 0.25).
    assert max((bbox[2] - bbox[0]) / (b[2] - b[0]), (bbox[3] - bbox[1]) / (b[3] - b[1])) > 0.8
    # No view asked: everything exported is on the page (tracks 35.0..37.6 E, the zones).
    assert f[0] < 35.0 and f[2] > 37.6 and f[1] < 46.5 and f[3] > 48.1
