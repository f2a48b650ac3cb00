"""The HTML export's page script: symbols, popups, legend, north arrow, km+nm scale, view.

Runs inside ``(function () { ... })()`` after ``map``, ``groups``, ``items``, ``legend``,
``view`` and ``SYM`` are defined (``html._Items``). Every shape is built with
``createElementNS`` and ``setAttribute`` from the fixed tables in ``SYM`` (path data from
``html_symbols``) and colours from our palettes, checked again against ``#RRGGBB``;
every string from an item (names, popup rows, legend labels) is written with
``textContent``. Nothing is fetched: the scale, arrow and legend are drawn here.

Scale: Leaflet's control draws metric and imperial bars; ``ScaleNm`` keeps its metric
bar and replaces the imperial one with nautical miles (UX.md: distances in km and nm;
1 nm = 1852 m exactly), rounding to 1, 2, 3 or 5 times a power of ten as Leaflet does,
below 1 nm too.
"""

PAGE_SCRIPT = r"""
  var NS = "http://www.w3.org/2000/svg";
  function el(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function colour(c) { return /^#[0-9A-Fa-f]{6}$/.test(c) ? c : "#9E9E9E"; }
  function svgBox(half) {
    return el("svg", {width: 2 * half, height: 2 * half,
                      viewBox: (-half) + " " + (-half) + " " + (2 * half) + " " + (2 * half),
                      "class": "cop-svg"});
  }
  var HATCH_ID = "cop-hatch";
  (function () {  // one hatch pattern for every unverifiable report
    var defs = el("svg", {width: 0, height: 0, "aria-hidden": "true",
                          style: "position:absolute"});
    var pat = el("pattern", {id: HATCH_ID, width: 4, height: 4,
                             patternUnits: "userSpaceOnUse",
                             patternTransform: "rotate(45)"});
    pat.appendChild(el("line", {x1: 0, y1: 0, x2: 0, y2: 4, stroke: "#202020",
                                "stroke-width": 1.4}));
    var d = el("defs", {});
    d.appendChild(pat);
    defs.appendChild(d);
    document.body.appendChild(defs);
  })();
  function frameSvg(sym, marker, layer) {
    var s = SYM.size, half = s + SYM.vector_max_px;
    var svg = svgBox(half);
    var frame = SYM.frames[sym.frame] || SYM.frames["unknown-land"];
    // A lost track (past its stale time) as on screen: hollow grey frame (red for an
    // emergency), no heading line (it is not known to be moving now).
    var lostInk = sym.alarm ? "#FF1A1A" : "#A8A8A8";
    if (sym.speed > 0.5 && sym.course !== null && !sym.lost) {
      var per = SYM.vector_px_per_kn[sym.domain] || 1;
      var len = Math.min(sym.speed * per, SYM.vector_max_px) + s * 0.5;
      var rad = sym.course * Math.PI / 180;
      svg.appendChild(el("line", {x1: 0, y1: 0, x2: (Math.sin(rad) * len).toFixed(1),
                                  y2: (-Math.cos(rad) * len).toFixed(1), stroke: "#101010",
                                  "stroke-width": 2, "class": "cop-heading"}));
    }
    var attrs = {d: frame, fill: colour(sym.fill), stroke: "#000000",
                 "stroke-width": Math.max(1.5, s / 13).toFixed(1), "fill-rule": "evenodd",
                 "stroke-linejoin": "miter", "data-family": sym.family || "",
                 "class": marker ? "cop-marker cop-frame cop-" + layer : "cop-frame"};
    if (sym.lost) {
      var edge = {};
      for (var k in attrs) { edge[k] = attrs[k]; }
      edge.fill = "none";
      edge["class"] = "cop-lost-edge";
      edge["stroke-width"] = (Math.max(1.5, s / 13) + 2).toFixed(1);
      svg.appendChild(el("path", edge));
      attrs.fill = "none";
      attrs.stroke = lostInk;
      attrs["class"] += " cop-lost";
    }
    if (sym.dashed) { attrs["stroke-dasharray"] = "2.5 1.8"; }
    svg.appendChild(el("path", attrs));
    var mark = SYM.marks[sym.domain];
    if (mark) {
      svg.appendChild(el("path", sym.lost ? {d: mark, fill: lostInk, stroke: "#000000",
                                             "stroke-width": 1}
                                          : {d: mark, fill: sym.alarm ? "#FFFFFF" : "#000000"}));
    }
    if (sym.letter === "J" || sym.letter === "K") {
      var t = el("text", {x: (0.6 * s).toFixed(1), y: (-0.35 * s).toFixed(1),
                          "font-size": (0.55 * s).toFixed(1), "font-weight": "bold",
                          "text-anchor": "middle", fill: "#000000"});
      t.textContent = sym.letter;
      svg.appendChild(t);
    }
    return svg;
  }
  function reportSvg(sym, marker) {
    var r = SYM.radius, half = r + 4;
    var svg = svgBox(half);
    var d = SYM.events[sym.event] || SYM.events.other;
    svg.appendChild(el("path", {d: d, fill: colour(sym.fill), stroke: "#101010",
                                "stroke-width": 1, "fill-rule": "evenodd",
                                "data-event": sym.event in SYM.events ? sym.event : "other",
                                "class": marker ? "cop-marker cop-report cop-reports"
                                                : "cop-report"}));
    if (sym.hatched) {
      svg.appendChild(el("path", {d: d, fill: "url(#" + HATCH_ID + ")", "fill-rule": "evenodd",
                                  "pointer-events": "none"}));
    }
    if (sym.struck) {
      svg.appendChild(el("line", {x1: -r - 2, y1: r + 2, x2: r + 2, y2: -r - 2,
                                  stroke: "#000000", "stroke-width": 2}));
    }
    return svg;
  }
  function icon(svg) {
    var w = Number(svg.getAttribute("width"));
    return L.divIcon({html: svg, className: "cop-icon", iconSize: [w, w],
                      iconAnchor: [w / 2, w / 2], popupAnchor: [0, -8],
                      tooltipAnchor: [10, 0]});
  }
  function popup(item) {
    var box = document.createElement("div");
    box.className = "cop-popup";
    var head = document.createElement("div");
    head.className = "cop-popup-title";
    head.textContent = item.name;
    box.appendChild(head);
    var table = document.createElement("table");
    item.rows.forEach(function (row) {
      var tr = table.insertRow();
      var th = document.createElement("th");
      th.textContent = row[0];
      tr.appendChild(th);
      tr.insertCell().textContent = row[1];
    });
    box.appendChild(table);
    return box;
  }
  function tip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  var bounds = L.latLngBounds([]);
  items.forEach(function (item) {
    var group = groups[item.layer];
    if (!group) { return; }
    var layer;
    var g = item.geometry;
    if (g.type === "Point") {
      var ll = [g.coordinates[1], g.coordinates[0]];
      var svg = item.layer === "reports" ? reportSvg(item.symbol, true)
                                         : frameSvg(item.symbol, true, item.layer);
      layer = L.marker(ll, {icon: icon(svg), keyboard: false,
                            zIndexOffset: item.symbol.alarm ? 1000 : 0});
      if (item.symbol.alarm) {  // emergencies always labelled, in red (UX.md, Air)
        layer.bindTooltip(tip(item.symbol.alarm + " " + item.name),
                          {permanent: true, direction: "right", className: "cop-alarm"});
      } else {
        layer.bindTooltip(function () { return tip(item.name); });
      }
    } else {
      layer = L.geoJSON(g, {style: {color: colour(item.colour), weight: 2, fillOpacity: 0.2,
                                    className: "cop-shape cop-" + item.layer}});
      layer.bindTooltip(function () { return tip(item.name); });
    }
    layer.bindPopup(function () { return popup(item); });
    layer.addTo(group);
    bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng());
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution({{ this.attribution }});

  // ---- map-product controls: legend, north arrow, scale in km and nm ----------------
  function row(parent, swatch, label, count, cls) {
    var r = document.createElement("div");
    r.className = "cop-legend-row " + cls;
    var sw = document.createElement("span");
    sw.className = "cop-legend-swatch";
    if (swatch) { sw.appendChild(swatch); }
    var name = document.createElement("span");
    name.className = "cop-legend-label";
    name.textContent = label;
    var n = document.createElement("span");
    n.className = "cop-legend-count";
    n.textContent = String(count);
    r.appendChild(sw); r.appendChild(name); r.appendChild(n);
    parent.appendChild(r);
  }
  function heading(parent, text) {
    var h = document.createElement("div");
    h.className = "cop-legend-head";
    h.textContent = text;
    parent.appendChild(h);
  }
  function scaled(svg, px) {
    svg.setAttribute("width", px);
    svg.setAttribute("height", px);
    return svg;
  }
  var Legend = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      var box = L.DomUtil.create("div", "cop-legend-box leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      heading(box, "Legend");
      if (legend.affiliations.length) {
        heading(box, "Tracks by affiliation");
        legend.affiliations.forEach(function (a) {
          var dom = a.frame.split("-")[1];
          var sym = {frame: a.frame, fill: a.fill, domain: dom, family: a.frame.split("-")[0]};
          var svg = frameSvg(sym, false, "");
          svg.setAttribute("viewBox", "-16 -16 32 32");
          row(box, scaled(svg, 22), a.label, a.count, "cop-legend-affiliation");
        });
      }
      if (legend.statuses.length) {
        heading(box, "Reports by status (colour)");
        legend.statuses.forEach(function (s) {
          var sym = {event: "other", fill: s.fill, hatched: s.hatched};
          row(box, scaled(reportSvg(sym, false), 20), s.label, s.count, "cop-legend-status");
        });
      }
      if (legend.events.length) {
        heading(box, "Reports by event (shape)");
        legend.events.forEach(function (e) {
          var sym = {event: e.event, fill: "#9E9E9E"};
          row(box, scaled(reportSvg(sym, false), 20), e.label, e.count, "cop-legend-event");
        });
      }
      return box;
    }
  });
  var North = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      // Web Mercator keeps true north straight up everywhere on the page.
      var box = L.DomUtil.create("div", "cop-north leaflet-bar");
      box.title = "North";
      var svg = el("svg", {width: 30, height: 42, viewBox: "-15 -21 30 42"});
      svg.appendChild(el("path", {d: "M0 -8 L9 18 L0 12 Z", fill: "#FFFFFF",
                                  stroke: "#000000", "stroke-width": 1.2}));
      svg.appendChild(el("path", {d: "M0 -8 L-9 18 L0 12 Z", fill: "#000000",
                                  stroke: "#000000", "stroke-width": 1.2}));
      var t = el("text", {x: 0, y: -11, "text-anchor": "middle", "font-size": 12,
                          "font-weight": "bold", fill: "#000000"});
      t.textContent = "N";
      svg.appendChild(t);
      box.appendChild(svg);
      return box;
    }
  });
  function niceNumber(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var d = x / p;
    d = d >= 5 ? 5 : d >= 3 ? 3 : d >= 2 ? 2 : 1;
    return d * p;
  }
  var ScaleNm = L.Control.Scale.extend({
    _updateImperial: function (maxMeters) {
      var maxNm = maxMeters / 1852;
      var nm = niceNumber(maxNm);
      var text = (nm < 1 ? Number(nm.toPrecision(1)) : nm) + " nm";
      this._updateScale(this._iScale, text, nm / maxNm);
      L.DomUtil.addClass(this._iScale, "cop-scale-nm");
    }
  });
  new North().addTo(map);
  new ScaleNm({metric: true, imperial: true, maxWidth: 150}).addTo(map);
  new Legend().addTo(map);

  // ---- the view the product asked for; the data's extent only when none was given ---
  map.options.zoomSnap = 0.25;
  if (view && view.centre) {
    map.setView(view.centre, view.zoom);
  } else if (view && view.bbox) {
    map.fitBounds([[view.bbox[1], view.bbox[0]], [view.bbox[3], view.bbox[2]]]);
  } else if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.15), {maxZoom: 11});
  }
  window.copMap = map;
  window.copItems = items.length;
"""
