"""The map's context in one call: base map, zones, reports and their legend, scale bar,
north arrow and the range-and-bearing tool (U4 composes the window with it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QGraphicsItem

from cop_app.ui.hub import Hub
from cop_app.ui.map.basemap import BaseMapLayer
from cop_app.ui.map.overlays import NorthArrow, ScaleBar
from cop_app.ui.map.reports_layer import ReportLayer, ReportLegend
from cop_app.ui.map.view import MapView
from cop_app.ui.map.zones import ZoneLabelLayer, ZoneLayer

# Stacking: the base map and tiles under everything; trails at 30, tracks at 40-42
# (map/tracks.py), alerts at 60. Reports sit under the tracks: a report is a fixed
# point an officer can find again, a hostile UAV passing over it must not vanish.
# Airspace limits ("SFC–FL660") sit over tracks and reports, under the alert chips: a
# symbol on the label's anchor used to eat its first letters (map/zones.py).
Z = {"basemap": 0.0, "tiles": 1.0, "zones": 10.0, "reports": 35.0, "zone_labels": 44.0}


def add_context_layers(view: MapView, hub: Hub, *, night: bool = False,
                       tile_url: str | None = None,
                       tile_cache: Path | str | None = None,
                       ) -> dict[str, QGraphicsItem]:  # fmt: skip
    """Create and stack the context layers; returns them by name.

    Map layers ("basemap", "tiles", "zones", "reports") follow the hub's layer
    switches; the screen items ("legend", "scalebar", "north", "ruler") are pinned to
    the map area. Every item has ``set_night(bool)`` (see ``set_context_night``).
    """
    from cop_app.ui.map.tools import RangeBearingTool

    items: dict[str, QGraphicsItem] = {"basemap": BaseMapLayer(night)}
    if tile_url:
        from cop_app.ui.map.tiles import TileLayer

        items["tiles"] = TileLayer(view, tile_url, tile_cache)
    items["zones"] = ZoneLayer(hub, night)
    items["reports"] = ReportLayer(hub, night)
    for name, item in items.items():
        view.add_layer(name, item, Z[name])
    items["zone_labels"] = ZoneLabelLayer(items["zones"])
    items["zone_labels"].setZValue(Z["zone_labels"])
    view.viewbox.addItem(items["zone_labels"], ignoreBounds=True)  # follows "zones"
    items["zone_labels"].setVisible(items["zones"].isVisible())
    items["zone_labels"].declutter.view = view  # limits keep off the place names
    if "air" in view.layer_names():  # tracks first: the limits join their label pass
        items["zone_labels"].join_labels(view.layer("air").declutter)
    items["legend"] = ReportLegend(view, items["reports"], night)
    items["scalebar"] = ScaleBar(view, night)
    items["north"] = NorthArrow(view, night)
    items["ruler"] = RangeBearingTool(view, night)
    return items


def set_context_night(items: dict[str, QGraphicsItem], night: bool) -> None:
    for item in items.values():
        setter = getattr(item, "set_night", None)
        if setter is not None:
            setter(night)
