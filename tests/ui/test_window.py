"""The whole window against the real reference server (in-process, as ``--demo`` runs it).

What a person would see: colours of each layer where its things are, rows in tables,
the banner text, the server's own verification trail after a change in the panel.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
from PySide6.QtGui import QColor, QImage

from cop_app.cli import DemoServer, demo_picture, start_demo_server
from cop_app.core.enums import Domain
from cop_app.core.style import BASEMAP_DAY, status_colour, zone_colour
from cop_app.core.timeutil import format_dtg, now, parse_iso
from cop_app.core.verification import VerificationStatus as S
from cop_app.store.cache import PictureCache
from cop_app.ui.app import Session
from cop_app.ui.main_window import MainWindow
from cop_app.ui.settings import AppSettings
from cop_app.ui.theme import DAY
from tests.server.conftest import LiveServer, free_port

AFFILIATION = ("#80E0FF", "#FF8080", "#AAFFAA", "#FFFF80")  # UX.md fills
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[DemoServer]:
    folder = tmp_path_factory.mktemp("demo")
    server = start_demo_server(folder)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def open_window(qtbot, tmp_path):
    made: list[MainWindow] = []

    def make(url: str | None = None, token: str | None = None, *, theme: str = "day",
             cache: Path | None = None, settings: Path | None = None) -> MainWindow:  # fmt: skip
        prefs = AppSettings(settings or tmp_path / "settings.ini")
        prefs.theme = theme
        session = Session(cache=PictureCache(cache or tmp_path / f"cache{len(made)}.sqlite"))
        win = MainWindow(session, prefs, title="cop-app test")
        qtbot.addWidget(win)
        win.resize(1600, 1000)
        win.show()
        qtbot.waitExposed(win)
        session.load_cache(then=(lambda: session.connect_to(url, token)) if url else None)
        made.append(win)
        return win

    yield make
    for win in made:
        win.session.stop()
        win.close()


def wait_live(qtbot, win: MainWindow) -> None:
    """Live, with air, sea and reports in the picture (the scenario's first minutes)."""
    pic = win.picture

    def ready() -> bool:
        if not win.session.live or not pic.reports():
            return False
        c = pic.as_of(now()).counts()  # alive now, not only known
        return c["air"] > 0 and c["sea"] > 0
    qtbot.waitUntil(ready, timeout=WAIT_MS)


def freeze(qtbot, win: MainWindow) -> float:
    """Stop following the clock so two grabs draw the same moment."""
    t = now()
    win.hub.set_live(False)
    win.hub.set_cursor(t)
    qtbot.wait(400)
    return t


def pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), 2::-1].astype(int)  # BGRA -> RGB


def near(rgb: np.ndarray, colours: tuple[str, ...], tol: int = 40) -> np.ndarray:
    hits = np.zeros(rgb.shape[:2], bool)
    for c in colours:
        q = QColor(c)
        ref = np.array([q.red(), q.green(), q.blue()])
        hits |= np.abs(rgb - ref).max(axis=-1) <= tol
    return hits


def count_in_boxes(win: MainWindow, rgb: np.ndarray, latlon: list[tuple[float, float]],
                   colours: tuple[str, ...], r: int = 9) -> int:  # fmt: skip
    mask = near(rgb, colours)
    h, w = mask.shape
    total = 0
    seen = np.zeros_like(mask)
    for lat, lon in latlon:
        p = win.map.latlon_to_widget(lat, lon)
        x, y = int(p.x()), int(p.y())
        if r <= x < w - r and r <= y < h - r:
            box = (slice(y - r, y + r), slice(x - r, x + r))
            total += int(np.count_nonzero(mask[box] & ~seen[box]))
            seen[box] = True
    return total


def vivid(colour: str) -> bool:
    q = QColor(colour)
    rgb = (q.red(), q.green(), q.blue())
    return max(rgb) - min(rgb) > 60


def grab(win: MainWindow) -> np.ndarray:
    return pixels(win.map.grab().toImage())


