"""Computed standing of every claim: labels, strengths, explanations, what-ifs and cruxes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis.af import (
    IN,
    OUT,
    Acceptance,
    Budget,
    Framework,
    acceptance,
    acceptance_after_fiat,
    format_af,
    grounded_times,
    iter_extensions,
    read_af,
    witness_lines,
)
from kb.analysis.gcpause import gc_paused
from kb.analysis.gradual import (
    DF_QUAD,
    BipolarGraph,
    Strengths,
    dependants,
    evaluate,
    reevaluate,
    reevaluate_in_place,
)
from kb.load import KnowledgeBase
from kb.model.records import Direction, Position, RelationType

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
ACCEPTED, DEFENSIBLE, REJECTED, UNDECIDED = "accepted", "defensible", "rejected", "undecided"
LABELS = (ACCEPTED, DEFENSIBLE, REJECTED, UNDECIDED)
FIAT = "what-if"  # the unattackable argument that enforces a what-if
# A tangle whose preferred standing the SAT search cannot settle within this many conflicts and
# propagations is left undecided (and listed as such). Counted in work, not seconds, so every
# machine gives up at the same point; on dense random tangles either limit is about a second.
SAT_CONFLICT_BUDGET = 15_000
SAT_PROPAGATION_BUDGET = 4_000_000
SAT_BUDGET = Budget(SAT_CONFLICT_BUDGET, SAT_PROPAGATION_BUDGET)
# Crux scores flip every claim in turn and recompute what each flip can move. The work is
# counted in nodes recomputed and preferred search work (labellings of small tangles; a SAT
# conflict or 100 propagations), summed over the flips; a knowledge base whose flips would need
# more than this skips crux scores (and the pages say so) rather than spend minutes: at 10-20
# microseconds a unit that is a few seconds at most.
CRUX_WORK_BUDGET = 60_000


@dataclass
class ClaimStanding:
    """Where one claim stands: its label, strength, the model behind it, and why."""

    id: str
    label: str  # accepted | defensible | rejected | undecided
    grounded: str  # in | out | undec (the cautious, grounded reading)
    strength: float
    base: float
    model: str  # df-quad | quadratic-energy
    converged: bool
    explanation: str = ""
    crux: float = 0.0  # crux_labels + crux_strength
    crux_labels: int = 0  # other claims whose label would change if this one flipped
    crux_strength: float = 0.0  # summed change of question balances if it flipped
    attacked: bool = False  # whether a recorded rebuttal or contradiction attacks it
    why_label: str = ""  # the explanation's first part: why it has its label
    why_strength: str = ""  # its second part: how its strength comes about


@dataclass
class QuestionStanding:
    """A question's balance (mean pro strength minus mean con strength) and its cruxes."""

    id: str
    balance: float
    pro: float
    con: float
    cruxes: list[tuple[str, float]] = field(default_factory=list)  # (claim, score), best first


@dataclass
class Disagreement:
    """A claim two actors take different positions on, with its crux score."""

    claim: str
    position_a: str
    position_b: str
    crux: float
    full: bool  # one asserts what the other denies


@dataclass
class Change:
    """How a claim's label or strength moves under a what-if."""

    claim: str
    label_before: str
    label_after: str
    strength_before: float
    strength_after: float


@dataclass
class Analysis:
    """Every claim's standing, question balances and cruxes, and actors' positions."""

    claims: dict[str, ClaimStanding]
    questions: dict[str, QuestionStanding]
    evidence_strength: dict[str, float]
    positions: dict[str, dict[str, str]]  # actor -> claim -> asserts | denies | qualifies
    non_converged: list[str] = field(default_factory=list)
    cruxes_computed: bool = True

    def disagreements(self, actor_a: str, actor_b: str) -> list[Disagreement]:
        """Return the claims two actors disagree on, ranked by crux score."""
        mine = self.positions.get(actor_a, {})
        theirs = self.positions.get(actor_b, {})
        found = []
        for claim in sorted(set(mine) & set(theirs)):
            a, b = mine[claim], theirs[claim]
            if a != b:
                full = {a, b} == {Position.asserts.value, Position.denies.value}
                crux = self.claims[claim].crux if claim in self.claims else 0.0
                found.append(Disagreement(claim, a, b, crux, full))
        return sorted(found, key=lambda d: (-d.crux, not d.full, d.claim))


