/* 平安网格通: the grid worker's phone app, offline first.
 *
 * Everything the worker sends goes into a queue in IndexedDB first (reports, photos
 * shrunk on the phone, actions on tasks, patrol starts, points, visits and finishes) and
 * is sent in order when the network is there. Every item carries a client_uuid, so a
 * resend after a lost answer never makes a duplicate on the server. The queue survives
 * closing the browser; logging out clears it (and every copy of data) from the phone.
 */
(function () {
  "use strict";

  var body = document.body;
  var USER = body.getAttribute("data-user");
  var DB_NAME = "pingan-m";
  var PHOTO_MAX_SIDE = 1600;
  var PHOTO_QUALITY = 0.8;
  var POINT_FLUSH_MS = 60000;
  var db = null;
  var boot = null; // bootstrap data: grids, categories, frequent
  var fix = null; // last GPS fix {lat, lng, accuracy, at}
  var syncing = false;
  // The queued item on its way to the server (发送中), and the reports already announced
  // as 「已保存，联网后自动发送」.
  var sendingCu = null;
  var queuedNoticed = {};
  var failedBanner = false; // the banner says that something failed (cleared when nothing has)
  // 我的 is read from the server at the end of a sync when it is on screen, after a report
  // went, and when asked for (start, back online, 刷新): not on every background sync.
  var mineDue = true;

  // ---- small helpers -----------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  // The page's words: the Chinese text is the key, the shell embeds the active language's
  // translation of each (pingan/field/js_text.py). {name} placeholders are filled from v.
  var TEXT = (function () {
    var el = document.getElementById("m-text");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function gettext(s, v, ctx) {
    var out = TEXT[ctx ? ctx + "\u0004" + s : s] || s;
    if (v) Object.keys(v).forEach(function (k) { out = out.split("{" + k + "}").join(String(v[k])); });
    return out;
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return gettext("{m}月{d}日 {time}", { m: d.getMonth() + 1, d: d.getDate(), time: p(d.getHours()) + ":" + p(d.getMinutes()) });
  }

  function banner(text) {
    var el = $("m-banner");
    el.textContent = text || "";
    el.hidden = !text;
  }

  // What became of the report just made, over every view: 「已提交，编号 …」 with a way to
  // open the event once the server took it, 「已保存，联网后自动发送」 while it waits.
  function notice(kind, data) {
    var el = $("m-notice");
    if (!kind) { el.hidden = true; el.innerHTML = ""; return; }
    var html = kind === "sent"
      ? '<span class="m-notice-text">' + esc(gettext("已提交，编号 {code}", { code: data.code })) + "</span>" +
        '<a class="m-notice-open" href="/events/' + encodeURIComponent(data.id) + '/">' + esc(gettext("查看")) + "</a>"
      : '<span class="m-notice-text">' + esc(gettext("已保存，联网后自动发送")) + "</span>";
    el.className = "m-notice " + kind;
    el.innerHTML = html + '<button type="button" class="m-notice-close" aria-label="' + esc(gettext("关闭")) + '">\u00d7</button>';
    el.hidden = false;
    el.querySelector(".m-notice-close").addEventListener("click", function () { notice(null); });
  }

  // ---- IndexedDB ---------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var d = req.result;
        d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        d.createObjectStore("ids", { keyPath: "cu" }); // client_uuid -> server id
        d.createObjectStore("kv", { keyPath: "k" }); // meta and cached data
        d.createObjectStore("track", { keyPath: "at" }); // patrol points not yet queued
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(store, mode, fn) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(store, mode);
      var out = fn(t.objectStore(store));
      t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
      t.onerror = function () { reject(t.error); };
      t.onabort = function () { reject(t.error); };
    });
  }

  function all(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function put(store, value) { return tx(store, "readwrite", function (s) { return s.put(value); }); }
  function del(store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); }
  function get(store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); }
  function kvGet(k) { return get("kv", k).then(function (row) { return row ? row.v : undefined; }); }
  function kvSet(k, v) { return put("kv", { k: k, v: v }); }

  function enqueue(item) {
    item.user = USER;
    item.created = new Date().toISOString();
    item.state = "wait";
    return put("queue", item).then(function () {
      refreshCounts();
      sync();
    });
  }

  // ---- sending -----------------------------------------------------------------------

  function request(method, url, payload, form) {
    var headers = { "X-CSRFToken": cookie("__Host-csrftoken") || cookie("csrftoken"), "Accept": "application/json" };
    var opts = { method: method, headers: headers, credentials: "same-origin" };
    if (form) {
      opts.body = form;
    } else if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    return fetch(url, opts);
  }

  function serverId(cu) { return get("ids", cu).then(function (row) { return row ? row.id : null; }); }

  // What to send for an item, once the ids it depends on are known.
  function build(item, refId) {
    switch (item.kind) {
      case "report":
        return { url: "/api/v1/field/reports", json: item.payload, keep: true };
      case "mediation": // 就地调解: the event and the ended case in one go
        return { url: "/api/v1/field/mediations", json: item.payload, keep: true };
      case "photo": {
        var fd = new FormData();
        fd.append("file", item.blob, "photo.jpg");
        fd.append("client_uuid", item.cu);
        fd.append("kind", item.payload.kind || "report");
        ["taken_at", "lat", "lng", "accuracy_m"].forEach(function (k) {
          if (item.payload[k] != null) fd.append(k, item.payload[k]);
        });
        return { url: "/api/v1/field/events/" + (refId || item.payload.event) + "/photos", form: fd };
      }
      case "action":
        return { url: "/api/v1/field/actions", json: item.payload };
      case "patrol_start":
        return { url: "/api/v1/patrols", json: item.payload, keep: true };
      case "patrol_points":
        return { url: "/api/v1/patrols/" + refId + "/points", json: item.payload };
      case "patrol_visit":
        return { url: "/api/v1/patrols/" + refId + "/visits", json: item.payload };
      case "patrol_finish":
        return { url: "/api/v1/patrols/" + refId + "/finish", json: item.payload, summary: true };
    }
    if (PLANS[item.kind]) return PLANS[item.kind](item, refId); // a module's kind
    return null;
  }

  // The server's reasons, in Chinese: the per-field reasons without the field's API name.
  function errorText(res) {
    return res.json().then(function (b) {
      var fields = (b && b.error && b.error.fields) || {};
      var reasons = Object.keys(fields).map(function (k) { return fields[k]; }).filter(Boolean);
      return reasons.join("；") || (b && b.error && b.error.message) || gettext("错误 {status}", { status: res.status });
    }, function () { return gettext("错误 {status}", { status: res.status }); });
  }

  var syncAgain = false;

  function sync() {
    if (syncing) { syncAgain = true; return Promise.resolve(); } // run again when done
    if (!db) return Promise.resolve();
    if (!navigator.onLine) { refreshCounts(); return Promise.resolve(); }
    syncing = true;
    var stopped = false;
    return all("queue").then(function (items) {
      items.sort(function (a, b) { return a.seq - b.seq; });
      var failedRefs = {};
      items.forEach(function (it) { if (it.state === "failed") failedRefs[it.cu] = true; });
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          if (stopped || item.state !== "wait" || item.user !== USER) return;
          var ready = item.ref ? serverId(item.ref) : Promise.resolve(null);
          return ready.then(function (refId) {
            if (item.ref && !refId) {
              if (failedRefs[item.ref]) {
                item.state = "failed";
                item.error = gettext("所属上报未能发送");
                failedRefs[item.cu] = true;
                return put("queue", item);
              }
              return; // its report or patrol is still waiting
            }
            var plan = build(item, refId);
            sending(item.cu);
            return request("POST", plan.url, plan.json, plan.form).then(function (res) {
              sending(null);
              if (res.ok) {
                return res.json().then(function (data) {
                  var steps = [del("queue", item.seq)];
                  var report = item.kind === "report" || item.kind === "mediation";
                  if (item.kind === "mediation") data = data.event; // its event, as a report's answer
                  if (report) {
                    // Kept so that 我的 shows the report (已提交, its code) until the
                    // server's list, read after this, holds it; photos find its id here.
                    steps.push(put("ids", {
                      cu: item.cu, id: data.id, kind: "report", user: USER, code: data.code, title: data.title,
                      reported_at: data.reported_at, sent: new Date().toISOString(),
                    }));
                  } else if (plan.keep) {
                    steps.push(put("ids", { cu: item.cu, id: data.id }));
                  }
                  if (plan.summary) steps.push(kvSet("patrol-summary", data));
                  if (item.kind === "patrol_visit" && item.payload.task) steps.push(dropVisitTask(item.payload.task));
                  return Promise.all(steps).then(function () {
                    if (report) { mineDue = true; notice("sent", data); }
                  });
                });
              }
              if (res.status === 401) {
                stopped = true;
                banner(gettext("登录已过期，请重新登录；待发送的内容已保存在手机上。"));
                return;
              }
              if (res.status >= 500 || res.status === 429) {
                // The server cannot take it now: it stays queued and goes with a later sync.
                stopped = true;
                item.error = gettext("服务器暂时无法处理（{status}），稍后自动重试", { status: res.status });
                return put("queue", item);
              }
              return errorText(res).then(function (msg) {
                item.state = "failed";
                item.error = msg;
                failedRefs[item.cu] = true;
                return put("queue", item);
              });
            }, function () {
              sending(null);
              stopped = true; // no network after all: try again later
              if ((item.kind === "report" || item.kind === "mediation") && !queuedNoticed[item.cu]) {
                queuedNoticed[item.cu] = true;
                notice("queued");
              }
            });
          });
        });
      });
      return chain;
    }).then(function () {
      if (stopped) return;
      // Queue sent (or empty): refresh today's tasks and my reports (their states move on
      // at the centre); reaching the server marks the sync.
      var tasks = fetch("/api/v1/field/tasks", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) {
          if (!res.ok) return;
          return res.json().then(function (tasks) {
            return Promise.all([kvSet("tasks", tasks), kvSet("last-sync", new Date().toISOString())]);
          });
        }, function () {});
      return Promise.all([tasks, mineDue || currentView() === "mine" ? fetchMine() : null]);
    }).catch(function (e) {
      banner(gettext("同步出错：{e}", { e: e }));
    }).then(function () {
      syncing = false;
      refreshCounts();
      if (currentView() === "patrol") { renderPatrol(); renderVisitTasks(); }
      if (currentView() === "tasks") renderTasks();
      if (syncAgain) { syncAgain = false; setTimeout(sync, 0); }
    });
  }

  function sending(cu) {
    sendingCu = cu;
    if (currentView() === "mine") renderMine();
  }

  function refreshCounts() {
    if (!db) return Promise.resolve();
    return Promise.all([all("queue"), kvGet("last-sync")]).then(function (r) {
      var mine = r[0].filter(function (i) { return i.user === USER; });
      var waiting = mine.filter(function (i) { return i.state === "wait"; }).length;
      var failed = mine.filter(function (i) { return i.state === "failed"; }).length;
      $("m-pending").textContent = String(waiting);
      $("m-last-sync").textContent = r[1] ? fmtTime(r[1]) : gettext("从未");
      $("m-net").textContent = navigator.onLine ? gettext("在线") : gettext("离线");
      $("m-net").classList.toggle("off", !navigator.onLine);
      if (failed) banner(gettext("{n} 条内容发送失败，请在“我的”中查看。", { n: failed }));
      else if (failedBanner) banner("");
      failedBanner = !!failed;
      if (currentView() === "mine") renderMine();
    });
  }

  // ---- data (cached for offline use) -------------------------------------------------

  function fetchCached(key, url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          banner(gettext("登录已过期，请重新登录；待发送的内容已保存在手机上。"));
          throw new Error("auth");
        }
        if (!res.ok) throw new Error(String(res.status));
        return res.json().then(function (data) { return kvSet(key, data).then(function () { return data; }); });
      })
      .catch(function () { return kvGet(key); });
  }

  // ---- modules ------------------------------------------------------------------------
  // A module (inspect.js, survey.js: loaded after this file, listed in field/views.py
  // MODULES) adds kinds of queued items and views of its own through window.PinganField:
  // register({plans: {kind: function (item, refId) -> {url, json | form, keep}},
  //           views: {name: function () render}}); an item whose plan says `keep` records
  // the server's id under its client_uuid, so a later item may name it (refId).

  var PLANS = {};
  var VIEWS = {};

  window.PinganField = {
    register: function (mod) {
      Object.keys(mod.plans || {}).forEach(function (k) { PLANS[k] = mod.plans[k]; });
      Object.keys(mod.views || {}).forEach(function (k) { VIEWS[k] = mod.views[k]; });
      if (db && VIEWS[currentView()] && mod.views && mod.views[currentView()]) VIEWS[currentView()]();
    },
    $: $, esc: esc, gettext: gettext, uuid4: uuid4, fmtTime: fmtTime, banner: banner,
    enqueue: enqueue, request: request, fetchCached: fetchCached, sync: sync, shrink: shrink,
    all: function (store) { return all(store); }, del: del, kvGet: kvGet, kvSet: kvSet,
    serverId: serverId, startGps: startGps, fix: function () { return fix; }, user: USER,
  };

  // ---- views -------------------------------------------------------------------------

  function currentView() { return (location.hash || "#tasks").slice(1).split("/")[0] || "tasks"; }

  function show() {
    var v = currentView();
    document.querySelectorAll(".m-view").forEach(function (el) { el.hidden = el.getAttribute("data-view") !== v; });
    document.querySelectorAll(".m-tabs a").forEach(function (a) { a.classList.toggle("on", a.getAttribute("data-tab") === v); });
    if (v === "tasks") renderTasks();
    if (v === "mine") renderMine();
    if (v === "report") startGps();
    if (v === "patrol") { renderPatrol(); renderVisitTasks(); loadTargets(false); }
    if (VIEWS[v]) VIEWS[v]();
  }

  // Today's tasks ----------------------------------------------------------------------

  var TASK_FORMS = {
    verify: [
      { label: gettext("核查通过"), payload: { action: "verify", passed: true } },
      { label: gettext("核查不通过"), payload: { action: "verify", passed: false }, ask: "note", prompt: gettext("不通过的原因") },
    ],
    follow_up: [
      { label: gettext("满意"), payload: { action: "follow_up", satisfaction: "satisfied" } },
      { label: gettext("基本满意"), payload: { action: "follow_up", satisfaction: "basically_satisfied" } },
      { label: gettext("不满意"), payload: { action: "follow_up", satisfaction: "dissatisfied" }, ask: "note", prompt: gettext("群众的意见") },
    ],
    recheck: [
      { label: gettext("未复发"), payload: { action: "recheck", recurred: false } },
      { label: gettext("已复发"), payload: { action: "recheck", recurred: true }, ask: "note", prompt: gettext("复发情况") },
    ],
    site_check: [
      { label: gettext("填写核实情况"), payload: { action: "site_check" }, ask: "result", prompt: gettext("现场核实情况") },
    ],
  };

  function renderTasks() {
    var list = $("tasks-list");
    Promise.all([fetchCached("tasks", "/api/v1/field/tasks"), all("queue")]).then(function (r) {
      var tasks = r[0] || [];
      var queued = {};
      r[1].forEach(function (i) { if (i.kind === "action" && i.taskKey) queued[i.taskKey] = true; });
      tasks = tasks.filter(function (t) { return !queued[taskKey(t)]; });
      if (!tasks.length) { list.innerHTML = '<p class="m-empty">' + esc(gettext("今天没有待办任务")) + "</p>"; return; }
      list.innerHTML = tasks.map(function (t, i) {
        var buttons = (TASK_FORMS[t.kind] || []).map(function (f, j) {
          return '<button type="button" class="m-btn" data-task="' + i + '" data-form="' + j + '">' + esc(f.label) + "</button>";
        }).join("");
        return '<div class="m-card' + (t.overdue ? " overdue" : "") + '" data-kind="' + esc(t.kind) + '">' +
          '<div><span class="m-kind">' + esc(t.label) + (t.overdue ? "·" + esc(gettext("已超期")) : "") + "</span>" + esc(t.event.title) + "</div>" +
          '<div class="m-sub">' + esc(t.event.code) + " · " + esc(t.event.region_name) + " · " + esc(gettext("期限")) + " " + esc(fmtTime(t.due_at)) + "</div>" +
          (t.note ? '<div class="m-sub">' + esc(gettext("要求：")) + esc(t.note) + "</div>" : "") +
          '<div class="m-actions">' + buttons + "</div></div>";
      }).join("");
      list.querySelectorAll("button[data-task]").forEach(function (btn) {
        btn.addEventListener("click", function () {
          var t = tasks[+btn.getAttribute("data-task")];
          var f = TASK_FORMS[t.kind][+btn.getAttribute("data-form")];
          var payload = Object.assign({}, f.payload, { client_uuid: uuid4(), event: t.event.id });
          if (t.check) payload.check = t.check;
          if (f.ask) {
            var text = window.prompt(f.prompt || "");
            if (!text) return;
            payload[f.ask] = text;
          }
          enqueue({ kind: "action", cu: payload.client_uuid, payload: payload, taskKey: taskKey(t) }).then(renderTasks);
        });
      });
    });
  }

  function taskKey(t) { return t.kind + ":" + t.event.id + ":" + (t.check || ""); }

  // Report -----------------------------------------------------------------------------

  var photos = []; // {blob, url, taken_at, lat, lng, accuracy_m}
  var gpsWatch = null;

  function startGps() {
    if (gpsWatch !== null || !navigator.geolocation) {
      if (!navigator.geolocation) $("r-loc").textContent = gettext("此设备不支持定位");
      return;
    }
    gpsWatch = navigator.geolocation.watchPosition(function (pos) {
      fix = { lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy, at: pos.timestamp };
      $("r-loc").textContent = fix.lat.toFixed(6) + ", " + fix.lng.toFixed(6) + gettext("（精度 ±{m} 米）", { m: Math.round(fix.accuracy) });
      showGrid();
      onPatrolFix(fix);
    }, function (err) {
      $("r-loc").textContent = gettext("无法定位：{why}", { why: err.code === 1 ? gettext("未授权定位") : gettext("信号弱，请到开阔处") });
    }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  }

  // Point in polygon (ray casting) on the worker's grids: works offline.
  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inGeometry(lng, lat, g) {
    if (!g) return false;
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    return polys.some(function (poly) {
      return inRing(lng, lat, poly[0]) && !poly.slice(1).some(function (hole) { return inRing(lng, lat, hole); });
    });
  }

  // The worker's own grid at a fix, or undefined: then the app warns 「不在本人网格内」 and the
  // report says so (outside_own_grid), else the server refuses the point (docs/field-app.md).
  function ownGridAt(f) {
    return (boot && boot.grids || []).filter(function (g) { return inGeometry(f.lng, f.lat, g.geometry); })[0];
  }

  function showGrid() {
    var el = $("r-grid");
    if (!fix || !boot) return;
    var hit = ownGridAt(fix);
    if (hit) { el.textContent = gettext("所在网格：{name}", { name: hit.name }); el.classList.remove("warn"); return; }
    if (!navigator.onLine) { el.textContent = gettext("不在本人网格内（离线，提交后由系统定位）"); el.classList.add("warn"); return; }
    fetch("/api/v1/field/locate?lat=" + fix.lat + "&lng=" + fix.lng, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        el.textContent = d && d.grid_name ? gettext("所在网格：{name}（非本人网格）", { name: d.grid_name }) : gettext("该位置不在任何网格内");
        el.classList.add("warn");
      }, function () {});
  }

  function fillCategories() {
    var cats = (boot && boot.categories) || [];
    var byId = {};
    cats.forEach(function (c) { byId[c.id] = c; });
    var parents = cats.filter(function (c) { return c.parent === null; });
    var parentSel = $("r-parent");
    parentSel.innerHTML = '<option value="">' + esc(gettext("请选择大类")) + "</option>" + parents.map(function (c) {
      return '<option value="' + c.id + '">' + esc(c.name) + "</option>";
    }).join("");
    function leaves(pid) {
      var kids = cats.filter(function (c) { return c.parent === pid; });
      return kids.length ? kids : [byId[pid]];
    }
    function fillLeaves(pid, chosen) {
      var sel = $("r-category");
      if (!pid) { sel.innerHTML = '<option value="">' + esc(gettext("请先选择大类")) + "</option>"; renderExtra(null); return; }
      sel.innerHTML = '<option value="">' + esc(gettext("请选择小类")) + "</option>" + leaves(pid).map(function (c) {
        return '<option value="' + c.id + '"' + (c.id === chosen ? " selected" : "") + ">" + esc(c.name) + "</option>";
      }).join("");
      renderExtra(chosen ? byId[chosen] : null);
    }
    parentSel.onchange = function () { fillLeaves(+parentSel.value || null, null); markChips(null); };
    $("r-category").onchange = function () {
      var c = byId[+$("r-category").value];
      renderExtra(c || null);
      markChips(c ? c.id : null);
    };
    // The worker's frequent categories first, one tap each.
    var chips = $("r-frequent");
    chips.innerHTML = (boot.frequent || []).filter(function (id) { return byId[id]; }).map(function (id) {
      return '<button type="button" data-cat="' + id + '">' + esc(byId[id].name) + "</button>";
    }).join("");
    chips.querySelectorAll("button").forEach(function (b) {
      b.addEventListener("click", function () {
        var c = byId[+b.getAttribute("data-cat")];
        var pid = c.parent || c.id;
        parentSel.value = String(pid);
        fillLeaves(pid, c.id);
        markChips(c.id);
      });
    });
    function markChips(id) {
      chips.querySelectorAll("button").forEach(function (b) { b.classList.toggle("on", +b.getAttribute("data-cat") === id); });
    }
    fillLeaves(null, null);
    $("r-parent")._byId = byId;
  }

  function extraSpecs(c) {
    if (!c) return [];
    var byId = $("r-parent")._byId || {};
    var parent = c.parent ? byId[c.parent] : null;
    return ((parent && parent.extra_fields) || []).concat(c.extra_fields || []);
  }

  function renderExtra(c) {
    var box = $("r-extra");
    showMediate(c);
    box.innerHTML = extraSpecs(c).map(function (s) {
      var id = "x-" + esc(s.name);
      var label = '<span class="m-label">' + esc(s.label || s.name) + (s.required ? " *" : "") + "</span>";
      if (s.type === "choice") {
        return '<label class="m-field">' + label + '<select id="' + id + '" data-extra="' + esc(s.name) + '"><option value="">' + esc(gettext("请选择")) + "</option>" +
          (s.choices || []).map(function (o) { return '<option value="' + esc(o) + '">' + esc(o) + "</option>"; }).join("") + "</select></label>";
      }
      if (s.type === "bool") {
        return '<label class="m-check"><input type="checkbox" id="' + id + '" data-extra="' + esc(s.name) + '" data-bool="1"> ' + esc(s.label || s.name) + "</label>";
      }
      return '<label class="m-field">' + label + '<input id="' + id + '" data-extra="' + esc(s.name) + '" type="' +
        (s.type === "number" ? "number" : "text") + '"></label>';
    }).join("");
  }

  function shrink(file) {
    // Decode (respecting EXIF orientation), draw at most PHOTO_MAX_SIDE on a canvas, JPEG.
    function draw(src, w, h) {
      var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(src, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (b) { b ? resolve(b) : reject(new Error(gettext("照片压缩失败"))); }, "image/jpeg", PHOTO_QUALITY);
      });
    }
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
        return draw(bmp, bmp.width, bmp.height);
      });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { draw(img, img.naturalWidth, img.naturalHeight).then(resolve, reject); };
      img.onerror = function () { reject(new Error(gettext("无法读取照片"))); };
      img.src = URL.createObjectURL(file);
    });
  }

  function onPhotos(ev) {
    var files = Array.prototype.slice.call(ev.target.files || []);
    ev.target.value = "";
    files.reduce(function (p, file) {
      return p.then(function () {
        return shrink(file).then(function (blob) {
          // A picture just taken with the camera was taken here and now; an older one
          // from the gallery keeps only its file time (the server checks both).
          var fresh = Date.now() - file.lastModified < 120000;
          var entry = { blob: blob, url: URL.createObjectURL(blob), taken_at: new Date(file.lastModified || Date.now()).toISOString() };
          if (fresh && fix) { entry.lat = fix.lat; entry.lng = fix.lng; entry.accuracy_m = fix.accuracy; }
          photos.push(entry);
        });
      });
    }, Promise.resolve()).then(renderThumbs, function (e) { $("r-error").textContent = e.message; });
  }

  function renderThumbs() {
    $("r-thumbs").innerHTML = photos.map(function (p) { return '<img alt="' + esc(gettext("照片")) + '" src="' + p.url + '">'; }).join("");
  }

  // 就地调解 (on-the-spot mediation): offered for a dispute category. The parties, the
  // outcome (terms, or the reason and where the parties were guided) go with the report
  // as one queued item to /field/mediations, which writes the event and the case.

  function isDispute(c) { return !!c && String(c.code || "").split(".")[0] === "dispute"; }

  function showMediate(c) {
    var on = isDispute(c);
    $("r-mediate-wrap").hidden = !on;
    if (!on && $("r-mediate").checked) { $("r-mediate").checked = false; toggleMediate(); }
  }

  function toggleMediate() {
    var on = $("r-mediate").checked;
    $("r-mediate-box").hidden = !on;
    $("r-settle").disabled = on; // the agreement is the settlement
    if (on) {
      $("r-settle").checked = false;
      $("r-settle-box").hidden = true;
      if (!$("r-parties").children.length) { addParty("applicant"); addParty("respondent"); }
    }
  }

  function toggleOutcome() {
    var failed = !!document.querySelector("input[name=r-outcome][value=failed]:checked");
    $("r-terms-box").hidden = failed;
    $("r-fail-box").hidden = !failed;
  }

  function addParty(role) {
    var row = document.createElement("div");
    row.className = "m-party";
    row.innerHTML = '<select data-p="role" aria-label="' + esc(gettext("当事人类型")) + '">' +
      '<option value="applicant"' + (role === "applicant" ? " selected" : "") + ">" + esc(gettext("申请人")) + "</option>" +
      '<option value="respondent"' + (role === "respondent" ? " selected" : "") + ">" + esc(gettext("被申请人")) + "</option></select>" +
      '<input data-p="name" type="text" maxlength="100" placeholder="' + esc(gettext("姓名或名称")) + '">' +
      '<input data-p="phone" type="tel" maxlength="20" placeholder="' + esc(gettext("电话")) + '">' +
      '<button type="button" class="m-btn m-btn-small" data-drop-party="1">' + esc(gettext("删除")) + "</button>";
    row.querySelector("[data-drop-party]").addEventListener("click", function () { row.remove(); });
    $("r-parties").appendChild(row);
  }

  // The mediation's part of the payload, or a message saying what is missing.
  function mediationPayload() {
    var parties = [];
    $("r-parties").querySelectorAll(".m-party").forEach(function (row) {
      var p = {};
      row.querySelectorAll("[data-p]").forEach(function (el) { p[el.getAttribute("data-p")] = el.value.trim(); });
      if (p.name || p.phone) parties.push(p);
    });
    var roles = {};
    parties.forEach(function (p) { if (p.name) roles[p.role] = true; });
    if (!roles.applicant || !roles.respondent || parties.some(function (p) { return !p.name; })) {
      return { error: gettext("请填写当事人（至少一名申请人和一名被申请人）") };
    }
    var failed = !!document.querySelector("input[name=r-outcome][value=failed]:checked");
    var out = { parties: parties, outcome: failed ? "failed" : "succeeded" };
    if (failed) {
      out.reason = $("r-reason").value.trim();
      out.referral = $("r-referral").value;
      if (!out.reason) return { error: gettext("请填写{label}", { label: gettext("调解不成原因") }) };
    } else {
      out.terms = $("r-terms").value.trim();
      if (!out.terms) return { error: gettext("请填写{label}", { label: gettext("协议内容") }) };
    }
    return { payload: out };
  }

  function submitReport(ev) {
    ev.preventDefault();
    var err = $("r-error");
    err.textContent = "";
    var category = +$("r-category").value;
    var description = $("r-description").value.trim();
    if (!category) { err.textContent = gettext("请选择事件分类"); return; }
    if (!description) { err.textContent = gettext("请填写事件描述"); return; }
    var extra = {};
    var missing = null;
    var cat = ($("r-parent")._byId || {})[category];
    extraSpecs(cat).forEach(function (s) {
      var el = document.getElementById("x-" + s.name);
      if (!el) return;
      var v = el.getAttribute("data-bool") ? el.checked : el.value.trim();
      if (v === "" && s.required && !missing) missing = s.label || s.name;
      if (v !== "") extra[s.name] = v;
    });
    if (missing) { err.textContent = gettext("请填写{label}", { label: missing }); return; }
    var settle = $("r-settle").checked;
    var settleResult = $("r-settle-result").value.trim();
    if (settle && !settleResult) { err.textContent = gettext("请填写处置结果"); return; }
    var mediate = !$("r-mediate-wrap").hidden && $("r-mediate").checked;
    var mediation = mediate ? mediationPayload() : null;
    if (mediation && mediation.error) { err.textContent = mediation.error; return; }
    if (!fix && !(boot && boot.grids && boot.grids.length === 1)) { err.textContent = gettext("尚未定位，请稍候"); return; }
    var cu = uuid4();
    var payload = {
      client_uuid: cu, category: category, description: description,
      address: $("r-address").value.trim(), extra: extra, made_at: new Date().toISOString(),
    };
    if (mediation) Object.assign(payload, mediation.payload);
    else payload.settle_result = settle ? settleResult : "";
    if (fix) {
      payload.lat = fix.lat; payload.lng = fix.lng; payload.accuracy_m = fix.accuracy;
      if (!ownGridAt(fix)) payload.outside_own_grid = true; // the warning shown under the fix
    }
    else { payload.region = boot.grids[0].id; }
    var title = description.slice(0, 30);
    notice(null);
    if (!navigator.onLine) { queuedNoticed[cu] = true; notice("queued"); }
    var steps = enqueue({ kind: mediation ? "mediation" : "report", cu: cu, payload: payload, title: title });
    photos.forEach(function (p) {
      steps = steps.then(function () {
        return enqueue({
          kind: "photo", cu: uuid4(), ref: cu, blob: p.blob,
          payload: { kind: "report", taken_at: p.taken_at, lat: p.lat, lng: p.lng, accuracy_m: p.accuracy_m },
        });
      });
    });
    $("r-submit").disabled = true;
    steps.then(function () {
      photos.forEach(function (p) { URL.revokeObjectURL(p.url); });
      photos = [];
      renderThumbs();
      $("report-form").reset();
      $("r-settle-box").hidden = true;
      $("r-parties").innerHTML = "";
      toggleMediate();
      toggleOutcome();
      fillCategories();
      $("r-submit").disabled = false;
      location.hash = "#mine";
    }, function (e) {
      $("r-submit").disabled = false;
      err.textContent = gettext("保存失败：{e}", { e: e });
    });
  }

  // My reports -------------------------------------------------------------------------
  //
  // One list, newest first: what is still on the phone (待发送, 发送中, 发送失败 with 重试),
  // then the reports the server took, merged by client_uuid: one it accepted but whose
  // list has not been read since shows 已提交 with its code, the others the server's state.

  function renderMine() {
    var list = $("mine-list");
    return Promise.all([all("queue"), kvGet("mine"), all("ids"), kvGet("mine-at")]).then(function (r) {
      var queue = r[0].filter(function (i) { return i.user === USER; });
      var server = r[1] || [];
      var listed = {};
      server.forEach(function (e) { if (e.client_uuid) listed[e.client_uuid] = true; });
      var since = r[3] || "";
      var sent = r[2].filter(function (s) {
        return s.kind === "report" && s.user === USER && !listed[s.cu] && s.sent > since;
      });
      sent.forEach(function (s) { listed[s.cu] = true; });
      var local = queue.filter(function (i) {
        return (i.kind === "report" || i.kind === "mediation" || i.state === "failed" || i.error) && !listed[i.cu];
      }).sort(function (a, b) { return b.seq - a.seq; });
      var events = sent.map(function (s) {
        return { id: s.id, code: s.code, title: s.title, reported_at: s.reported_at, status: "", status_label: gettext("已提交"), sent: true };
      }).concat(server).sort(function (a, b) { return Date.parse(b.reported_at) - Date.parse(a.reported_at) || b.id - a.id; });

      var html = local.map(function (i) {
        var cls = "pending", label = gettext("待发送"), buttons = "";
        if (i.cu === sendingCu) {
          cls = "sending"; label = gettext("发送中");
        } else if (i.state === "failed" || i.error) {
          cls = "failed"; label = gettext("发送失败：{e}", { e: i.error });
          buttons = '<div class="m-actions"><button type="button" class="m-btn" data-retry="' + i.seq + '">' + esc(gettext("重试")) + "</button>" +
            '<button type="button" class="m-btn" data-drop="' + i.seq + '">' + esc(gettext("删除")) + "</button></div>";
        }
        return '<div class="m-card" data-queued="' + esc(i.cu) + '"><div>' + esc(i.title || KIND_LABEL[i.kind] || i.kind) + "</div>" +
          '<div class="m-sub"><span class="m-status ' + cls + '">' + esc(label) + "</span> " + esc(fmtTime(i.created)) + "</div>" + buttons + "</div>";
      }).join("");
      var settled = {};
      r[0].forEach(function (i) { if (i.kind === "action" && i.payload.action === "resolve_on_site") settled[i.payload.event] = true; });
      html += events.map(function (e) {
        var canSettle = e.status === "reported" && !settled[e.id];
        return '<div class="m-card" data-event="' + e.id + '"><div>' + esc(e.title) + "</div>" +
          '<div class="m-sub"><span class="m-status' + (e.sent ? " sent" : "") + '">' + esc(settled[e.id] ? gettext("就地解决待发送") : e.status_label) + "</span> " +
          '<a href="/events/' + encodeURIComponent(e.id) + '/">' + esc(e.code) + "</a> · " + esc(fmtTime(e.reported_at)) + "</div>" +
          (canSettle ? '<div class="m-actions"><button type="button" class="m-btn" data-settle="' + e.id + '">' + esc(gettext("就地解决", null, "action")) + "</button></div>" : "") + "</div>";
      }).join("");
      list.innerHTML = html || '<p class="m-empty">' + esc(gettext("还没有上报")) + "</p>";
      list.querySelectorAll("button[data-settle]").forEach(function (b) {
        b.addEventListener("click", function () {
          var result = window.prompt(gettext("处置结果"));
          if (!result) return;
          var cu = uuid4();
          enqueue({ kind: "action", cu: cu, payload: { client_uuid: cu, event: +b.getAttribute("data-settle"), action: "resolve_on_site", result: result } })
            .then(renderMine);
        });
      });
      list.querySelectorAll("button[data-retry]").forEach(function (b) {
        b.addEventListener("click", function () { retry(+b.getAttribute("data-retry")); });
      });
      list.querySelectorAll("button[data-drop]").forEach(function (b) {
        b.addEventListener("click", function () {
          if (window.confirm(gettext("删除这条未发送的内容？"))) drop(+b.getAttribute("data-drop")).then(refreshCounts);
        });
      });
    });
  }

  // Send a failed item again, with what failed because of it (its photos).
  function retry(seq) {
    return all("queue").then(function (items) {
      var item = items.filter(function (i) { return i.seq === seq; })[0];
      if (!item) return;
      return Promise.all(items.filter(function (i) {
        return i.seq === seq || (i.ref === item.cu && i.state === "failed");
      }).map(function (i) {
        i.state = "wait";
        delete i.error;
        return put("queue", i);
      }));
    }).then(function () {
      refreshCounts();
      return sync();
    });
  }

  // Delete an unsent item and what waits on it (a report's photos).
  function drop(seq) {
    return all("queue").then(function (items) {
      var item = items.filter(function (i) { return i.seq === seq; })[0];
      if (!item) return;
      return Promise.all(items.filter(function (i) { return i.seq === seq || i.ref === item.cu; }).map(function (i) {
        return del("queue", i.seq);
      }));
    });
  }

  var KIND_LABEL = {
    report: gettext("上报"), mediation: gettext("就地调解"), photo: gettext("照片"), action: gettext("任务处理"), patrol_start: gettext("开始巡查"),
    patrol_points: gettext("巡查轨迹"), patrol_visit: gettext("走访记录"), patrol_finish: gettext("结束巡查")
  };

  // The server's list of my reports; "mine-at" is when it was asked for, so a report
  // accepted after that still shows from the phone's own record.
  function fetchMine() {
    var at = new Date().toISOString();
    return fetch("/api/v1/field/my-reports", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) return;
        return res.json().then(function (data) {
          mineDue = false;
          return Promise.all([kvSet("mine", data), kvSet("mine-at", at)]);
        });
      }, function () {});
  }

  // Tap 「刷新」 or pull the list down: send what waits, then read tasks and my reports.
  function refreshMine() {
    var btn = $("mine-refresh");
    btn.disabled = true;
    btn.textContent = gettext("正在刷新…");
    var done = function () { btn.disabled = false; btn.textContent = gettext("刷新"); };
    mineDue = true;
    return (navigator.onLine ? sync() : refreshCounts()).then(done, done);
  }

  function pullToRefresh(el) {
    var startY = null;
    el.addEventListener("touchstart", function (e) { startY = window.scrollY <= 0 ? e.touches[0].clientY : null; }, { passive: true });
    el.addEventListener("touchend", function (e) {
      if (startY !== null && e.changedTouches[0].clientY - startY > 80) refreshMine();
      startY = null;
    }, { passive: true });
  }

  // Patrol -----------------------------------------------------------------------------

  var patrol = null; // {cu, started_at}
  var lastFlush = 0;

  function renderPatrol() {
    startGps();
    Promise.all([kvGet("patrol"), kvGet("patrol-summary"), all("track")]).then(function (r) {
      patrol = r[0] || null;
      var state = $("patrol-state");
      $("patrol-start").hidden = !!patrol;
      $("patrol-finish").hidden = !patrol;
      $("visit-form").hidden = !patrol;
      if (patrol) {
        state.textContent = gettext("巡查中，开始于 {time}；已记录 {n} 个位置点。", { time: fmtTime(patrol.started_at), n: patrol.points || 0 });
      } else if (r[1]) {
        var s = r[1];
        state.textContent = gettext("上次巡查：里程 {km} 公里，用时 {min} 分钟，覆盖 {grids} 个网格。", {
          km: (s.distance_m / 1000).toFixed(2), min: Math.round(s.duration_s / 60), grids: s.grids.length
        });
      } else {
        state.textContent = gettext("未在巡查。开始后沿途位置会自动记录，离线也不丢失。");
      }
    });
  }

  function startPatrol() {
    var cu = uuid4();
    var at = new Date().toISOString();
    patrol = { cu: cu, started_at: at, points: 0 };
    kvSet("patrol", patrol)
      .then(function () { return enqueue({ kind: "patrol_start", cu: cu, payload: { client_uuid: cu, started_at: at } }); })
      .then(renderPatrol);
    lastFlush = Date.now();
  }

  function onPatrolFix(f) {
    if (!patrol) return;
    put("track", { at: new Date(f.at).toISOString(), lat: f.lat, lng: f.lng }).then(function () {
      patrol.points = (patrol.points || 0) + 1;
      kvSet("patrol", patrol);
      if (Date.now() - lastFlush > POINT_FLUSH_MS) flushPoints();
      if (currentView() === "patrol") renderPatrol();
    });
  }

  // Move buffered points into one queued batch.
  function flushPoints() {
    lastFlush = Date.now();
    if (!patrol) return Promise.resolve();
    var p = patrol;
    return all("track").then(function (pts) {
      if (!pts.length) return;
      return tx("track", "readwrite", function (s) { s.clear(); }).then(function () {
        return enqueue({ kind: "patrol_points", cu: uuid4(), ref: p.cu, payload: { points: pts } });
      });
    });
  }

  function finishPatrol() {
    if (!patrol) return;
    var p = patrol;
    flushPoints().then(function () {
      return enqueue({ kind: "patrol_finish", cu: uuid4(), ref: p.cu, payload: { finished_at: new Date().toISOString() } });
    }).then(function () {
      patrol = null;
      return del("kv", "patrol");
    }).then(renderPatrol);
  }

  // Visits on registry records ----------------------------------------------------------
  //
  // A visit picks a person, a household, a rental house, a key place or a key person from
  // the records of the worker's grids (/api/v1/patrols/targets, kept in IndexedDB for
  // offline use: masked names and addresses, the address's numbers and the ID number's
  // last four to search by), or a due visit task (/api/v1/registry/visits-due per grid).
  // What the worker found (a key person's visit outcome, a person moved out, a check of
  // a house or place) goes with the visit in the queue; the server changes the record.

  var TARGETS_MAX_AGE_MS = 30 * 60 * 1000;
  var TASKS_MAX_AGE_MS = 5 * 60 * 1000;
  var PICK = { // visit kind → [the targets' list, the pick's type]
    key_person: ["key_persons", "key_person"], person: ["persons", "person"], household: ["households", "household"],
    rental: ["rentals", "rental"], key_place: ["places", "place"],
  };
  var OUTCOMES = {
    key_person: [["met", gettext("见面走访")], ["phone", gettext("电话联系")], ["not_found", gettext("未见到本人")], ["abnormal", gettext("发现异常")]],
    person: [["present", gettext("在住")], ["moved_out", gettext("已迁出")]],
  };
  var ITEM_STATES = [["ok", gettext("合格")], ["hazard", gettext("存在隐患")], ["na", gettext("不涉及")]];
  var picked = null; // {type, id, label, sector, task}

  function loadTargets(force) {
    return kvGet("targets-at").then(function (at) {
      var fresh = at && Date.now() - Date.parse(at) < TARGETS_MAX_AGE_MS;
      if ((fresh && !force) || !navigator.onLine) return kvGet("targets");
      return fetchCached("targets", "/api/v1/patrols/targets").then(function (data) {
        return kvSet("targets-at", new Date().toISOString()).then(function () { return data; });
      });
    }).then(function (d) { return d || {}; }, function () { return {}; });
  }

  // The open visit tasks of the worker's grids (due and overdue), fresh when online.
  function loadVisitTasks() {
    var grids = (boot && boot.grids) || [];
    var cached = function () { return kvGet("visit-tasks").then(function (t) { return t || []; }); };
    if (!navigator.onLine || !grids.length) return cached();
    return kvGet("visit-tasks-at").then(function (at) {
      if (at && Date.now() - Date.parse(at) < TASKS_MAX_AGE_MS) return cached();
      return fetchVisitTasks(grids);
    });
  }

  function fetchVisitTasks(grids) {
    return Promise.all(grids.map(function (g) {
      return fetch("/api/v1/registry/visits-due?grid=" + encodeURIComponent(g.id), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.json(); });
    })).then(function (lists) {
      var seen = {}, tasks = [];
      lists.forEach(function (l) { l.forEach(function (t) { if (!seen[t.id]) { seen[t.id] = true; tasks.push(t); } }); });
      return Promise.all([kvSet("visit-tasks", tasks), kvSet("visit-tasks-at", new Date().toISOString())])
        .then(function () { return tasks; });
    }).catch(function () { return kvGet("visit-tasks").then(function (t) { return t || []; }); });
  }

  // A task the server completed leaves the cached list at once (not at the next read).
  function dropVisitTask(id) {
    return kvGet("visit-tasks").then(function (tasks) {
      return kvSet("visit-tasks", (tasks || []).filter(function (t) { return t.id !== id; }));
    });
  }

  function renderVisitTasks() {
    var box = $("v-tasks");
    Promise.all([loadVisitTasks(), all("queue")]).then(function (r) {
      var queued = {};
      r[1].forEach(function (i) { if (i.kind === "patrol_visit" && i.payload.task) queued[i.payload.task] = true; });
      var tasks = r[0].filter(function (t) { return !queued[t.id]; });
      if (!tasks.length) { box.innerHTML = ""; return; }
      box.innerHTML = "<h2>" + esc(gettext("走访任务")) + "</h2>" + tasks.map(function (t, i) {
        var late = t.state === "overdue";
        return '<div class="m-card' + (late ? " overdue" : "") + '"><div><span class="m-kind">' + esc(t.category_name) +
          (late ? "·" + esc(gettext("已超期")) : "") + "</span>" + esc(t.person_name) + "</div>" +
          '<div class="m-sub">' + esc(t.region_name) + " · " + esc(gettext("应走访日期")) + " " + esc(t.due_on) + "</div>" +
          '<div class="m-actions"><button type="button" class="m-btn" data-vtask="' + i + '">' + esc(gettext("走访")) + "</button></div></div>";
      }).join("");
      box.querySelectorAll("button[data-vtask]").forEach(function (b) {
        b.addEventListener("click", function () {
          if (!patrol) { window.alert(gettext("请先开始巡查")); return; }
          var t = tasks[+b.getAttribute("data-vtask")];
          $("v-kind").value = "key_person";
          choose({ type: "key_person", id: t.key_person, label: t.person_name + " · " + t.category_name, task: t.id });
          $("visit-form").scrollIntoView();
        });
      });
    });
  }

  function targetText(kind, t) {
    var parts = [];
    if (kind === "household") parts.push(t.number);
    parts.push(t.label);
    if (kind === "key_person") parts.push(t.category_name);
    if (t.address) parts.push(t.address);
    if (t.id_tail) parts.push(gettext("身份证尾号 {n}", { n: t.id_tail }));
    return parts.filter(Boolean).join(" · ");
  }

  function onVisitKind() {
    var kind = $("v-kind").value;
    var pickable = !!PICK[kind];
    $("v-pick-box").hidden = !pickable;
    $("v-target").hidden = pickable;
    if (!picked || !pickable || PICK[kind][1] !== picked.type) choose(null);
    $("v-search").value = "";
    $("v-results").innerHTML = "";
  }

  function searchTargets() {
    var kind = $("v-kind").value;
    var q = $("v-search").value.trim();
    var box = $("v-results");
    if (!PICK[kind] || !q) { box.innerHTML = ""; return; }
    loadTargets(false).then(function (data) {
      var list = data[PICK[kind][0]] || [];
      var hits = list.filter(function (t) {
        return [t.house_no, t.id_tail, t.label, t.address, t.number].some(function (v) { return v && String(v).indexOf(q) >= 0; });
      }).slice(0, 20);
      box.innerHTML = hits.length ? hits.map(function (t, i) {
        return '<button type="button" class="m-btn m-pick" data-hit="' + i + '">' + esc(targetText(kind, t)) + "</button>";
      }).join("") : '<p class="m-empty">' + esc(gettext("本人网格内没有找到")) + "</p>";
      box.querySelectorAll("button[data-hit]").forEach(function (b) {
        b.addEventListener("click", function () {
          var t = hits[+b.getAttribute("data-hit")];
          choose({ type: PICK[kind][1], id: t.id, label: targetText(kind, t), sector: t.sector || "" });
        });
      });
    });
  }

  // The record picked (or none), and what the form asks about it.
  function choose(p) {
    picked = p;
    var card = $("v-picked");
    card.hidden = !p;
    card.textContent = p ? gettext("走访对象：{label}", { label: p.label }) : "";
    $("v-results").innerHTML = "";
    renderOutcome();
  }

  function renderOutcome() {
    var box = $("v-outcome");
    var kind = $("v-kind").value;
    if (!picked) { box.innerHTML = ""; return; }
    if (OUTCOMES[kind]) {
      box.innerHTML = '<label class="m-field"><span class="m-label">' + esc(gettext("走访情况")) + '</span><select id="v-outcome-sel">' +
        OUTCOMES[kind].map(function (o) { return '<option value="' + o[0] + '">' + esc(o[1]) + "</option>"; }).join("") + "</select></label>";
      return;
    }
    if (kind !== "rental" && kind !== "key_place") { box.innerHTML = ""; return; }
    loadTargets(false).then(function (data) {
      var items = ((data.check_items || {})[kind === "rental" ? "rental" : "place"]) || {};
      box.innerHTML = '<label class="m-check"><input id="v-check" type="checkbox"> ' + esc(gettext("同时填写安全检查")) + "</label>" +
        '<div id="v-check-box" hidden>' + Object.keys(items).map(function (code) {
          return '<label class="m-field"><span class="m-label">' + esc(items[code]) + '</span><select data-item="' + esc(code) + '">' +
            ITEM_STATES.map(function (o) { return '<option value="' + o[0] + '">' + esc(o[1]) + "</option>"; }).join("") + "</select></label>";
        }).join("") +
        '<label class="m-field"><span class="m-label">' + esc(gettext("隐患情况")) + '</span><textarea id="v-hazard" rows="2"></textarea></label>' +
        (picked.sector ? '<label class="m-check"><input id="v-kept" type="checkbox" checked> ' + esc(gettext("实名登记落实")) + "</label>" : "") +
        "</div>";
      $("v-check").addEventListener("change", function () { $("v-check-box").hidden = !$("v-check").checked; });
    });
  }

  function saveVisit(ev) {
    ev.preventDefault();
    if (!patrol) return;
    var kind = $("v-kind").value;
    var cu = uuid4();
    var payload = { client_uuid: cu, kind: kind, note: $("v-note").value.trim(), at: new Date().toISOString() };
    if (PICK[kind]) {
      if (!picked) { window.alert(gettext("请选择走访对象")); return; }
      payload.pick = { type: picked.type, id: picked.id };
      if (picked.task) payload.task = picked.task;
      var sel = $("v-outcome-sel");
      if (sel) payload.outcome = sel.value;
      var check = $("v-check");
      if (check && check.checked) {
        var items = {};
        $("v-check-box").querySelectorAll("select[data-item]").forEach(function (s) { items[s.getAttribute("data-item")] = s.value; });
        payload.check = { items: items, hazard_note: $("v-hazard").value.trim() };
        if ($("v-kept")) payload.check.records_kept = $("v-kept").checked;
        if (!payload.check.hazard_note && Object.keys(items).some(function (k) { return items[k] === "hazard"; })) {
          window.alert(gettext("请填写{label}", { label: gettext("隐患情况") }));
          return;
        }
      }
    } else {
      var target = $("v-target").value.trim();
      if (!target) { window.alert(gettext("请填写走访对象")); return; }
      payload.target = target;
    }
    if (fix) { payload.lat = fix.lat; payload.lng = fix.lng; }
    var title = picked ? picked.label : payload.target;
    enqueue({ kind: "patrol_visit", cu: cu, ref: patrol.cu, payload: payload, title: title }).then(function () {
      $("visit-form").reset();
      choose(null);
      onVisitKind();
      renderVisitTasks();
    });
  }

  // ---- logout: nothing stays on the phone --------------------------------------------

  function logout() {
    all("queue").then(function (items) {
      var n = items.filter(function (i) { return i.user === USER && i.state === "wait"; }).length;
      if (n && !window.confirm(gettext("还有 {n} 条内容未发送，退出将从手机上清除。确定退出？", { n: n }))) return;
      if (db) db.close();
      var jobs = [new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase(DB_NAME);
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      })];
      if (window.caches) jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("pingan-m-") === 0; }).map(function (k) { return caches.delete(k); }));
      }));
      Promise.all(jobs).then(function () { $("logout-form").submit(); });
    });
  }

  // ---- start -------------------------------------------------------------------------

  function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/m/" }).catch(function () {});
    }
    openDb().then(function (d) {
      db = d;
      return kvGet("owner");
    }).then(function (owner) {
      if (owner && owner !== USER) banner(gettext("本机还保存着其他账号未发送的内容，登录该账号后才会发送。"));
      return kvSet("owner", USER);
    }).then(function () {
      return fetchCached("boot", "/api/v1/field/bootstrap");
    }).then(function (b) {
      boot = b || { grids: [], categories: [], frequent: [] };
      if (boot.photo_max_side) PHOTO_MAX_SIDE = boot.photo_max_side;
      fillCategories();
      return kvGet("patrol");
    }).then(function (p) {
      patrol = p || null;
      body.setAttribute("data-ready", "1");
      show();
      refreshCounts();
      sync();
    });

    window.addEventListener("hashchange", function () {
      show();
      if (currentView() === "mine") sync(); // fresh states when the worker opens 我的
    });
    window.addEventListener("online", function () { mineDue = true; refreshCounts(); sync(); });
    window.addEventListener("offline", refreshCounts);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) sync(); });
    setInterval(function () { if (patrol && Date.now() - lastFlush > POINT_FLUSH_MS) flushPoints(); sync(); }, 20000);

    $("report-form").addEventListener("submit", submitReport);
    $("r-photos").addEventListener("change", onPhotos);
    $("r-settle").addEventListener("change", function () { $("r-settle-box").hidden = !$("r-settle").checked; });
    $("r-mediate").addEventListener("change", toggleMediate);
    $("r-add-party").addEventListener("click", function () { addParty("respondent"); });
    document.querySelectorAll("input[name=r-outcome]").forEach(function (el) { el.addEventListener("change", toggleOutcome); });
    $("patrol-start").addEventListener("click", startPatrol);
    $("patrol-finish").addEventListener("click", finishPatrol);
    $("visit-form").addEventListener("submit", saveVisit);
    $("v-kind").addEventListener("change", onVisitKind);
    $("v-search").addEventListener("input", searchTargets);
    onVisitKind();
    $("m-logout").addEventListener("click", logout);
    $("mine-refresh").textContent = gettext("刷新");
    $("mine-refresh").addEventListener("click", refreshMine);
    pullToRefresh($("view-mine"));
  }

  start();
})();
