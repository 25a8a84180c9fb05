"""Exact preferred and stable labellings, SCC by SCC: the search for small components."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# Labels, as small ints so that a million-argument labelling stays a plain list.
UNDEC, IN, OUT = 0, 1, 2


def scc_labellings(
    scc: list[int],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    allow_undec: bool,
) -> list[dict[int, int]]:
    """Return the complete labellings of one SCC given the fixed labels of everything upstream."""
    # A backtracking search with sound propagation; every leaf is verified against the definition,
    # so propagation only prunes and never decides correctness.
    return _Complete(scc, label, attackers, targets, allow_undec).labellings()


class _Complete:
    """The search for the complete (or, without UNDEC, stable) labellings of one SCC."""

    def __init__(
        self,
        scc: list[int],
        label: list[int],
        attackers: list[list[int]],
        targets: list[list[int]],
        allow_undec: bool,
    ) -> None:
        self.scc, self.label, self.attackers, self.targets = scc, label, attackers, targets
        self.allow_undec = allow_undec
        self.inside = set(scc)
        self.lab: dict[int, int] = {}
        self.results: list[dict[int, int]] = []
        self.values = (IN, OUT, UNDEC) if allow_undec else (IN, OUT)

    def labellings(self) -> list[dict[int, int]]:
        """Propagate what the upstream labels force, then search the rest."""
        trail: list[int] = []
        ok = True
        for z in self.scc:
            good, more = self.forced(z)
            if not good or not all(self.assign(y, w, trail) for y, w in more):
                ok = False
                break
        if ok:
            self.search(0)
        for y in trail:
            self.lab.pop(y, None)
        return self.results

    def get(self, x: int) -> int | None:
        """Return an argument's label: chosen so far inside the SCC, fixed outside it."""
        return self.lab.get(x) if x in self.inside else self.label[x]

    def forced(self, z: int) -> tuple[bool, list[tuple[int, int]]]:
        """Check z's constraint; return (consistent, forced assignments)."""
        ins = outs = undecs = 0
        open_: list[int] = []
        for y in self.attackers[z]:
            v = self.get(y)
            if v is None:
                open_.append(y)
            elif v == IN:
                ins += 1
            elif v == OUT:
                outs += 1
            else:
                undecs += 1
        mine = self.lab.get(z)
        if ins:
            need: int | None = OUT
        elif not open_:
            need = IN if not undecs else UNDEC
        else:
            need = None
        if need is not None:
            if mine is None:
                return True, [(z, need)]
            return mine == need, []
        return True, _forced_attackers(mine, open_, undecs)

    def assign(self, x: int, v: int, trail: list[int]) -> bool:
        """Label x with v and propagate; False on a contradiction (the trail lists what to undo)."""
        lab = self.lab
        todo = [(x, v)]
        while todo:
            y, w = todo.pop()
            have = lab.get(y)
            if have is not None:
                if have != w:
                    return False
                continue
            if w == UNDEC and not self.allow_undec:
                return False
            lab[y] = w
            trail.append(y)
            # Only y's own constraint and those of its targets read y's label.
            for z in [y, *self.targets[y]]:
                if z not in self.inside:
                    continue
                ok, more = self.forced(z)
                if not ok:
                    return False
                todo.extend(more)
        return True

    def search(self, k: int) -> None:
        """Try each value for the next unlabelled member; keep every full labelling that holds."""
        scc, lab = self.scc, self.lab
        while k < len(scc) and scc[k] in lab:
            k += 1
        if k == len(scc):
            if all(self.forced(z)[0] and not self.forced(z)[1] for z in scc):
                self.results.append(dict(lab))
            return
        for v in self.values:
            trail: list[int] = []
            if self.assign(scc[k], v, trail):
                self.search(k + 1)
            for y in trail:
                del lab[y]


def _forced_attackers(mine: int | None, open_: list[int], undecs: int) -> list[tuple[int, int]]:
    """Return what an argument's own label forces on its attackers not yet labelled."""
    if mine == IN:
        return [(y, OUT) for y in open_]
    if mine == OUT and len(open_) == 1:
        return [(open_[0], IN)]
    if mine == UNDEC and not undecs and len(open_) == 1:
        return [(open_[0], UNDEC)]
    return []


def scc_preferred(
    scc: list[int],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
) -> list[dict[int, int]]:
    """Return the preferred labellings of one SCC given the fixed labels upstream."""
    # Enumerates the admissible IN sets by branching IN / not-IN (after Nofal, Atkinson and Dunne
    # 2014), keeps the maximal ones, and labels the rest OUT or UNDEC.
    search = _Preferred(scc, label, attackers, targets)
    search.search(0)
    found = search.found
    maximal = {s for s in found if not any(s < t for t in found)}
    result = []
    for ins in sorted(maximal, key=sorted):
        lab = {}
        for x in scc:
            if x in ins:
                lab[x] = IN
            elif x in search.ext_out or any(y in ins for y in attackers[x]):
                lab[x] = OUT
            else:
                lab[x] = UNDEC
        result.append(lab)
    return result


Trail = list[tuple[dict[int, int], int]]  # (table, key): counts to take back on the way up


