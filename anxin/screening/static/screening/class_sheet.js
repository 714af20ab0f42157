// The class screening sheet (progressive enhancement: without it every row posts on 保存, the
// "全部正常" chip posts its row, and the server refuses what matters).
document.addEventListener("DOMContentLoaded", function () {
  function complete(form) {
    var chosen = ["psych", "mood", "peers"].every(function (n) {
      var el = form.querySelector("select[name=" + n + "]");
      return el && el.value;
    });
    var reason = form.querySelector("[name=missing_reason]");
    return chosen || (reason && reason.value.trim() !== "");
  }
  // the row's chip fills its three choices before the row is saved
  document.querySelectorAll("[data-all-normal]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var values = btn.getAttribute("data-all-normal").split(",");
      ["psych", "mood", "peers"].forEach(function (n, i) {
        var el = btn.form.querySelector("select[name=" + n + "]");
        if (el) { el.value = values[i]; }
      });
    });
  });
  // a row saves itself on change only once it is complete: no half-filled row is sent
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest ? ev.target.closest("form.scr-row") : null;
    if (form && !complete(form)) { ev.stopPropagation(); }
  }, true);
});
