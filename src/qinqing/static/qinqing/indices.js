// 指标体系 radar: the first-level scores of the region against the chosen benchmark (Apache ECharts, served locally).
(function () {
  "use strict";
  var el = document.getElementById("chart-radar");
  var d = JSON.parse(document.getElementById("data-radar").textContent);
  if (!el || !window.echarts || !d.indicators.length) return;
  var c = window.echarts.init(el, null, { renderer: "canvas" });
  var series = [{ name: d.region, value: d.own.map(function (v) { return v == null ? 0 : v; }) }];
  if (d.comparator) series.push({ name: d.comparator, value: d.benchmark.map(function (v) { return v == null ? 0 : v; }) });
  c.setOption({
    title: { text: el.dataset.title, textStyle: { fontSize: 14 } },
    tooltip: {}, legend: { bottom: 0, data: series.map(function (s) { return s.name; }) },
    radar: { radius: "60%", indicator: d.indicators.map(function (n) { return { name: n, max: 100 }; }) },
    series: [{ type: "radar", data: series }]
  });
  window.addEventListener("resize", function () { c.resize(); });
  el.dataset.ready = "1";
})();
