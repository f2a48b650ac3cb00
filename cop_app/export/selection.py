"""What an export contains: the same choice of tracks, reports and zones as the map.

One place decides it so every format (and the snapshot) agrees with the screen:
tracks on the map at ``at`` (live, or lost: past their stale time and within their
lost period, drawn hollow and marked LOST as on screen; with a window, last heard
inside it), reports in the
window (or up to ``at``) with the status each had at ``at``, minus the statuses hidden
by default, zones valid at ``at``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from cop_app.core.entities import LandReport, Track, Zone
from cop_app.core.enums import Domain
from cop_app.core.geo import bbox_mask
from cop_app.core.readings import finite  # noqa: F401 (exports import it from here)
from cop_app.core.style import HIDDEN_BY_DEFAULT

TRACK_LAYERS = ("air", "sea", "land")
ALL_LAYERS = frozenset({*TRACK_LAYERS, "reports", "zones"})
# The time a product covers, ending at its picture time, unless the officer brushed a
# window or asked for another: one value for ``cop-app snapshot`` and File -> Export, so
# the same picture gives the same product whichever way it was asked for.
DEFAULT_WINDOW_S = 6 * 3600.0
DEFAULT_TITLE = "Common operating picture"


@dataclass(frozen=True)
class ProductView:
    """The area a product was asked to show: a box, or a centre and web zoom (as the
    snapshot's ``--bbox`` / ``--center --zoom``). None of either: fit the data."""

    bbox: tuple[float, float, float, float] | None = None  # W, S, E, N degrees
    centre: tuple[float, float, float] | None = None  # lat, lon, zoom

    def as_json(self) -> dict[str, Any] | None:
        if self.centre is not None:
            lat, lon, zoom = self.centre
            return {"centre": [float(lat), float(lon)], "zoom": float(zoom)}
        if self.bbox is not None:
            return {"bbox": [float(v) for v in self.bbox]}
        return None


@dataclass(frozen=True)
class ExportMeta:
    """Marking and context every product carries (banner, title, picture time)."""

    title: str
    banner: str
    at: float
    window: tuple[float, float] | None = None
    layers: set[str] = field(default_factory=lambda: set(ALL_LAYERS))
    view: ProductView | None = None  # interactive formats open here (HTML)


@dataclass(frozen=True)
class PlacedTrack:
    """A track with its position as of the export time (interpolated like the map)."""

    track: Track
    lat: float
    lon: float
    time: float  # time of the last fix at or before ``at``
    lost: bool = False  # past its stale time at ``at``, still on the map as lost

    @property
    def layer(self) -> str:
        return self.track.domain.label


@dataclass
class Selection:
    at: float
    tracks: list[PlacedTrack] = field(default_factory=list)
    reports: list[LandReport] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)

    def tracks_in(self, layer: str) -> list[PlacedTrack]:
        return [p for p in self.tracks if p.layer == layer]


def wants_reports(layers: set[str]) -> bool:
    """Reports are the land picture of a ceasefire mission: ``land`` brings them too."""
    return "reports" in layers or "land" in layers


def select(
    picture: Any,
    *,
    at: float,
    window: tuple[float, float] | None,
    layers: set[str],
    bbox: tuple[float, float, float, float] | None,
    include_stale: bool = False,
    include_lost: bool = True,
) -> Selection:
    sel = Selection(at=at)
    with picture.lock:
        frame = picture.as_of(at, include_stale=include_stale, include_lost=include_lost)
        lost = frame.lost
        wanted = {int(Domain.parse(name)) for name in TRACK_LAYERS if name in layers}
        mask = [int(d) in wanted for d in frame.domain]
        for i, keep in enumerate(mask):
            t = float(frame.time[i])
            if not keep or (window is not None and not window[0] <= t <= window[1]):
                continue
            lat, lon = float(frame.lat[i]), float(frame.lon[i])
            if bbox is not None and not bbox_mask(lon, lat, bbox):
                continue
            track = picture.track(frame.keys[i])
            if track is not None:
                sel.tracks.append(PlacedTrack(track, lat, lon, t, bool(lost[i])))
        if wants_reports(layers):
            start, end = window if window is not None else (None, at)
            sel.reports = reports_as_at(picture.reports_in(start=start, end=end, bbox=bbox), at)
        if "zones" in layers:
            sel.zones = [z for z in picture.zones.values() if z.valid_at(at)]
    return sel


def reports_as_at(reports: list[LandReport], at: float) -> list[LandReport]:
    """Located reports with the status each had at ``at`` (its trail), minus those
    hidden by default then: a product of yesterday's picture shows yesterday's
    verification, as the replaying map does, and every format writes that one."""
    out = []
    for r in reports:
        status = r.status_at(at)
        if r.has_position and str(status) not in HIDDEN_BY_DEFAULT:
            out.append(r if status == r.status else dataclasses.replace(r, status=status))
    return out
