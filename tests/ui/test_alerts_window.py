"""The Alerts dock and the alert cues in the whole window, against the real
``cop-app serve`` (tests/server/conftest.py ``live_server``): an SBS squawk 7700 line
POSTed to /v1/ingest/sbs raises the alert through the real ingest and rules.

What a person would see: the row, the badge, the ring on the map at the aircraft, the
marker on the timeline; and what the server recorded after "Acknowledge" (its trail,
with the token's name and the time), shown back in the row.
"""

from __future__ import annotations

import numpy as np
import requests

from cop_app.core.timeutil import format_dtg, now, parse_iso
from cop_app.ui.map.alerts_layer import alert_colour
from cop_app.ui.panels import alert_rows as ar
from tests.server.alert_support import sbs
from tests.server.conftest import live_server, live_server_factory  # noqa: F401 (fixtures)
from tests.ui.test_window import near, open_window, pixels  # noqa: F401 (fixture)

WAIT_MS = 15_000
LAT, LON = 47.5, 33.2  # no test zone here: only the squawk rule can fire


def _server_alerts(srv, **params) -> list[dict]:
    r = requests.get(srv.url + "/v1/alerts", params=params, headers=srv.headers("viewer"),
                     timeout=10)  # fmt: skip
    r.raise_for_status()
    return r.json()["items"]


def test_squawk_7700_row_badge_ring_marker_and_ack_trail(qtbot, live_server,  # noqa: F811
                                                         open_window):  # noqa: F811
    srv = live_server
    line = sbs("4CA7E1", now(), LON, LAT, 12000, squawk="7700")
    r = requests.post(srv.url + "/v1/ingest/sbs", data=line, headers=srv.headers("feeder"),
                      timeout=10)  # fmt: skip
    assert r.ok and r.json()["accepted"] >= 1, r.text
    win = open_window(srv.url, srv.tokens["observer"])
    panel = win.alerts
    qtbot.waitUntil(lambda: bool(panel.alerts) and panel.table.rowCount() == 1, timeout=WAIT_MS)
    [alert] = panel.alerts.values()
    assert alert["rule"] == "emergency_squawk" and alert["severity"] == "critical"
    row = panel.rows()[0]
    assert row[1] == "CRITICAL" and row[4] == "new" and row[5] == ""

    # Badge: the number of new alerts the server holds, in the dock title and status bar.
    new = len(_server_alerts(srv, state="new"))
    assert new == 1
    assert win.docks["Alerts"].windowTitle() == f"Alerts ({new})"
    assert win.alert_badge.text().startswith(f"ALERTS {new} new")

    # Jump to the subject: selected and centred on the map.
    assert panel.select_alert(alert["id"])
    assert panel.go_to_selected()
    assert win.hub.selection == frozenset({alert["subject"]})
    qtbot.wait(300)
    west, south, east, north = win.map.visible_bbox()
    assert abs((west + east) / 2 - LON) < 0.05 * (east - west)
    assert abs((south + north) / 2 - LAT) < 0.05 * (north - south)
    span_km = (north - south) * 111.2  # "Go to" zooms in to a working span (~25 km)
    assert 20 <= span_km <= 60

    # The ring: critical magenta round the aircraft (the map's alert hue, apart from
    # every report status; compare the annulus with the alert layer on and off).
    def red_annulus() -> int:
        rgb = pixels(win.map.grab().toImage())
        p = win.map.latlon_to_widget(LAT, LON)
        yy, xx = np.mgrid[: rgb.shape[0], : rgb.shape[1]]
        r = np.hypot(xx - p.x(), yy - p.y())
        red = near(rgb, (alert_colour("critical"),), tol=30)
        return int(np.count_nonzero(red & (r >= 13) & (r <= 23)))

    with_ring = red_annulus()
    win.hub.set_layer("alerts", False)
    qtbot.wait(50)
    without = red_annulus()
    win.hub.set_layer("alerts", True)
    assert with_ring > without + 60, (with_ring, without)

    # The timeline marker at the alert's time, in the severity's colour.
    tl = win.timeline
    tl.set_x_range(parse_iso(alert["time"]) - 1800, parse_iso(alert["time"]) + 600)
    qtbot.wait(100)
    mp = tl.alert_point(alert["id"])
    assert mp is not None
    assert abs(mp.x() - tl.time_to_x(parse_iso(alert["time"]))) <= 2
    trgb = pixels(tl.grab().toImage())
    box = near(trgb, (ar.SEVERITY_COLOURS["critical"],), tol=30)[mp.y() - 6:mp.y() + 6,
                                                                  mp.x() - 6:mp.x() + 6]
    assert box.sum() > 10

    # Acknowledge from the dock with a note: the server's trail names the token and the
    # time, and the row shows who and when from that trail.
    assert panel.ack_button.isEnabled()
    panel.note.setText("seen, calling ATC")
    panel.ack_button.click()
    qtbot.waitUntil(lambda: "test-observer" in panel.rows()[0][5], timeout=WAIT_MS)
    full = requests.get(f"{srv.url}/v1/alerts/{alert['id']}", headers=srv.headers("viewer"),
                        timeout=10).json()  # fmt: skip
    step = full["trail"][-1]
    assert step["action"] == "ack" and step["actor"] == "test-observer"
    assert step["note"] == "seen, calling ATC"
    assert abs(parse_iso(step["time"]) - now()) < 30
    row = panel.rows()[0]
    assert row[4] == "acknowledged"
    assert format_dtg(parse_iso(step["time"])) in row[5] and "seen, calling ATC" in row[5]
    assert "test-observer" in panel.trail.text()

    # Badge follows the server: nothing new is left; the alert is still open.
    assert _server_alerts(srv, state="new") == []
    qtbot.waitUntil(lambda: win.docks["Alerts"].windowTitle() == "Alerts", timeout=WAIT_MS)
    assert win.alert_badge.text() == "ALERTS 0 new · 1 open"
