// Search with Pagefind's JavaScript API; explains itself when the page is opened from disk.
// A classic script (module scripts do not run from file://), loading Pagefind by import().
(function () {
"use strict";
const here = document.currentScript.src;
const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const offline = document.getElementById("search-offline");
const params = new URLSearchParams(location.search);
for (const name of ["q", "type", "kind", "tag", "side"]) {
  if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
}

let pagefind = null;
async function load() {
  if (location.protocol === "file:") throw new Error("file");
  // The index is split into shards (see shards.json); the first one loads, the others merge in.
  const base = new URL("../pagefind/", here);
  const state = await (await fetch(new URL("shards.json", base))).json();
  const pf = await import(new URL(state.shards[0] + "pagefind.js", base).href);
  await pf.options({ excerptLength: 24 });
  for (const shard of state.shards.slice(1)) {
    await pf.mergeIndex(new URL(shard, base).pathname, { excerptLength: 24 });
  }
  pagefind = pf;
  return pagefind;
}

const PAGE = 20;
let found = [];  // every result of the current search, loaded a page at a time
let shown = 0;
let lastQuery = "";
const more = document.createElement("button");
more.type = "button";
more.className = "btn show-more";
more.hidden = true;
list.after(more);

function item(r) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = r.url;  // Pagefind resolves it against the folder it was loaded from
  a.textContent = (r.meta && r.meta.title) || r.url;
  li.appendChild(a);
  const type = r.filters && r.filters.type ? r.filters.type[0] : "";
  if (type) {
    const t = document.createElement("span");
    t.className = "kind"; t.textContent = type;
    li.append(" ", t);
  }
  const p = document.createElement("p");
  p.className = "excerpt";
  // Pagefind escapes the page text and only adds <mark> around matches.
  p.innerHTML = r.excerpt;
  li.appendChild(p);
  return li;
}

function describe() {
  const total = found.length, q = lastQuery ? "“" + lastQuery + "”" : "these filters";
  status.textContent = total ? total + " result" + (total === 1 ? "" : "s") + " for " + q +
    (total > shown ? ", " + shown + " shown" : "") : "Nothing found for " + q + ".";
  more.hidden = shown >= total;
  more.textContent = "Show " + Math.min(PAGE, total - shown) + " more (of " + (total - shown) + " left)";
}

async function showMore(mine) {
  const next = found.slice(shown, shown + PAGE);
  const data = await Promise.all(next.map((r) => r.data()));
  if (mine !== counter) return;
  const first = list.children.length;
  for (const r of data) list.appendChild(item(r));
  shown += data.length;
  describe();
  if (first && list.children[first]) list.children[first].querySelector("a").focus();
}

let counter = 0;
async function run() {
  const query = form.elements.q.value.trim();
  const filters = {};
  for (const name of ["type", "kind", "tag", "side"]) {
    if (form.elements[name].value) filters[name] = form.elements[name].value;
  }
  if (!query && !Object.keys(filters).length) { list.textContent = ""; more.hidden = true; status.textContent = "Type a word to search."; return; }
  const mine = ++counter;
  status.textContent = "Searching…";
  try {
    const pf = pagefind || (await load());
    const search = await pf.search(query || null, { filters });
    if (mine !== counter) return;
    found = search.results; shown = 0; lastQuery = query;
    list.textContent = "";
    await showMore(mine);
  } catch (err) {
    status.textContent = "";
    offline.hidden = false;
  }
}

more.addEventListener("click", () => showMore(counter));
form.addEventListener("submit", (e) => { e.preventDefault(); history.replaceState(null, "", "?q=" + encodeURIComponent(form.elements.q.value)); run(); });
form.addEventListener("input", () => run());
if (location.protocol === "file:") { offline.hidden = false; status.textContent = ""; }
else if (form.elements.q.value) run();
else status.textContent = "Type a word to search.";
})();
