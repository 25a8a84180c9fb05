"""The bundled debate maps who answers whom, and a question reaches every claim."""

# A seed author is a group: the authors of one seed source (a source with `archive:`). A group
# holds a claim when one of its members asserts it in a stance quoting that group's seed. An
# attacking link (rebuts, contradicts, undercuts) crosses between groups when a group holding its
# `from` claim differs from a group holding a claim it attacks: the `to` claim, or for an undercut
# both claims of the support it attacks (the evidence's claim when it attacks evidence).

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import write_kb

from kb.check.entry import load_kb
from kb.model.kb import KnowledgeBase

CONTENT = Path(__file__).parents[2] / "claims"
ATTACKS = ("rebuts", "contradicts", "undercuts")
Group = frozenset[str]


def seed_groups(kb: KnowledgeBase) -> dict[str, Group]:
    """Map each seed source's ID to its group of authors."""
    return {s.id: frozenset(s.authors) for s in kb.sources.values() if s.archive and s.authors}


def holders(kb: KnowledgeBase) -> dict[str, set[Group]]:
    """Map each claim to the seed-author groups that assert it, quoting their own seed."""
    groups = seed_groups(kb)
    held: dict[str, set[Group]] = defaultdict(set)
    for s in kb.stances.values():
        group = groups.get(s.source)
        if group and s.actor in group and s.position.value == "asserts" and s.quote:
            held[s.claim].add(group)
    return held


def attacked_claims(kb: KnowledgeBase, target: str) -> list[str]:
    """Return the claims a link to `target` attacks: the claim, or the ends of a support."""
    if target in kb.claims:
        return [target]
    support = kb.relations.get(target)
    if support is not None:
        return [support.from_, support.to]
    evidence = kb.evidence.get(target)
    return [evidence.claim] if evidence is not None else []


def crossings(kb: KnowledgeBase) -> Iterator[tuple[str, frozenset[Group]]]:
    """Yield each attacking link between seed authors, with the pairs of groups it joins."""
    held = holders(kb)
    for r in kb.relations.values():
        if r.type.value not in ATTACKS:
            continue
        pairs = {
            frozenset((a, b))
            for a in held.get(r.from_, ())
            for claim in attacked_claims(kb, r.to)
            for b in held.get(claim, ())
            if a != b
        }
        if pairs:
            yield r.id, frozenset(pairs)


def unreached_claims(kb: KnowledgeBase) -> set[str]:
    """Return the claims no question reaches through positions and links, either way."""
    neighbours: dict[str, set[str]] = defaultdict(set)

    def join(a: str, b: str) -> None:
        neighbours[a].add(b)
        neighbours[b].add(a)

    for q in kb.questions.values():
        for claim in (*q.positions.pro, *q.positions.con, *q.positions.mixed):
            join(q.id, claim)
    for c in kb.claims.values():
        for answer in c.answers:
            join(answer.question, c.id)
    for r in kb.relations.values():
        for claim in attacked_claims(kb, r.to):
            join(r.from_, claim)
    seen, todo = set(kb.questions), list(kb.questions)
    while todo:
        for nxt in neighbours[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return set(kb.claims) - seen


def group_of(kb: KnowledgeBase, actor: str) -> Group:
    """Return the seed-author group an actor belongs to."""
    (group,) = {g for g in seed_groups(kb).values() if actor in g}
    return group


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CONTENT)


def test_seed_authors_attack_each_others_claims(kb: KnowledgeBase) -> None:
    links = dict(crossings(kb))
    assert len(links) >= 20, sorted(links)


def test_lambert_and_narayanan_kapoor_answer_each_other(kb: KnowledgeBase) -> None:
    pair = frozenset((group_of(kb, "nathan-lambert"), group_of(kb, "arvind-narayanan")))
    links = [rid for rid, pairs in crossings(kb) if pair in pairs]
    assert len(links) >= 5, links


def test_every_seed_author_pair_engages(kb: KnowledgeBase) -> None:
    groups = set(seed_groups(kb).values())
    joined = {p for _, pairs in crossings(kb) for p in pairs}
    assert len(groups) == 3
    assert {frozenset((a, b)) for a in groups for b in groups if a != b} <= joined


def test_at_least_15_questions(kb: KnowledgeBase) -> None:
    assert len(kb.questions) >= 15


def test_every_claim_is_reached_by_a_question(kb: KnowledgeBase) -> None:
    assert unreached_claims(kb) == set()


# The counting itself, on a small knowledge base whose answers are checked by hand --------------

SMALL = {
    "sources.yaml": """
        sources:
          - {id: text-a, kind: paper, title: A, authors: [ann], archive: paper-one.txt}
          - {id: text-b, kind: paper, title: B, authors: [bob, bea], archive: paper-one.txt}
          - {id: text-c, kind: paper, title: C, authors: [cid]}
        actors:
          - {id: ann, name: Ann}
          - {id: bob, name: Bob}
          - {id: bea, name: Bea}
          - {id: cid, name: Cid}
        """,
    "claims.yaml": """
        questions:
          - {id: q-one, title: One?, positions: {pro: [a1], con: [b1]}}
        claims:
          - {id: a1, text: A one., rebuts: [b1]}
          - {id: a2, text: A two., supports: [a1]}
          - {id: b1, text: B one., contradicts: [a2]}
          - {id: b2, text: B two., undercuts: [a2--supports--a1], rebuts: [b1]}
          - {id: b3, text: B three., rebuts: [a1]}
          - {id: c1, text: C one., rebuts: [a1]}
          - {id: lone, text: Nobody links me.}
        """,
    "stances.yaml": """
        stances:
          - {actor: ann, claim: a1, source: text-a, quote: Scaling keeps lowering loss., locator: x}
          - {actor: ann, claim: a2, source: text-a, quote: Loss falls as a power law., locator: x}
          - {actor: bob, claim: b1, source: text-b, quote: the curves are bending, locator: x}
          - {actor: bea, claim: b2, source: text-b, quote: On scaling., locator: x}
          - {actor: bob, claim: b3, source: text-b, quote: On scaling., locator: x, position: denies}
          - {actor: cid, claim: c1, source: text-c, quote: C says so., locator: x}
          - {actor: ann, claim: b3, source: text-b, quote: On scaling., locator: x}
        """,
}


def test_counting_matches_a_hand_checked_example(tmp_path: Path) -> None:
    small = load_kb(write_kb(tmp_path, SMALL, base=False))
    links = dict(crossings(small))
    # a1 rebuts b1, b1 contradicts a2 (a symmetric link, named in sorted order) and b2 undercuts
    # a2's support of a1 cross between A and B. b2 rebuts b1 stays inside B; b3 is only denied by
    # B, and Ann's stance on it quotes another group's seed; Cid's text is no seed.
    assert set(links) == {
        "a1--rebuts--b1",
        "a2--contradicts--b1",
        "b2--undercuts--a2--supports--a1",
    }
    assert unreached_claims(small) == {"lone"}