def test_demo_window_shows_land_zones_air_sea_and_reports_and_layers_switch_off(
        qtbot, open_window, demo):  # fmt: skip
    win = open_window(demo.url, demo.tokens["verifier"])
    wait_live(qtbot, win)
    t = freeze(qtbot, win)
    win.map.set_bbox(28.0, 42.0, 41.0, 52.5)
    qtbot.wait(300)
    frame = win.picture.as_of(t)
    where = {d: [(float(a), float(o)) for a, o, dom in zip(frame.lat, frame.lon, frame.domain,
                                                            strict=True) if dom == d]
             for d in (Domain.AIR, Domain.SEA)}  # fmt: skip
    reports = [r for r in win.picture.reports() if r.has_position]
    line = next(z for z in win.picture.zones.values() if z.kind.value == "ceasefire_line")
    line_pts = [(lat, lon) for lon, lat in np.asarray(line.geometry.coords)[::3]]
    checks = {
        "air": (where[Domain.AIR], AFFILIATION),
        "sea": (where[Domain.SEA], AFFILIATION),
        "zones": (line_pts, (zone_colour("ceasefire_line"),)),
        # the chromatic statuses only: greys also match borders and place names
        "reports": ([(r.lat, r.lon) for r in reports if vivid(status_colour(r.status.value))],
                    tuple({c for r in reports if vivid(c := status_colour(r.status.value))})),
    }  # fmt: skip
    on = grab(win)
    # land and sea of the base map: Ukraine north of Kyiv, the middle of the Black Sea
    land = near(on, (BASEMAP_DAY["land"],), 12)
    sea = near(on, (BASEMAP_DAY["sea"],), 12)

    def share(mask: np.ndarray, lat: float, lon: float, r: int = 15) -> float:
        p = win.map.latlon_to_widget(lat, lon)
        x, y = int(p.x()), int(p.y())
        return float(mask[y - r:y + r, x - r:x + r].mean())
    assert share(land, 51.3, 31.5) > 0.5
    # open Black Sea at three places: traffic or an alert chip may sit on one of them
    assert max(share(sea, *p) for p in ((44.5, 32.0), (43.2, 34.5), (42.5, 37.0))) > 0.5
    for name, (points, colours) in checks.items():
        assert points, f"no {name} in the demo picture"
        # alone over the base map, so a neighbour of the same colour does not count
        for other in checks:
            win.hub.set_layer(other, other == name)
        qtbot.wait(200)
        shown = count_in_boxes(win, grab(win), points, colours)
        win.hub.set_layer(name, False)
        qtbot.wait(200)
        hidden = count_in_boxes(win, grab(win), points, colours)
        assert shown >= 20, f"{name}: only {shown} pixels of its colours where its items are"
        assert hidden <= shown // 10, f"{name}: {hidden} of {shown} pixels stay when it is off"
    for name in checks:
        win.hub.set_layer(name, True)


def test_screenshot_of_the_demo_window(qtbot, open_window, demo, tmp_path):
    win = open_window(demo.url, demo.tokens["verifier"], theme="night")
    wait_live(qtbot, win)
    qtbot.wait(1500)
    out = tmp_path / "cop-demo.png"
    assert win.save_screenshot(out)
    shutil.copy(out, "/tmp/cop-demo.png")
    rgb = pixels(QImage(str(out)))
    assert rgb.shape[:2] == (1000, 1600)
    # UX.md night: dark grey, not black, and no large white areas
    assert np.median(rgb) > 15 and np.median(rgb) < 110
    white = (rgb.min(axis=-1) > 235).mean()
    assert white < 0.01, f"{white:.1%} of the night window is white"
    assert win.status.connection.text().startswith("LIVE · ")
    assert win.status.clock.text() == format_dtg(now()) or win.status.clock.text()[-5:] == \
        format_dtg(now())[-5:]
    assert win.status.clock.font().pointSizeF() >= 11
    assert not win.banner.isVisible()


def test_selecting_a_track_row_selects_it_on_the_map_and_fills_details(qtbot, open_window, demo):
    win = open_window(demo.url, demo.tokens["viewer"])
    wait_live(qtbot, win)
    freeze(qtbot, win)
    win.tracks.refresh()
    air = win.map_layers["air"]
    key = next(k for k in win.tracks.model.frame.keys if k in air.keys)
    assert win.tracks.select_key(key)
    assert win.hub.selection == frozenset({key})
    assert getattr(air, "selected", None) is None or key in {air.keys[i] for i in
                                                              np.flatnonzero(air.selected)}
    text = win.details.text()
    assert key in text and "History" in text and "Sources" in text
    track = win.picture.track(key)
    assert track is not None and (track.callsign or key) in text


