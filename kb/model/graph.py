"""The knowledge base as a typed networkx graph, with the queries the site and analysis share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from kb.model.edges import NODE_TABLES as NODE_TABLES
from kb.model.edges import Edge as Edge
from kb.model.edges import record_edges as record_edges
from kb.model.kb import KnowledgeBase
from kb.model.records import Direction, Evidence, Relation, RelationType, Stance

SUPPORT = "supports"
ATTACKS = ("rebuts", "contradicts")


@dataclass(frozen=True, slots=True)
class Link:
    """One incoming or outgoing argumentative link of a claim."""

    id: str  # relation or evidence ID
    type: str  # supports | rebuts | undercuts | contradicts | refines | equivalent
    other: str  # the claim or evidence at the other end
    record: Relation | Evidence


def _sorted_links(found: dict[str, dict[str, list[Link]]]) -> dict[str, dict[str, list[Link]]]:
    """Return links by node and type as plain dicts, each list in (other end, ID) order."""
    return {
        node: {kind: sorted(links, key=lambda x: (x.other, x.id)) for kind, links in by.items()}
        for node, by in found.items()
    }


class KBGraph:
    """A MultiDiGraph of every record, with typed edges keyed by the record that makes them."""

    # Nodes are record IDs with a `kind` attribute. Edges:
    # - relation: from → to (`type` = relation type); an undercut runs from the undercutter to the
    #   conclusion of the support it attacks, with `target` = the support's ID;
    # - evidence: evidence → claim (`type` supports | rebuts);
    # - stance: actor → claim (`type` = "stance", `position`);
    # - authorship: actor → source ("authored"); citation: source → source ("cites");
    # - grounding: stance / evidence / relation → source ("quotes");
    # - position: claim → question ("answers", `side`).

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index(kb)
        g = self.g = nx.MultiDiGraph()
        for name in NODE_TABLES:
            for rid, record in getattr(kb, name).items():
                g.add_node(rid, kind=record.kind_name)
        for u, v, key, attrs in record_edges(kb):
            g.add_edge(u, v, key=key, **attrs)
        self._index_links(kb)

    def _index(self, kb: KnowledgeBase) -> None:
        # Lookups by claim, actor and source, so that rendering every page stays linear.
        self._stances_on: dict[str, list[Stance]] = defaultdict(list)
        self._stances_by: dict[str, list[Stance]] = defaultdict(list)
        self._evidence_on: dict[str, list[Evidence]] = defaultdict(list)
        self._citing: dict[str, set[str]] = defaultdict(set)
        self._undercutters: dict[str, list[Relation]] = defaultdict(list)
        for s in kb.stances.values():
            self._stances_on[s.claim].append(s)
            self._stances_by[s.actor].append(s)
            self._citing[s.source].add(s.claim)
        for e in kb.evidence.values():
            self._evidence_on[e.claim].append(e)
            self._citing[e.source].add(e.claim)
        for r in kb.relations.values():
            if r.source:
                self._citing[r.source].add(r.from_)
            if r.type is RelationType.undercuts:
                self._undercutters[r.to].append(r)

    def _index_links(self, kb: KnowledgeBase) -> None:
        # Each node's links in and out by type, each in (other end, ID) order: pages ask for a
        # claim's links many times over, and networkx's edge views are slow to walk.
        into: dict[str, dict[str, list[Link]]] = defaultdict(lambda: defaultdict(list))
        out_of: dict[str, dict[str, list[Link]]] = defaultdict(lambda: defaultdict(list))
        for u, v, key, data in self.g.edges(keys=True, data=True):
            kind = data["type"]
            relation = kb.relations.get(key)
            record = relation or kb.evidence.get(key)
            if record is not None:
                into[v][kind].append(Link(key, kind, u, record))
            if relation is not None:
                out_of[u][kind].append(Link(key, kind, v, relation))
        self._in = _sorted_links(into)
        self._out = _sorted_links(out_of)

    # Claim links -------------------------------------------------------------------------

    def _linked(self, way: str, claim_id: str, types: tuple[str, ...]) -> list[Link]:
        """Return a node's links one way, of the given types, by (type, other end, ID)."""
        by_type = (self._in if way == "in" else self._out).get(claim_id)
        if by_type is None:
            return []
        out: list[Link] = []
        for kind in sorted(set(types)):
            found = by_type.get(kind)
            if found:
                out += found
        return out

    def incoming(self, claim_id: str, *types: str) -> list[Link]:
        """Return the links into a claim of the given types, in a stable order."""
        return self._linked("in", claim_id, types)

    def outgoing(self, claim_id: str, *types: str) -> list[Link]:
        """Return the links out of a claim of the given types, in a stable order."""
        return self._linked("out", claim_id, types)

    def supporters(self, claim_id: str) -> list[Link]:
        """Return the claims and evidence that support a claim."""
        return self.incoming(claim_id, SUPPORT)

    def attackers(self, claim_id: str) -> list[Link]:
        """Return the claims and evidence that rebut or contradict a claim."""
        links = self.incoming(claim_id, *ATTACKS)
        # A contradiction is symmetric: the claim it was written from is attacked too.
        links += [
            Link(link.id, link.type, link.other, link.record)
            for link in self.outgoing(claim_id, "contradicts")
        ]
        unique = {link.id: link for link in links}
        return sorted(unique.values(), key=lambda link: (link.type, link.other, link.id))

    def undercutters(self, support_id: str) -> list[Relation]:
        """Return the relations that undercut a support (a relation or evidence ID)."""
        return sorted(self._undercutters.get(support_id, []), key=lambda r: r.id)

    def undercuts_into(self, claim_id: str) -> list[Link]:
        """Return the undercuts that attack supports of a claim."""
        return self.incoming(claim_id, "undercuts")

    # People and sources ---------------------------------------------------------------------

    def stances_on(self, claim_id: str) -> list[Stance]:
        """Return the stances taken on a claim, proponents first."""
        order = {"asserts": 0, "qualifies": 1, "denies": 2}
        return sorted(
            self._stances_on.get(claim_id, []),
            key=lambda s: (order[s.position.value], s.actor, s.id),
        )

    def stances_by(self, actor_id: str) -> list[Stance]:
        """Return the stances an actor takes."""
        return sorted(self._stances_by.get(actor_id, []), key=lambda s: s.id)

    def claims_citing(self, source_id: str) -> list[str]:
        """Return the claims that a source's quotes bear on."""
        return sorted(c for c in self._citing.get(source_id, ()) if c in self.kb.claims)

    def cites(self, source_id: str) -> list[str]:
        """Return the sources a source cites."""
        return sorted(
            dst for _, dst, d in self.g.out_edges(source_id, data=True) if d["type"] == "cites"
        )

    def cited_by(self, source_id: str) -> list[str]:
        """Return the sources that cite a source."""
        return sorted(
            src for src, _, d in self.g.in_edges(source_id, data=True) if d["type"] == "cites"
        )

    def evidence_for(self, claim_id: str, direction: Direction | None = None) -> list[Evidence]:
        """Return the evidence bearing on a claim, optionally in one direction."""
        found = self._evidence_on.get(claim_id, [])
        return sorted(
            (e for e in found if direction is None or e.direction is direction), key=lambda e: e.id
        )

    def neighbourhood(self, node: str, depth: int = 2) -> set[str]:
        """Return the claims and evidence within `depth` argumentative links of a node."""
        kinds = {"claim", "evidence"}
        argumentative = {"supports", "rebuts", "undercuts", "contradicts", "refines", "equivalent"}
        seen = {node}
        frontier = {node}
        for _ in range(depth):
            nxt: set[str] = set()
            for n in frontier:
                if n not in self.g:
                    continue
                edges = [*self.g.out_edges(n, data=True), *self.g.in_edges(n, data=True)]
                for u, v, d in edges:
                    if d["type"] not in argumentative:
                        continue
                    other = v if u == n else u
                    if other not in seen and self.g.nodes[other].get("kind") in kinds:
                        nxt.add(other)
            seen |= nxt
            frontier = nxt
        return seen
