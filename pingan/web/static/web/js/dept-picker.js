/* The department picker of the dispatch-side forms (派遣, 受理并派遣, 改派, 协办, 会商):
   typing in the search box hides the departments whose name does not match, and the
   groups left empty. Without JS the full list stays (a plain form). Loaded with each
   form (htmx runs it again on every swap): the listeners are installed once. */
(function () {
  "use strict";
  if (window.pinganDeptPicker) return;
  window.pinganDeptPicker = true;

  function filter(input) {
    var picker = input.closest("[data-dept-picker]");
    if (!picker) return;
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var matched = 0;
    picker.querySelectorAll("[data-dept-group]").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("[data-dept-row]").forEach(function (row) {
        var name = (row.getAttribute("data-name") || "").toLowerCase();
        var match = words.every(function (w) { return name.indexOf(w) !== -1; });
        // A checked department stays in view, whatever is typed.
        var keep = match || row.querySelector("input:checked") !== null;
        row.hidden = !keep;
        if (keep) visible += 1;
        if (match) matched += 1;
      });
      group.hidden = visible === 0;
    });
    var none = picker.querySelector("[data-dept-none]");
    if (none) none.hidden = matched !== 0;
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-dept-search]")) filter(e.target);
  });
  // The form can be on the page (and typed into) before this file has loaded: catch up.
  document.querySelectorAll("[data-dept-search]").forEach(function (input) {
    if (input.value) filter(input);
  });
  // Enter in the search box filters; it does not submit the form.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("[data-dept-search]")) {
      e.preventDefault();
    }
  });
  // A department chosen as lead is not also assisting (and the other way round).
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!t.closest || !t.closest("[data-dept-picker]")) return;
    var row = t.closest("[data-dept-row]");
    if (!row || !t.checked) return;
    if (t.type === "radio") {
      var assist = row.querySelector("input[name=assisting_departments]");
      if (assist) assist.checked = false;
    } else if (t.name === "assisting_departments") {
      var lead = row.querySelector("input[type=radio]");
      if (lead && lead.checked) t.checked = false;
    }
  });
})();
