"""Track layers: one batched item per domain that turns numpy columns into pixels.

Each ``TrackLayer`` keeps its tracks as Web Mercator arrays (projected once per picture
update, not per frame). A frame maps them to device pixels with the painter's affine
transform in numpy, culls with whole-array comparisons, and stamps every symbol from
the atlas with one ``drawPixmapFragments`` call. PySide6 6.11 takes a pointer to a C
array of PixmapFragment plus a count; pyqtgraph's ``PrimitiveArray`` gives exactly that
over a numpy buffer, so no Python object is made per track (a list of 100k
PixmapFragment objects would cost ~100 ms before Qt draws anything). Heading vectors go
the same way through ``drawLines`` over a QLineF buffer.

Which symbols a frame stamps is decided by one screen grid shared by the three domain
layers (``declutter.SharedDeclutter``); symbols stacked on one spot draw once with a
count chip. Labels appear past a zoom threshold (and with the Labels switch on) and are
placed by one greedy pass over all layers, so no two overlap; emergency squawks are
always labelled, in red, as tar1090 does.

A track past its stale time stays on show for its lost period (``StalePolicy``) as a
hollow grey frame (the atlas's lost variants: still one stamp per track), its label
saying "LOST 3 min", with no heading vector (it is not known to be moving now); lost
tracks lose a declutter cell to any live one. An emergency stays red and labelled
while lost.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import internals
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsRectItem

from cop_app.core.enums import Domain, Identity
from cop_app.core.geo import EARTH_RADIUS_M, from_mercator, to_mercator
from cop_app.core.picture import Frame, Picture, emergency_text
from cop_app.core.readings import altitude_reading, speed_reading
from cop_app.core.timeutil import format_dtg
from cop_app.ui.hub import Hub
from cop_app.ui.map.declutter import LABEL_CELL, SharedDeclutter, project
from cop_app.ui.map.frames import frame_at, lost_text
from cop_app.ui.map.labels import (
    PAD,
    SYMBOL,
    TOWN,
    ChipSprites,
    LabelSprites,
    Rect,
    Request,
    around,
    chip_rect,
)
from cop_app.ui.map.symbols import LOST_OF, SYMBOL_PX, Variant, atlas, cell_index
from cop_app.ui.map.trails import TrailLayer
from cop_app.ui.map.view import MapView
from cop_app.ui.panels.readout import age_text

log = logging.getLogger(__name__)
WORLD = np.pi * EARTH_RADIUS_M  # half the Mercator square's side
LABEL_MAX_M_PER_PX = 600.0  # Mercator metres per pixel below which labels show
HIT_PX = 12.0  # how near (px) a pointer must be to a symbol to hover or pick it
# Heading vectors: a line from the centre that always clears the symbol, its selection
# brackets and an alert ring (VECTOR_EDGE_PX), then runs on for at least VECTOR_MIN_PX
# past that edge from VECTOR_FULL_MIN_KN, growing with speed to VECTOR_MAX_PX at the
# domain's VECTOR_FULL_KN. Before, 0.08 px/kn put a 68 kn UAV's line ~5 px past its
# centre, under the symbol: the direction did not read at all. Slower than that the
# line shortens to VECTOR_SLOW_PX; stationary (< VECTOR_STILL_KN) tracks get none.
VECTOR_FULL_KN = {Domain.AIR: 750.0, Domain.SEA: 24.0, Domain.LAND: 40.0}
VECTOR_EDGE_PX = SYMBOL_PX * 0.78  # the selection brackets' half side: past every frame
VECTOR_MIN_PX = 20.0
VECTOR_SLOW_PX = 8.0
VECTOR_MAX_PX = 60.0
VECTOR_STILL_KN = 0.5
VECTOR_FULL_MIN_KN = 5.0
VECTOR_MAX_SYMBOLS = 3000  # symbols in view over all domain layers
_HOSTILE = [int(i) for i in (Identity.HOSTILE, Identity.SUSPECT, Identity.JOKER, Identity.FAKER)]
_WORLD_RECT = QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)
Z = {"trails": 30.0, "land": 40.0, "sea": 41.0, "air": 42.0}


def attributes(picture: Picture, rows: np.ndarray, keys: list[str]) -> list[dict[str, Any]]:
    """The attribute dicts of many tracks, read-only.

    ``track_state`` copies each dict (~6 us a track: 0.6 s for 100k), so this reads the
    Picture's per-row attribute list directly when it has one. TODO(lead): a public
    ``Picture.attributes(rows)`` would let this drop the private read.
    """
    attrs = getattr(picture, "_attrs", None)
    if attrs is not None:
        return [attrs[r] for r in rows.tolist()]
    return [s.fields if (s := picture.track_state(k)) else {} for k in keys]


def label_lines(domain: Domain, fields: dict[str, Any], key: str, altitude_ft: float,
                speed_kn: float) -> list[str]:  # fmt: skip
    """Callsign (air) or name (sea, land), then what an officer reads next."""
    name = fields.get("callsign") or fields.get("name")
    if not name:
        name = fields.get("icao24") or fields.get("mmsi") or key.split(":", 1)[-1]
    lines = [str(name).strip()[:16]]
    if domain is Domain.AIR and (alt := altitude_reading(altitude_ft,
                                                         fields.get("geo_altitude_ft"))):
        lines.append(alt)  # baro (FL/ft), else the CoT/GNSS height marked "ft HAE"
    elif domain is Domain.SEA and (kn := speed_reading(speed_kn, fields.get("nav_status"),
                                                        _knots)):
        lines.append(kn)  # "At anchor" / "Moored" rather than "0 kn" (AIS status 1/5)
    return lines


def _knots(kn: float) -> str:
    return f"{kn:.0f} kn"


def vector_lengths(speed_kn: np.ndarray, domain: Domain) -> np.ndarray:
    """Heading vector length from the symbol's centre (px) for speeds above still."""
    ramp = np.clip((speed_kn - VECTOR_STILL_KN) / (VECTOR_FULL_MIN_KN - VECTOR_STILL_KN),
                   0.0, 1.0)  # fmt: skip
    floor = VECTOR_SLOW_PX + (VECTOR_MIN_PX - VECTOR_SLOW_PX) * ramp
    grow = (VECTOR_MAX_PX - VECTOR_MIN_PX) * np.minimum(speed_kn / VECTOR_FULL_KN[domain], 1.0)
    return VECTOR_EDGE_PX + floor + grow


