"""Interactive HTML export: one self-contained page that works offline (folium + Leaflet).

Why not folium's defaults: its template loads ~10 files from CDNs (Leaflet, jQuery,
Bootstrap, Font Awesome...) and its Popup puts our HTML inside a JavaScript template
literal parsed by jQuery, where a backtick or ``${`` in a report would run as code.
So the page keeps folium for the map, FeatureGroups and the layer control, inlines
Leaflet 1.9.4 (BSD-2-Clause, from the PyPI package ``django-js-lib-leaflet``) with its
two images as data URIs, draws the built-in Natural Earth base map as GeoJSON
(``tiles=None``), and builds every marker and popup in a small script that reads the
items from one JSON literal and writes untrusted strings with ``textContent`` only.
The JSON literal escapes ``<``, ``>`` and ``&`` so ``</script>`` in a report cannot
close the script; the banner, title and times are ``html.escape``d.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections import Counter
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from cop_app.core.picture import emergency_text
from cop_app.core.style import (
    AFFILIATION_FILLS,
    AFFILIATION_LABELS,
    BASEMAP_DAY,
    EMERGENCY_FILL,
    EVENT_LABELS,
    HATCHED,
    STATUS_LABELS,
    STRUCK,
    identity_frame,
    status_colour,
)
from cop_app.core.timeutil import now
from cop_app.export import describe as d
from cop_app.export.geojson import geometry_json
from cop_app.export.html_script import PAGE_SCRIPT
from cop_app.export.selection import (
    TRACK_LAYERS,
    ExportMeta,
    Selection,
    finite,
    wants_reports,
)

LEAFLET_DIR = "static/js_lib_leaflet"
ATTRIBUTION = "Base map: Natural Earth (public domain). Leaflet 1.9.4 (BSD-2-Clause)"
DEFAULT_VIEW = ((47.5, 35.0), 6)  # the exercise area, when there is nothing to fit
# Heading lines as the map draws them (ui/map/tracks.py: px per knot by domain, capped).
VECTOR_PX_PER_KN = {"air": 0.08, "sea": 2.5, "land": 1.5}
VECTOR_MAX_PX = 60.0


@cache
def leaflet_assets() -> tuple[str, str]:
    """(leaflet.js, leaflet.css) from the wheel, CSS images as data URIs, no source map."""
    root = files("js_lib_leaflet").joinpath(LEAFLET_DIR)
    js = root.joinpath("leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js)
    css = root.joinpath("leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = root.joinpath(match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return js, css


def js_literal(value: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' (so no '</script>'),
    ASCII only (so no U+2028/U+2029 line breaks that old parsers choke on)."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Raw(Element):
    """Markup we built (and escaped) ourselves, inserted as it is.

    branca's ``Element(text)`` compiles its argument as a Jinja template, so a title
    holding ``{{ ... }}`` would run as template code; here the text is only a value.
    """

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _OfflineMap(folium.Map):
    default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium reads class attributes)
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


class _Items(MacroElement):
    """Markers, shapes, popups and the map-product controls, built in the page."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name }};
  var groups = {{ this.groups }};
  var items = {{ this.items }};
  var legend = {{ this.legend }};
  var view = {{ this.view }};
  var SYM = {{ this.symbols }};
""" + PAGE_SCRIPT + """
})();
{% endmacro %}
""")

    def __init__(self, map_name: str, groups: dict[str, str], items: list[dict[str, Any]],
                 legend: dict[str, Any], view: dict[str, Any] | None) -> None:  # fmt: skip
        super().__init__()
        self._name = "CopItems"
        self.map_name = map_name
        # Group names are folium's own identifiers (map_1a2b...); emitted as JS names.
        self.groups = "{" + ",".join(f"{js_literal(k)}:{v}" for k, v in groups.items()) + "}"
        self.items = js_literal(items)
        self.legend = js_literal(legend)
        self.view = js_literal(view)
        self.symbols = js_literal(symbol_tables())
        self.attribution = js_literal(html.escape(ATTRIBUTION))


def symbol_tables() -> dict[str, Any]:
    """The fixed shapes the page's symbols are made of (never item data)."""
    from cop_app.export import html_symbols as hs

    return {"frames": hs.frame_paths(), "marks": hs.domain_marks(), "events": hs.event_paths(),
            "size": hs.SYMBOL_PX, "radius": hs.REPORT_RADIUS_PX,
            "vector_px_per_kn": VECTOR_PX_PER_KN, "vector_max_px": VECTOR_MAX_PX}  # fmt: skip


