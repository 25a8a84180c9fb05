"""Gradual strength: DF-QuAD on acyclic parts, the quadratic energy model on cycles."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.analysis.af_graph import condensation_order

DF_QUAD = "df-quad"
QUADRATIC_ENERGY = "quadratic-energy"


@dataclass
class BipolarGraph:
    """Arguments with base scores, attackers and supporters (lists of indices)."""

    # `premise[i] >= 0` makes node i an inference node: its base score is the strength of that
    # premise node rather than a constant (how a support undercut by others is weakened).

    names: list[str] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    attackers: list[list[int]] = field(default_factory=list)
    supporters: list[list[int]] = field(default_factory=list)
    premise: list[int] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, base: float, premise: str | None = None) -> int:
        """Add a node with a base score (or an inference node over a premise); return its index."""
        if name in self.index:
            raise ValueError(f"node {name!r} added twice")
        i = self.index[name] = len(self.names)
        self.names.append(name)
        self.base.append(base)
        self.attackers.append([])
        self.supporters.append([])
        self.premise.append(-1 if premise is None else self.index[premise])
        return i

    def attack(self, a: str, b: str) -> None:
        """Add the attack a → b."""
        self.attackers[self.index[b]].append(self.index[a])

    def support(self, a: str, b: str) -> None:
        """Add the support a → b."""
        self.supporters[self.index[b]].append(self.index[a])


@dataclass
class Strengths:
    """Final strengths, the model that gave each one, and whether it converged."""

    strength: list[float]
    model: list[str]
    converged: list[bool]
    steps: int = 0  # integration steps taken on cyclic parts, in all
    residual: float = 0.0  # largest |f(s) - s| left on cyclic parts


def aggregate(values: list[float]) -> float:
    """Return DF-QuAD's aggregation 1 - prod(1 - v), which is 0 for no values."""
    rest = 1.0
    for v in values:
        rest *= 1.0 - v
    return 1.0 - rest


def combine(w: float, va: float, vs: float) -> float:
    """Return DF-QuAD's combination of a base score with attack and support aggregates."""
    if va >= vs:
        return w - w * (va - vs)
    return w + (1.0 - w) * (vs - va)


def energy_update(w: float, energy: float) -> float:
    """Return the quadratic energy model's f(w, E) = w - w h(-E) + (1 - w) h(E)."""
    if energy >= 0:
        x = energy * energy
        return w + (1.0 - w) * x / (1.0 + x)
    x = energy * energy
    return w - w * x / (1.0 + x)


def evaluate(g: BipolarGraph, tol: float = 1e-9, max_steps: int = 200_000) -> Strengths:
    """Compute every strength: one DF-QuAD pass in topological order, energy model on cycles."""
    n = len(g.names)
    attackers, supporters, premise, base = g.attackers, g.supporters, g.premise, g.base
    if n and max(premise) < 0:
        # Debate trees are often numbered root first (or leaves first): then index order is
        # already a topological order, and the pass needs no dependants lists at all.
        for order in (range(n - 1, -1, -1), range(n)):
            s = _in_order(attackers, supporters, base, order)
            if s is not None:
                return Strengths(s, [DF_QUAD] * n, [True] * n)
    child, more, pending = _dependants_flat(attackers, supporters, premise)
    s, done = _kahn(g, child, more, pending)
    result = Strengths(s, [DF_QUAD] * n, [True] * n)
    if done < n:
        rest = [i for i, count in enumerate(pending) if count]
        _cyclic_rest(g, rest, result, tol, max_steps)
    return result


def _dependants_flat(
    attackers: list[list[int]], supporters: list[list[int]], premise: list[int]
) -> tuple[list[int], dict[int, list[int]], list[int]]:
    """Return each node's first dependant, its other dependants, and its count of parents."""
    # Most nodes of a debate have exactly one dependant (the claim they attack or support), so
    # the first sits in a flat list and only the others in lists of their own: a list per node
    # cost as much as the whole pass. Plain loops rather than _parents(): this preamble
    # dominates on trees.
    n = len(attackers)
    child = [-1] * n
    more: dict[int, list[int]] = {}
    pending = [0] * n
    for i in range(n):
        atts = attackers[i]
        sups = supporters[i]
        if atts or sups:
            pending[i] = len(atts) + len(sups)
            for p in atts:
                if child[p] < 0:
                    child[p] = i
                else:
                    more.setdefault(p, []).append(i)
            for p in sups:
                if child[p] < 0:
                    child[p] = i
                else:
                    more.setdefault(p, []).append(i)
    if n > 0 and max(premise) >= 0:
        for i, p in enumerate(premise):
            if p >= 0:
                pending[i] += 1
                if child[p] < 0:
                    child[p] = i
                else:
                    more.setdefault(p, []).append(i)
    return child, more, pending


