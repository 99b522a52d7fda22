/* The listed items' map (挂牌整治): each item's polygon and/or point coloured by its state,
   overdue items red, each linking to its page. Base tiles only from the configured tile
   server (PINGAN_MAP_TILE_URL); otherwise a plain background. Every word comes from the
   page's data (translated on the server). */
(function () {
  "use strict";
  var mapEl = document.getElementById("listing-map");
  if (!mapEl || !window.L) return;
  var dataEl = document.getElementById(mapEl.getAttribute("data-map-source") || "listing-map-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var L = window.L;
  var COLOURS = {
    listed: "#f08c00", rectifying: "#1d6fb8", acceptance: "#7b1fa2", accepted: "#2e7d32",
    delisted: "#1a9641", cancelled: "#8c8c8c", overdue: "#d7191c"
  };

  function esc(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }
  function popup(x) {
    return '<a href="' + esc(x.url) + '">' + esc(x.name) + "</a><br>" + esc(x.kind_label) +
      " · " + esc(x.status_label) + "<br>" + esc(x.unit_name) + " · " + esc(x.deadline);
  }

  var map = L.map(mapEl, { attributionControl: false, maxZoom: 19 });
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  else mapEl.classList.add("map-plain");
  map.setView([30.5, 120.9], 12, { animate: false });
  var layers = [];
  (data.items || []).forEach(function (x) {
    var colour = COLOURS[x.status] || "#8c8c8c";
    if (x.area) {
      var shape = L.geoJSON(x.area, {
        style: function () { return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.25 }; }
      }).bindPopup(popup(x));
      shape.addTo(map);
      layers.push(shape);
    }
    if (x.lat != null && x.lng != null) {
      var dot = L.circleMarker([x.lat, x.lng], { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 })
        .bindPopup(popup(x));
      dot.getElement && dot.on("add", function () {
        var el = dot.getElement();
        if (el) el.setAttribute("data-status", x.status);
      });
      dot.addTo(map);
      layers.push(dot);
    }
  });
  if (layers.length) {
    map.invalidateSize({ animate: false });
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [16, 16], maxZoom: 16, animate: false });
  }
  mapEl.setAttribute("data-rendered", String(layers.length));
})();
