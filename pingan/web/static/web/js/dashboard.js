/* Dashboards and the wall: ECharts and a Leaflet map from the data the page embeds.
   Every chart element links to the figures behind it (a click drills down). */
(function () {
  "use strict";
  var dataEl = document.getElementById("dash-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var wall = document.body.classList.contains("wall");
  var text = wall ? "#dfe8f5" : "#1f2933";
  var words = data.text || {};
  var accepted = words.accepted || "受理", closed = words.closed || "办结";
  var palette = ["#b4232a", "#1d4f91", "#e0813a", "#1f7a3a", "#7a4fb6", "#2a9bb4", "#a88a1d", "#65748b"];

  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    option.color = palette;
    option.textStyle = { color: text };
    c.setOption(option);
    if (onClick) c.on("click", onClick);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function go(p) { if (p.data && p.data.url) window.location.href = p.data.url; }

  chart("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { data: [accepted, closed], top: 0, right: 8, textStyle: { color: text } },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.map(function (t) { return t.period; }) },
    yAxis: { type: "value" },
    series: [
      { name: accepted, type: "line", smooth: true, data: data.trend.map(function (t) { return t.total; }) },
      { name: closed, type: "line", smooth: true, data: data.trend.map(function (t) { return t.closed; }) }
    ]
  });
  chart("chart-category", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.categories, label: { color: text } }]
  }, go);
  chart("chart-source", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    series: [{ type: "pie", radius: "65%", data: data.sources, label: { color: text } }]
  }, go);
  chart("chart-regions", {
    tooltip: {},
    grid: { left: 90, right: 16, top: 8, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.regions.map(function (r) { return r.name; }) },
    series: [{ type: "bar", data: data.regions }]
  }, go);

  // The map: grid polygons coloured by density or closure rate; tiles only when configured.
  var mapEl = document.getElementById("dash-map");
  if (!mapEl || !window.L) return;
  var map = window.L.map(mapEl, { attributionControl: false, zoomSnap: 0.25 });
  if (data.tile_url) window.L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  var layer = null, features = null, metric = "count";
  function colour(p, max) {
    // Density on a square-root scale: a few very busy grids must not wash out the rest.
    var v = metric === "count" ? (max ? Math.sqrt(p.count / max) : 0)
      : (p.closure_rate === null ? null : p.closure_rate);
    if (v === null) return "#c5cdd8";
    if (metric === "closure_rate") v = 1 - v;  // low closure rates stand out in red
    var stops = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"];
    return stops[Math.min(stops.length - 1, Math.floor(v * stops.length))];
  }
  function draw() {
    if (layer) map.removeLayer(layer);
    var max = 0;
    features.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
    layer = window.L.geoJSON(features, {
      style: function (f) {
        return { color: "#555", weight: 1, fillOpacity: 0.75, fillColor: colour(f.properties, max) };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        var rate = p.closure_rate === null ? "—" : (p.closure_rate * 100).toFixed(1) + "%";
        var tip = words.tooltip || "{name}：{count} 件，办结率 {rate}";
        l.bindTooltip(tip.replace("{name}", p.name).replace("{count}", p.count).replace("{rate}", rate));
        l.on("click", function () { window.location.href = p.list_url; });
      }
    }).addTo(map);
    if (features.features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    else map.setView([30.5, 120.9], 10);
  }
  fetch(data.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (fc) { features = fc; draw(); });
  document.querySelectorAll("input[name=metric]").forEach(function (el) {
    el.addEventListener("change", function () { metric = el.value; if (features) draw(); });
  });
})();
