// "Where these two disagree": compares two actors' stances from the page's JSON data.
(function () {
  "use strict";
  var el = document.getElementById("matrix-data");
  var form = document.getElementById("pair-form");
  var out = document.getElementById("pair-result");
  if (!el || !form || !out) return;
  var data = JSON.parse(el.textContent);
  var verbs = { asserts: "agrees", denies: "disagrees", qualifies: "qualifies" };
  function link(id) {
    var a = document.createElement("a");
    a.href = "claim/" + id + ".html";
    a.textContent = data.claims[id] || id;
    return a;
  }
  function section(title, rows, a, b) {
    var wrap = document.createElement("div");
    var h = document.createElement("h3");
    h.textContent = title + " (" + rows.length + ")";
    wrap.appendChild(h);
    if (!rows.length) {
      var p = document.createElement("p"); p.className = "muted"; p.textContent = "None."; wrap.appendChild(p);
      return wrap;
    }
    var ul = document.createElement("ul"); ul.className = "plain-list";
    rows.forEach(function (c) {
      var li = document.createElement("li");
      li.appendChild(link(c));
      var s = document.createElement("span"); s.className = "muted";
      s.textContent = " — " + data.actors[a] + " " + verbs[data.positions[a][c]] + ", " +
        data.actors[b] + " " + verbs[data.positions[b][c]];
      li.appendChild(s); ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }
  function compare() {
    var a = form.elements.a.value, b = form.elements.b.value;
    out.textContent = "";
    if (a === b) { out.textContent = "Pick two different actors."; return; }
    var pa = data.positions[a] || {}, pb = data.positions[b] || {};
    var shared = Object.keys(pa).filter(function (c) { return c in pb; }).sort();
    var byCrux = function (x, y) { return (data.crux[y] || 0) - (data.crux[x] || 0) || (x < y ? -1 : 1); };
    var opposed = shared.filter(function (c) { return pa[c] !== pb[c] && pa[c] !== "qualifies" && pb[c] !== "qualifies"; }).sort(byCrux);
    var partly = shared.filter(function (c) { return pa[c] !== pb[c] && (pa[c] === "qualifies" || pb[c] === "qualifies"); });
    var agree = shared.filter(function (c) { return pa[c] === pb[c]; });
    out.appendChild(section("They disagree", opposed, a, b));
    out.appendChild(section("One qualifies what the other holds", partly, a, b));
    out.appendChild(section("They agree", agree, a, b));
    // Each actor's page lists whom they agree and disagree with most.
    var more = document.createElement("p");
    more.append("More on each: ");
    [a, b].forEach(function (id, i) {
      var link = document.createElement("a");
      link.href = "actor/" + id + ".html";
      link.textContent = data.actors[id] || id;
      if (i) more.append(" · ");
      more.appendChild(link);
    });
    out.appendChild(more);
    // Their exchanges as threads, where the site has a page of them.
    var thread = (data.exchanges || {})[[a, b].sort().join(" ")];
    if (thread) {
      var p = document.createElement("p"), t = document.createElement("a");
      t.href = thread;
      t.textContent = "Read their exchanges, reply by reply";
      p.appendChild(t);
      out.appendChild(p);
    }
  }
  form.addEventListener("change", compare);
  // Disagreements come first by crux score: the claims that matter most to the debate.
  form.addEventListener("submit", function (e) { e.preventDefault(); compare(); });
  compare();
})();
