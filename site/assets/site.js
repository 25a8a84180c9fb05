// Theme toggle, tree collapse/expand, sortable and filterable tables. No other host is contacted.
(function () {
  "use strict";
  var root = document.documentElement;

  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(isDark()));
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("kb-theme", next); } catch (e) { /* not remembered */ }
      toggle.setAttribute("aria-pressed", String(next === "dark"));
    });
  }

  document.querySelectorAll("[data-tree]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-tree") === "expand";
      var section = button.closest("section") || document;
      section.querySelectorAll("details").forEach(function (d) { d.open = open; });
    });
  });

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-value") || cell.textContent.trim();
    return numeric ? parseFloat(v) || 0 : v.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = th.querySelector("button[data-sort]");
      if (!button) return;
      button.addEventListener("click", function () {
        var numeric = button.getAttribute("data-sort") === "num";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // Maps shrink to the page down to MIN_SCALE, past which they scroll sideways; a box that
  // scrolls shows a fade at the edge with more to see, and the cue below it.
  var MIN_SCALE = 0.75;
  function fitMaps() {
    document.querySelectorAll(".map-scroll > svg.argmap").forEach(function (svg) {
      var natural = svg.width.baseVal.value, room = svg.parentNode.clientWidth - 16;
      if (!natural) return;
      var wide = natural * MIN_SCALE > room;
      svg.style.maxWidth = wide ? "none" : "";
      svg.style.width = wide ? Math.round(natural * MIN_SCALE) + "px" : "";
    });
  }
  function cues() {
    document.querySelectorAll(".scroll-box").forEach(function (box) {
      var inner = box.firstElementChild, cue = box.nextElementSibling;
      if (!inner) return;
      var over = inner.scrollWidth > inner.clientWidth + 1;
      box.classList.toggle("overflows", over);
      box.classList.toggle("at-start", inner.scrollLeft <= 1);
      box.classList.toggle("at-end", inner.scrollLeft + inner.clientWidth >= inner.scrollWidth - 1);
      if (cue && cue.classList.contains("scroll-cue")) cue.hidden = !over;
    });
  }
  fitMaps();
  cues();
  window.addEventListener("resize", function () { fitMaps(); cues(); });
  document.querySelectorAll(".scroll-box").forEach(function (box) {
    if (box.firstElementChild) box.firstElementChild.addEventListener("scroll", cues, { passive: true });
  });

  // Wide argument maps open centred on their focus claim.
  document.querySelectorAll(".map-scroll").forEach(function (box) {
    var focus = box.querySelector(".focus");
    if (!focus || box.scrollWidth <= box.clientWidth) return;
    var b = box.getBoundingClientRect(), f = focus.getBoundingClientRect();
    box.scrollLeft += f.left + f.width / 2 - (b.left + b.width / 2);
  });

  var filters = document.getElementById("claim-filters");
  if (filters) {
    var table = document.getElementById(filters.getAttribute("data-table"));
    var apply = function () {
      var text = filters.elements.text.value.trim().toLowerCase();
      var kind = filters.elements.kind.value, tag = filters.elements.tag.value;
      var standing = filters.elements.standing.value;
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = (!text || row.textContent.toLowerCase().indexOf(text) >= 0) &&
          (!kind || row.getAttribute("data-kind") === kind) &&
          (!tag || (" " + row.getAttribute("data-tags") + " ").indexOf(" " + tag + " ") >= 0) &&
          (!standing || row.getAttribute("data-standing") === standing);
        row.hidden = !ok;
        if (ok) shown++;
      });
      filters.elements.shown.value = shown + " shown";
    };
    filters.addEventListener("input", apply);
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
  }
})();
