"""The whole-debate layout stays linear at scale: blocks laid out on their own, on a grid."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb import maps

sys.path.insert(0, str(Path(__file__).parent))


def test_large_maps_are_laid_out_in_blocks_deterministically(monkeypatch) -> None:
    monkeypatch.setattr(maps, "BLOCK_LAYOUT_ABOVE", 50)
    monkeypatch.setattr(maps, "BLOCK_SIZE", 20)
    nodes = [f"c{i}" for i in range(70)]
    edges = [(f"c{i}", f"c{i // 2}") for i in range(1, 70)]
    first = maps._force_layout(nodes, edges)
    assert first == maps._force_layout(nodes, edges)
    assert set(first) == set(nodes)
    cell = 110.0 * 20**0.5 * 1.15
    # Four blocks on a 2 x 2 grid: each block's nodes stay inside its own cell.
    for i, n in enumerate(nodes):
        block = i // 20
        x, y = first[n]
        assert (block % 2) * cell - 1 <= x <= (block % 2) * cell + cell
        assert (block // 2) * cell - 1 <= y <= (block // 2) * cell + cell


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
    assert maps._wrap(text) is lines  # wrapped once


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

    maps._WRAPPED.clear()
    lines = textwrap.wrap(" ".join(text.split()), maps.LINE_CHARS) or [""]
    if len(lines) > maps.MAX_LINES:
        lines = lines[: maps.MAX_LINES]
        lines[-1] = lines[-1][: maps.LINE_CHARS - 1].rstrip() + "…"
    assert maps._wrap(text) == tuple(lines)


def test_neighbourhoods_and_links_equal_the_graph_walk() -> None:
    import layout_reference

    from kb.graph import KBGraph
    from kb.load import load_kb

    kb = load_kb(Path(__file__).parent.parent / "claims")
    graph = KBGraph(kb)
    starts = sorted(kb.claims)
    for cid in starts:
        for depth, limit in ((1, 5), (2, maps.MAX_MAP_NODES), (3, 1000)):
            nodes = maps._limit(graph, [cid], depth, limit)
            assert nodes == layout_reference._limit(graph, [cid], depth, limit)
            assert maps._local_edges(graph, set(nodes)) == maps._map_edges(kb, graph, set(nodes))
    assert maps._limit(graph, starts[:12], 1, 30) == layout_reference._limit(
        graph, starts[:12], 1, 30
    )
