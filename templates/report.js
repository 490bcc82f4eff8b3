/* templates/report.js: the report's browser code (report.md §4, §5, §10).
 * Plain ES5, no network: it depends only on Chart.js (inlined before it) and
 * on the object passed to unentropyReport.init(window.__chartData) (§3).
 * Draws the charts named by the canvases' data attributes (data-kind,
 * data-series, data-group), syncs a crosshair and drag-zoom per group,
 * applies the date presets and the custom range, the preview switch, the
 * theme toggle and the CSV/JSON export. Data is never inserted through
 * innerHTML: chart text is drawn on the canvas, other text uses textContent.
 * formatValue mirrors lua/unentropy/format.lua exactly (same strings). */
(function (global) {
  'use strict';
  var doc = global.document;
  var DAY = 86400000;
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var SERIES_EXTRA = ['#7fbbb3', '#a89bc8', '#7c9eb2', '#bab098'];
  var VARS = ['--bg', '--surface', '--surface-card', '--border', '--border-soft', '--text',
    '--text-dim', '--text-muted', '--accent', '--up', '--down', '--warn'];
  var LARGE = 1000;

  /* ---- unit formatting: lua/unentropy/format.lua ---------------------- */

  function zeros(n) { var s = ''; while (s.length < n) { s += '0'; } return s; }

  // |x| rounded half away from zero to n decimals (toFixed works on the
  // exact binary value and picks the larger candidate on a tie).
  function fixedAbs(x, n) {
    x = Math.abs(x);
    if (x < 1e21) { return x.toFixed(n); }
    var s = typeof BigInt === 'function' ? BigInt(x).toString() : x.toFixed(0);
    return n > 0 ? s + '.' + zeros(n) : s;
  }

  function group(digits) {
    var m = /^(\d+)(.*)$/.exec(digits);
    var int = m[1], out = '';
    while (int.length > 3) { out = ',' + int.slice(int.length - 3) + out; int = int.slice(0, int.length - 3); }
    return int + out + m[2];
  }

  function isZero(s) { return !/[1-9]/.test(s); }

  function decimals(x, n) {
    var s = fixedAbs(x, n);
    return (x < 0 && !isZero(s) ? '-' : '') + group(s);
  }

  function intStr(r) {
    var a = Math.abs(r);
    var s = a < 1e21 ? a.toFixed(0) : (typeof BigInt === 'function' ? BigInt(a).toString() : a.toFixed(0));
    return (r < 0 ? '-' : '') + s;
  }

  function roundInt(x) {
    var r = Math.floor(x + 0.5);
    if (r === 0) { r = 0; }
    return intStr(r);
  }

  function signed(x, s) { return x < 0 && !isZero(s) ? '-' + s : s; }

  function bytes(x) {
    var a = Math.abs(x), scaled, suffix;
    if (a < 1024) { return signed(x, group(roundInt(a))) + ' B'; }
    if (a < 1048576) { scaled = a / 1024; suffix = ' KB'; }
    else if (a < 1073741824) { scaled = a / 1048576; suffix = ' MB'; }
    else { scaled = a / 1073741824; suffix = ' GB'; }
    var s = scaled === Math.floor(scaled) ? group(intStr(scaled)) : group(fixedAbs(scaled, 1));
    return signed(x, s) + suffix;
  }

  function duration(x) {
    var a = Math.abs(x), s;
    if (a < 1) { s = roundInt(a * 1000) + 'ms'; }
    else if (a < 60) { s = roundInt(a) + 's'; }
    else if (a < 3600) { s = intStr(Math.floor(a / 60)) + 'm ' + roundInt(a % 60) + 's'; }
    else { s = intStr(Math.floor(a / 3600)) + 'h ' + roundInt((a % 3600) / 60) + 'm'; }
    return signed(x, s);
  }

  function plain(x) {
    var s = fixedAbs(x, 2).replace(/\.?0+$/, '');
    if (s === '') { s = '0'; }
    return signed(x, group(s));
  }

  function formatValue(x, unit) {
    if (typeof x !== 'number') { return 'N/A'; }
    if (x !== x) { return 'NaN'; }
    if (x === Infinity) { return '\u221e'; }
    if (x === -Infinity) { return '-\u221e'; }
    if (unit === 'percent') { return decimals(x, 1) + '%'; }
    if (unit === 'integer') { return signed(x, group(roundInt(Math.abs(x)))); }
    if (unit === 'bytes') { return bytes(x); }
    if (unit === 'duration') { return duration(x); }
    if (unit === 'decimal') { return decimals(x, 2); }
    return plain(x);
  }

  /* ---- dates (local time, like the date inputs) ------------------------ */

  function fmtDay(ms) { var d = new Date(ms); return MONTHS[d.getMonth()] + ' ' + d.getDate(); }
  function fmtDate(ms) { var d = new Date(ms); return fmtDay(ms) + ', ' + d.getFullYear(); }
  function pad2(n) { return n < 10 ? '0' + n : String(n); }
  function isoDay(ms) { var d = new Date(ms); return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()); }
  function parseDay(s, end) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    if (!m) { return null; }
    var d = end ? new Date(+m[1], +m[2] - 1, +m[3], 23, 59, 59, 999) : new Date(+m[1], +m[2] - 1, +m[3], 0, 0, 0, 0);
    return d.getTime();
  }

  // Day ticks at local midnights, at most 10, step chosen from a fixed list.
  function dayTicks(scale) {
    var min = scale.min, max = scale.max;
    if (!(max > min)) { return; }
    var steps = [1, 2, 3, 7, 14, 30, 61, 91, 182, 365, 730, 1461, 3652];
    var span = (max - min) / DAY, step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) { if (span / steps[i] < 10) { step = steps[i]; break; } }
    var d = new Date(min);
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < min) { d.setDate(d.getDate() + 1); }
    var ticks = [];
    while (d.getTime() <= max && ticks.length < 10) {
      ticks.push({ value: d.getTime() });
      d.setDate(d.getDate() + step);
    }
    if (ticks.length === 0) { ticks.push({ value: min }); }
    scale.ticks = ticks;
  }

  /* ---- colours ---------------------------------------------------------- */

  var colors = {};
  function readColors() {
    var cs = global.getComputedStyle(doc.documentElement);
    for (var i = 0; i < VARS.length; i++) { colors[VARS[i]] = (cs.getPropertyValue(VARS[i]) || '').trim() || '#888888'; }
  }
  function alpha(hex, a) {
    var m = /^#([0-9a-fA-F]{6})$/.exec(hex);
    if (!m) { return hex; }
    var n = parseInt(m[1], 16);
    return 'rgba(' + (n >> 16 & 255) + ',' + (n >> 8 & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function seriesColor(i) {
    var base = [colors['--accent'], colors['--up'], colors['--warn'], colors['--down']].concat(SERIES_EXTRA);
    return base[i % base.length];
  }

  /* ---- state ------------------------------------------------------------ */

  var S = { data: null, charts: [], groups: {}, line: {}, bar: {}, filter: { kind: 'all' }, ready: false };

  function times(list) {
    var out = new Array(list.length);
    for (var i = 0; i < list.length; i++) { out[i] = Date.parse(list[i]); }
    return out;
  }

  function indexSeries(d) {
    var i;
    for (i = 0; i < d.lineCharts.length; i++) { S.line[d.lineCharts[i].id] = { s: d.lineCharts[i], preview: false }; }
    for (i = 0; i < d.previewLineCharts.length; i++) { S.line[d.previewLineCharts[i].id] = { s: d.previewLineCharts[i], preview: true }; }
    for (i = 0; i < d.barCharts.length; i++) { S.bar[d.barCharts[i].id] = d.barCharts[i]; }
    for (i = 0; i < d.previewBarCharts.length; i++) { S.bar[d.previewBarCharts[i].id] = d.previewBarCharts[i]; }
  }

  function getGroup(id) {
    var g = S.groups[id];
    if (!g) {
      g = S.groups[id] = { id: id, charts: [], ids: {}, idx: null, full: null, range: null, zoom: null,
        preview: id === 'preview', reset: doc.querySelector('[data-reset="' + id + '"]') };
    }
    return g;
  }

  // The global indices a group's charts use: every build (flat, preview) or,
  // in a section, the builds where one of its line metrics has a value.
  function groupIndices(g) {
    var n = g.preview ? S.ptimes.length : S.times.length, out = [], i, k, keys = [];
    if (g.id === 'page' || g.preview) {
      for (i = 0; i < n; i++) { out.push(i); }
      return out;
    }
    for (k in g.ids) { if (S.line[k]) { keys.push(S.line[k].s.values); } }
    for (i = 0; i < n; i++) {
      for (k = 0; k < keys.length; k++) { if (keys[k][i] !== null && keys[k][i] !== undefined) { out.push(i); break; } }
    }
    return out;
  }

  function fullRange(g) {
    var t = g.preview ? S.ptimes : S.times;
    if (!g.idx.length) { return null; }
    var min = t[g.idx[0]], max = t[g.idx[g.idx.length - 1]];
    if (min === max) { min -= DAY / 2; max += DAY / 2; }
    return { min: min, max: max };
  }

  /* ---- tooltips, crosshair, zoom -------------------------------------- */

  function nearestPos(arr, t, key) {
    var lo = 0, hi = arr.length - 1;
    if (hi < 0) { return -1; }
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (key(arr[mid]) < t) { lo = mid + 1; } else { hi = mid; }
    }
    if (lo > 0 && Math.abs(key(arr[lo - 1]) - t) <= Math.abs(key(arr[lo]) - t)) { lo--; }
    return lo;
  }

  // Active elements of a line chart at time t: the nearest build of the
  // chart's indices, and per visible dataset its nearest drawn point.
  function itemsAt(chart, t) {
    var st = chart.$uent;
    var p = nearestPos(st.idx, t, function (i) { return st.times[i]; });
    st.active = p < 0 ? -1 : st.idx[p];
    if (st.active < 0) { return []; }
    var tx = st.times[st.active], items = [];
    for (var d = 0; d < chart.data.datasets.length; d++) {
      if (!chart.isDatasetVisible(d)) { continue; }
      var data = chart.data.datasets[d].data, meta = chart.getDatasetMeta(d);
      var j = nearestPos(data, tx, function (pt) { return pt.x; });
      if (j >= 0 && meta.data[j]) { items.push({ element: meta.data[j], datasetIndex: d, index: j }); }
    }
    return items;
  }

  function registerChartExtensions(Chart) {
    Chart.Interaction.modes.uent = function (chart, e) {
      if (!chart.$uent || !chart.scales.x) { return []; }
      return itemsAt(chart, chart.scales.x.getValueForPixel(e.x));
    };
    Chart.Tooltip.positioners.uent = function (items) {
      var x = 0, y = 0, n = 0;
      for (var i = 0; i < items.length; i++) {
        var el = items[i].element;
        if (el && isFinite(el.x) && isFinite(el.y)) { x += el.x; y += el.y; n++; }
      }
      if (n) { return { x: x / n, y: y / n }; }
      var c = this.chart, st = c && c.$uent;
      if (!st || st.active < 0) { return false; }
      return { x: c.scales.x.getPixelForValue(st.times[st.active]), y: (c.chartArea.top + c.chartArea.bottom) / 2 };
    };
  }

  function visibleOnScreen(canvas) {
    if (!canvas.offsetParent) { return false; }
    var r = canvas.getBoundingClientRect();
    return r.bottom > 0 && r.top < (global.innerHeight || 800) && r.width > 0;
  }

  function crossPixel(chart) {
    var st = chart.$uent;
    if (st.active < 0) { return null; }
    var px = chart.scales.x.getPixelForValue(st.times[st.active]);
    var a = chart.chartArea;
    return px >= a.left - 0.5 && px <= a.right + 0.5 ? px : null;
  }

  function syncGroup(g, source, t) {
    source.$uent.cross = crossPixel(source);
    for (var i = 0; i < g.charts.length; i++) {
      var c = g.charts[i].chart;
      if (!c || c === source || c.$uent.kind === 'bar' || !visibleOnScreen(c.canvas)) { continue; }
      var items = itemsAt(c, t);
      c.$uent.cross = crossPixel(c);
      var px = c.$uent.cross === null ? 0 : c.$uent.cross;
      c.tooltip.setActiveElements(c.$uent.cross === null ? [] : items, { x: px, y: c.chartArea.top });
      c.$uent.synced = true;
      c.draw();
    }
  }

  function clearGroup(g) {
    for (var i = 0; i < g.charts.length; i++) {
      var c = g.charts[i].chart;
      if (!c || c.$uent.kind === 'bar') { continue; }
      var had = c.$uent.cross !== null || c.$uent.synced;
      c.$uent.cross = null;
      if (c.$uent.synced) { c.tooltip.setActiveElements([], { x: 0, y: 0 }); c.$uent.synced = false; }
      if (had) { c.draw(); }
    }
  }

  // Change points (dashed, --down for regressions, --up for improvements)
  // and annotations (dotted, --warn) of a single-metric line chart
  // (docs/noise.md): vertical lines at their builds, a triangle on top.
  function chartMarks(series) {
    var s = series && series[0], out = [], i;
    if (!s || series.length !== 1) { return out; }
    var cps = s.changePoints || [], anns = s.annotations || [];
    for (i = 0; i < cps.length; i++) { out.push({ i: cps[i].index, color: cps[i].kind === 'regression' ? '--down' : '--up', dash: [4, 3] }); }
    for (i = 0; i < anns.length; i++) { out.push({ i: anns[i].index, color: '--warn', dash: [1, 3] }); }
    return out;
  }

  function drawMarks(chart, st, a) {
    if (!st.marks || !st.marks.length) { return; }
    var ctx = chart.ctx, xs = chart.scales.x;
    for (var m = 0; m < st.marks.length; m++) {
      var mk = st.marks[m], t = st.times[mk.i];
      if (t === undefined) { continue; }
      var px = Math.round(xs.getPixelForValue(t)) + 0.5;
      if (px < a.left - 0.5 || px > a.right + 0.5) { continue; }
      ctx.save();
      ctx.strokeStyle = colors[mk.color];
      ctx.fillStyle = colors[mk.color];
      ctx.lineWidth = 1.5;
      ctx.setLineDash(mk.dash);
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(px - 4, a.top);
      ctx.lineTo(px + 4, a.top);
      ctx.lineTo(px, a.top + 6);
      ctx.closePath();
      ctx.fill();
      ctx.restore();
    }
  }

  var uentPlugin = {
    id: 'uentCrosshair',
    afterEvent: function (chart, args) {
      var st = chart.$uent, e = args.event;
      if (!st || st.kind === 'bar') { return; }
      var g = S.groups[st.group];
      if (e.type === 'mousemove' && args.inChartArea) {
        syncGroup(g, chart, chart.scales.x.getValueForPixel(e.x));
        args.changed = true;
      } else if (e.type === 'mouseout' || e.type === 'mousemove') {
        clearGroup(g);
        args.changed = true;
      }
    },
    afterDatasetsDraw: function (chart) {
      var st = chart.$uent;
      if (!st || st.kind === 'bar') { return; }
      var ctx = chart.ctx, a = chart.chartArea;
      if (st.cross !== null && st.cross !== undefined) {
        ctx.save();
        ctx.strokeStyle = alpha(colors['--accent'], 0.3);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(Math.round(st.cross) + 0.5, a.top);
        ctx.lineTo(Math.round(st.cross) + 0.5, a.bottom);
        ctx.stroke();
        ctx.restore();
      }
      drawMarks(chart, st, a);
      if (st.drag) {
        var x0 = Math.max(a.left, Math.min(st.drag.x0, st.drag.x1));
        var x1 = Math.min(a.right, Math.max(st.drag.x0, st.drag.x1));
        ctx.save();
        ctx.fillStyle = alpha(colors['--accent'], 0.2);
        ctx.fillRect(x0, a.top, x1 - x0, a.bottom - a.top);
        ctx.restore();
      }
    }
  };

  function countPoints(st, min, max) {
    var n = 0, vals = st.series[0] && st.series[0].values;
    if (!vals) { return 0; }
    for (var i = 0; i < st.idx.length; i++) {
      var k = st.idx[i], t = st.times[k];
      if (t >= min && t <= max && vals[k] !== null && vals[k] !== undefined) { n++; }
    }
    return n;
  }

  function enableDrag(entry) {
    var canvas = entry.canvas;
    var start = null;
    function px(e) { var r = canvas.getBoundingClientRect(); return e.clientX - r.left; }
    canvas.addEventListener('mousedown', function (e) {
      var chart = entry.chart;
      if (!chart || e.button !== 0) { return; }
      var x = px(e), a = chart.chartArea;
      if (x < a.left || x > a.right) { return; }
      start = x;
      e.preventDefault();
    });
    global.addEventListener('mousemove', function (e) {
      if (start === null) { return; }
      var chart = entry.chart;
      chart.$uent.drag = { x0: start, x1: px(e) };
      chart.draw();
    });
    global.addEventListener('mouseup', function (e) {
      if (start === null) { return; }
      var chart = entry.chart, x0 = start, x1 = px(e);
      start = null;
      chart.$uent.drag = null;
      chart.draw();
      if (Math.abs(x1 - x0) <= 5) { return; }
      var xs = chart.scales.x;
      var a = Math.min(x0, x1), b = Math.max(x0, x1);
      var t0 = xs.getValueForPixel(Math.max(a, chart.chartArea.left));
      var t1 = xs.getValueForPixel(Math.min(b, chart.chartArea.right));
      if (countPoints(chart.$uent, t0, t1) < 4) { return; }
      var g = S.groups[chart.$uent.group];
      g.zoom = { min: t0, max: t1 };
      applyGroup(g);
    });
  }

  /* ---- charts ------------------------------------------------------------ */

  function axisColors(scale) {
    scale.ticks.color = colors['--text-dim'];
    scale.grid.color = alpha(colors['--border-soft'], 1);
    scale.border = { color: colors['--border'] };
    if (scale.title) { scale.title.color = colors['--text-muted']; }
  }

  function lineSeries(entry) {
    var ids = entry.ids, out = [];
    for (var i = 0; i < ids.length; i++) {
      var hit = S.line[ids[i]];
      var bare = ids[i].replace(/-preview$/, '');
      out.push(hit ? hit.s : { id: entry.group.preview ? bare : ids[i], name: bare, unit: null, values: null, missing: true });
    }
    return out;
  }

  function points(values, idx, t) {
    var pts = new Array(idx.length);
    for (var i = 0; i < idx.length; i++) {
      var k = idx[i], v = values ? values[k] : null;
      pts[i] = { x: t[k], y: v === undefined ? null : v, i: k };
    }
    return pts;
  }

  function createLine(entry) {
    var g = entry.group, series = lineSeries(entry), multi = entry.kind === 'multi';
    var t = g.preview ? S.ptimes : S.times, idx = g.idx, n = idx.length;
    var large = n > LARGE;
    var width = Math.max(entry.canvas.parentNode.clientWidth || 0, 320);
    var units = {}, unitCount = 0, i;
    for (i = 0; i < series.length; i++) {
      if (series[i].missing) { continue; }
      var u = String(series[i].unit);
      if (!units[u]) { units[u] = true; unitCount++; }
    }
    var split = multi && unitCount > 1;
    var datasets = [], scales = {};
    scales.x = {
      type: 'linear', bounds: 'data', afterBuildTicks: dayTicks,
      ticks: { maxRotation: 0, autoSkip: false, callback: function (v) { return fmtDay(v); } },
      title: { display: true, text: 'Build Date' }, grid: {}
    };
    for (i = 0; i < series.length; i++) {
      var s = series[i], col = multi ? seriesColor(i) : colors['--accent'];
      var axis = split && i > 0 ? 'y' + i : 'y';
      datasets.push({
        label: s.missing ? s.id : s.name, data: s.missing ? [] : points(s.values, idx, t),
        borderColor: col, backgroundColor: multi ? col : alpha(col, 0.1), fill: !multi,
        tension: large ? 0 : 0.4, pointRadius: n > 200 ? 0 : (multi ? 3 : 4), pointHoverRadius: 6,
        pointBackgroundColor: col, borderWidth: 2, spanGaps: false, yAxisID: axis, clip: 6
      });
      if (axis === 'y' || split) {
        if (!scales[axis]) {
          var unit = s.unit;
          scales[axis] = {
            type: 'linear', beginAtZero: true, position: i > 0 ? 'right' : 'left',
            grid: { drawOnChartArea: i === 0 },
            title: { display: true, text: split ? (s.missing ? s.id : s.name) : (multi ? entry.title : s.name) },
            ticks: { callback: (function (un) { return function (v) { return formatValue(v, un); }; })(unit) }
          };
        }
      }
    }
    var config = {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: false, normalized: true, responsive: true, maintainAspectRatio: false,
        layout: { padding: { right: 6, top: 4 } },
        animation: large ? false : { duration: 250 },
        interaction: { mode: 'uent', intersect: false, axis: 'x' },
        events: ['mousemove', 'mouseout', 'click', 'touchstart', 'touchmove'],
        plugins: {
          legend: multi ? { display: true, position: 'top', labels: { boxWidth: 20, boxHeight: 3, font: { size: 11 } } } : { display: false },
          decimation: { enabled: large, algorithm: 'lttb', samples: width * 2, threshold: width * 2 },
          tooltip: {
            position: 'uent', animation: false,
            callbacks: { title: tooltipTitle, label: tooltipLabel }
          }
        },
        scales: scales
      },
      plugins: [uentPlugin]
    };
    return config;
  }

  function tooltipTitle(items) {
    var c = items.length && items[0].chart, st = c && c.$uent;
    return st && st.active >= 0 ? fmtDate(st.times[st.active]) : '';
  }

  function tooltipLabel(ctx) {
    var st = ctx.chart.$uent, s = st.series[ctx.datasetIndex], k = st.active;
    var v = s && s.values ? s.values[k] : null;
    var multi = st.kind === 'multi';
    if (v === null || v === undefined) {
      return (multi ? (s.missing ? s.id : s.name) + ': ' : '') + 'No data recorded for this build';
    }
    var text = s.name + ': ' + formatValue(v, s.unit);
    var meta = !st.preview && S.data.metadata[k];
    if (meta) { text += ' (Build #' + meta.run + ', ' + meta.sha + ')'; }
    return text;
  }

  function createBar(entry) {
    var b = S.bar[entry.ids[0]] || { labels: [], counts: [] };
    return {
      type: 'bar',
      data: { labels: b.labels.slice(), datasets: [{ label: 'Occurrences', data: b.counts.slice(),
        backgroundColor: alpha(colors['--accent'], 0.8), borderColor: colors['--accent'], borderWidth: 0 }] },
      options: {
        responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { animation: false } },
        scales: {
          x: { grid: { display: false }, ticks: {} },
          y: { beginAtZero: true, ticks: { stepSize: 1, precision: 0 }, title: { display: true, text: 'Count' }, grid: {} }
        }
      }
    };
  }

  // Applies the theme colours (read from the CSS variables) to a chart's
  // options and datasets; used before creation and on theme changes.
  function styleChart(options, datasets, kind) {
    var sc = options.scales;
    for (var k in sc) { if (Object.prototype.hasOwnProperty.call(sc, k)) { axisColors(sc[k]); } }
    if (options.plugins.legend && options.plugins.legend.labels) {
      options.plugins.legend.labels.color = colors['--text-dim'];
    }
    for (var i = 0; i < datasets.length; i++) {
      if (kind === 'bar') {
        datasets[i].backgroundColor = alpha(colors['--accent'], 0.8);
        datasets[i].borderColor = colors['--accent'];
      } else {
        var col = kind === 'multi' ? seriesColor(i) : colors['--accent'];
        datasets[i].borderColor = col;
        datasets[i].pointBackgroundColor = col;
        datasets[i].backgroundColor = kind === 'multi' ? col : alpha(col, 0.1);
      }
    }
    var tt = options.plugins.tooltip;
    tt.backgroundColor = colors['--surface'];
    tt.titleColor = colors['--text'];
    tt.bodyColor = colors['--text-dim'];
    tt.borderColor = colors['--border'];
    tt.borderWidth = 1;
  }

  function createChart(entry) {
    var Chart = global.Chart, g = entry.group;
    var config = entry.kind === 'bar' ? createBar(entry) : createLine(entry);
    if (entry.kind !== 'bar') {
      var r = g.zoom || g.range;
      config.options.scales.x.min = r ? r.min : undefined;
      config.options.scales.x.max = r ? r.max : undefined;
    }
    styleChart(config.options, config.data.datasets, entry.kind);
    var chart = new Chart(entry.canvas, config);
    chart.$uent = {
      kind: entry.kind, group: g.id, preview: g.preview, idx: g.idx,
      times: g.preview ? S.ptimes : S.times, series: entry.kind === 'bar' ? [] : lineSeries(entry),
      active: -1, cross: null, drag: null, synced: false
    };
    chart.$uent.marks = entry.kind === 'line' && !g.preview ? chartMarks(chart.$uent.series) : [];
    entry.chart = chart;
    if (entry.kind !== 'bar') {
      var first = chart.$uent.series[0];
      var count = 0, vals = first && first.values;
      for (var i = 0; vals && i < g.idx.length; i++) {
        var v = vals[g.idx[i]];
        if (v !== null && v !== undefined) { count++; }
      }
      entry.zoomable = count >= 10;
      if (entry.zoomable) { enableDrag(entry); }
      rangeOverlay(entry, g.zoom || g.range);
    }
  }

  function collectCharts() {
    var canvases = doc.querySelectorAll('canvas[data-kind]');
    var entries = [], i, j;
    for (i = 0; i < canvases.length; i++) {
      var c = canvases[i];
      var entry = { canvas: c, kind: c.getAttribute('data-kind'), title: c.getAttribute('data-title') || '',
        ids: (c.getAttribute('data-series') || '').split(' '), chart: null };
      entry.group = getGroup(c.getAttribute('data-group') || 'page');
      entry.group.charts.push(entry);
      if (entry.kind !== 'bar') { for (j = 0; j < entry.ids.length; j++) { entry.group.ids[entry.ids[j]] = true; } }
      entries.push(entry);
    }
    for (var id in S.groups) {
      if (Object.prototype.hasOwnProperty.call(S.groups, id)) {
        var g = S.groups[id];
        g.idx = groupIndices(g);
        g.full = fullRange(g);
        g.range = g.full;
      }
    }
    return entries;
  }

  function hasPointIn(entry, r) {
    var st = entry.chart.$uent;
    for (var s = 0; s < st.series.length; s++) {
      var vals = st.series[s].values;
      if (!vals) { continue; }
      for (var i = 0; i < st.idx.length; i++) {
        var k = st.idx[i], t = st.times[k];
        if (t >= r.min && t <= r.max && vals[k] !== null && vals[k] !== undefined) { return true; }
      }
    }
    return false;
  }

  function rangeOverlay(e, r) {
    var overlay = e.canvas.parentNode.querySelector('[data-overlay="range"]');
    var nodata = e.canvas.parentNode.querySelector('[data-overlay="nodata"]');
    if (overlay) { overlay.hidden = !(r && nodata && nodata.hidden && !hasPointIn(e, r)); }
  }

  function applyGroup(g) {
    var r = g.zoom || g.range;
    for (var i = 0; i < g.charts.length; i++) {
      var e = g.charts[i];
      if (!e.chart || e.kind === 'bar') { continue; }
      var x = e.chart.options.scales.x;
      x.min = r ? r.min : undefined;
      x.max = r ? r.max : undefined;
      e.chart.$uent.cross = null;
      e.chart.update('none');
      rangeOverlay(e, r);
    }
    if (g.reset) { g.reset.hidden = !g.zoom; }
  }

  /* ---- range filter ------------------------------------------------------ */

  function setFilter(f) {
    S.filter = f;
    for (var id in S.groups) {
      if (!Object.prototype.hasOwnProperty.call(S.groups, id)) { continue; }
      var g = S.groups[id], t = g.preview ? S.ptimes : S.times;
      g.zoom = null;
      if (f.kind === 'all') {
        g.range = g.full;
      } else if (f.kind === 'days') {
        var last = t.length ? t[t.length - 1] : 0;
        g.range = { min: last - f.days * DAY, max: last };
      } else {
        g.range = { min: f.min, max: f.max };
      }
      applyGroup(g);
    }
    var chips = doc.querySelectorAll('.uent-chip[data-range]');
    for (var i = 0; i < chips.length; i++) {
      var r = chips[i].getAttribute('data-range');
      var on = (f.kind === 'all' && r === 'all') || (f.kind === 'days' && r === String(f.days)) ||
        (f.kind === 'custom' && r === 'custom');
      chips[i].setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  function wireRange() {
    var chips = doc.querySelectorAll('.uent-chip[data-range]');
    var pop = doc.getElementById('uent-custom-pop'), chip = doc.getElementById('uent-custom-chip');
    var from = doc.getElementById('uent-from'), to = doc.getElementById('uent-to');
    var err = doc.getElementById('uent-range-error'), clear = doc.getElementById('uent-clear');
    function closePop() { if (pop && !pop.hidden) { pop.hidden = true; chip.setAttribute('aria-expanded', 'false'); } }
    function activeRange() {
      if (S.filter.kind === 'custom') { return { min: S.filter.min, max: S.filter.max }; }
      var g = S.groups.page || S.groups[Object.keys(S.groups)[0]];
      if (S.filter.kind === 'days') {
        var last = S.times.length ? S.times[S.times.length - 1] : Date.now();
        return { min: last - S.filter.days * DAY, max: last };
      }
      if (S.times.length) { return { min: S.times[0], max: S.times[S.times.length - 1] }; }
      return g && g.range;
    }
    function tryApply() {
      var a = parseDay(from.value, false), b = parseDay(to.value, true);
      if (a === null || b === null) { err.hidden = true; return; }
      if (a > b) { err.hidden = false; return; }
      err.hidden = true;
      setFilter({ kind: 'custom', min: a, max: b });
      chip.textContent = from.value + ' \u2013 ' + to.value;
    }
    for (var i = 0; i < chips.length; i++) {
      chips[i].addEventListener('click', function (ev) {
        var r = ev.currentTarget.getAttribute('data-range');
        if (r === 'custom') {
          var open = pop.hidden;
          pop.hidden = !open;
          chip.setAttribute('aria-expanded', open ? 'true' : 'false');
          if (open) {
            var ar = activeRange();
            if (ar) { from.value = isoDay(ar.min); to.value = isoDay(ar.max); }
            err.hidden = true;
            from.focus();
          }
          return;
        }
        closePop();
        setFilter(r === 'all' ? { kind: 'all' } : { kind: 'days', days: +r });
      });
    }
    if (!pop) { return; }
    from.addEventListener('change', tryApply);
    to.addEventListener('change', tryApply);
    from.addEventListener('input', tryApply);
    to.addEventListener('input', tryApply);
    clear.addEventListener('click', function () {
      from.value = '';
      to.value = '';
      err.hidden = true;
      chip.textContent = 'Custom';
      closePop();
      setFilter({ kind: 'all' });
    });
    doc.addEventListener('mousedown', function (ev) {
      if (!pop.hidden && !pop.contains(ev.target) && ev.target !== chip) { closePop(); }
    });
    doc.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && !pop.hidden) { closePop(); chip.focus(); }
    });
  }

  function wireReset() {
    var buttons = doc.querySelectorAll('[data-reset]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function (ev) {
        var g = S.groups[ev.currentTarget.getAttribute('data-reset')];
        if (g) { g.zoom = null; applyGroup(g); }
      });
    }
  }

  /* ---- theme --------------------------------------------------------------- */

  function refreshColors() {
    readColors();
    for (var i = 0; i < S.charts.length; i++) {
      var c = S.charts[i].chart;
      // A default-mode update: 'none' would keep the points' shared options.
      if (c) { styleChart(c.options, c.data.datasets, S.charts[i].kind); c.update(); }
    }
  }

  var THEMES = ['system', 'light', 'dark'];
  function storedTheme() {
    try {
      var t = global.localStorage.getItem('unentropy-theme');
      return t === 'light' || t === 'dark' ? t : 'system';
    } catch (e) { return 'system'; }
  }

  function wireTheme(mode) {
    if (mode !== 'auto') { return; }
    var btn = doc.getElementById('uent-theme-toggle');
    function show(t) {
      if (!btn) { return; }
      btn.textContent = t;
      btn.setAttribute('aria-label', 'Theme: ' + t);
    }
    var current = storedTheme();
    show(current);
    if (btn) {
      btn.addEventListener('click', function () {
        current = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
        try {
          if (current === 'system') { global.localStorage.removeItem('unentropy-theme'); }
          else { global.localStorage.setItem('unentropy-theme', current); }
        } catch (e) { /* storage unavailable: the choice lasts for this page only */ }
        if (current === 'system') { doc.documentElement.removeAttribute('data-theme'); }
        else { doc.documentElement.setAttribute('data-theme', current); }
        show(current);
        refreshColors();
      });
    }
    if (global.matchMedia) {
      var mq = global.matchMedia('(prefers-color-scheme: light)');
      if (mq.addEventListener) { mq.addEventListener('change', refreshColors); }
      else if (mq.addListener) { mq.addListener(refreshColors); }
    }
  }

  /* ---- preview switch -------------------------------------------------------- */

  function wirePreview() {
    var sw = doc.getElementById('uent-preview-switch');
    if (!sw) { return; }
    sw.addEventListener('click', function () {
      var on = sw.getAttribute('aria-checked') !== 'true';
      sw.setAttribute('aria-checked', on ? 'true' : 'false');
      var real = doc.querySelectorAll('[data-view="real"]'), prev = doc.querySelectorAll('[data-view="preview"]');
      var i;
      for (i = 0; i < real.length; i++) { real[i].hidden = on; real[i].setAttribute('aria-hidden', on ? 'true' : 'false'); }
      for (i = 0; i < prev.length; i++) { prev[i].hidden = !on; prev[i].setAttribute('aria-hidden', on ? 'false' : 'true'); }
      for (i = 0; i < S.charts.length; i++) { if (S.charts[i].chart) { S.charts[i].chart.resize(); } }
    });
  }

  /* ---- export (lua/unentropy/report/export.lua) ------------------------------- */

  function csvField(s) { return /[,"\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }

  function seriesById(d) {
    var out = {}, i;
    for (i = 0; i < d.lineCharts.length; i++) { out[d.lineCharts[i].id] = d.lineCharts[i].values; }
    for (i = 0; i < d.barCharts.length; i++) { out[d.barCharts[i].id] = d.barCharts[i].values; }
    return out;
  }

  function exportText(kind) {
    var d = S.data, series = seriesById(d), i, k, m, v;
    if (kind === 'csv') {
      var lines = ['timestamp,commit_sha,run_number,branch,metric_id,value'];
      for (i = 0; i < d.timeline.length; i++) {
        var meta = d.metadata[i];
        var prefix = [csvField(d.timeline[i]), csvField(meta.commit), JSON.stringify(meta.run), csvField(meta.branch)].join(',');
        for (k = 0; k < d.metrics.length; k++) {
          m = d.metrics[k];
          v = series[m.id] ? series[m.id][i] : null;
          if (v !== null && v !== undefined) {
            lines.push(prefix + ',' + csvField(m.id) + ',' + csvField(typeof v === 'number' ? JSON.stringify(v) : String(v)));
          }
        }
      }
      return lines.join('\n') + '\n';
    }
    var builds = [];
    for (i = 0; i < d.timeline.length; i++) {
      var md = d.metadata[i], values = {};
      for (k = 0; k < d.metrics.length; k++) {
        m = d.metrics[k];
        v = series[m.id] ? series[m.id][i] : null;
        if (v !== null && v !== undefined) { values[m.id] = v; }
      }
      builds.push({ id: md.id, timestamp: d.timeline[i], commit_sha: md.commit, run_number: md.run, branch: md.branch, values: values });
    }
    var metrics = [];
    for (k = 0; k < d.metrics.length; k++) {
      m = d.metrics[k];
      metrics.push({ id: m.id, name: m.name, type: m.type, unit: m.unit, direction: m.direction });
    }
    return JSON.stringify({ repository: d.repository, generatedAt: d.generatedAt, metrics: metrics, builds: builds }, null, 2) + '\n';
  }

  function exportName() {
    var repo = S.data.repository || 'report', slash = repo.indexOf('/');
    var name = slash >= 0 ? repo.slice(slash + 1) : repo;
    return (name.replace(/[^A-Za-z0-9._-]/g, '-') || 'report') + '-metrics';
  }

  function download(kind) {
    var type = kind === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
    var blob = new global.Blob([exportText(kind)], { type: type });
    var url = global.URL.createObjectURL(blob);
    var a = doc.createElement('a');
    a.href = url;
    a.download = exportName() + '.' + kind;
    a.hidden = true;
    doc.body.appendChild(a);
    a.click();
    doc.body.removeChild(a);
    global.setTimeout(function () { global.URL.revokeObjectURL(url); }, 1000);
  }

  function wireExport() {
    var btn = doc.getElementById('uent-export'), menu = doc.getElementById('uent-export-menu');
    if (!btn || !menu) { return; }
    function close() { menu.hidden = true; btn.setAttribute('aria-expanded', 'false'); }
    btn.addEventListener('click', function () {
      var open = menu.hidden;
      menu.hidden = !open;
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    var items = menu.querySelectorAll('[data-export]');
    for (var i = 0; i < items.length; i++) {
      items[i].addEventListener('click', function (ev) {
        download(ev.currentTarget.getAttribute('data-export'));
        close();
      });
    }
    doc.addEventListener('mousedown', function (ev) {
      if (!menu.hidden && !menu.contains(ev.target) && ev.target !== btn) { close(); }
    });
    doc.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && !menu.hidden) { close(); btn.focus(); } });
  }

  /* ---- entry point ------------------------------------------------------------ */

  function init(data) {
    S.data = data;
    S.times = times(data.timeline || []);
    S.ptimes = times(data.previewTimeline || []);
    indexSeries(data);
    readColors();
    var Chart = global.Chart;
    if (Chart) {
      registerChartExtensions(Chart);
      Chart.defaults.font.family = 'Inter, system-ui, sans-serif';
      Chart.defaults.font.size = 11;
    }
    S.charts = collectCharts();
    if (Chart) {
      for (var i = 0; i < S.charts.length; i++) { createChart(S.charts[i]); }
    }
    S.ready = true;
    wireRange();
    wireReset();
    wireTheme(data.mode);
    wirePreview();
    wireExport();
    global.addEventListener('beforeprint', refreshColors);
    global.addEventListener('afterprint', refreshColors);
  }

  global.unentropyReport = {
    init: init,
    formatValue: formatValue,
    exportText: exportText,
    exportName: exportName,
    charts: function () { return S.charts; },
    isReady: function () { return S.ready; }
  };
})(window);
