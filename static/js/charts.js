// Charts (ECharts, from static/vendor) drawn from data-* attributes; the tables beside each
// chart carry the same figures for readers without JavaScript.
(function () {
  "use strict";

  function lineOption(spec) {
    var kind = spec.type === "bar" ? "bar" : "line";
    return {
      title: spec.title ? { text: spec.title, left: "center", textStyle: { fontSize: 14 } } : undefined,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 24, top: spec.title ? 40 : 24, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: spec.categories },
      yAxis: { type: "value", name: spec.yName || "" },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: kind,
          data: s.data,
          connectNulls: true,
          lineStyle: s.dashed ? { type: "dashed" } : undefined,
        };
      }),
    };
  }

  function draw(el, option) {
    // The note for readers without JavaScript gives way to the chart.
    el.classList.add("chart-live");
    el.querySelectorAll(".chart-fallback").forEach(function (n) { n.remove(); });
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    chart.setOption(option, true);
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function renderCharts() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      draw(el, lineOption(JSON.parse(el.getAttribute("data-chart"))));
    });
    document.querySelectorAll("[data-chart-sets]").forEach(function (el) {
      var sets = JSON.parse(el.getAttribute("data-chart-sets"));
      var initial = el.getAttribute("data-chart-initial");
      draw(el, lineOption(sets[initial] || sets[Object.keys(sets)[0]]));
      document.querySelectorAll('[data-chart-select="' + el.id + '"]').forEach(function (select) {
        select.addEventListener("change", function () {
          if (sets[select.value]) draw(el, lineOption(sets[select.value]));
        });
      });
    });
  }

  var LABEL_OFFSETS = { "湘潭市": [-18, 10], "株洲市": [16, 0], "长沙市": [0, -10] };

  function renderMaps() {
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var places = JSON.parse(el.getAttribute("data-map"));
      var metric = el.getAttribute("data-map-metric") || "";
      // The page's words, in its language (demands, solutions, cases, more, fewer).
      var words = JSON.parse(el.getAttribute("data-map-words") || "{}");
      fetch(el.getAttribute("data-map-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (geoJson) {
          window.echarts.registerMap("hunan", geoJson);
          var max = Math.max.apply(null, places.map(function (p) { return p.value; }).concat([1]));
          var chart = draw(el, {
            tooltip: {
              trigger: "item",
              formatter: function (p) {
                var d = p.data || {};
                return (d.label || p.name) + "<br>" + metric + ": " + (d.value || 0) +
                  "<br>" + words.demands + ": " + (d.demands || 0) + " · " + words.solutions +
                  ": " + (d.solutions || 0) + " · " + words.cases + ": " + (d.cases || 0);
              },
            },
            visualMap: { min: 0, max: max, left: "left", bottom: 8, text: [words.more, words.fewer], calculable: true,
              inRange: { color: ["#e8f1fb", "#1f5fa8"] } },
            series: [{ name: metric, type: "map", map: "hunan", roam: false, layoutSize: "96%",
              label: { show: true, fontSize: 12,
                formatter: function (p) { return (p.data && p.data.label) || p.name; } },
              // Xiangtan and Zhuzhou lie close together: their labels are moved apart.
              data: places.map(function (p) {
                var offset = LABEL_OFFSETS[p.name];
                return offset ? Object.assign({ label: { offset: offset } }, p) : p;
              }) }],
          });
          chart.on("click", function (params) {
            if (params.data && params.data.url) window.location.href = params.data.url;
          });
        })
        .catch(function () { el.setAttribute("data-chart-error", "true"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    renderCharts();
    renderMaps();
  });
})();
