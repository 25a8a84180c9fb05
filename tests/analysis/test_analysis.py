"""Computed standing of a knowledge base: labels, strengths, explanations, what-ifs, cruxes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.analysis import (
    ACCEPTED,
    DEFENSIBLE,
    LABELS,
    REJECTED,
    UNDECIDED,
    analyse,
    build,
    whatif,
)
from kb.analysis.gradual import DF_QUAD, QUADRATIC_ENERGY
from kb.check.entry import load_kb

REPO = Path(__file__).resolve().parents[2]

SOURCES = """
sources:
  - id: src
    kind: paper
    title: A source
actors:
  - id: ann
    name: Ann
  - id: bob
    name: Bob
"""

CLAIMS = """
questions:
  - id: q
    title: Is a true?
    positions: {pro: [a], con: [b]}
claims:
  # a has evidence; b rebuts it bare: a stalemate, both defensible.
  - id: a
    text: Claim a.
  - id: b
    text: Claim b.
    rebuts: [a]
  # Bare against bare: the rebuttal wins.
  - id: c
    text: Claim c.
    rebuts: [d]
  - id: d
    text: Claim d.
  # f is supported by e, but u undercuts that support, and g rebuts f.
  - id: e
    text: Claim e.
    supports: [f]
  - id: f
    text: Claim f.
  - id: u
    text: Claim u.
    undercuts: [e--supports--f]
  - id: g
    text: Claim g.
    rebuts: [f]
  # Reinstatement: j defeats h, so i stands.
  - id: h
    text: Claim h.
    rebuts: [i]
  - id: i
    text: Claim i.
  - id: j
    text: Claim j.
    rebuts: [h]
  # An odd cycle of rebuttals.
  - id: k
    text: Claim k.
    rebuts: [l]
  - id: l
    text: Claim l.
    rebuts: [m]
  - id: m
    text: Claim m.
    rebuts: [k]
  # Floating defeat: n and o contradict each other and both rebut p, which rebuts r.
  - id: n
    text: Claim n.
    contradicts: [o]
    rebuts: [p]
  - id: o
    text: Claim o.
    rebuts: [p]
  - id: p
    text: Claim p.
    rebuts: [r]
  - id: r
    text: Claim r.
evidence:
  - id: ev-a
    claim: a
    kind: measurement
    source: src
    quote: A measured a.
    locator: Table 1
stances:
  - {actor: ann, claim: a, source: src, quote: a holds, locator: p1}
  - {actor: bob, claim: a, position: denies, source: src, quote: a fails, locator: p2}
  - {actor: ann, claim: c, source: src, quote: c holds, locator: p3}
  - {actor: bob, claim: c, position: qualifies, source: src, quote: c mostly, locator: p4}
  - {actor: ann, claim: d, position: denies, source: src, quote: not d, locator: p5}
  - {actor: bob, claim: d, source: src, quote: d holds, locator: p6}
