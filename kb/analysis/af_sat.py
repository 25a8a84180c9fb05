"""Preferred and stable semantics by SAT (PySAT): enumeration and acceptance within a budget."""
# The complete-labelling encoding of Caminada and Gabbay, with the iterative maximisation of PrefSat
# (Cerutti, Dunne, Giacomin, Vallati 2013) and the counterexample-guided acceptance checks of
# CEGARTIX (Dvořák, Järvisalo, Wallner, Woltran 2014). The budget counts SAT conflicts and
# propagations, not seconds, so that a hard tangle is given up at the same point on every machine
# and the output stays byte-identical.

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pysat.solvers import Solver

SOLVER = "glucose4"  # deterministic, and supports conflict and propagation budgets
# On dense random frameworks a conflict costs about 50 microseconds and 100 propagations 20-50.
PROPAGATIONS_PER_UNIT = 100
# Asking SCC by SCC on upstream closures stops paying when they add up to this many times the
# framework: a long chain of SCCs would encode its head again for every link.
REGION_FACTOR = 16
REGION_SHARE = 8  # an SCC asked on its own gets this fraction of the budget


class BudgetExhausted(RuntimeError):
    """The SAT search ran out of its conflict or propagation budget."""


@dataclass(frozen=True)
class Budget:
    """A deterministic work limit: SAT conflicts and unit propagations, summed over calls."""

    conflicts: int
    propagations: int


class Meter:
    """Conflicts and propagations spent against a budget, and against the enclosing meter's."""

    def __init__(self, budget: Budget | None, parent: Meter | None = None) -> None:
        self.budget = budget
        self.parent = parent
        self.conflicts = self.propagations = 0

    def left(self) -> tuple[int, int] | None:
        """Return the conflicts and propagations still allowed (None: no limit)."""
        up = self.parent.left() if self.parent is not None else None
        if self.budget is None:
            return up
        mine = (
            self.budget.conflicts - self.conflicts,
            self.budget.propagations - self.propagations,
        )
        return mine if up is None else (min(mine[0], up[0]), min(mine[1], up[1]))

    def add(self, conflicts: int, propagations: int) -> None:
        """Count work done here and in every enclosing meter."""
        self.conflicts += conflicts
        self.propagations += propagations
        if self.parent is not None:
            self.parent.add(conflicts, propagations)

    def exhausted(self) -> bool:
        left = self.left()
        return left is not None and (left[0] <= 0 or left[1] <= 0)

    def units(self) -> int:
        """Return the work done, in the crux pass's units."""
        return work_units(self.conflicts, self.propagations)


class _Sat:
    """One incremental solver over a framework's labelling variables, metered."""

    def __init__(self, n: int, meter: Meter) -> None:
        self.n = n
        self.top = 2 * n
        self.solver = Solver(name=SOLVER)
        self.meter = meter
        self.model: list[int] = []

    def new_var(self) -> int:
        self.top += 1
        return self.top

    def add(self, clause: list[int]) -> None:
        self.solver.add_clause(clause)

    def used(self) -> tuple[int, int]:
        """Return the conflicts and propagations this solver spent so far."""
        stats = self.solver.accum_stats()
        return stats.get("conflicts", 0), stats.get("propagations", 0)

    def solve(self, assumptions: Sequence[int] = ()) -> bool:
        """Solve under assumptions; raise BudgetExhausted when the budget is spent."""
        left = self.meter.left()
        before = self.used()
        try:
            if left is None:
                ok = self.solver.solve(assumptions=list(assumptions))
            else:
                if left[0] <= 0 or left[1] <= 0:
                    raise BudgetExhausted("the SAT search ran out of budget")
                self.solver.conf_budget(left[0])
                self.solver.prop_budget(left[1])
                ok = self.solver.solve_limited(assumptions=list(assumptions))
        finally:
            after = self.used()
            self.meter.add(after[0] - before[0], after[1] - before[1])
        if ok is None:
            raise BudgetExhausted("the SAT search ran out of budget")
        if ok:
            self.model = self.solver.get_model() or []
        return bool(ok)

    def ins(self) -> list[int]:
        """Return the arguments IN in the last model."""
        return [i for i in range(self.n) if self.model[i] > 0]

    def outs(self) -> list[int]:
        """Return the arguments OUT in the last model."""
        n = self.n
        return [i for i in range(n) if self.model[n + i] > 0]

    def close(self) -> None:
        self.solver.delete()


