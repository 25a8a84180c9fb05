"""The layered (Sugiyama) layout of argument maps: layers, crossings reduced, x fitted."""

from __future__ import annotations

import bisect
from collections.abc import Mapping

Sizes = Mapping[str, tuple[float, float]]
Positions = dict[str, tuple[float, float]]
Links = Mapping[str, list[str]]

XSPACE = 24
YSPACE = 56
SWEEPS = 2
ORDER_SWEEPS = 4


class _View:
    """The size grandalf reads and the position it writes."""

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


def _components(
    nodes: list[str], edges: list[tuple[str, str]], sizes: Sizes
) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Return the connected components (largest first) and each node's successors."""
    # One link per pair, whichever way, the first one given.
    near: dict[str, list[str]] = {n: [] for n in nodes}
    pairs: set[tuple[str, str]] = set()
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        if a != b and a in sizes and b in sizes:
            pair = (a, b) if a < b else (b, a)
            if pair in pairs:
                continue
            pairs.add(pair)
            near.setdefault(a, []).append(b)
            near.setdefault(b, []).append(a)
            succ.setdefault(a, []).append(b)
    found: set[str] = set()
    components = []
    for n in near:
        if n in found:
            continue
        found.add(n)
        component = [n]
        for m in component:  # grows while it is walked
            for k in near[m]:
                if k not in found:
                    found.add(k)
                    component.append(k)
        components.append(sorted(component))
    return sorted(components, key=lambda c: (-len(c), c[0])), succ


def layout(nodes: list[str], edges: list[tuple[str, str]], sizes: Sizes) -> Positions:
    """Place nodes in layers (Sugiyama); components side by side; top-left origin."""
    groups, succ = _components(nodes, edges, sizes)
    placed: Positions = {}
    x_offset = 0.0
    row_y = 0.0
    row_h = 0.0
    max_row_w = max(1400.0, 3.0 * (len(nodes) ** 0.5) * 60)
    for group in groups:
        if len(group) == 1:
            centres = {group[0]: (sizes[group[0]][0] / 2, sizes[group[0]][1] / 2)}
        else:
            centres = _layered(group, succ, sizes) or _sugiyama(group, succ, sizes)
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


def _sugiyama(group: list[str], succ: Links, sizes: Sizes) -> Positions:
    """Lay out one connected component with grandalf (for components with a cycle)."""
    # Imported here: grandalf imports numpy, which a build whose layouts are all kept from the last
    # one never needs (a fifth of `kb build`'s start-up).
    from grandalf.graphs import Edge, Vertex, graph_core
    from grandalf.layouts import SugiyamaLayout

    vertices = {n: Vertex(n) for n in group}
    for n, v in vertices.items():
        v.view = _View(*sizes[n])
    comp = graph_core(
        list(vertices.values()),
        [Edge(vertices[a], vertices[b]) for a in group for b in succ.get(a, [])],
    )
    sug = SugiyamaLayout(comp)
    sug.xspace, sug.yspace = XSPACE, YSPACE
    roots = [v for v in comp.sV if not v.e_in()]
    sug.init_all(roots=sorted(roots, key=lambda v: v.data) or None)
    sug.draw(3)
    return {n: v.view.xy for n, v in vertices.items()}


class _Layered:
    """One component's layered graph: real nodes plus a dummy on every layer a long link passes."""

    # Each node keeps its links up and down, its size and its layer.

    def __init__(self, group: list[str], sizes: Sizes) -> None:
        self.down: dict[str, list[str]] = {n: [] for n in group}
        self.up: dict[str, list[str]] = {n: [] for n in group}
        self.width = {n: float(sizes[n][0]) for n in group}
        self.height = {n: float(sizes[n][1]) for n in group}
        self.layer_of: dict[str, int] = {}

    def link(self, a: str, b: str, rank: Mapping[str, int]) -> None:
        """Add the link from a down to b, through a dummy on each layer between them."""
        prev = a
        for r in range(rank[a] + 1, rank[b]):
            d = f"\0{a}\0{b}\0{r}"
            self.down[d], self.up[d], self.width[d], self.height[d] = [], [], 2.0, 2.0
            self.layer_of[d] = r
            self.down[prev].append(d)
            self.up[d].append(prev)
            prev = d
        self.down[prev].append(b)
        self.up[b].append(prev)


