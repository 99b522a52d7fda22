// Workbench: "select all" boxes tick every row of their table (a file, not an inline
// script, so that the Content Security Policy allows only our own scripts).
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-check-all]")) {
    var table = e.target.closest("table");
    table.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = e.target.checked; });
  }
});
