/* Report form: client_uuid against double submits, the grid map, "use my location",
   the on-site result box. Leaflet draws the grid polygons on a plain background; a tile
   layer is added only when the deployment configures PINGAN_MAP_TILE_URL. */
(function () {
  "use strict";

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // Plain-http intranet pages have no randomUUID, but getRandomValues works everywhere.
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  var form = document.getElementById("report-form");
  if (!form) return;
  var uuidInput = document.getElementById("f-client-uuid");
  if (uuidInput && !uuidInput.value) uuidInput.value = uuid4();

  var submitting = false;
  form.addEventListener("submit", function (e) {
    if (submitting) { e.preventDefault(); return; }
    submitting = true;
    var btn = document.getElementById("report-submit");
    if (btn) btn.disabled = true;
  });

  // On-site result box shows only when the box is ticked.
  var settle = document.getElementById("f-settle");
  var settleBox = document.getElementById("settle-result");
  function syncSettle() { if (settle && settleBox) settleBox.hidden = !settle.checked; }
  if (settle) { settle.addEventListener("change", syncSettle); syncSettle(); }

  var latInput = document.getElementById("f-lat");
  var lngInput = document.getElementById("f-lng");
  var mapEl = document.getElementById("report-map");
  var map = null;
  var marker = null;

  function setPoint(lat, lng, pan) {
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    if (!map) return;
    if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng]).addTo(map);
    if (pan) map.panTo([lat, lng]);
  }

  if (mapEl && window.L) {
    L.Icon.Default.imagePath = mapEl.dataset.iconPath || "/static/vendor/leaflet/images/";
    map = L.map(mapEl, { zoomControl: true, attributionControl: false }).setView([30.5, 120.9], 12);
    if (mapEl.dataset.tileUrl) L.tileLayer(mapEl.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
    fetch(mapEl.dataset.regionsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        if (!fc.features || !fc.features.length) return;
        var layer = L.geoJSON(fc, {
          style: { color: "#1d6fb8", weight: 2, fillOpacity: 0.08 },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); }
        }).addTo(map);
        // Taps on a polygon set the point too (the polygon would swallow the map's click).
        layer.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
        map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        var lat = parseFloat(latInput.value), lng = parseFloat(lngInput.value);
        if (!isNaN(lat) && !isNaN(lng)) setPoint(lat, lng, false);
      })
      .catch(function () { /* the typed inputs still work */ });
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
  }

  function typed() {
    var lat = parseFloat(latInput.value), lng = parseFloat(lngInput.value);
    if (!isNaN(lat) && !isNaN(lng) && map) {
      if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng]).addTo(map);
      map.panTo([lat, lng]);
    }
  }
  latInput.addEventListener("change", typed);
  lngInput.addEventListener("change", typed);

  var locate = document.getElementById("use-my-location");
  var status = document.getElementById("locate-status");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = locate.dataset.msgUnsupported; return; }
      status.textContent = locate.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          setPoint(pos.coords.latitude, pos.coords.longitude, true);
          status.textContent = locate.dataset.msgLocated + Math.round(pos.coords.accuracy);
        },
        function (err) { status.textContent = locate.dataset.msgFailed + err.message; },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
})();
