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
              var c = document.querySelector('.leaflet-popup-content');
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
