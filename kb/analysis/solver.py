"""Labels and strengths of a debate, with optional what-ifs forcing claims in or out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.analysis.af import IN, Acceptance, Budget, Cache, Framework, acceptance
from kb.analysis.debate import Debate, build
from kb.analysis.gradual import BipolarGraph, Strengths, evaluate, reevaluate
from kb.analysis.standing import ACCEPTED, DEFENSIBLE, REJECTED, UNDECIDED, Change
from kb.model.kb import KnowledgeBase

# A tangle whose preferred standing the SAT search cannot settle within this many conflicts and
# propagations is left undecided (and listed as such). Counted in work, not seconds, so every
# machine gives up at the same point; on dense random tangles either limit is about a second.
SAT_CONFLICT_BUDGET = 15_000
SAT_PROPAGATION_BUDGET = 4_000_000
SAT_BUDGET = Budget(SAT_CONFLICT_BUDGET, SAT_PROPAGATION_BUDGET)


@dataclass
class Solution:
    """Labels of every attack-graph node and strengths of every bipolar node."""

    acceptance: Acceptance
    strengths: Strengths
    labels: list[str]  # per attack-graph node


def _label(acc: Acceptance, i: int) -> str:
    """Return the claim label an argument gets from its acceptance."""
    return label_of(acc.grounded[i], acc.credulous[i], acc.sceptical[i], acc.rejected[i])


def label_of(grounded: int, credulous: bool, sceptical: bool, rejected: bool) -> str:
    """Return the claim label for a grounded label and a standing across preferred labellings."""
    if grounded == IN:
        return ACCEPTED
    if credulous and not sceptical:
        return DEFENSIBLE
    if rejected:
        return REJECTED
    return UNDECIDED


def solve(
    d: Debate,
    accept: frozenset[str] = frozenset(),
    reject: frozenset[str] = frozenset(),
    baseline: Solution | None = None,
    cache: Cache | None = None,
) -> Solution:
    """Label and weigh the debate, forcing the given claims to be accepted or rejected."""
    # With a baseline (the solution without what-ifs), strengths are recomputed only downstream of
    # the forced claims.
    targets = d.targets
    n = len(d.names)
    if accept or reject:
        # One unattackable argument attacks whatever the what-if rules out: the attackers of
        # an accepted claim, and a rejected claim together with its supports.
        fiat: set[int] = set()
        for c in accept:
            fiat.update(d.attackers[d.index[c]])
        for c in reject:
            fiat.update(d.index[x] for x in d.case(c))
        targets = [*targets, sorted(fiat)]
        n += 1
    forced = {d.index[c] for c in accept | reject}
    if baseline is not None and forced and not reaches_other_claims(d, targets[-1], forced):
        # Nothing downstream of the what-if is a claim: other claims keep their labels.
        acc, labels = baseline.acceptance, baseline.labels[:]
    else:
        # A pathological tangle is left undecided (and said so) rather than failing a build.
        acc = acceptance(n, targets, budget=SAT_BUDGET, cache=cache, strict=False)
        span = range(len(d.claims)) if baseline is not None else range(len(d.names))
        labels = baseline.labels[:] if baseline is not None else [""] * len(d.names)
        for i in span:
            labels[i] = _label(acc, i)
    for c in accept:
        labels[d.index[c]] = ACCEPTED
    for c in reject:
        labels[d.index[c]] = REJECTED
    g = d.bipolar
    if accept or reject:
        g = BipolarGraph(g.names, g.base[:], g.attackers[:], g.supporters[:], g.premise, g.index)
        for c in accept:
            i = g.index[c]
            g.base[i], g.attackers[i] = 1.0, []
        for c in reject:
            i = g.index[c]
            g.base[i], g.supporters[i] = 0.0, []
    if baseline is not None and (accept or reject):
        changed = [g.index[c] for c in sorted(accept | reject)]
        # Crux flips only compare strengths to 1e-6; a looser tolerance halves the work.
        strengths = reevaluate(g, baseline.strengths, changed, tol=1e-8, children=d.children)
    else:
        strengths = evaluate(g)
    return Solution(acc, strengths, labels)


def reaches_other_claims(d: Debate, starts: list[int], forced: set[int]) -> bool:
    """Say whether attacks from `starts` reach any claim outside `forced`."""
    seen = set(starts)
    stack = list(starts)
    claims = len(d.claims)  # claims come first among the nodes
    while stack:
        x = stack.pop()
        if x < claims and x not in forced:
            return True
        for y in d.targets[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return False


def whatif(
    kb: KnowledgeBase, accept: Sequence[str] = (), reject: Sequence[str] = ()
) -> list[Change]:
    """Return the claims whose label or strength changes if some claims are accepted/rejected."""
    d = build(kb)
    for c in [*accept, *reject]:
        if c not in kb.claims:
            raise KeyError(c)
    accepted = frozenset(d.node(c) for c in accept)
    rejected = frozenset(d.node(c) for c in reject)
    return _changes(d, solve(d), solve(d, accepted, rejected))


def _changes(d: Debate, before: Solution, after: Solution, eps: float = 1e-6) -> list[Change]:
    """Return the claims whose label or strength differs between two solutions."""
    out = []
    for c in d.claims:
        i, j = d.index[d.node(c)], d.bipolar.index[d.node(c)]
        lb, la = before.labels[i], after.labels[i]
        sb, sa = before.strengths.strength[j], after.strengths.strength[j]
        if lb != la or abs(sb - sa) > eps:
            out.append(Change(c, lb, la, sb, sa))
    return out


def framework(kb: KnowledgeBase) -> Framework:
    """Return the knowledge base's attack graph as a Dung framework (claims, evidence, supports)."""
    d = build(kb)
    return Framework(names=d.names, targets=d.targets, index=dict(d.index))
