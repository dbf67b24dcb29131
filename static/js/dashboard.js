/*
 * The dashboards' charts. The data comes from <script type="application/json"> blocks that
 * Django's json_script writes (never executed, so the CSP allows them); a container names its
 * block in data-source. Tooltips are drawn on the canvas (richText), not as HTML with inline
 * styles, which the CSP would refuse.
 */
(() => {
  "use strict";

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function drawTrend(container) {
    const data = readJson(container.getAttribute("data-source"));
    if (!data || !window.echarts) return;
    const chinese = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
    const chart = window.echarts.init(container, null, {
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
      series: data.series.map((line) => ({
        name: line.name,
        type: "line",
        data: line.data,
        showSymbol: false,
      })),
    });
    window.addEventListener("resize", () => chart.resize());
  }

  // ECharts is most of the page's weight and a second of a phone's processor: it is fetched
  // only when a chart comes near the screen (on a phone the trend sits below the overview),
  // once for all the charts of the page.
  let library = null;

  function loadLibrary(url) {
    if (!library) {
      library = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return library;
  }

  function whenNear(container, draw) {
    const url = container.getAttribute("data-library");
    const go = () => loadLibrary(url).then(() => draw(container));
    if (!("IntersectionObserver" in window)) return go();
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          go();
        }
      },
      { rootMargin: "200px" },
    );
    observer.observe(container);
  }

  function start() {
    document.querySelectorAll('[data-chart="trend"]').forEach((container) => {
      whenNear(container, drawTrend);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
