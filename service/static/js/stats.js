// 统计 pages: draw each table's chart (ECharts) from its data-chart attribute; a click opens the case list.
(function () {
  "use strict";
  var palette = ["#2f6f8f", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f"];

  function option(spec) {
    var base = { color: palette, tooltip: { trigger: spec.type === "pie" ? "item" : "axis" },
                 legend: { top: 0, type: "scroll" }, animation: false };
    if (spec.type === "pie") {
      base.series = [{ type: "pie", radius: ["35%", "65%"], top: 30,
                       label: { formatter: "{b}\n{c}（{d}%）" },
                       data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; }) }];
      return base;
    }
    var horizontal = spec.type === "hbar";
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    var value = { type: "value", name: spec.unit, minInterval: spec.unit ? 0 : 1 };
    base.grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
    base.xAxis = horizontal ? value : category;
    base.yAxis = horizontal ? Object.assign({ inverse: true }, category) : value;
    if (!horizontal) { category.axisLabel.rotate = spec.categories.length > 4 ? 30 : 0; }
    base.series = spec.series.map(function (s) { return { type: "bar", name: s.name, data: s.data, barMaxWidth: 28 }; });
    return base;
  }

  function draw(el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var rows = spec.categories.length;
    if (spec.type === "hbar") { el.style.height = Math.max(220, 60 + rows * 26 * Math.max(1, spec.series.length * 0.7)) + "px"; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      var urls = spec.urls[spec.type === "pie" ? 0 : params.seriesIndex] || [];
      var url = urls[params.dataIndex];
      if (url) { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-drawn", "true");
  }

  document.querySelectorAll(".stats-chart[data-chart]").forEach(draw);
})();
