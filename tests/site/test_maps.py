"""Argument maps and the whole-debate map: layouts, the map of questions, escaping, rebuilds."""

from __future__ import annotations

import random
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.site import map_argument, maps
from kb.site.memos import Memos

sys.path.insert(0, str(Path(__file__).parent))


SIZE = (maps.NODE_W, 46.0)


def _boxes_overlap(pos: dict, sizes: dict) -> bool:
    items = sorted(pos)
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            (xa, ya), (wa, ha) = pos[a], sizes[a]
            (xb, yb), (wb, hb) = pos[b], sizes[b]
            if abs(xa - xb) < (wa + wb) / 2 and abs(ya - yb) < (ha + hb) / 2:
                return True
    return False


def test_a_conclusion_sits_centred_above_its_premises() -> None:
    # c is supported by p1 and p2; edges go from the conclusion to its premise.
    sizes = {n: SIZE for n in ("c", "p1", "p2")}
    pos = maps.layout(["c", "p1", "p2"], [("c", "p1"), ("c", "p2")], sizes)
    assert pos["p1"][1] == pos["p2"][1] > pos["c"][1]
    assert pos["c"][0] == (pos["p1"][0] + pos["p2"][0]) / 2
    # Side by side, one gap apart, from the top-left corner.
    assert abs(pos["p1"][0] - pos["p2"][0]) == maps.NODE_W + maps.XSPACE
    assert min(pos[n][0] - sizes[n][0] / 2 for n in pos) == 0
    assert pos["c"][1] == SIZE[1] / 2
    assert pos["p1"][1] == SIZE[1] + maps.YSPACE + SIZE[1] / 2


def test_a_shared_premise_goes_between_its_conclusions() -> None:
    # a <- x, a <- m, b <- m, b <- y: m supports both, so the order x m y has no crossing.
    nodes = ["a", "b", "m", "x", "y"]
    sizes = {n: SIZE for n in nodes}
    pos = maps.layout(nodes, [("a", "x"), ("a", "m"), ("b", "m"), ("b", "y")], sizes)
    order = sorted(["x", "m", "y"], key=lambda n: pos[n][0])
    assert order in (["x", "m", "y"], ["y", "m", "x"])
    assert (pos["a"][0] < pos["b"][0]) == (order[0] == "x")


def test_a_cycle_is_laid_out_by_grandalf() -> None:
    succ = {"a": ["b"], "b": ["c"], "c": ["a"]}
    sizes = {n: SIZE for n in "abc"}
    assert maps._layered(["a", "b", "c"], succ, sizes) is None
    pos = maps.layout(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")], sizes)
    assert set(pos) == {"a", "b", "c"} and not _boxes_overlap(pos, sizes)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=18).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
            st.lists(st.integers(1, 4), min_size=n, max_size=n),
        )
    )
)
def test_layered_layouts_keep_boxes_apart_and_links_downward(case: tuple) -> None:
    n, pairs, lines = case
    nodes = [f"n{i}" for i in range(n)]
    # Acyclic by construction: a link always goes from a lower to a higher number.
    edges = [(f"n{min(a, b)}", f"n{max(a, b)}") for a, b in pairs if a != b]
    sizes = {f"n{i}": (maps.NODE_W, 16.0 + 15 * lines[i]) for i in range(n)}
    pos = maps.layout(nodes, edges, sizes)
    assert set(pos) == set(nodes)
    assert not _boxes_overlap(pos, sizes)
    for a, b in edges:
        assert pos[a][1] < pos[b][1]  # every conclusion above its premise
    assert pos == maps.layout(list(nodes), list(edges), dict(sizes))
    assert min(pos[v][0] - sizes[v][0] / 2 for v in nodes) > -1e-9
    assert min(pos[v][1] - sizes[v][1] / 2 for v in nodes) > -1e-9