def _kahn(
    g: BipolarGraph, child: list[int], more: dict[int, list[int]], pending: list[int]
) -> tuple[list[float], int]:
    """Run DF-QuAD in Kahn's order; return the strengths and how many nodes it computed."""
    # `pending` is left holding, per node not computed (on or below a cycle), its parents not
    # yet final: the caller reads which nodes remain from it.
    attackers, supporters, premise, base = g.attackers, g.supporters, g.premise, g.base
    has_premises = len(premise) > 0 and max(premise) >= 0
    # Nodes without parents keep their base score; the rest are overwritten in order.
    s = base[:]
    queue = [i for i, count in enumerate(pending) if count == 0]
    # Each node is computed as soon as its parents are final; iterating a list while
    # appending to it visits the appended nodes too.
    for i in queue:
        atts = attackers[i]
        sups = supporters[i]
        if atts or sups:
            va = vs = 1.0
            for a in atts:
                va *= 1.0 - s[a]
            for b in sups:
                vs *= 1.0 - s[b]
            w = s[premise[i]] if has_premises and premise[i] >= 0 else base[i]
            # va and vs hold prod(1 - v): the aggregates are 1 - va and 1 - vs.
            s[i] = w - w * (vs - va) if va <= vs else w + (1.0 - w) * (va - vs)
        elif has_premises and premise[i] >= 0:
            s[i] = s[premise[i]]
        c = child[i]
        if c >= 0:
            pending[c] -= 1
            if not pending[c]:
                queue.append(c)
            if i in more:
                for c in more[i]:
                    pending[c] -= 1
                    if not pending[c]:
                        queue.append(c)
    return s, len(queue)


def _in_order(
    attackers: list[list[int]], supporters: list[list[int]], base: list[float], order: range
) -> list[float] | None:
    """Run DF-QuAD in index order; return None as soon as a parent is not yet computed."""
    s = base[:]
    descending = order.step < 0
    for i in order:
        atts = attackers[i]
        sups = supporters[i]
        if not atts and not sups:
            continue
        va = vs = 1.0
        for a in atts:
            if (a <= i) if descending else (a >= i):
                return None
            va *= 1.0 - s[a]
        for b in sups:
            if (b <= i) if descending else (b >= i):
                return None
            vs *= 1.0 - s[b]
        w = base[i]
        s[i] = w - w * (vs - va) if va <= vs else w + (1.0 - w) * (va - vs)
    return s


def reevaluate(
    g: BipolarGraph,
    prev: Strengths,
    changed: list[int],
    tol: float = 1e-9,
    max_steps: int = 200_000,
    children: list[list[int]] | None = None,
) -> Strengths:
    """Recompute only the nodes downstream of `changed`, warm-starting cycles from `prev`."""
    # `children` (a superset of the true dependants will do) saves rebuilding them per call.
    out = Strengths(prev.strength[:], prev.model[:], prev.converged[:])
    reevaluate_in_place(g, out, changed, tol, max_steps, children)
    return out


def reevaluate_in_place(
    g: BipolarGraph,
    out: Strengths,
    changed: list[int],
    tol: float = 1e-9,
    max_steps: int = 200_000,
    children: list[list[int]] | None = None,
) -> list[int]:
    """Recompute, inside `out`, the nodes downstream of `changed`; return them, sorted."""
    # Copying every strength costs more than recomputing a few hundred nodes, so callers that try
    # many changes in turn write into one Strengths and put back the returned nodes.
    if children is None:
        children = dependants(g)
    down = set(changed)
    stack = list(changed)
    while stack:
        for c in children[stack.pop()]:
            if c not in down:
                down.add(c)
                stack.append(c)
    pending = {i: sum(1 for p in _parents(g, i) if p in down) for i in down}
    queue = sorted(i for i, count in pending.items() if not count)
    for i in queue:
        out.strength[i] = _strength_at(g, out.strength, i)
        out.model[i], out.converged[i] = DF_QUAD, True
        for c in children[i]:
            if c in down:
                pending[c] -= 1
                if not pending[c]:
                    queue.append(c)
    rest = sorted(i for i, count in pending.items() if count)
    if rest:
        _cyclic_rest(g, rest, out, tol, max_steps, warm=True)
    return sorted(down)


