// Linda staff dashboard: the little behaviour that is not htmx. No inline script anywhere.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The language picker submits as soon as a language is chosen.
  document.querySelectorAll("select[name=lang]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.requestSubmit(); });
  });
});
