/* Dashboard charts: Apache ECharts (served by the app) drawn from the figures' json_script
   data; each chart has its table twin beside it. Without echarts the tables stay alone. */
(function () {
  "use strict";
  var PALETTE = ["#1f5fbf", "#e8833a", "#2e9e6b", "#c0392b", "#8e6cc0", "#5b6b7f", "#d4a017"];
  var charts = [];

  function base(d) {
    return { color: d.colors || PALETTE, animation: false, tooltip: { trigger: "axis", confine: true },
             grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true } };
  }

  function option(d) {
    var o = base(d), names = d.series ? d.series.map(function (s) { return s.name; }) : [];
    if (d.series && d.series.length > 1) { o.legend = { top: 0, data: names }; }
    if (d.type === "pie") {
      o.tooltip = { trigger: "item", confine: true };
      o.series = [{ type: "pie", radius: ["35%", "68%"], label: { formatter: "{b}\n{c}" },
        data: d.labels.map(function (l, i) {
          var p = { name: l, value: d.series[0].data[i] };
          if (d.colors) { p.itemStyle = { color: d.colors[i % d.colors.length] }; }
          return p;
        })
          .filter(function (p) { return p.value; }) }];
      return o;
    }
    if (d.type === "heat") {
      var data = [], max = 1;
      d.cells.forEach(function (row, y) { row.forEach(function (v, x) { data.push([x, y, v]); if (v > max) { max = v; } }); });
      o.tooltip = { position: "top", confine: true };
      o.grid.bottom = 40;
      o.xAxis = { type: "category", data: d.columns, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } };
      o.yAxis = { type: "category", data: d.labels, inverse: true, splitArea: { show: true } };
      o.visualMap = { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                      inRange: { color: ["#f2f6fc", "#f0b07a", "#c0392b"] }, itemHeight: 120 };
      o.series = [{ type: "heatmap", data: data, label: { show: true } }];
      return o;
    }
    var cat = { type: "category", data: d.labels, axisLabel: { interval: 0, hideOverlap: true } };
    var val = { type: "value", minInterval: 1 };
    var horizontal = d.type === "hbar";
    if (horizontal) { cat.inverse = true; o.xAxis = val; o.yAxis = cat; }
    else { cat.axisLabel.rotate = d.labels.length > 6 ? 40 : 0; o.xAxis = cat; o.yAxis = val; }
    o.series = d.series.map(function (s) {
      return { name: s.name, type: d.type === "line" ? "line" : "bar", data: s.data,
               label: { show: d.labels.length <= 16, position: horizontal ? "right" : "top" } };
    });
    return o;
  }

  /* The print sheet: every chart of the page as a picture, with its title, on one A4 landscape
     page before the tables (dashboards.css, @media print); hidden on screen. */
  function printSheet() {
    if (!charts.length || document.querySelector(".printsheet")) { return; }
    var first = document.querySelector("h2.section, .figs");
    if (!first) { return; }
    var sheet = document.createElement("div");
    sheet.className = "printsheet";
    sheet.setAttribute("aria-hidden", "true");
    charts.forEach(function (chart) {
      var el = chart.getDom(), fig = el.closest(".fig"), h = fig && fig.querySelector("h3");
      var box = document.createElement("figure"), img = document.createElement("img"),
          cap = document.createElement("figcaption");
      img.src = chart.getDataURL({ type: "png", pixelRatio: 1.5, backgroundColor: "#fff" });
      img.alt = "";
      cap.textContent = h ? h.textContent : "";
      box.appendChild(cap);
      box.appendChild(img);
      sheet.appendChild(box);
    });
    // three rows of pictures fit the page under the title; a fourth, smaller, past 24 charts
    var rows = charts.length > 24 ? 4 : 3;
    sheet.classList.add("rows-" + rows);
    sheet.style.gridTemplateColumns = "repeat(" + Math.max(3, Math.ceil(charts.length / rows)) + ", minmax(0, 1fr))";
    first.parentNode.insertBefore(sheet, first);
    document.body.classList.add("has-printsheet");  // the charts print from the sheet now
  }

  function draw() {
    if (!window.echarts) { return; }
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) { return; }
      var d = JSON.parse(src.textContent);
      if (d.type === "hbar" || d.type === "heat") {
        el.classList.add("tall-" + Math.min(6, Math.ceil(d.labels.length / 6)));
      }
      el.classList.add("drawn");
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(d));
      charts.push(chart);
    });
    // after the page has settled (the pictures cost a few milliseconds a chart), or at once
    // when printing starts first
    if (window.requestIdleCallback) { window.requestIdleCallback(printSheet, { timeout: 1000 }); }
    else { window.setTimeout(printSheet, 200); }
    window.addEventListener("beforeprint", printSheet);
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
