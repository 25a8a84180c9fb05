"""The attack graph and the bipolar graph a knowledge base's claims, evidence and links make."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kb.analysis.gradual import BipolarGraph, dependants
from kb.model.kb import KnowledgeBase
from kb.model.records import Direction, Evidence, RelationType

# Base scores by evidence kind, and for claims; kb.yaml `base_scores` overrides any of them.
DEFAULT_BASE_SCORES: dict[str, float] = {
    "claim": 0.5,
    "measurement": 0.8,
    "experiment": 0.8,
    "benchmark": 0.7,
    "expert-statement": 0.6,
    "argument": 0.5,
    "historical-analogy": 0.4,
}


@dataclass
class Debate:
    """The attack graph and the bipolar graph of a knowledge base, with what explains them."""

    claims: list[str]
    names: list[str]  # attack-graph nodes: claims, evidence, claim-to-claim supports
    index: dict[str, int]
    targets: list[list[int]]
    grounds: dict[str, list[str]]  # claim -> its supports (relation or evidence IDs)
    premise: dict[str, str]  # claim-to-claim support -> its premise claim
    rebutters: dict[str, list[str]]  # claim -> claims and evidence that rebut or contradict it
    undercutters: dict[str, list[str]]  # support -> claims that undercut it
    bipolar: BipolarGraph
    answers: dict[str, dict[str, list[str]]]  # question -> side -> claims
    attackers: list[list[int]] = field(default_factory=list)  # reverse of targets
    children: list[list[int]] = field(default_factory=list)  # dependants in the bipolar graph
    conclusion: dict[str, str] = field(default_factory=dict)  # support -> the claim it supports
    alias: dict[str, str] = field(default_factory=dict)  # claim -> its equivalence class's claim
    wording: dict[str, str] = field(default_factory=dict)  # support -> its premise as written

    def node(self, claim: str) -> str:
        """Return the claim that stands for a claim's equivalence class in both graphs."""
        return self.alias.get(claim, claim)

    def owner(self, node: str) -> str:
        """Return the claim a support argues for, or the node itself for anything else."""
        return self.conclusion.get(node, node)

    def case(self, node: str) -> list[str]:
        """Return a node and the supports given for it: what an attack on it must face."""
        return [node, *self.grounds.get(node, [])]


def base_scores(kb: KnowledgeBase) -> dict[str, float]:
    """Return the base scores in force: the defaults, overridden by kb.yaml."""
    return {**DEFAULT_BASE_SCORES, **kb.config.base_scores}


def equivalence_classes(kb: KnowledgeBase) -> dict[str, str]:
    """Return, for each claim marked equivalent to another, the claim that stands for its class."""
    # The claim standing for a class is its smallest ID, which the map leaves out.
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in sorted(kb.relations.values(), key=lambda r: r.id):
        if r.type is RelationType.equivalent and r.from_ in kb.claims and r.to in kb.claims:
            a, b = sorted((find(r.from_), find(r.to)))
            if a != b:
                parent[b] = a
    return {c: find(c) for c in sorted(parent)}


@dataclass
class _Links:
    """The knowledge base's links sorted by kind, with claims replaced by their class's claim."""

    grounds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    premise: dict[str, str] = field(default_factory=dict)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    undercuts: list[tuple[str, str]] = field(default_factory=list)
    supports: list[tuple[str, str, str]] = field(default_factory=list)  # (id, premise, conclusion)
    wording: dict[str, str] = field(default_factory=dict)  # support -> its premise as written


def _sort_links(kb: KnowledgeBase, alias: dict[str, str]) -> _Links:
    """Sort the relations from claims by kind, under the equivalence classes' claims."""
    out = _Links()
    for r in sorted(kb.relations.values(), key=lambda r: r.id):
        if r.from_ not in kb.claims:
            continue
        f, t = alias.get(r.from_, r.from_), alias.get(r.to, r.to)
        if f == t:  # within one equivalence class: about wording, not an argument
            continue
        if r.type is RelationType.supports and r.to in kb.claims:
            out.grounds[t].append(r.id)
            out.premise[r.id] = f
            out.supports.append((r.id, f, t))
            if f != r.from_:
                out.wording[r.id] = r.from_
        elif r.type is RelationType.rebuts and r.to in kb.claims:
            out.conflicts.append((f, t))
        elif r.type is RelationType.contradicts and r.to in kb.claims:
            out.conflicts += [(f, t), (t, f)]
        elif r.type is RelationType.undercuts:
            out.undercuts.append((f, r.to))
    return out


