"""The record graph as a networkx MultiDiGraph, with the attributes the GraphML export writes."""

from __future__ import annotations

import networkx as nx

from kb.formats.graphml_export import graph_rows
from kb.model.kb import KnowledgeBase


def to_networkx(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """Return the knowledge base as a MultiDiGraph with GraphML-safe attributes."""
    nodes, edges = graph_rows(kb)
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes)
    for u, v, key, attrs in edges:
        g.add_edge(u, v, key=key, **attrs)
    return g
