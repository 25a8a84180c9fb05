"""Abstract argumentation: frameworks, grounded/preferred/stable semantics and ICCMA formats."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, product
from pathlib import Path
from typing import TypeVar

from kb.analysis import af_sat
from kb.analysis.af_exact import IN, OUT, UNDEC, labellings_of
from kb.analysis.af_sat import Budget
from kb.errors import Location, Problem, ProblemsFound, Severity, UsageError

LABEL_NAMES = {IN: "in", OUT: "out", UNDEC: "undec"}
Node = TypeVar("Node", int, str)  # argument indices, or claim IDs in kb.check


@dataclass
class Framework:
    """A Dung framework: named arguments and attacks, stored as adjacency lists of indices."""

    names: list[str] = field(default_factory=list)
    targets: list[list[int]] = field(default_factory=list)  # targets[i]: whom i attacks
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_edges(cls, names: Iterable[str], attacks: Iterable[tuple[str, str]]) -> Framework:
        """Build a framework from argument names and (attacker, target) pairs."""
        af = cls()
        for name in names:
            af.add(name)
        for a, b in attacks:
            af.attack(a, b)
        return af

    def add(self, name: str) -> int:
        """Add an argument (once) and return its index."""
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(name)
            self.targets.append([])
        return i

    def attack(self, a: str, b: str) -> None:
        """Add the attack a → b (adding either argument if new; duplicates are ignored)."""
        i, j = self.add(a), self.add(b)
        if j not in self.targets[i]:
            self.targets[i].append(j)

    def __len__(self) -> int:
        """Return the number of arguments."""
        return len(self.names)

    def attacks(self) -> list[tuple[str, str]]:
        """Return every attack as a sorted list of (attacker, target) names."""
        n = self.names
        return sorted((n[i], n[j]) for i, ts in enumerate(self.targets) for j in ts)

    def attackers(self) -> list[list[int]]:
        """Return the reverse adjacency: attackers[j] lists whom j is attacked by."""
        rev: list[list[int]] = [[] for _ in self.names]
        for i, ts in enumerate(self.targets):
            for j in ts:
                rev[j].append(i)
        return rev


# Grounded ------------------------------------------------------------------------------------


def grounded_labelling(n: int, targets: list[list[int]]) -> list[int]:
    """Return the grounded labelling (IN/OUT/UNDEC per argument) in O(arguments + attacks)."""
    count = [0] * n  # attackers not yet OUT
    for t in chain.from_iterable(targets):
        count[t] += 1
    label = [UNDEC] * n
    queue = [i for i, c in enumerate(count) if not c]
    for i in queue:
        label[i] = IN
    # Iterating a list while appending to it also visits the IN arguments found on the way.
    for a in queue:
        for b in targets[a]:
            if label[b]:
                continue
            label[b] = OUT
            for c in targets[b]:
                count[c] -= 1
                if not count[c] and not label[c]:
                    label[c] = IN
                    queue.append(c)
    return label


def grounded_times(n: int, targets: list[list[int]]) -> tuple[list[int], list[int]]:
    """Return the grounded labelling and, per decided argument, the step it was decided at.

    Runs the same queue as grounded_labelling; an argument's step is later than the steps of
    the arguments that decided it, which is what `grounded_after_fiat` needs.
    """
    count = [0] * n
    for t in chain.from_iterable(targets):
        count[t] += 1
    label = [UNDEC] * n
    step = [-1] * n
    queue = [i for i, c in enumerate(count) if not c]
    for k, i in enumerate(queue):
        label[i] = IN
        step[i] = k
    clock = len(queue)
    for a in queue:
        for b in targets[a]:
            if label[b]:
                continue
            label[b] = OUT
            step[b] = clock
            clock += 1
            for c in targets[b]:
                count[c] -= 1
                if not count[c] and not label[c]:
                    label[c] = IN
                    step[c] = clock
                    clock += 1
                    queue.append(c)
    return label, step


def grounded_after_fiat(
    label: list[int],
    step: list[int],
    targets: list[list[int]],
    attackers: list[list[int]],
    fiat: list[int],
) -> dict[int, int]:
    """Return the arguments whose grounded label changes, with their new labels, when one new
    unattacked argument attacks `fiat`; `label` and `step` come from grounded_times.

    First retract what may lose its reason: the fiat's targets, an IN argument with an
    attacker retracted, an OUT argument whose every IN attacker decided before it is
    retracted (steps keep these reasons well founded). Everything else keeps its label. Then
    run the grounded queue again from the retracted arguments and whatever they free, so the
    work follows the change rather than the size of the framework.
    """
    retracted = set(fiat)
    stack = list(fiat)
    while stack:
        x = stack.pop()
        for y in targets[x]:
            if y in retracted or label[y] == UNDEC:
                continue
            if label[y] == OUT and any(
                label[a] == IN and step[a] < step[y] and a not in retracted for a in attackers[y]
            ):
                continue
            retracted.add(y)
            stack.append(y)
    new: dict[int, int] = dict.fromkeys(retracted, UNDEC)

    def now(x: int) -> int:
        return new.get(x, label[x])

    count: dict[int, int] = {}  # attackers not OUT, for the arguments that may still turn IN
    queue: list[int] = []

    def make_out(b: int) -> None:
        new[b] = OUT
        for c in targets[b]:
            if now(c) != UNDEC:
                continue
            if c in count:
                count[c] -= 1
            else:
                count[c] = sum(1 for a in attackers[c] if now(a) != OUT)
            if not count[c]:
                new[c] = IN
                queue.append(c)

    for x in sorted(fiat):
        if now(x) != OUT:
            make_out(x)
    for x in sorted(retracted):
        if now(x) != UNDEC:
            continue
        if any(now(a) == IN for a in attackers[x]):
            make_out(x)
        elif x not in count:
            count[x] = sum(1 for a in attackers[x] if now(a) != OUT)
            if not count[x]:
                new[x] = IN
                queue.append(x)
    for a in queue:
        if new.get(a) != IN:
            continue
        for b in targets[a]:
            if now(b) != OUT:
                make_out(b)
    return {x: v for x, v in new.items() if v != label[x]}


def grounded(af: Framework) -> list[str]:
    """Return the grounded extension as sorted argument names."""
    lab = grounded_labelling(len(af), af.targets)
    return sorted(af.names[i] for i, v in enumerate(lab) if v == IN)


# Preferred and stable via SCCs ---------------------------------------------------------------


def strongly_connected(
    nodes: list[Node], succ: Sequence[list[Node]] | Mapping[Node, list[Node]]
) -> list[list[Node]]:
    """Return the SCCs of the subgraph on `nodes`, each sorted, sinks first (Tarjan, iterative).

    Every node in `nodes` needs an entry in `succ`; successors outside `nodes` are ignored.
    """
    keep = set(nodes)
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    stack: list[Node] = []
    on_stack: set[Node] = set()
    found: list[list[Node]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in keep:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    scc: list[Node] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        scc.append(w)
                        if w == v:
                            break
                    scc.sort()
                    found.append(scc)
    return found


def condensation_order(
    nodes: list[int], succ: Sequence[list[int]] | Mapping[int, list[int]]
) -> list[list[list[int]]]:
    """Split the subgraph on `nodes` into weak components, each a list of SCCs upstream first.

    Within a component the SCCs come in lexicographic topological order of their smallest
    members (always the upstream SCC with the smallest member next), components in order of
    their smallest members: the order networkx's condensation and
    lexicographical_topological_sort gave, without building a graph object.
    """
    sccs = strongly_connected(nodes, succ)
    of = {x: k for k, scc in enumerate(sccs) for x in scc}
    parent = list(range(len(sccs)))  # union-find over SCCs, for the weak components

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    down: list[set[int]] = [set() for _ in sccs]
    indegree = [0] * len(sccs)
    for k, scc in enumerate(sccs):
        for x in scc:
            for y in succ[x]:
                j = of.get(y)
                if j is None or j == k or j in down[k]:
                    continue
                down[k].add(j)
                indegree[j] += 1
                a, b = root(k), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    heap = [(scc[0], k) for k, scc in enumerate(sccs) if not indegree[k]]
    heapq.heapify(heap)
    components: dict[int, list[list[int]]] = {}
    while heap:
        _, k = heapq.heappop(heap)
        components.setdefault(root(k), []).append(sccs[k])
        for j in down[k]:
            indegree[j] -= 1
            if not indegree[j]:
                heapq.heappush(heap, (sccs[j][0], j))
    return sorted(components.values(), key=lambda comp: min(scc[0] for scc in comp))


def _components_in_order(nodes: list[int], targets: list[list[int]]) -> list[list[list[int]]]:
    """Split the subgraph on `nodes` into weak components, each a list of SCCs upstream first."""
    return condensation_order(nodes, targets)


def _local(members: list[int], attackers: list[list[int]]) -> list[list[int]]:
    """Return the attackers of a weak component's members among its members, renumbered."""
    pos = {x: k for k, x in enumerate(members)}
    return [[pos[a] for a in attackers[x] if a in pos] for x in members]


