// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Auto-submit filter selects marked with data-autosubmit.
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Confirm dangerous actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
