"""Shared helpers of the export and import tests: AIF graphs compared as structures."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

INTEROP = Path(__file__).parent / "data" / "interop"
FIXTURE_KB = INTEROP / "kb"
REAL_KB = Path(__file__).parents[1] / "claims"
ARGUMENT_TYPES = ("I", "RA", "CA", "MA")


def node_counts(aif: dict[str, Any]) -> Counter[str]:
    """Return how many nodes of each type an AIF graph has."""
    graph = aif.get("AIF", aif)
    return Counter(str(n.get("type")) for n in graph["nodes"])


def argument_graph(aif: dict[str, Any]) -> nx.DiGraph:
    """Return the I/RA/CA/MA part of an AIF graph, I-nodes labelled by text, S-nodes by type."""
    graph = aif.get("AIF", aif)
    g = nx.DiGraph()
    for n in graph["nodes"]:
        if n.get("type") in ARGUMENT_TYPES:
            text = " ".join(str(n["text"]).split()) if n["type"] == "I" else ""
            g.add_node(str(n["nodeID"]), type=n["type"], text=text)
    for e in graph["edges"]:
        a, b = str(e["fromID"]), str(e["toID"])
        if a in g and b in g:
            g.add_edge(a, b)
    return g


def same_structure(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Return whether two AIF graphs have the same argument structure, IDs aside."""
    return nx.is_isomorphic(argument_graph(a), argument_graph(b), node_match=lambda x, y: x == y)


def canonical(aif: dict[str, Any]) -> set[tuple[Any, ...]]:
    """Return each S-node as (type, premises/attackers, conclusion/target), named by text."""
    g = argument_graph(aif)

    def name(node: str) -> Any:
        data = g.nodes[node]
        if data["type"] == "I":
            return data["text"]
        return (data["type"], premises(node))

    def premises(node: str) -> frozenset[str]:
        return frozenset(
            g.nodes[p]["text"] for p in g.predecessors(node) if g.nodes[p]["type"] == "I"
        )

    out = set()
    for node, data in g.nodes(data=True):
        if data["type"] != "I":
            sources = premises(node)
            targets = frozenset(
                name(t) if g.nodes[t]["type"] == "I" else ("on", name(t))
                for t in g.successors(node)
            )
            out.add((data["type"], sources, targets))
    return out
