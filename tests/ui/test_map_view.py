from cop_app.core.picture import Picture
from cop_app.ui.hub import Hub
from cop_app.ui.map import MapView


def test_view_frame_round_trips_positions(qtbot):
    hub = Hub(Picture())
    view = MapView(hub)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_bbox(30.0, 44.0, 40.0, 52.0)
    w, s, e, n = view.visible_bbox()
    assert w <= 30.0 + 1e-6 and e >= 40.0 - 1e-6 and s <= 44.0 + 1e-6 and n >= 52.0 - 1e-6
    p = view.latlon_to_widget(48.0, 35.0)
    assert 0 < p.x() < 800 and 0 < p.y() < 600
    lat, lon = view.scene_to_latlon(view.mapToScene(p.toPoint()))
    assert abs(lat - 48.0) < 0.05 and abs(lon - 35.0) < 0.05
    hub.close()
