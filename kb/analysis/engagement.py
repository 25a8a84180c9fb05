"""Who answers whom: the claims each actor asserts and the attacks that cross between them."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.analysis.af import strongly_connected
from kb.model.kb import KnowledgeBase
from kb.model.records import Position, RelationType

ATTACK_TYPES = (RelationType.rebuts, RelationType.contradicts, RelationType.undercuts)
# A voice is listed against another even when no attack crosses between them once it asserts
# this many of the claims bearing on a question, and at least LEADING_SHARE of them: below
# that, a walk-on voice (a cited CEO, a reported critic) would flood the table with zeros.
LEADING_CLAIMS = 3
LEADING_SHARE = 0.05


@dataclass(frozen=True)
class Attack:
    """One attack from a claim to a claim, through a relation."""

    source: str
    target: str
    relation: str


@dataclass(frozen=True, order=True)
class Voice:
    """Actors who assert exactly the same claims (co-authors), counted as one."""

    name: str
    actors: tuple[str, ...]


@dataclass
class PairRow:
    """Attacks crossing between two voices, each way."""

    first: Voice
    second: Voice
    forward: int  # attacks from claims of `first` on claims of `second`
    backward: int


@dataclass
class Engagement:
    """The attacks crossing between voices over a set of claims (a question's, or all)."""

    qid: str | None
    title: str
    claims: int
    crossing: int  # relations attacking from one voice's claim to another's
    voices: int  # voices asserting any of the claims
    rows: list[PairRow] = field(default_factory=list)


def holders(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Return, per claim, the actors whose stances assert it."""
    held: dict[str, set[str]] = defaultdict(set)
    for st in kb.stances.values():
        if st.position is Position.asserts and st.claim in kb.claims:
            held[st.claim].add(st.actor)
    return {cid: frozenset(actors) for cid, actors in held.items()}


def supported_claim(kb: KnowledgeBase, link_id: str) -> str | None:
    """Return the claim a support link (a relation or evidence) argues for."""
    relation = kb.relations.get(link_id)
    if relation is not None:
        return relation.to
    evidence = kb.evidence.get(link_id)
    return evidence.claim if evidence is not None else None


def attacks(kb: KnowledgeBase) -> list[Attack]:
    """Return every attack: rebuts, contradicts (both ways), undercuts (on the supported claim)."""
    found: list[Attack] = []
    for r in kb.relations.values():
        if r.type is RelationType.undercuts:
            target = supported_claim(kb, r.to)
        else:
            target = r.to if r.type in ATTACK_TYPES else None
        if target is None or target not in kb.claims or r.from_ not in kb.claims:
            continue
        found.append(Attack(r.from_, target, r.id))
        if r.type is RelationType.contradicts:
            found.append(Attack(target, r.from_, r.id))
    return found


def _links(kb: KnowledgeBase) -> Iterable[tuple[str, str, RelationType]]:
    """Yield (from, to, type) for every relation, an undercut aimed at the claims of its link."""
    for r in kb.relations.values():
        if r.type is not RelationType.undercuts:
            yield r.from_, r.to, r.type
            continue
        relation = kb.relations.get(r.to)
        ends: tuple[str, ...] = (relation.from_, relation.to) if relation is not None else ()
        if r.to in kb.evidence:
            ends = (kb.evidence[r.to].claim,)
        for end in ends:
            yield r.from_, end, r.type


def positions(kb: KnowledgeBase, qid: str) -> list[str]:
    """Return the claims answering a question, every side."""
    p = kb.questions[qid].positions
    return [c for c in (*p.pro, *p.con, *p.mixed) if c in kb.claims]


def _walk(starts: Iterable[str], nexts: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        for other in nexts.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def reached(kb: KnowledgeBase) -> set[str]:
    """Return the claims some question reaches through any chain of links, either direction."""
    both: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in _links(kb):
        both[a].add(b)
        both[b].add(a)
    starts = [c for qid in kb.questions for c in positions(kb, qid)]
    return _walk(starts, both) & kb.claims.keys()


class Scopes:
    """The claims bearing on each question, as bit sets over the claims."""

    # A claim bears on another when it supports, attacks or refines it (the link points at it), or
    # is equivalent to or contradicts it; walking links both ways instead would reach most of a
    # connected map from every question, and every question would look the same. Each strongly
    # connected component's closure is computed once, as an int used as a bit set, so that a
    # thousand questions over ten thousand claims cost a few OR operations each, not a walk.

    def __init__(self, kb: KnowledgeBase) -> None:
        upstream: dict[str, list[str]] = {cid: [] for cid in kb.claims}
        for a, b, kind in _links(kb):
            if a in upstream and b in upstream:
                upstream[b].append(a)
                if kind in (RelationType.contradicts, RelationType.equivalent):
                    upstream[a].append(b)
        self.index = {cid: n for n, cid in enumerate(kb.claims)}
        comp_of: dict[str, int] = {}
        closures: list[int] = []
        # Tarjan yields a component after every component it reaches: their closures are done.
        for i, comp in enumerate(strongly_connected(list(kb.claims), upstream)):
            mask = 0
            for cid in comp:
                comp_of[cid] = i
                mask |= 1 << self.index[cid]
            for j in {comp_of[a] for cid in comp for a in upstream[cid]} - {i}:
                mask |= closures[j]
            closures.append(mask)
        self.closure = {cid: closures[comp_of[cid]] for cid in kb.claims}
        self.kb = kb

    def of(self, qid: str) -> int:
        """Return the claims of a question's positions and of all that bears on them."""
        scope = 0
        for cid in positions(self.kb, qid):
            scope |= self.closure[cid]
        return scope

    def everything(self) -> int:
        """Return every claim."""
        return (1 << len(self.index)) - 1

    def mask(self, claims: Iterable[str]) -> int:
        """Return a set of claims as a bit set."""
        scope = 0
        for cid in claims:
            scope |= 1 << self.index[cid]
        return scope

    @staticmethod
    def size(scope: int) -> int:
        """Return how many claims a bit set holds."""
        return scope.bit_count()


def _members(scope: int) -> set[int]:
    """Return the indices of the bits a bit set holds."""
    digits = bin(scope)
    top = len(digits) - 1
    found: set[int] = set()
    at = digits.find("1", 2)
    while at != -1:
        found.add(top - at)
        at = digits.find("1", at + 1)
    return found


def voices(kb: KnowledgeBase, held: dict[str, frozenset[str]]) -> dict[str, Voice]:
    """Return, per actor asserting anything, their voice: the actors asserting the same claims."""
    claims_of: dict[str, set[str]] = defaultdict(set)
    for cid, actors in held.items():
        for actor in actors:
            claims_of[actor].add(cid)
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for actor, claims in claims_of.items():
        groups[frozenset(claims)].append(actor)
    voice_of: dict[str, Voice] = {}
    for members in groups.values():
        members.sort(key=lambda a: (_name(kb, a), a))
        voice = Voice(_join([_name(kb, a) for a in members]), tuple(members))
        voice_of.update(dict.fromkeys(members, voice))
    return voice_of


def _name(kb: KnowledgeBase, actor: str) -> str:
    record = kb.actors.get(actor)
    return record.name if record is not None else actor


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class Engagements:
    """The attacks crossing between voices, over the claims bearing on a question or all."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        held = holders(kb)
        voice_of = voices(kb, held)
        self.voices = {cid: frozenset(voice_of[a] for a in actors) for cid, actors in held.items()}
        self.scopes = Scopes(kb)
        # Only the attacks from one voice's claim on another's matter, the same in every scope.
        self.crossing: list[tuple[Attack, int, list[tuple[Voice, Voice]]]] = []
        # The same crossing attacks by the index of their source claim, to test a small scope.
        self._targets: dict[int, set[int]] = defaultdict(set)
        for attack in attacks(kb):
            attackers = self.claim_voices(attack.source)
            attacked = self.claim_voices(attack.target)
            pairs = [(v, w) for v in attackers - attacked for w in attacked - attackers]
            if pairs:
                ends = self.scopes.mask((attack.source, attack.target))
                self.crossing.append((attack, ends, sorted(pairs)))
                index = self.scopes.index
                self._targets[index[attack.source]].add(index[attack.target])
        # A scope's counts come from its members' claims and attacks: testing every voice and
        # attack against a bit set as wide as the map, in every scope, grew with the size cubed.
        index = self.scopes.index
        self._voices_at = {index[cid]: held_by for cid, held_by in self.voices.items()}
        self._crossing_from: dict[int, list[tuple[int, str, list[tuple[Voice, Voice]]]]] = {}
        for attack, _, pairs in self.crossing:
            start, end = index[attack.source], index[attack.target]
            self._crossing_from.setdefault(start, []).append((end, attack.relation, pairs))
        self._memo: dict[int, tuple[int, int, int, list[PairRow]]] = {}

    def claim_voices(self, cid: str) -> frozenset[Voice]:
        """Return the voices asserting a claim."""
        return self.voices.get(cid, frozenset())

    def crossings(self, scope: int) -> tuple[Counter[tuple[Voice, Voice]], set[str]]:
        """Count attacks within a set of claims from one voice's claim on another's, per pair."""
        # Neither voice asserts both ends of a counted attack; pairs are (attacker, attacked).
        # Return the counts and the relations.
        return self._crossings(_members(scope))

    def _crossings(self, members: set[int]) -> tuple[Counter[tuple[Voice, Voice]], set[str]]:
        """Count the crossing attacks whose two claims are among members, per pair."""
        counts: Counter[tuple[Voice, Voice]] = Counter()
        crossing: set[str] = set()
        for start in members & self._crossing_from.keys():
            for end, relation, pairs in self._crossing_from[start]:
                if end in members:
                    counts.update(pairs)
                    crossing.add(relation)
        return counts, crossing

    def engaged(self, scope: int) -> bool:
        """Tell whether any attack inside a set of claims goes from one voice to another."""
        if scope.bit_count() > len(self.crossing):
            return any(scope & ends == ends for _, ends, _ in self.crossing)
        # A question's scope is usually a few claims among thousands: walking its members beats
        # testing every crossing attack against a bit set as wide as the whole map.
        members = _members(scope)
        targets = self._targets
        return any(not members.isdisjoint(targets[i]) for i in members if i in targets)

    def _rows(self, scope: int) -> tuple[int, int, int, list[PairRow]]:
        if scope in self._memo:
            return self._memo[scope]
        members = _members(scope)
        counts, crossing = self._crossings(members)
        asserted: Counter[Voice] = Counter()
        for i in members & self._voices_at.keys():
            asserted.update(self._voices_at[i])
        size = self.scopes.size(scope)
        floor = max(LEADING_CLAIMS, math.ceil(LEADING_SHARE * size))
        leading = {v for v, n in asserted.items() if n >= floor}
        pairs = {(min(v, w), max(v, w)) for v, w in counts}
        pairs |= {(v, w) for v in leading for w in leading if v < w}
        rows = [PairRow(v, w, counts[v, w], counts[w, v]) for v, w in pairs]
        rows.sort(key=lambda r: (-(r.forward + r.backward), r.first, r.second))
        self._memo[scope] = size, len(crossing), len(asserted), rows
        return self._memo[scope]

    def question(self, qid: str) -> Engagement:
        """Return the engagement over the claims bearing on a question, most attacks first."""
        size, crossing, voices, rows = self._rows(self.scopes.of(qid))
        return Engagement(qid, self.kb.questions[qid].title, size, crossing, voices, rows)

    def everything(self) -> Engagement:
        """Return the engagement over every claim of the knowledge base."""
        size, crossing, voices, rows = self._rows(self.scopes.everything())
        return Engagement(None, "The whole map", size, crossing, voices, rows)


def engagement_report(kb: KnowledgeBase) -> list[Engagement]:
    """Return the engagement of every question, in the order they are written, then of all."""
    e = Engagements(kb)
    return [*(e.question(qid) for qid in kb.questions), e.everything()]


def method_context(kb: KnowledgeBase, paths: Any) -> dict[str, Any]:
    """Return what the 'How this map was made' page shows: texts, counts and who answers whom."""
    # Actors are given by name with the paths of their pages, never by ID.
    seeds = sorted(
        (s for s in kb.sources.values() if s.archive),
        key=lambda s: (s.date or "", s.title),
    )
    archived = {s.id for s in seeds}
    quotes = [r for t in (kb.stances, kb.evidence, kb.relations) for r in t.values() if r.quote]

    def voice(v: Voice) -> list[tuple[str, str]]:
        return [(_name(kb, a), paths.actor(a)) for a in v.actors if a in kb.actors]

    def view(item: Engagement) -> dict[str, Any]:
        rows = [
            {
                "first": voice(r.first),
                "second": voice(r.second),
                "forward": r.forward,
                "backward": r.backward,
            }
            for r in item.rows
        ]
        href = paths.question(item.qid) if item.qid else None
        return {
            "title": item.title,
            "href": href,
            "claims": item.claims,
            "crossing": item.crossing,
            "voices": item.voices,
            "rows": rows,
        }

    report = engagement_report(kb)
    return {
        "seeds": [
            {
                "title": s.title,
                "href": paths.source(s.id),
                "date": s.date or "",
                "authors": [(_name(kb, a), paths.actor(a)) for a in s.authors if a in kb.actors],
            }
            for s in seeds
        ],
        "cited": sum(1 for s in kb.sources.values() if s.cited_via),
        "counts": kb.counts(),
        "quotes": len(quotes),
        "checked_quotes": sum(1 for r in quotes if r.source in archived),
        "questions_engagement": [view(item) for item in report[:-1]],
        "whole_engagement": view(report[-1]),
        "leading_claims": LEADING_CLAIMS,
    }
