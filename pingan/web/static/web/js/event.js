/* Event page: the action panel opened by the buttons (htmx does the requests). */
(function () {
  "use strict";

  // A refused action (403/409/422) answers with the form and its Chinese message: show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 403 || status === 409 || status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // "取消" inside the panel just closes it instead of reloading the page.
  document.addEventListener("click", function (e) {
    var cancel = e.target.closest("#action-panel [data-cancel]");
    if (!cancel) return;
    e.preventDefault();
    var panel = document.getElementById("action-panel");
    if (panel) panel.innerHTML = "";
  });

  // Mark the pressed action button; bring the opened form into view on small screens.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "action-panel") {
      var form = e.detail.target.querySelector("form, .ev-form");
      if (form && form.scrollIntoView) form.scrollIntoView({ block: "nearest" });
    }
  });

  // One submit at a time: disable the buttons while the request runs.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.tagName === "FORM") {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.tagName === "FORM" && document.body.contains(form)) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });
})();