def _component_ins(
    comp: list[list[int]],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    semantics: str,
) -> Iterator[list[int]]:
    """Yield the IN members of each PR or ST labelling of one undecided weak component.

    Its attackers from outside are all OUT in the grounded labelling `label`, so it is a
    framework of its own. A small one goes through the exact SCC-by-SCC search, which beats
    setting up a SAT solver there; a larger one through SAT.
    """
    members = [x for scc in comp for x in scc]
    if len(members) <= EXACT_MAX_MEMBERS:
        for lab in labellings_of(comp, label, attackers, targets, semantics):
            if semantics == "PR" or all(lab[x] != UNDEC for x in members):
                yield [x for x in members if lab[x] == IN]
        return
    solve = af_sat.preferred if semantics == "PR" else af_sat.stable
    for ins in solve(len(members), _local(members, attackers)):
        yield [members[k] for k in ins]


def _iter_ins(af: Framework, semantics: str) -> Iterator[list[int]]:
    """Yield the IN sets (argument indices) of the PR or ST labellings, as they are found.

    The grounded part is common to all; the undecided rest splits into weak components that
    do not interact, and each extension picks one labelling per component. The component with
    the most arguments is the outer loop and streams; the others are enumerated first and held.
    """
    n = len(af)
    label = grounded_labelling(n, af.targets)
    base = [i for i in range(n) if label[i] == IN]
    open_ = [i for i in range(n) if label[i] == UNDEC]
    comps = _components_in_order(open_, af.targets) if open_ else []
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
    """Yield the extensions under GR, PR or ST as they are found, each sorted by name.

    The order is the search's: deterministic for a given framework, but not sorted.
    """
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


