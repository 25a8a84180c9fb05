"""The edges of the record graph, read from a knowledge base without networkx."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kb.model.kb import KnowledgeBase
from kb.model.records import Relation, RelationType

NODE_TABLES = ("questions", "claims", "sources", "actors", "stances", "evidence")


Edge = tuple[str, str, str, dict[str, str]]


def record_edges(kb: KnowledgeBase) -> Iterator[Edge]:
    """Yield every edge of the record graph as (from, to, key, attributes), in a stable order."""
    # An edge's ends become nodes, so a later edge may start at a relation that a "quotes" edge made
    # a node. `KBGraph` builds its graph from these, and the GraphML export its file.
    nodes = {rid for name in NODE_TABLES for rid in getattr(kb, name)}
    for part in (_answer_edges, _relation_edges, _evidence_edges, _stance_edges, _source_edges):
        # Each part tests `nodes` lazily, so it sees the nodes of every edge yielded before.
        for edge in part(kb, nodes):
            nodes.add(edge[0])
            nodes.add(edge[1])
            yield edge


def _answer_edges(kb: KnowledgeBase, nodes: set[str]) -> Iterator[Edge]:
    """Yield the edges from claims to the questions they answer."""
    for q in kb.questions.values():
        for side in ("pro", "con", "mixed"):
            for c in getattr(q.positions, side):
                if c in kb.claims:
                    yield c, q.id, f"{c}@{q.id}", {"type": "answers", "side": side}


def _relation_edges(kb: KnowledgeBase, nodes: set[str]) -> Iterator[Edge]:
    """Yield the edges of relations, and from each relation to the source it quotes."""
    for r in kb.relations.values():
        target = r.to
        attrs = {"type": r.type.value}
        if r.type is RelationType.undercuts:
            support = kb.relations.get(r.to) or kb.evidence.get(r.to)
            if support is None:
                continue
            target = support.to if isinstance(support, Relation) else support.claim
            attrs["target"] = r.to
        if r.from_ in nodes and target in nodes:
            yield r.from_, target, r.id, attrs
        if r.source and r.source in nodes:
            yield r.id, r.source, f"{r.id}>src", {"type": "quotes"}


def _evidence_edges(kb: KnowledgeBase, nodes: set[str]) -> Iterator[Edge]:
    """Yield the edges from evidence to its claim and to its source."""
    for e in kb.evidence.values():
        if e.claim in nodes:
            yield e.id, e.claim, e.id, {"type": e.direction.value}
        if e.source in nodes:
            yield e.id, e.source, f"{e.id}>src", {"type": "quotes"}


def _stance_edges(kb: KnowledgeBase, nodes: set[str]) -> Iterator[Edge]:
    """Yield the edges from actors to the claims they take a stance on, and stances' sources."""
    for s in kb.stances.values():
        if s.actor in nodes and s.claim in nodes:
            yield s.actor, s.claim, s.id, {"type": "stance", "position": s.position.value}
        if s.source in nodes:
            yield s.id, s.source, f"{s.id}>src", {"type": "quotes"}


def _source_edges(kb: KnowledgeBase, nodes: set[str]) -> Iterator[Edge]:
    """Yield the authorship edges of sources and the citations between them."""
    cited_via: dict[str, set[str]] = defaultdict(set)
    for src in kb.sources.values():
        if src.cited_via:
            cited_via[src.cited_via].add(src.id)
    for src in kb.sources.values():
        for a in src.authors:
            if a in nodes:
                yield a, src.id, f"{a}>{src.id}", {"type": "authored"}
        for c in sorted(set(src.cites) | cited_via[src.id]):
            if c in nodes:
                yield src.id, c, f"{src.id}>{c}", {"type": "cites"}
