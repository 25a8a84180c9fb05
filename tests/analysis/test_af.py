"""Abstract argumentation: textbook frameworks, two independent oracles, ICCMA round trips."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.analysis.af import (
    IN,
    OUT,
    UNDEC,
    AFFormatError,
    Framework,
    acceptance,
    extensions,
    format_af,
    format_extensions,
    grounded_labelling,
    parse_af,
    preferred_labellings,
    read_af,
    strongly_connected,
)
from kb.analysis.af_sat import Budget

DATA = Path(__file__).parent.parent / "data" / "af"


def af_of(n: int, attacks: list[tuple[int, int]]) -> Framework:
    """Return a framework on arguments a0..a(n-1)."""
    return Framework.from_edges(
        [f"a{i}" for i in range(n)], [(f"a{i}", f"a{j}") for i, j in attacks]
    )


# Oracle 1: the definitions, by brute force over every subset (up to 10 arguments) -----------


def brute_force(af: Framework) -> dict[str, list[list[str]]]:
    """Return GR, PR and ST extensions straight from Dung's definitions."""
    n = len(af)
    att = {(i, j) for i, ts in enumerate(af.targets) for j in ts}
    attackers = [{i for i in range(n) if (i, j) in att} for j in range(n)]

    def attacks_set(s: frozenset[int], j: int) -> bool:
        return any((i, j) in att for i in s)

    def conflict_free(s: frozenset[int]) -> bool:
        return not any((i, j) in att for i in s for j in s)

    def defends(s: frozenset[int], j: int) -> bool:
        return all(attacks_set(s, i) for i in attackers[j])

    subsets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(range(n), k)]
    admissible = [s for s in subsets if conflict_free(s) and all(defends(s, j) for j in s)]
    complete = [s for s in admissible if all(j in s for j in range(n) if defends(s, j))]
    grounded = min(complete, key=len)
    assert all(grounded <= c for c in complete)  # the least complete extension
    preferred = [s for s in admissible if not any(s < t for t in admissible)]
    stable = [
        s
        for s in subsets
        if conflict_free(s) and all(attacks_set(s, j) for j in range(n) if j not in s)
    ]

    def names(exts: list[frozenset[int]]) -> list[list[str]]:
        return sorted(sorted(af.names[i] for i in s) for s in exts)

    return {"GR": names([grounded]), "PR": names(preferred), "ST": names(stable)}


# Oracle 2: clingo running ASP encodings of the semantics (ASPARTIX style) ---------------------

ASP_GROUNDED = """
defeated(X) :- in(Y), att(Y,X).
in(X) :- arg(X), defeated(Y) : att(Y,X).
"""
ASP_GUESS = """
in(X) :- arg(X), not out(X).
out(X) :- arg(X), not in(X).
:- in(X), in(Y), att(X,Y).
defeated(X) :- in(Y), att(Y,X).
"""
ASP_STABLE = ASP_GUESS + ":- out(X), not defeated(X).\n"
ASP_PREFERRED = (
    ASP_GUESS
    + """
undefended(X) :- att(Y,X), not defeated(Y).
:- in(X), undefended(X).
:- out(X), not defeated(X), not undefended(X).
#heuristic in(X) : arg(X). [1,true]
"""
)


def clingo_control(af: Framework, semantics: str) -> tuple[Any, list[list[str]]]:
    """Return a grounded clingo control for an ASP encoding of the semantics, and the list its
    models' extensions are collected into by `collect`."""
    import clingo

    program = {"GR": ASP_GROUNDED, "PR": ASP_PREFERRED, "ST": ASP_STABLE}[semantics]
    facts = "".join(f"arg({i}).\n" for i in range(len(af)))
    facts += "".join(f"att({i},{j}).\n" for i, ts in enumerate(af.targets) for j in ts)
    args = ["0", "--heuristic=Domain", "--enum-mode=domRec"] if semantics == "PR" else ["0"]
    ctl = clingo.Control(args)
    ctl.add("base", [], facts + program)
    ctl.ground([("base", [])])
    return ctl, []


def collect(af: Framework, found: list[list[str]]) -> Any:
    """Return an on_model callback that appends each model's extension to `found`."""
    return lambda m: found.append(
        sorted(af.names[s.arguments[0].number] for s in m.symbols(atoms=True) if s.name == "in")
    )


def clingo_extensions(af: Framework, semantics: str) -> list[list[str]]:
    """Return the extensions clingo finds for an ASP encoding of the semantics."""
    ctl, found = clingo_control(af, semantics)
    ctl.solve(on_model=collect(af, found))
    return sorted(found)