def _complete(sat: _Sat, attackers: Sequence[Sequence[int]]) -> None:
    """Add the complete-labelling clauses: in(a) = a + 1, out(a) = n + a + 1."""
    n = sat.n
    for a in range(n):
        ia, oa = a + 1, n + a + 1
        sat.add([-ia, -oa])
        for b in attackers[a]:
            sat.add([-ia, n + b + 1])  # IN: every attacker OUT
            sat.add([-(b + 1), oa])  # an IN attacker makes it OUT
        sat.add([-oa, *(b + 1 for b in attackers[a])])  # OUT: some attacker IN
        sat.add([ia, *(-(n + b + 1) for b in attackers[a])])  # every attacker OUT: IN


def _maximise(sat: _Sat, ins: list[int]) -> list[int]:
    """Grow an IN set of a complete labelling to a preferred one (the last model is kept)."""
    n = sat.n
    while True:
        chosen = set(ins)
        rest = [i + 1 for i in range(n) if i not in chosen]
        if not rest:
            return ins
        act = sat.new_var()
        sat.add([-act, *rest])
        found = sat.solve([act, *(i + 1 for i in ins)])
        sat.add([-act])
        if not found:
            return ins
        ins = sat.ins()


def preferred(
    n: int, attackers: Sequence[Sequence[int]], budget: Budget | None = None
) -> Iterator[list[int]]:
    """Yield the IN sets of the preferred labellings of a framework, as the solver finds them."""
    sat = _Sat(n, Meter(budget))
    try:
        _complete(sat, attackers)
        while sat.solve():
            ins = _maximise(sat, sat.ins())
            yield ins
            chosen = set(ins)
            rest = [i + 1 for i in range(n) if i not in chosen]
            if not rest:
                return
            sat.add(rest)  # the next one is not inside this one
    finally:
        sat.close()


def stable(
    n: int, attackers: Sequence[Sequence[int]], budget: Budget | None = None
) -> Iterator[list[int]]:
    """Yield the stable extensions of a framework, as the solver finds them."""
    sat = _Sat(n, Meter(budget))
    try:
        for a in range(n):
            sat.add([a + 1, *(b + 1 for b in attackers[a])])  # IN, or attacked by an IN
            for b in attackers[a]:
                sat.add([-(a + 1), -(b + 1)])
        while sat.solve():
            ins = sat.ins()
            yield ins
            chosen = set(ins)
            sat.add([-(i + 1) if i in chosen else i + 1 for i in range(n)])
    finally:
        sat.close()


