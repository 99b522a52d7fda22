// Live updates of a dispatcher's pages: one small poll every N seconds (the server answers
// 204 when nothing changed, docs/architecture.md "Live updates"). On a change it updates the
// badges (待受理 in the nav, unread messages), refreshes the workbench
// queue when the dispatcher is not in the middle of a selection, and raises a banner and a
// short tone for each 紧急/特急 event not yet announced (once per event, in this browser).
(function () {
  "use strict";
  var box = document.getElementById("live-alerts");
  if (!box || !window.fetch) { return; }
  var url = box.dataset.liveUrl;
  var poll = 15000;
  var list = box.querySelector("ul");
  var version = "";
  var first = true;
  var KEY = "pingan-alerted";

  function announced() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(ids) {
    var all = announced().concat(ids);
    try { localStorage.setItem(KEY, JSON.stringify(all.slice(-500))); } catch (e) { /* private mode */ }
  }

  // A short two-tone beep made on the spot: no audio file to fetch.
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      if (ctx.state === "suspended") { ctx.resume(); }
      [0, 0.25].forEach(function (at, i) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.22);
      });
      document.documentElement.dataset.lastBeep = String(Date.now());
    } catch (e) { /* no sound: the banner still shows */ }
  }

  function setCount(selector, n) {
    document.querySelectorAll(selector).forEach(function (el) {
      el.textContent = String(n);
      el.hidden = !n;
    });
  }

  function showAlerts(alerts) {
    var seen = announced();
    var fresh = alerts.filter(function (a) { return seen.indexOf(a.id) < 0; });
    if (!fresh.length) { return; }
    fresh.forEach(function (a) {
      var li = document.createElement("li");
      li.className = "live-alert urgency-" + a.urgency;
      li.dataset.event = a.id;
      var text = document.createElement("span");
      text.textContent = box.dataset.textNew + "（" + a.urgency_label + "）：" + a.code + " " + a.title;
      var open = document.createElement("a");
      open.href = a.url;
      open.className = "btn btn-sm";
      open.textContent = box.dataset.textOpen;
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn btn-sm";
      dismiss.dataset.dismiss = "";
      dismiss.textContent = box.dataset.textDismiss;
      li.append(text, " ", open, " ", dismiss);
      list.appendChild(li);
    });
    remember(fresh.map(function (a) { return a.id; }));
    box.hidden = false;
    beep();
  }

  box.addEventListener("click", function (e) {
    var button = e.target.closest("[data-dismiss]");
    if (!button) { return; }
    button.closest("li").remove();
    box.hidden = !list.children.length;
  });

  function refreshQueue() {
    var queue = document.getElementById("queue");
    if (!queue || !window.htmx) { return; }
    // Ticked boxes or a pending bulk action are the dispatcher's: leave the rows alone.
    if (queue.querySelector("input[name=ids]:checked") || queue.querySelector(".htmx-request")) { return; }
    var params = new URLSearchParams(window.location.search);
    params.set("section", "queue");
    htmx.ajax("GET", window.location.pathname + "?" + params.toString(), { target: "#queue", swap: "outerHTML" });
  }

  function check() {
    var ask = url + (version ? "?v=" + encodeURIComponent(version) : "");
    fetch(ask, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        // Signed out (the idle timeout): show the sign-in page instead of polling on.
        if (r.redirected) { window.location.reload(); return null; }
        return r.status === 200 ? r.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        version = data.version;
        setCount("[data-live=reported]", data.reported);
        if (data.poll) { poll = Math.max(data.poll, 2) * 1000; }
        setCount("[data-live=unread]", data.unread);
        if (!first) { refreshQueue(); }
        first = false;
        showAlerts(data.alerts || []);
        document.documentElement.dataset.liveVersion = version;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () { window.setTimeout(check, poll); });
  }
  check();
})();
