// Search-as-you-type for the header box (ARIA combobox) and arrow keys on the results page.
// Without JavaScript the header form simply submits to the results page.
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var MIN_CHARS = 2;

  function setUpSuggestions(input) {
    var url = input.getAttribute("data-suggest-url");
    if (!url) return;
    var form = input.form;
    var listbox = document.createElement("ul");
    listbox.id = input.id + "-suggestions";
    listbox.className = "search-suggest";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
    listbox.hidden = true;
    form.appendChild(listbox);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    var timer = null;
    var pending = null;
    var lastQuery = "";

    var box = window.KnowhowListbox(input, listbox);
    var options = box.options, close = box.close, highlight = box.highlight;

    function render(results) {
      listbox.textContent = "";
      box.active = -1;
      input.removeAttribute("aria-activedescendant");
      results.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.className = "search-suggest__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var kind = document.createElement("span");
        kind.className = "search-suggest__kind search-suggest__kind--" + result.type;
        kind.setAttribute("aria-hidden", "true");
        var link = document.createElement("a");
        link.href = result.url;
        link.tabIndex = -1;
        link.dir = "auto";
        link.textContent = result.title;
        option.appendChild(kind);
        option.appendChild(link);
        listbox.appendChild(option);
      });
      var open = results.length > 0;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function fetchSuggestions(query) {
      if (pending) pending.abort();  // a slower, older answer must not overwrite a newer one
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (body) {
        if (input.value.trim() === query && document.activeElement === input) render(body.results || []);
      }).catch(function (error) {
        if (error.name !== "AbortError") close();
      });
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      clearTimeout(timer);
      if (query.length < MIN_CHARS) {
        if (pending) pending.abort();
        close();
        lastQuery = query;
        return;
      }
      if (query === lastQuery) return;
      lastQuery = query;
      timer = setTimeout(function () { fetchSuggestions(query); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) {
          if (event.key === "ArrowDown" && focusResult(0)) event.preventDefault();
          return;
        }
        event.preventDefault();
        highlight(box.active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && box.active >= 0) {
        event.preventDefault();
        window.location.assign(options()[box.active].querySelector("a").href);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });

    // Keep focus in the box when an option is clicked; the link then navigates.
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function resultLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-search-result]"));
  }

  function focusResult(index) {
    var links = resultLinks();
    if (!links.length) return false;
    links[Math.max(0, Math.min(index, links.length - 1))].focus();
    return true;
  }

  // On the results page, arrows move between results (Enter opens the focused one natively).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var links = resultLinks();
    var position = links.indexOf(document.activeElement);
    if (position < 0) return;
    event.preventDefault();
    if (event.key === "ArrowUp" && position === 0) {
      var box = document.getElementById("site-search");
      if (box) box.focus();
      return;
    }
    focusResult(position + (event.key === "ArrowDown" ? 1 : -1));
  });

  var input = document.getElementById("site-search");
  if (input && window.fetch && window.AbortController) setUpSuggestions(input);
})();