def standing(
    n: int,
    attackers: Sequence[Sequence[int]],
    budget: Budget | None = None,
    spent: list[int] | None = None,
    sccs: Sequence[Sequence[int]] | None = None,
) -> list[tuple[bool, bool, bool] | None]:
    """Return (credulous, sceptical, rejected) per argument under preferred semantics."""
    # One solver answers for the whole framework. If that takes more than half the budget and the
    # SCCs are given, each SCC is then asked about on its upstream closure alone, which preferred
    # semantics allows (it is directional): on a long sparse tangle every SAT call propagates
    # through a few dozen arguments instead of thousands, and an SCC that exhausts its share of the
    # rest (an eighth, then what the others left) leaves only its own members undecided (None).
    # `spent[0]`, if given, grows by the work done, which never exceeds `budget`.
    total = Meter(budget)
    whole = [(list(range(n)), list(range(n)))]
    regions = _regions(n, attackers, sccs)
    result: list[tuple[bool, bool, bool] | None] = [None] * n
    try:
        if len(regions) == 1 or budget is None:
            _settle(whole, attackers, None, total, result)
            return result
        # One solver for the whole first, with half the budget: closures repeat the work
        # upstream of every SCC, so they pay only when the whole is too hard.
        half = Budget(budget.conflicts // 2, budget.propagations // 2)
        if not _settle(whole, attackers, half, total, result):
            return result
        share = Budget(budget.conflicts // REGION_SHARE, budget.propagations // REGION_SHARE)
        failed = _settle(regions, attackers, share, total, result)
        _settle(failed, attackers, None, total, result)  # a second chance with what is left
    finally:
        if spent is not None:
            spent[0] += total.units()
    return result


def _settle(
    regions: list[tuple[list[int], list[int]]],
    attackers: Sequence[Sequence[int]],
    share: Budget | None,
    total: Meter,
    result: list[tuple[bool, bool, bool] | None],
) -> list[tuple[list[int], list[int]]]:
    """Answer for each region's members, each within `share` and `total`; return the failed."""
    failed = []
    for closure, ask in regions:
        fresh = Meter(share, total)
        if fresh.exhausted():
            failed.append((closure, ask))
            continue
        pos = {x: k for k, x in enumerate(closure)}
        local = [[pos[a] for a in attackers[x]] for x in closure]
        sat = _Sat(len(closure), fresh)
        try:
            _complete(sat, local)
            answers = _Standing(sat).run([pos[x] for x in ask])
        except BudgetExhausted:
            failed.append((closure, ask))
            continue
        finally:
            sat.close()
        for x in ask:
            result[x] = answers[pos[x]]
    return failed


def _regions(
    n: int, attackers: Sequence[Sequence[int]], sccs: Sequence[Sequence[int]] | None
) -> list[tuple[list[int], list[int]]]:
    """Return (upstream closure, members) per SCC, or the whole framework once."""
    # The whole framework when there is one SCC, or when the closures overlap so much that encoding
    # them would cost more than a few times the framework itself.
    whole = [(list(range(n)), list(range(n)))]
    if not sccs or len(sccs) < 2:
        return whole
    regions: list[tuple[list[int], list[int]]] = []
    total = 0
    for scc in sccs:
        seen = set(scc)
        stack = list(scc)
        while stack:
            for a in attackers[stack.pop()]:
                if a not in seen:
                    seen.add(a)
                    stack.append(a)
        total += len(seen)
        if total > REGION_FACTOR * n:
            return whole
        regions.append((sorted(seen), list(scc)))
    return regions


def work_units(conflicts: int, propagations: int) -> int:
    """Return SAT work in units of about 20 microseconds, the scale of the crux pass's budget."""
    return conflicts + propagations // PROPAGATIONS_PER_UNIT


class _Standing:
    """The acceptance questions of one framework, sharing the preferred labellings found."""

    def __init__(self, sat: _Sat) -> None:
        n = sat.n
        self.sat = sat
        self.credulous: list[bool | None] = [None] * n
        self.not_sceptical = [False] * n
        self.not_rejected = [False] * n
        self.found: list[tuple[int, set[int], set[int]]] = []  # selector, IN set, OUT set

    def record(self) -> None:
        """Maximise the last model to a preferred labelling and learn from it."""
        sat = self.sat
        ins = set(_maximise(sat, sat.ins()))
        outs = set(sat.outs())
        for x in range(sat.n):
            if x in ins:
                self.credulous[x] = True
                self.not_rejected[x] = True
            else:
                self.not_sceptical[x] = True
                if x not in outs:
                    self.not_rejected[x] = True
        sel = sat.new_var()
        sat.add([-sel, *(i + 1 for i in range(sat.n) if i not in ins)])
        self.found.append((sel, ins, outs))

    def solve_some(self, literals: list[int], avoid: list[int]) -> bool:
        """Solve for a complete labelling where one of `literals` holds, avoiding `avoid`."""
        act = self.sat.new_var()
        self.sat.add([-act, *literals])
        found = self.sat.solve([act, *avoid])
        self.sat.add([-act])  # the clause is off for good
        return found

    def credulous_pass(self, ask: list[int]) -> None:
        """Settle "IN in some preferred labelling", one open argument at a time."""
        for x in ask:
            if self.credulous[x] is None:
                if self.sat.solve([x + 1]):
                    self.record()
                else:
                    self.credulous[x] = False

    def always(self, cand: list[int], flags: list[bool], want_out: bool) -> set[int]:
        """Return the candidates IN (or OUT) in every preferred labelling."""
        # Asks for a labelling where some candidate is not, whose IN set lies within no preferred
        # labelling found where all of them are (any other preferred labelling qualifies, being
        # maximal); grows it to a preferred one, which either clears some candidates (`flags`) or is
        # found and excluded from then on, until none is left.
        n = self.sat.n
        while cand:
            lits = [-(n + x + 1) if want_out else -(x + 1) for x in cand]
            avoid = [
                sel
                for sel, ins, outs in self.found
                if all(x in (outs if want_out else ins) for x in cand)
            ]
            if not self.solve_some(lits, avoid):
                return set(cand)
            self.record()
            cand = [x for x in cand if not flags[x]]
        return set()

    def run(self, ask: list[int]) -> dict[int, tuple[bool, bool, bool]]:
        """Return (credulous, sceptical, rejected) for the arguments asked about."""
        self.credulous_pass(ask)
        cred = {x: bool(self.credulous[x]) for x in ask}
        sceptical = self.always(
            [x for x in ask if cred[x] and not self.not_sceptical[x]], self.not_sceptical, False
        )
        rejected = self.always(
            [x for x in ask if not cred[x] and not self.not_rejected[x]], self.not_rejected, True
        )
        return {x: (cred[x], x in sceptical, x in rejected) for x in ask}
