"""The SAT-based preferred and stable semantics (kb.af_sat) against the oracles, and its budget."""

from __future__ import annotations

import random
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given
from test_af import QUICK, af_of, brute_force, clingo_extensions, frameworks

from kb.analysis import SAT_BUDGET, af_sat
from kb.analysis.af import (
    EXACT_MAX_MEMBERS,
    Framework,
    TooManyLabellings,
    acceptance,
    extensions,
    iter_extensions,
    read_af,
)
from kb.analysis.af_sat import Budget

ICCMA = Path(__file__).parent.parent / "data" / "iccma"


def sat_extensions(af: Framework, semantics: str) -> list[list[str]]:
    """Return the whole framework's extensions straight from the SAT enumeration."""
    solve = af_sat.preferred if semantics == "PR" else af_sat.stable
    found = [sorted(af.names[i] for i in ins) for ins in solve(len(af), af.attackers())]
    assert len(found) == len({tuple(e) for e in found})  # none found twice
    return sorted(found)


def oracle_standing(af: Framework, exts: list[list[str]]) -> list[tuple[bool, bool, bool]]:
    """Return (credulous, sceptical, rejected) per argument from the preferred extensions."""
    sets = [set(e) for e in exts]
    attackers = af.attackers()
    out = []
    for i, x in enumerate(af.names):
        rejected = all(any(af.names[a] in e for a in attackers[i]) for e in sets)
        out.append((any(x in e for e in sets), all(x in e for e in sets), rejected))
    return out


@QUICK
@given(frameworks(10))
def test_sat_enumeration_matches_the_definitions(af: Framework) -> None:
    expected = brute_force(af)
    for sem in ("PR", "ST"):
        assert sat_extensions(af, sem) == expected[sem], sem
    assert af_sat.standing(len(af), af.attackers()) == oracle_standing(af, expected["PR"])


@QUICK
@given(frameworks(40))
def test_sat_enumeration_and_standing_match_clingo(af: Framework) -> None:
    for sem in ("PR", "ST"):
        assert sat_extensions(af, sem) == clingo_extensions(af, sem), sem
        assert extensions(af, sem) == clingo_extensions(af, sem), sem
    pr = clingo_extensions(af, "PR")
    assert af_sat.standing(len(af), af.attackers()) == oracle_standing(af, pr)
    acc = acceptance(len(af), af.targets)
    got = list(zip(acc.credulous, acc.sceptical, acc.rejected, strict=True))
    assert got == oracle_standing(af, pr)


def test_both_paths_are_exercised_and_agree() -> None:
    # Components of up to EXACT_MAX_MEMBERS arguments take the exact search, larger ones SAT;
    # on the same component both give the same standing.
    from kb.analysis.af import condensation_order, grounded_labelling
    from kb.analysis.af_acceptance import component_standing

    rng = random.Random(3)
    sizes = set()
    for _ in range(60):
        n = rng.randint(3, 12)
        af = af_of(n, [(i, j) for i in range(n) for j in range(n) if rng.random() < 0.25])
        label = grounded_labelling(n, af.targets)
        open_ = [i for i in range(n) if not label[i]]
        attackers = af.attackers()
        for comp in condensation_order(open_, af.targets):
            members = [x for scc in comp for x in scc]
            sizes.add(len(members) > EXACT_MAX_MEMBERS)
            local = [[members.index(a) for a in attackers[x] if a in members] for x in members]
            exact = component_standing(comp, members, label, attackers, af.targets, None)
            assert exact == af_sat.standing(len(members), local)
    assert sizes == {True, False}


def test_the_dense_published_n100_instance_matches_clingo() -> None:
    # AFGen's n100: one SCC of 100 arguments, 475 preferred and 473 stable extensions, which
    # the former search gave up on after 9 s; clingo needs about 1.5 s per semantics.
    af = read_af(ICCMA / "n100p3q34ve.apx")
    by_clingo = {sem: clingo_extensions(af, sem) for sem in ("PR", "ST")}
    for sem, expected in by_clingo.items():
        assert extensions(af, sem) == expected, sem
    acc = acceptance(len(af), af.targets, budget=SAT_BUDGET)
    assert acc.unresolved == []
    got = list(zip(acc.credulous, acc.sceptical, acc.rejected, strict=True))
    assert got == oracle_standing(af, by_clingo["PR"])


