// cojourney: drag a stakeholder on the influence-interest map (editors).
// Progressive: without this file the "Move a stakeholder" form does the same by keyboard.
// Each assessed stakeholder gets a handle over its dot; dropping it fills in the form
// (stakeholder, influence, interest) and sends it, which records a dated snapshot.
(function () {
  "use strict";
  var form = document.getElementById("move-form");
  var region = document.getElementById("replay");
  if (!form || !region) {
    return;
  }
  var plotX = Number(form.getAttribute("data-plot-x"));
  var plotY = Number(form.getAttribute("data-plot-y"));
  var size = Number(form.getAttribute("data-plot-size"));
  var NS = "http://www.w3.org/2000/svg";
  var help = document.getElementById("drag-help");
  if (help) {
    help.hidden = false;
  }

  function clamp(value) {
    return Math.max(0, Math.min(10, Math.round(value)));
  }

  function toSvg(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function levels(svg, event) {
    var p = toSvg(svg, event);
    return {
      interest: clamp(((p.x - plotX) / size) * 10),
      influence: clamp(((plotY + size - p.y) / size) * 10),
    };
  }

  function send(id, where) {
    form.querySelector("[name=stakeholder]").value = id;
    form.querySelector("[name=influence]").value = String(where.influence);
    form.querySelector("[name=interest]").value = String(where.interest);
    form.submit();
  }

  function handles() {
    var svg = region.querySelector("svg");
    if (!svg || !svg.createSVGPoint) {
      return;
    }
    var rows = region.querySelectorAll("[data-stakeholder][data-influence]");
    Array.prototype.forEach.call(rows, function (row) {
      var id = row.getAttribute("data-stakeholder");
      var cx = plotX + (Number(row.getAttribute("data-interest")) / 10) * size;
      var cy = plotY + size - (Number(row.getAttribute("data-influence")) / 10) * size;
      var handle = document.createElementNS(NS, "circle");
      handle.setAttribute("cx", String(cx));
      handle.setAttribute("cy", String(cy));
      handle.setAttribute("r", "11");
      handle.setAttribute("class", "cj-drag-handle");
      handle.setAttribute("data-stakeholder", id);
      var label = document.createElementNS(NS, "title");
      label.textContent = "Drag " + (row.getAttribute("data-name") || id) + " to move it";
      handle.appendChild(label);
      svg.appendChild(handle);
      var dragging = false;
      handle.addEventListener("pointerdown", function (event) {
        dragging = true;
        handle.setPointerCapture(event.pointerId);
        event.preventDefault();
      });
      handle.addEventListener("pointermove", function (event) {
        if (!dragging) {
          return;
        }
        var p = toSvg(svg, event);
        handle.setAttribute("cx", String(Math.max(plotX, Math.min(plotX + size, p.x))));
        handle.setAttribute("cy", String(Math.max(plotY, Math.min(plotY + size, p.y))));
      });
      handle.addEventListener("pointerup", function (event) {
        if (!dragging) {
          return;
        }
        dragging = false;
        send(id, levels(svg, event));
      });
      handle.addEventListener("pointercancel", function () {
        dragging = false;
        handle.setAttribute("cx", String(cx));
        handle.setAttribute("cy", String(cy));
      });
    });
  }

  handles();
  // The replay slider swaps the map: give the new one its handles too.
  new MutationObserver(function () {
    if (!region.querySelector(".cj-drag-handle")) {
      handles();
    }
  }).observe(region, { childList: true });
})();
