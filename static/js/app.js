// Small enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // "/" focuses the search box from anywhere except while typing in a field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    var search = document.getElementById("site-search");
    if (!typing && search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // Buttons with data-copy-target copy that element's text (e.g. "what to tell the customer").
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.innerText.trim()).then(function () {
      var done = button.getAttribute("data-copied-label");
      if (done) {
        var original = button.textContent;
        button.textContent = done;
        setTimeout(function () { button.textContent = original; }, 2000);
      }
    });
  });

  // Selects marked data-autosubmit submit their form on change (filters, language).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });
})();
