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
