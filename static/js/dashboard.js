/* The dashboards' charts. The data comes from <script type="application/json"> blocks that
 * Django's json_script writes (never executed, so the CSP allows them); a container names its
 * block in data-source. Tooltips are drawn on the canvas (richText), not as HTML with inline
 * styles, which the CSP would refuse. */
(function () {
  "use strict";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function drawTrend(container) {
    var data = readJson(container.getAttribute("data-source"));
    if (!data || !window.echarts) {
      return;
    }
    var chinese = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
    var chart = window.echarts.init(container, null, {
      renderer: "canvas",
      locale: chinese ? "ZH" : "EN",
    });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", boundaryGap: false, data: data.days },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (line) {
        return { name: line.name, type: "line", data: line.data, showSymbol: false };
      }),
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    document.querySelectorAll('[data-chart="trend"]').forEach(drawTrend);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
