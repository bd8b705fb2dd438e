// cojourney: the stakeholder map's history slider (progressive: without this file the
// page shows the latest map and a form that picks a date).
(function () {
  "use strict";
  var form = document.getElementById("replay-form");
  var region = document.getElementById("replay");
  if (!form || !region || !window.fetch || !window.DOMParser) {
    return;
  }
  var dates = (form.getAttribute("data-dates") || "").split(" ").filter(Boolean);
  var sliderBox = form.querySelector(".replay-slider");
  var slider = document.getElementById("replay-slider");
  var select = document.getElementById("as_of");
  var status = document.getElementById("replay-status");
  var pending = null;

  function valueAt(index) {
    // The last position is the latest assessment: the page's default view.
    return index >= dates.length - 1 ? "" : dates[index];
  }

  function show(asOf) {
    var url = "/stakeholders" + (asOf ? "?as_of=" + encodeURIComponent(asOf) : "");
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    region.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", signal: pending.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the map for " + (asOf || "the latest date") + " answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("replay");
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
        }
        if (status) {
          status.textContent = "Showing the map as assessed on " + (asOf || "the latest date") + ".";
        }
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", url);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          // Fall back to the plain form: the server draws the map for that date.
          form.submit();
        }
      })
      .then(function () {
        region.removeAttribute("aria-busy");
      });
  }

  if (slider && sliderBox && dates.length > 1) {
    sliderBox.hidden = false;
    slider.setAttribute("aria-valuetext", dates[Number(slider.value)] || "");
    slider.addEventListener("input", function () {
      var index = Number(slider.value);
      slider.setAttribute("aria-valuetext", dates[index]);
      if (select) {
        select.value = valueAt(index);
      }
      show(valueAt(index));
    });
  }
  if (select) {
    select.addEventListener("change", function () {
      var index = select.value ? dates.indexOf(select.value) : dates.length - 1;
      if (slider && index >= 0) {
        slider.value = String(index);
        slider.setAttribute("aria-valuetext", dates[index]);
      }
      show(select.value);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(select ? select.value : "");
  });
})();
