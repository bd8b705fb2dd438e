// cojourney analyses: the directly-follows graph's controls act at once (without this
// file the form redraws the graph on the server). The SVG carries every edge, its rank,
// widths and labels per view as data attributes; this only shows, hides and relabels.
(function () {
  var form = document.getElementById("graph-controls");
  var svg = document.getElementById("dfg");
  if (!form || !svg) { return; }
  var slider = document.getElementById("graph-edges");
  var output = document.getElementById("graph-edges-value");
  var apply = form.querySelector(".graph-apply");
  if (apply) { apply.hidden = true; }
  var edges = Array.prototype.slice.call(svg.querySelectorAll("g.dfg-edge"));
  var nodes = Array.prototype.slice.call(svg.querySelectorAll("g.dfg-node"));
  function view() {
    var checked = form.querySelector('input[name="view"]:checked');
    return checked ? checked.value : "frequency";
  }
  function draw() {
    var shown = Number(slider.value), v = view(), reached = {};
    edges.forEach(function (g) {
      var on = Number(g.getAttribute("data-rank")) <= shown;
      g.classList.toggle("off", !on);
      if (on) {
        reached[g.getAttribute("data-source")] = true;
        reached[g.getAttribute("data-target")] = true;
      }
      g.querySelector("path").setAttribute("stroke-width", g.getAttribute("data-width-" + v));
      g.querySelector("text").textContent = g.getAttribute("data-label-" + v);
    });
    nodes.forEach(function (g) {
      g.classList.toggle("idle", !reached[g.getAttribute("data-activity")]);
    });
    svg.setAttribute("data-shown", String(shown));
    svg.setAttribute("data-view", v);
    if (output) { output.textContent = String(shown); }
    var params = new URLSearchParams(window.location.search);
    params.set("edges", String(shown));
    params.set("view", v);
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }
  slider.addEventListener("input", draw);
  form.addEventListener("change", draw);
  form.addEventListener("submit", function (e) { e.preventDefault(); draw(); });
})();
