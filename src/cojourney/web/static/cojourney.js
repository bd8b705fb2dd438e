// cojourney: progressive enhancement only; every page works without this file.
// Forms that carry data-confirm ask before they are sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// Script calls to the API send the CSRF token from the page's meta tag.
window.cojourney = {
  csrfToken: function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  },
};