# Building the frameworks ----------------------------------------------------------------------


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
    """Return, for each claim marked equivalent to another, the claim that stands for its class
    (the smallest ID of the class, which the map leaves out)."""
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


def build(kb: KnowledgeBase) -> Debate:
    """Build the attack graph (with inference nodes for supports) and the bipolar graph.

    Claims marked equivalent say the same thing in other words: one claim stands for each
    such class, and every link to or from a member is a link to or from it.
    """
    scores = base_scores(kb)
    claims = list(kb.claims)
    alias = equivalence_classes(kb)
    grounds: dict[str, list[str]] = defaultdict(list)
    premise: dict[str, str] = {}
    conflicts: list[tuple[str, str]] = []
    undercuts: list[tuple[str, str]] = []
    supports: list[tuple[str, str, str]] = []  # (support id, premise, conclusion)
    links = [
        (r, alias.get(r.from_, r.from_), alias.get(r.to, r.to))
        for r in sorted(kb.relations.values(), key=lambda r: r.id)
        if r.from_ in kb.claims
    ]
    for r, f, t in links:
        if f == t:  # within one equivalence class: about wording, not an argument
            continue
        if r.type is RelationType.supports and r.to in kb.claims:
            grounds[t].append(r.id)
            premise[r.id] = f
            supports.append((r.id, f, t))
        elif r.type is RelationType.rebuts and r.to in kb.claims:
            conflicts.append((f, t))
        elif r.type is RelationType.contradicts and r.to in kb.claims:
            conflicts += [(f, t), (t, f)]
        elif r.type is RelationType.undercuts:
            undercuts.append((f, r.to))
    evidence = sorted((e for e in kb.evidence.values() if e.claim in kb.claims), key=lambda e: e.id)
    concludes = {e.id: alias.get(e.claim, e.claim) for e in evidence}
    for e in evidence:
        if e.direction is Direction.supports:
            grounds[concludes[e.id]].append(e.id)
        else:
            conflicts.append((e.id, concludes[e.id]))
    names = claims + [e.id for e in evidence] + sorted(premise)
    index = {name: i for i, name in enumerate(names)}
    edges: set[tuple[int, int]] = set()

    def case(x: str) -> list[str]:
        return [x, *grounds.get(x, [])]

    rebutters: dict[str, list[str]] = defaultdict(list)
    for x, y in conflicts:
        rebutters[y].append(x)
        # A rebuttal attacks the claim and every reason given for it; those reasons answer
        # back, so a supported claim and its rebuttal defeat each other (AIF/ASPIC rebut).
        for a in case(x):
            for b in case(y):
                edges.add((index[a], index[b]))
        for g in grounds.get(y, []):
            edges.add((index[g], index[x]))
    undercutters: dict[str, list[str]] = defaultdict(list)
    for u, s in undercuts:
        if s in index and s not in kb.claims:
            undercutters[s].append(u)
            for a in case(u):
                edges.add((index[a], index[s]))
    # A support is no stronger than its premise: whatever attacks the premise attacks it.
    attackers_of: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        attackers_of[b].append(a)
    for s, p in premise.items():
        for a in attackers_of.get(index[p], []):
            edges.add((a, index[s]))
    targets: list[list[int]] = [[] for _ in names]
    for a, b in sorted(edges):
        targets[a].append(b)

    g = BipolarGraph()
    for c in claims:
        g.add(c, scores["claim"])
    for e in evidence:
        g.add(e.id, e.weight if e.weight is not None else scores.get(e.kind.value, 0.5))
    for sid, p, c in supports:
        if undercutters.get(sid):
            # Only an undercut support needs its own node: its base is its premise's strength.
            g.add(sid, 0.0, premise=p)
            g.support(sid, c)
        else:
            g.support(p, c)
    for e in evidence:
        (g.support if e.direction is Direction.supports else g.attack)(e.id, concludes[e.id])
    for x, y in conflicts:
        if x not in kb.evidence:  # rebutting evidence was attached above
            g.attack(x, y)
    for s, us in undercutters.items():
        for u in us:
            g.attack(u, s)
    answers: dict[str, dict[str, list[str]]] = {}
    for q in kb.questions.values():
        answers[q.id] = {
            side: [alias.get(c, c) for c in getattr(q.positions, side) if c in kb.claims]
            for side in ("pro", "con", "mixed")
        }
    attackers: list[list[int]] = [[] for _ in names]
    for a, b in sorted(edges):
        attackers[b].append(a)
    return Debate(
        claims,
        names,
        index,
        targets,
        dict(grounds),
        premise,
        {k: sorted(set(v)) for k, v in rebutters.items()},
        {k: sorted(set(v)) for k, v in undercutters.items()},
        g,
        answers,
        attackers,
        dependants(g),
        {s: c for c, ss in grounds.items() for s in ss},
        alias,
        {r.id: r.from_ for r, f, _ in links if r.id in premise and f != r.from_},
    )


