"""The graph's indexed claim links equal a walk of its networkx edges, on real and synthetic KBs."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

from kb.check.entry import load_kb
from kb.model.graph import KBGraph, Link

TYPES = ("supports", "rebuts", "contradicts", "undercuts", "refines", "equivalent", "stance")


def _walk(graph: KBGraph, node: str, types: tuple[str, ...], into: bool) -> list[Link]:
    """Return a node's links as KBGraph first found them: by walking networkx's edge views."""
    kb, g = graph.kb, graph.g
    out: list[Link] = []
    if node not in g:
        return out
    edges = (
        g.in_edges(node, keys=True, data=True) if into else g.out_edges(node, keys=True, data=True)
    )
    for u, v, key, data in edges:
        if data["type"] in types:
            record = (
                (kb.relations.get(key) or kb.evidence.get(key)) if into else kb.relations.get(key)
            )
            if record is not None:
                out.append(Link(key, data["type"], u if into else v, record))
    return sorted(out, key=lambda link: (link.type, link.other, link.id))


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> list[KBGraph]:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from synth import generate

    root = Path(__file__).parents[2] / "claims"
    synthetic = generate(tmp_path_factory.mktemp("synth"), 300, 7)
    return [KBGraph(load_kb(root)), KBGraph(load_kb(synthetic))]


def test_links_in_and_out_equal_the_walk_of_the_edges(graphs: list[KBGraph]) -> None:
    combos = [(t,) for t in TYPES] + [("rebuts", "contradicts"), ("supports", "rebuts", "supports")]
    combos += [tuple(c) for c in itertools.combinations(TYPES[:4], 3)]
    seen = 0
    for graph in graphs:
        nodes = [*graph.kb.claims, *graph.kb.evidence, *graph.kb.actors, "no-such-node"]
        for node, types in itertools.product(nodes, combos):
            assert graph.incoming(node, *types) == _walk(graph, node, types, True)
            assert graph.outgoing(node, *types) == _walk(graph, node, types, False)
            seen += len(graph.incoming(node, *types))
    assert seen > 500


def test_a_caller_may_extend_the_list_it_gets(graphs: list[KBGraph]) -> None:
    graph = graphs[0]
    cid = next(c for c in graph.kb.claims if graph.supporters(c))
    first = graph.supporters(cid)
    first.append(first[0])
    assert len(graph.supporters(cid)) == len(first) - 1
