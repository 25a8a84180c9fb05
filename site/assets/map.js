// Pan, zoom, filter and highlight on the build-time SVG map of the whole debate.
(function () {
  "use strict";
  var stage = document.getElementById("map-stage");
  var svg = stage && stage.querySelector("svg");
  if (!svg) return;
  var full = svg.viewBox.baseVal;
  var box = { x: full.x, y: full.y, w: full.width, h: full.height };
  var home = { x: box.x, y: box.y, w: box.w, h: box.h };
  function show() {
    svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].join(" "));
    svg.classList.toggle("far", box.w > 1800);
  }
  function zoom(factor, cx, cy) {
    var nw = Math.min(home.w * 4, Math.max(120, box.w * factor));
    var f = nw / box.w;
    cx = cx === undefined ? box.x + box.w / 2 : cx;
    cy = cy === undefined ? box.y + box.h / 2 : cy;
    box = { x: cx - (cx - box.x) * f, y: cy - (cy - box.y) * f, w: box.w * f, h: box.h * f };
    show();
  }
  function toSvg(evt) {
    var r = svg.getBoundingClientRect();
    var scale = Math.max(box.w / r.width, box.h / r.height);
    var ox = (r.width * scale - box.w) / 2, oy = 0;
    return { x: box.x - ox + (evt.clientX - r.left) * scale, y: box.y - oy + (evt.clientY - r.top) * scale, s: scale };
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toSvg(evt);
    zoom(evt.deltaY > 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, { passive: false });
  var drag = null, moved = false;
  svg.addEventListener("pointerdown", function (evt) {
    if (evt.button !== 0) return;
    drag = { x: evt.clientX, y: evt.clientY, box: { x: box.x, y: box.y }, s: toSvg(evt).s };
    moved = false;
  });
  window.addEventListener("pointermove", function (evt) {
    if (!drag) return;
    var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) { moved = true; stage.classList.add("dragging"); }
    box.x = drag.box.x - dx * drag.s; box.y = drag.box.y - dy * drag.s; show();
  });
  window.addEventListener("pointerup", function () { drag = null; stage.classList.remove("dragging"); });
  svg.addEventListener("click", function (evt) { if (moved) { evt.preventDefault(); moved = false; } }, true);
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var z = b.getAttribute("data-zoom");
      if (z === "in") zoom(1 / 1.5); else if (z === "out") zoom(1.5);
      else fit();
    });
  });

  show();
  // A stage no taller than the map drawn across its width: on a phone, no empty band below.
  function size() {
    stage.style.height = "";
    var fitted = stage.clientWidth * home.h / home.w + 2;
    if (fitted < stage.clientHeight) stage.style.height = Math.max(fitted, 240) + "px";
  }
  size();
  window.addEventListener("resize", size);
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node"));
  // Fit shows the nodes the filters keep (all of them when none is set), with a margin.
  function fit() {
    var kept = nodes.filter(function (n) { return !n.classList.contains("dim"); });
    if (!kept.length || kept.length === nodes.length) { box = { x: home.x, y: home.y, w: home.w, h: home.h }; show(); return; }
    var inv = svg.getScreenCTM().inverse(), x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    kept.forEach(function (n) {
      var r = n.getBoundingClientRect();
      [[r.left, r.top], [r.right, r.bottom]].forEach(function (c) {
        var p = svg.createSVGPoint(); p.x = c[0]; p.y = c[1];
        p = p.matrixTransform(inv);
        x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
      });
    });
    var pad = 30, w = Math.max(x2 - x1 + 2 * pad, 240), h = Math.max(y2 - y1 + 2 * pad, 160);
    box = { x: (x1 + x2) / 2 - w / 2, y: (y1 + y2) / 2 - h / 2, w: w, h: h };
    show();
  }
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var form = document.getElementById("map-filters");
  function has(list, value) { return (" " + (list || "") + " ").indexOf(" " + value + " ") >= 0; }
  // The map of questions (a large KB's) has only the find box; its nodes are groups of claims.
  var unit = { groups: "discs", questions: "questions" }[svg.getAttribute("data-unit")] || "claims";
  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function apply() {
    var q = value("q"), tag = value("tag"), side = value("side");
    var find = value("find").trim().toLowerCase();
    var visible = {}, count = 0;
    nodes.forEach(function (n) {
      // A question's claims are listed in its group below the map: the find box reads them too.
      var group = document.getElementById("g-" + n.getAttribute("data-id"));
      var title = group && unit === "questions" ? group : n.querySelector("title");
      var ok = (!q || has(n.getAttribute("data-q"), q)) && (!tag || has(n.getAttribute("data-tags"), tag)) &&
        (!side || has(n.getAttribute("data-side"), side)) &&
        (!find || (title && title.textContent.toLowerCase().indexOf(find) >= 0));
      n.classList.toggle("dim", !ok);
      n.classList.toggle("hl", Boolean(find) && ok);
      if (ok) { visible[n.getAttribute("data-id")] = true; count++; }
    });
    edges.forEach(function (e) {
      e.classList.toggle("dim", !(visible[e.getAttribute("data-from")] && visible[e.getAttribute("data-to")]));
    });
    form.elements.shown.value = count + " of " + nodes.length + " " + unit;
  }
  if (form) {
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }
  // A question's box opens the list of its claims below the map.
  function openGroup() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  window.addEventListener("hashchange", openGroup);
  openGroup();
  function highlight(id, on) {
    edges.forEach(function (e) {
      if (e.getAttribute("data-from") === id || e.getAttribute("data-to") === id) e.classList.toggle("hl", on);
    });
  }
  nodes.forEach(function (n) {
    var id = n.getAttribute("data-id");
    n.addEventListener("mouseenter", function () { highlight(id, true); });
    n.addEventListener("mouseleave", function () { highlight(id, false); });
    n.addEventListener("focus", function () { highlight(id, true); });
    n.addEventListener("blur", function () { highlight(id, false); });
  });
})();
