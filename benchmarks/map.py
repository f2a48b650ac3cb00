"""Map benchmark: frame times for pan and zoom, a full position update, timeline rebin,
start to first frame from a cache; pyqtgraph's ScatterPlotItem as the baseline.

Offscreen, a 1600x1000 MapView with the track layers over a seeded synthetic Picture.
A "frame" is ``view.render`` into a QImage of the view's size: the whole paint path,
projection to pixels included (nothing is cached between frames but the Mercator
arrays, which only change with the picture).

    .venv/bin/python benchmarks/map.py [--sizes 10000,100000] [--frames 25]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
from _common import median_ms, report, timed
from PySide6.QtGui import QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cop_app.core.enums import Domain, Identity
from cop_app.core.geo import to_mercator
from cop_app.core.picture import Picture, StalePolicy
from cop_app.core.updates import TrackUpdate
from cop_app.ui.hub import Hub
from cop_app.ui.map import MapView
from cop_app.ui.map.symbols import SYMBOL_PX, fill_colour
from cop_app.ui.map.tracks import add_track_layers

W, H = 1600, 1000
T0 = 1_800_000_000.0
BBOX = (28.0, 43.5, 41.0, 52.5)
NO_STALE = StalePolicy(air_s=1e9, mlat_s=1e9, sea_class_a_s=1e9, sea_class_b_s=1e9,
                       land_s=1e9)  # fmt: skip


def synthetic(n: int, points: int = 2, seed: int = 7) -> Picture:
    """``n`` tracks over the theatre, ``points`` fixes each a minute apart (seeded)."""
    rng = np.random.default_rng(seed)
    pic = Picture(stale=NO_STALE, history_points=max(points, 2), capacity=n)
    dom = rng.choice([0, 1, 2], n, p=[0.45, 0.45, 0.10])
    ident = rng.integers(0, len(Identity), n)
    lat = rng.uniform(BBOX[1], BBOX[3], n)
    lon = rng.uniform(BBOX[0], BBOX[2], n)
    speed = np.where(dom == 0, rng.uniform(120, 480, n), rng.uniform(0, 20, n))
    course = rng.uniform(0, 360, n)
    keys = [f"{Domain(int(d)).label}:{i:06d}" for i, d in enumerate(dom)]
    fields = [{"identity": Identity(int(ident[i])).label, "speed_kn": float(speed[i]),
               "course_deg": float(course[i]), "callsign": f"T{i:05d}",
               "altitude_ft": 30000.0 if dom[i] == 0 else None} for i in range(n)]  # fmt: skip
    step = np.arange(points)[None, :]
    ht = T0 - 60.0 * (points - 1 - step) + np.zeros((n, 1))
    hla = lat[:, None] + 0.002 * step
    hlo = lon[:, None] + 0.003 * step
    pic.restore_tracks(keys, dom.tolist(), fields=fields, sources=[["bench"]] * n,
                       last_time=np.full(n, T0), stale_s=np.full(n, 1e9),
                       history=(ht, hla, hlo), history_n=np.full(n, points))  # fmt: skip
    return pic


class Renderer:
    """Frames of a widget into one reused QImage (its paint path, nothing else)."""

    def __init__(self, widget) -> None:
        self.widget = widget
        self.image = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)

    def frame(self) -> None:
        self.image.fill(0xFFEFEFEF)
        p = QPainter(self.image)
        self.widget.render(p)
        p.end()


def map_figures(app: QApplication, n: int, frames: int) -> dict[str, float]:
    pic = synthetic(n)
    hub = Hub(pic)
    hub.set_cursor(T0)
    view = MapView(hub)
    view.resize(W, H)
    layers = add_track_layers(view, hub)
    view.set_bbox(*BBOX)
    view.show()
    app.processEvents()
    for name in ("air", "sea", "land"):
        layers[name].refresh()
    layers["trails"].rebuild()
    r = Renderer(view)
    vb = view.viewbox
    r.frame()  # the atlas is built once, outside the timings
    out: dict[str, float] = {}

    def pan() -> None:
        (x0, x1), (y0, y1) = vb.viewRange()
        d = (x1 - x0) * 0.01
        vb.setRange(xRange=(x0 + d, x1 + d), yRange=(y0, y1), padding=0)
        r.frame()

    zoom_k = iter(np.tile([0.97, 1 / 0.97], frames))

    def zoom() -> None:
        vb.scaleBy(s=(next(zoom_k),) * 2)
        r.frame()

    out["pan_ms"] = median_ms(timed(pan, frames))
    out["zoom_ms"] = median_ms(timed(zoom, frames))
    view.center_on(48.0, 34.0, span_km=300)  # labels on (past the zoom threshold)
    layers["trails"].rebuild()
    # The jump's own frame (a new scale: every label in view placed and drawn) is not
    # a drag frame: a drag starts on a map already drawn at its scale.
    out["jump_labels_ms"] = timed(app.processEvents, 1)[0] * 1000.0

    def drag() -> None:
        """A pan as a drag delivers it: the view moves and the event loop turns, which
        paints the (shown, offscreen) widget once and runs whatever timers are due
        (the labels' idle margin placement, the trail rebuild, the 1 Hz scans)."""
        (x0, x1), (y0, y1) = vb.viewRange()
        d = (x1 - x0) * 0.01
        vb.setRange(xRange=(x0 + d, x1 + d), yRange=(y0, y1), padding=0)
        app.processEvents()

    drag_frames = timed(drag, frames * 2)
    out["pan_labels_ms"] = median_ms(drag_frames)
    out["pan_labels_max_ms"] = max(drag_frames) * 1000.0
    # The first pan frame after a zoom: labels were placed for the zoomed view alone.
    # Right after it (no pause) the pan frame places the margin too; after the pause
    # an officer's hand takes anyway (>= 120 ms), the margin was placed while idle.
    hurried, settled = [], []
    for k in range(frames // 2):
        for out_list, pause_ms in ((hurried, 0), (settled, 200)):
            vb.scaleBy(s=(0.97 if k % 2 else 1 / 0.97,) * 2)
            r.frame()
            if pause_ms:
                QTest.qWait(pause_ms)
            out_list.append(timed(pan, 1)[0])
    out["pan_after_zoom_ms"] = median_ms(hurried)
    out["pan_after_zoom_settled_ms"] = median_ms(settled)
    out["trail_rebuild_ms"] = median_ms(timed(layers["trails"].rebuild, 3))
    view.set_bbox(*BBOX)

    # A full position update: n new positions a minute on, merged, re-framed, drawn.
    rng = np.random.default_rng(11)
    frame = pic.as_of(T0)
    t1 = T0 + 60.0
    ups = [TrackUpdate(domain=Domain(int(frame.domain[i])), key=frame.keys[i], source="bench",
                       time=t1, lat=float(frame.lat[i]) + rng.normal(0, 0.01),
                       lon=float(frame.lon[i]) + rng.normal(0, 0.01)) for i in range(len(frame))]
    stages: dict[str, float] = {}

    def full_update() -> None:
        t = time.perf_counter()
        pic.upsert_many(ups)
        stages["upsert"] = time.perf_counter() - t
        t = time.perf_counter()
        hub.set_cursor(t1)  # as_of once (shared) + every layer re-projects
        stages["asof_layers"] = time.perf_counter() - t
        t = time.perf_counter()
        r.frame()
        stages["frame"] = time.perf_counter() - t

    out["full_update_ms"] = median_ms(timed(full_update, 1))
    out["update_upsert_ms"] = stages["upsert"] * 1000
    out["update_asof_layers_ms"] = stages["asof_layers"] * 1000
    out["update_frame_ms"] = stages["frame"] * 1000

    def layers_only() -> None:  # what the map itself does per update (no upsert)
        hub.set_cursor(hub.cursor + 1e-3)
        r.frame()

    out["layers_update_frame_ms"] = median_ms(timed(layers_only, 5))
    out["scatter_setdata_frame_ms"] = scatter_baseline(app, pic, t1)
    hub.close()
    view.close()
    return out


def scatter_baseline(app: QApplication, pic: Picture, t: float) -> float:
    """pyqtgraph ScatterPlotItem.setData for the same points (brush by affiliation) plus
    one frame: what a stock pyqtgraph map would pay per update."""
    frame = pic.as_of(t)
    x, y = to_mercator(frame.lon, frame.lat)
    brushes = [pg.mkBrush(fill_colour(i)) for i in range(len(Identity))]
    brush = [brushes[i] for i in frame.identity.tolist()]
    widget = pg.PlotWidget()
    widget.resize(W, H)
    item = pg.ScatterPlotItem(pxMode=True, size=SYMBOL_PX, symbol="s", pen=pg.mkPen("k"))
    widget.addItem(item)
    widget.show()
    app.processEvents()
    r = Renderer(widget)

    def once() -> None:
        item.setData(x=x, y=y, brush=brush)
        r.frame()

    once()
    ms = median_ms(timed(once, 3))
    widget.close()
    return ms


def timeline_rebin_ms(app: QApplication) -> tuple[float, int]:
    """TimelineView.rebin over at least 1M fix events: 100k tracks x 12 fixes, of which
    the timeline counts the air and sea ones (~90%: ground tracks are not counted)."""
    try:
        from cop_app.ui.timeline.view import TimelineView
    except ImportError:
        return float("nan"), 0
    pic = synthetic(100_000, points=12)
    hub = Hub(pic)
    hub.set_cursor(T0)
    tl = TimelineView(hub, pic)
    tl.resize(W, 220)
    tl.show()
    app.processEvents()
    tl.refresh()
    events = int(sum(len(v) for v in tl.data.fixes.values()))
    spans = iter(np.tile([3600.0, 1800.0, 900.0, 600.0], 5))

    def rebin() -> None:
        span = next(spans)
        tl.set_x_range(T0 - span, T0)
        tl.rebin()

    ms = median_ms(timed(rebin, 20))
    hub.close()
    tl.close()
    return ms, events


def first_frame_ms(app: QApplication) -> dict[str, float]:
    """Start to first frame from a 10k-track cache: load, compose the map, draw once."""
    from cop_app.store.cache import PictureCache

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.sqlite"
        with PictureCache(path) as cache:
            cache.save(synthetic(10_000, points=10))
        t = time.perf_counter()
        with PictureCache(path) as cache:
            pic = cache.load(Picture(stale=NO_STALE))
        t_load = time.perf_counter() - t
        hub = Hub(pic)
        hub.set_cursor(T0)
        view = MapView(hub)
        view.resize(W, H)
        try:
            from cop_app.ui.map.context import add_context_layers

            add_context_layers(view, hub)
            composed = "MapView+context+tracks"
        except ImportError:
            composed = "MapView+tracks"
        add_track_layers(view, hub)
        view.show()
        app.processEvents()
        Renderer(view).frame()
        total = time.perf_counter() - t
        hub.close()
        view.close()
    print(f"  (first frame: {composed}; MainWindow not timed here)")
    return {"first_frame_10k_ms": total * 1000, "cache_load_10k_ms": t_load * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--frames", type=int, default=25)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    figures: dict[str, float] = {}
    rows: list[tuple[str, str, str]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        f = map_figures(app, n, args.frames)
        k = f"{n // 1000}k"
        figures.update({f"{name}_{k}": round(v, 2) for name, v in f.items()})
        target = "<= 33 ms"
        rows += [
            (f"pan frame, {k} tracks", f"{f['pan_ms']:.1f} ms", target),
            (f"zoom frame, {k} tracks", f"{f['zoom_ms']:.1f} ms", target),
            (f"pan frame zoomed in (labels, trails), {k}", f"{f['pan_labels_ms']:.1f} ms", target),
            (f"  slowest of {2 * args.frames} drag frames, {k}", f"{f['pan_labels_max_ms']:.1f} ms",
             target),
            (f"  first frame of a jump to a zoomed-in spot, {k}", f"{f['jump_labels_ms']:.1f} ms",
             ""),
            (f"  first pan right after a zoom, {k}", f"{f['pan_after_zoom_ms']:.1f} ms", target),
            (f"  first pan after a zoom and a pause, {k}",
             f"{f['pan_after_zoom_settled_ms']:.1f} ms", target),
            (f"trail rebuild (timer, off-frame), {k}", f"{f['trail_rebuild_ms']:.1f} ms", ""),
            (f"full position update, {k} (total)", f"{f['full_update_ms']:.0f} ms", ""),
            ("  upsert_many", f"{f['update_upsert_ms']:.0f} ms", "(core)"),
            ("  as_of + layers re-project", f"{f['update_asof_layers_ms']:.0f} ms", ""),
            ("  first frame after it", f"{f['update_frame_ms']:.1f} ms", target),
            (f"layers update + frame, {k}", f"{f['layers_update_frame_ms']:.1f} ms", ""),
            (f"pg ScatterPlotItem setData + frame, {k}",
             f"{f['scatter_setdata_frame_ms']:.1f} ms", "baseline"),
            (f"  ratio scatter / ours, {k}",
             f"{f['scatter_setdata_frame_ms'] / f['layers_update_frame_ms']:.1f}x", ""),
        ]  # fmt: skip
    ms, events = timeline_rebin_ms(app)
    if events:
        figures["timeline_rebin_1m_ms"] = round(ms, 2)
        rows.append((f"timeline rebin, {events / 1e6:.1f}M events", f"{ms:.1f} ms", ""))
    else:
        rows.append(("timeline: not built yet", "-", ""))
    ff = first_frame_ms(app)
    figures.update({k: round(v, 1) for k, v in ff.items()})
    rows.append(("start to first frame, 10k-track cache", f"{ff['first_frame_10k_ms']:.0f} ms",
                 f"(cache load {ff['cache_load_10k_ms']:.0f} ms)"))  # fmt: skip
    report("map", rows, figures)


if __name__ == "__main__":
    main()
