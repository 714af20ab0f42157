// Progressive enhancement only: every page works without it (CSP: no inline scripts).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-toggle-nav]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var nav = document.getElementById("sidenav");
      var open = nav.classList.toggle("open");
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  // On phones a list's filters fold behind one "筛选" button (with the number in use), so the
  // first rows are above the fold; on wider screens they stay open. Without JS they stay open.
  document.querySelectorAll("[data-toggle-filters]").forEach(function (btn) {
    var form = document.getElementById(btn.getAttribute("aria-controls"));
    if (!form) { return; }
    var used = Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "page" && el.value && el.value !== "unknown" && el.type !== "submit";  // "unknown": a yes/no filter left empty
    }).length;
    if (used) { btn.textContent += "（" + used + "）"; }
    btn.hidden = false;
    form.classList.add("folded");
    btn.addEventListener("click", function () {
      var open = form.classList.toggle("folded") === false;
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // Destructive acts ask first: <form data-confirm="…">
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