def _kahn(group: list[str], succ: Links) -> tuple[list[str], dict[str, list[str]], Links] | None:
    """Return the component in topological order, with each node's links; None if it has a cycle."""
    # The links: each node's predecessors and its sorted successors.
    preds: dict[str, list[str]] = {n: [] for n in group}
    kids: dict[str, list[str]] = {}
    for a in group:
        below = kids[a] = sorted(succ.get(a, ()))
        for b in below:
            preds[b].append(a)
    pending = {n: len(preds[n]) for n in group}
    order = [n for n in group if not pending[n]]
    for n in order:  # Kahn's algorithm; `order` grows while it is walked
        for b in kids[n]:
            pending[b] -= 1
            if not pending[b]:
                order.append(b)
    if len(order) < len(group):
        return None
    return order, preds, kids


def _ranks(order: list[str], preds: Links) -> dict[str, int]:
    """Return each node's longest-path layer from the roots."""
    rank: dict[str, int] = {}
    for n in order:
        r = 0
        for p in preds[n]:
            if rank[p] >= r:
                r = rank[p] + 1
        rank[n] = r
    return rank


def _first_layers(order: list[str], rank: Mapping[str, int], graph: _Layered) -> list[list[str]]:
    """Return the first ordering of the layers: depth-first from each root, in name order."""
    layers: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    seen: set[str] = set()
    for root in order:
        if rank[root] or root in seen:
            continue
        stack = [root]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            layers[graph.layer_of[n]].append(n)
            stack.extend(reversed(graph.down[n]))
    return layers


def _layered(group: list[str], succ: Links, sizes: Sizes) -> Positions | None:
    """Lay out one acyclic component in layers in linear time per sweep; None if it has a cycle."""
    # Longest-path layers from the roots, dummy nodes on long links, barycentre ordering sweeps,
    # then each layer's x solved as an order-preserving least-squares fit to its neighbours (pool
    # adjacent violators), which centres a conclusion over its premises without overlaps.
    sorted_ = _kahn(group, succ)
    if sorted_ is None:
        return None
    order, preds, kids = sorted_
    rank = _ranks(order, preds)
    graph = _Layered(group, sizes)
    graph.layer_of.update(rank)
    for a in order:
        for b in kids[a]:
            graph.link(a, b, rank)
    layers = _order(_first_layers(order, rank, graph), graph.up, graph.down)
    x = _xs(layers, graph)
    out: Positions = {}
    top = 0.0
    for layer in layers:
        half = max(graph.height[n] for n in layer) / 2
        for n in layer:
            if n in sizes:
                out[n] = (x[n], top + half)
        top += 2 * half + YSPACE
    return out


def _xs(layers: list[list[str]], graph: _Layered) -> dict[str, float]:
    """Return each node's x: packed left to right, then fitted to its neighbours in sweeps."""
    width = graph.width
    x: dict[str, float] = {}
    offsets: list[list[float]] = []
    for layer in layers:
        cursor = 0.0
        at = []
        for i, n in enumerate(layer):
            if i:
                cursor += (width[layer[i - 1]] + width[n]) / 2 + XSPACE
            x[n] = cursor
            at.append(cursor)
        offsets.append(at)
    downward = list(zip(layers[1:], offsets[1:], strict=True))
    upward = list(zip(layers[-2::-1], offsets[-2::-1], strict=True))
    for _ in range(SWEEPS):
        for layer, at in downward:
            _fit_to(layer, at, graph.up, x)
        for layer, at in upward:
            _fit_to(layer, at, graph.down, x)
    return x


def _crossings(upper: list[str], down: Links, pos: Mapping[str, int]) -> int:
    """Count the crossings between a layer (in order) and the next: inversions of lower ends."""
    seen: list[int] = []
    count = 0
    for a in upper:
        lows = sorted(pos[b] for b in down[a])
        for b in lows:
            count += len(seen) - bisect.bisect_right(seen, b)
        for b in lows:
            bisect.insort(seen, b)
    return count


