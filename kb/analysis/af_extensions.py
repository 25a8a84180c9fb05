"""Whole extensions under grounded, preferred and stable semantics, and their ICCMA witnesses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import product

from kb.analysis import af_sat
from kb.analysis.af_acceptance import EXACT_MAX_MEMBERS
from kb.analysis.af_exact import IN, OUT, UNDEC, labellings_of
from kb.analysis.af_graph import Framework, condensation_order, local_attackers
from kb.analysis.af_grounded import grounded_labelling


def _component_ins(
    comp: list[list[int]],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    semantics: str,
) -> Iterator[list[int]]:
    """Yield the IN members of each PR or ST labelling of one undecided weak component."""
    # Its attackers from outside are all OUT in the grounded labelling `label`, so it is a framework
    # of its own. A small one goes through the exact SCC-by-SCC search, which beats setting up a SAT
    # solver there; a larger one through SAT.
    members = [x for scc in comp for x in scc]
    if len(members) <= EXACT_MAX_MEMBERS:
        for lab in labellings_of(comp, label, attackers, targets, semantics):
            if semantics == "PR" or all(lab[x] != UNDEC for x in members):
                yield [x for x in members if lab[x] == IN]
        return
    solve = af_sat.preferred if semantics == "PR" else af_sat.stable
    for ins in solve(len(members), local_attackers(members, attackers)):
        yield [members[k] for k in ins]


def _iter_ins(af: Framework, semantics: str) -> Iterator[list[int]]:
    """Yield the IN sets (argument indices) of the PR or ST labellings, as they are found."""
    # The grounded part is common to all; the undecided rest splits into weak components that do not
    # interact, and each extension picks one labelling per component. The component with the most
    # arguments is the outer loop and streams; the others are enumerated first and held.
    n = len(af)
    label = grounded_labelling(n, af.targets)
    base = [i for i in range(n) if label[i] == IN]
    open_ = [i for i in range(n) if label[i] == UNDEC]
    comps = condensation_order(open_, af.targets) if open_ else []
    if not comps:
        yield base
        return
    attackers = af.attackers()
    sizes = [sum(map(len, comp)) for comp in comps]
    outer = sizes.index(max(sizes))
    held = [
        list(_component_ins(comp, label, attackers, af.targets, semantics))
        for k, comp in enumerate(comps)
        if k != outer
    ]
    if not all(held):
        return  # a component without a stable labelling: no stable extension at all
    for ins in _component_ins(comps[outer], label, attackers, af.targets, semantics):
        for rest in product(*held):
            yield base + ins + [x for part in rest for x in part]


def _semantics(semantics: str) -> str:
    """Return GR, PR or ST for any accepted spelling, or raise ValueError."""
    code = {"GROUNDED": "GR", "PREFERRED": "PR", "STABLE": "ST"}.get(
        semantics.upper(), semantics.upper()
    )
    if code not in ("GR", "PR", "ST"):
        raise ValueError(f"unknown semantics {semantics!r}; use GR, PR or ST")
    return code


def iter_extensions(af: Framework, semantics: str) -> Iterator[list[str]]:
    """Yield the extensions under GR, PR or ST as they are found, each sorted by name."""
    # The order is the search's: deterministic for a given framework, but not sorted.
    semantics = _semantics(semantics)
    rank = {i: k for k, i in enumerate(sorted(range(len(af)), key=af.names.__getitem__))}
    if semantics == "GR":
        label = grounded_labelling(len(af), af.targets)
        found: Iterable[list[int]] = [[i for i, v in enumerate(label) if v == IN]]
    else:
        found = _iter_ins(af, semantics)
    for ins in found:
        yield [af.names[i] for i in sorted(ins, key=rank.__getitem__)]


def _labelling_of(af: Framework, ins: list[int]) -> list[int]:
    """Return the labelling an IN set of a complete labelling determines."""
    lab = [UNDEC] * len(af)
    for i in ins:
        lab[i] = IN
    for i in ins:
        for j in af.targets[i]:
            lab[j] = OUT
    return lab


def preferred_labellings(af: Framework) -> list[list[int]]:
    """Return every preferred labelling (IN/OUT/UNDEC per argument index)."""
    return [_labelling_of(af, ins) for ins in _iter_ins(af, "PR")]


def stable_labellings(af: Framework) -> list[list[int]]:
    """Return every stable labelling (no UNDEC)."""
    return [_labelling_of(af, ins) for ins in _iter_ins(af, "ST")]


def extensions(af: Framework, semantics: str) -> list[list[str]]:
    """Return the extensions under GR, PR or ST as sorted lists of names, in sorted order."""
    return sorted(iter_extensions(af, semantics))


def format_extensions(exts: Iterable[list[str]]) -> str:
    """Print extensions one per line as ICCMA 2023 witnesses (`w a b c`), or NO if none."""
    return "".join(witness_lines(exts))


def witness_lines(exts: Iterable[list[str]]) -> Iterator[str]:
    """Yield one ICCMA 2023 witness line (`w a b c`) per extension as it comes, or NO if none."""
    empty = True
    for ext in exts:
        empty = False
        yield "w" + "".join(f" {a}" for a in ext) + "\n"
    if empty:
        yield "NO\n"
