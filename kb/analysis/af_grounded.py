"""Grounded labellings: computed whole, with decision steps, and updated after a what-if."""

from __future__ import annotations

from itertools import chain

from kb.analysis.af_exact import IN, OUT, UNDEC
from kb.analysis.af_graph import Framework

LABEL_NAMES = {IN: "in", OUT: "out", UNDEC: "undec"}


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
    """Return the grounded labelling and, per decided argument, the step it was decided at."""
    # Runs the same queue as grounded_labelling; an argument's step is later than the steps of the
    # arguments that decided it, which is what `grounded_after_fiat` needs.
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
    """Return the grounded labels that change when a new unattacked argument attacks `fiat`."""
    # `label` and `step` come from grounded_times.
    #
    # First retract what may lose its reason: the fiat's targets, an IN argument with an attacker
    # retracted, an OUT argument whose every IN attacker decided before it is retracted (steps keep
    # these reasons well founded). Everything else keeps its label. Then run the grounded queue
    # again from the retracted arguments and whatever they free, so the work follows the change
    # rather than the size of the framework.
    retracted = _retracted(label, step, targets, attackers, fiat)
    return _Reground(label, targets, attackers, retracted).run(fiat)


def _retracted(
    label: list[int],
    step: list[int],
    targets: list[list[int]],
    attackers: list[list[int]],
    fiat: list[int],
) -> set[int]:
    """Return the arguments that may lose the reason for their grounded label under the fiat."""
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
    return retracted


class _Reground:
    """The grounded queue run again from the retracted arguments, recording new labels."""

    def __init__(
        self,
        label: list[int],
        targets: list[list[int]],
        attackers: list[list[int]],
        retracted: set[int],
    ) -> None:
        self.label, self.targets, self.attackers = label, targets, attackers
        self.retracted = retracted
        self.new: dict[int, int] = dict.fromkeys(retracted, UNDEC)
        self.count: dict[int, int] = {}  # attackers not OUT, for arguments that may turn IN
        self.queue: list[int] = []

    def now(self, x: int) -> int:
        """Return an argument's label as it stands so far."""
        return self.new.get(x, self.label[x])

    def make_out(self, b: int) -> None:
        """Label an argument OUT and count down the attackers of what it attacks."""
        new, count, now = self.new, self.count, self.now
        new[b] = OUT
        for c in self.targets[b]:
            if now(c) != UNDEC:
                continue
            if c in count:
                count[c] -= 1
            else:
                count[c] = sum(1 for a in self.attackers[c] if now(a) != OUT)
            if not count[c]:
                new[c] = IN
                self.queue.append(c)

    def run(self, fiat: list[int]) -> dict[int, int]:
        """Return the arguments whose label changes, with their new labels."""
        now, new, count = self.now, self.new, self.count
        for x in sorted(fiat):
            if now(x) != OUT:
                self.make_out(x)
        for x in sorted(self.retracted):
            if now(x) != UNDEC:
                continue
            if any(now(a) == IN for a in self.attackers[x]):
                self.make_out(x)
            elif x not in count:
                count[x] = sum(1 for a in self.attackers[x] if now(a) != OUT)
                if not count[x]:
                    new[x] = IN
                    self.queue.append(x)
        for a in self.queue:
            if new.get(a) != IN:
                continue
            for b in self.targets[a]:
                if now(b) != OUT:
                    self.make_out(b)
        return {x: v for x, v in new.items() if v != self.label[x]}


def grounded(af: Framework) -> list[str]:
    """Return the grounded extension as sorted argument names."""
    lab = grounded_labelling(len(af), af.targets)
    return sorted(af.names[i] for i, v in enumerate(lab) if v == IN)
