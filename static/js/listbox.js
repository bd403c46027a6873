// The list of a combobox (ARIA), shared by search-as-you-type (search.js) and the people picker
// (people.js): which option is active, moving through the options with the arrows, closing.
(function () {
  "use strict";

  window.KnowhowListbox = function (input, listbox) {
    var box = { active: -1 };

    box.options = function () { return listbox.querySelectorAll("[role=option]"); };

    box.close = function () {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      box.active = -1;
    };

    box.highlight = function (index) {
      var items = box.options();
      if (!items.length) return;
      box.active = (index + items.length) % items.length;
      items.forEach(function (item, position) {
        item.setAttribute("aria-selected", position === box.active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[box.active].id);
      items[box.active].scrollIntoView({ block: "nearest" });
    };

    return box;
  };
})();