def _order(layers: list[list[str]], up: Links, down: Links) -> list[list[str]]:
    """Return the layers reordered to few crossings, keeping the best order seen."""
    # Barycentre sweeps, then swaps of neighbours.
    layers, crossings = _sweep(layers, up, down)
    if crossings > 0:
        _swap(layers, up, down)
    return layers


def _sweep(layers: list[list[str]], up: Links, down: Links) -> tuple[list[list[str]], int]:
    """Return the layer order with fewest crossings that barycentre sweeps found, and that count."""
    pos = {n: i for layer in layers for i, n in enumerate(layer)}
    # Links between a layer and the next cross only when both hold two nodes or more.
    pairs = [
        upper
        for upper, lower in zip(layers[:-1], layers[1:], strict=True)
        if len(upper) > 1 and len(lower) > 1
    ]

    def total() -> int:
        """Count the crossings of the layers as they are now."""
        return sum(_crossings(upper, down, pos) for upper in pairs)

    best, best_count = [list(layer) for layer in layers], total()
    # A layer of one node keeps its order: the sweeps sort only the others.
    sweep = [
        *((lay, up) for lay in layers[1:] if len(lay) > 1),
        *((lay, down) for lay in layers[-2::-1] if len(lay) > 1),
    ]
    for _ in range(ORDER_SWEEPS):
        if not best_count:
            break
        before = [list(layer) for layer, _nbrs in sweep]
        for layer, nbrs in sweep:
            keyed = {}
            for n in layer:
                near = nbrs[n]
                keyed[n] = sum([pos[m] for m in near]) / len(near) if near else pos[n]
            layer.sort(key=keyed.__getitem__)
            for i, n in enumerate(layer):
                pos[n] = i
        if all(layer == was for (layer, _nbrs), was in zip(sweep, before, strict=True)):
            break  # a sweep that moves nothing: so would every sweep after it
        count = total()
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    return best, best_count


def _swap(layers: list[list[str]], up: Links, down: Links) -> None:
    """Swap neighbours in each layer while that removes crossings."""
    pos = {n: i for layer in layers for i, n in enumerate(layer)}

    def cost(a: str, b: str) -> int:
        """Count the crossings among a's and b's links while a is left of b."""
        return sum(1 for nbrs in (up, down) for p in nbrs[a] for q in nbrs[b] if pos[p] > pos[q])

    improved = True
    while improved:
        improved = False
        for layer in layers:
            for i in range(len(layer) - 1):
                a, b = layer[i], layer[i + 1]
                if cost(b, a) < cost(a, b):
                    layer[i], layer[i + 1], pos[a], pos[b] = b, a, i + 1, i
                    improved = True


def _mean(values: list[float], default: float) -> float:
    """Return the mean of values, or default when there are none."""
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
    _place(layer, offsets, [want[n] for n in layer], x)


def _fit_to(layer: list[str], offsets: list[float], nbrs: Links, x: dict[str, float]) -> None:
    """_fit with each node wanted at the mean x of its neighbours (its own x if it has none)."""
    if len(layer) == 1:
        n = layer[0]
        near = nbrs[n]
        # sum() of the same values in the same order as _mean: the same floats.
        want = sum([x[m] for m in near]) / len(near) if near else x[n]
        x[n] = (want - offsets[0]) / 1.0 + offsets[0]
        return
    wants = []
    for n in layer:
        near = nbrs[n]
        wants.append(sum([x[m] for m in near]) / len(near) if near else x[n])
    _place(layer, offsets, wants, x)


def _place(layer: list[str], offsets: list[float], want: list[float], x: dict[str, float]) -> None:
    """Set x of a layer's nodes from their offsets apart and wanted x (pool adjacent violators)."""
    if len(layer) == 1:
        x[layer[0]] = (want[0] - offsets[0]) / 1.0 + offsets[0]
        return
    # Isotonic regression of want - offset: blocks of sum and count.
    sums: list[float] = []
    counts: list[float] = []
    for w, off in zip(want, offsets, strict=True):
        total, count = w - off, 1.0
        while sums and sums[-1] * count > total * counts[-1]:
            total += sums.pop()
            count += counts.pop()
        sums.append(total)
        counts.append(count)
    i = 0
    for total, count in zip(sums, counts, strict=True):
        for _ in range(int(count)):
            x[layer[i]] = total / count + offsets[i]
            i += 1
