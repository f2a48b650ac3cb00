"""The live map: native pyqtgraph drawing in Web Mercator metres (see view.py)."""

from cop_app.ui.map.view import MapView

__all__ = ["MapView"]
