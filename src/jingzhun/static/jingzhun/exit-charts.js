// Charts of the 脱贫攻坚 page (standards/dashboard.html). The numbers come from the page's json_script
// block, which the selector reshapes from the same rows as the tables; the tables stay the accessible
// source. No inline script or eval (the CSP forbids both): this file is loaded with a plain <script src>.
(function () {
  "use strict";

  // Below this container width, category charts turn horizontal so that every township name stays
  // readable on a village cadre's phone (390 px) instead of being rotated into a smear.
  var NARROW = 576;
  var REDUCED_MOTION = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var READY = "#198754";
  var NOT_READY = "#dc3545";
  var OVER = "#b71c1c";
  var UNDER = "#0d6efd";
  var esc = function (s) { return window.echarts.format.encodeHTML(String(s)); };

  function rowsHeight(n) {
    return Math.max(220, n * 28 + 80) + "px";
  }

  function categoryAxes(names, narrow, valueAxis) {
    if (narrow) {
      return { xAxis: valueAxis, yAxis: { type: "category", data: names, inverse: true } };
    }
    var axisLabel = { interval: 0, rotate: names.length > 6 ? 40 : 0 };
    return { xAxis: { type: "category", data: names, axisLabel: axisLabel }, yAxis: valueAxis };
  }

  function planOption(d, narrow) {
    var option = {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          var rate = d.planned[i] ? ((d.ready[i] * 100) / d.planned[i]).toFixed(1) + "%" : "—";
          return esc(d.names[i]) + "<br>计划脱贫 " + d.planned[i] + " 户<br>已达标 " + d.ready[i] +
            " 户<br>未达标 " + d.not_ready[i] + " 户<br>达标率 " + rate;
        },
      },
      legend: { top: 0, data: ["已达标", "未达标"] },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      series: [
        { name: "已达标", type: "bar", stack: "plan", data: d.ready, itemStyle: { color: READY } },
        {
          name: "未达标",
          type: "bar",
          stack: "plan",
          data: d.not_ready,
          itemStyle: { color: NOT_READY },
          // the stack's total is the plan: label it once, at the end of the stack
          label: {
            show: true,
            position: narrow ? "right" : "top",
            color: "#212529",
            formatter: function (p) { return String(d.planned[p.dataIndex]); },
          },
        },
      ],
    };
    return Object.assign(option, categoryAxes(d.names, narrow, { type: "value", name: "户", minInterval: 1 }));
  }

  function rulesOption(d) {
    return {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return esc(d.labels[i]) + "（" + esc(d.codes[i]) + "）<br>" + d.households[i] + " 户";
        },
      },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: "户" },
      yAxis: { type: "category", data: d.labels, inverse: true },
      series: [{
        name: "未达标户数",
        type: "bar",
        data: d.households,
        itemStyle: { color: NOT_READY },
        barMaxWidth: 28,
        label: { show: true, position: "right" },
      }],
    };
  }

  function incidenceOption(d, narrow) {
    var threshold = d.threshold;
    var series = {
      name: "贫困发生率",
      type: "bar",
      data: d.incidence,
      itemStyle: {
        color: function (p) { return threshold !== null && p.value >= threshold ? OVER : UNDER; },
      },
      label: {
        show: true,
        position: narrow ? "right" : "top",
        formatter: function (p) { return p.value === null || p.value === undefined ? "" : p.value.toFixed(2); },
      },
    };
    if (threshold !== null) {
      series.markLine = {
        silent: true,
        symbol: "none",
        lineStyle: { color: OVER, type: "dashed" },
        label: { formatter: "摘帽标准 " + threshold + "%", position: "insideEndTop" },
        data: [narrow ? { xAxis: threshold } : { yAxis: threshold }],
      };
    }
    var option = {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          var v = d.incidence[i];
          return esc(d.names[i]) + "<br>" + (v === null ? "未填户籍人口，无法计算" :
            "贫困发生率 " + v.toFixed(2) + "%<br>剩余贫困人口 " + d.remaining[i] + " 人 ÷ 户籍人口 " +
            d.population[i] + " 人");
        },
      },
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      series: [series],
    };
    return Object.assign(option, categoryAxes(d.names, narrow, { type: "value", name: "%" }));
  }

  var BUILDERS = {
    plan: { option: planOption, rows: function (d) { return d.names.length; }, turns: true },
    rules: { option: rulesOption, rows: function (d) { return d.labels.length; }, turns: false },
    incidence: { option: incidenceOption, rows: function (d) { return d.names.length; }, turns: true },
  };

  function draw(el, data) {
    var kind = el.getAttribute("data-chart");
    var builder = BUILDERS[kind];
    var d = data[kind];
    if (!builder || !d) { return null; }
    function isNarrow() {
      return builder.turns && el.clientWidth < NARROW;
    }
    function fit(narrow) {
      // horizontal bars need a row per category; otherwise the stylesheet's height holds
      var horizontal = narrow || !builder.turns;
      el.style.minHeight = horizontal ? rowsHeight(builder.rows(d)) : "";
      el.setAttribute("data-layout", horizontal ? "horizontal" : "vertical");
    }

    function option(narrow) {
      var built = builder.option(d, narrow);
      built.animation = !REDUCED_MOTION;  // the reader's own setting: bars drawn at once, not grown
      return built;
    }

    var narrow = isNarrow();
    fit(narrow);
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(narrow));

    var drill = el.getAttribute("data-drill-url");
    if (drill && d.codes) {
      chart.on("click", function (p) {
        if (p.componentType === "series" && d.codes[p.dataIndex]) {
          window.location.assign(drill.replace("CODE", encodeURIComponent(d.codes[p.dataIndex])));
        }
      });
    }
    return {
      resize: function () {
        var now = isNarrow();
        fit(now);
        if (now !== narrow) {
          narrow = now;
          chart.setOption(option(narrow), true);
        }
        chart.resize();
      },
    };
  }

  function start() {
    var source = document.getElementById("exit-chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var drawn = draw(el, data);
      if (drawn) { charts.push(drawn); }
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.cancelAnimationFrame(pending); }
      pending = window.requestAnimationFrame(function () {
        pending = null;
        charts.forEach(function (c) { c.resize(); });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