def _track_symbol(p: Any) -> dict[str, Any]:
    family, dashed, letter = identity_frame(p.track.identity.label)
    f = p.track.fields
    alarm = emergency_text(f)
    return {"frame": f"{family}-{p.layer}", "family": family, "domain": p.layer,
            "dashed": dashed, "letter": letter, "alarm": alarm,
            "fill": EMERGENCY_FILL if alarm else AFFILIATION_FILLS[family],
            "course": finite(f.get("course_deg")), "speed": finite(f.get("speed_kn")),
            "lost": bool(getattr(p, "lost", False))}  # fmt: skip


def _items(selection: Selection) -> list[dict[str, Any]]:
    out = []
    for p in selection.tracks:
        props = d.track_props(p)
        out.append({"layer": p.layer, "name": d.track_name(p), "colour": d.track_colour(p),
                    "rows": d.rows(props, d.TRACK_ROWS), "symbol": _track_symbol(p),
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]}})
    for r in selection.reports:
        geom = (r.geometry if r.geometry and r.geometry.get("type") != "Point"
                else {"type": "Point", "coordinates": [r.lon, r.lat]})  # fmt: skip
        if geom["type"] != "Point":
            from shapely.geometry import shape

            geom = geometry_json(shape(geom))
        status = r.status.value
        out.append({"layer": "reports", "name": d.report_name(r), "colour": d.report_colour(r),
                    "rows": d.rows(d.report_props(r), d.REPORT_ROWS), "geometry": geom,
                    "symbol": {"event": r.event_type.value, "fill": status_colour(status),
                               "hatched": status in HATCHED, "struck": status in STRUCK}})
    for z in selection.zones:
        out.append({"layer": "zones", "name": z.name or z.id, "colour": d.zone_colour_of(z),
                    "rows": d.rows(d.zone_props(z), d.ZONE_ROWS),
                    "geometry": geometry_json(z.geometry)})
    return out


def _legend(selection: Selection, meta: ExportMeta) -> dict[str, Any]:
    """Rows with counts: affiliations (each drawn in the frame of its commonest
    domain), report statuses by colour, event types by shape; only what is there."""
    fams: Counter[str] = Counter()
    doms: dict[str, Counter[str]] = {}
    for p in selection.tracks:
        family = identity_frame(p.track.identity.label)[0]
        fams[family] += 1
        doms.setdefault(family, Counter())[p.layer] += 1
    statuses = Counter(r.status.value for r in selection.reports)
    events = Counter(r.event_type.value for r in selection.reports)
    return {
        "affiliations": [{"label": AFFILIATION_LABELS[f], "count": fams[f],
                          "frame": f"{f}-{doms[f].most_common(1)[0][0]}",
                          "fill": AFFILIATION_FILLS[f]}
                         for f in AFFILIATION_LABELS if fams[f]],
        "statuses": [{"label": STATUS_LABELS.get(s, s), "count": statuses[s],
                      "fill": status_colour(s), "hatched": s in HATCHED}
                     for s in STATUS_LABELS if statuses[s]],
        "events": [{"label": EVENT_LABELS.get(e, e), "count": events[e], "event": e}
                   for e in EVENT_LABELS if events[e]],
        "reports": wants_reports(meta.layers),
    }  # fmt: skip


def _layers(meta: ExportMeta) -> list[str]:
    names = [x for x in TRACK_LAYERS if x in meta.layers]
    if wants_reports(meta.layers):
        names.append("reports")
    if "zones" in meta.layers:
        names.append("zones")
    return names


_CSS = """
html, body { font-family: "DejaVu Sans", Arial, sans-serif; }
.folium-map { background: %(sea)s; }
.cop-banner { position: fixed; left: 0; right: 0; z-index: 1000; text-align: center;
  font: bold 14px/22px "DejaVu Sans", Arial, sans-serif; background: #2E7D32; color: #fff; }
.cop-banner.top { top: 0; } .cop-banner.bottom { bottom: 0; }
.cop-info { position: fixed; top: 30px; left: 56px; z-index: 1000; background: #fff;
  padding: 6px 10px; border: 1px solid #555; border-radius: 4px; font-size: 13px; }
.cop-info h1 { font-size: 16px; margin: 0 0 4px 0; }
.cop-popup-title { font-weight: bold; margin-bottom: 4px; }
.cop-popup th { text-align: left; padding-right: 8px; vertical-align: top; white-space: nowrap; }
.cop-popup td { white-space: pre-wrap; overflow-wrap: anywhere; min-width: 14em; }
.leaflet-top { top: 22px; } .leaflet-bottom { bottom: 22px; }
.cop-icon { background: none; border: none; }
.cop-icon svg { overflow: visible; display: block; }
.cop-alarm { color: #D00000; font-weight: bold; }
.cop-north { background: #fff; padding: 2px; line-height: 0; }
.cop-legend-box { background: #fff; padding: 6px 8px; font-size: 12px; max-height: 45vh;
  overflow-y: auto; min-width: 190px; }
.cop-legend-head { font-weight: bold; margin: 4px 0 2px 0; }
.cop-legend-row { display: flex; align-items: center; gap: 6px; line-height: 22px; }
.cop-legend-swatch { width: 24px; display: inline-flex; justify-content: center; }
.cop-legend-label { flex: 1; }
.cop-legend-count { font-variant-numeric: tabular-nums; text-align: right; min-width: 2em; }
.leaflet-control-scale-line { font-size: 12px; }
"""