def test_labels_wrap_to_four_lines_with_an_ellipsis() -> None:
    text = "word " * 40
    lines = maps._wrap(text)
    assert len(lines) == maps.MAX_LINES and lines[-1].endswith("…")
    assert all(len(line) <= maps.LINE_CHARS for line in lines)
    assert maps._wrap("Short  claim\n text.") == ("Short claim text.",)
    assert maps._wrap(text) == lines


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), unique=True, max_size=20))
def test_crossings_between_layers_match_a_pairwise_count(links: list) -> None:
    upper = [f"u{i}" for i in range(6)]
    pos = {**{f"u{i}": i for i in range(6)}, **{f"l{i}": i for i in range(6)}}
    down = {u: [f"l{b}" for a, b in links if f"u{a}" == u] for u in upper}
    brute = sum(
        1
        for a, b in links
        for c, d in links
        if a < c and b > d  # two links cross when their ends are in opposite orders
    )
    assert maps._crossings(upper, down, pos) == brute


# The whole-debate map ---------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent.parent


def test_the_array_force_layout_matches_networkx_loop() -> None:
    import networkx as nx

    rng = random.Random(3)
    n = maps.DENSE_SPRING_FROM  # from here networkx runs its per-node loop, and we the arrays
    nodes = [f"c{i}" for i in range(n)]
    edges = [(f"c{i}", f"c{rng.randrange(i)}") for i in range(1, n) for _ in range(2)]
    ours = maps._spring(nodes, edges)
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    raw = nx.spring_layout(g, seed=7, iterations=maps.SPRING_ITERATIONS, method="force")
    xs, ys = [float(raw[v][0]) for v in nodes], [float(raw[v][1]) for v in nodes]
    span = 110.0 * n**0.5
    for v, x, y in zip(nodes, xs, ys, strict=True):
        want = (
            (x - min(xs)) / (max(xs) - min(xs)) * span,
            (y - min(ys)) / (max(ys) - min(ys)) * span,
        )
        assert abs(ours[v][0] - want[0]) <= 0.11 and abs(ours[v][1] - want[1]) <= 0.11, v
    assert ours == maps._spring(list(nodes), list(edges))


def _cell(group: dict) -> tuple[float, float, float, float]:
    """Return the box a placed group's disc and label take: left, top, right, bottom."""
    half = max(group["r"], maps.GROUP_LABEL_W / 2)
    return (
        group["x"] - half,
        group["y"] - group["r"],
        group["x"] + half,
        group["y"] + group["r"] + maps.GROUP_LABEL_H,
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(1, 600), min_size=1, max_size=40).flatmap(
        lambda sizes: st.tuples(
            st.just(sizes),
            st.lists(
                st.tuples(st.integers(0, len(sizes) - 1), st.integers(0, len(sizes) - 1)),
                max_size=80,
            ),
        )
    )
)
def test_groups_are_packed_apart_in_order_and_deterministically(case: tuple) -> None:
    sizes, links = case
    groups = {f"g{i:02d}": {"id": f"g{i:02d}", "claims": n} for i, n in enumerate(sizes)}
    pairs: dict[tuple[str, str], list[int]] = {}
    for a, b in links:
        if a != b:
            key = (f"g{min(a, b):02d}", f"g{max(a, b):02d}")
            pairs.setdefault(key, [0] * 6)[0] += 1
    order = maps._group_order(groups, pairs)
    assert sorted(order) == sorted(groups)  # every group once
    places, width, height = maps._shelf_pack(order, groups)
    assert (places, width, height) == maps._shelf_pack(list(order), dict(groups))
    placed = [
        {"x": x, "y": y, "r": maps.group_radius(groups[g]["claims"])}
        for g, (x, y) in places.items()
    ]
    boxes = [_cell(g) for g in placed]
    for i, (l1, t1, r1, b1) in enumerate(boxes):
        assert l1 >= -0.1 and t1 >= -0.1 and r1 <= width + 0.1 and b1 <= height + 0.1
        for l2, t2, r2, b2 in boxes[i + 1 :]:
            assert r1 <= l2 + 0.1 or r2 <= l1 + 0.1 or b1 <= t2 + 0.1 or b2 <= t1 + 0.1
    # Breadth-first from the largest: a group linked to the first comes before any that is not.
    first = order[0]
    assert groups[first]["claims"] == max(sizes)
    linked = {b if a == first else a for a, b in pairs if first in (a, b)}
    assert set(order[1 : 1 + len(linked)]) == linked


