/* Event page: the action panel opened by the buttons (htmx does the requests), and the
   location map (Leaflet, vendored): the grid's outline and the point from the page's JSON.
   Tiles come only from the county's intranet server when PINGAN_MAP_TILE_URL is set;
   otherwise the outlines lie on a plain background with a scale. */
(function () {
  "use strict";

  // A refused action (403/409/422) answers with the form and its Chinese message: show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 403 || status === 409 || status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // "取消" inside the panel just closes it instead of reloading the page.
  document.addEventListener("click", function (e) {
    var cancel = e.target.closest("#action-panel [data-cancel]");
    if (!cancel) return;
    e.preventDefault();
    var panel = document.getElementById("action-panel");
    if (panel) panel.innerHTML = "";
  });

  // Mark the pressed action button; bring the opened form into view on small screens.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "action-panel") {
      var form = e.detail.target.querySelector("form, .ev-form");
      if (form && form.scrollIntoView) form.scrollIntoView({ block: "nearest" });
    }
  });

  var GRID_STYLE = { color: "#1d6fb8", weight: 2, fillColor: "#1d6fb8", fillOpacity: 0.1 };
  var TOWN_STYLE = { color: "#7a8699", weight: 1, dashArray: "4 4", fill: false };

  function initMap(root) {
    var el = root && root.querySelector ? root.querySelector("#ev-map") : null;
    if (!el && root && root.id === "ev-map") el = root;
    if (!el || el.getAttribute("data-ready") || !window.L) return;
    var source = document.getElementById(el.getAttribute("data-map-source"));
    var data;
    try { data = JSON.parse(source.textContent); } catch (err) { return; }
    var features = (data.outlines && data.outlines.features) || [];
    if (!features.length && !data.point) { el.hidden = true; return; }
    el.setAttribute("data-ready", "true");
    L.Icon.Default.imagePath = el.getAttribute("data-icon-path") || "/static/vendor/leaflet/images/";
    var map = L.map(el, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    var bounds = null;
    if (features.length) {
      L.geoJSON(data.outlines, {
        style: function (f) { return f.properties.kind === "town" ? TOWN_STYLE : GRID_STYLE; },
        onEachFeature: function (f, layer) {
          if (f.properties.name) layer.bindTooltip(f.properties.name);
        },
      }).addTo(map);
      // Frame the grid; the town's outline is only context around it.
      var grid = features.filter(function (f) { return f.properties.kind === "grid"; });
      var framed = L.geoJSON({ type: "FeatureCollection", features: grid.length ? grid : features });
      bounds = framed.getBounds();
    }
    if (data.point) {
      L.marker(data.point, { title: data.region || "", keyboard: false }).addTo(map);
      if (bounds && bounds.isValid()) bounds.extend(data.point);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    else map.setView(data.point, 16);
    el.setAttribute("data-rendered", "true");
  }

  initMap(document);
  // The page is swapped in again after an action: draw the new map.
  document.addEventListener("htmx:load", function (e) { initMap(e.detail.elt); });

  // One submit at a time: disable the buttons while the request runs.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.tagName === "FORM") {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.tagName === "FORM" && document.body.contains(form)) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });
})();