def badge_text(n: int) -> str:
    return str(n) if n < 100 else "99+"


class TrackLayer(pg.GraphicsObject):
    """All tracks of one domain as they stood at the hub's cursor, in one item."""

    hovered = Signal(object)  # track key under the pointer, or None

    def __init__(self, hub: Hub, domain: Domain | str) -> None:
        super().__init__()
        self.hub = hub
        self.domain = Domain.parse(domain) if isinstance(domain, str) else Domain(domain)
        self.peers: list[TrackLayer] = [self]  # layers that share box selection
        self.declutter = SharedDeclutter([self])  # add_track_layers shares one grid
        self.rank_version = 0  # bumped when positions or ranks change (the grid reads it)
        self.night = False
        self.label_max_m_per_px = LABEL_MAX_M_PER_PX
        self._frags = internals.PrimitiveArray(pg.QtGui.QPainter.PixmapFragment, 10)
        self._lines = internals.PrimitiveArray(QLineF, 4)
        self._emergency: dict[str, str] = {}  # key -> HIJACK / NORDO / EMERGENCY
        self._label_text: dict[int, tuple[str, ...]] = {}  # track index -> label lines
        self.sprites = LabelSprites()
        self.chips = ChipSprites()  # stack counts
        self.badges_drawn: list[Rect] = []  # count chips of the last paint (tests read them)
        self._attrs_version = -1
        self._box: QGraphicsRectItem | None = None
        self._set_frame(None)
        self.setAcceptHoverEvents(True)
        hub.pictureChanged.connect(self.refresh)
        hub.cursorChanged.connect(self.refresh)
        hub.windowChanged.connect(self.refresh)
        hub.selectionChanged.connect(self._on_selection)
        hub.layersChanged.connect(lambda _l: self.update())  # the Labels switch
        # Attribute scans (emergency squawks) run apart from positions, at 1 Hz.
        self._attrs_timer = QTimer(self)
        self._attrs_timer.setInterval(1000)
        self._attrs_timer.timeout.connect(self.refresh_attributes)
        self._attrs_timer.start()
        self.refresh()

    # ---- data --------------------------------------------------------------------
    def refresh(self, *_: object) -> None:
        """Take the picture at the cursor, keep this domain (and the window), project."""
        frame = frame_at(self.hub)
        mask = frame.domain == int(self.domain)
        window = self.hub.window
        if window is not None:
            mask &= (frame.time >= window[0]) & (frame.time <= window[1])
        self._set_frame(frame.select(mask))

    def _set_frame(self, frame: Frame | None) -> None:
        self.frame = frame
        n = 0 if frame is None else len(frame)
        if frame is None:
            self.mx = self.my = self.speed = self.course = np.empty(0)
            self.identity = np.empty(0, np.int8)
            self.keys: list[str] = []
            self.lost = np.zeros(0, bool)
        else:
            self.mx, self.my = to_mercator(frame.lon, frame.lat)
            self.keys = frame.keys
            self.lost = frame.lost
            self.identity = frame.identity
            self.speed = frame.speed_kn
            course = frame.course_deg
            self.course = np.where(np.isnan(course), frame.heading_deg, course)
        self._emergency_mask = self._mask_of(self._emergency.keys(), n)
        self._label_text = {}
        self._on_selection(self.hub.selection, update=False)
        self.rank_version += 1
        self.update()

    def _mask_of(self, keys: Any, n: int) -> np.ndarray:
        wanted = set(keys)
        if not wanted:
            return np.zeros(n, bool)
        return np.fromiter(map(wanted.__contains__, self.keys), bool, n)

    def _on_selection(self, selection: frozenset[str], update: bool = True) -> None:
        self._selected = self._mask_of(selection, len(self.keys))
        self._cells = None
        self.rank_version += 1
        if update:
            self.update()

    def refresh_attributes(self) -> None:
        """Find emergency squawks (1 Hz: a 100k-row attribute scan never holds a frame)."""
        picture = self.hub.picture
        if self.domain is not Domain.AIR or picture.version == self._attrs_version:
            return
        self._attrs_version = picture.version
        found = {}
        rows = self.frame.rows if self.frame is not None else np.empty(0, np.intp)
        for key, fields in zip(self.keys, attributes(picture, rows, self.keys), strict=True):
            if "squawk" in fields or "emergency" in fields:
                if name := emergency_text(fields):
                    found[key] = name
        if found != self._emergency:
            self._emergency = found
            self._emergency_mask = self._mask_of(found, len(self.keys))
            self._label_text = {}
            self._cells = None
            self.rank_version += 1
            self.update()

    def set_night(self, night: bool) -> None:
        """Night theme: unselected symbols at reduced brightness."""
        self.night = night
        self._cells = None
        self.update()

    def cells(self) -> np.ndarray:
        """Atlas cell per track (cached until selection, emergencies or theme change)."""
        if self._cells is None:
            sel, emg = self._selected, self._emergency_mask
            plain = Variant.DIM if self.night else Variant.NORMAL
            variant = np.where(sel, Variant.SELECTED, plain)
            variant = np.where(emg, np.where(sel, Variant.EMERGENCY_SELECTED,
                                             Variant.EMERGENCY), variant)  # fmt: skip
            lost = self.lost
            if lost.any():
                variant = np.where(lost, LOST_OF[variant], variant)
            self._cells = cell_index(self.identity, int(self.domain), variant)
            hostile = np.isin(self.identity, _HOSTILE)
            self._rank = np.where(emg, 3, np.where(sel, 2, np.where(
                lost, -1, np.where(hostile, 1, 0))))
        return self._cells

    def ranks(self) -> np.ndarray:
        """Who wins a declutter cell: 3 emergency, 2 selected, 1 hostile, 0 other,
        -1 lost (an emergency or a selected track keeps its rank while lost)."""
        self.cells()
        return self._rank

    # ---- drawing -----------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        # The whole Mercator square: symbols are pixel-sized, so data bounds would clip
        # half a symbol at the edge; the ViewBox clips to what is shown anyway.
        return _WORLD_RECT

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        if not len(self.keys):
            return
        tr = QTransform(painter.transform())  # a copy: PySide hands back a live reference
        view = tr.mapRect(self.viewRect() if self.getViewBox() else self.boundingRect())
        self.cells()
        idx = self.declutter.shown(self, tr, view)  # in view, decluttered, best last
        if not len(idx):
            return
        px, py = project(tr, self.mx[idx], self.my[idx])
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.save()
        painter.resetTransform()
        # Whole-pixel centres with smoothing and antialiasing off keep Qt's raster engine
        # on its plain blit path: measured 19 ms -> ~2 ms for 10k fragments.
        px, py = np.rint(px), np.rint(py)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if self.declutter.total <= VECTOR_MAX_SYMBOLS:  # on a carpet no line is readable
            self._draw_vectors(painter, idx, px, py)
        sym = atlas(float(dpr))
        cells = self._cells[idx]
        self._frags.resize(len(idx))
        frags = self._frags.ndarray()
        frags[:, 0] = px + sym.dx[cells]
        frags[:, 1] = py + sym.dy[cells]
        frags[:, 2] = sym.left[cells]
        frags[:, 3] = sym.top[cells]
        frags[:, 4] = sym.width[cells]
        frags[:, 5] = sym.height[cells]
        frags[:, 6:10] = (1.0 / sym.dpr, 1.0 / sym.dpr, 0.0, 1.0)
        painter.drawPixmapFragments(*self._frags.drawargs(), sym.pixmap)
        self._draw_badges(painter, px, py, self.declutter.counts(self), dpr,
                          self.declutter.towns(tr))  # fmt: skip
        try:  # an exception escaping paint takes the process down (shiboken 6.11)
            sprite, night = self.sprites.get, self.night
            for ((lines, alarm), _i), rect in self.declutter.placed(self, tr, view, dpr):
                pm, _ = sprite(lines, alarm, night, dpr)
                painter.drawPixmap(QPointF(round(rect[0]), round(rect[1])), pm)
        except Exception:
            log.exception("track labels failed")
        painter.restore()

    def _draw_badges(self, painter: QPainter, px: np.ndarray, py: np.ndarray,
                     counts: np.ndarray, dpr: float,
                     towns: list[Rect]) -> None:  # fmt: skip
        """A count chip by a symbol that stands for a stack of them (top left, or the
        first corner off the place names: ``labels.chip_rect``)."""
        if len(counts) != len(px):
            return
        self.badges_drawn = []
        for j in np.flatnonzero(counts > 1).tolist():
            r = self.badge_rect(float(px[j]), float(py[j]), int(counts[j]), dpr, towns)
            pm = self.chips.get(badge_text(int(counts[j])), "#E0E0E0", False, dpr)
            painter.drawPixmap(QPointF(round(r[0]), round(r[1])), pm)
            self.badges_drawn.append(r)

    def count_chips(self, tr: QTransform, view: QRectF, dpr: float) -> list[Rect]:
        """Where this layer's count chips go (the label pass keeps other labels off them)."""
        idx, counts = self.declutter.shown(self, tr, view), self.declutter.counts(self)
        if len(counts) != len(idx) or not (counts > 1).any():
            return []
        j = np.flatnonzero(counts > 1)
        px, py = project(tr, self.mx[idx[j]], self.my[idx[j]])
        towns = self.declutter.towns(tr)
        return [self.badge_rect(x, y, n, dpr, towns) for x, y, n in
                zip(np.rint(px).tolist(), np.rint(py).tolist(), counts[j].tolist(), strict=True)]

    def badge_rect(self, x: float, y: float, n: int, dpr: float, towns: list[Rect]) -> Rect:
        pm = self.chips.get(badge_text(n), "#E0E0E0", False, dpr)
        w, h = pm.width() / dpr, pm.height() / dpr
        return chip_rect(x, y, w, h, SYMBOL_PX * 0.15, SYMBOL_PX * 0.3, towns)

    def _draw_vectors(self, painter: QPainter, idx: np.ndarray, px: np.ndarray,
                      py: np.ndarray) -> None:  # fmt: skip
        speed, course = self.speed[idx], self.course[idx]
        ok = (speed > VECTOR_STILL_KN) & ~np.isnan(course) & ~self.lost[idx]
        if not ok.any():
            return
        length = vector_lengths(speed[ok], self.domain)
        rad = np.radians(course[ok])
        self._lines.resize(int(ok.sum()))
        lines = self._lines.ndarray()
        lines[:, 0] = px[ok]
        lines[:, 1] = py[ok]
        lines[:, 2] = px[ok] + np.sin(rad) * length  # true course: 0 up, clockwise
        lines[:, 3] = py[ok] - np.cos(rad) * length
        painter.setPen(QPen(QColor("#B0B0B0") if self.night else QColor("#101010"), 2.0))
        painter.drawLines(*self._lines.drawargs())

    def label_anchors(self, tr: QTransform, view: QRectF) -> tuple[np.ndarray, ...]:
        """Symbols that may carry a label this frame: (px, py, rank, must) per shown
        symbol index ``j``. Past the zoom threshold (and with the Labels switch on) every
        shown track may, zoomed out only emergencies; ``must``: always labelled."""
        empty = np.empty(0)
        nothing = empty, empty, empty, np.empty(0, bool), np.empty(0, np.intp)
        m_per_px = 1.0 / max(np.sqrt(abs(tr.determinant())), 1e-12)
        zoomed_in = (m_per_px <= self.label_max_m_per_px
                     and self.hub.layers.get("labels", True))  # fmt: skip
        if not zoomed_in and not self._emergency_mask.any():
            return nothing  # before ``shown``: a zoomed-out frame picks symbols once
        idx = self.declutter.shown(self, tr, view)
        if not len(idx):
            return nothing
        emg = self._emergency_mask[idx]
        keep = np.ones(len(idx), bool) if zoomed_in else emg.copy()
        if not keep.any():
            return nothing
        px, py = project(tr, self.mx[idx], self.my[idx])
        px, py = np.rint(px), np.rint(py)
        w, h = LABEL_CELL
        keep &= ((px - w < view.right()) & (px + w > view.left())
                 & (py - h < view.bottom()) & (py + h > view.top()))  # fmt: skip
        j = np.flatnonzero(keep)
        return px[j], py[j], self._rank[idx][j], emg[j], j

    def label_requests(self, tr: QTransform, view: QRectF, dpr: float,
                       chosen: np.ndarray | None = None) -> list[Request]:  # fmt: skip
        """Requests for the shared placement pass for shown symbols ``chosen`` (indices
        into ``shown``; the pass picks them over all layers with ``label_anchors``)."""
        idx = self.declutter.shown(self, tr, view)
        if chosen is None:
            chosen = self.label_anchors(tr, view)[4]
        if not len(chosen):
            return []
        px, py = project(tr, self.mx[idx[chosen]], self.my[idx[chosen]])
        rows = idx[chosen]
        texts = self._label_texts(rows)
        counts = self.declutter.counts(self)
        counts = counts[chosen] if len(counts) == len(idx) else np.ones(len(chosen), np.intp)
        size, emergency, rank = self.sprites.size, self._emergency_mask, self._rank
        at = self.sprites.origin()
        gap = SYMBOL_PX * 0.7 - PAD  # the first baseline starts PAD after this
        dx, dy = SYMBOL_PX * 0.7 - at.x(), -SYMBOL_PX * 0.35 - at.y()
        half = SYMBOL_PX * 0.46
        towns = self.declutter.towns(tr)
        reqs = []
        for x, y, lines, i, n in zip(np.rint(px).tolist(), np.rint(py).tolist(), texts,
                                     rows.tolist(), counts.tolist(), strict=True):  # fmt: skip
            lw, lh = size(lines, dpr)  # the sprite is made once the label is placed
            x0, y0 = round(x + dx), round(y + dy)
            symbol = (x - half, y - half, x + half, y + half)
            if n > 1:  # with its count chip
                c = self.badge_rect(x, y, n, dpr, towns)
                symbol = (min(symbol[0], c[0]), min(symbol[1], c[1]),
                          max(symbol[2], c[2]), max(symbol[3], c[3]))  # fmt: skip
            r = int(rank[i])
            reqs.append(Request(
                priority=10 + r, payload=((lines, bool(emergency[i])), i), symbol=symbol,
                force=r >= 3, key=i,
                tolerate=TOWN if r >= 2 else SYMBOL,
                options=around(x, y, lw, lh, gap, SYMBOL_PX * 0.6,
                               first=(x0, y0, x0 + lw, y0 + lh))))  # fmt: skip
        return reqs

    def warm_label(self, payload: Any, dpr: float) -> None:
        """Render a placed label's sprite now (the idle pass calls it for labels placed
        off-view, so the frame that brings them into view only blits them)."""
        (lines, alarm), _ = payload
        self.sprites.get(lines, alarm, self.night, dpr)

    @property
    def label_version(self) -> tuple[int, bool, bool]:
        return self.rank_version, self.night, bool(self.hub.layers.get("labels", True))

    def _label_texts(self, rows: np.ndarray) -> list[tuple[str, ...]]:
        """Label lines of tracks ``rows``, made once per picture frame (not per paint)."""
        cache = self._label_text
        missing = [i for i in rows.tolist() if i not in cache]
        if missing:
            frame = self.frame
            m = np.asarray(missing, np.intp)
            keys = [self.keys[i] for i in missing]
            fields = attributes(self.hub.picture, frame.rows[m], keys)
            lost = self.lost[m].tolist()
            age = (frame.t - frame.time[m]).tolist()
            for i, key, f, alt, kn, gone, a in zip(missing, keys, fields,
                                                   frame.altitude_ft[m].tolist(),
                                                   frame.speed_kn[m].tolist(), lost, age,
                                                   strict=True):  # fmt: skip
                lines = label_lines(self.domain, f, key, alt, kn)
                if gone:  # under the name: what an officer reads first after who
                    lines.insert(1, lost_text(a))
                alarm = self._emergency.get(key)
                cache[i] = (alarm, *lines) if alarm else tuple(lines)
        return [cache[i] for i in rows.tolist()]

    # ---- picking -----------------------------------------------------------------
    def pick(self, scene_pos: QPointF, radius_px: float = HIT_PX) -> tuple[int, float]:
        """(index of the nearest symbol within ``radius_px`` of a scene point, or -1; px)."""
        scene = self.scene()
        if scene is None or not scene.views() or not len(self.keys):
            return -1, np.inf
        tr = self.sceneTransform() * scene.views()[0].viewportTransform()
        p = tr.map(self.mapFromScene(scene_pos))
        px, py = project(tr, self.mx, self.my)
        d2 = (px - p.x()) ** 2 + (py - p.y()) ** 2
        i = int(np.argmin(d2))
        d = float(np.sqrt(d2[i]))
        return (i, d) if d <= radius_px else (-1, np.inf)

    def tooltip(self, i: int) -> str:
        """Callsign/name, identity, speed, altitude or FL, and DTG age of track ``i``."""
        f = self.frame
        key = self.keys[i]
        state = self.hub.picture.track_state(key)
        fields = state.fields if state else {}
        name = label_lines(self.domain, fields, key, np.nan, np.nan)[0]
        parts = [f"{name}  ({Identity(int(f.identity[i])).label.replace('_', ' ')}"
                 f" {self.domain.label})"]  # fmt: skip
        alarm = self._emergency.get(key)
        if alarm:
            parts.append(f"SQUAWK {fields.get('squawk', '')} {alarm}".strip())
        status = fields.get("nav_status") if self.domain is Domain.SEA else None
        if kn := speed_reading(f.speed_kn[i], status, _knots):
            parts.append(kn)
        if alt := altitude_reading(f.altitude_ft[i], fields.get("geo_altitude_ft")):
            parts.append(alt)
        t = float(f.time[i])
        parts.append(f"{format_dtg(t)} ({age_text(self.hub.cursor - t, not self.hub.live)})")
        if self.lost[i] and f.stale_at is not None:
            parts.append(f"LOST since {format_dtg(float(f.stale_at[i]))}: no report since"
                         f" the last above")  # fmt: skip
        return "\n".join(parts)

    def hoverEvent(self, ev: Any) -> None:
        if ev.isExit():
            self.setToolTip("")
            self.hovered.emit(None)
            return
        i, _ = self.pick(ev.scenePos())
        if i < 0:
            self.setToolTip("")
            self.hovered.emit(None)
            return
        ev.acceptClicks(Qt.MouseButton.LeftButton)
        self.setToolTip(self.tooltip(i))
        self.hovered.emit(self.keys[i])

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        # The nearest symbol over every domain layer wins, whichever layer is on top.
        best = min(((*layer.pick(ev.scenePos()), layer) for layer in self.peers
                    if layer.isVisible()), key=lambda h: h[1])  # fmt: skip
        i, _, layer = best
        if i < 0:
            ev.ignore()
            return
        ev.accept()
        key = layer.keys[i]
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            sel = set(self.hub.selection)
            sel.symmetric_difference_update({key})
            self.hub.select(sel)
        else:
            self.hub.select({key})

    def mouseDragEvent(self, ev: Any) -> None:
        """Shift+drag draws a box and selects every visible track in it (Ctrl adds)."""
        mods = ev.modifiers()
        if ev.button() != Qt.MouseButton.LeftButton or not mods & Qt.KeyboardModifier.ShiftModifier:
            ev.ignore()
            return
        ev.accept()
        vb = self.getViewBox()
        a, b = vb.mapSceneToView(ev.buttonDownScenePos()), vb.mapSceneToView(ev.scenePos())
        rect = QRectF(a, b).normalized()
        if self._box is None:
            self._box = QGraphicsRectItem()
            self._box.setPen(pg.mkPen("#FF9900", width=2, cosmetic=True))
            self._box.setBrush(pg.mkBrush(255, 153, 0, 40))
            vb.addItem(self._box, ignoreBounds=True)
        self._box.setRect(rect)
        self._box.setZValue(1e6)
        if not ev.isFinish():
            return
        vb.removeItem(self._box)
        self._box = None
        keys = set(self.hub.selection) if mods & Qt.KeyboardModifier.ControlModifier else set()
        for layer in self.peers:
            if layer.isVisible():
                keys.update(layer.keys_in(rect))
        self.hub.select(keys)

    def keys_in(self, rect: QRectF) -> list[str]:
        """Keys of tracks inside a rectangle of Mercator metres."""
        m = ((self.mx >= rect.left()) & (self.mx <= rect.right())
             & (self.my >= rect.top()) & (self.my <= rect.bottom()))  # fmt: skip
        return [self.keys[i] for i in np.flatnonzero(m).tolist()]


