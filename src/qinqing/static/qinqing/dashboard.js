// 驾驶舱 charts: Apache ECharts from the npm registry (served locally), every segment links to its appeal list.
(function () {
  "use strict";
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function drill(rows) { return function (p) { var row = rows[p.dataIndex]; if (row && row.url) window.location.href = row.url; }; }
  function chart(id, rows, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    option.title = { text: el.dataset.title, textStyle: { fontSize: 14 } };
    option.tooltip = option.tooltip || { trigger: "item" };
    c.setOption(option);
    c.on("click", drill(rows));
    window.addEventListener("resize", function () { c.resize(); });
    el.dataset.ready = "1";
  }
  function bars(id, rows, horizontal) {
    var labels = rows.map(function (r) { return r.label; });
    var values = rows.map(function (r) { return r.value; });
    var cat = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var val = { type: "value", minInterval: 1 };
    chart(id, rows, {
      grid: { left: horizontal ? 140 : 40, right: 20, bottom: horizontal ? 30 : 70, top: 40 },
      xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign(cat, { inverse: true }) : val,
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
  }
  var funnel = data("data-funnel");
  chart("chart-funnel", funnel, {
    series: [{ type: "funnel", sort: "none", top: 40, bottom: 10, minSize: "30%",
      label: { formatter: function (p) { var r = funnel[p.dataIndex]; return r.label + " " + r.value + (r.rate != null ? "（" + (r.rate * 100).toFixed(1) + "%）" : ""); } },
      data: funnel.map(function (r) { return { name: r.label, value: r.value }; }) }]
  });
  var trend = data("data-trend");
  chart("chart-trend", trend, {
    tooltip: { trigger: "axis" }, legend: { top: 20, data: ["收集", "办结"] }, grid: { top: 60, left: 40, right: 20, bottom: 30 },
    xAxis: { type: "category", data: trend.map(function (r) { return r.label; }) }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "收集", type: "line", data: trend.map(function (r) { return r.value; }) },
             { name: "办结", type: "line", data: trend.map(function (r) { return r.closed; }) }]
  });
  bars("chart-category", data("data-category"), false);
  var channel = data("data-channel");
  chart("chart-channel", channel, {
    series: [{ type: "pie", radius: ["35%", "65%"], top: 30, data: channel.map(function (r) { return { name: r.label, value: r.value }; }) }]
  });
  bars("chart-department", data("data-department"), true);
  bars("chart-region", data("data-region"), false);
})();
