// A form marked data-confirm asks first; one marked data-submit-once disables its submit buttons when sent, so
// a double click sends it once. (A static file rather than onclick/onsubmit attributes: the
// Content-Security-Policy allows no inline script.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches) return;
  if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  if (!form.matches("form[data-submit-once]")) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
});