def test_brushing_the_timeline_filters_the_reports_table(qtbot, open_window, demo):
    win = open_window(demo.url, demo.tokens["viewer"])
    wait_live(qtbot, win)
    win.reports.status.setCurrentText("All statuses")
    times = sorted(r.time for r in win.picture.reports() if r.time is not None)
    assert len(times) >= 4
    t0, t1 = times[len(times) // 4], times[len(times) // 2]
    everything = set(win.reports.shown_ids())
    win.hub.set_window((t0, t1))  # what the timeline's brush sets
    shown = set(win.reports.shown_ids())
    expected = {r.id for r in win.picture.reports() if r.time is not None and t0 <= r.time <= t1}
    assert shown == expected and 0 < len(shown) < len(everything)
    win.hub.set_window(None)
    assert set(win.reports.shown_ids()) >= everything


def test_replaying_to_an_earlier_time_moves_a_track_back(qtbot, open_window, demo):
    win = open_window(demo.url, demo.tokens["viewer"])
    wait_live(qtbot, win)
    pic = win.picture

    def fix_the_server_kept() -> tuple[str, float, dict] | None:
        """A moving track's earlier fix that the server's history holds too (the server
        thins what it keeps, so not every fix the client saw is there)."""
        for key in pic.keys():
            t, lat, lon = pic.history(key)
            if len(t) < 3 or abs(lat[-1] - lat[0]) + abs(lon[-1] - lon[0]) < 1e-3:
                continue
            body = requests.get(f"{demo.url}/v1/tracks/{key}/history", timeout=10, headers={
                "Authorization": f"Bearer {demo.tokens['viewer']}"}).json()  # fmt: skip
            kept = {round(parse_iso(p["time"]), 3): p for p in body["points"]}
            for ti in t[:-1][::-1]:
                point = kept.get(round(float(ti), 3))
                if point is not None and abs(point["lat"] - lat[-1]) + abs(
                        point["lon"] - lon[-1]) > 1e-3:  # fmt: skip
                    return key, float(ti), point
        return None
    qtbot.waitUntil(lambda: fix_the_server_kept() is not None, timeout=WAIT_MS)
    key, earlier, expected = fix_the_server_kept()
    win.hub.set_live(False)
    win.hub.set_cursor(earlier)
    win.tracks.refresh()
    frame = win.tracks.model.frame
    i = frame.keys.index(key)
    assert abs(frame.lat[i] - expected["lat"]) < 1e-6 and abs(frame.lon[i] - expected["lon"]) < 1e-6
    layer = win.map_layers[Domain(int(frame.domain[i])).label]
    layer.refresh()
    j = layer.keys.index(key)
    assert abs(layer.frame.lat[j] - expected["lat"]) < 1e-6
    latest = pic.track(key)
    assert abs(latest.lat - expected["lat"]) + abs(latest.lon - expected["lon"]) > 1e-3


def test_offline_start_shows_the_banner_and_the_cached_picture_then_syncs(
        qtbot, open_window, tmp_path):  # fmt: skip
    cached = demo_picture()  # the bundled exercise capture, saved as a previous session's
    cache_path = tmp_path / "offline-cache.sqlite"
    with PictureCache(cache_path) as cache:
        cache.save(cached)
    newest = max(tr.time for tr in cached.tracks() if tr.time is not None)  # the newest fix
    port = free_port()
    server = LiveServer(tmp_path / "later.sqlite", port=port)
    server.create_tokens(("viewer",))
    win = open_window(server.url, server.tokens["viewer"], cache=cache_path)
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=WAIT_MS)
    assert win.banner.text().startswith(f"OFFLINE — data as of {format_dtg(newest)}")
    status = win.status.connection.text()
    assert status == "RECONNECTING" or status.startswith(
        f"OFFLINE — data as of {format_dtg(newest)} (")
    model = win.tracks.model
    qtbot.waitUntil(lambda: "NORDIC STAR" in {model.label(k) for k in model.frame.keys},
                    timeout=5000)  # fmt: skip
    assert len(win.map_layers["sea"].keys) > 0
    assert set(win.reports.shown_ids()) >= {r.id for r in cached.reports()
                                             if r.status.value not in ("rejected", "retracted",
                                                                       "superseded")}
    try:
        server.start()
        qtbot.waitUntil(lambda: win.session.live, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not win.banner.isVisible(), timeout=5000)
        assert win.status.connection.text().startswith("LIVE")
        assert win.hub.live  # the cursor parked at the saved picture follows the clock now
    finally:
        server.kill()


