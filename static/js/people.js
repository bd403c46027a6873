// People picker (ARIA combobox): type the start of a username or of a name, in any script, and
// pick a colleague with the arrows and Enter (Escape closes). On a username field the pick
// fills the field; in a Markdown editor "@" followed by letters offers the same list and the
// pick writes "@username ". Without JavaScript the fields take a typed username as before, and
// the server checks it either way.
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var script = document.currentScript;
  var url = script && script.getAttribute("data-people-url");
  var MENTION_BEFORE_CARET = /(^|[^\w@/.+-])@([^\s@]{1,64})$/;
  var counter = 0;

  function attach(input, wordAtCaret, choose) {
    counter += 1;
    var listbox = document.createElement("ul");
    listbox.id = (input.id || "people-picker") + "-people-" + counter;
    listbox.className = "search-suggest people-picker__list";
    listbox.setAttribute("role", "listbox");
    if (input.labels && input.labels[0]) listbox.setAttribute("aria-label", input.labels[0].textContent);
    listbox.hidden = true;
    if (input.tagName === "TEXTAREA") {
      // The editor keeps its place in the page (drafts and previews find it there): the list
      // opens in the flow right under it.
      listbox.classList.add("people-picker__list--below");
      input.insertAdjacentElement("afterend", listbox);
    } else {
      var wrapper = document.createElement("div");
      wrapper.className = "people-picker";
      input.parentNode.insertBefore(wrapper, input);
      wrapper.appendChild(input);
      wrapper.appendChild(listbox);
    }

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    if (input.tagName === "INPUT") input.setAttribute("autocomplete", "off");

    var timer = null, pending = null, people = [], lastQuery = "";

    var box = window.KnowhowListbox(input, listbox);
    var options = box.options, close = box.close, highlight = box.highlight;

    function pick(index) {
      var person = people[index];
      if (!person) return;
      choose(input, person.username);
      close();
      input.focus();
    }

    function render(found) {
      people = found;
      listbox.textContent = "";
      box.active = -1;
      input.removeAttribute("aria-activedescendant");
      found.forEach(function (person, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.className = "search-suggest__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("bdi");
        name.textContent = person.name;
        var handle = document.createElement("bdi");
        handle.className = "people-picker__username";
        handle.dir = "ltr";
        handle.textContent = "@" + person.username;
        option.appendChild(name);
        option.appendChild(handle);
        if (person.team) {
          var team = document.createElement("bdi");
          team.className = "people-picker__team";
          team.textContent = person.team;
          option.appendChild(team);
        }
        option.addEventListener("click", function () { pick(index); });
        listbox.appendChild(option);
      });
      var open = found.length > 0;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function lookUp(query) {
      if (pending) pending.abort();  // an older, slower answer must not replace a newer one
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal
      }).then(function (response) {
        return response.ok ? response.json() : { people: [] };
      }).then(function (body) {
        if (wordAtCaret(input) === query && document.activeElement === input) render(body.people || []);
      }).catch(function (error) {
        if (error.name !== "AbortError") close();
      });
    }

    input.addEventListener("input", function () {
      var query = wordAtCaret(input);
      clearTimeout(timer);
      if (!query) {
        if (pending) pending.abort();
        close();
        lastQuery = "";
        return;
      }
      if (query === lastQuery && !listbox.hidden) return;
      lastQuery = query;
      timer = setTimeout(function () { lookUp(query); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (listbox.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(box.active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && box.active >= 0) {
        event.preventDefault();
        pick(box.active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });

    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function fieldText(input) { return input.value.trim().replace(/^@/, "").slice(0, 64); }

  function fillField(input, username) { input.value = username; }

  function mentionAtCaret(textarea) {
    if (textarea.selectionStart !== textarea.selectionEnd) return "";
    var match = MENTION_BEFORE_CARET.exec(textarea.value.slice(Math.max(0, textarea.selectionStart - 80),
                                                               textarea.selectionStart));
    return match ? match[2] : "";
  }

  function writeMention(textarea, username) {
    var caret = textarea.selectionStart;
    var typed = mentionAtCaret(textarea);
    var start = caret - typed.length;
    textarea.setRangeText(username + " ", start, caret, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  if (!url || !window.fetch || !window.AbortController) return;
  document.querySelectorAll("input[data-people-picker]").forEach(function (input) {
    attach(input, fieldText, fillField);
  });
  document.querySelectorAll("textarea[data-mentions]").forEach(function (textarea) {
    attach(textarea, mentionAtCaret, writeMention);
  });
})();