def _chrome(meta: ExportMeta, counts: dict[str, int]) -> str:
    """Banner top and bottom, title, picture and production DTG, window, legend."""
    e = html.escape
    lines = [f"<h1>{e(meta.title)}</h1>",
             f"<div>Picture time: <b class='cop-dtg'>{e(d.dtg(meta.at) or '')}</b>"
             f" ({e(d.iso(meta.at) or '')})</div>",
             f"<div>Produced: {e(d.dtg(now()) or '')}</div>"]  # fmt: skip
    if meta.window:
        lines.append(f"<div>Window: {e(d.dtg(meta.window[0]) or '')} to "
                     f"{e(d.dtg(meta.window[1]) or '')}</div>")  # fmt: skip
    legend = ", ".join(f"{e(d.LAYER_TITLES[k])}: {n}" for k, n in counts.items())
    lines.append(f"<div class='cop-legend'>{legend}</div>")
    banner = e(meta.banner)
    return (f"<div class='cop-banner top'>{banner}</div>"
            f"<div class='cop-info'>{''.join(lines)}</div>"
            f"<div class='cop-banner bottom'>{banner}</div>")  # fmt: skip


def build_map(selection: Selection, meta: ExportMeta) -> folium.Map:
    from cop_app.export.basemap import basemap_geojson

    m = _OfflineMap(location=DEFAULT_VIEW[0], zoom_start=DEFAULT_VIEW[1], tiles=None,
                    prefer_canvas=False, control_scale=False)  # fmt: skip
    js, css = leaflet_assets()
    root = m.get_root()
    root.header.add_child(_Raw(f"<title>{html.escape(meta.title)}</title>"), name="title")
    root.header.add_child(_Raw(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(_Raw(f"<style>{_CSS % {'sea': BASEMAP_DAY['sea']}}</style>"),
                          name="cop_css")  # fmt: skip
    root.header.add_child(_Raw(f"<script>{js}</script>"), name="leaflet_js")
    colours = {"land": BASEMAP_DAY["land"], "coast": BASEMAP_DAY["coast"],
               "borders": BASEMAP_DAY["border"]}  # fmt: skip
    folium.GeoJson(
        basemap_geojson(), name="Base map", control=False, interactive=False,
        style_function=lambda f: {
            "color": colours[f["properties"]["layer"]],
            "weight": 1 if f["properties"]["layer"] != "land" else 0,
            "fillColor": colours["land"], "fillOpacity": 1.0,
            "fill": f["properties"]["layer"] == "land", "fillRule": "evenodd",
            "dashArray": "4 3" if f["properties"]["layer"] == "borders" else None,
        },
    ).add_to(m)  # fmt: skip
    items = _items(selection)
    counts = {k: sum(1 for i in items if i["layer"] == k) for k in _layers(meta)}
    groups = {}
    for layer, n in counts.items():
        fg = folium.FeatureGroup(name=f"{d.LAYER_TITLES[layer]} ({n})", show=True)
        fg.add_to(m)
        groups[layer] = fg.get_name()
    folium.LayerControl(collapsed=False).add_to(m)
    view = meta.view.as_json() if meta.view is not None else None
    m.add_child(_Items(m.get_name(), groups, items, _legend(selection, meta), view))
    root.html.add_child(_Raw(_chrome(meta, counts)), name="cop_chrome")
    return m


def html_text(selection: Selection, meta: ExportMeta) -> str:
    return build_map(selection, meta).get_root().render()


def write_html(selection: Selection, path: Path, meta: ExportMeta) -> None:
    path.write_text(html_text(selection, meta), encoding="utf-8")