@dataclass
class Acceptance:
    """Per argument: its grounded label and its standing across the preferred labellings."""

    grounded: list[int]
    credulous: list[bool]  # IN in some preferred labelling
    sceptical: list[bool]  # IN in every preferred labelling
    rejected: list[bool]  # OUT in every preferred labelling
    unresolved: list[int] = field(default_factory=list)  # left undecided: too many labellings


# Up to this many arguments, a component's exact enumeration is faster than a SAT solver's
# setup (measured: 18 against 40 microseconds at 2 arguments, 130 against 110 at 8).
EXACT_MAX_MEMBERS = 6


class TooManyLabellings(RuntimeError):
    """A region of the framework needs more search than the caller's budget allows."""


def acceptance(
    n: int,
    targets: list[list[int]],
    budget: Budget | None = None,
    cache: dict | None = None,
    strict: bool = True,
) -> Acceptance:
    """Return grounded labels and preferred standing without enumerating whole extensions.

    The undecided part splits into weak components that do not interact, so each one is
    solved on its own and the counts never multiply across components. A `cache` shared
    between calls on frameworks that differ only by added arguments reuses the result of
    every component whose members and settled attackers are unchanged. Arguments the SAT
    search cannot settle within `budget` (None: no limit) raise TooManyLabellings, or with
    `strict=False` are left undecided and listed in `unresolved`.
    """
    label = grounded_labelling(n, targets)
    grounded = label[:]
    credulous = [v == IN for v in label]
    sceptical = credulous[:]
    rejected = [v == OUT for v in label]
    open_ = [i for i in range(n) if label[i] == UNDEC]
    if not open_:
        return Acceptance(grounded, credulous, sceptical, rejected)
    cache = {} if cache is None else cache
    attackers: list[list[int]] = [[] for _ in range(n)]
    settled: dict[int, list[int]] = {}
    for i, ts in enumerate(targets):
        for j in ts:
            if label[j] == UNDEC:
                attackers[j].append(i)
                if label[i] != UNDEC:
                    settled.setdefault(j, []).append(i)
    unresolved: list[int] = []
    key = ("components", tuple(open_))
    if key not in cache:
        cache[key] = _components_in_order(open_, targets)
    for comp in cache[key]:
        members = [x for scc in comp for x in scc]
        # A component's labellings depend only on its members and its settled attackers.
        ckey = (
            tuple(members),
            tuple((a, label[a]) for x in members for a in sorted(settled.get(x, ()))),
        )
        if ckey not in cache:
            cache[ckey] = _component_standing(comp, members, label, attackers, targets, budget)
        if strict and None in cache[ckey]:
            raise TooManyLabellings("the SAT search ran out of budget")
        for x, standing in zip(members, cache[ckey], strict=True):
            if standing is None:
                unresolved.append(x)
            else:
                credulous[x], sceptical[x], rejected[x] = standing
    return Acceptance(grounded, credulous, sceptical, rejected, sorted(unresolved))


