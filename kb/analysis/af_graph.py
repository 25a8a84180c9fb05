"""Dung frameworks as adjacency lists, and their strongly connected and weak components."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

Node = TypeVar("Node", int, str)  # argument indices, or claim IDs in kb.check


class Successors(Protocol[Node]):
    """Whom each node points to: a list of lists by index, or a mapping by name."""

    def __getitem__(self, node: Node, /) -> list[Node]:
        """Return the successors of a node."""
        ...


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


def strongly_connected(nodes: list[Node], succ: Successors[Node]) -> list[list[Node]]:
    """Return the SCCs of the subgraph on `nodes`, each sorted, sinks first (Tarjan, iterative)."""
    # Every node in `nodes` needs an entry in `succ`; successors outside `nodes` are ignored.
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
    """Split the subgraph on `nodes` into weak components, each a list of SCCs upstream first."""
    # Within a component the SCCs come in lexicographic topological order of their smallest members
    # (always the upstream SCC with the smallest member next), components in order of their smallest
    # members: the order networkx's condensation and lexicographical_topological_sort gave, without
    # building a graph object.
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


def local_attackers(members: list[int], attackers: list[list[int]]) -> list[list[int]]:
    """Return the attackers of a weak component's members among its members, renumbered."""
    pos = {x: k for k, x in enumerate(members)}
    return [[pos[a] for a in attackers[x] if a in pos] for x in members]
