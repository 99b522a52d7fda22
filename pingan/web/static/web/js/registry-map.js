/* The registers' map (/registry/map/): rental houses coloured by rating, places by kind,
   cameras, as circle markers in three layers switched by the check boxes. The points come
   from /registry/map/features/ (no personal data). Base tiles only from the configured
   tile server; otherwise a plain background. Words come from the page's JSON. */
(function () {
  "use strict";
  var dataEl = document.getElementById("registry-map-data");
  var mapEl = document.getElementById("registry-map");
  if (!dataEl || !mapEl || !window.L) return;
  var data = JSON.parse(dataEl.textContent);
  var L = window.L;
  var text = data.text || {};
  var map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25, maxZoom: 19, preferCanvas: true });
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  else mapEl.classList.add("map-plain");
  map.setView([30.52, 120.94], 11);
  var noteEl = document.getElementById("registry-map-note");
  var legendEl = document.getElementById("registry-map-legend");
  var layers = {};

  function esc(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }
  function popup(kind, p) {
    var lines = [];
    if (kind === "rentals") {
      lines.push("<strong>" + esc(text.rentals) + "</strong> " + esc(p.label));
      lines.push(esc(p.grid) + " · " + esc(text.rooms) + " " + esc(p.rooms));
      if (p.overdue) lines.push('<span class="badge badge-overdue">' + esc(text.overdue) + "</span>");
    } else if (kind === "places") {
      lines.push("<strong>" + esc(p.name) + "</strong>");
      lines.push(esc(p.label));
    } else {
      lines.push("<strong>" + esc(p.name) + "</strong>");
      lines.push(esc(p.code) + " · " + esc(p.label));
    }
    if (p.url) lines.push('<a href="' + esc(p.url) + '">' + esc(text.open) + "</a>");
    return lines.join("<br>");
  }
  function layerOf(kind, fc) {
    var group = L.featureGroup();
    (fc.features || []).forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties || {};
      var radius = kind === "cameras" ? 3 : kind === "places" ? 5 : 4;
      L.circleMarker([c[1], c[0]], {
        radius: radius,
        color: p.overdue ? "#000" : p.colour,
        weight: p.overdue ? 2 : 1,
        fillColor: p.colour,
        fillOpacity: 0.85
      }).bindPopup(popup(kind, p)).addTo(group);
    });
    return group;
  }
  function legend() {
    Object.keys(data.legend || {}).forEach(function (kind) {
      (data.legend[kind] || []).forEach(function (item) {
        var span = document.createElement("span");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = item.colour;  // CSSOM, not a style attribute (CSP)
        span.appendChild(swatch);
        span.appendChild(document.createTextNode(item.label));
        legendEl.appendChild(span);
      });
    });
  }
  function sync() {
    var boxes = document.querySelectorAll("#registry-layers input[name=layer]");
    var bounds = null;
    for (var i = 0; i < boxes.length; i++) {
      var layer = layers[boxes[i].value];
      if (!layer) continue;
      if (boxes[i].checked) {
        layer.addTo(map);
        var b = layer.getBounds();
        if (b.isValid()) bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      } else map.removeLayer(layer);
    }
    return bounds;
  }
  legend();
  fetch(data.features_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (json) {
      var notes = [], total = 0;
      ["rentals", "places", "cameras"].forEach(function (kind) {
        var fc = json[kind] || { features: [] };
        total += (fc.features || []).length;
        layers[kind] = layerOf(kind, fc);
        if (fc.truncated) notes.push(esc(text[kind]) + "：" + esc(String(text.truncated).replace("{n}", data.limit)));
      });
      var bounds = sync();
      if (bounds) map.fitBounds(bounds.pad(0.05));
      if (!total) notes.push(esc(text.empty));
      noteEl.innerHTML = notes.join("<br>");
    });
  document.getElementById("registry-layers").addEventListener("change", function () { sync(); });
})();
