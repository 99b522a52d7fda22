/* The dashboard's map (and the wall's): the regions under the one shown (the towns of a
   county, the grids of a town) coloured by the figure chosen in the radio buttons, with
   a legend, the towns' names, the shown region's outline, and the events as clustered
   pins (Leaflet.markercluster) at town level and below or once zoomed in. Base tiles
   only from the configured tile server; otherwise a plain background with the outlines.
   Every word comes from the map endpoint's `meta` (translated on the server). */
(function () {
  "use strict";
  var dataEl = document.getElementById("dash-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var mapEl = document.getElementById("dash-map");
  if (!mapEl || !window.L || !data.map_url) return;
  var L = window.L;

  // Sequential palettes, five classes, lowest first. Rates where high is good run from
  // red to green; the overdue count (high is bad) from green to red; the event count,
  // neither good nor bad, in blues.
  var PALETTES = {
    high: ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"],
    low: ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"],
    none: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
  };
  var NO_DATA = "#d0d4d9";
  var PIN_COLOURS = { overdue: "#c62828", warning: "#ef9a00", open: "#1d6fb8", closed: "#4f8a4b", other: "#8c8c8c" };
  var OPEN = ["reported", "accepted", "dispatched", "in_progress", "resolved"];

  // maxZoom: the clusters need one even when no tile layer gives it.
  var map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25, maxZoom: 19 });
  var tiles = !!data.tile_url;
  if (tiles) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  else mapEl.classList.add("map-plain");
  var noteEl = document.getElementById("dash-map-note");
  var fc = null, meta = null, text = {};
  var fillLayer = null, labelLayer = null, legend = null, pinsLayer = null, fitted = false;
  var checked = document.querySelector("input[name=metric]:checked");
  var metricKey = checked ? checked.value : "count";

  function esc(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, k) {
      return values[k] === undefined ? all : values[k];
    });
  }
  function metricOf(key) {
    var ms = meta.metrics;
    for (var i = 0; i < ms.length; i++) if (ms[i].key === key) return ms[i];
    return ms[0];
  }
  function fmt(m, v) {
    if (v === null || v === undefined) return "—";
    return m.rate ? (v * 100).toFixed(2) + "%" : String(v);
  }
  function colours(m) {
    var stops = PALETTES[m.better || "none"] || PALETTES.none;
    var n = m.classes.length;
    if (n === 0) return [];
    if (n === 1) return [stops[m.better ? 2 : 3]];
    var out = [];
    for (var i = 0; i < n; i++) out.push(stops[Math.round((i * (stops.length - 1)) / (n - 1))]);
    return out;
  }
  function classOf(m, v) {
    if (v === null || v === undefined) return -1;
    for (var i = 0; i < m.classes.length; i++) if (v <= m.classes[i].hi) return i;
    return m.classes.length - 1;
  }
  function figureText(m, p) {
    if (m.rate) {
      return fill(text.rate_hover, {
        label: m.label, value: fmt(m, p[m.key]),
        num_label: m.num_label, num: p[m.num], den_label: m.den_label, den: p[m.den]
      });
    }
    return fill(text.count_hover, { label: m.label, value: fmt(m, p[m.key]) });
  }
  function hoverHtml(m, p) {
    var hint = meta.level === "region" ? text.click_region : text.click_grid;
    return "<strong>" + esc(p.name) + "</strong><br>" + esc(figureText(m, p)) +
      '<br><span class="map-hint">' + esc(hint) + "</span>";
  }

  function drawLegend(m) {
    if (!legend) {
      legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "map-legend");
        div.setAttribute("data-testid", "map-legend");
        L.DomEvent.disableClickPropagation(div);
        return div;
      };
      legend.addTo(map);
    }
    // Built node by node: the page's CSP refuses style attributes in markup, not styles
    // set on elements.
    var cs = colours(m);
    var box = legend.getContainer();
    box.textContent = "";
    var title = L.DomUtil.create("div", "map-legend-title", box);
    title.textContent = m.label;
    var list = L.DomUtil.create("ul", "", box);
    function row(colour, words) {
      var li = L.DomUtil.create("li", "", list);
      var swatch = L.DomUtil.create("i", "", li);
      swatch.style.background = colour;
      li.appendChild(document.createTextNode(words));
    }
    m.classes.forEach(function (c, i) {
      row(cs[i], c.lo === c.hi ? fmt(m, c.lo) : fmt(m, c.lo) + " – " + fmt(m, c.hi));
    });
    row(NO_DATA, "— " + (text.no_data || ""));
  }

  function draw() {
    var m = metricOf(metricKey);
    var cs = colours(m);
    var regionLevel = meta.level === "region";
    if (fillLayer) map.removeLayer(fillLayer);
    fillLayer = L.geoJSON(fc, {
      style: function (f) {
        var k = classOf(m, f.properties[m.key]);
        return {
          color: regionLevel ? "#2b3a4a" : "#5f6b78",
          weight: regionLevel ? 2 : 0.6,
          fillOpacity: tiles ? 0.6 : 0.85,
          fillColor: k < 0 ? NO_DATA : cs[k]
        };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(hoverHtml(m, p), { sticky: true });
        l.on("click", function () {
          window.location.href = regionLevel ? p.url : p.list_url;
        });
      }
    }).addTo(map);
    // Below the outline and the pins, which share the overlay's one SVG.
    fillLayer.bringToBack();
    drawLegend(m);
    if (!fitted) {
      fitted = true;
      var outline = null;
      if (meta.outline) {
        outline = L.geoJSON(meta.outline, {
          interactive: false,
          style: { color: "#1f2d3d", weight: 3, fill: false, opacity: 0.9 }
        }).addTo(map);
      }
      var bounds = fc.features.length ? fillLayer.getBounds() : (outline ? outline.getBounds() : null);
      if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      else map.setView([30.5, 120.9], 10);
      if (!fc.features.length && noteEl) noteEl.textContent = text.empty || "";
    }
  }

  function drawLabels() {
    // The towns' names at their label points (a point inside each outline), always shown.
    if (meta.level !== "region") return;
    labelLayer = L.layerGroup().addTo(map);
    fc.features.forEach(function (f) {
      var p = f.properties;
      if (!p.label) return;
      L.marker(p.label, {
        icon: L.divIcon({ className: "map-label", html: "<span>" + esc(p.name) + "</span>", iconSize: null }),
        interactive: false, keyboard: false
      }).addTo(labelLayer);
    });
  }

  // ---- pins ---------------------------------------------------------------------------
  var clusterReady = null;
  function withClusters(then) {
    if (L.markerClusterGroup) { then(); return; }
    if (!clusterReady) {
      (mapEl.dataset.clusterCss || "").split(" ").filter(Boolean).forEach(function (href) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = href;
        document.head.appendChild(link);
      });
      clusterReady = [];
      var s = document.createElement("script");
      s.src = mapEl.dataset.clusterJs;
      s.onload = function () { clusterReady.forEach(function (f) { f(); }); clusterReady = []; };
      document.head.appendChild(s);
    }
    clusterReady.push(then);
  }
  function pinColour(p) {
    if (p.mark === "overdue") return PIN_COLOURS.overdue;
    if (p.mark === "warning") return PIN_COLOURS.warning;
    if (p.status === "closed") return PIN_COLOURS.closed;
    return OPEN.indexOf(p.status) >= 0 ? PIN_COLOURS.open : PIN_COLOURS.other;
  }
  var pinsSeq = 0;
  function loadPins(bbox) {
    var seq = ++pinsSeq;
    var url = meta.pins_url + (bbox ? "&bbox=" + bbox : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || seq !== pinsSeq) return;
        withClusters(function () { showPins(answer); });
      })
      .catch(function () { /* the map stays without pins */ });
  }
  function showPins(answer) {
    if (pinsLayer) map.removeLayer(pinsLayer);
    pinsLayer = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45 });
    var markers = answer.pins.map(function (p) {
      var mk = L.circleMarker([p.lat, p.lng], {
        radius: 7, color: "#fff", weight: 1.5, fillColor: pinColour(p), fillOpacity: 0.95
      });
      var state = (answer.statuses[p.status] || p.status) + (p.mark ? " · " + (answer.marks[p.mark] || p.mark) : "");
      mk.bindTooltip("<strong>" + esc(p.code) + "</strong> " + esc(p.title) + "<br>" + esc(state));
      mk.on("click", function () { window.location.href = answer.event_url.replace("{id}", p.id); });
      return mk;
    });
    pinsLayer.addLayers(markers);
    pinsLayer.addTo(map);
    if (noteEl) {
      var parts = [text.pins + " " + answer.pins.length];
      if (answer.capped) parts.push(fill(text.pins_capped, { n: answer.cap }));
      if (!answer.exact) parts.push(text.pins_grid_point);
      noteEl.textContent = parts.join(" · ");
    }
  }
  function hidePins() {
    pinsSeq++;
    if (pinsLayer) { map.removeLayer(pinsLayer); pinsLayer = null; }
    if (noteEl) noteEl.textContent = "";
  }
  function watchZoom() {
    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (map.getZoom() < meta.pins_zoom) { hidePins(); return; }
        var b = map.getBounds();
        loadPins([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) {
          return x.toFixed(5);
        }).join(","));
      }, 300);
    });
  }

  fetch(data.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (answer) {
      fc = answer;
      meta = answer.meta || { level: "grid", metrics: [], text: {} };
      text = meta.text || {};
      if (!meta.metrics.length) return;
      draw();
      drawLabels();
      mapEl.setAttribute("data-level", meta.level);
      if (meta.pins_now) loadPins("");
      else if (meta.pins_url) watchZoom();
    });
  document.querySelectorAll("input[name=metric]").forEach(function (el) {
    el.addEventListener("change", function () {
      metricKey = el.value;
      if (fc) draw();
    });
  });
})();
