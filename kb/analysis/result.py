"""The whole analysis the site and the CLI read, and the digest of what it reads."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from kb.analysis.af import IN, OUT, Cache
from kb.analysis.cruxes import crux_scores, question_balances
from kb.analysis.debate import base_scores, build
from kb.analysis.explain import equivalents_note, why_label, why_strength
from kb.analysis.solver import solve
from kb.analysis.standing import Analysis, ClaimStanding, QuestionStanding
from kb.model.kb import KnowledgeBase
from kb.model.records import Position


def inputs_digest(kb: KnowledgeBase) -> bytes:
    """Return a digest of everything `analyse` reads: equal digests give equal analyses."""
    # Texts, quotes and sources play no part: an edited statement keeps the digest.
    parts: list[object] = [sorted(base_scores(kb).items()), list(kb.claims)]
    parts.append(sorted((r.id, r.from_, r.type.value, r.to) for r in kb.relations.values()))
    parts.append(
        sorted(
            (e.id, e.claim, e.direction.value, e.weight, e.kind.value) for e in kb.evidence.values()
        )
    )
    parts.append(
        [(q.id, q.positions.pro, q.positions.con, q.positions.mixed) for q in kb.questions.values()]
    )
    parts.append(sorted((s.id, s.actor, s.claim, s.position.value) for s in kb.stances.values()))
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def _analyse(kb: KnowledgeBase, cruxes: bool) -> Analysis:
    """Compute the analysis; `analyse` runs this with the garbage collector paused."""
    d = build(kb)
    cache: Cache = {}  # undecided components recur across crux flips: solve each once
    sol = solve(d, cache=cache)
    st = sol.strengths
    claims: dict[str, ClaimStanding] = {}
    for c in d.claims:
        i, j = d.index[d.node(c)], d.bipolar.index[d.node(c)]
        claims[c] = ClaimStanding(
            id=c,
            label=sol.labels[i],
            grounded={IN: "in", OUT: "out"}.get(sol.acceptance.grounded[i], "undec"),
            strength=st.strength[j],
            base=d.bipolar.base[j],
            model=st.model[j],
            converged=st.converged[j],
            # Rebutted or contradicted, as a reader sees it: the counter-attacks of the reasons
            # for a claim it rebuts attack it in the graph, but nothing recorded argues against it.
            attacked=bool(d.rebutters.get(d.node(c)) or d.rebutters.get(c)),
        )
    classes: dict[str, list[str]] = defaultdict(list)
    for c, rep in d.alias.items():
        classes[rep].append(c)
    for c in d.claims:
        s = claims[c]
        s.why_label = why_label(d, sol, d.node(c)) + equivalents_note(d, c, classes)
        s.why_strength = why_strength(d, sol, d.node(c))
        s.explanation = f"{s.why_label} {s.why_strength}"
    balances = question_balances(d, st)
    questions = {
        q: QuestionStanding(q, round(b, 6), round(p, 6), round(n, 6))
        for q, (b, p, n) in balances.items()
    }
    if cruxes:
        cruxes = crux_scores(d, sol, claims, questions, balances, cache)
        for c, rep in d.alias.items():  # a class flips as one: its members share the score
            s, r = claims[c], claims[rep]
            s.crux, s.crux_labels, s.crux_strength = r.crux, r.crux_labels, r.crux_strength
    positions: dict[str, dict[str, str]] = defaultdict(dict)
    for stance in sorted(kb.stances.values(), key=lambda s: s.id):
        have = positions[stance.actor].get(stance.claim)
        # Two different stances of one actor on one claim read as a qualified position.
        positions[stance.actor][stance.claim] = (
            stance.position.value
            if have in (None, stance.position.value)
            else Position.qualifies.value
        )
    evidence_strength = {
        e: st.strength[d.bipolar.index[e]] for e in kb.evidence if e in d.bipolar.index
    }
    non_converged = [d.bipolar.names[i] for i, ok in enumerate(st.converged) if not ok]
    return Analysis(claims, questions, evidence_strength, dict(positions), non_converged, cruxes)