Standing = tuple[
    int, bool, bool, bool, bool
]  # grounded, credulous, sceptical, rejected, unresolved


def acceptance_after_fiat(
    acc: Acceptance,
    step: list[int],
    work: list[int],
    targets: list[list[int]],
    attackers: list[list[int]],
    fiat: list[int],
    budget: Budget | None,
    cache: dict,
    used: list[int] | None = None,
) -> dict[int, Standing]:
    """Return the standing of the arguments a new unattacked argument attacking `fiat` may move.

    Equals `acceptance` on the framework with that argument added (same budget, same cache)
    on every argument it returns, and leaves the rest as in `acc`: grounded labels change
    only where grounded_after_fiat says; an undecided component is solved again only if it
    holds or touches an argument whose grounded label changed, since any other component has
    the same members and settled attackers as before, so `acceptance` would find it in the
    cache. `work` must hold `acc.grounded`; it is used as scratch and restored. `used[0]`,
    if given, grows by the work of the preferred searches (see `_component_standing`).
    """
    changed = grounded_after_fiat(acc.grounded, step, targets, attackers, fiat)
    out: dict[int, Standing] = {}
    for x, v in changed.items():
        work[x] = v
        if v != UNDEC:
            out[x] = (v, v == IN, v == IN, v == OUT, False)
    try:
        seeds = set()
        for x in changed:
            for y in chain((x,), targets[x], attackers[x]):
                if work[y] == UNDEC:
                    seeds.add(y)
        region = set(seeds)
        stack = list(seeds)
        while stack:
            x = stack.pop()
            for y in chain(targets[x], attackers[x]):
                if y not in region and work[y] == UNDEC:
                    region.add(y)
                    stack.append(y)
        for comp in condensation_order(sorted(region), targets):
            members = [x for scc in comp for x in scc]
            ckey = (
                tuple(members),
                tuple(
                    (a, work[a]) for x in members for a in sorted(attackers[x]) if work[a] != UNDEC
                ),
            )
            if ckey not in cache:
                cache[ckey] = _component_standing(
                    comp, members, work, attackers, targets, budget, used
                )
            for x, standing in zip(members, cache[ckey], strict=True):
                if standing is None:
                    out[x] = (UNDEC, False, False, False, True)
                else:
                    out[x] = (UNDEC, *standing, False)
    finally:
        for x in changed:
            work[x] = acc.grounded[x]
    return out


