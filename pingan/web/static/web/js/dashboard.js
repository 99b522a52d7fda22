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

})();