"""


def write(tmp_path: Path, claims: str = CLAIMS, config: str | None = None) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "sources.yaml").write_text(textwrap.dedent(SOURCES), encoding="utf-8")
    (root / "claims.yaml").write_text(textwrap.dedent(claims), encoding="utf-8")
    if config:
        (root / "kb.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


@pytest.fixture
def kb(tmp_path: Path):
    return load_kb(write(tmp_path))


def test_labels_follow_the_documented_model(kb) -> None:
    an = analyse(kb)
    label = {c: s.label for c, s in an.claims.items()}
    assert label["a"] == label["b"] == DEFENSIBLE  # evidence answers a bare rebuttal
    assert (label["c"], label["d"]) == (ACCEPTED, REJECTED)
    assert (label["e"], label["u"], label["g"], label["f"]) == (
        ACCEPTED,
        ACCEPTED,
        ACCEPTED,
        REJECTED,
    )
    assert (label["h"], label["i"], label["j"]) == (REJECTED, ACCEPTED, ACCEPTED)
    assert label["k"] == label["l"] == label["m"] == UNDECIDED
    # Floating defeat: p is out in every preferred extension, r in every one but not grounded.
    assert label["n"] == label["o"] == DEFENSIBLE
    assert label["p"] == REJECTED
    assert label["r"] == UNDECIDED and an.claims["r"].grounded == "undec"


def test_explanations_name_the_reasons(kb) -> None:
    an = analyse(kb)
    f = an.claims["f"].explanation
    assert f.startswith("rejected: attacked by g")
    assert "e supported it, but that support is undercut by u" in f
    assert an.claims["d"].explanation.startswith("rejected: attacked by c, which nothing attacks")
    assert "h falls to j" in an.claims["i"].explanation
    assert an.claims["c"].explanation.startswith("accepted: nothing recorded attacks it.")
    assert "b attacks it and ev-a answers back" in an.claims["a"].explanation
    assert "undecided" in an.claims["k"].explanation
    assert "p falls in every coherent reading" in an.claims["r"].explanation
    assert "standoff with ev-a" in an.claims["b"].explanation
    assert "Strength 0.38 by DF-QuAD, from base 0.50" in f


def test_strengths_by_hand(kb) -> None:
    an = analyse(kb)
    # f: the support from e (0.5) is undercut by u (0.5): 0.5 * (1 - 0.5) = 0.25;
    # g attacks with 0.5 > 0.25, so f = 0.5 - 0.5 * (0.5 - 0.25) = 0.375.
    assert an.claims["f"].strength == pytest.approx(0.375)
    # a: supported by measurement evidence (0.8), attacked by b (0.5): 0.5 + 0.5 * 0.3.
    assert an.claims["a"].strength == pytest.approx(0.65)
    assert an.evidence_strength["ev-a"] == pytest.approx(0.8)
    assert an.claims["a"].model == DF_QUAD and an.claims["a"].converged
    # The odd cycle and the contradiction are solved by the energy model.
    assert {an.claims[c].model for c in "klmno"} == {QUADRATIC_ENERGY}
    assert all(an.claims[c].converged for c in "klmno")
    assert an.non_converged == []


def test_base_scores_come_from_kb_yaml(tmp_path: Path) -> None:
    kb = load_kb(write(tmp_path, config="base_scores: {measurement: 0.9, claim: 0.4}\n"))
    an = analyse(kb)
    assert an.evidence_strength["ev-a"] == pytest.approx(0.9)
    assert an.claims["c"].strength == pytest.approx(0.4)
    assert an.claims["d"].strength == pytest.approx(0.4 - 0.4 * 0.4)


def test_whatif_reports_what_moves(kb) -> None:
    changes = {ch.claim: ch for ch in whatif(kb, accept=["d"])}
    assert changes["d"].label_after == ACCEPTED and changes["d"].strength_after == 1.0
    assert changes["c"].label_before == ACCEPTED and changes["c"].label_after == REJECTED
    assert set(changes) == {"c", "d"}
    changes = {ch.claim: ch for ch in whatif(kb, reject=["j"])}
    assert changes["h"].label_after == ACCEPTED and changes["i"].label_after == REJECTED
    with pytest.raises(KeyError):
        whatif(kb, accept=["nope"])


def test_cruxes_count_what_would_change(kb) -> None:
    an = analyse(kb)
    assert an.claims["c"].crux_labels == 1  # rejecting c frees d
    assert an.claims["j"].crux_labels == 2  # rejecting j frees h, which then defeats i
    assert an.claims["r"].crux == 0  # nothing hangs on r
    # Question q: a is pro, b con; flipping either moves the balance.
    ranked = dict(an.questions["q"].cruxes)
    assert set(ranked) >= {"a", "b"}
    assert an.questions["q"].balance == pytest.approx(0.65 - 0.5)


def test_disagreements_rank_by_crux(kb) -> None:
    an = analyse(kb)
    found = an.disagreements("ann", "bob")
    assert [x.claim for x in found] == sorted(
        [x.claim for x in found], key=lambda c: -an.claims[c].crux
    )
    by_claim = {x.claim: x for x in found}
    assert by_claim["a"].full and by_claim["d"].full and not by_claim["c"].full
    assert an.disagreements("ann", "nobody") == []


def test_inference_nodes_and_fiat_stay_out_of_claims(kb) -> None:
    d = build(kb)
    assert "e--supports--f" in d.names and "ev-a" in d.names
    assert d.grounds["a"] == ["ev-a"] and d.premise["e--supports--f"] == "e"


def test_the_real_content_is_analysed_deterministically() -> None:
    content = REPO / "claims"
    kb = load_kb(content)
    first, second = analyse(kb), analyse(load_kb(content))
    assert first == second
    assert set(first.claims) == set(kb.claims)
    for s in first.claims.values():
        assert s.label in LABELS and 0.0 <= s.strength <= 1.0 and s.explanation
        assert s.id in s.explanation or s.explanation.split(":")[0] in LABELS
    assert first.non_converged == []


def test_cli_explain_whatif_and_af(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    root = str(write(tmp_path))
    run = CliRunner().invoke
    res = run(main, ["explain", "--kb", root, "f"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("f: rejected (grounded reading: out)")
    assert "undercut by u" in res.output
    res = run(main, ["explain", "--kb", root, "ff"])
    assert res.exit_code == 2 and "did you mean 'f'" in res.output
    res = run(main, ["whatif", "--kb", root, "--accept", "d"])
    assert res.exit_code == 0 and "d: rejected -> accepted; strength 0.25 -> 1.00" in res.output
    res = run(main, ["whatif", "--kb", root])
    assert res.exit_code == 2
    res = run(main, ["af", "export", "--kb", root, "--format", "apx"])
    assert "arg(e--supports--f)." in res.output and "att(u,e--supports--f)." in res.output
    res = run(main, ["af", "solve", "--kb", root, "--semantics", "gr"])
    assert res.output.startswith("w a") is False and " c " in res.output
    sample = str(REPO / "tests" / "data" / "af" / "floating-defeat.apx")
    res = run(main, ["af", "solve", sample, "--semantics", "PR"])
    assert res.output == "w a d\nw b d\n"
    res = run(main, ["af", "import", sample, "--format", "i23"])
    assert res.output.startswith("p af 4\n# 1 a\n")


def _random_kb(tmp_path: Path, seed: int) -> Path:
    """Write a small random KB: claims with rebuttals, contradictions, supports and undercuts."""
    import random

    rng = random.Random(seed)
    n = rng.randint(2, 6)
    ids = [f"c{i}" for i in range(n)]
    lines = ["claims:"]
    supports: list[str] = []
    for c in ids:
        lines += [f"  - id: {c}", f"    text: Claim {c}."]
        for kind in ("rebuts", "supports", "contradicts"):
            others = [o for o in ids if o != c and rng.random() < 0.25]
            if others:
                lines.append(f"    {kind}: [{', '.join(others)}]")
                if kind == "supports":
                    supports += [f"{c}--supports--{o}" for o in others]
    relations = []
    for s in supports:
        # The checks forbid undercutting a link one is part of.
        outsiders = [c for c in ids if c not in s.split("--supports--")]
        if outsiders and rng.random() < 0.4:
            relations.append(f"  - {{from: {rng.choice(outsiders)}, type: undercuts, to: {s}}}")
    evidence = []
    for i, c in enumerate(ids):
        if rng.random() < 0.4:
            direction = rng.choice(["supports", "rebuts"])
            evidence.append(
                f"  - {{id: ev-{i}, claim: {c}, direction: {direction}, source: src,"
                f" quote: q, locator: l}}"
            )
    text = "\n".join(lines)
    if relations:
        text += "\nrelations:\n" + "\n".join(relations)
    if evidence:
        text += "\nevidence:\n" + "\n".join(evidence)
    folder = tmp_path / f"kb{seed}"
    folder.mkdir()
    (folder / "sources.yaml").write_text(textwrap.dedent(SOURCES), encoding="utf-8")
    (folder / "claims.yaml").write_text(text + "\n", encoding="utf-8")
    return folder


def test_random_kbs_agree_with_the_definitions(tmp_path: Path) -> None:
    from test_af import brute_force

    from kb.analysis import framework

    checked = 0
    for seed in range(60):
        folder = _random_kb(tmp_path, seed)
        kb = load_kb(folder)
        af = framework(kb)
        if len(af) > 12:
            continue
        truth = brute_force(af)
        grounded = set(truth["GR"][0])
        preferred = [set(e) for e in truth["PR"]]
        attackers = af.attackers()
        an = analyse(kb)
        for c, s in an.claims.items():
            i = af.index[c]
            out_all = all(any(af.names[a] in e for a in attackers[i]) for e in preferred)
            if c in grounded:
                expected = ACCEPTED
            elif any(c in e for e in preferred) and not all(c in e for e in preferred):
                expected = DEFENSIBLE
            elif out_all:
                expected = REJECTED
            else:
                expected = UNDECIDED
            assert s.label == expected, (seed, c)
            assert 0.0 <= s.strength <= 1.0 and s.converged
        # A what-if always gets its way.
        c = sorted(kb.claims)[0]
        flip = "reject" if an.claims[c].label in (ACCEPTED, DEFENSIBLE) else "accept"
        moved = {ch.claim: ch for ch in whatif(kb, **{flip: [c]})}
        assert moved[c].label_after == (REJECTED if flip == "reject" else ACCEPTED)
        checked += 1
    assert checked >= 30


def test_cruxes_past_the_work_budget_are_skipped_and_said_so(tmp_path, monkeypatch) -> None:
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import generate

    import kb.analysis.cruxes as analysis
    from kb.check.entry import load_kb

    kb = load_kb(generate(tmp_path, 300))
    assert analyse(kb).cruxes_computed is True  # within the budget
    monkeypatch.setattr(analysis, "CRUX_WORK_BUDGET", 50)
    result = analyse(kb)
    assert result.cruxes_computed is False
    assert all(q.cruxes == [] for q in result.questions.values())
    assert all(c.crux == 0 and c.crux_labels == 0 for c in result.claims.values())
    assert {c.label for c in result.claims.values()} <= {
        "accepted",
        "defensible",
        "rejected",
        "undecided",
    }


def _cruxes_by_full_solves(kb) -> dict[str, tuple[int, float, float]]:
    """Score every claim the plain way: one whole solve per flip, every question re-weighed."""
    from kb.analysis import question_balances, solve

    d = build(kb)
    sol = solve(d)
    balances = question_balances(d, sol.strengths)
    members = {q: {c for side in sides.values() for c in side} for q, sides in d.answers.items()}
    cache: dict = {}
    out = {}
    for c in d.claims:
        flip = frozenset([c])
        if sol.labels[d.index[c]] in (ACCEPTED, DEFENSIBLE):
            after = solve(d, reject=flip, baseline=sol, cache=cache)
        else:
            after = solve(d, accept=flip, baseline=sol, cache=cache)
        changed = [
            x for x in d.claims if x != c and after.labels[d.index[x]] != sol.labels[d.index[x]]
        ]
        moved = question_balances(d, after.strengths)
        shift = 0.0
        for q in members:
            delta = abs(moved[q][0] - balances[q][0])
            shift += delta if delta > 1e-6 else 0.0
        out[c] = (len(changed), round(shift, 6), round(len(changed) + shift, 6))
    return out


def _assert_cruxes_match_full_solves(kb) -> None:
    an = analyse(kb)
    assert an.cruxes_computed
    expected = _cruxes_by_full_solves(kb)
    for c, s in an.claims.items():
        assert (s.crux_labels, s.crux_strength, s.crux) == expected[c], c


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_incremental_cruxes_equal_full_solves_on_random_kbs(seed: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _assert_cruxes_match_full_solves(load_kb(_random_kb(Path(tmp), seed)))


def test_incremental_cruxes_equal_full_solves_on_a_synthetic_kb(tmp_path: Path) -> None:
    # Cycles, undercuts, evidence and questions in the real content's proportions.
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import generate

    _assert_cruxes_match_full_solves(load_kb(generate(tmp_path, 150, 3)))
