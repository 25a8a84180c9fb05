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
    """Return the complete labellings of one SCC given the fixed labels of everything upstream.

    A backtracking search with sound propagation; every leaf is verified against the
    definition, so propagation only prunes and never decides correctness.
    """
    inside = set(scc)
    lab: dict[int, int] = {}
    results: list[dict[int, int]] = []
    values = (IN, OUT, UNDEC) if allow_undec else (IN, OUT)

    def get(x: int) -> int | None:
        return lab.get(x) if x in inside else label[x]

    def forced(z: int) -> tuple[bool, list[tuple[int, int]]]:
        """Check z's constraint; return (consistent, forced assignments)."""
        ins = outs = undecs = 0
        open_: list[int] = []
        for y in attackers[z]:
            v = get(y)
            if v is None:
                open_.append(y)
            elif v == IN:
                ins += 1
            elif v == OUT:
                outs += 1
            else:
                undecs += 1
        mine = lab.get(z)
        if ins:
            need = OUT
        elif not open_:
            need = IN if not undecs else UNDEC
        else:
            need = None
        if need is not None:
            if mine is None:
                return True, [(z, need)]
            return mine == need, []
        if mine == IN:
            return True, [(y, OUT) for y in open_]
        if mine == OUT and len(open_) == 1:
            return True, [(open_[0], IN)]
        if mine == UNDEC and not undecs and len(open_) == 1:
            return True, [(open_[0], UNDEC)]
        return True, []

    def assign(x: int, v: int, trail: list[int]) -> bool:
        todo = [(x, v)]
        while todo:
            y, w = todo.pop()
            have = lab.get(y)
            if have is not None:
                if have != w:
                    return False
                continue
            if w == UNDEC and not allow_undec:
                return False
            lab[y] = w
            trail.append(y)
            # Only y's own constraint and those of its targets read y's label.
            for z in [y, *targets[y]]:
                if z not in inside:
                    continue
                ok, more = forced(z)
                if not ok:
                    return False
                todo.extend(more)
        return True

    # `search` gets itself as an argument: a closure that names itself is a reference cycle,
    # which would keep this call's tables alive until the next garbage collection.
    def search(k: int, again: Callable[[int, Any], None]) -> None:
        while k < len(scc) and scc[k] in lab:
            k += 1
        if k == len(scc):
            if all(forced(z)[0] and not forced(z)[1] for z in scc):
                results.append(dict(lab))
            return
        for v in values:
            trail: list[int] = []
            if assign(scc[k], v, trail):
                again(k + 1, again)
            for y in trail:
                del lab[y]

    trail: list[int] = []
    ok = True
    for z in scc:
        good, more = forced(z)
        if not good or not all(assign(y, w, trail) for y, w in more):
            ok = False
            break
    if ok:
        search(0, search)
    for y in trail:
        lab.pop(y, None)
    return results


def scc_preferred(
    scc: list[int],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
) -> list[dict[int, int]]:
    """Return the preferred labellings of one SCC given the fixed labels upstream.

    Enumerates the admissible IN sets by branching IN / not-IN (after Nofal, Atkinson and
    Dunne 2014), keeps the maximal ones, and labels the rest OUT or UNDEC.
    """
    inside = set(scc)
    # An argument attacked from upstream by a non-OUT argument can never be IN here.
    blocked = {x for x in scc if any(y not in inside and label[y] != OUT for y in attackers[x])}
    ext_out = {x for x in scc if any(y not in inside and label[y] == IN for y in attackers[x])}
    chosen: dict[int, bool] = {}  # x -> IN (True) or kept out of the IN set (False)
    hits: dict[int, int] = {}  # x -> how many IN arguments attack it
    must_out: dict[int, int] = {}  # attackers of IN arguments, which need defeating
    found: list[frozenset[int]] = []
    # The attacks inside the SCC, looked up on every step of the search.
    inner_attackers = {x: [y for y in attackers[x] if y in inside] for x in scc}
    inner_targets = {x: [t for t in targets[x] if t in inside] for x in scc}

    def is_out(y: int) -> bool:
        return y in hits or y in ext_out

    def can_defeat(y: int) -> bool:
        # y must end OUT: an inside attacker is IN, or could still become IN.
        return is_out(y) or any(
            chosen.get(z) or (z not in chosen and z not in blocked and z not in hits)
            for z in inner_attackers[y]
        )

    def hit(t: int, trail: list[tuple[dict[int, int], int]]) -> None:
        hits[t] = hits.get(t, 0) + 1
        trail.append((hits, t))

    def put_in(x: int, trail: list[tuple[dict[int, int], int]]) -> bool:
        if x in hits or any(chosen.get(y) for y in inner_attackers[x]):
            return False
        chosen[x] = True
        for t in inner_targets[x]:
            if chosen.get(t):
                return False
            hit(t, trail)
        for y in inner_attackers[x]:
            must_out[y] = must_out.get(y, 0) + 1
            trail.append((must_out, y))
        return all(can_defeat(y) for y in must_out)

    def undo(trail: list[tuple[dict[int, int], int]]) -> None:
        for table, x in reversed(trail):
            table[x] -= 1
            if not table[x]:
                del table[x]

    excluded: list[int] = []

    def wrongly_excluded() -> bool:
        # Preferred extensions are complete: an excluded argument whose attackers are all
        # OUT for good is defended, so it should have been IN; prune this branch. Only
        # arguments that are not blocked get excluded, so their attackers upstream are OUT.
        return any(
            x not in hits and all(y in hits or y in ext_out for y in inner_attackers[x])
            for x in excluded
        )

    free = inside - blocked
    out_of_it: set[int] = set()  # the arguments kept out of the IN set on this branch

    def covered() -> bool:
        # Every IN set below this branch lies within what could still be IN: not kept out,
        # not attacked by an IN argument (hits), not attacking one (must_out). If an
        # admissible set already found holds all of that, this branch finds nothing larger.
        could = free.difference(out_of_it, hits, must_out)
        return any(could <= s for s in found)

    # `search` gets itself as an argument rather than naming itself (see scc_labellings).
    def search(k: int, again: Callable[[int, Any], None]) -> None:
        if wrongly_excluded():
            return
        if found and covered():
            return
        while k < len(scc) and (scc[k] in chosen or scc[k] in blocked):
            k += 1
        if k == len(scc):
            if all(is_out(y) for y in must_out):
                found.append(frozenset(x for x, v in chosen.items() if v))
            return
        x = scc[k]
        trail: list[tuple[dict[int, int], int]] = []
        if put_in(x, trail):
            again(k + 1, again)
        undo(trail)
        chosen[x] = False
        excluded.append(x)
        out_of_it.add(x)
        if all(can_defeat(y) for y in must_out):
            again(k + 1, again)
        out_of_it.discard(x)
        excluded.pop()
        del chosen[x]

    search(0, search)
    maximal = {s for s in found if not any(s < t for t in found)}
    result = []
    for ins in sorted(maximal, key=sorted):
        lab = {}
        for x in scc:
            if x in ins:
                lab[x] = IN
            elif x in ext_out or any(y in ins for y in attackers[x]):
                lab[x] = OUT
            else:
                lab[x] = UNDEC
        result.append(lab)
    return result


def labellings_of(
    sccs: list[list[int]],
    label: list[int],
    attackers: list[list[int]],
    targets: list[list[int]],
    semantics: str,
) -> Iterator[list[int]]:
    """Yield the PR or ST labellings of a region, SCC by SCC (Baroni, Giacomin, Guida 2005).

    `label` holds the grounded labelling and is updated in place: copy what you keep.
    """
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