def dependants(g: BipolarGraph) -> list[list[int]]:
    """Return, per node, the nodes whose strength reads it."""
    children: list[list[int]] = [[] for _ in g.names]
    for i in range(len(g.names)):
        for p in _parents(g, i):
            children[p].append(i)
    return children


def _parents(g: BipolarGraph, i: int) -> list[int]:
    """Return the nodes node i's strength depends on."""
    return [*g.attackers[i], *g.supporters[i]] + ([g.premise[i]] if g.premise[i] >= 0 else [])


def _strength_at(g: BipolarGraph, s: list[float], i: int) -> float:
    """Return DF-QuAD's strength for node i given the current strengths of its parents."""
    w = g.base[i] if g.premise[i] < 0 else s[g.premise[i]]
    va = aggregate([s[a] for a in g.attackers[i]])
    vs = aggregate([s[b] for b in g.supporters[i]])
    return combine(w, va, vs)


def _cyclic_rest(
    g: BipolarGraph,
    rest: list[int],
    out: Strengths,
    tol: float,
    max_steps: int,
    warm: bool = False,
) -> None:
    """Solve the nodes on or below cycles, one SCC at a time in topological order."""
    keep = set(rest)
    children: dict[int, list[int]] = {i: [] for i in rest}
    for i in rest:
        for p in _parents(g, i):
            if p in keep:
                children[p].append(i)
    # Any topological order gives the same strengths: each SCC reads only finished parents.
    for comp in condensation_order(rest, children):
        for scc in comp:
            if len(scc) == 1 and scc[0] not in children[scc[0]]:
                out.strength[scc[0]] = _strength_at(g, out.strength, scc[0])
                out.model[scc[0]], out.converged[scc[0]] = DF_QUAD, True
                continue
            _integrate(g, scc, out, tol, max_steps, warm)


def _integrate(
    g: BipolarGraph, scc: list[int], out: Strengths, tol: float, max_steps: int, warm: bool
) -> None:
    """Integrate ds/dt = f(w, E(s)) - s on one SCC (classic RK4) until it stops moving."""
    s = out.strength
    if not warm:
        # Start from the base scores; a warm start keeps the previous fixed point instead.
        for i in scc:
            s[i] = g.base[i] if g.premise[i] < 0 else 0.5

    # Per member: its supporters, attackers, and fixed base (or premise node to read it from).
    rows = [
        (i, g.supporters[i], g.attackers[i], g.premise[i], g.base[i] if g.premise[i] < 0 else 0.0)
        for i in scc
    ]

    def velocity(state: list[float]) -> list[float]:
        # energy_update inlined, with the same arithmetic in the same order: this loop is
        # where cyclic KBs spend their strength time.
        get = state.__getitem__
        vel = []
        for i, sups, atts, premise, base in rows:
            energy = sum(map(get, sups)) - sum(map(get, atts))
            w = base if premise < 0 else state[premise]
            x = energy * energy
            if energy >= 0:
                vel.append(w + (1.0 - w) * x / (1.0 + x) - state[i])
            else:
                vel.append(w - w * x / (1.0 + x) - state[i])
        return vel

    dt = 1.0
    residual = float("inf")
    best: list[float] = [s[i] for i in scc]  # the state with the smallest residual so far
    best_residual = float("inf")
    steps = 0
    while steps < max_steps:
        k1 = velocity(s)
        residual = max(map(abs, k1))
        if residual < tol:
            break
        if residual > 2 * best_residual and dt > 1e-3:
            # The residual grew: RK4 left its stable region. Go back and halve the step.
            for j, i in enumerate(scc):
                s[i] = best[j]
            dt /= 2
            best_residual = float("inf")
            continue
        start = [s[i] for i in scc]
        if residual < best_residual:
            best, best_residual = start, residual
        # RK4: each stage evaluates the velocity at a trial state.
        stages: list[list[float]] = []
        for frac, k in ((0.5, k1), (0.5, None), (1.0, None)):
            k = k if k is not None else stages[-1]
            h = frac * dt  # the same product as frac * dt * k[j], which groups from the left
            for i, a, b in zip(scc, start, k, strict=True):
                s[i] = a + h * b
            stages.append(velocity(s))
        k2, k3, k4 = stages
        h = dt / 6.0
        for i, a, p, q, r, t in zip(scc, start, k1, k2, k3, k4, strict=True):
            s[i] = a + h * (p + 2 * q + 2 * r + t)
        steps += 1
    ok = residual < tol
    for i in scc:
        out.model[i] = QUADRATIC_ENERGY
        out.converged[i] = ok
    out.steps += steps
    out.residual = max(out.residual, residual)
