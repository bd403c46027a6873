// The ask page: as the title is typed, list similar articles and questions so that agents find
// an existing answer instead of asking again. Without JavaScript the "Look for similar
// questions" button asks the server for the same list.
(function () {
  "use strict";

  var title = document.querySelector("input[data-similar-url]");
  var panel = document.getElementById("q-similar");
  if (!title || !panel) return;
  var list = panel.querySelector("[data-similar-list]");
  var labels = document.getElementById("q-similar-labels");
  var url = title.getAttribute("data-similar-url");
  var timer = null;
  var latest = 0;
  var lastQuery = null;
  var MIN_CHARS = 3;

  function typeLabel(type) {
    return (labels && labels.getAttribute("data-" + type)) || type;
  }

  function showMessage(text) {
    list.textContent = "";
    var item = document.createElement("li");
    item.className = "muted";
    item.textContent = text;
    list.appendChild(item);
  }

  function showResults(results) {
    if (!results.length) {
      showMessage(panel.getAttribute("data-none-label"));
      return;
    }
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var badge = document.createElement("span");
      badge.className = "badge-pill";
      badge.textContent = typeLabel(result.type);
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.setAttribute("dir", "auto");
      if (result.lang) link.setAttribute("lang", result.lang);
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function lookUp() {
    var query = title.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < MIN_CHARS) {
      showMessage(panel.getAttribute("data-empty-label"));
      return;
    }
    var requestNumber = ++latest;
    panel.setAttribute("aria-busy", "true");
    var separator = url.indexOf("?") === -1 ? "?" : "&";
    fetch(url + separator + "q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("similar: " + response.status);
      return response.json();
    }).then(function (data) {
      if (requestNumber !== latest) return; // an older answer arriving late
      showResults((data && data.results) || []);
    }).catch(function () {
      if (requestNumber === latest) showMessage(panel.getAttribute("data-error-label"));
    }).then(function () {
      if (requestNumber === latest) panel.removeAttribute("aria-busy");
    });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  });
  if (title.value.trim() && !list.children.length) lookUp();
})();
