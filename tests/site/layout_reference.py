"""The argument-map layout and neighbourhood as they were before kb.maps was made faster:
the reference its output must equal, exactly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from kb.model.graph import KBGraph
from kb.site import maps

XSPACE = maps.XSPACE
YSPACE = maps.YSPACE
SWEEPS = maps.SWEEPS
ORDER_SWEEPS = maps.ORDER_SWEEPS


def layout(
    nodes: list[str], edges: list[tuple[str, str]], sizes: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Place nodes in layers (Sugiyama); components side by side; top-left origin."""
    undirected = nx.Graph()
    undirected.add_nodes_from(nodes)
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        if a != b and a in sizes and b in sizes and not undirected.has_edge(a, b):
            undirected.add_edge(a, b)
            succ.setdefault(a, []).append(b)
    groups = sorted(
        (sorted(c) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c[0])
    )
    placed: dict[str, tuple[float, float]] = {}
    x_offset = 0.0
    row_y = 0.0
    row_h = 0.0
    max_row_w = max(1400.0, 3.0 * (len(nodes) ** 0.5) * 60)
    for group in groups:
        if len(group) == 1:
            centres = {group[0]: (sizes[group[0]][0] / 2, sizes[group[0]][1] / 2)}
        else:
            centres = _layered(group, succ, sizes) or maps._sugiyama(group, succ, sizes)
        x1 = min(centres[n][0] - sizes[n][0] / 2 for n in group)
        y1 = min(centres[n][1] - sizes[n][1] / 2 for n in group)
        x2 = max(centres[n][0] + sizes[n][0] / 2 for n in group)
        y2 = max(centres[n][1] + sizes[n][1] / 2 for n in group)
        w, h = x2 - x1, y2 - y1
        if x_offset > 0 and x_offset + w > max_row_w:
            x_offset, row_y, row_h = 0.0, row_y + row_h + 40, 0.0
        for n in group:
            placed[n] = (centres[n][0] - x1 + x_offset, centres[n][1] - y1 + row_y)
        x_offset += w + 40
        row_h = max(row_h, h)
    return placed


def _layered(
    group: list[str], succ: Mapping[str, list[str]], sizes: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]] | None:
    """Lay out one acyclic component in layers in linear time per sweep; None if it has a cycle.

    Longest-path layers from the roots, dummy nodes on long links, barycentre ordering sweeps,
    then each layer's x solved as an order-preserving least-squares fit to its neighbours (pool
    adjacent violators), which centres a conclusion over its premises without overlaps.
    """
    preds: dict[str, list[str]] = {n: [] for n in group}
    for a in group:
        for b in succ.get(a, []):
            preds[b].append(a)
    pending = {n: len(preds[n]) for n in group}
    order = [n for n in group if not pending[n]]
    for n in order:  # Kahn's algorithm; `order` grows while it is walked
        for b in sorted(succ.get(n, [])):
            pending[b] -= 1
            if not pending[b]:
                order.append(b)
    if len(order) < len(group):
        return None
    rank = {}
    for n in order:
        rank[n] = max((rank[p] + 1 for p in preds[n]), default=0)
    # The layered graph: real nodes plus a dummy on every layer a long link passes.
    down: dict[str, list[str]] = {n: [] for n in group}
    up: dict[str, list[str]] = {n: [] for n in group}
    width = {n: float(sizes[n][0]) for n in group}
    height = {n: float(sizes[n][1]) for n in group}
    layer_of = dict(rank)
    for a in order:
        for b in sorted(succ.get(a, [])):
            prev = a
            for r in range(rank[a] + 1, rank[b]):
                d = f"\0{a}\0{b}\0{r}"
                down[d], up[d], width[d], height[d], layer_of[d] = [], [], 2.0, 2.0, r
                down[prev].append(d)
                up[d].append(prev)
                prev = d
            down[prev].append(b)
            up[b].append(prev)
    layers: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    seen: set[str] = set()
    for root in order:
        if rank[root] or root in seen:
            continue
        stack = [root]
        while stack:  # depth-first from each root, in name order: the first ordering
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            layers[layer_of[n]].append(n)
            stack.extend(reversed(down[n]))
    layers = _order(layers, up, down)
    x: dict[str, float] = {}
    for layer in layers:
        cursor = 0.0
        for i, n in enumerate(layer):
            if i:
                cursor += (width[layer[i - 1]] + width[n]) / 2 + XSPACE
            x[n] = cursor
    for _ in range(SWEEPS):
        for layer in layers[1:]:
            _fit(layer, {n: _mean([x[m] for m in up[n]], x[n]) for n in layer}, width, x)
        for layer in layers[-2::-1]:
            _fit(layer, {n: _mean([x[m] for m in down[n]], x[n]) for n in layer}, width, x)
    out: dict[str, tuple[float, float]] = {}
    top = 0.0
    for layer in layers:
        half = max(height[n] for n in layer) / 2
        for n in layer:
            if n in sizes:
                out[n] = (x[n], top + half)
        top += 2 * half + YSPACE
    return out


