"""File → Export and ``cop-app snapshot`` make the same product of the same picture:
the same time window when none is brushed, and the product's own title."""

from __future__ import annotations

import json

from cop_app import cli
from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_iso, parse_iso
from cop_app.core.updates import ReportUpdate
from cop_app.store.cache import PictureCache
from cop_app.ui.hub import Hub
from cop_app.ui.map.view import MapView
from cop_app.ui.snapshot_dialog import ExportDialog, export_from_window

AT = parse_iso("2026-11-26T15:30:00Z")
HOURS_AGO = (0.5, 2, 5, 7, 12, 30)  # three inside six hours, three before


def _picture() -> Picture:
    pic = Picture(history_seconds=3 * 86400)
    pic.upsert_many([ReportUpdate(f"rep-{h}", "field", AT - h * 3600, 47.9, 37.7, None,
                                  {"event_type": "explosion", "status": "reported",
                                   "title": f"{h} h before"}) for h in HOURS_AGO])  # fmt: skip
    return pic


def _report_ids(path) -> set[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["id"] for f in doc["features"]
            if f["properties"].get("kind") == "report"}  # fmt: skip


def _gui_export(qtbot, tmp_path, pic, *, brushed=None, all_times=False):
    hub = Hub(pic)
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.set_bbox(30.0, 44.0, 41.0, 52.0)
    hub.set_live(False)
    hub.set_cursor(AT)
    hub.set_window(brushed)
    dlg = ExportDialog(None, banner="", brushed=brushed)
    qtbot.addWidget(dlg)
    dlg.fmt.setCurrentText("GEOJSON")
    if all_times:
        dlg.window_choice.setCurrentIndex(dlg.window_choice.findData("all"))
    out = export_from_window(None, hub, view, banner="", path=tmp_path / "gui.geojson",
                             dialog=dlg)  # fmt: skip
    hub.close()
    return dlg, out


def test_gui_export_without_a_brush_covers_what_the_cli_covers(qtbot, tmp_path):
    pic = _picture()
    cache_path = tmp_path / "cache.sqlite"
    with PictureCache(cache_path) as cache:
        cache.save(pic)
    cli_out = tmp_path / "cli.geojson"
    assert cli.main(["snapshot", "--cache", str(cache_path), "--at", format_iso(AT),
                     "--layers", "reports", "-o", str(cli_out)]) == 0  # fmt: skip
    dlg, gui_out = _gui_export(qtbot, tmp_path, pic)
    expected = {f"rep-{h}" for h in HOURS_AGO if h <= 6}  # the CLI's documented 6 h
    assert _report_ids(cli_out) == expected
    assert _report_ids(gui_out) == expected
    assert "6 h" in dlg.window_choice.currentText()  # the dialog says what it will cover
    assert dlg.title.text() == "Common operating picture"


def test_a_brushed_window_or_all_times_wins(qtbot, tmp_path):
    _, out = _gui_export(qtbot, tmp_path, _picture(), brushed=(AT - 3 * 3600, AT))
    assert _report_ids(out) == {"rep-0.5", "rep-2"}
    _, out = _gui_export(qtbot, tmp_path, _picture(), all_times=True)
    assert _report_ids(out) == {f"rep-{h}" for h in HOURS_AGO}


def test_title_is_the_products_not_the_windows(qtbot, tmp_path):
    dlg = ExportDialog(None, title=None, banner="")
    qtbot.addWidget(dlg)
    dlg.title.setText("  ")
    hub = Hub(_picture())
    view = MapView(hub)
    qtbot.addWidget(view)
    assert dlg.options(hub, view).title == "Common operating picture"
    hub.close()
