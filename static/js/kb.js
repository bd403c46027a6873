// Editor enhancements: live preview, the how-to template in the chosen language (never replacing
// typed text without asking) and the publish button for the chosen category.
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

  function templateFor(code) {
    var item = templates && templates.querySelector('[data-lang="' + code + '"]');
    return item ? item.getAttribute("data-template") : null;
  }

  // Still one of the how-to templates as it came: nothing the writer typed would be lost.
  function untouched() {
    return !templates || Array.prototype.some.call(templates.children, function (item) {
      return item.getAttribute("data-template") === body.value;
    });
  }

  function useTemplate(code) {
    var text = templateFor(code);
    if (text === null) return;
    body.value = text;
    body.form.dispatchEvent(new Event("drafts:baseline")); // filled in for the writer (drafts.js)
    refresh();
  }

  function showLanguage(code) {
    body.setAttribute("lang", code);
    preview.setAttribute("lang", code);
  }

  if (lang) {
    lang.addEventListener("change", function () {
      showLanguage(lang.value);
      // Swap the template only while the writer has not started filling it in.
      if (untouched()) useTemplate(lang.value);
    });
  }

  // "Start from the how-to template in …" links: swap in place, and ask before replacing text.
  var templateLinks = document.querySelector(".kb-template-langs");
  if (templateLinks && templates) {
    templateLinks.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-template-lang]");
      if (!link) return;
      event.preventDefault();
      var code = link.getAttribute("data-template-lang");
      if (!untouched() && !window.confirm(templateLinks.getAttribute("data-replace-confirm"))) return;
      if (lang) lang.value = code;
      showLanguage(code);
      useTemplate(code);
    });
  }

  // "Save and publish" only for the categories the writer may publish in; the server decides.
  var publish = document.querySelector("[data-publish-categories]");
  var category = document.querySelector("select[name=category]");
  if (publish && category) {
    var allowed = publish.getAttribute("data-publish-categories").split(" ");
    var showPublish = function () {
      publish.hidden = allowed.indexOf("*") < 0 && allowed.indexOf(category.value) < 0;
    };
    category.addEventListener("change", showPublish);
    showPublish();
  }

  refresh();
})();