def _order(
    layers: list[list[str]], up: Mapping[str, list[str]], down: Mapping[str, list[str]]
) -> list[list[str]]:
    """Return the layers reordered to few crossings: barycentre sweeps, then swaps of
    neighbours, keeping the best order seen."""
    pos = {n: i for layer in layers for i, n in enumerate(layer)}

    def crossings(upper: list[str]) -> int:
        return maps._crossings(upper, down, pos)

    def total() -> int:
        return sum(crossings(layer) for layer in layers[:-1])

    best, best_count = [list(layer) for layer in layers], total()
    for _ in range(ORDER_SWEEPS):
        if not best_count:
            break
        for layer, nbrs in [
            *((lay, up) for lay in layers[1:]),
            *((lay, down) for lay in layers[-2::-1]),
        ]:
            keyed = {n: _mean([pos[m] for m in nbrs[n]], pos[n]) for n in layer}
            layer.sort(key=lambda n: keyed[n])
            pos.update((n, i) for i, n in enumerate(layer))
        count = total()
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    layers = best
    pos = {n: i for layer in layers for i, n in enumerate(layer)}

    def cost(a: str, b: str) -> int:
        """Count the crossings among a's and b's links while a is left of b."""
        return sum(1 for nbrs in (up, down) for p in nbrs[a] for q in nbrs[b] if pos[p] > pos[q])

    improved = best_count > 0
    while improved:  # swap neighbours while that removes crossings
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                a, b = layer[i], layer[i + 1]
                if cost(b, a) < cost(a, b):
                    layer[i], layer[i + 1], pos[a], pos[b] = b, a, i + 1, i
                    improved = True
    return layers


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _fit(
    layer: list[str], want: Mapping[str, float], width: Mapping[str, float], x: dict[str, float]
) -> None:
    """Set x of a layer's nodes, kept in order and apart, as near their wanted x as can be."""
    offsets = []
    acc = 0.0
    for i, n in enumerate(layer):
        if i:
            acc += (width[layer[i - 1]] + width[n]) / 2 + XSPACE
        offsets.append(acc)
    # Isotonic regression of want - offset (pool adjacent violators): blocks of [sum, count].
    blocks: list[list[float]] = []
    for n, off in zip(layer, offsets, strict=True):
        blocks.append([want[n] - off, 1.0])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    i = 0
    for total, count in blocks:
        for _ in range(int(count)):
            x[layer[i]] = total / count + offsets[i]
            i += 1


def _limit(graph: KBGraph, start: Iterable[str], depth: int, limit: int) -> list[str]:
    """Return nodes within depth links of start, nearest first, at most limit of them."""
    seen = list(dict.fromkeys(start))
    frontier = list(seen)
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            nxt |= graph.neighbourhood(n, 1) - set(seen)
        ordered = sorted(nxt)
        room = limit - len(seen)
        if room <= 0:
            break
        seen += ordered[:room]
        frontier = ordered[:room]
    return seen
