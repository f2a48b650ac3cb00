"""File → Export: the dialog's product of what the map shows (picture time, window,
layers and area from the hub and view)."""

from __future__ import annotations

from PySide6.QtGui import QImage

from cop_app.ui.hub import Hub
from cop_app.ui.map.view import MapView
from cop_app.ui.snapshot_dialog import ExportDialog, export_from_window
from tests.ui.test_snapshot import AT, BBOX, make_picture


def test_export_follows_the_hub_and_view(qtbot, tmp_path):
    hub = Hub(make_picture())
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.set_bbox(*BBOX)
    hub.set_live(False)
    hub.set_cursor(AT)
    hub.set_window((AT - 1800, AT))
    hub.set_layer("air", False)
    dlg = ExportDialog(None, title="Morning brief", banner="")
    qtbot.addWidget(dlg)
    dlg.fmt.setCurrentText("PNG")
    dlg.width_px.setValue(1200)
    dlg.height_px.setValue(800)
    opts = dlg.options(hub, view)
    assert opts.at == AT and opts.window == (AT - 1800, AT)
    assert "air" not in opts.layers and {"sea", "zones"} <= opts.layers
    assert opts.banner == "UNCLASSIFIED \u2014 EXERCISE"  # the default when none is set
    out = export_from_window(None, hub, view, title="", banner="", path=tmp_path / "b.png",
                             dialog=dlg)
    assert out == tmp_path / "b.png"
    assert QImage(str(out)).width() == 1200
    dlg.fmt.setCurrentText("PDF")
    assert not dlg.width_px.isEnabled() and dlg.paper.isEnabled()
    hub.close()