def test_the_most_attacked_groups_are_ringed_by_rank() -> None:
    # Twenty groups of one claim receiving 1..20 attacks, two of none: 5% of the 20 attacked is
    # one group, 10% two more, 20% four more.
    groups = [{"id": f"g{i:02d}", "claims": 1, "attacks_in": i} for i in range(1, 21)]
    groups += [
        {"id": "calm", "claims": 3, "attacks_in": 0},
        {"id": "tie", "claims": 2, "attacks_in": 40},
    ]
    heats = maps._heats(groups)
    assert heats["tie"] == heats["g20"] == 3  # 20 per claim each: equal rates, equal heat
    assert [heats[f"g{i:02d}"] for i in range(20, 0, -1)] == [3, 2, 2, 1, 1, 1, 1] + [0] * 13
    assert heats["calm"] == 0


def test_a_pie_is_cut_clockwise_from_the_top() -> None:
    half = maps._pie(10, [("pro", 1), ("con", 1), ("mixed", 0)])
    assert half == (
        '<path class="s-pro" d="M0 0L0 -10A10 10 0 0 1 0 10z"/>'
        '<path class="s-con" d="M0 0L0 10A10 10 0 0 1 0 -10z"/>'
    )
    three = maps._pie(10, [("pro", 3), ("con", 1)])
    assert 'class="s-pro" d="M0 0L0 -10A10 10 0 1 1 -10 0z"' in three  # the large arc
    assert maps._pie(4, [("none", 5)]) == '<circle class="s-none" r="4"/>'


def _group_site(monkeypatch: Any) -> Any:
    """Return the bundled content's Site with its map drawn as the map of questions."""
    from kb.build import make_site
    from kb.check.entry import load_kb

    monkeypatch.setattr(maps, "GROUP_MAP_ABOVE", 50)
    return make_site(load_kb(REPO / "claims"), use_git=False)


def test_the_map_of_questions_reaches_every_claim(monkeypatch: Any) -> None:
    from kb.site.families.questions import question_page
    from kb.site.families.tags import tag_page
    from kb.site.paths import Paths

    site = _group_site(monkeypatch)
    kb = site.kb
    html = site.page("map.html").render()
    assert html == _group_site(monkeypatch).page("map.html").render()
    svg = ET.fromstring(re.search(r"<svg class=\"argmap overview groups\".*?</svg>", html).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    hrefs = [a.get("href") for a in svg.iter(ns + "a")]
    assert len(hrefs) == len(site.overview["groups"]) == len(set(hrefs))
    assert sum(g["claims"] for g in site.overview["groups"]) == len(kb.claims)
    assert 'href="claims.html"' in html  # every claim, listed
    # Every claim is listed on the page its disc links to: its question's, else its tag's.
    reached: set[str] = set()
    for href in hrefs:
        kind, name = href.split("/")[0], href.split("/")[-1].removesuffix(".html")
        if kind == "question":
            page = question_page(site, name)
        else:
            tag = next(t for t in site.tags if Paths.tag(t) == href)
            page = tag_page(site, tag)
        reached |= set(re.findall(r'href="\.\./claim/([^"]+)\.html"', page))
    on_none = {c for c in kb.claims if not site.claim_sides.get(c) and not kb.claims[c].tags}
    assert reached | on_none == set(kb.claims)
    # No two discs with their labels overlap.
    boxes = [_cell(g) for g in site.overview["groups"]]
    for i, (l1, t1, r1, b1) in enumerate(boxes):
        for l2, t2, r2, b2 in boxes[i + 1 :]:
            assert r1 <= l2 + 0.1 or r2 <= l1 + 0.1 or b1 <= t2 + 0.1 or b2 <= t1 + 0.1


def test_the_map_of_questions_counts_links_between_questions(monkeypatch: Any) -> None:
    site = _group_site(monkeypatch)
    model = site.overview
    group_of = {}
    for cid in site.kb.claims:
        sides = site.claim_sides.get(cid)
        tags = site.kb.claims[cid].tags
        group_of[cid] = "q:" + sides[0][0] if sides else "t:" + min(tags) if tags else "other"
    counts: dict[tuple[str, str], int] = {}
    for e in maps._map_edges(site.kb, site.graph, set(site.kb.claims)):  # the old way
        a, b = group_of[e["from"]], group_of[e["to"]]
        if a != b:
            counts[min(a, b), max(a, b)] = counts.get((min(a, b), max(a, b)), 0) + 1
    assert model["pairs"] == len(counts)
    assert {(a, b): sum(c) for a, b, c in model["edges"]} == dict(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: maps.MAX_GROUP_LINKS]
    ) or len(counts) > maps.MAX_GROUP_LINKS


