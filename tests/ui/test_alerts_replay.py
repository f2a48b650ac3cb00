"""Replaying, the map rings only the alerts already raised at the cursor."""

from __future__ import annotations

from cop_app.core.picture import Picture
from cop_app.core.timeutil import format_iso
from cop_app.ui.hub import Hub
from cop_app.ui.map.alerts_layer import AlertLayer

T = 1_795_000_000.0


def alert(aid: str, t: float, lat: float) -> dict:
    return {"id": aid, "rule": "report_in_zone", "severity": "high", "subject": f"R-{aid}",
            "state": "new", "time": format_iso(t), "lat": lat, "lon": 35.0}


def test_rings_follow_the_replay_cursor(qapp):
    hub = Hub(Picture())
    hub.set_cursor(T)
    layer = AlertLayer(hub)
    layer.set_alerts([alert("a1", T - 3600, 48.0), alert("a2", T - 60, 47.0)])
    assert [a["id"] for a in layer.shown] == ["a1", "a2"]
    hub.set_live(False)
    hub.set_cursor(T - 1800)  # between the two: only the older one had been raised
    assert [a["id"] for a in layer.shown] == ["a1"]
    hub.set_cursor(T - 7200)
    assert layer.shown == []
    hub.set_live(True)
    assert len(layer.shown) == 2
    hub.close()


def test_rings_follow_the_time_filter(qapp):
    hub = Hub(Picture())
    hub.set_cursor(T)
    layer = AlertLayer(hub)
    layer.set_alerts([alert("a1", T - 3600, 48.0), alert("a2", T - 60, 47.0)])
    hub.set_window((T - 7200, T - 1800))  # live, filtered to two hours ago
    assert [a["id"] for a in layer.shown] == ["a1"]
    hub.set_window(None)
    assert len(layer.shown) == 2
    hub.close()
