/* Citizen report page: pick the place on the map (vendored Leaflet; the towns' outlines
   and names on a plain background, or on the county's intranet tiles when the regions
   answer names a tile server) or take it from the browser's geolocation. */
(function () {
  "use strict";
  var mapEl = document.getElementById("citizen-map");
  var latInput = document.getElementById("id_lat");
  var lngInput = document.getElementById("id_lng");
  if (!mapEl || !latInput) return;
  var map = null, marker = null, hint = null;

  function setPoint(lat, lng, pan) {
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    if (!map) return;
    if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng]).addTo(map);
    if (hint) hint.getContainer().textContent = mapEl.dataset.picked || "";
    if (pan) map.setView([lat, lng], 16);
  }

  if (window.L) {
    L.Icon.Default.imagePath = mapEl.dataset.iconPath;
    map = L.map(mapEl, { attributionControl: false }).setView([30.52, 120.94], 11);
    // Until tiles come (if any are configured), a plain light background, not Leaflet's grey.
    mapEl.style.background = "#f4f1ea";
    hint = L.control({ position: "topright" });
    hint.onAdd = function () {
      var div = L.DomUtil.create("div", "citizen-map-hint");
      div.setAttribute("data-testid", "citizen-map-hint");
      div.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;" +
        "box-shadow:0 1px 4px rgba(0,0,0,.25);font-size:13px;color:#1f2d3d";
      div.textContent = mapEl.dataset.hint || mapEl.getAttribute("aria-label") || "";
      return div;
    };
    hint.addTo(map);
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
    fetch(mapEl.dataset.regionsUrl)
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        if (fc.tile_url) {
          L.tileLayer(fc.tile_url, { maxZoom: 19 }).addTo(map);
          mapEl.style.background = "";
        }
        if (!fc.features || !fc.features.length) return;
        var layer = L.geoJSON(fc, {
          style: { color: "#1d6fb8", weight: 2, fillColor: "#cfe0f1", fillOpacity: fc.tile_url ? 0.12 : 0.45 }
        }).addTo(map);
        // A tap on a town sets the point too (the polygon would swallow the map's click).
        layer.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
        fc.features.forEach(function (f) {
          var p = f.properties || {};
          if (!p.label) return;
          // Styled through the element (the page's CSP refuses style attributes in markup).
          var name = document.createElement("span");
          name.textContent = p.name;
          name.style.cssText = "display:inline-block;transform:translate(-50%,-50%);white-space:nowrap;" +
            "font-size:12px;font-weight:600;color:#1f2d3d;text-shadow:0 0 3px #fff,0 0 3px #fff";
          L.marker(p.label, {
            icon: L.divIcon({ className: "citizen-town-label", html: name, iconSize: null }),
            interactive: false, keyboard: false
          }).addTo(map);
        });
        if (!marker) map.fitBounds(layer.getBounds(), { padding: [6, 6] });
      })
      .catch(function () { /* the address field still works */ });
    var lat = parseFloat(latInput.value), lng = parseFloat(lngInput.value);
    if (!isNaN(lat) && !isNaN(lng)) setPoint(lat, lng, true);
  }

  var locate = document.getElementById("use-my-location");
  var status = document.getElementById("locate-status");
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = locate.dataset.msgUnsupported; return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { status.textContent = ""; setPoint(pos.coords.latitude, pos.coords.longitude, true); },
      function () { status.textContent = locate.dataset.msgFailed; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

  var form = document.getElementById("citizen-form");
  var sent = false;
  form.addEventListener("submit", function (e) {
    if (sent) { e.preventDefault(); return; }
    sent = true;
    document.getElementById("citizen-submit").disabled = true;
  });
})();