def test_a_reconnect_leaves_the_officers_replay_where_it_was(qtbot, open_window, demo):
    win = open_window(demo.url, demo.tokens["viewer"])
    wait_live(qtbot, win)
    t = now() - 600
    win.hub.set_live(False)
    win.hub.set_cursor(t)
    assert win.session.reconnect()  # File → Reconnect (F5), as after a network blip
    qtbot.waitUntil(lambda: not win.session.live, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: win.session.live, timeout=WAIT_MS)
    assert not win.hub.live and win.hub.cursor == t
    assert win.status.connection.text().startswith(f"REPLAY {format_dtg(t)} · feed LIVE")
    assert "still replaying" in win.statusBar().currentMessage()


def test_a_verifiers_change_reaches_the_servers_trail_and_a_viewer_is_not_offered_it(
        qtbot, open_window, demo):  # fmt: skip
    viewer = open_window(demo.url, demo.tokens["viewer"])
    verifier = open_window(demo.url, demo.tokens["verifier"])
    for win in (viewer, verifier):
        wait_live(qtbot, win)
        win.reports.status.setCurrentText("All statuses")
    qtbot.waitUntil(lambda: "verifier" in verifier.reports.roles, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(viewer.reports.roles), timeout=WAIT_MS)
    open_reports = [r for r in verifier.picture.reports()
                    if r.status not in (S.RETRACTED, S.SUPERSEDED)]  # fmt: skip
    rep = open_reports[0]
    assert viewer.reports.select_id(rep.id)
    assert viewer.reports.roles == frozenset({"viewer"})
    assert not viewer.reports.action.isVisible()
    assert viewer.reports.offered_transitions() == ()
    assert verifier.reports.select_id(rep.id)
    offered = verifier.reports.offered_transitions()
    assert verifier.reports.action.isVisible() and S.RETRACTED in offered
    rationale = "duplicate of an earlier patrol report (test)"
    runner = verifier.reports.transition(rep.id, S.RETRACTED, rationale)
    qtbot.waitUntil(runner.done.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "now retracted" in verifier.reports.message.text(), timeout=5000)
    body = requests.get(f"{demo.url}/v1/reports/{rep.id}", timeout=10,
                        headers={"Authorization": f"Bearer {demo.tokens['admin']}"}).json()
    assert body["status"] == "retracted"
    last = body["trail"][-1]
    assert last["to"] == "retracted" and last["rationale"] == rationale
    assert last["actor"] == "demo-verifier"
    # the API agrees with the panel: the viewer's token may not do it
    resp = requests.post(f"{demo.url}/v1/reports/{rep.id}/transitions", timeout=10,
                         json={"to": "retracted", "rationale": "x"},
                         headers={"Authorization": f"Bearer {demo.tokens['viewer']}"})
    assert resp.status_code == 403


def test_layout_view_layers_theme_and_server_are_restored(qtbot, open_window, tmp_path):
    settings = tmp_path / "restore.ini"
    win = open_window(theme="night", settings=settings)
    win.hub.set_layer("trails", False)
    win.map.set_bbox(33.0, 45.0, 36.0, 47.0)
    win.docks["Alerts"].hide()
    win.apply_theme(DAY)
    win.session.server_url = "https://cop.example:8642"
    bbox = win.map.visible_bbox()
    win.close()
    prefs = AppSettings(settings)
    assert prefs.server == "https://cop.example:8642" and prefs.theme == "day"
    again = MainWindow(Session(), prefs)
    qtbot.addWidget(again)
    again.resize(1600, 1000)
    again.show()
    qtbot.waitExposed(again)
    assert again.hub.layers["trails"] is False and again.hub.layers["air"] is True
    assert np.allclose(again.map.visible_bbox(), bbox, atol=0.05)
    assert not again.docks["Alerts"].isVisible() and again.docks["Tracks"].isVisible()
    assert again.theme.name == "day"
    again.close()