def add_track_layers(view: MapView, hub: Hub) -> dict[str, Any]:
    """Put the air, sea and land layers (and trails) on ``view``; U4 composes with this."""
    layers: dict[str, Any] = {}
    peers: list[TrackLayer] = []
    for name in ("land", "sea", "air"):
        layer = TrackLayer(hub, name)
        view.add_layer(name, layer, Z[name])
        layers[name] = layer
        peers.append(layer)
    declutter = SharedDeclutter(peers)  # one grid: rank wins a cell across domains
    declutter.view = view  # labels keep off the base map's place names
    for name in view.layer_names():  # airspace limits already on the map join its pass
        getattr(view.layer(name), "join_labels", lambda _d: None)(declutter)
    for layer in peers:
        layer.peers = peers
        layer.declutter = declutter
    trails = TrailLayer(hub)
    view.add_layer("trails", trails, Z["trails"])
    layers["trails"] = trails
    return layers


def zoom_to_selection(view: MapView, hub: Hub, *, min_span_km: float = 20.0,
                      margin: float = 0.15) -> bool:  # fmt: skip
    """Fit the selected tracks (as they stand at the cursor) in the view; False if none."""
    if not hub.selection:
        return False
    frame = frame_at(hub)
    sel = hub.selection
    mask = np.fromiter((k in sel for k in frame.keys), bool, len(frame))
    if not mask.any():
        return False
    x, y = to_mercator(frame.lon[mask], frame.lat[mask])
    _lon_c, lat_c = from_mercator((x.min() + x.max()) / 2, (y.min() + y.max()) / 2)
    half_min = min_span_km * 500.0 / max(np.cos(np.radians(float(lat_c))), 0.01)
    hx = max((x.max() - x.min()) * (0.5 + margin), half_min)
    hy = max((y.max() - y.min()) * (0.5 + margin), half_min)
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    view.viewbox.setRange(xRange=(cx - hx, cx + hx), yRange=(cy - hy, cy + hy), padding=0)
    return True
