// Editors never lose work: a warning before leaving a form with unsaved changes, and a local
// copy of what is typed, offered back after a crash, a closed tab or a sign-in.
//
// <form data-unsaved-warning> warns on leaving once a field differs from what the page was
// loaded with (or at once with data-unsaved: the server sent back text it did not save).
// <form data-draft-key="..."> also keeps a copy in localStorage under that key (the server names
// it per user and per thing edited); the page after a successful save lists the keys to drop in
// <body data-saved-drafts>. Every string shown comes from the page (data-* attributes).
(function () {
  "use strict";

  var KEY_PREFIX = "knowhow-draft:";
  var KEEP_DAYS = 30;
  var SAVE_DELAY_MS = 400;

  function storage() {
    try {
      var probe = KEY_PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode, full, or blocked: the unsaved-changes warning still works
    }
  }

  // The form's typed values by field name: what a local copy holds and what "changed" compares.
  function values(form) {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.name === "csrf_token") return;
      if (/^(submit|button|reset|file|image)$/.test(element.type)) return;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
      result[element.name] = element.value;
    });
    return result;
  }

  // Hidden fields (a base revision) travel with a copy but do not make it worth offering.
  function visible(form, fields) {
    var shown = {};
    Object.keys(fields).forEach(function (name) {
      var element = form.elements[name];
      if (element && element.type !== "hidden") shown[name] = fields[name];
    });
    return JSON.stringify(shown);
  }

  function fill(form, fields) {
    var touched = [];
    Object.keys(fields).forEach(function (name) {
      var element = form.elements[name];
      if (!element) return;
      if (element.type === "checkbox") element.checked = element.value === fields[name];
      else element.value = fields[name];
      touched.push(element);
    });
    // Let the other scripts hear it (the preview, the language of the text).
    touched.forEach(function (element) {
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function dropSavedAndOld(store) {
    var saved = (document.body.getAttribute("data-saved-drafts") || "").split(" ");
    saved.forEach(function (key) { if (key) store.removeItem(key); });
    var oldest = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
    for (var index = store.length - 1; index >= 0; index--) {
      var key = store.key(index);
      if (!key || key.indexOf(KEY_PREFIX) !== 0) continue;
      try {
        if (JSON.parse(store.getItem(key)).savedAt < oldest) store.removeItem(key);
      } catch (error) {
        store.removeItem(key);
      }
    }
  }

  function formatTime(timestamp) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" })
        .format(new Date(timestamp));
    } catch (error) {
      return new Date(timestamp).toLocaleString();
    }
  }

  function watch(form, store) {
    var loaded = values(form);
    var baseline = visible(form, loaded);
    var keptByServer = form.hasAttribute("data-unsaved");
    var leaving = false;
    var key = store ? form.getAttribute("data-draft-key") : null;
    var waitingForAnswer = false;
    var timer = null;

    function changed() {
      return keptByServer || visible(form, values(form)) !== baseline;
    }

    function keepCopy() {
      clearTimeout(timer);
      if (!key || waitingForAnswer || leaving) return;
      var fields = values(form);
      try {
        if (keptByServer || visible(form, fields) !== baseline) {
          store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: fields }));
        } else {
          store.removeItem(key); // back to what the server has: nothing to keep
        }
      } catch (error) { /* storage full: the warning on leaving still protects the text */ }
    }

    function scheduleCopy() {
      clearTimeout(timer);
      timer = setTimeout(keepCopy, SAVE_DELAY_MS);
    }

    form.addEventListener("input", scheduleCopy);
    form.addEventListener("change", scheduleCopy);
    // A script that fills the form for the writer (the how-to template) sets a new baseline.
    form.addEventListener("drafts:baseline", function () {
      baseline = visible(form, values(form));
      keepCopy();
    });
    form.addEventListener("submit", function () {
      keepCopy(); // until the next page says it is saved
      leaving = true;
    });
    window.addEventListener("pagehide", keepCopy);
    window.addEventListener("beforeunload", function (event) {
      if (leaving || !changed()) return;
      keepCopy();
      event.preventDefault();
      event.returnValue = true; // older browsers; all show their own wording
    });
    // Back from the bfcache after a submit that went nowhere: watch again.
    window.addEventListener("pageshow", function (event) { if (event.persisted) leaving = false; });

    if (key) offerCopy(form, store, key, function (answering) { waitingForAnswer = answering; });
  }

  function offerCopy(form, store, key, setWaiting) {
    var copy = null;
    try { copy = JSON.parse(store.getItem(key)); } catch (error) { store.removeItem(key); }
    if (!copy || !copy.fields) return;
    if (visible(form, copy.fields) === visible(form, values(form))) return; // the page has it all
    var notice = document.querySelector("[data-draft-notice]");
    if (!notice) return;
    var question = notice.querySelector("[data-draft-question]");
    question.textContent = notice.getAttribute("data-question").replace("{time}", formatTime(copy.savedAt));
    notice.hidden = false;
    setWaiting(true);

    function answered() {
      notice.hidden = true;
      setWaiting(false);
    }

    notice.querySelector("[data-draft-restore]").addEventListener("click", function () {
      answered();
      fill(form, copy.fields);
      var first = form.querySelector("textarea, input[type=text]");
      if (first) first.focus();
    });
    notice.querySelector("[data-draft-discard]").addEventListener("click", function () {
      store.removeItem(key);
      answered();
    });
  }

  var store = storage();
  if (store) dropSavedAndOld(store);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-unsaved-warning]"), function (form) {
    watch(form, store);
  });
})();
