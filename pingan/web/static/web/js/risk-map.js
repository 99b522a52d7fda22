/* The risk register's map and a matter's map: the matters' polygons and points (a circle
   of the linking radius) coloured by risk grade, each linking to its page; on a matter's
   page also the latest linked events (disputes darker). Base tiles only from the
   configured tile server (PINGAN_MAP_TILE_URL); otherwise a plain background. Every word
   comes from the page's data (translated on the server). */
(function () {
  "use strict";
  var mapEl = document.getElementById("risk-map");
  if (!mapEl || !window.L) return;
  var dataEl = document.getElementById(mapEl.getAttribute("data-map-source") || "risk-map-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var L = window.L;
  var COLOURS = { high: "#d7191c", medium: "#f08c00", low: "#1a9641", "": "#8c8c8c" };

  function esc(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }
  function popup(m) {
    return '<a href="' + esc(m.url) + '">' + esc(m.code) + "</a><br>" + esc(m.title) +
      "<br>" + esc(m.grade_label) + " · " + esc(m.status_label);
  }

  var map = L.map(mapEl, { attributionControl: false, maxZoom: 19 });
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  else mapEl.classList.add("map-plain");
  // A view before anything is added: a circle needs the map's projection to be drawn.
  var start = [30.5, 120.9];
  (data.matters || []).some(function (m) {
    if (m.lat != null && m.lng != null) { start = [m.lat, m.lng]; return true; }
    if (m.area) {
      var c = m.area.type === "Polygon" ? m.area.coordinates[0][0] : m.area.coordinates[0][0][0];
      start = [c[1], c[0]];
      return true;
    }
    return false;
  });
  map.setView(start, 13, { animate: false });
  var layers = [];
  (data.matters || []).forEach(function (m) {
    var colour = COLOURS[m.grade || ""] || COLOURS[""];
    var style = { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.25 };
    if (m.area) {
      var shape = L.geoJSON(m.area, { style: function () { return style; } }).bindPopup(popup(m));
      shape.addTo(map);
      layers.push(shape);
    }
    if (m.lat != null && m.lng != null) {
      if (m.radius_m) {
        var ring = L.circle([m.lat, m.lng], { radius: m.radius_m, color: colour, weight: 1, dashArray: "4", fillOpacity: 0.08 });
        ring.addTo(map);
        layers.push(ring);
      }
      var dot = L.circleMarker([m.lat, m.lng], { radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 })
        .bindPopup(popup(m));
      dot.addTo(map);
      layers.push(dot);
    }
  });
  (data.events || []).forEach(function (e) {
    if (e.lat == null || e.lng == null) return;
    var marker = L.circleMarker([e.lat, e.lng], {
      radius: 5, color: e.dispute ? "#7b1fa2" : "#1d6fb8", weight: 1, fillOpacity: 0.8
    }).bindPopup(esc(e.code) + "<br>" + esc(e.title));
    marker.addTo(map);
    layers.push(marker);
  });
  if (layers.length) {
    map.invalidateSize({ animate: false });
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [16, 16], maxZoom: 16, animate: false });
  }
  mapEl.setAttribute("data-rendered", "true");
})();