def _component_standing(
    comp: list[list[int]],
    members: list[int],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    budget: Budget | None,
    used: list[int] | None = None,
) -> list[tuple[bool, bool, bool] | None]:
    """Return (credulous, sceptical, rejected) per member of one undecided component.

    A small component enumerates its few preferred labellings exactly; a larger one asks a
    SAT solver, within `budget`: a member it could not settle gets None. `used[0]`, if
    given, grows by the work done (labellings, or SAT work units).
    """
    if len(members) > EXACT_MAX_MEMBERS:
        sccs, start = [], 0
        for scc in comp:  # `members` lists the SCCs one after the other
            sccs.append(range(start, start + len(scc)))
            start += len(scc)
        spent = [0]
        try:
            return af_sat.standing(len(members), _local(members, attackers), budget, spent, sccs)
        finally:
            if used is not None:
                used[0] += spent[0]
    ins = dict.fromkeys(members, 0)
    outs = dict.fromkeys(members, 0)
    total = 0
    for lab in labellings_of(comp, label, attackers, targets, "PR"):
        total += 1
        for x in members:
            if lab[x] == IN:
                ins[x] += 1
            elif lab[x] == OUT:
                outs[x] += 1
    if used is not None:
        used[0] += total
    return [(ins[x] > 0, ins[x] == total, outs[x] == total) for x in members]


def preferred_labellings(af: Framework) -> list[list[int]]:
    """Return every preferred labelling (IN/OUT/UNDEC per argument index)."""
    return [_labelling_of(af, ins) for ins in _iter_ins(af, "PR")]


def stable_labellings(af: Framework) -> list[list[int]]:
    """Return every stable labelling (no UNDEC)."""
    return [_labelling_of(af, ins) for ins in _iter_ins(af, "ST")]


def extensions(af: Framework, semantics: str) -> list[list[str]]:
    """Return the extensions under GR, PR or ST as sorted lists of names, in sorted order."""
    return sorted(iter_extensions(af, semantics))


# ICCMA formats -------------------------------------------------------------------------------

FORMATS = ("i23", "apx", "tgf")
_APX_ARG = re.compile(r"^arg\(\s*([^,()\s]+)\s*\)\.$")
_APX_ATT = re.compile(r"^att\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)\.$")


SUFFIXES = {"i23": "i23", "af": "i23", "apx": "apx", "tgf": "tgf"}


class AFFormatError(ProblemsFound, ValueError):
    """An ICCMA instance that does not parse, located like a compiler message."""

    def __init__(
        self, path: str, line: int, col: int, code: str, message: str, hint: str | None = None
    ) -> None:
        problem = Problem(code, Severity.error, Location(path, line, col), message, hint)
        super().__init__([problem])
        self.args = (str(problem),)