def test_the_map_of_questions_escapes_every_text() -> None:
    evil = '</title><script>alert("x")</script>&amp;\'"'
    group = {
        "id": 'q:a"b<c',
        "kind": "question",
        "title": evil,
        "href": 'question/x".html',
        "claims": 3,
        "sides": {"pro": 1, "con": 1, "mixed": 1, "none": 0},
        "labels": dict.fromkeys(maps.GROUP_LABELS, 0),
        "attacks_in": 1,
        "supports_in": 0,
        "inner": 0,
        "x": 100.0,
        "y": 50.0,
        "r": 12.9,
        "heat": 3,
    }
    other = {**group, "id": "t:<b>", "href": "tag/b.html", "x": 300.0}
    model = {
        "claims": 6,
        "links": 1,
        "pairs": 1,
        "groups": [group, other],
        "edges": [('q:a"b<c', "t:<b>", (1, 0, 0, 0, 1, 0))],
        "width": 400.0,
        "height": 120.0,
    }
    svg = str(maps.group_map(model))
    root = ET.fromstring(svg)  # well-formed: nothing broke out of its attribute or element
    ns = "{http://www.w3.org/2000/svg}"
    assert not list(root.iter(ns + "script")) and "<script" not in svg
    titles = [t.text or "" for t in root.iter(ns + "title")]
    assert any(t.startswith(evil + ": 3 claims") for t in titles)
    assert 'a"b<c → #<b>: 1 support' in titles[0]
    assert [a.get("href") for a in root.iter(ns + "a")] == ['question/x".html', "tag/b.html"]


def test_a_statement_edit_leaves_the_map_of_questions_alone(
    tmp_path: Path, monkeypatch: Any
) -> None:
    import sys

    from kb.build import build
    from kb.build import incremental as cache

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import add_relation, edit_statement, generate

    monkeypatch.setenv("KB_CACHE", "0")
    monkeypatch.setattr(maps, "GROUP_MAP_ABOVE", 10)
    rendered: list[str] = []
    real = cache.render_pages

    def spy(todo: list, *args: Any, **kwargs: Any) -> Any:
        rendered.extend(p.path for p in todo)
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(cache, "render_pages", spy)
    folder = generate(tmp_path, 60, 8)
    inc = cache.IncrementalBuilder(folder, tmp_path / "inc", search=False)
    inc.build()
    assert 'class="argmap overview groups"' in (tmp_path / "inc" / "map.html").read_text()
    rendered.clear()
    edit_statement(folder, 5, "An edited statement that no map shows.")
    inc.build()
    assert "claim/claim-5.html" in rendered and "map.html" not in rendered
    rendered.clear()
    add_relation(folder, 40, 3, "rebuts")
    inc.build()
    assert "map.html" in rendered
    build(folder, tmp_path / "fresh", search=False)
    assert (tmp_path / "inc" / "map.html").read_bytes() == (
        tmp_path / "fresh" / "map.html"
    ).read_bytes()