class _Preferred:
    """The search for the admissible IN sets of one SCC, with the state of the current branch."""

    def __init__(
        self,
        scc: list[int],
        label: list[int],
        attackers: list[list[int]],
        targets: list[list[int]],
    ) -> None:
        self.scc = scc
        inside = set(scc)
        # An argument attacked from upstream by a non-OUT argument can never be IN here.
        self.blocked = {
            x for x in scc if any(y not in inside and label[y] != OUT for y in attackers[x])
        }
        self.ext_out = {
            x for x in scc if any(y not in inside and label[y] == IN for y in attackers[x])
        }
        self.chosen: dict[int, bool] = {}  # x -> IN (True) or kept out of the IN set (False)
        self.hits: dict[int, int] = {}  # x -> how many IN arguments attack it
        self.must_out: dict[int, int] = {}  # attackers of IN arguments, which need defeating
        self.found: list[frozenset[int]] = []
        # The attacks inside the SCC, looked up on every step of the search.
        self.inner_attackers = {x: [y for y in attackers[x] if y in inside] for x in scc}
        self.inner_targets = {x: [t for t in targets[x] if t in inside] for x in scc}
        self.excluded: list[int] = []
        self.free = inside - self.blocked
        self.out_of_it: set[int] = set()  # the arguments kept out of the IN set on this branch

    def is_out(self, y: int) -> bool:
        """Say whether y is OUT for good on this branch."""
        return y in self.hits or y in self.ext_out

    def can_defeat(self, y: int) -> bool:
        """Say whether y can still end OUT: an inside attacker is IN, or could still become IN."""
        chosen, blocked, hits = self.chosen, self.blocked, self.hits
        return self.is_out(y) or any(
            chosen.get(z) or (z not in chosen and z not in blocked and z not in hits)
            for z in self.inner_attackers[y]
        )

    def put_in(self, x: int, trail: Trail) -> bool:
        """Put x in the IN set; False if that is not admissible on this branch."""
        chosen = self.chosen
        if x in self.hits or any(chosen.get(y) for y in self.inner_attackers[x]):
            return False
        chosen[x] = True
        for t in self.inner_targets[x]:
            if chosen.get(t):
                return False
            self.hits[t] = self.hits.get(t, 0) + 1
            trail.append((self.hits, t))
        for y in self.inner_attackers[x]:
            self.must_out[y] = self.must_out.get(y, 0) + 1
            trail.append((self.must_out, y))
        return all(self.can_defeat(y) for y in self.must_out)

    def wrongly_excluded(self) -> bool:
        """Say whether an argument kept out is defended after all, which prunes the branch."""
        # Preferred extensions are complete: an excluded argument whose attackers are all
        # OUT for good is defended, so it should have been IN. Only arguments that are not
        # blocked get excluded, so their attackers upstream are OUT.
        hits, ext_out = self.hits, self.ext_out
        return any(
            x not in hits and all(y in hits or y in ext_out for y in self.inner_attackers[x])
            for x in self.excluded
        )

    def covered(self) -> bool:
        """Say whether an admissible set already found holds all this branch could reach."""
        # Every IN set below this branch lies within what could still be IN: not kept out,
        # not attacked by an IN argument (hits), not attacking one (must_out).
        could = self.free.difference(self.out_of_it, self.hits, self.must_out)
        return any(could <= s for s in self.found)

    def search(self, k: int) -> None:
        """Branch on the next undecided member: IN, then kept out."""
        if self.wrongly_excluded():
            return
        if self.found and self.covered():
            return
        scc, chosen = self.scc, self.chosen
        while k < len(scc) and (scc[k] in chosen or scc[k] in self.blocked):
            k += 1
        if k == len(scc):
            if all(self.is_out(y) for y in self.must_out):
                self.found.append(frozenset(x for x, v in chosen.items() if v))
            return
        x = scc[k]
        trail: Trail = []
        if self.put_in(x, trail):
            self.search(k + 1)
        _undo(trail)
        chosen[x] = False
        self.excluded.append(x)
        self.out_of_it.add(x)
        if all(self.can_defeat(y) for y in self.must_out):
            self.search(k + 1)
        self.out_of_it.discard(x)
        self.excluded.pop()
        del chosen[x]


def _undo(trail: Trail) -> None:
    """Take back the counts a branch added, last first."""
    for table, x in reversed(trail):
        table[x] -= 1
        if not table[x]:
            del table[x]


def labellings_of(
    sccs: list[list[int]],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    semantics: str,
) -> Iterator[list[int]]:
    """Yield the PR or ST labellings of a region, SCC by SCC (Baroni, Giacomin, Guida 2005)."""
    # `label` holds the grounded labelling and is updated in place: copy what you keep.
    # An SCC's labellings depend only on the labels of its attackers outside it, which
    # recur across the combinations upstream: solve each SCC once per such boundary.
    boundary = []
    for scc in sccs:
        inside = set(scc)
        boundary.append(sorted({a for x in scc for a in attackers[x] if a not in inside}))
    memo: dict[tuple[int, tuple[int, ...]], list[dict[int, int]]] = {}

    # `rec` gets itself as an argument rather than naming itself (see scc_labellings).
    def rec(k: int, again: Callable[[int, Any], Iterator[list[int]]]) -> Iterator[list[int]]:
        if k == len(sccs):
            yield label
            return
        scc = sccs[k]
        key = (k, tuple([label[a] for a in boundary[k]]))
        options = memo.get(key)
        if options is None:
            if semantics == "PR":
                options = scc_preferred(scc, label, attackers, targets)
            else:
                options = scc_labellings(scc, label, attackers, targets, allow_undec=False)
            memo[key] = options
        for lab in options:
            for x, v in lab.items():
                label[x] = v
            yield from again(k + 1, again)
        for x in scc:
            label[x] = UNDEC

    yield from rec(0, rec)
