// cojourney analyses pages: poll a pending analysis and show it once ready (the page
// also refreshes itself without this file); the paths slider shows its value.
(function () {
  var pending = document.getElementById("pending");
  if (pending) {
    var url = pending.getAttribute("data-status-url");
    var poll = function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (status) {
          if (status.done) { window.location.reload(); return; }
          pending.textContent = "Computing… " + status.elapsed + " s";
          window.setTimeout(poll, 500);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    window.setTimeout(poll, 300);
  }
  var slider = document.getElementById("paths");
  if (slider) {
    slider.addEventListener("input", function () {
      var out = slider.parentNode.querySelector("output");
      if (out) { out.textContent = slider.value; }
    });
  }
})();
// A bar chart above each table, drawn from the table itself (the first text column as
// labels, a numeric column chosen in a menu: e.g. journeys for frequency, median_seconds
// for performance on the graph's edges). SVG elements only: no inline style or script.
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var TOP = 15;
  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function numeric(rows, i) {
    return rows.length > 0 && rows.every(function (r) {
      var t = r[i];
      return t === "" || !isNaN(Number(t));
    }) && rows.some(function (r) { return r[i] !== ""; });
  }
  document.querySelectorAll("div.chart[data-chart-for]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-chart-for"));
    if (!table) { return; }
    var columns = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent; });
    var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
      return Array.prototype.map.call(tr.children, function (td) { return td.textContent.trim(); });
    });
    var numbers = [], label = -1;
    columns.forEach(function (c, i) {
      if (numeric(rows, i)) { numbers.push(i); } else if (label < 0) { label = i; }
    });
    if (!numbers.length || rows.length < 2) { return; }
    var select = document.createElement("select");
    select.setAttribute("aria-label", "Measure charted");
    numbers.forEach(function (i) {
      var option = document.createElement("option");
      option.value = String(i); option.textContent = columns[i];
      select.appendChild(option);
    });
    var svg = el("svg", { "class": "bars", role: "img", width: "100%", height: String(TOP * 18 + 10) });
    function draw() {
      while (svg.firstChild) { svg.removeChild(svg.firstChild); }
      var col = Number(select.value);
      var shown = rows.slice(0, TOP);
      var max = Math.max.apply(null, shown.map(function (r) { return Number(r[col]) || 0; })) || 1;
      svg.setAttribute("aria-label", columns[col] + " per row (the table below has every value)");
      shown.forEach(function (r, k) {
        var name = label >= 0 ? r[label] : String(k + 1);
        if (label >= 0 && label + 1 < r.length && !numeric(rows, label + 1)) { name += " → " + r[label + 1]; }
        var value = Number(r[col]) || 0;
        var y = k * 18 + 4;
        svg.appendChild(el("rect", { x: "40%", y: String(y), height: "14", width: (55 * value / max).toFixed(2) + "%", "class": "bar" }));
        var text = el("text", { x: "39%", y: String(y + 11), "text-anchor": "end", "class": "bar-label" });
        text.textContent = name.length > 48 ? name.slice(0, 47) + "…" : name;
        svg.appendChild(text);
        var v = el("text", { x: (41 + 55 * value / max).toFixed(2) + "%", y: String(y + 11), "class": "bar-value" });
        v.textContent = r[col];
        svg.appendChild(v);
      });
    }
    select.addEventListener("change", draw);
    box.appendChild(select);
    box.appendChild(svg);
    draw();
  });
})();