def test_the_dense_published_n150_standing_is_settled_within_the_budget() -> None:
    # Its 1,622 preferred extensions take clingo 13-18 s; the standing needs none enumerated:
    # every argument is in some extension and none is in all (checked against clingo in the
    # slow test below), settled well inside the analysis's budget.
    af = read_af(ICCMA / "n150p3q34n.tgf")
    spent = [0]
    got = af_sat.standing(len(af), af.attackers(), SAT_BUDGET, spent)
    assert got == [(True, False, False)] * 150
    assert 0 < spent[0] < SAT_BUDGET.conflicts


@pytest.mark.slow
def test_the_dense_published_n150_instance_matches_clingo() -> None:
    af = read_af(ICCMA / "n150p3q34n.tgf")
    pr = clingo_extensions(af, "PR")
    assert extensions(af, "PR") == pr and len(pr) == 1622
    acc = acceptance(len(af), af.targets, budget=SAT_BUDGET)
    got = list(zip(acc.credulous, acc.sceptical, acc.rejected, strict=True))
    assert got == oracle_standing(af, pr)


def dense_random(n: int, m: int, seed: int) -> Framework:
    """Return a random framework with n arguments and m attacks, like the hard published ones."""
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        pairs.add((rng.randrange(n), rng.randrange(n)))
    return af_of(n, sorted(pairs))


def test_a_give_up_is_deterministic_and_bounded_by_the_budget() -> None:
    # A dense random tangle (300 arguments, 6,000 attacks) that clingo does not enumerate in
    # 20 s either: with a small budget, the same give-up every time, at the same cost.
    af = dense_random(300, 6_000, 1)
    budget = Budget(conflicts=300, propagations=200_000)
    costs = []
    for _ in range(2):
        spent = [0]
        assert af_sat.standing(len(af), af.attackers(), budget, spent) == [None] * 300
        costs.append(spent[0])
    assert costs[0] == costs[1]
    # A solve call stops at the first conflict past its remaining budget.
    assert costs[0] <= budget.conflicts + 1 + (budget.propagations * 2) // 100
    with pytest.raises(TooManyLabellings):
        acceptance(len(af), af.targets, budget=budget)
    acc = acceptance(len(af), af.targets, budget=budget, strict=False)
    again = acceptance(len(af), af.targets, budget=budget, strict=False)
    assert acc == again and acc.unresolved
    assert not any(acc.credulous[i] for i in acc.unresolved)


def test_a_hard_scc_leaves_only_itself_undecided() -> None:
    # Upstream, an even cycle a0-a1; downstream of a1, a dense random tangle of 120 arguments
    # too hard for a small budget. The whole is too hard; asked SCC by SCC on upstream
    # closures, the cycle is settled (each member in some reading, none in all) and only the
    # tangle stays undecided.
    hard = dense_random(120, 2_000, 2)
    pairs = [(0, 1), (1, 0), (1, 2)]
    pairs += [(a + 2, b + 2) for a, ts in enumerate(hard.targets) for b in ts]
    af = af_of(122, pairs)
    acc = acceptance(len(af), af.targets, budget=Budget(1_000, 100_000), strict=False)
    assert acc.credulous[0] and acc.credulous[1] and not acc.sceptical[0]
    assert 0 not in acc.unresolved and 1 not in acc.unresolved
    assert acc.unresolved == list(range(2, 122))


def test_extensions_stream_from_a_large_component() -> None:
    # One component of 25 arguments (twelve even cycles attacking one sink), 4,096 preferred
    # extensions, enumerated by SAT: the first ones come without the rest.
    pairs = []
    for k in range(12):
        a, b = 2 * k, 2 * k + 1
        pairs += [(a, b), (b, a), (b, 24)]
    af = af_of(25, pairs)
    first = list(islice(iter_extensions(af, "PR"), 5))
    assert len({tuple(e) for e in first}) == 5
    for ext in first:
        chosen = {int(x[1:]) for x in ext}
        assert all(len(chosen & {2 * k, 2 * k + 1}) == 1 for k in range(12))
        assert (24 in chosen) == all(2 * k in chosen for k in range(12))
