// Import forms: while the import runs in the request, poll its progress and show it.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return name in values ? values[name] : match;
    });
  }

  function watch(form) {
    var panel = document.getElementById(form.getAttribute("data-progress-panel"));
    var bar = panel.querySelector("progress");
    var text = panel.querySelector(".import-progress__text");
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    var percents = new Intl.NumberFormat(document.documentElement.lang || undefined, {style: "percent"});

    function show(progress) {
      var share = progress.total_bytes ? Math.min(progress.bytes_read / progress.total_bytes, 1) : 0;
      bar.value = Math.round(share * 100);
      var template = share >= 1 ? form.getAttribute("data-finishing-text") : form.getAttribute("data-progress-text");
      text.textContent = fill(template, {percent: percents.format(share), rows: numbers.format(progress.rows_read)});
    }

    function poll() {
      fetch(form.getAttribute("data-progress-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (progress) { if (progress) show(progress); })
        .catch(function () { /* the next poll may succeed; the import itself is unaffected */ })
        .then(function () { setTimeout(poll, 1000); });
    }

    panel.hidden = false;
    form.setAttribute("aria-busy", "true");
    setTimeout(poll, 500);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-progress-url]")) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault(); // one import at a time: a second click would only wait for the lock
      return;
    }
    watch(form);
  });
})();