@st.composite
def frameworks(draw: st.DrawFn, max_args: int) -> Framework:
    """Draw a framework with up to max_args arguments and a random attack density."""
    n = draw(st.integers(1, max_args))
    density = draw(st.sampled_from([0.05, 0.1, 0.2, 0.35]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    pairs = [(i, j) for i in range(n) for j in range(n) if rng.random() < density]
    return af_of(n, pairs)


QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(frameworks(10))
def test_matches_the_definitions_up_to_10_arguments(af: Framework) -> None:
    expected = brute_force(af)
    for sem in ("GR", "PR", "ST"):
        assert extensions(af, sem) == expected[sem], sem


@QUICK
@given(frameworks(30))
def test_matches_clingo_up_to_30_arguments(af: Framework) -> None:
    for sem in ("GR", "PR", "ST"):
        assert extensions(af, sem) == clingo_extensions(af, sem), sem


@QUICK
@given(frameworks(10))
def test_standing_summarises_the_preferred_labellings(af: Framework) -> None:
    exts = [set(e) for e in brute_force(af)["PR"]]
    attackers = af.attackers()
    acc = acceptance(len(af), af.targets)
    for i, name in enumerate(af.names):
        outs = [any(af.names[a] in e for a in attackers[i]) for e in exts]
        assert acc.credulous[i] == any(name in e for e in exts)
        assert acc.sceptical[i] == all(name in e for e in exts)
        assert acc.rejected[i] == all(outs)
    assert [af.names[i] for i, v in enumerate(acc.grounded) if v == IN] == sorted(
        brute_force(af)["GR"][0], key=af.index.get
    )


def test_a_tangle_over_the_budget_raises_or_stays_undecided() -> None:
    from kb.analysis.af import TooManyLabellings

    # Ten even cycles hanging on one argument: 2**9 = 512 preferred labellings, one component.
    pairs = [(0, 0)] + [(0, 1)]
    pairs += [(2 * k + 1, 2 * k + 2) for k in range(10)] + [
        (2 * k + 2, 2 * k + 1) for k in range(10)
    ]
    pairs += [(1, 2 * k + 1) for k in range(1, 10)]
    af = af_of(21, pairs)
    tiny = Budget(conflicts=1_000, propagations=10)
    with pytest.raises(TooManyLabellings):
        acceptance(len(af), af.targets, budget=tiny)
    acc = acceptance(len(af), af.targets, budget=tiny, strict=False)
    assert acc.unresolved == list(range(21)) and not any(acc.credulous)
    acc = acceptance(len(af), af.targets, budget=Budget(15_000, 4_000_000))
    assert acc.unresolved == []
    exts = [set(e) for e in clingo_extensions(af, "PR")]
    assert len(exts) == 512
    for i, name in enumerate(af.names):
        assert acc.credulous[i] == any(name in e for e in exts)
        assert acc.sceptical[i] == all(name in e for e in exts)


def test_the_oracles_agree_with_each_other() -> None:
    # Guards the guards: if an ASP encoding were wrong, both oracle tests could not pass.
    rng = random.Random(7)
    for _ in range(40):
        n = rng.randint(1, 8)
        af = af_of(n, [(i, j) for i in range(n) for j in range(n) if rng.random() < 0.25])
        expected = brute_force(af)
        for sem in ("GR", "PR", "ST"):
            assert clingo_extensions(af, sem) == expected[sem]


# Textbook frameworks ----------------------------------------------------------------------


def labels(af: Framework) -> dict[str, str]:
    lab = grounded_labelling(len(af), af.targets)
    return {name: {IN: "in", OUT: "out", UNDEC: "undec"}[lab[i]] for i, name in enumerate(af.names)}


def test_reinstatement() -> None:
    af = Framework.from_edges("abc", [("a", "b"), ("b", "c")])
    assert labels(af) == {"a": "in", "b": "out", "c": "in"}
    assert extensions(af, "PR") == extensions(af, "ST") == [["a", "c"]]


def test_even_cycle_has_two_readings() -> None:
    af = Framework.from_edges("ab", [("a", "b"), ("b", "a")])
    assert labels(af) == {"a": "undec", "b": "undec"}
    assert extensions(af, "PR") == extensions(af, "ST") == [["a"], ["b"]]


def test_odd_cycle_has_no_stable_extension() -> None:
    af = Framework.from_edges("abc", [("a", "b"), ("b", "c"), ("c", "a")])
    assert labels(af) == {"a": "undec", "b": "undec", "c": "undec"}
    assert extensions(af, "PR") == [[]]
    assert extensions(af, "ST") == []


def test_self_attack() -> None:
    af = Framework.from_edges("ab", [("a", "a"), ("a", "b")])
    assert labels(af) == {"a": "undec", "b": "undec"}
    assert extensions(af, "PR") == [[]]
    af = Framework.from_edges("abc", [("a", "a"), ("c", "a"), ("a", "b")])
    assert labels(af) == {"a": "out", "b": "in", "c": "in"}


def test_floating_defeat() -> None:
    af = Framework.from_edges("abcd", [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d")])
    assert labels(af) == {"a": "undec", "b": "undec", "c": "undec", "d": "undec"}
    assert extensions(af, "PR") == [["a", "d"], ["b", "d"]]
    for lab in preferred_labellings(af):
        assert lab[af.index["c"]] == OUT and lab[af.index["d"]] == IN


def test_long_chain_alternates() -> None:
    n = 200_000
    targets = [[i + 1] for i in range(n - 1)] + [[]]
    lab = grounded_labelling(n, targets)
    assert lab[0] == IN and lab[1] == OUT and lab[n - 1] == (IN if (n - 1) % 2 == 0 else OUT)


def test_downstream_of_an_odd_cycle_is_conditioned_on_it() -> None:
    # a-b-c odd cycle; c attacks d; d and e mutually attack: d can never be IN.
    af = Framework.from_edges(
        "abcde", [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d")]
    )
    assert extensions(af, "PR") == [["e"]]
    assert extensions(af, "ST") == []


# ICCMA formats ------------------------------------------------------------------------------


SAMPLES = sorted(p for p in DATA.glob("*.*") if p.suffix != ".expected")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_solve_as_recorded(path: Path) -> None:
    af = read_af(path)
    expected = (path.parent / (path.stem + ".expected")).read_text().split("\n\n")
    recorded = dict(block.split("\n", 1) for block in expected if block.strip())
    for sem in ("GR", "PR", "ST"):
        assert format_extensions(extensions(af, sem)) == recorded[sem].rstrip("\n") + "\n", sem
        oracle = brute_force(af)[sem] if len(af) <= 10 else clingo_extensions(af, sem)
        assert extensions(af, sem) == oracle, sem


@pytest.mark.parametrize("fmt", ["i23", "apx", "tgf"])
def test_round_trip(fmt: str) -> None:
    af = Framework.from_edges(["x", "y", "z"], [("x", "y"), ("y", "z"), ("z", "z")])
    again = parse_af(format_af(af, fmt), fmt)
    if fmt == "i23":
        assert again.attacks() == [("1", "2"), ("2", "3"), ("3", "3")]
    else:
        assert again.names == af.names and again.attacks() == af.attacks()


def test_i23_skips_comments_and_rejects_bad_lines() -> None:
    af = parse_af("# a comment\np af 3\n# another\n1 2\n2 3\n", "i23")
    assert af.attacks() == [("1", "2"), ("2", "3")]
    with pytest.raises(AFFormatError, match="^<input>:2:3: error KB802: no argument 3"):
        parse_af("p af 2\n1 3\n", "i23")
    with pytest.raises(AFFormatError, match="header"):
        parse_af("1 2\n", "i23")
    with pytest.raises(AFFormatError, match="^<input>:1:1: error KB802: no argument 'a'"):
        parse_af("att(a,b).\n", "apx")


def test_no_stable_extension_prints_no() -> None:
    assert format_extensions([]) == "NO\n"
    assert format_extensions([["a", "c"], []]) == "w a c\nw\n"


# Incremental and faster paths against the plain ones ---------------------------------------


def nx_components_in_order(nodes: list[int], targets: list[list[int]]) -> list[list[list[int]]]:
    """The networkx version condensation_order replaced, kept as its reference."""
    import networkx as nx

    keep = set(nodes)
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((a, b) for a in nodes for b in targets[a] if b in keep)
    dag = nx.condensation(g)
    members = {c: sorted(dag.nodes[c]["members"]) for c in dag.nodes}
    components = []
    for comp in nx.weakly_connected_components(dag):
        sub = dag.subgraph(comp)
        order = nx.lexicographical_topological_sort(sub, key=lambda c: members[c][0])
        components.append([members[c] for c in order])
    return sorted(components, key=lambda sccs: min(min(scc) for scc in sccs))


@QUICK
@given(frameworks(40), st.integers(0, 2**32 - 1))
def test_condensation_order_matches_networkx(af: Framework, seed: int) -> None:
    from kb.analysis.af import condensation_order

    rng = random.Random(seed)
    nodes = sorted(rng.sample(range(len(af)), rng.randint(1, len(af))))
    assert condensation_order(nodes, af.targets) == nx_components_in_order(nodes, af.targets)


def with_fiat(af: Framework, fiat: list[int]) -> list[list[int]]:
    """Return the targets of af plus one unattacked argument attacking `fiat`."""
    return [*af.targets, sorted(fiat)]


@QUICK
@given(frameworks(16), st.data())
def test_grounded_after_a_fiat_equals_grounded_from_scratch(af: Framework, data) -> None:
    from kb.analysis.af import grounded_after_fiat, grounded_times

    n = len(af)
    label, step = grounded_times(n, af.targets)
    assert label == grounded_labelling(n, af.targets)
    fiat = data.draw(st.lists(st.integers(0, n - 1), max_size=4, unique=True))
    changed = grounded_after_fiat(label, step, af.targets, af.attackers(), fiat)
    after = [changed.get(x, v) for x, v in enumerate(label)]
    assert after == grounded_labelling(n + 1, with_fiat(af, fiat))[:n]
    assert all(label[x] != v for x, v in changed.items())


@QUICK
@given(frameworks(16), st.sampled_from([(1, 1), (5, 50), (100, 1_000), None]), st.data())
def test_standing_after_a_fiat_equals_the_full_solve(af: Framework, limit, data) -> None:
    # Including the tangles left unresolved by a small budget: the same cache, the same answer.
    limit = Budget(*limit) if limit else None
    from kb.analysis.af import acceptance_after_fiat, grounded_times

    n = len(af)
    cache: dict = {}
    acc = acceptance(n, af.targets, budget=limit, cache=cache, strict=False)
    _, step = grounded_times(n, af.targets)
    work = acc.grounded[:]
    for _ in range(3):
        fiat = data.draw(st.lists(st.integers(0, n - 1), max_size=4, unique=True))
        full = acceptance(n + 1, with_fiat(af, fiat), budget=limit, cache=cache, strict=False)
        moved = acceptance_after_fiat(
            acc, step, work, af.targets, af.attackers(), fiat, limit, cache
        )
        assert work == acc.grounded
        for x in range(n):
            before = (acc.grounded[x], acc.credulous[x], acc.sceptical[x], acc.rejected[x])
            got = moved.get(x, (*before, x in acc.unresolved))
            want = (full.grounded[x], full.credulous[x], full.sceptical[x], full.rejected[x])
            assert got == (*want, x in full.unresolved), x


def test_a_tangle_of_4096_labellings_is_settled_without_enumerating_them() -> None:
    # Twelve even cycles that all attack one sink: one component of 25 arguments with
    # 2**12 = 4,096 preferred labellings, which the former 1,000-labelling cap left undecided.
    # By hand: every cycle member is IN in some reading, OUT in another; the sink is IN only
    # when every cycle picks its member that does not attack it, which one reading does.
    pairs = []
    for k in range(12):
        a, b = 2 * k, 2 * k + 1
        pairs += [(a, b), (b, a), (b, 24)]
    af = af_of(25, pairs)
    acc = acceptance(len(af), af.targets, budget=Budget(15_000, 4_000_000))
    assert acc.unresolved == []
    assert all(acc.credulous[x] and not acc.sceptical[x] for x in range(25))
    assert not any(acc.rejected)


@given(edges=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_strongly_connected_on_claim_ids_matches_networkx(edges: list[tuple[int, int]]) -> None:
    successors: dict[str, list[str]] = {}
    for a, b in edges:
        successors.setdefault(f"n{a}", []).append(f"n{b}")
    import networkx as nx

    graph = nx.DiGraph([(f"n{a}", f"n{b}") for a, b in edges])
    ours = sorted(sorted(c) for c in strongly_connected(sorted(successors), successors))
    # Nodes with no outgoing link are outside `nodes`: single components kb.check never reads.
    ours = [c for c in ours if len(c) > 1 or c[0] in successors]
    theirs = sorted(sorted(c) for c in nx.strongly_connected_components(graph))
    theirs = [c for c in theirs if len(c) > 1 or c[0] in successors]
    assert ours == theirs


def test_strongly_connected_survives_a_long_chain() -> None:
    chain = {f"n{i}": [f"n{i + 1}"] for i in range(20_000)}
    chain["n20000"] = ["n0"]
    (component,) = strongly_connected(sorted(chain), chain)
    assert len(component) == 20_001
