// cojourney: the progress bar of an import; without this file the page refreshes itself.
(function () {
  var card = document.getElementById("import-job");
  if (!card || card.getAttribute("data-done") === "yes") { return; }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.parentNode.removeChild(refresh); }
  var bar = document.getElementById("import-progress");
  var label = document.querySelector('label[for="import-progress"]');
  var url = "/imports/jobs/" + card.getAttribute("data-job") + ".json";
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.done) { window.location.reload(); return; }
        if (job.fraction !== null) { bar.value = Math.round(job.fraction * 100); }
        label.textContent = job.stage + (job.rows ? ": " + job.rows + " rows" : "");
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
