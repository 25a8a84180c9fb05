"""Crux scores: flip each claim in turn and measure what it moves, within a work budget."""

from __future__ import annotations

from collections import defaultdict

from kb.analysis.af import Cache, acceptance_after_fiat, grounded_times
from kb.analysis.debate import Debate
from kb.analysis.gradual import Strengths, reevaluate_in_place
from kb.analysis.solver import SAT_BUDGET, Solution, label_of, reaches_other_claims
from kb.analysis.standing import ACCEPTED, DEFENSIBLE, ClaimStanding, QuestionStanding

# Crux scores flip every claim in turn and recompute what each flip can move. The work is
# counted in nodes recomputed and preferred search work (labellings of small tangles; a SAT
# conflict or 100 propagations), summed over the flips; a knowledge base whose flips would need
# more than this skips crux scores (and the pages say so) rather than spend minutes: at 10-20
# microseconds a unit that is a few seconds at most.
CRUX_WORK_BUDGET = 60_000


def question_balances(d: Debate, s: Strengths) -> dict[str, tuple[float, float, float]]:
    """Return per question (balance, mean pro strength, mean con strength)."""
    out = {}
    for q, sides in d.answers.items():
        means = []
        for side in ("pro", "con"):
            values = [s.strength[d.bipolar.index[c]] for c in sides[side]]
            means.append(sum(values) / len(values) if values else 0.0)
        out[q] = (means[0] - means[1], means[0], means[1])
    return out


def crux_scores(
    d: Debate,
    sol: Solution,
    claims: dict[str, ClaimStanding],
    questions: dict[str, QuestionStanding],
    balances: dict[str, tuple[float, float, float]],
    cache: Cache,
) -> bool:
    """Flip each claim in turn (accept what stands, reject what does not) and measure."""
    # Each flip recomputes only what it can move, with the results of a full solve
    # (`solve(d, accept/reject, baseline=sol)`): grounded labels from where the flip retracts them
    # (`acceptance_after_fiat`), the undecided components that touch a changed label, strengths
    # downstream of the claim, and the balances of the questions on which a claim moved. `cache`
    # must be the one the baseline solve filled. Gives up, leaving every score at zero, and returns
    # False when the work would exceed CRUX_WORK_BUDGET.
    return _CruxPass(d, sol, claims, balances, cache).run(questions)


class _CruxPass:
    """One pass of claim flips over a solved debate, with the tables every flip reads."""

    def __init__(
        self,
        d: Debate,
        sol: Solution,
        claims: dict[str, ClaimStanding],
        balances: dict[str, tuple[float, float, float]],
        cache: Cache,
    ) -> None:
        self.d, self.sol, self.claims, self.balances, self.cache = d, sol, claims, balances, cache
        self.on_question: dict[str, set[str]] = {
            q: {c for side in sides.values() for c in side} for q, sides in d.answers.items()
        }
        self.order = {q: k for k, q in enumerate(self.on_question)}
        self.questions_of: dict[str, list[str]] = defaultdict(list)
        for q, members in self.on_question.items():
            for c in members:
                self.questions_of[c].append(q)
        self.per_question: dict[str, list[tuple[str, float]]] = defaultdict(list)
        _, self.step = grounded_times(len(d.names), d.targets)
        self.work = sol.acceptance.grounded[:]
        base = sol.strengths
        # One scratch copy of the strengths: each flip writes into it and puts back what it moved.
        self.s = Strengths(base.strength[:], base.model[:], base.converged[:])

    def run(self, questions: dict[str, QuestionStanding]) -> bool:
        """Score every claim and rank each question's cruxes; False if the budget ran out."""
        d, claims = self.d, self.claims
        g = d.bipolar
        reach = _reach(d)
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
            if not reach[c] and not self.questions_of.get(c):
                continue  # nothing downstream and no question to move: its flip changes nothing
            flip_reject = claims[c].label in (ACCEPTED, DEFENSIBLE)
            down = self._strengths_after(c, flip_reject)
            spent += len(down)
            spent_down += len(down)
            # The strength work, about even across claims, is projected from the first ones, so
            # that a hopeless pass stops early; search work comes in bursts and would mislead.
            if done >= 10 and spent_down * n_claims > CRUX_WORK_BUDGET * done:
                return _no_cruxes(claims)
            changed, searched = self._labels_after(c, flip_reject)
            spent += searched
            self._score(c, down, changed)
        for q, ranked in self.per_question.items():
            questions[q].cruxes = sorted(ranked, key=lambda t: (-t[1], t[0]))[:10]
        return True

    def _strengths_after(self, c: str, flip_reject: bool) -> list[int]:
        """Write the strengths after a claim's flip into the scratch copy; return what moved."""
        g = self.d.bipolar
        j = g.index[c]
        kept = g.base[j], g.attackers[j], g.supporters[j]
        if flip_reject:
            g.base[j], g.supporters[j] = 0.0, []
        else:
            g.base[j], g.attackers[j] = 1.0, []
        try:
            # Crux flips only compare strengths to 1e-6; a looser tolerance halves the work.
            return reevaluate_in_place(g, self.s, [j], tol=1e-8, children=self.d.children)
        finally:
            g.base[j], g.attackers[j], g.supporters[j] = kept

    def _labels_after(self, c: str, flip_reject: bool) -> tuple[set[str], int]:
        """Return the other claims whose label a claim's flip changes, and the search work."""
        d, sol = self.d, self.sol
        i = d.index[c]
        fiat = sorted({d.index[x] for x in d.case(c)} if flip_reject else set(d.attackers[i]))
        changed: set[str] = set()
        if not reaches_other_claims(d, fiat, {i}):
            return changed, 0
        steps = [0]
        moved = acceptance_after_fiat(
            sol.acceptance,
            self.step,
            self.work,
            d.targets,
            d.attackers,
            fiat,
            SAT_BUDGET,
            self.cache,
            steps,
        )
        n_claims = len(d.claims)
        for x, (gr, cred, scep, rej, _) in moved.items():
            if x < n_claims and x != i and label_of(gr, cred, scep, rej) != sol.labels[x]:
                changed.add(d.names[x])
        return changed, len(moved) + steps[0]

    def _score(self, c: str, down: list[int], changed: set[str]) -> None:
        """Score a flip by the labels and question balances it moves; restore the strengths."""
        d, s, base = self.d, self.s, self.sol.strengths
        g = d.bipolar
        n_claims = len(d.claims)
        questions_of = self.questions_of
        touched = {q for x in down if x < n_claims for q in questions_of.get(g.names[x], ())}
        touched.update(q for x in changed for q in questions_of.get(x, ()))
        shift = 0.0
        for q in sorted(touched, key=self.order.__getitem__):
            sides = d.answers[q]
            means = []
            for side in ("pro", "con"):
                values = [s.strength[g.index[x]] for x in sides[side]]
                means.append(sum(values) / len(values) if values else 0.0)
            delta = abs(means[0] - means[1] - self.balances[q][0])
            delta = delta if delta > 1e-6 else 0.0  # below the integration tolerance
            shift += delta
            score = delta + len(changed & self.on_question[q])
            if score > 1e-6:
                self.per_question[q].append((c, round(score, 6)))
        for x in down:
            s.strength[x], s.model[x], s.converged[x] = (
                base.strength[x],
                base.model[x],
                base.converged[x],
            )
        standing = self.claims[c]
        standing.crux_labels = len(changed)
        standing.crux_strength = round(shift, 6)
        standing.crux = round(len(changed) + shift, 6)


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
