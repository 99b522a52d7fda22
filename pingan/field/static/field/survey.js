/* 问卷: the grid worker fills the open surveys door to door, offline first.
 *
 * The open surveys (questions, my town's quota and what was collected) are read from
 * /api/v1/field/surveys and kept for offline use; 「提交」 queues a "survey_response"
 * item (its client_uuid makes a resend harmless) that app.js sends when online.
 */
(function () {
  "use strict";
  var F = window.PinganField;
  if (!F) return;
  var $ = F.$, esc = F.esc, gettext = F.gettext;
  var current = null; // the survey being filled

  function queued() {
    return F.all("queue").then(function (items) {
      return items.filter(function (i) { return i.kind === "survey_response" && i.user === F.user; });
    });
  }

  function today(iso) {
    var d = new Date(iso), n = new Date();
    return d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  }

  function renderList() {
    var list = $("sv-list");
    if (!list) return;
    Promise.all([F.fetchCached("surveys", "/api/v1/field/surveys"), queued()]).then(function (r) {
      var surveys = r[0] || [];
      var waiting = r[1];
      if (!surveys.length) {
        list.innerHTML = '<p class="m-sub">' + esc(gettext("暂无进行中的问卷")) + "</p>";
        return;
      }
      list.innerHTML = surveys.map(function (s) {
        var mine = waiting.filter(function (i) { return i.payload.survey === s.id; });
        var todayCount = s.today_mine + mine.filter(function (i) { return today(i.created); }).length;
        return '<div class="m-card" data-survey="' + s.id + '">' +
          "<strong>" + esc(s.title) + "</strong>" +
          '<div class="m-sub">' + esc(gettext("本镇配额进度 {n}/{quota}", { n: s.collected + mine.length, quota: s.quota || "—" })) + "</div>" +
          '<div class="m-sub" data-today>' + esc(gettext("今日已录 {n} 份", { n: todayCount })) +
          (mine.length ? " · " + esc(gettext("{n} 份待发送", { n: mine.length })) : "") + "</div>" +
          '<div class="m-actions"><button type="button" class="m-btn" data-fill="' + s.id + '">' + esc(gettext("填写问卷")) + "</button></div>" +
          "</div>";
      }).join("");
      list.querySelectorAll("button[data-fill]").forEach(function (b) {
        b.addEventListener("click", function () {
          var id = +b.getAttribute("data-fill");
          current = surveys.filter(function (s) { return s.id === id; })[0];
          renderForm();
        });
      });
    });
  }

  function field(q) {
    var name = "sv-q" + q.id;
    var head = '<legend>' + esc(q.order + ". " + q.text) + (q.required ? " *" : "") + "</legend>";
    var body = "";
    if (q.kind === "single" || q.kind === "multiple") {
      body = q.options.map(function (o) {
        return '<label class="m-choice"><input type="' + (q.kind === "single" ? "radio" : "checkbox") +
          '" name="' + name + '" value="' + o.id + '"> ' + esc(o.text) + "</label>";
      }).join("");
    } else if (q.kind === "scale") {
      for (var n = 1; n <= q.scale_max; n++) {
        body += '<label class="m-choice"><input type="radio" name="' + name + '" value="' + n + '"> ' + n + "</label>";
      }
    } else {
      body = '<textarea name="' + name + '" rows="2" maxlength="1000"></textarea>';
    }
    return '<fieldset class="m-field" data-q="' + q.id + '">' + head + body + "</fieldset>";
  }

  function renderForm() {
    var form = $("sv-form");
    if (!current) { form.hidden = true; return; }
    var regions = current.regions.length > 1
      ? '<select id="sv-region" aria-label="' + esc(gettext("所在网格")) + '">' + current.regions.map(function (r) {
          return '<option value="' + r.id + '">' + esc(r.name) + "</option>";
        }).join("") + "</select>"
      : "";
    form.innerHTML = "<h2>" + esc(current.title) + "</h2>" + regions +
      current.questions.map(field).join("") +
      '<input id="sv-phone" type="tel" inputmode="numeric" maxlength="11" placeholder="' + esc(gettext("受访者手机号（选填）")) + '">' +
      '<p id="sv-error" class="m-sub" hidden></p>' +
      '<button type="submit" id="sv-submit" class="m-btn m-btn-primary">' + esc(gettext("提交")) + "</button>" +
      '<button type="button" id="sv-cancel" class="m-btn">' + esc(gettext("返回")) + "</button>";
    form.hidden = false;
    $("sv-list").hidden = true;
    $("sv-cancel").addEventListener("click", function () { current = null; back(); });
  }

  function back() {
    $("sv-form").hidden = true;
    $("sv-list").hidden = false;
    renderList();
  }

  function collect() {
    var answers = {};
    var missing = null;
    current.questions.forEach(function (q) {
      var name = "sv-q" + q.id;
      var value;
      if (q.kind === "text") {
        value = (document.querySelector('[name="' + name + '"]').value || "").trim();
      } else {
        var picked = Array.prototype.map.call(document.querySelectorAll('[name="' + name + '"]:checked'), function (el) { return +el.value; });
        value = q.kind === "multiple" ? picked : (picked.length ? picked[0] : "");
      }
      var empty = value === "" || (Array.isArray(value) && !value.length);
      if (empty && q.required && missing === null) missing = q.order;
      if (!empty) answers[String(q.id)] = value;
    });
    return { answers: answers, missing: missing };
  }

  function submit(e) {
    e.preventDefault();
    if (!current) return;
    var got = collect();
    var err = $("sv-error");
    if (got.missing !== null) {
      err.textContent = gettext("第{n}题必须作答", { n: got.missing });
      err.hidden = false;
      return;
    }
    var cu = F.uuid4();
    var region = $("sv-region") ? +$("sv-region").value : null;
    var payload = { survey: current.id, answers: got.answers, phone: ($("sv-phone").value || "").trim(), region: region };
    $("sv-submit").disabled = true;
    F.enqueue({ kind: "survey_response", cu: cu, payload: payload }).then(function () {
      F.banner(gettext("答卷已保存，联网后自动发送"));
      setTimeout(function () { F.banner(""); }, 3000);
      current = null;
      back();
    });
  }

  F.register({
    plans: {
      survey_response: function (item) {
        var p = item.payload;
        return {
          url: "/api/v1/surveys/" + p.survey + "/responses",
          json: { answers: p.answers, phone: p.phone, region: p.region, client_uuid: item.cu },
        };
      },
    },
    views: {
      survey: function () {
        if (!current) back();
      },
    },
  });

  var form = $("sv-form");
  if (form) form.addEventListener("submit", submit);
  window.addEventListener("online", function () { setTimeout(renderList, 1500); });
})();
