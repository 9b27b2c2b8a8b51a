// Draws every chart on the page: each [data-chart] element carries its figures as JSON
// (app.core.charts.Chart.spec); this file alone decides how they look. The ECharts
// library (static/vendor, its own bundle of ~240 KB) is fetched only when a page has a
// chart, once per visit, so a grid worker's due list never pays for it. Charts are
// drawn on the first load and after every htmx swap, and let go when htmx removes them.
//
// For readers up to 90: labels of 16px and more in near-black, every bar or segment
// with its figure written on it or beside it, colours told apart by patterns too (a
// "▼" on values below target), no animation for those who ask their system for less
// motion. The sentence and the table beside each chart say the same without script.
(function () {
  "use strict";

  var INK = "#111111";
  var MUTED = "#3d3d3d";
  var GRIDLINE = "#c8c8c8";
  // Dark enough for 3:1 against white and against each other's patterns.
  var COLOURS = ["#0b4f8a", "#1b6e3a", "#a35200", "#6b3fa0", "#00616e", "#8b1d4f", "#4a4a4a"];
  var ALERT = "#a4161a";
  var FONT = 16;
  var NARROW = 560; // below this width (a phone) columns of months run down the chart
  var NARROW_LINE = 440; // a line of twelve months needs less room (half a desktop row)

  // One pattern per style index, so two neighbouring colours never rely on hue alone.
  var PATTERNS = [
    null,
    { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4 },
    { symbol: "circle", symbolSize: 0.7, dashArrayX: [[6, 6]], dashArrayY: [6, 0] },
    { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 6], rotation: 0 },
    { symbol: "rect", dashArrayX: [[2, 6]], dashArrayY: [1, 0], rotation: 0 },
    { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: Math.PI / 4 },
    { symbol: "triangle", symbolSize: 0.7, dashArrayX: [[7, 7]], dashArrayY: [7, 0] },
  ];
  var ALERT_PATTERN = { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [4, 4], rotation: -Math.PI / 4 };

  var charts = [];
  var waiting = [];
  var loading = false;

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function decal(pattern) {
    if (!pattern) return { symbol: "none" };
    var copy = { color: "rgba(255, 255, 255, 0.55)" };
    for (var key in pattern) copy[key] = pattern[key];
    return copy;
  }

  function figure(value, unit) {
    if (value === null || value === undefined) return "—";
    return String(value) + unit;
  }

  function fontFamily() {
    return window.getComputedStyle(document.body).fontFamily || "sans-serif";
  }

  function categoryAxis(spec, across, width) {
    return {
      type: "category",
      data: spec.categories,
      inverse: across, // the first month or grid on top when drawn across
      axisTick: { show: false },
      axisLine: { lineStyle: { color: MUTED, width: 2 } },
      axisLabel: {
        color: INK, fontSize: FONT, interval: across ? 0 : "auto", hideOverlap: true,
        // names of grids and branches: about a third of the width, wrapped beyond it
        width: across ? Math.max(96, Math.min(180, Math.round(width * 0.38))) : undefined,
        overflow: across ? "break" : "none",
      },
    };
  }

  function valueAxis(spec, narrow) {
    var axis = {
      type: "value",
      axisLabel: { color: MUTED, fontSize: FONT },
      splitLine: { lineStyle: { color: GRIDLINE } },
      minInterval: 1,
    };
    if (spec.unit === "%") {
      axis.min = 0;
      axis.max = 100;
      axis.interval = narrow ? 50 : 25;
      axis.axisLabel.formatter = "{value}%";
    }
    return axis;
  }

  function barSeries(spec, s, across, stacked) {
    var colour = COLOURS[s.style % COLOURS.length];
    var flags = s.flags || [];
    return {
      type: "bar",
      name: s.name,
      stack: stacked ? "all" : undefined,
      barMaxWidth: 44,
      data: s.values.map(function (value, i) {
        var item = { value: value };
        if (flags[i]) item.itemStyle = { color: ALERT, decal: decal(ALERT_PATTERN) };
        return item;
      }),
      itemStyle: {
        color: colour,
        borderColor: "#ffffff",
        borderWidth: stacked ? 1 : 0,
        decal: decal(PATTERNS[s.style % PATTERNS.length]),
      },
      label: {
        show: !stacked,
        position: across ? "right" : "top",
        color: INK,
        fontSize: FONT,
        fontWeight: "bold",
        formatter: function (p) {
          return (flags[p.dataIndex] ? "▼ " : "") + figure(p.value, spec.unit);
        },
      },
      labelLayout: { hideOverlap: true },
      emphasis: { disabled: true },
    };
  }

  // The total of a stack written at its end: an invisible series carrying the labels.
  function totalSeries(spec, across) {
    return {
      type: "bar",
      name: "",
      stack: "all",
      silent: true,
      data: spec.totals.map(function () { return 0; }),
      itemStyle: { color: "transparent" },
      label: {
        show: true,
        position: across ? "right" : "top",
        color: INK,
        fontSize: FONT,
        fontWeight: "bold",
        formatter: function (p) { return String(spec.totals[p.dataIndex]); },
      },
      labelLayout: { hideOverlap: true },
      emphasis: { disabled: true },
      tooltip: { show: false },
    };
  }

  function lineSeries(spec, s, width) {
    var colour = COLOURS[s.style % COLOURS.length];
    // A figure needs about 52px: with less room per month, every other one (always
    // the latest), the rest in the table and on a tap.
    var last = s.values.length - 1;
    var step = Math.max(1, Math.ceil(52 / ((width - 80) / Math.max(1, s.values.length))));
    return {
      type: "line",
      name: s.name,
      data: s.values,
      connectNulls: false,
      symbol: "circle",
      symbolSize: 12,
      lineStyle: { color: colour, width: 4 },
      itemStyle: { color: colour, borderColor: "#ffffff", borderWidth: 2 },
      label: {
        show: true,
        position: "top",
        color: INK,
        fontSize: FONT,
        fontWeight: "bold",
        formatter: function (p) {
          return (last - p.dataIndex) % step === 0 ? figure(p.value, spec.unit) : "";
        },
      },
      labelLayout: { hideOverlap: true },
      emphasis: { disabled: true },
    };
  }

  // On a phone twelve points or columns do not fit across with figures a 90-year-old
  // can read: each month becomes a row, its figure written at the end of its bar.
  function isAcross(spec, width) {
    return spec.kind === "bars" || width < (spec.kind === "line" ? NARROW_LINE : NARROW);
  }

  function option(spec, width) {
    var across = isAcross(spec, width);
    var line = spec.kind === "line" && !across;
    var stacked = spec.kind === "columns" && spec.series.length > 1;
    var legend = spec.series.length > 1;
    var series = spec.series.map(function (s) {
      return line ? lineSeries(spec, s, width) : barSeries(spec, s, across, stacked);
    });
    if (stacked && spec.totals) series.push(totalSeries(spec, across));
    var categories = categoryAxis(spec, across, width);
    var values = valueAxis(spec, width < NARROW);
    return {
      animation: !reducedMotion(),
      textStyle: { fontFamily: fontFamily(), fontSize: FONT, color: INK },
      aria: { enabled: true, label: { enabled: false }, decal: { show: true } },
      legend: legend ? {
        bottom: 0, left: 0, itemWidth: 30, itemHeight: 20, itemGap: 16,
        textStyle: { fontSize: FONT, color: INK },
        data: spec.series.map(function (s) { return s.name; }),
        selectedMode: false,
      } : { show: false },
      tooltip: {
        trigger: "axis", renderMode: "richText", confine: true,
        textStyle: { fontSize: FONT, color: INK },
        axisPointer: { type: "shadow" },
        valueFormatter: function (value) { return figure(value, spec.unit); },
      },
      grid: {
        left: 8, right: across ? 64 : 16, top: across ? 8 : 36,
        bottom: legend ? legendHeight(spec, width) : 8, containLabel: true,
      },
      xAxis: across ? values : categories,
      yAxis: across ? categories : values,
      series: series,
    };
  }

  function legendHeight(spec, width) {
    // About 8em of label and swatch per item; as many lines as it takes.
    var perLine = Math.max(1, Math.floor(width / 150));
    return 16 + 32 * Math.ceil(spec.series.length / perLine);
  }

  function height(spec, width) {
    var across = isAcross(spec, width);
    var legend = spec.series.length > 1 ? legendHeight(spec, width) : 0;
    if (across) return Math.max(160, spec.categories.length * 44 + 48 + legend);
    return 320 + legend;
  }

  function draw(el) {
    if (el.dataset.chartDrawn) return;
    var spec;
    try {
      spec = JSON.parse(el.dataset.chart);
    } catch (e) {
      return; // the sentence and the table are still there
    }
    var width = el.clientWidth || 320;
    el.style.height = height(spec, width) + "px";
    el.replaceChildren(); // a page restored from history may keep an old drawing
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.chartReady = "1"; });
    chart.setOption(option(spec, width));
    el.dataset.chartDrawn = "1";
    var entry = { el: el, chart: chart, spec: spec, width: width, observer: null };
    if (window.ResizeObserver) {
      entry.observer = new ResizeObserver(function () { resized(entry); });
      entry.observer.observe(el);
    }
    charts.push(entry);
  }

  function resized(entry) {
    var width = entry.el.clientWidth;
    if (!width || width === entry.width) return;
    var wasAcross = isAcross(entry.spec, entry.width);
    var wasNarrow = entry.width < NARROW;
    entry.width = width;
    entry.el.style.height = height(entry.spec, width) + "px";
    if (wasAcross !== isAcross(entry.spec, width) || wasNarrow !== width < NARROW) {
      entry.chart.setOption(option(entry.spec, width), true);
    }
    entry.chart.resize();
  }

  function release(el) {
    charts = charts.filter(function (entry) {
      if (entry.el !== el) return true;
      if (entry.observer) entry.observer.disconnect();
      entry.chart.dispose();
      delete el.dataset.chartDrawn;
      delete el.dataset.chartReady;
      el.replaceChildren();
      // Not even an empty style="": htmx keeps this markup for the back button, and
      // putting it back as HTML would be an inline style the CSP refuses.
      el.removeAttribute("style");
      el.removeAttribute("_echarts_instance_");
      return false;
    });
  }

  function withLibrary(then) {
    if (window.echarts) return then();
    waiting.push(then);
    if (loading) return;
    var src = document.body.dataset.chartLibrary;
    if (!src) return;
    loading = true;
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () {
      var queued = waiting;
      waiting = [];
      queued.forEach(function (fn) { fn(); });
    };
    script.onerror = function () { loading = false; waiting = []; };
    document.head.appendChild(script);
  }

  function found(root) {
    var list = [];
    if (root.matches && root.matches("[data-chart]")) list.push(root);
    if (root.querySelectorAll) list.push.apply(list, root.querySelectorAll("[data-chart]"));
    return list;
  }

  function drawIn(root) {
    var els = found(root);
    if (!els.length) return;
    withLibrary(function () {
      els.forEach(function (el) { if (el.isConnected) draw(el); });
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(drawIn);
  } else {
    document.addEventListener("DOMContentLoaded", function () { drawIn(document.body); });
  }
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    if (event.target.dataset && event.target.dataset.chartDrawn) release(event.target);
  });
  // htmx keeps a copy of the page for the back button: keep it without the drawings
  // (they are drawn again from their JSON when the page comes back).
  document.addEventListener("htmx:beforeHistorySave", function () {
    charts.slice().forEach(function (entry) { release(entry.el); });
  });
})();
