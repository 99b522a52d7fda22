/* 督查 on the phone (docs/inspections.md, "Phone"): my open inspection tasks (cached for
 * offline use), the checklist of one with 合格/存在问题 per item, a note, camera photos
 * (shrunk) and the GPS point; 「提交」 queues an item of kind "inspection" (POST
 * /api/v1/inspections with its client_uuid, kept) and one "inspection_photo" per photo
 * (sent once the inspection's id is known), all sent when the phone is online. */
(function () {
  "use strict";
  var PF = window.PinganField;
  if (!PF) return;
  var $ = PF.$, esc = PF.esc, gettext = PF.gettext;
  var open = null; // {task, started, photos: [blob]}
  var timer = null;

  function queued() {
    return PF.all("queue").then(function (items) {
      var out = {};
      items.forEach(function (i) {
        if (i.kind === "inspection" && i.user === PF.user) out[i.payload.task] = i.state === "failed" ? (i.error || gettext("发送失败")) : "wait";
      });
      return out;
    });
  }

  function render() {
    if (open) return;
    var list = $("i-tasks");
    Promise.all([PF.fetchCached("inspect-tasks", "/api/v1/inspections/tasks"), queued(), PF.kvGet("inspect-sent")]).then(function (r) {
      var tasks = r[0] || [], waiting = r[1], sent = r[2] || [];
      var html = tasks.map(function (t) {
        var state = waiting[t.id];
        var sub = esc(t.plan_name) + " · " + esc(t.kind_label) + " · " + esc(gettext("应完成日期")) + " " + esc(t.due_on);
        var action = state === "wait"
          ? '<span class="m-sub" data-queued="' + t.id + '">' + esc(gettext("已保存，联网后自动发送")) + "</span>"
          : state
            ? '<span class="m-error">' + esc(state) + "</span>"
            : '<button type="button" class="m-btn" data-open="' + t.id + '">' + esc(gettext("开始检查")) + "</button>";
        return '<div class="m-card' + (t.overdue ? " overdue" : "") + '" data-task="' + t.id + '">' +
          '<span class="m-kind">' + esc(t.level_label) + "</span><strong>" + esc(t.unit_name) + "</strong>" +
          '<div class="m-sub">' + sub + '</div><div class="m-actions">' + action + "</div></div>";
      }).join("");
      var done = sent.filter(function (s) { return !waiting[s.task]; }).slice(-5).reverse().map(function (s) {
        return '<div class="m-card" data-sent="' + esc(s.task) + '"><strong>' + esc(s.unit) + "</strong>" +
          '<div class="m-sub">' + esc(gettext("已提交")) + " " + esc(PF.fmtTime(s.at)) + "</div></div>";
      }).join("");
      list.innerHTML = (html || '<p class="m-empty">' + esc(gettext("暂无督查任务")) + "</p>") + done;
      list.querySelectorAll("[data-open]").forEach(function (b) {
        b.addEventListener("click", function () {
          var id = Number(b.getAttribute("data-open"));
          start(tasks.filter(function (t) { return t.id === id; })[0]);
        });
      });
    });
  }

  function start(task) {
    if (!task) return;
    open = { task: task, started: new Date().toISOString(), photos: [] };
    PF.startGps();
    $("i-tasks").hidden = true;
    $("i-form").hidden = false;
    $("i-title").textContent = task.unit_name + " · " + task.kind_label;
    $("i-error").textContent = "";
    $("i-note").value = "";
    $("i-thumbs").innerHTML = "";
    $("i-items").innerHTML = task.checklist.items.map(function (it) {
      var n = "i-r-" + esc(it.code);
      return '<div class="m-card" data-item="' + esc(it.code) + '"><div>' + esc(it.code) + " " + esc(it.text) + "</div>" +
        '<label class="m-check"><input type="radio" name="' + n + '" value="ok" checked> ' + esc(gettext("合格")) + "</label> " +
        '<label class="m-check"><input type="radio" name="' + n + '" value="problem"> ' + esc(gettext("存在问题")) + "</label> " +
        '<label class="m-check"><input type="radio" name="' + n + '" value="na"> ' + esc(gettext("不涉及")) + "</label>" +
        '<input type="text" class="i-item-note" maxlength="500" placeholder="' + esc(gettext("问题情况")) + '" hidden></div>';
    }).join("");
    $("i-items").querySelectorAll("[data-item]").forEach(function (row) {
      row.querySelectorAll("input[type=radio]").forEach(function (r) {
        r.addEventListener("change", function () {
          row.querySelector(".i-item-note").hidden = row.querySelector("input:checked").value !== "problem";
        });
      });
    });
  }

  function close() {
    open = null;
    $("i-form").hidden = true;
    $("i-tasks").hidden = false;
    render();
  }

  function onPhotos(ev) {
    var files = Array.prototype.slice.call(ev.target.files || []);
    ev.target.value = "";
    files.reduce(function (p, file) {
      return p.then(function () {
        return PF.shrink(file).then(function (blob) {
          if (!open) return;
          open.photos.push(blob);
          var img = document.createElement("img");
          img.src = URL.createObjectURL(blob);
          img.alt = gettext("现场照片");
          $("i-thumbs").appendChild(img);
        });
      });
    }, Promise.resolve()).catch(function (e) { $("i-error").textContent = String(e.message || e); });
  }

  function submit(ev) {
    ev.preventDefault();
    if (!open) return;
    var task = open.task;
    var answers = [];
    $("i-items").querySelectorAll("[data-item]").forEach(function (row) {
      var result = row.querySelector("input:checked").value;
      var note = row.querySelector(".i-item-note").value.trim();
      if (result === "problem" && !note) note = "";
      answers.push({ item: row.getAttribute("data-item"), result: result, note: result === "problem" ? note : "" });
    });
    var fix = PF.fix();
    var cu = PF.uuid4();
    var payload = {
      client_uuid: cu, task: task.id, answers: answers, note: $("i-note").value.trim(),
      started_at: open.started, finished_at: new Date().toISOString(),
    };
    if (fix) { payload.lat = fix.lat; payload.lng = fix.lng; }
    var photos = open.photos.slice();
    var steps = PF.enqueue({ kind: "inspection", cu: cu, payload: payload });
    photos.forEach(function (blob) {
      steps = steps.then(function () {
        return PF.enqueue({ kind: "inspection_photo", cu: PF.uuid4(), ref: cu, blob: blob, payload: {} });
      });
    });
    steps.then(function () {
      return PF.kvGet("inspect-sent").then(function (sent) {
        sent = (sent || []).concat([{ task: task.id, unit: task.unit_name, at: new Date().toISOString() }]).slice(-20);
        return PF.kvSet("inspect-sent", sent);
      });
    }).then(close);
  }

  var wired = false;
  function wire() {
    if (wired || !$("i-form")) return;
    wired = true;
    $("i-form").addEventListener("submit", submit);
    $("i-cancel").addEventListener("click", close);
    $("i-photos").addEventListener("change", onPhotos);
    window.addEventListener("online", function () { setTimeout(render, 1500); });
  }

  function view() {
    wire();
    render();
    if (timer === null) {
      timer = setInterval(function () {
        if ((location.hash || "").slice(1) === "inspect") render();
      }, 3000);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();

  PF.register({
    plans: {
      inspection: function (item) {
        return { url: "/api/v1/inspections", json: item.payload, keep: true };
      },
      inspection_photo: function (item, refId) {
        var fd = new FormData();
        fd.append("file", item.blob, "photo.jpg");
        fd.append("client_uuid", item.cu);
        return { url: "/api/v1/inspections/" + refId + "/photos", form: fd };
      },
    },
    views: { inspect: view },
  });
})();
