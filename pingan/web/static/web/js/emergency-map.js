/* The command page's map: the event's place and the situation reports that gave one.
   Base tiles only from the configured tile server (PINGAN_MAP_TILE_URL); otherwise a
   plain background. Every word comes from the page's data (translated on the server). */
(function () {
  "use strict";
  var mapEl = document.getElementById("em-map");
  if (!mapEl || !window.L) return;
  var dataEl = document.getElementById(mapEl.getAttribute("data-map-source") || "em-map-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var L = window.L;

  function esc(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }

  var map = L.map(mapEl, { attributionControl: false, maxZoom: 19 });
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  else mapEl.classList.add("map-plain");
  var layers = [];
  var ev = data.event || {};
  if (ev.lat != null && ev.lng != null) {
    var marker = L.circleMarker([ev.lat, ev.lng], {
      radius: 10, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 1
    }).bindPopup(esc(ev.label));
    marker.addTo(map);
    layers.push(marker);
  }
  (data.reports || []).forEach(function (r) {
    var dot = L.circleMarker([r.lat, r.lng], {
      radius: 6, color: "#1565c0", weight: 1, fillOpacity: 0.8
    }).bindPopup(esc(r.label));
    dot.addTo(map);
    layers.push(dot);
  });
  if (layers.length) {
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView([30.5, 120.9], 10);
  }
})();