@pytest.mark.browser
def test_the_map_of_questions_finds_and_opens_a_question(tmp_path: Path, monkeypatch: Any) -> None:
    import os
    import shutil

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: CI must run the browser tests")
        pytest.skip("/usr/bin/chromium is missing")
    from playwright import sync_api

    site = _group_site(monkeypatch)
    (tmp_path / "map.html").write_text(site.page("map.html").render())
    shutil.copytree(REPO / "site" / "assets", tmp_path / "assets")
    groups = site.overview["groups"]
    for g in groups:  # a stand-in for each page a disc opens
        (tmp_path / g["href"]).parent.mkdir(exist_ok=True)
        (tmp_path / g["href"]).write_text("<!doctype html><title>x</title>")
    want = [g for g in groups if "data" in g["title"].lower()]
    assert 0 < len(want) < len(groups)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: r.url.startswith("file:") or outside.append(r.url))
        page.goto((tmp_path / "map.html").as_uri())
        page.fill("input[name=find]", "data")
        page.dispatch_event("input[name=find]", "input")
        assert page.locator("#overview a.node.hl").count() == len(want)
        shown = page.locator("output[name=shown]").text_content()
        assert shown == f"{len(want)} of {len(groups)} discs"
        page.click("button[data-zoom=in]")
        target = page.locator("#overview a.node.hl").first
        href = target.get_attribute("href")
        target.dispatch_event("click")
        page.wait_for_url("**/" + href)
        browser.close()
    assert not errors and not outside


def test_the_map_of_questions_is_the_same_whatever_the_hash_seed() -> None:
    import os
    import subprocess
    import sys

    script = (
        "import sys; from kb.site import maps; maps.GROUP_MAP_ABOVE = 50\n"
        "from kb.build import make_site; from kb.check.entry import load_kb\n"
        "site = make_site(load_kb(sys.argv[1]), use_git=False)\n"
        "sys.stdout.write(site.page('map.html').render())\n"
    )
    pages = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        run = subprocess.run(
            [sys.executable, "-c", script, str(REPO / "claims")],
            env=env,
            capture_output=True,
            check=True,
        )
        pages.append(run.stdout)
    assert b'class="argmap overview groups"' in pages[0] and pages[0] == pages[1]


# The faster layout, label wrapping and map neighbourhoods must give exactly what the plain
# versions gave: tests/layout_reference.py keeps those.

GRAPHS = st.integers(min_value=1, max_value=26).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
        st.lists(st.integers(1, 4), min_size=n, max_size=n),
        st.booleans(),
    )
)


@settings(max_examples=300, deadline=None)
@given(GRAPHS)
def test_layout_equals_the_reference_layout(case: tuple) -> None:
    import layout_reference

    n, pairs, lines, acyclic = case
    names = [f"n{(i * 7) % n}-{i}" for i in range(n)]  # names out of numeric order
    nodes = list(names)
    # Acyclic (the layered path) or with any links, cycles and repeats (grandalf for cycles).
    edges = [
        (names[min(a, b)], names[max(a, b)]) if acyclic else (names[a], names[b]) for a, b in pairs
    ]
    sizes = {names[i]: (maps.NODE_W, 16.0 + 15 * lines[i]) for i in range(n)}
    assert maps.layout(nodes, edges, sizes) == layout_reference.layout(nodes, edges, sizes)


@given(
    st.lists(
        st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789.,;:'\"…é"), max_size=30),
        max_size=20,
    )
)
def test_greedy_fill_equals_textwrap(words: list) -> None:
    import textwrap

    words = [w for w in words if w]
    if all(len(w) <= maps.LINE_CHARS for w in words):
        assert maps._fill(words) == textwrap.wrap(" ".join(words), maps.LINE_CHARS)


@given(st.text(st.sampled_from("ab -—\t\n\u00a0"), max_size=150))
def test_wrap_equals_textwrap_for_any_spacing_and_hyphens(text: str) -> None:
    import textwrap

    lines = textwrap.wrap(" ".join(text.split()), maps.LINE_CHARS) or [""]
    if len(lines) > maps.MAX_LINES:
        lines = lines[: maps.MAX_LINES]
        lines[-1] = lines[-1][: maps.LINE_CHARS - 1].rstrip() + "…"
    assert maps._wrap(text) == tuple(lines)