def guess_format(path: Path | str) -> str:
    """Return the ICCMA format a file's suffix names, or raise UsageError asking for --format."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {'.' + suffix if suffix else '(none)'}"
            f"; give --from {'|'.join(FORMATS)} (suffixes known: .af, .i23, .apx, .tgf)"
        )
    return SUFFIXES[suffix]


def _looks_like(line: str) -> str | None:
    """Return a hint naming the format a first line looks like, if it is clearly another one."""
    if line.startswith(("arg(", "att(")):
        return "this looks like apx: give --from apx"
    if line.startswith("p af"):
        return "this looks like i23: give --from i23"
    if line == "#" or len(line.split()) == 1:
        return "this looks like tgf: give --from tgf"
    return None


def _parse_i23(lines: list[str], path: str) -> Framework:
    """Parse the ICCMA 2023 format: a `p af N` header, then attacks `i j`, `#` comments."""
    af = Framework()
    size = None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        col = raw.index(line[0]) + 1
        parts = line.split()
        if size is None:
            if len(parts) != 3 or parts[:2] != ["p", "af"] or not parts[2].isdigit():
                hint = _looks_like(line) or "the first line is 'p af N', N the number of arguments"
                raise AFFormatError(path, no, col, "KB801", "expected the header 'p af N'", hint)
            size = int(parts[2])
            for i in range(1, size + 1):
                af.add(str(i))
            continue
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise AFFormatError(path, no, col, "KB801", f"expected an attack 'i j', not {line!r}")
        for p in parts:
            if not 1 <= int(p) <= size:
                where = raw.index(p, col - 1) + 1
                hint = f"arguments are numbered 1 to {size}, as the header 'p af {size}' says"
                raise AFFormatError(path, no, where, "KB802", f"no argument {p}", hint)
        af.attack(parts[0], parts[1])
    if size is None:
        raise AFFormatError(path, 1, 1, "KB801", "no 'p af N' header", "is the file empty?")
    return af


def _parse_apx(lines: list[str], path: str) -> Framework:
    """Parse ASPARTIX facts `arg(a).` and `att(a,b).`, in any order; `%` starts a comment."""
    af = Framework()
    attacks: list[tuple[int, int, str, str]] = []
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if m := _APX_ARG.match(line):
            af.add(m.group(1))
        elif m := _APX_ATT.match(line):
            attacks.append((no, raw.index(line[0]) + 1, m.group(1), m.group(2)))
        else:
            col = raw.index(line[0]) + 1
            hint = _looks_like(line) if no == 1 else None
            raise AFFormatError(
                path, no, col, "KB801", f"expected 'arg(a).' or 'att(a,b).', not {line!r}", hint
            )
    for no, col, a, b in attacks:
        for name in (a, b):
            if name not in af.index:
                hint = f"declare it with 'arg({name}).'"
                raise AFFormatError(path, no, col, "KB802", f"no argument {name!r}", hint)
        af.attack(a, b)
    return af


def _parse_tgf(lines: list[str], path: str) -> Framework:
    """Parse Trivial Graph Format: one argument per line, `#`, then attacks `a b`."""
    af = Framework()
    in_attacks = False
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line == "#":
            in_attacks = True
            continue
        parts = line.split()
        col = raw.index(line[0]) + 1
        if not in_attacks:
            af.add(parts[0])
            continue
        if len(parts) < 2:
            raise AFFormatError(path, no, col, "KB801", f"expected an attack 'a b', not {line!r}")
        for p in parts[:2]:
            if p not in af.index:
                where = raw.index(p, col - 1) + 1
                hint = "list every argument on a line of its own before the '#' line"
                raise AFFormatError(path, no, where, "KB802", f"no argument {p!r}", hint)
        af.attack(parts[0], parts[1])
    return af


def parse_af(text: str, fmt: str, path: str = "<input>") -> Framework:
    """Parse an ICCMA instance written in `i23` (`p af N`), `apx` or `tgf`."""
    parsers = {"i23": _parse_i23, "apx": _parse_apx, "tgf": _parse_tgf}
    if fmt not in parsers:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return parsers[fmt](text.splitlines(), path)


def read_af(path: Path, fmt: str | None = None) -> Framework:
    """Read an ICCMA instance in `fmt`, or in the format its suffix names."""
    fmt = fmt or guess_format(path)
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AFFormatError(str(path), line, col, "KB002", "the file is not UTF-8") from None
    return parse_af(text, fmt, str(path))


def format_af(af: Framework, fmt: str) -> str:
    """Write a framework in `i23`, `apx` or `tgf`; i23 numbers arguments in order, as comments."""
    lines: list[str] = []
    attacks = [(i, j) for i, ts in enumerate(af.targets) for j in sorted(ts)]
    if fmt == "i23":
        lines.append(f"p af {len(af)}")
        if af.names != [str(i) for i in range(1, len(af) + 1)]:
            # Names do not survive the numeric format: keep them as comments for readers.
            lines += [f"# {i + 1} {name}" for i, name in enumerate(af.names)]
        lines += [f"{i + 1} {j + 1}" for i, j in attacks]
    elif fmt == "apx":
        lines += [f"arg({name})." for name in af.names]
        lines += [f"att({af.names[i]},{af.names[j]})." for i, j in attacks]
    elif fmt == "tgf":
        lines += af.names
        lines.append("#")
        lines += [f"{af.names[i]} {af.names[j]}" for i, j in attacks]
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return "\n".join(lines) + "\n"


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


def convert(path: Path, fmt: str, source_fmt: str | None = None) -> str:
    """Read an ICCMA file in any of the formats and return it written in `fmt`."""
    return format_af(read_af(path, source_fmt), fmt)
