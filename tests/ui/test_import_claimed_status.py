"""A file cannot set a verification status: an imported GeoJSON report that says
"verified" is "reported" in the picture, the table and on the map, and Details shows
the file's word as the source's, not the mission's (core.verification.received_fields)."""

from __future__ import annotations

import json

from cop_app.ui.panels.details import report_html
from tests.ui.test_window_import import window


def test_an_imported_verified_claim_stays_reported(qtbot, tmp_path):
    win = window(qtbot, tmp_path)
    path = tmp_path / "claims.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "c1", "geometry": {"type": "Point", "coordinates": [37.8, 48.0]},
        "properties": {"event_type": "explosion", "status": "verified",
                       "time": "2026-11-27T03:00:00Z", "title": "Claimed strike"}}]}))
    runner = win.import_files([path], dialog=False)
    qtbot.waitUntil(runner.done.is_set, timeout=15_000)
    qtbot.waitUntil(lambda: bool(win.picture.reports()), timeout=15_000)
    [rep] = win.picture.reports()
    assert str(rep.status) == "reported"
    assert "verified (the source&#x27;s word, not verified here)" in report_html(rep)
    win.reports.status.setCurrentText("All statuses")
    qtbot.waitUntil(lambda: rep.id in win.reports.shown_ids(), timeout=15_000)
    row = win.reports.shown_ids().index(rep.id)
    texts = [win.reports.table.model().index(row, c).data()
             for c in range(win.reports.table.model().columnCount())]  # fmt: skip
    assert "Reported" in texts or "reported" in texts, texts
