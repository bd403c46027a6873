// Images in the article editor: paste (Ctrl+V) or drop an image into the body, or choose one with
// "Add image". Each file is uploaded (POST /kb/images, with the CSRF token), and its Markdown,
// ![image](/kb/images/ID), is inserted where the cursor was; the server decides what it accepts
// and its refusal is shown as it says it. Without JavaScript the panel stays hidden.
(function () {
  "use strict";

  var panel = document.querySelector("[data-image-upload-url]");
  var body = document.querySelector("textarea[data-preview-url]");
  if (!panel || !body) return;
  var fileInput = panel.querySelector("input[type=file]");
  var button = panel.querySelector("[data-image-choose]");
  var progress = panel.querySelector("progress");
  var status = panel.querySelector("[data-image-status]");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var pending = 0;
  panel.hidden = false;

  function say(text, failed) {
    status.textContent = text;
    status.classList.toggle("kb-images__status--error", !!failed);
  }

  // Insert on a line of its own at `position` (where the cursor was when the upload began).
  function insert(markdown, position) {
    var text = body.value;
    position = Math.min(position, text.length);
    var before = text.slice(0, position), after = text.slice(position);
    var lead = before === "" || /\n$/.test(before) ? "" : "\n";
    var trail = /^\n/.test(after) ? "" : "\n";
    var inserted = lead + markdown + trail;
    body.value = before + inserted + after;
    var cursor = position + inserted.length;
    body.setSelectionRange(cursor, cursor);
    body.dispatchEvent(new Event("input", { bubbles: true })); // preview and unsaved-changes warning
  }

  function refusal(request) {
    try {
      var data = JSON.parse(request.responseText);
      if (data && data.error && data.error.message) return data.error.message;
    } catch (ignored) { /* not JSON: an error page, the sign-in page */ }
    return panel.getAttribute("data-failed");
  }

  function upload(file, position) {
    var form = new FormData();
    form.append("file", file, file.name || "pasted-image");
    var articleId = panel.getAttribute("data-article-id");
    if (articleId) form.append("article_id", articleId);
    var request = new XMLHttpRequest();
    request.open("POST", panel.getAttribute("data-image-upload-url"));
    request.setRequestHeader("X-CSRFToken", tokenMeta ? tokenMeta.content : "");
    request.setRequestHeader("Accept", "application/json");
    pending += 1;
    progress.hidden = false;
    progress.value = 0;
    say(panel.getAttribute("data-uploading"));
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) progress.value = Math.round(100 * event.loaded / event.total);
    });
    request.addEventListener("loadend", function () {
      pending -= 1;
      if (pending === 0) progress.hidden = true;
      var data = null;
      if (request.status === 201) {
        try { data = JSON.parse(request.responseText); } catch (ignored) { data = null; }
      }
      if (data && data.markdown) {
        insert(data.markdown, position);
        say(panel.getAttribute("data-uploaded"));
      } else {
        say(request.status ? refusal(request) : panel.getAttribute("data-failed"), true);
      }
    });
    request.send(form);
  }

  function uploadAll(files, onlyImages) {
    var position = body.selectionEnd;
    var sent = 0;
    Array.prototype.forEach.call(files, function (file) {
      if (onlyImages && file.type.indexOf("image/") !== 0) return;
      upload(file, position);
      sent += 1;
    });
    return sent;
  }

  body.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data || !data.files || data.files.length === 0) return; // text: the browser pastes it
    if (uploadAll(data.files, true) > 0) event.preventDefault();
  });

  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  body.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    body.classList.add("kb-images__target");
  });
  body.addEventListener("dragleave", function () { body.classList.remove("kb-images__target"); });
  body.addEventListener("drop", function (event) {
    body.classList.remove("kb-images__target");
    if (!carriesFiles(event) || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    body.focus();
    uploadAll(event.dataTransfer.files, false); // whatever was dropped: the server says what it refuses
  });

  button.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    uploadAll(fileInput.files, false);
    fileInput.value = "";
  });
})();
