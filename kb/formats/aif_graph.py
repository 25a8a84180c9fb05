"""The AIF graph of a knowledge base (nodes, edges, locutions) that AIF and xAIF share."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable

from kb.formats.context import Context, sorted_records
from kb.model.kb import KnowledgeBase
from kb.model.records import (
    Direction,
    Position,
    Relation,
    RelationType,
)

FIXED_TIMESTAMP = "2000-01-01 00:00:00"
DEFAULT_SCHEMES = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
CONTRADICTION_SCHEME = "Contradiction"
REFINEMENT_SCHEME = "Refinement"
ILLOCUTIONS = {
    Position.asserts: "Asserting",
    Position.denies: "Disagreeing",
    Position.qualifies: "Default Illocuting",
}


def aif_timestamp(dates: Iterable[str | None]) -> str:
    """Return the AIF timestamp of the earliest of some partial dates, else the fixed one."""
    known = sorted(d for d in dates if d)
    if not known:
        return FIXED_TIMESTAMP
    year, month, day = ([*known[0].split("-"), "01", "01"])[:3]
    return f"{year}-{month}-{day} 00:00:00"


AifNode = tuple[int, str, str, str]  # node ID, text, type, timestamp
AifEdge = tuple[int, int, int]  # edge ID, from, to
AifLocution = tuple[int, int, str, str | None]  # node ID, person ID, timestamp, source
AifParticipant = tuple[int, str, str]  # participant ID, first name, surname


class AifBuilder:
    """Builds AIF nodes, edges and locutions from a knowledge base, in a stable order."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.nodes: list[AifNode] = []
        self.edges: list[AifEdge] = []
        self.locutions: list[AifLocution] = []
        self.participants: list[AifParticipant] = []
        self.node_of: dict[str, int] = {}  # claim / evidence / support ID -> node ID
        self.dates = {sid: source.date for sid, source in kb.sources.items()}
        self.claim_tokens: dict[str, int] = {}  # the claims whose text the I-nodes carry

    def date_of(self, source_id: str | None) -> str | None:
        return self.dates.get(source_id or "")

    def node(self, node_type: str, text: str, dates: Iterable[str | None] = ()) -> int:
        node_id = len(self.nodes) + 1
        self.nodes.append((node_id, text, node_type, aif_timestamp(dates)))
        return node_id

    def edge(self, from_id: int, to_id: int) -> None:
        self.edges.append((len(self.edges) + 1, from_id, to_id))

    def build(self) -> AifBuilder:
        kb = self.kb
        claim_dates: dict[str, list[str | None]] = defaultdict(list)
        for s in kb.stances.values():
            claim_dates[s.claim].append(self.date_of(s.source))
        for e in kb.evidence.values():
            claim_dates[e.claim].append(self.date_of(e.source))
        for c in sorted_records(kb.claims):
            self.node_of[c.id] = self.node("I", c.text, claim_dates[c.id])
        evidence = sorted_records(kb.evidence)
        for e in evidence:
            self.node_of[e.id] = self.node("I", e.quote, [self.date_of(e.source)])
        self._supports()
        for e in evidence:
            if e.claim not in self.node_of:
                continue
            kind = "RA" if e.direction is Direction.supports else "CA"
            s_node = self.node(kind, DEFAULT_SCHEMES[kind], [self.date_of(e.source)])
            self.edge(self.node_of[e.id], s_node)
            self.edge(s_node, self.node_of[e.claim])
            if kind == "RA":
                self.node_of[f"support:{e.id}"] = s_node
        for r in sorted_records(kb.relations):
            self._relation(r)
        self._stances()
        # A memo keeps the graph: not the KB, nor the lookups only building needs.
        # reason: kb is None from here on; only building, which is over, reads it.
        self.kb, self.node_of, self.dates = None, {}, {}  # type: ignore[assignment]
        return self

    def with_claims(self, kb: KnowledgeBase, ids: list[str], tokens: dict[str, int]) -> AifBuilder:
        """Return this graph with the texts of the claims whose token changed (same IDs)."""
        if tokens == self.claim_tokens:
            return self
        new = copy.copy(self)
        new.nodes = list(self.nodes)
        # The claims' I-nodes come first, in ID order.
        for i, cid in enumerate(ids):
            if self.claim_tokens[cid] != tokens[cid]:
                node_id, _, kind, ts = new.nodes[i]
                new.nodes[i] = (node_id, kb.claims[cid].text, kind, ts)
        return new

    def _supports(self) -> None:
        """Add an RA node per support, or per group of linked supports into one conclusion."""
        groups: dict[tuple[str, str], list[Relation]] = defaultdict(list)
        for r in sorted_records(self.kb.relations):
            if r.type is RelationType.supports:
                key = (f"group:{r.group}", r.to) if r.group else (f"relation:{r.id}", r.to)
                groups[key].append(r)
        for (_, conclusion), members in sorted(groups.items()):
            premises = [r for r in members if r.from_ in self.node_of]
            if conclusion not in self.node_of or not premises:
                continue
            scheme = next((r.scheme for r in members if r.scheme), DEFAULT_SCHEMES["RA"])
            ra = self.node("RA", scheme, [self.date_of(r.source) for r in members])
            for r in premises:
                self.edge(self.node_of[r.from_], ra)
                self.node_of[f"support:{r.id}"] = ra
            self.edge(ra, self.node_of[conclusion])

    def _relation(self, r: Relation) -> None:
        nodes = self.node_of
        dates = [self.date_of(r.source)]
        if r.from_ not in nodes:
            return
        if r.type is RelationType.rebuts and r.to in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[r.to])
        elif r.type is RelationType.contradicts and r.to in nodes:
            for a, b in ((r.from_, r.to), (r.to, r.from_)):
                ca = self.node("CA", r.scheme or CONTRADICTION_SCHEME, dates)
                self.edge(nodes[a], ca)
                self.edge(ca, nodes[b])
        elif r.type is RelationType.undercuts and f"support:{r.to}" in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[f"support:{r.to}"])
        elif r.type in (RelationType.equivalent, RelationType.refines) and r.to in nodes:
            default = REFINEMENT_SCHEME if r.type is RelationType.refines else DEFAULT_SCHEMES["MA"]
            ma = self.node("MA", r.scheme or default, dates)
            self.edge(nodes[r.from_], ma)
            self.edge(ma, nodes[r.to])

    def _stances(self) -> None:
        kb = self.kb
        person: dict[str, int] = {}
        for actor in sorted_records(kb.actors):
            person[actor.id] = len(person) + 1
            first, _, last = actor.name.partition(" ")
            self.participants.append((person[actor.id], first, last))
        for s in sorted_records(kb.stances):
            if s.claim not in self.node_of or s.actor not in kb.actors:
                continue
            source = kb.sources.get(s.source)
            dates = [source.date if source else None]
            name = kb.actors[s.actor].name
            loc = self.node("L", f"{name}: {s.quote}", dates)
            ya = self.node("YA", ILLOCUTIONS[s.position], dates)
            self.edge(loc, ya)
            self.edge(ya, self.node_of[s.claim])
            self.locutions.append(
                (
                    loc,
                    person[s.actor],
                    aif_timestamp(dates),
                    (source.url or source.title) if source else None,
                )
            )


def build_aif(kb: KnowledgeBase) -> AifBuilder:
    return AifBuilder(kb).build()


def _aif_structure(ctx: Context, last: AifBuilder | None) -> AifBuilder:
    """Return the AIF graph: the last one, with new claim texts, while nothing else changed."""
    # Claims give the graph nothing but their IDs and the texts of their I-nodes.
    tokens = ctx.tokens["claims"]
    built = (
        build_aif(ctx.kb) if last is None else last.with_claims(ctx.kb, ctx.ids("claims"), tokens)
    )
    built.claim_tokens = tokens
    return built


def aif_of(ctx: Context) -> AifBuilder:
    others = ("evidence", "relations", "stances", "sources", "actors")
    built: AifBuilder = ctx.structure("aif", ("claims",), others, _aif_structure)
    return built
