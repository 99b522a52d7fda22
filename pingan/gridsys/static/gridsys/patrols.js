/* Patrol tracks on a plain Leaflet map (no tile layer: the deployment is offline). */
(function () {
  "use strict";
  var el = document.getElementById("patrol-map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomControl: true });
  var grids = JSON.parse(document.getElementById("patrol-grids").textContent || "[]");
  var metres = el.getAttribute("data-metres") || "米";
  var bounds = L.latLngBounds([]);
  grids.forEach(function (g) {
    var layer = L.geoJSON(g.geometry, { style: { color: "#607d8b", weight: 1, fillOpacity: 0.05 } })
      .bindTooltip(g.name).addTo(map);
    bounds.extend(layer.getBounds());
  });
  var colours = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"];
  var rows = document.querySelectorAll("#patrol-table tr[data-patrol]");
  var pending = rows.length;
  function fit() { if (bounds.isValid()) map.fitBounds(bounds.pad(0.1)); else map.setView([30.5, 120.9], 11); }
  fit(); // a view first: Leaflet draws paths only on a map with a view
  rows.forEach(function (row, i) {
    fetch("/api/v1/patrols/" + row.getAttribute("data-patrol"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        var line = (p.track || []).map(function (t) { return [t[0], t[1]]; });
        if (line.length) {
          var pl = L.polyline(line, { color: colours[i % colours.length], weight: 3 })
            .bindTooltip(p.user_name + " " + (p.distance_m ? Math.round(p.distance_m) + " " + metres : "")).addTo(map);
          var path = pl.getElement && pl.getElement();
          if (path) path.setAttribute("data-patrol", p.id);
          bounds.extend(pl.getBounds());
        }
        (p.visits || []).forEach(function (v) {
          if (v.lat != null) L.circleMarker([v.lat, v.lng], { radius: 5 }).bindTooltip(v.target).addTo(map);
        });
      })
      .catch(function () {})
      .then(function () { pending -= 1; if (!pending) fit(); });
  });
})();
