"""Who answers whom: the claims each actor asserts and the attacks that cross between them."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.models import Position, RelationType

if TYPE_CHECKING:
    from rich.table import Table

    from kb.load import KnowledgeBase

ATTACK_TYPES = (RelationType.rebuts, RelationType.contradicts, RelationType.undercuts)
# A voice is listed against another even when no attack crosses between them once it asserts
# this many of the claims bearing on a question, and at least LEADING_SHARE of them: below
# that, a walk-on voice (a cited CEO, a reported critic) would flood the table with zeros.
LEADING_CLAIMS = 3
LEADING_SHARE = 0.05
_EMPTY = {
    False: "(fewer than two actors assert these claims)",
    True: f"(no attacks cross; no actor asserts {LEADING_CLAIMS} or more of these claims)",
}


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
        ends = (relation.from_, relation.to) if relation is not None else ()
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


def bearing(kb: KnowledgeBase) -> Callable[[str], set[str]]:
    """Return a function giving a question's claims: its positions and all that bears on them.

    A claim bears on another when it supports, attacks or refines it (the link points at it),
    or is equivalent to or contradicts it; walking links both ways instead would reach most of
    a connected map from every question, and every question would look the same.
    """
    upstream: dict[str, set[str]] = defaultdict(set)
    for a, b, kind in _links(kb):
        upstream[b].add(a)
        if kind in (RelationType.contradicts, RelationType.equivalent):
            upstream[a].add(b)
    return lambda qid: _walk(positions(kb, qid), upstream) & kb.claims.keys()


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
    """The attacks crossing between voices, over any set of claims of one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.held = holders(kb)
        self.voice_of = voices(kb, self.held)
        self.attacks = attacks(kb)
        self.bearing = bearing(kb)

    def claim_voices(self, cid: str) -> set[Voice]:
        """Return the voices asserting a claim."""
        return {self.voice_of[a] for a in self.held.get(cid, ())}

    def crossings(self, claims: set[str]) -> tuple[Counter[tuple[Voice, Voice]], set[str]]:
        """Count attacks inside `claims` from a voice's claim on another's (neither holds both);
        return the counts per (attacker, attacked) pair and the relations that cross."""
        counts: Counter[tuple[Voice, Voice]] = Counter()
        crossing: set[str] = set()
        for attack in self.attacks:
            if attack.source not in claims or attack.target not in claims:
                continue
            attackers = self.claim_voices(attack.source)
            attacked = self.claim_voices(attack.target)
            for v in attackers - attacked:
                for w in attacked - attackers:
                    counts[v, w] += 1
                    crossing.add(attack.relation)
        return counts, crossing

    def over(self, claims: set[str], qid: str | None, title: str) -> Engagement:
        """Return the engagement over a set of claims, its pairs of voices most attacks first."""
        counts, crossing = self.crossings(claims)
        asserted = Counter(v for cid in claims for v in self.claim_voices(cid))
        floor = max(LEADING_CLAIMS, math.ceil(LEADING_SHARE * len(claims)))
        leading = {v for v, n in asserted.items() if n >= floor}
        pairs = {tuple(sorted(pair)) for pair in counts}
        pairs |= {(v, w) for v in leading for w in leading if v < w}
        rows = [PairRow(v, w, counts[v, w], counts[w, v]) for v, w in pairs]
        rows.sort(key=lambda r: (-(r.forward + r.backward), r.first, r.second))
        return Engagement(qid, title, len(claims), len(crossing), len(asserted), rows)

    def question(self, qid: str) -> Engagement:
        """Return the engagement over the claims bearing on a question."""
        return self.over(self.bearing(qid), qid, self.kb.questions[qid].title)

    def everything(self) -> Engagement:
        """Return the engagement over every claim of the knowledge base."""
        return self.over(set(self.kb.claims), None, "The whole map")


def engagement_report(kb: KnowledgeBase) -> list[Engagement]:
    """Return the engagement of every question, in the order they are written, then of all."""
    e = Engagements(kb)
    return [*(e.question(qid) for qid in kb.questions), e.everything()]


def engagement_tables(kb: KnowledgeBase) -> list[Table]:
    """Return one rich table per question (and one for the whole map) of attacks per pair."""
    from rich.markup import escape
    from rich.table import Table

    tables = []
    for item in engagement_report(kb):
        title = f"{item.title} ({item.claims} claims, {item.crossing} attacks across actors)"
        if item.qid:
            title = f"{item.qid}: {title}"
        table = Table(title=escape(title), title_justify="left", show_header=True)
        for name, justify in (("A", "left"), ("B", "left"), ("A → B", "right"), ("B → A", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in item.rows:
            names = escape(row.first.name), escape(row.second.name)
            table.add_row(*names, str(row.forward), str(row.backward))
        if not item.rows:
            table.add_row(_EMPTY[item.voices > 1], "", "", "")
        tables.append(table)
    return tables


def method_context(kb: KnowledgeBase, paths: Any) -> dict[str, Any]:
    """Return what the 'How this map was made' page shows: the texts, the counts, who answers
    whom (actors by name with the paths of their pages, never IDs)."""
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
