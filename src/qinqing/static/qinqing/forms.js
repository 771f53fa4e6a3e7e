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

// The Chinese file picker (core/_file_picker.html): show the names of the chosen files next to 选择文件.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input.file-input")) return;
  var shown = input.parentNode.querySelector(".file-names");
  if (!shown) return;
  var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
  shown.textContent = names.length ? names.join("，") : shown.getAttribute("data-empty");
});

// 打印 on the print pages (交办单, 答复函): a button marked data-print opens the browser's print dialog.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (!button) return;
  event.preventDefault();
  window.print();
});

// Menu groups (base.html): opening one closes the others, and a click anywhere else closes them all.
document.addEventListener("click", function (event) {
  var inside = event.target.closest ? event.target.closest("details.menu-group") : null;
  document.querySelectorAll("details.menu-group[open]").forEach(function (d) {
    if (d !== inside) d.removeAttribute("open");
  });
});