# Solving, with optional what-ifs -----------------------------------------------------------


@dataclass
class Solution:
    """Labels of every attack-graph node and strengths of every bipolar node."""

    acceptance: Acceptance
    strengths: Strengths
    labels: list[str]  # per attack-graph node


def _label(acc: Acceptance, i: int) -> str:
    """Return the claim label an argument gets from its acceptance."""
    return _label_of(acc.grounded[i], acc.credulous[i], acc.sceptical[i], acc.rejected[i])


def _label_of(grounded: int, credulous: bool, sceptical: bool, rejected: bool) -> str:
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
    cache: dict | None = None,
) -> Solution:
    """Label and weigh the debate, forcing the given claims to be accepted or rejected.

    With a baseline (the solution without what-ifs), strengths are recomputed only
    downstream of the forced claims.
    """
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
    if baseline is not None and forced and not _reaches_other_claims(d, targets[-1], forced):
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


def _reaches_other_claims(d: Debate, starts: list[int], forced: set[int]) -> bool:
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


# The analysis the site and the CLI read ---------------------------------------------------


def _balances(d: Debate, s: Strengths) -> dict[str, tuple[float, float, float]]:
    """Return per question (balance, mean pro strength, mean con strength)."""
    out = {}
    for q, sides in d.answers.items():
        means = []
        for side in ("pro", "con"):
            values = [s.strength[d.bipolar.index[c]] for c in sides[side]]
            means.append(sum(values) / len(values) if values else 0.0)
        out[q] = (means[0] - means[1], means[0], means[1])
    return out


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


def analyse(kb: KnowledgeBase, cruxes: bool = True) -> Analysis:
    """Compute every claim's label, strength, explanation and crux score, and question cruxes."""
    with gc_paused():
        return _analyse(kb, cruxes)


def _analyse(kb: KnowledgeBase, cruxes: bool) -> Analysis:
    """Compute the analysis; `analyse` runs this with the garbage collector paused."""
    d = build(kb)
    cache: dict = {}  # undecided components recur across crux flips: solve each once
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
        s.why_label = _why_label(d, sol, d.node(c)) + _equivalents_note(d, c, classes)
        s.why_strength = _why_strength(d, sol, d.node(c))
        s.explanation = f"{s.why_label} {s.why_strength}"
    balances = _balances(d, st)
    questions = {
        q: QuestionStanding(q, round(b, 6), round(p, 6), round(n, 6))
        for q, (b, p, n) in balances.items()
    }
    if cruxes:
        cruxes = _cruxes(d, sol, claims, questions, balances, cache)
        for c, rep in d.alias.items():  # a class flips as one: its members share the score
            s, r = claims[c], claims[rep]
            s.crux, s.crux_labels, s.crux_strength = r.crux, r.crux_labels, r.crux_strength
    positions: dict[str, dict[str, str]] = defaultdict(dict)
    for s in sorted(kb.stances.values(), key=lambda s: s.id):
        have = positions[s.actor].get(s.claim)
        # Two different stances of one actor on one claim read as a qualified position.
        positions[s.actor][s.claim] = (
            s.position.value if have in (None, s.position.value) else Position.qualifies.value
        )
    evidence_strength = {
        e: st.strength[d.bipolar.index[e]] for e in kb.evidence if e in d.bipolar.index
    }
    non_converged = [d.bipolar.names[i] for i, ok in enumerate(st.converged) if not ok]
    return Analysis(claims, questions, evidence_strength, dict(positions), non_converged, cruxes)


