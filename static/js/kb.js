// Editor enhancements: live preview and the how-to template in the chosen language.
// Without JavaScript the Preview button renders the preview on the server instead.
(function () {
  "use strict";

  var body = document.querySelector("textarea[data-preview-url]");
  if (!body) return;
  var preview = document.getElementById("kb-preview");
  var status = document.getElementById("kb-preview-status");
  var lang = document.querySelector("select[name=lang]");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var timer = null;
  var latest = 0;

  function showError() {
    status.textContent = status.getAttribute("data-error-label");
  }

  function refresh() {
    var requestNumber = ++latest;
    var form = new URLSearchParams();
    form.append("body", body.value);
    fetch(body.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": tokenMeta ? tokenMeta.content : "",
        "Accept": "application/json"
      },
      body: form
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("no preview");
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (requestNumber !== latest) return; // an older answer arriving late
      if (!result.ok) {
        status.textContent = result.data.error ? result.data.error.message : "";
        return;
      }
      // The server's rendering is sanitised with the article allowlist (kb/markdown.py).
      preview.innerHTML = result.data.html;
      status.textContent = "";
    }).catch(showError);
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  });

  var previewButton = document.querySelector("[data-preview-button]");
  if (previewButton) {
    previewButton.addEventListener("click", function (event) {
      event.preventDefault();
      refresh();
    });
  }

  var templates = document.getElementById("kb-howto-templates");
  if (lang) {
    lang.addEventListener("change", function () {
      body.setAttribute("lang", lang.value);
      preview.setAttribute("lang", lang.value);
      if (!templates) return;
      // Swap the template only while the writer has not started filling it in.
      var untouched = Array.prototype.some.call(templates.children, function (item) {
        return item.getAttribute("data-template") === body.value;
      });
      var wanted = templates.querySelector('[data-lang="' + lang.value + '"]');
      if (untouched && wanted) {
        body.value = wanted.getAttribute("data-template");
        refresh();
      }
    });
  }

  refresh();
})();