def _attack_edges(
    kb: KnowledgeBase, links: _Links, index: dict[str, int]
) -> tuple[set[tuple[int, int]], dict[str, list[str]], dict[str, list[str]]]:
    """Return the attack graph's edges, each claim's rebutters and each support's undercutters."""
    grounds = links.grounds
    edges: set[tuple[int, int]] = set()

    def case(x: str) -> list[str]:
        return [x, *grounds.get(x, [])]

    rebutters: dict[str, list[str]] = defaultdict(list)
    for x, y in links.conflicts:
        rebutters[y].append(x)
        # A rebuttal attacks the claim and every reason given for it; those reasons answer
        # back, so a supported claim and its rebuttal defeat each other (AIF/ASPIC rebut).
        for a in case(x):
            for b in case(y):
                edges.add((index[a], index[b]))
        for g in grounds.get(y, []):
            edges.add((index[g], index[x]))
    undercutters: dict[str, list[str]] = defaultdict(list)
    for u, s in links.undercuts:
        if s in index and s not in kb.claims:
            undercutters[s].append(u)
            for a in case(u):
                edges.add((index[a], index[s]))
    # A support is no stronger than its premise: whatever attacks the premise attacks it.
    attackers_of: dict[int, list[int]] = defaultdict(list)
    for i, j in edges:
        attackers_of[j].append(i)
    for s, p in links.premise.items():
        for i in attackers_of.get(index[p], []):
            edges.add((i, index[s]))
    return edges, rebutters, undercutters


def _bipolar(
    kb: KnowledgeBase,
    links: _Links,
    evidence: list[Evidence],
    concludes: dict[str, str],
    undercutters: dict[str, list[str]],
) -> BipolarGraph:
    """Return the bipolar graph: claims and evidence with base scores, supports and attacks."""
    scores = base_scores(kb)
    g = BipolarGraph()
    for c in kb.claims:
        g.add(c, scores["claim"])
    for e in evidence:
        g.add(e.id, e.weight if e.weight is not None else scores.get(e.kind.value, 0.5))
    for sid, p, c in links.supports:
        if undercutters.get(sid):
            # Only an undercut support needs its own node: its base is its premise's strength.
            g.add(sid, 0.0, premise=p)
            g.support(sid, c)
        else:
            g.support(p, c)
    for e in evidence:
        (g.support if e.direction is Direction.supports else g.attack)(e.id, concludes[e.id])
    for x, y in links.conflicts:
        if x not in kb.evidence:  # rebutting evidence was attached above
            g.attack(x, y)
    for s, us in undercutters.items():
        for u in us:
            g.attack(u, s)
    return g


def _answers(kb: KnowledgeBase, alias: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Return each question's claims by side, under the equivalence classes' claims."""
    return {
        q.id: {
            side: [alias.get(c, c) for c in getattr(q.positions, side) if c in kb.claims]
            for side in ("pro", "con", "mixed")
        }
        for q in kb.questions.values()
    }


def build(kb: KnowledgeBase) -> Debate:
    """Build the attack graph (with inference nodes for supports) and the bipolar graph."""
    # Claims marked equivalent say the same thing in other words: one claim stands for each such
    # class, and every link to or from a member is a link to or from it.
    claims = list(kb.claims)
    alias = equivalence_classes(kb)
    links = _sort_links(kb, alias)
    grounds = links.grounds
    evidence = sorted((e for e in kb.evidence.values() if e.claim in kb.claims), key=lambda e: e.id)
    concludes = {e.id: alias.get(e.claim, e.claim) for e in evidence}
    for e in evidence:
        if e.direction is Direction.supports:
            grounds[concludes[e.id]].append(e.id)
        else:
            links.conflicts.append((e.id, concludes[e.id]))
    names = claims + [e.id for e in evidence] + sorted(links.premise)
    index = {name: i for i, name in enumerate(names)}
    edges, rebutters, undercutters = _attack_edges(kb, links, index)
    targets: list[list[int]] = [[] for _ in names]
    attackers: list[list[int]] = [[] for _ in names]
    for a, b in sorted(edges):
        targets[a].append(b)
        attackers[b].append(a)
    g = _bipolar(kb, links, evidence, concludes, undercutters)
    return Debate(
        claims,
        names,
        index,
        targets,
        dict(grounds),
        links.premise,
        {k: sorted(set(v)) for k, v in rebutters.items()},
        {k: sorted(set(v)) for k, v in undercutters.items()},
        g,
        _answers(kb, alias),
        attackers,
        dependants(g),
        {s: c for c, ss in grounds.items() for s in ss},
        alias,
        links.wording,
    )
