/* Citizen report page: pick the place on the map (vendored Leaflet, no tiles unless the
   page is given a tile URL) or take it from the browser's geolocation. */
(function () {
  "use strict";
  var mapEl = document.getElementById("citizen-map");
  var latInput = document.getElementById("id_lat");
  var lngInput = document.getElementById("id_lng");
  if (!mapEl || !latInput) return;
  var map = null, marker = null;

  function setPoint(lat, lng, pan) {
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    if (!map) return;
    if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng]).addTo(map);
    if (pan) map.setView([lat, lng], 16);
  }

  if (window.L) {
    L.Icon.Default.imagePath = mapEl.dataset.iconPath;
    map = L.map(mapEl, { attributionControl: false }).setView([30.52, 120.94], 12);
    if (mapEl.dataset.tileUrl) L.tileLayer(mapEl.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
    fetch(mapEl.dataset.regionsUrl)
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        if (!fc.features || !fc.features.length) return;
        var layer = L.geoJSON(fc, {
          style: { color: "#1d6fb8", weight: 1, fillOpacity: 0.05 },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); }
        }).addTo(map);
        // A tap on a town sets the point too (the polygon would swallow the map's click).
        layer.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
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