def test_neighbourhoods_and_links_equal_the_graph_walk() -> None:
    import layout_reference

    from kb.check.entry import load_kb
    from kb.model.graph import KBGraph

    kb = load_kb(REPO / "claims")
    graph = KBGraph(kb)
    index = Memos().arg_index(graph)
    starts = sorted(kb.claims)
    for cid in starts:
        for depth, limit in ((1, 5), (2, maps.MAX_MAP_NODES), (3, 1000)):
            nodes = maps._limit(index, [cid], depth, limit)
            assert nodes == layout_reference._limit(graph, [cid], depth, limit)
            assert maps._local_edges(index, set(nodes)) == maps._map_edges(kb, graph, set(nodes))
    assert maps._limit(index, starts[:12], 1, 30) == layout_reference._limit(
        graph, starts[:12], 1, 30
    )


def test_the_link_index_reads_only_the_nodes_it_is_asked_about() -> None:
    """A rebuild that draws one map reads its few nodes' links, not the whole graph's."""
    from kb.check.entry import load_kb
    from kb.model.graph import KBGraph

    kb = load_kb(REPO / "claims")
    graph = KBGraph(kb)
    index = Memos().arg_index(graph)
    cid = max(sorted(kb.claims), key=lambda c: len(index.near.get(c)))
    index.near.found.clear()
    nodes = maps._limit(index, [cid], 1, 1000)
    assert list(index.near.found) == [cid] and len(nodes) > 2
    maps._local_edges(index, set(nodes))
    assert set(index.out.found) == set(nodes) and len(nodes) < len(graph.g) / 20


class _CountingMemos(Memos):
    """Memos that note each layout asked for: its function's name and its arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, tuple, dict]] = []

    def layout(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.asked.append((fn.__name__, args, kwargs))
        return super().layout(fn, *args, **kwargs)


def test_maps_lay_out_through_the_memos_they_are_given() -> None:
    from kb.build import make_site
    from kb.check.entry import load_kb

    site = make_site(load_kb(REPO / "claims"), use_git=False)
    kb, cid = site.kb, max(site.kb.claims, key=lambda c: len(site.graph.g.adj.get(c, ())))
    memos = _CountingMemos()
    svg = maps.claim_map(kb, site.graph, cid, site.standings, memos=memos)
    assert svg == maps.claim_map(kb, site.graph, cid, site.standings)
    # The build's memo keys a layout by its function's name and positional arguments.
    [(name, args, kwargs)] = memos.asked
    assert name == "layout" and len(args) == 3 and not kwargs
    nodes, edges, sizes = args
    assert cid in nodes and edges and set(sizes) == set(nodes)
    overview = maps.overview_map(kb, site.graph, site.claim_sides, site.standings, memos=memos)
    assert overview == maps.overview_map(kb, site.graph, site.claim_sides, site.standings)
    name, args, kwargs = memos.asked[1]
    assert name == "force_layout" and args[0] == sorted(kb.claims) and not kwargs


def test_each_node_is_drawn_once_per_graph_and_standings(monkeypatch: Any) -> None:
    from kb.build import make_site
    from kb.check.entry import load_kb

    site = make_site(load_kb(REPO / "claims"), use_git=False)
    drawn: list[str] = []
    real = map_argument._draw_node

    def draw(*args: Any) -> Any:
        drawn.append(args[2])
        return real(*args)

    monkeypatch.setattr(map_argument, "_draw_node", draw)
    memos = Memos()
    cids = sorted(site.kb.claims)[:8]
    first = [maps.claim_map(site.kb, site.graph, c, site.standings, memos=memos) for c in cids]
    assert drawn and len(drawn) == len(set(drawn))  # each node once, however many maps show it
    count = len(drawn)
    again = [maps.claim_map(site.kb, site.graph, c, site.standings, memos=memos) for c in cids]
    assert again == first and len(drawn) == count
    # Other memos (another build) draw afresh: nothing is kept by the module.
    maps.claim_map(site.kb, site.graph, cids[0], site.standings, memos=Memos())
    assert len(drawn) > count
