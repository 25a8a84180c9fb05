"""Preferred and stable semantics by SAT (PySAT): enumeration and acceptance with a fixed budget.

The complete-labelling encoding of Caminada and Gabbay, with the iterative maximisation of
PrefSat (Cerutti, Dunne, Giacomin, Vallati 2013) and the counterexample-guided acceptance
checks of CEGARTIX (Dvořák, Järvisalo, Wallner, Woltran 2014). The budget counts SAT
conflicts and propagations, not seconds, so that a hard tangle is given up at the same point
on every machine and the output stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

SOLVER = "glucose4"  # deterministic, and supports conflict and propagation budgets
# On dense random frameworks a conflict costs about 50 microseconds and 100 propagations 20-50.
PROPAGATIONS_PER_UNIT = 100


class BudgetExhausted(RuntimeError):
    """The SAT search ran out of its conflict or propagation budget."""


@dataclass(frozen=True)
class Budget:
    """A deterministic work limit: SAT conflicts and unit propagations, summed over calls."""

    conflicts: int
    propagations: int


class _Sat:
    """One incremental solver over a framework's labelling variables, with a shared budget."""

    def __init__(self, n: int, budget: Budget | None) -> None:
        # Imported here: `kb check` uses kb.af's graph helpers and need not load a SAT solver.
        from pysat.solvers import Solver

        self.n = n
        self.top = 2 * n
        self.solver = Solver(name=SOLVER)
        self.budget = budget
        self.model: list[int] = []

    def new_var(self) -> int:
        self.top += 1
        return self.top

    def add(self, clause: list[int]) -> None:
        self.solver.add_clause(clause)

    def used(self) -> tuple[int, int]:
        """Return the conflicts and propagations spent so far."""
        stats = self.solver.accum_stats()
        return stats.get("conflicts", 0), stats.get("propagations", 0)

    def solve(self, assumptions: Sequence[int] = ()) -> bool:
        """Solve under assumptions; raise BudgetExhausted when the budget is spent."""
        if self.budget is None:
            ok = self.solver.solve(assumptions=list(assumptions))
        else:
            conflicts, props = self.used()
            left_c = self.budget.conflicts - conflicts
            left_p = self.budget.propagations - props
            if left_c <= 0 or left_p <= 0:
                raise BudgetExhausted("the SAT search ran out of budget")
            self.solver.conf_budget(left_c)
            self.solver.prop_budget(left_p)
            ok = self.solver.solve_limited(assumptions=list(assumptions))
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
    sat = _Sat(n, budget)
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
    sat = _Sat(n, budget)
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
) -> list[tuple[bool, bool, bool]]:
    """Return (credulous, sceptical, rejected) per argument under preferred semantics.

    Every preferred labelling found along the way settles what it can for every argument at
    once; the rest is asked one argument at a time: credulous by one call, sceptical and
    rejected by counterexample-guided search. `spent[0]`, if given, grows by the work done.
    """
    sat = _Sat(n, budget)
    try:
        _complete(sat, attackers)
        return _Standing(sat).run()
    finally:
        if spent is not None:
            spent[0] += work_units(*sat.used())
        sat.close()


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

    def holds_in_all(self, x: int, literal: int, want_out: bool) -> bool:
        """Say whether `literal` (x IN or x OUT) holds in every preferred labelling."""
        while True:
            avoid = [sel for sel, ins, outs in self.found if x in (outs if want_out else ins)]
            if not self.sat.solve([-literal, *avoid]):
                return True
            self.record()
            ins, outs = self.found[-1][1], self.found[-1][2]
            if x not in (outs if want_out else ins):
                return False

    def run(self) -> list[tuple[bool, bool, bool]]:
        sat, n = self.sat, self.sat.n
        for x in range(n):
            if self.credulous[x] is None:
                if sat.solve([x + 1]):
                    self.record()
                else:
                    self.credulous[x] = False
        result = []
        for x in range(n):
            cred = bool(self.credulous[x])
            scep = cred and not self.not_sceptical[x] and self.holds_in_all(x, x + 1, False)
            rej = (
                not cred and not self.not_rejected[x] and self.holds_in_all(x, n + x + 1, True)
            )
            result.append((cred, scep, rej))
        return result
