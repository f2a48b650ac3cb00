"""Layers: one switch per hub layer; the map, timeline and legend follow the hub."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from cop_app.ui.hub import LAYERS, Hub

LABELS = {
    "basemap": "Base map", "zones": "Zones", "air": "Air tracks", "sea": "Sea tracks",
    "land": "Land tracks", "reports": "Land reports", "trails": "Trails", "labels": "Labels",
    "tiles": "Raster tiles",
}  # fmt: skip
SHORTCUTS = {name: f"Ctrl+{i}" for i, name in enumerate(LAYERS, start=1)}
# Switches that are not map layers: the map legend, expanded (on) or a small chip (off);
# the legend item (map/reports_layer.py) follows the same hub key and sets its default.
EXTRA = {"legend": "Map legend (expanded)"}


class LayersPanel(QWidget):
    def __init__(self, hub: Hub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hub = hub
        layout = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        switches = [(n, f"{LABELS.get(n, n)}   ({SHORTCUTS[n]})") for n in LAYERS]
        for name, text in [*switches, *EXTRA.items()]:
            box = QCheckBox(text, self)
            box.setObjectName(f"layer-{name}")
            box.setChecked(hub.layers.get(name, True))
            box.toggled.connect(lambda on, n=name: hub.set_layer(n, on))
            layout.addWidget(box)
            self.boxes[name] = box
        layout.addStretch(1)
        hub.layersChanged.connect(self._sync)

    def _sync(self, layers: dict[str, bool]) -> None:
        for name, box in self.boxes.items():
            if box.isChecked() != layers.get(name, True):
                box.blockSignals(True)
                box.setChecked(layers.get(name, True))
                box.blockSignals(False)
