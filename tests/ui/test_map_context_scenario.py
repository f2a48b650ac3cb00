"""The ceasefire scenario's zones over the base map, saved as a PNG to look at."""

from __future__ import annotations

import time

import pytest
from PySide6.QtGui import QColor

from cop_app.core.entities import LandReport, Zone
from cop_app.core.enums import EventType
from cop_app.core.picture import Picture
from cop_app.core.style import BASEMAP_DAY, STATUS_COLOURS, zone_colour
from cop_app.core.verification import VerificationStatus as S
from cop_app.ui.hub import Hub
from cop_app.ui.map.context import add_context_layers
from cop_app.ui.map.view import MapView

scenario = pytest.importorskip("cop_app.server.scenario")
OUT = "/tmp/cop_map_context.png"


def near(img, p, hex_, radius=2, tol=40) -> bool:
    e = QColor(hex_)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = img.pixelColor(round(p.x()) + dx, round(p.y()) + dy)
            if max(abs(c.red() - e.red()), abs(c.green() - e.green()),
                   abs(c.blue() - e.blue())) <= tol:  # fmt: skip
                return True
    return False


def test_scenario_zones_and_reports_compose_into_a_readable_map(qtbot):
    pic = Picture()
    zones = [Zone.from_feature(f) for f in scenario.Scenario().zones_geojson()["features"]]
    for z in zones:
        pic.set_zone(z)
    now = time.time()
    pic.restore_report(LandReport(id="R-V", time=now - 600, lat=47.55, lon=35.2,
                                  status=S.VERIFIED, event_type=EventType.EXPLOSION))  # fmt: skip
    hub = Hub(pic)
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    items = add_context_layers(view, hub)
    view.set_bbox(29.5, 43.5, 40.5, 50.5)
    items["ruler"].measure(46.48, 30.73, 44.6, 33.5)
    img = view.grab().toImage()
    assert img.save(OUT)

    line = next(z for z in zones if z.kind == "ceasefire_line")
    coords = list(line.geometry.coords)
    hits = sum(near(img, view.latlon_to_widget(lat, lon), zone_colour("ceasefire_line"))
               for lon, lat in coords[1:-1:3])  # fmt: skip
    assert hits >= 0.8 * len(coords[1:-1:3])
    corridor = next(z for z in zones if z.kind == "corridor")
    p = corridor.geometry.representative_point()
    c = img.pixelColor(view.latlon_to_widget(p.y, p.x).toPoint())
    assert c.name() != QColor(BASEMAP_DAY["sea"]).name()  # tinted by the corridor fill
    assert near(img, view.latlon_to_widget(47.55, 35.2), STATUS_COLOURS["verified"], 1, 25)