def _cruxes(
    d: Debate,
    sol: Solution,
    claims: dict[str, ClaimStanding],
    questions: dict[str, QuestionStanding],
    balances: dict[str, tuple[float, float, float]],
    cache: dict,
) -> bool:
    """Flip each claim in turn (accept what stands, reject what does not) and measure.

    Each flip recomputes only what it can move, with the results of a full solve
    (`solve(d, accept/reject, baseline=sol)`): grounded labels from where the flip
    retracts them (`acceptance_after_fiat`), the undecided components that touch a changed
    label, strengths downstream of the claim, and the balances of the questions on which a
    claim moved. `cache` must be the one the baseline solve filled. Gives up, leaving every
    score at zero, and returns False when the work would exceed CRUX_WORK_BUDGET.
    """
    on_question: dict[str, set[str]] = {
        q: {c for side in sides.values() for c in side} for q, sides in d.answers.items()
    }
    order = {q: k for k, q in enumerate(on_question)}
    questions_of: dict[str, list[str]] = defaultdict(list)
    for q, members in on_question.items():
        for c in members:
            questions_of[c].append(q)
    per_question: dict[str, list[tuple[str, float]]] = defaultdict(list)
    reach = _reach(d)
    acc = sol.acceptance
    _, step = grounded_times(len(d.names), d.targets)
    work = acc.grounded[:]
    g = d.bipolar
    base = sol.strengths
    # One scratch copy of the strengths: each flip writes into it and puts back what it moved.
    s = Strengths(base.strength[:], base.model[:], base.converged[:])
    n_claims = len(d.claims)
    # Estimate the strength work from twenty claims spread over the list before any flip: a
    # breadth-first count costs a fraction of the recomputation it predicts.
    sample = d.claims[:: max(1, n_claims // 20)]
    estimate = sum(_downstream(g.index[c], d.children) for c in sample) * n_claims
    if sample and estimate > CRUX_WORK_BUDGET * len(sample):
        return _no_cruxes(claims)
    spent = spent_down = 0  # all the work, and the strength part, which grows smoothly
    for done, c in enumerate(d.claims, 1):
        # Counted in nodes recomputed and search work, not seconds, so that every machine
        # gives up at the same claim.
        if spent > CRUX_WORK_BUDGET:
            return _no_cruxes(claims)
        if not reach[c] and not questions_of.get(c):
            continue  # nothing downstream and no question to move: its flip changes nothing else
        i, j = d.index[c], g.index[c]
        flip_reject = claims[c].label in (ACCEPTED, DEFENSIBLE)
        kept = g.base[j], g.attackers[j], g.supporters[j]
        if flip_reject:
            g.base[j], g.supporters[j] = 0.0, []
        else:
            g.base[j], g.attackers[j] = 1.0, []
        try:
            # Crux flips only compare strengths to 1e-6; a looser tolerance halves the work.
            down = reevaluate_in_place(g, s, [j], tol=1e-8, children=d.children)
        finally:
            g.base[j], g.attackers[j], g.supporters[j] = kept
        spent += len(down)
        spent_down += len(down)
        # The strength work, about even across claims, is projected from the first ones, so
        # that a hopeless pass stops early; search work comes in bursts and would mislead.
        if done >= 10 and spent_down * n_claims > CRUX_WORK_BUDGET * done:
            return _no_cruxes(claims)
        fiat = sorted({d.index[x] for x in d.case(c)} if flip_reject else set(d.attackers[i]))
        changed: set[str] = set()
        if _reaches_other_claims(d, fiat, {i}):
            steps = [0]
            moved = acceptance_after_fiat(
                acc, step, work, d.targets, d.attackers, fiat, SAT_BUDGET, cache, steps
            )
            spent += len(moved) + steps[0]
            for x, (gr, cred, scep, rej, _) in moved.items():
                if x < n_claims and x != i and _label_of(gr, cred, scep, rej) != sol.labels[x]:
                    changed.add(d.names[x])
        touched = {q for x in down if x < n_claims for q in questions_of.get(g.names[x], ())}
        touched.update(q for x in changed for q in questions_of.get(x, ()))
        shift = 0.0
        for q in sorted(touched, key=order.__getitem__):
            sides = d.answers[q]
            means = []
            for side in ("pro", "con"):
                values = [s.strength[g.index[x]] for x in sides[side]]
                means.append(sum(values) / len(values) if values else 0.0)
            delta = abs(means[0] - means[1] - balances[q][0])
            delta = delta if delta > 1e-6 else 0.0  # below the integration tolerance
            shift += delta
            score = delta + len(changed & on_question[q])
            if score > 1e-6:
                per_question[q].append((c, round(score, 6)))
        for x in down:
            s.strength[x], s.model[x], s.converged[x] = (
                base.strength[x],
                base.model[x],
                base.converged[x],
            )
        claims[c].crux_labels = len(changed)
        claims[c].crux_strength = round(shift, 6)
        claims[c].crux = round(len(changed) + shift, 6)
    for q, ranked in per_question.items():
        questions[q].cruxes = sorted(ranked, key=lambda t: (-t[1], t[0]))[:10]
    return True


def _downstream(start: int, children: list[list[int]]) -> int:
    """Return how many nodes a node's strength reaches, itself included."""
    seen = {start}
    stack = [start]
    while stack:
        for c in children[stack.pop()]:
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return len(seen)


def _no_cruxes(claims: dict[str, ClaimStanding]) -> bool:
    """Reset every crux score to zero and return False: the pass gave up."""
    for standing in claims.values():
        standing.crux = standing.crux_strength = 0.0
        standing.crux_labels = 0
    return False


def _reach(d: Debate) -> dict[str, bool]:
    """Return, per claim, whether anything else hangs on it in either graph."""
    g = d.bipolar
    children = [False] * len(g.names)
    for i in range(len(g.names)):
        for p in [*g.attackers[i], *g.supporters[i]]:
            children[p] = True
        if g.premise[i] >= 0:
            children[g.premise[i]] = True
    out = {}
    for c in d.claims:
        i = d.index[c]
        # Accepting a claim defeats its attackers, and rejecting it defeats its supports.
        out[c] = bool(
            children[g.index[c]] or any(d.targets[d.index[x]] for x in d.case(c)) or d.attackers[i]
        )
    return out


# Explanations ----------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """Return a strength with two decimals."""
    return f"{x:.2f}"


def _names(items: list[str]) -> str:
    """Join names as English does: a, b and c."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_claim(d: Debate, sol: Solution, claim: str) -> str:
    """Return why a claim has its label and strength, as a short chain in words."""
    return f"{_why_label(d, sol, claim)} {_why_strength(d, sol, claim)}"


def _equivalents_note(d: Debate, c: str, classes: dict[str, list[str]]) -> str:
    """Say which claims a claim shares its standing with, being marked equivalent to them."""
    rep = d.node(c)
    if rep not in classes:
        return ""
    others = [x for x in [rep, *classes[rep]] if x != c]
    return f" It is marked equivalent to {_names(_short(others))} and shares their standing."


def _support_name(d: Debate, s: str) -> str:
    """Return how a support is named in words: by its premise as written, or its own ID."""
    return d.wording.get(s) or d.premise.get(s, s)


def _ground_fates(d: Debate, sol: Solution, grounds: list[str]) -> list[str]:
    """Say why the supports of a claim that do not stand fall, grouped by cause."""
    undercut: dict[str, list[str]] = defaultdict(list)
    premise_out: list[str] = []
    beaten: dict[str, list[str]] = defaultdict(list)
    for s in grounds:
        if sol.labels[d.index[s]] == ACCEPTED:
            continue
        who = _support_name(d, s)
        cutters = [u for u in d.undercutters.get(s, []) if sol.labels[d.index[u]] == ACCEPTED]
        p = d.premise.get(s)
        winners = sorted(
            {d.owner(a) for a in _attackers_of(d, s) if sol.labels[d.index[a]] == ACCEPTED}
        )
        if cutters:
            undercut[_names(cutters)].append(who)
        elif p and sol.labels[d.index[p]] == REJECTED:
            premise_out.append(who)
        elif winners:
            beaten[_names(_short(winners))].append(who)
    out = [
        f"{_names(_short(whos))} supported it, but "
        f"{_plural(whos, 'that support is', 'those supports are')} undercut by {by}"
        for by, whos in undercut.items()
    ]
    if premise_out:
        out.append(
            f"{_names(_short(premise_out))} supported it, but "
            f"{_plural(premise_out, 'it is', 'they are')} rejected in turn"
        )
    out += [
        f"{_names(_short(whos))} supported it, but {by} "
        f"{'defeats' if ' and ' not in by else 'defeat'} "
        f"{_plural(whos, 'that support', 'those supports')} as well"
        for by, whos in beaten.items()
    ]
    return out


def _plural(items: list[str], one: str, many: str) -> str:
    """Return the singular or plural wording for a list."""
    return one if len(items) == 1 else many


def _short(items: list[str], keep: int = 4) -> list[str]:
    """Keep a list readable: the first few names, then how many more."""
    if len(items) <= keep + 1:
        return items
    return [*items[:keep], f"{len(items) - keep} more"]


def _why_label(d: Debate, sol: Solution, c: str) -> str:
    """Return the sentence chain that explains a claim's label."""
    label = sol.labels[d.index[c]]
    rebutters = d.rebutters.get(c, [])
    grounds = d.grounds.get(c, [])
    lab = {x: sol.labels[d.index[x]] for x in rebutters}
    if label == ACCEPTED:
        if not rebutters:
            return "accepted: nothing recorded attacks it."
        parts = []
        for x in rebutters:
            beaten_by = [y for y in _attackers_of(d, x) if sol.labels[d.index[y]] == ACCEPTED]
            answered = [_support_name(d, g) for g in grounds if g in beaten_by]
            others = [_support_name(d, y) for y in beaten_by if y not in grounds]
            if answered:
                parts.append(f"{x} is answered by {_names(answered)}, which stand")
            elif others:
                parts.append(f"{x} falls to {_names(others[:3])}")
            else:
                parts.append(f"{x} is {lab[x]}")
        return "accepted: every attack on it fails: " + "; ".join(parts) + "."
    if label == REJECTED:
        winners = [x for x in rebutters if lab[x] == ACCEPTED]
        parts = []
        free = [x for x in winners if not _attackers_of(d, x)]
        held = [x for x in winners if _attackers_of(d, x)]
        if free:
            parts.append(f"attacked by {_names(free)}, which nothing attacks")
        if held:
            them = _plural(held, "survives every attack on it", "survive every attack on them")
            parts.append(f"{'and by' if free else 'attacked by'} {_names(held)}, which {them}")
        if not winners:
            if rebutters:
                parts.append(f"every coherent reading keeps one of {_names(rebutters)} against it")
            else:
                parts.append("a what-if rules it out")
        return "rejected: " + "; ".join(parts + _ground_fates(d, sol, grounds)) + "."
    # Who attacks it in the graph: its rebutters, or the supports of a claim it rebuts.
    attackers = sorted({_support_name(d, a) for a in _attackers_of(d, c)})
    if label == DEFENSIBLE:
        contest = [x for x in rebutters if lab[x] != REJECTED] or rebutters
        backers = [_support_name(d, s) for s in grounds if sol.labels[d.index[s]] != REJECTED]
        if contest and backers:
            return (
                f"defensible: {_names(contest)} {_plural(contest, 'attacks', 'attack')} it and "
                f"{_names(backers)} {_plural(backers, 'answers', 'answer')} back; "
                "neither side defeats the other, so it holds in some coherent readings, not all."
            )
        return (
            f"defensible: it is in a standoff with {_names(_short(attackers))}, each able to "
            "defeat the other, so it holds in some coherent readings, not all."
        )
    if d.index[c] in sol.acceptance.unresolved:
        return (
            "undecided: it sits in a tangle of attacks too hard to work through within the "
            "analysis's fixed budget, so only the cautious (grounded) reading is given."
        )
    if sol.acceptance.sceptical[d.index[c]]:
        return (
            f"undecided on the cautious reading: {_names(_short(attackers))} "
            f"{_plural(attackers, 'falls', 'fall')} in every coherent reading, so each of them "
            "accepts it, but no undisputed argument settles it."
        )
    return (
        f"undecided: {_names(_short(attackers))} {_plural(attackers, 'attacks', 'attack')} it "
        "within a cycle of attacks that no coherent reading resolves."
    )


def _attackers_of(d: Debate, node: str) -> list[str]:
    """Return the names of the arguments that attack a node."""
    return sorted(d.names[a] for a in d.attackers[d.index[node]])


def _why_strength(d: Debate, sol: Solution, c: str) -> str:
    """Return the sentence that explains a claim's strength and its model."""
    g, st = d.bipolar, sol.strengths
    j = g.index[c]
    model = (
        "DF-QuAD" if st.model[j] == DF_QUAD else "the quadratic energy model (it sits on a cycle)"
    )
    text = f"Strength {_fmt(st.strength[j])} by {model}, from base {_fmt(g.base[j])}"
    sups = [
        f"{_support_name(d, g.names[k])} ({_fmt(st.strength[k])}"
        + (", weakened by its undercut)" if g.premise[k] >= 0 else ")")
        for k in g.supporters[j]
    ]
    atts = [f"{g.names[k]} ({_fmt(st.strength[k])})" for k in g.attackers[j]]
    if sups:
        text += f"; supported by {_names(sups)}"
    if atts:
        text += f"; attacked by {_names(atts)}"
    if not st.converged[j]:
        text += "; the integration did not converge, so treat this number as provisional"
    return text + "."


# Command-line reports ------------------------------------------------------------------------


def _claim_or_fail(kb: KnowledgeBase, claim_id: str) -> None:
    """Raise a usage error, with a suggestion, for an unknown claim ID."""
    from kb.errors import UsageError, did_you_mean

    if claim_id not in kb.claims:
        hint = did_you_mean(claim_id, kb.claims)
        raise UsageError(f"no claim {claim_id!r}" + (f"; {hint}" if hint else ""))


def explain_report(kb_path: Path, claim_id: str) -> str:
    """Return the text of `kb explain ID`: label, strength, crux and the reasons."""
    from kb.check import load_kb

    kb = load_kb(kb_path)
    _claim_or_fail(kb, claim_id)
    s = analyse(kb).claims[claim_id]
    state = "converged" if s.converged else "did not converge"
    return "\n".join(
        [
            f"{s.id}: {s.label} (grounded reading: {s.grounded})",
            f"strength {_fmt(s.strength)} by {s.model} ({state}), base {_fmt(s.base)}",
            f"crux {s.crux:.2f}: {s.crux_labels} other claims would change label if it flipped; "
            f"question balances would move by {s.crux_strength:.2f}",
            "",
            s.explanation,
        ]
    )


def whatif_report(kb_path: Path, accept: Sequence[str], reject: Sequence[str]) -> str:
    """Return the text of `kb whatif`: every claim whose label or strength moves."""
    from kb.check import load_kb
    from kb.errors import UsageError

    kb = load_kb(kb_path)
    if not accept and not reject:
        raise UsageError("give at least one --accept ID or --reject ID")
    for c in [*accept, *reject]:
        _claim_or_fail(kb, c)
    changes = whatif(kb, accept, reject)
    if not changes:
        return "nothing changes"
    lines = []
    for ch in changes:
        label = (
            f"{ch.label_before} -> {ch.label_after}"
            if ch.label_before != ch.label_after
            else ch.label_after
        )
        strength = f"{_fmt(ch.strength_before)} -> {_fmt(ch.strength_after)}"
        lines.append(f"{ch.claim}: {label}; strength {strength}")
    return "\n".join(lines)


def framework(kb: KnowledgeBase) -> Framework:
    """Return the knowledge base's attack graph as a Dung framework (claims, evidence, supports)."""
    d = build(kb)
    return Framework(names=d.names, targets=d.targets, index=dict(d.index))


def export_framework(kb_path: Path, fmt: str) -> str:
    """Return the knowledge base's attack graph in an ICCMA format."""
    from kb.check import load_kb

    return format_af(framework(load_kb(kb_path)), fmt)


def solve_report(
    path: Path | None, kb_path: Path, semantics: str, fmt: str | None = None
) -> Iterator[str]:
    """Yield the witness lines of an ICCMA file's extensions (or the KB's), as they are found."""
    from kb.check import load_kb

    af = read_af(path, fmt) if path is not None else framework(load_kb(kb_path))
    return witness_lines(iter_extensions(af, semantics))
