/* cojourney journey report: draws the charts from the embedded JSON and drives the controls.
 * Plain ES2017, no dependency but the inlined Apache ECharts; nothing is fetched. */
(function () {
  'use strict';

  var dataEl = document.getElementById('cj-report-data');
  var DATA = dataEl ? JSON.parse(dataEl.textContent) : { charts: {} };
  var charts = [];
  var PALETTE = ['#2c6bb0', '#3f7fd1', '#6d42a8', '#8a4fbf', '#1d735d', '#23895b', '#d0731d', '#8c6d1f'];

  // ---------------------------------------------------------------- formatting
  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return '—'; }
    var s = Math.abs(seconds), sign = seconds < 0 ? '−' : '';
    if (s < 60) { return sign + Math.round(s) + 's'; }
    var m = s / 60;
    if (m < 60) { return sign + Math.round(m) + 'm'; }
    var h = m / 60;
    if (h < 24) { var hw = Math.floor(h); return sign + hw + 'h ' + pad2(Math.round((h - hw) * 60)) + 'm'; }
    var d = h / 24, dw = Math.floor(d);
    return sign + dw + 'd ' + Math.round((d - dw) * 24) + 'h';
  }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function int(v) { return v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US'); }
  function percent(v) { return v === null || v === undefined ? '—' : (Math.round(v * 10) / 10) + '%'; }
  function share(v) { return v === null || v === undefined ? '—' : Math.round(v * 100) + '%'; }
  function signed(v) {
    if (v === null || v === undefined) { return '—'; }
    var t = Math.abs(v).toFixed(1).replace(/\.0$/, '');
    return t === '0' ? '0' : (v > 0 ? '+' : '−') + t;
  }
  function number(v) {
    if (v === null || v === undefined) { return '—'; }
    return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  }
  var FORMATTERS = { duration: duration, int: int, percent: percent, share: share, signed: signed, number: number };

  /** Replace "fn:name" strings by formatter functions (JSON cannot carry functions). */
  function revive(value) {
    if (typeof value === 'string' && value.indexOf('fn:') === 0) {
      var f = FORMATTERS[value.slice(3)];
      return f ? function (v) { return f(typeof v === 'object' && v !== null && 'value' in v ? v.value : v); } : value;
    }
    if (Array.isArray(value)) { return value.map(revive); }
    if (value && typeof value === 'object') {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = revive(value[k]); });
      return out;
    }
    return value;
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // ---------------------------------------------------------------- charts
  function init(el) {
    var spec = DATA.charts[el.getAttribute('data-chart')];
    if (!spec) { return; }
    if (typeof echarts === 'undefined') {
      el.textContent = 'The charting library did not load.';
      return;
    }
    var chart;
    if (spec.type === 'journey-graph') {
      chart = journeyGraph(el, spec);
    } else if (spec.type === 'ci-bars') {
      var option = ciBars(spec, el);  // may set the height the chart needs first
      chart = echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(option);
      labelTitles(chart, el);
      chart.cjRedraw = function () {
        chart.setOption(ciBars(spec, el), true);
        chart.resize();
      };
    } else {
      chart = echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(revive(spec.option));
    }
    el.setAttribute('data-rendered', 'true');
    charts.push(chart);
  }

  // ---------------------------------------------------------------- category labels
  /* Category labels never run into each other: each chart measures its labels against the
   * width one category gets and picks the first layout that keeps them apart:
   *   plain       side by side, when the widest label fits its band;
   *   horizontal  bars along the value axis with the categories down the side, one row of
   *               ROW_HEIGHT px each (the chart grows to hold them), for bars and points;
   *   vertical    at 90 degrees (truncated), for lines: every k-th label, so that two shown
   *               ones are at least a line height apart.
   * A truncated label shows its full text on hover (the chart's title attribute), and in
   * the tooltip of its bar or point. */
  var LABEL_FONT = '12px sans-serif';
  var LINE_HEIGHT = 15;
  var ROW_HEIGHT = 24;
  var measuring = null;
  function textWidth(text) {
    if (!measuring) {
      measuring = document.createElement('canvas').getContext('2d');
      measuring.font = LABEL_FONT;
    }
    return measuring.measureText(String(text)).width;
  }

  function categoryLayout(spec, width) {
    var n = Math.max(spec.categories.length, 1);
    var left = 60, right = 20;
    var band = (width - left - right) / n;
    var widest = Math.max.apply(null, spec.categories.map(textWidth).concat([0]));
    var lines = spec.series.some(function (s) { return s.type === 'line'; });
    if (widest <= band - 8) {
      return { mode: 'plain', left: left, bottom: 40, label: { interval: 0, rotate: 0, width: band - 8, overflow: 'truncate' } };
    }
    if (!lines) {
      var side = Math.min(220, Math.max(80, Math.ceil(widest) + 14), Math.round(width * 0.4));
      return { mode: 'horizontal', left: side, bottom: 30, height: n * ROW_HEIGHT + 80,
        label: { interval: 0, width: side - 12, overflow: 'truncate' } };
    }
    var every = Math.ceil((LINE_HEIGHT + 2) / Math.max(band, 1));
    return { mode: 'vertical', left: left, bottom: 130,
      label: { interval: every - 1, rotate: 90, width: 110, overflow: 'truncate' } };
  }

  /** The full text of a truncated category label on hover. */
  function labelTitles(chart, el) {
    chart.on('mouseover', function (p) {
      if (p.componentType === 'xAxis' || p.componentType === 'yAxis') { el.setAttribute('title', p.value); }
    });
    chart.on('mouseout', function (p) {
      if (p.componentType === 'xAxis' || p.componentType === 'yAxis') { el.removeAttribute('title'); }
    });
  }

  /** Bars (or points) with confidence-interval whiskers: spec {categories, series: [{name,
   *  values, low, high, n, color}], axisName, min, max}; laid out by categoryLayout. */
  function ciBars(spec, el) {
    var layout = categoryLayout(spec, Math.max(el.clientWidth, 300));
    var across = layout.mode === 'horizontal';
    if (across) { el.style.height = layout.height + 'px'; }
    el.setAttribute('data-label-layout', layout.mode);
    var series = [];
    spec.series.forEach(function (s, si) {
      var type = s.type || (spec.points ? 'scatter' : 'bar');
      series.push({
        name: s.name, type: type, connectNulls: true, itemStyle: { color: s.color },
        data: across ? s.values.map(function (v, i) { return [v, i]; }) : s.values,
        lineStyle: { color: s.color, width: 2.5, type: s.dashed ? 'dashed' : 'solid' },
        symbolSize: type === 'line' ? 8 : 11, barMaxWidth: 34, z: type === 'bar' ? 2 : 6,
        tooltip: { formatter: function (p) {
          var i = p.dataIndex;
          return esc(spec.categories[i]) + '<br>' + esc(s.name) + ': <b>' + number(s.values[i]) + '</b>' +
            (s.low && s.low[i] !== null ? ' (95% CI ' + number(s.low[i]) + ' to ' + number(s.high[i]) + ')' : '') +
            (s.n ? '<br>n = ' + int(s.n[i]) : '');
        } }
      });
      if (s.low) {
        series.push({
          name: s.name, type: 'custom', z: 5, silent: true,
          data: s.values.map(function (v, i) { return [i, s.low[i], s.high[i], si]; }),
          renderItem: function (params, api) {
            if (api.value(1) === null || isNaN(api.value(1))) { return null; }
            var nSeries = spec.series.length;
            var band = across ? api.size([0, 1])[1] : api.size([1, 0])[0];
            var bars = spec.series.filter(function (x) { return (x.type || (spec.points ? 'scatter' : 'bar')) === 'bar'; }).length;
            var offset = spec.points || bars <= 1 ? 0 : (api.value(3) - (nSeries - 1) / 2) * band * 0.8 / nSeries;
            var style = { stroke: '#1f2933', lineWidth: 1.4 }, w = 5;
            if (across) {
              var a = api.coord([api.value(1), api.value(0)]), b = api.coord([api.value(2), api.value(0)]);
              var y = a[1] + offset;
              return { type: 'group', children: [
                { type: 'line', shape: { x1: a[0], y1: y, x2: b[0], y2: y }, style: style },
                { type: 'line', shape: { x1: a[0], y1: y - w, x2: a[0], y2: y + w }, style: style },
                { type: 'line', shape: { x1: b[0], y1: y - w, x2: b[0], y2: y + w }, style: style }
              ] };
            }
            var lo = api.coord([api.value(0), api.value(1)]), hi = api.coord([api.value(0), api.value(2)]);
            var x = lo[0] + offset;
            return { type: 'group', children: [
              { type: 'line', shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style: style },
              { type: 'line', shape: { x1: x - w, y1: lo[1], x2: x + w, y2: lo[1] }, style: style },
              { type: 'line', shape: { x1: x - w, y1: hi[1], x2: x + w, y2: hi[1] }, style: style }
            ] };
          }
        });
      }
    });
    var categoryAxis = { type: 'category', data: spec.categories, triggerEvent: true, axisLabel: layout.label };
    var valueAxis = { type: 'value', name: spec.axisName || '', min: spec.min, max: spec.max };
    if (across) { categoryAxis.inverse = true; }
    var option = {
      tooltip: { trigger: 'item' },
      legend: spec.series.length > 1 ? { top: 0 } : { show: false },
      grid: { left: layout.left, right: 20, top: spec.series.length > 1 ? 40 : 30, bottom: layout.bottom },
      xAxis: across ? valueAxis : categoryAxis,
      yAxis: across ? categoryAxis : valueAxis,
      series: series
    };
    if (spec.markLine) {
      series[0].markLine = { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#52606d' },
        data: spec.markLine.map(function (m) {
          var at = across ? { xAxis: m.value } : { yAxis: m.value };
          at.name = m.name; at.label = { formatter: m.name };
          return at;
        }) };
    }
    return option;
  }

  // ---------------------------------------------------------------- the actual-journey graph
  function journeyGraph(el, spec) {
    var controls = document.querySelector('.cj-graph-controls[data-for="' + el.id + '"]');
    var slider = controls ? controls.querySelector('.cj-graph-detail') : null;
    var shown = controls ? controls.querySelector('.cj-graph-detail-value') : null;
    var status = controls ? controls.querySelector('.cj-graph-status') : null;
    var radios = controls ? controls.querySelectorAll('input[type=radio]') : [];
    var state = { mode: spec.mode || 'frequency', detail: spec.detail || 100 };
    var nodesByEvents = spec.nodes.slice().sort(function (a, b) {
      return b.events - a.events || (a.id < b.id ? -1 : 1);
    });
    var edgesByEvents = spec.edges.slice().sort(function (a, b) {
      return b.events - a.events || (a.source + a.target < b.source + b.target ? -1 : 1);
    });
    var nodeIndex = {};
    spec.nodes.forEach(function (n) { nodeIndex[n.id] = n; });
    var ncols = spec.columns.length;
    var perColumn = [];
    for (var c = 0; c < ncols; c++) { perColumn.push(0); }
    spec.nodes.forEach(function (n) { perColumn[n.column] += 1; });
    var maxRows = Math.max.apply(null, perColumn.concat([1]));
    el.style.height = Math.max(480, Math.min(1400, maxRows * 50 + 110)) + 'px';
    var chart = echarts.init(el, null, { renderer: 'svg' });
    var maxNodeEvents = nodesByEvents.length ? nodesByEvents[0].events : 1;

    function isBack(e) {
      var s = nodeIndex[e.source], t = nodeIndex[e.target];
      return t.column < s.column || (t.column === s.column && t.order < s.order);
    }

    function draw() {
      var keepN = Math.max(1, Math.ceil(nodesByEvents.length * state.detail / 100));
      var kept = {};
      nodesByEvents.slice(0, keepN).forEach(function (n) { kept[n.id] = n; });
      var candidates = edgesByEvents.filter(function (e) { return kept[e.source] && kept[e.target]; });
      var edges = candidates.slice(0, Math.ceil(candidates.length * state.detail / 100));
      var width = Math.max(el.clientWidth, 300), height = el.clientHeight;
      var colW = 100, totalH = colW * ncols * (height / width);
      var cols = [];
      for (var i = 0; i < ncols; i++) { cols.push([]); }
      Object.keys(kept).forEach(function (id) { cols[kept[id].column].push(kept[id]); });
      var data = [];
      spec.columns.forEach(function (name, i) {
        data.push({ id: '__col' + i, name: name, x: i * colW, y: -totalH * 0.04, symbolSize: 0, header: true,
          label: { show: true, position: 'inside', fontWeight: 'bold', fontSize: 12, color: '#52606d',
            formatter: name, width: Math.max(60, width / ncols - 12), overflow: 'truncate' },
          tooltip: { show: false } });
      });
      cols.forEach(function (col, i) {
        col.sort(function (a, b) { return a.order - b.order; });
        col.forEach(function (n, j) {
          var size = 8 + 26 * Math.sqrt(n.events / maxNodeEvents);
          data.push({ id: n.id, name: n.label, x: i * colW, y: (j + 0.5) * totalH / Math.max(col.length, 1),
            symbolSize: size, value: n.events, node: n,
            itemStyle: { color: n.designed ? PALETTE[n.column % PALETTE.length] : '#9aa5b1',
              borderColor: '#fff', borderWidth: 1.5 },
            label: { show: true, position: 'bottom', distance: 2, fontSize: 10.5, lineHeight: 12,
              color: '#1f2933', width: Math.max(60, width / ncols - 16), overflow: 'break',
              formatter: n.label + (state.mode === 'frequency' ? '\n' + int(n.events) : '') } });
        });
      });
      var perf = state.mode !== 'frequency';
      var metric = function (e) { return perf ? (e[state.mode] || 0) : e.events; };
      var maxMetric = Math.max.apply(null, edges.map(metric).concat([1e-9]));
      var labelled = edges.length <= 45;
      var links = edges.map(function (e) {
        var back = isBack(e), v = metric(e), r = v / maxMetric;
        var colour = perf ? mix('#9fb3c8', '#c93b3b', r) : (back ? '#c93b3b' : '#3d6fb0');
        return { source: e.source, target: e.target, value: v, edge: e,
          lineStyle: { width: 0.8 + 7 * r, color: colour, opacity: 0.35 + 0.55 * r,
            curveness: e.source === e.target ? 0.6 : (back ? 0.35 : 0.12), type: perf && back ? 'dashed' : 'solid' },
          label: { show: labelled, formatter: perf ? duration(v) : int(v), fontSize: 10, color: '#334e68' } };
      });
      chart.setOption({
        animation: false,
        tooltip: { confine: true, formatter: tooltip },
        series: [{ type: 'graph', layout: 'none', roam: true, data: data, links: links,
          edgeSymbol: ['none', 'arrow'], edgeSymbolSize: [0, 7], left: 30, right: 30, top: 20, bottom: 56,
          emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 }, edgeLabel: { show: true } },
          edgeLabel: { show: labelled, fontSize: 10 } }]
      }, { notMerge: true });
      el.setAttribute('data-mode', state.mode);
      el.setAttribute('data-detail', String(state.detail));
      el.setAttribute('data-nodes-shown', String(keepN));
      el.setAttribute('data-edges-shown', String(edges.length));
      if (shown) { shown.textContent = String(state.detail); }
      if (status) {
        status.textContent = 'Showing ' + keepN + ' of ' + spec.nodes.length + ' activities and ' +
          edges.length + ' of ' + spec.edges.length + ' paths';
      }
    }

    function tooltip(p) {
      if (p.dataType === 'edge') {
        var e = p.data.edge, s = nodeIndex[e.source], t = nodeIndex[e.target];
        return esc(s.label) + ' → ' + esc(t.label) + '<br><b>' + int(e.events) + '</b> times in ' +
          int(e.journeys) + ' journeys<br>median ' + duration(e.median) + ', mean ' + duration(e.mean) +
          (isBack(e) ? '<br><i>a move back to an earlier step</i>' : '');
      }
      if (!p.data.node) { return ''; }
      var n = p.data.node;
      return '<b>' + esc(n.label) + '</b><br>' + esc(spec.columns[n.column]) + '<br>' + int(n.events) +
        ' events in ' + int(n.journeys) + ' journeys' + (n.designed ? '' : '<br><i>not in the design</i>');
    }

    radios.forEach(function (r) {
      if (r.value === state.mode) { r.checked = true; }
      r.addEventListener('change', function () { if (r.checked) { state.mode = r.value; draw(); } });
    });
    if (slider) {
      slider.value = String(state.detail);
      slider.addEventListener('input', function () { state.detail = Number(slider.value); draw(); });
    }
    draw();
    chart.cjRedraw = draw;
    return chart;
  }

  function mix(a, b, r) {
    var pa = [1, 3, 5].map(function (i) { return parseInt(a.substr(i, 2), 16); });
    var pb = [1, 3, 5].map(function (i) { return parseInt(b.substr(i, 2), 16); });
    return 'rgb(' + pa.map(function (v, i) { return Math.round(v + (pb[i] - v) * r); }).join(',') + ')';
  }

  // ---------------------------------------------------------------- page behaviour
  function variantFilter() {
    document.querySelectorAll('.cj-variant-filter').forEach(function (input) {
      var section = input.closest('section');
      var rows = section.querySelectorAll('.cj-variant');
      var count = section.querySelector('.cj-variant-count');
      input.addEventListener('input', function () {
        var q = input.value.trim().toLowerCase(), n = 0;
        rows.forEach(function (row) {
          var hit = !q || row.getAttribute('data-text').indexOf(q) >= 0;
          row.classList.toggle('cj-hidden', !hit);
          if (hit) { n += 1; }
        });
        if (count) { count.textContent = n + ' of ' + rows.length + ' shown'; }
      });
    });
  }

  function fitToggles() {
    document.querySelectorAll('.cj-fit-toggle').forEach(function (box) {
      box.addEventListener('change', function () {
        box.closest('figure').classList.toggle('cj-fit-on', box.checked);
      });
    });
  }

  function tocHighlight() {
    var links = {};
    document.querySelectorAll('.cj-toc a').forEach(function (a) { links[a.getAttribute('href').slice(1)] = a; });
    if (!('IntersectionObserver' in window)) { return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && links[entry.target.id]) {
          Object.keys(links).forEach(function (k) { links[k].classList.remove('cj-active'); });
          links[entry.target.id].classList.add('cj-active');
        }
      });
    }, { rootMargin: '0px 0px -70% 0px' });
    document.querySelectorAll('section.cj-section').forEach(function (s) { observer.observe(s); });
  }

  function start() {
    document.querySelectorAll('.cj-chart[data-chart]').forEach(init);
    variantFilter();
    fitToggles();
    tocHighlight();
    var timer = null;
    window.addEventListener('resize', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        charts.forEach(function (c) { c.resize(); if (c.cjRedraw) { c.cjRedraw(); } });
      }, 150);
    });
    document.documentElement.setAttribute('data-report-ready', 'true');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
