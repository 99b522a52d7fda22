// Keyboard work on a queue (the workbench's #queue, the event list's #results):
// j / k select the next / previous row, Enter opens it, a accepts it (a reported event:
// posted with the CSRF token to the workbench's bulk-accept form, or on the event list to
// #results' data-accept-url with from=list; then the queue, or the list with what
// happened above it, is redrawn), ? opens the help. Keys typed into a field are the
// field's.
(function () {
  "use strict";
  var selectedId = null;
  var selectedIndex = 0;

  function table() {
    return document.querySelector("#queue table[data-keyboard-list]") ||
      document.querySelector("#results table[data-keyboard-list]");
  }
  function rows() {
    var t = table();
    return t ? Array.prototype.slice.call(t.querySelectorAll("tbody tr[data-event]")) : [];
  }
  function select(index) {
    var all = rows();
    if (!all.length) { selectedId = null; return null; }
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (r) { r.classList.remove("is-selected"); r.removeAttribute("aria-selected"); });
    var row = all[index];
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
    selectedId = row.dataset.event;
    selectedIndex = index;
    return row;
  }
  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].dataset.event === selectedId) { return i; }
    }
    return -1;
  }
  // After a redraw (sort, tab, live refresh, accept) keep the same event selected, or
  // the row now at the same place.
  document.addEventListener("htmx:afterSettle", function () {
    if (selectedId === null) { return; }
    var i = current();
    select(i >= 0 ? i : selectedIndex);
  });

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (r) { return r.text(); });
  }

  // Put the block `id` of `html` in place of the page's, and keep the selection.
  function redraw(id, html, before) {
    var old = document.getElementById(id);
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#" + id);
    if (!old || !fresh) { return; }
    if (before) { fresh.insertBefore(before, fresh.firstChild); }
    old.replaceWith(fresh);
    if (window.htmx) { htmx.process(fresh); }
    var i = current();
    select(i >= 0 ? i : selectedIndex);
  }

  function accept(row) {
    if (row.dataset.status !== "reported") { return; }
    var body = new URLSearchParams();
    body.append("ids", row.dataset.event);
    var form = document.querySelector("#queue form[hx-post]");
    var list = row.closest("#results[data-accept-url]");
    if (form) {
      row.classList.add("is-busy");
      post(form.getAttribute("hx-post"), body).then(function (html) { redraw("queue", html); });
    } else if (list) {
      row.classList.add("is-busy");
      body.append("from", "list");
      post(list.dataset.acceptUrl, body).then(function (report) {
        var holder = document.createElement("div");
        holder.innerHTML = report;
        var done = holder.querySelector("[data-testid=bulk-result]");
        return fetch(window.location.href, {
          credentials: "same-origin",
          headers: { "HX-Request": "true" }
        }).then(function (r) { return r.text(); }).then(function (html) {
          redraw("results", html, done);
        });
      });
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName))) { return; }
    var help = document.getElementById("kbd-help");
    if (e.key === "?") {
      if (help) { help.open = !help.open; }
      e.preventDefault();
      return;
    }
    if (!table()) { return; }
    var i = current();
    if (e.key === "j") {
      select(i < 0 ? 0 : i + 1); e.preventDefault();
    } else if (e.key === "k") {
      select(i < 0 ? 0 : i - 1); e.preventDefault();
    } else if (e.key === "Enter" && i >= 0) {
      var link = rows()[i].querySelector("a[data-open]");
      if (link) { window.location.href = link.href; e.preventDefault(); }
    } else if (e.key === "a" && i >= 0) {
      accept(rows()[i]); e.preventDefault();
    }
  });
})();
