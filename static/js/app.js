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

  // The header's menu button folds the navigation away on narrow screens (CSS hides the nav
  // while aria-expanded is false). Without JavaScript the button stays hidden and the links show.
  var menuButton = document.querySelector(".menu-button[aria-controls]");
  var menu = menuButton && document.getElementById(menuButton.getAttribute("aria-controls"));
  if (menuButton && menu) {
    var setMenuOpen = function (open) {
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    };
    menuButton.hidden = false;
    menuButton.addEventListener("click", function () {
      setMenuOpen(menuButton.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || menuButton.getAttribute("aria-expanded") !== "true") return;
      if (!menu.contains(document.activeElement) && document.activeElement !== menuButton) return;
      setMenuOpen(false);
      menuButton.focus();
    });
    // A click elsewhere on the page closes it too.
    document.addEventListener("click", function (event) {
      if (menuButton.getAttribute("aria-expanded") === "true" &&
          !menu.contains(event.target) && !menuButton.contains(event.target)) setMenuOpen(false);
    });
  }

  // A table wider than the screen scrolls in its own box; the box takes the keyboard focus so
  // that it can be scrolled with the arrow keys too.
  var markScrollable = function () {
    document.querySelectorAll(".table-wrap, .prose table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);

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
