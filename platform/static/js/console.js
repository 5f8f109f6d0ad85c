/* The operator console (Django's admin): names for form fields that Django's widgets leave
   unnamed, so that screen readers announce them (WCAG 1.3.1, 4.1.2).
   - tabular inlines: each cell's field is named by its column's heading;
   - split date/time fields: each input by the text before it ("Datum:", "Zeit:");
   - the filter icon of the two-list selector carries its hint as a label, on a span without a
     role (not allowed): it becomes an image with that label. */
(function () {
  "use strict";
  function name(element, text) {
    text = (text || "").replace(/[:\s]+$/, "").trim();
    if (text && !element.labels.length && !element.hasAttribute("aria-label")) {
      element.setAttribute("aria-label", text);
    }
  }
  function label() {
    document.querySelectorAll(".tabular table").forEach(function (table) {
      var headings = table.querySelectorAll("thead th");
      table.querySelectorAll("tbody td").forEach(function (cell) {
        var column = Array.prototype.find.call(cell.classList, function (c) {
          return c.indexOf("field-") === 0;
        });
        var heading = column
          ? table.querySelector("thead th.column-" + column.slice(6))
          : cell.classList.contains("delete") && headings[headings.length - 1];
        if (!heading) return;
        cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
          name(field, heading.textContent);
        });
      });
    });
    document.querySelectorAll("p.datetime input").forEach(function (field) {
      var before = field.previousSibling;
      while (before && before.nodeType !== Node.TEXT_NODE) before = before.previousSibling;
      name(field, before ? before.textContent : "");
    });
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
  } else {
    label();
  }
  // SelectFilter2 builds its widgets on window load, after this script ran.
  window.addEventListener("load", label);
})();
