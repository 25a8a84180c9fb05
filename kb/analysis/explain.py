"""Explanations in words of why a claim has its label and its strength."""

from __future__ import annotations

from collections import defaultdict

from kb.analysis.debate import Debate
from kb.analysis.gradual import DF_QUAD
from kb.analysis.solver import Solution
from kb.analysis.standing import ACCEPTED, DEFENSIBLE, REJECTED


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
    return f"{why_label(d, sol, claim)} {why_strength(d, sol, claim)}"


def equivalents_note(d: Debate, c: str, classes: dict[str, list[str]]) -> str:
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


def why_label(d: Debate, sol: Solution, c: str) -> str:
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


def why_strength(d: Debate, sol: Solution, c: str) -> str:
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
