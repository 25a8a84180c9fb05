"""Build-time SVG: argument maps laid out by grandalf, and small charts."""

from __future__ import annotations

import bisect
import heapq
import math
import textwrap
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
from grandalf.graphs import Edge, Vertex, graph_core
from grandalf.layouts import SugiyamaLayout
from markupsafe import Markup, escape

from kb.load import KnowledgeBase
from kb.model.graph import KBGraph
from kb.site.memo import BuildMemo

if TYPE_CHECKING:
    from kb.site.render import Standings

ARG_TYPES = ("supports", "rebuts", "undercuts", "contradicts", "refines", "equivalent")
# Every link type differs by colour (class), dash pattern and end marker.
EDGE_STYLE = {
    "supports": ("", "arrow", "supports"),
    "rebuts": ("8 5", "bar", "rebuts"),
    "undercuts": ("2 4", "diamond", "undercuts"),
    "contradicts": ("10 4 2 4", "bar", "contradicts"),
    "refines": ("1 3", "open", "refines"),
    "equivalent": ("6 3", "", "is equivalent to"),
}
NODE_W = 200
LINE_CHARS = 28
MAX_LINES = 4
MAX_MAP_NODES = 24
OVERVIEW_W = 150
OVERVIEW_H = 44


_ROUNDED: dict[float, str] = {}


def _r(x: float) -> str:
    """Format a coordinate with at most one decimal (none when whole), for stable output."""
    text = _ROUNDED.get(x)
    if text is None:
        text = f"{x:.1f}"
        if text.endswith(".0"):
            text = text[:-2]
        if text == "-0":
            text = "0"
        # Coordinates repeat from map to map; the cache is bounded for long-running servers.
        if len(_ROUNDED) < 200_000:
            _ROUNDED[x] = text
    return text


class _View:
    """The size grandalf reads and the position it writes."""

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


XSPACE = 24
YSPACE = 56
SWEEPS = 2
ORDER_SWEEPS = 4


def layout(
    nodes: list[str], edges: list[tuple[str, str]], sizes: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Place nodes in layers (Sugiyama); components side by side; top-left origin."""
    near: dict[str, list[str]] = {n: [] for n in nodes}
    pairs: set[tuple[str, str]] = set()
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        if a != b and a in sizes and b in sizes:
            pair = (a, b) if a < b else (b, a)
            if pair in pairs:  # one link per pair, whichever way: the first one given
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
    groups = sorted(components, key=lambda c: (-len(c), c[0]))
    placed: dict[str, tuple[float, float]] = {}
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


def _sugiyama(
    group: list[str], succ: Mapping[str, list[str]], sizes: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Lay out one connected component with grandalf (for components with a cycle)."""
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


def _layered(
    group: list[str], succ: Mapping[str, list[str]], sizes: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]] | None:
    """Lay out one acyclic component in layers in linear time per sweep; None if it has a cycle.

    Longest-path layers from the roots, dummy nodes on long links, barycentre ordering sweeps,
    then each layer's x solved as an order-preserving least-squares fit to its neighbours (pool
    adjacent violators), which centres a conclusion over its premises without overlaps.
    """
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
    rank: dict[str, int] = {}
    for n in order:
        r = 0
        for p in preds[n]:
            if rank[p] >= r:
                r = rank[p] + 1
        rank[n] = r
    # The layered graph: real nodes plus a dummy on every layer a long link passes.
    down: dict[str, list[str]] = {n: [] for n in group}
    up: dict[str, list[str]] = {n: [] for n in group}
    width = {n: float(sizes[n][0]) for n in group}
    height = {n: float(sizes[n][1]) for n in group}
    layer_of = dict(rank)
    for a in order:
        for b in kids[a]:
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
            _fit_to(layer, at, up, x)
        for layer, at in upward:
            _fit_to(layer, at, down, x)
    out: dict[str, tuple[float, float]] = {}
    top = 0.0
    for layer in layers:
        half = max(height[n] for n in layer) / 2
        for n in layer:
            if n in sizes:
                out[n] = (x[n], top + half)
        top += 2 * half + YSPACE
    return out


def _crossings(upper: list[str], down: Mapping[str, list[str]], pos: Mapping[str, int]) -> int:
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


def _order(
    layers: list[list[str]], up: Mapping[str, list[str]], down: Mapping[str, list[str]]
) -> list[list[str]]:
    """Return the layers reordered to few crossings: barycentre sweeps, then swaps of
    neighbours, keeping the best order seen."""
    pos = {n: i for layer in layers for i, n in enumerate(layer)}
    # Links between a layer and the next cross only when both hold two nodes or more.
    pairs = [
        upper
        for upper, lower in zip(layers[:-1], layers[1:], strict=True)
        if len(upper) > 1 and len(lower) > 1
    ]

    def total() -> int:
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
    _place(layer, offsets, [want[n] for n in layer], x)


def _fit_to(
    layer: list[str], offsets: list[float], nbrs: Mapping[str, list[str]], x: dict[str, float]
) -> None:
    """_fit with each node wanted at the mean x of its neighbours (its own x if it has none)."""
    if len(layer) == 1:
        n = layer[0]
        near = nbrs[n]
        # sum() of the same values in the same order as _mean: the same floats.
        want = sum([x[m] for m in near]) / len(near) if near else x[n]
        x[n] = (want - offsets[0]) / 1.0 + offsets[0]
        return
    want = []
    for n in layer:
        near = nbrs[n]
        want.append(sum([x[m] for m in near]) / len(near) if near else x[n])
    _place(layer, offsets, want, x)


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


_LAYOUT_MEMO: dict[tuple, dict[str, tuple[float, float]]] = {}


def force_layout(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Place many nodes with networkx's seeded force-directed layout, scaled to pixels.

    The last layout is kept: an edit that changes no link (the usual save under `kb serve`)
    reuses it instead of laying out a thousand claims again.
    """
    key = (tuple(nodes), tuple(sorted(edges)))
    if key not in _LAYOUT_MEMO:
        _LAYOUT_MEMO.clear()
        _LAYOUT_MEMO[key] = _force_layout(nodes, edges)
    return _LAYOUT_MEMO[key]


def _claim_links(claims: set[str], graph: KBGraph) -> Iterable[tuple[str, str, str, dict]]:
    """Yield the argumentative links between claims (from, to, id, data), in no set order.

    The same links as _map_edges over every claim, read from the graph's own dict of
    successors (networkx's documented _succ): its views cost more than the rest of the map.
    """
    succ = graph.g._succ
    for u in claims:
        for v, keyed in succ.get(u, {}).items():
            if v != u and v in claims:
                for key, data in keyed.items():
                    if data.get("type") in ARG_TYPES:
                        yield u, v, key, data


def overview_edges(kb: KnowledgeBase, graph: KBGraph) -> list[dict[str, Any]]:
    """Return the links the whole-debate map draws: supports and attacks, then undercuts."""
    edges = sorted(
        (
            {"from": u, "to": v, "type": d["type"], "id": key, "target": d.get("target")}
            for u, v, key, d in _claim_links(set(kb.claims), graph)
        ),
        key=lambda e: (e["id"], e["from"], e["to"]),
    )
    return [e for e in edges if e["type"] != "undercuts"] + [
        e for e in edges if e["type"] == "undercuts"
    ]


def _force_layout(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    return _spring(nodes, edges)


# Below this many nodes networkx's own force layout is used (the bundled content's look); from
# here on networkx loops over the nodes in Python (6 s at 1,000), so the same steps run on arrays.
DENSE_SPRING_FROM = 500
SPRING_ITERATIONS = 40


def _spring(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    if len(nodes) < 2:
        return {n: (0.0, 0.0) for n in nodes}
    if len(nodes) >= DENSE_SPRING_FROM:
        xs, ys = _dense_spring(nodes, edges)
    else:
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from((a, b) for a, b in edges if a != b)
        raw = nx.spring_layout(g, seed=7, iterations=SPRING_ITERATIONS, method="force")
        xs = [float(raw[n][0]) for n in nodes]
        ys = [float(raw[n][1]) for n in nodes]
    span = 110.0 * len(nodes) ** 0.5
    x0, y0 = min(xs), min(ys)
    w, h = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    return {
        n: (round((x - x0) / w * span, 1), round((y - y0) / h * span, 1))
        for n, x, y in zip(nodes, xs, ys, strict=True)
    }


def _dense_spring(
    nodes: list[str], edges: list[tuple[str, str]]
) -> tuple[list[float], list[float]]:
    """Return networkx's seeded Fruchterman-Reingold positions, every node's step at once.

    The same arithmetic as networkx's per-node loop (float32 positions, float64 forces), so
    the positions agree with it to rounding.
    """
    import numpy as np

    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    adjacency = np.zeros((n, n), dtype=np.float32)
    for a, b in edges:
        if a != b and a in index and b in index:
            adjacency[index[a], index[b]] = adjacency[index[b], index[a]] = 1.0
    pos = np.random.RandomState(7).rand(n, 2).astype(np.float32)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    k = np.sqrt(1.0 / n)
    t = max(x.max() - x.min(), y.max() - y.min()) * 0.1
    dt = t / (SPRING_ITERATIONS + 1)
    for _ in range(SPRING_ITERATIONS):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        dist = np.sqrt(dx * dx + dy * dy)
        np.maximum(dist, np.float32(0.01), out=dist)
        force = k * k / dist**2
        force -= adjacency * dist / k
        ux, uy = (dx * force).sum(axis=1), (dy * force).sum(axis=1)
        length = np.maximum(np.sqrt(ux * ux + uy * uy), 0.01)
        sx, sy = ux * t / length, uy * t / length
        x += sx
        y += sy
        t -= dt
        if np.sqrt((sx * sx).sum() + (sy * sy).sum()) / n < 1e-4:
            break
    return [float(v) for v in x], [float(v) for v in y]


def _markers(prefix: str) -> str:
    """Return the arrowhead, bar, diamond and open-arrow markers of a map."""
    return (
        "<defs>"
        f'<marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" orient="auto-start-reverse" class="mk mk-supports">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker>'
        f'<marker id="{prefix}-bar" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="10" '
        'markerHeight="10" orient="auto" class="mk mk-rebuts"><path d="M6,0 H10 V10 H6 z"/>'
        '<path d="M0,2 L5,5 L0,8 z"/></marker>'
        f'<marker id="{prefix}-diamond" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        'markerHeight="10" orient="auto" class="mk mk-undercuts">'
        '<path d="M0,5 L5,0 L10,5 L5,10 z"/></marker>'
        f'<marker id="{prefix}-open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" orient="auto" class="mk mk-refines">'
        '<path d="M0,0 L10,5 L0,10" fill="none" stroke-width="1.5"/></marker>'
        "</defs>"
    )


def legend() -> Markup:
    """Return the HTML legend of link styles, shared by every map."""
    items = []
    for kind, (dash, _marker, verb) in EDGE_STYLE.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<li><svg width="44" height="12" aria-hidden="true" focusable="false">'
            f'<line x1="2" y1="6" x2="40" y2="6" class="edge e-{kind}"{dash_attr}/></svg>'
            f"{escape(verb)}</li>"
        )
    return Markup('<ul class="legend">' + "".join(items) + "</ul>")


# A claim's label appears on every map around it: it is wrapped once per process.
_WRAPPED: dict[str, tuple[str, ...]] = {}


def _wrap(text: str) -> tuple[str, ...]:
    """Return a label's lines: at most MAX_LINES of LINE_CHARS, an ellipsis when cut."""
    found = _WRAPPED.get(text)
    if found is None:
        words = text.split()
        if "-" in text or any(len(w) > LINE_CHARS for w in words):
            lines = textwrap.wrap(" ".join(words), LINE_CHARS) or [""]
        else:
            lines = _fill(words) or [""]
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES]
            lines[-1] = lines[-1][: LINE_CHARS - 1].rstrip() + "…"
        found = _WRAPPED[text] = tuple(lines)
    return found


def _fill(words: list[str]) -> list[str]:
    """Return textwrap.wrap(" ".join(words), LINE_CHARS) for words without hyphens, none longer
    than a line: greedy filling, which is what textwrap does then, at a fraction of its cost."""
    lines: list[str] = []
    line = ""
    for w in words:
        if not line:
            line = w
        elif len(line) + 1 + len(w) <= LINE_CHARS:
            line += " " + w
        else:
            lines.append(line)
            line = w
    if line:
        lines.append(line)
    return lines


def _edge_path(
    a: tuple[float, float],
    b: tuple[float, float],
    size_a: tuple[float, float],
    size_b: tuple[float, float],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return the end points of a line between two boxes, clipped to their borders."""

    def clip(
        p: tuple[float, float], q: tuple[float, float], size: tuple[float, float]
    ) -> tuple[float, float]:
        dx, dy = q[0] - p[0], q[1] - p[1]
        if dx == 0 and dy == 0:
            return p
        w, h = size[0] / 2 + 3, size[1] / 2 + 3
        t = min(w / abs(dx) if dx else 1e9, h / abs(dy) if dy else 1e9)
        return (p[0] + dx * t, p[1] + dy * t)

    return clip(a, b, size_a), clip(b, a, size_b)


def _map_edges(kb: KnowledgeBase, graph: KBGraph, nodes: set[str]) -> list[dict[str, Any]]:
    """Return the argumentative links among nodes: from the premise to what it bears on."""
    out = []
    for n in nodes:
        if n not in graph.g:
            continue
        for u, v, key, data in graph.g.out_edges(n, keys=True, data=True):
            t = data.get("type")
            if t in ARG_TYPES and v in nodes and u != v:
                out.append({"from": u, "to": v, "type": t, "id": key, "target": data.get("target")})
    return sorted(out, key=lambda e: e["id"])


def _node_class(kb: KnowledgeBase, nid: str, standings: Standings, focus: str | None) -> str:
    if nid in kb.evidence:
        return "node evidence"
    label = standings.of(nid).label
    return f"node claim st-{label}" + (" focus" if nid == focus else "")


def argument_map(
    kb: KnowledgeBase,
    graph: KBGraph,
    nodes: list[str],
    standings: Standings,
    *,
    focus: str | None = None,
    prefix: str = "m",
    root: str = "../",
    label: str = "Argument map",
) -> Markup:
    """Return an SVG argument map of the given claims and evidence."""
    node_set = set(nodes)
    edges = _local_edges(graph, node_set)
    memo = _drawn(graph, standings)
    drawn: dict[str, tuple[str, str, str, bool]] = {}
    sizes: dict[str, tuple[float, float]] = {}
    for n in nodes:
        # Drawn once per build; a map that reuses it still records the records it read.
        drawn[n], h = memo.get((n, root), lambda n=n: _draw_node(kb, standings, n, root))
        sizes[n] = (NODE_W, h)
    # Conclusions above their premises: lay out from what is supported to what supports it.
    pos = layout(nodes, [(e["to"], e["from"]) for e in edges], sizes)
    width = max((pos[n][0] + sizes[n][0] / 2 for n in nodes), default=0) + 10
    height = max((pos[n][1] + sizes[n][1] / 2 for n in nodes), default=0) + 10
    parts = [
        f'<svg class="argmap" id="{prefix}" viewBox="-10 -10 {_r(width + 10)} {_r(height + 10)}" '
        f'width="{_r(width + 10)}" height="{_r(height + 10)}" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        _markers(prefix),
    ]
    lines = _arg_index(graph).lines
    mids: dict[str, tuple[float, float]] = {}
    edge_parts = []
    for e in edges:
        if e["type"] == "undercuts":
            continue
        a, b = _edge_path(pos[e["from"]], pos[e["to"]], sizes[e["from"]], sizes[e["to"]])
        mids[e["id"]] = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        edge_parts.append(_line(lines, e, a, b, prefix))
    for e in edges:
        if e["type"] != "undercuts":
            continue
        target = mids.get(e["target"] or "")
        if target is None:
            a, b = _edge_path(pos[e["from"]], pos[e["to"]], sizes[e["from"]], sizes[e["to"]])
        else:
            a, b = _edge_path(pos[e["from"]], target, sizes[e["from"]], (0, 0))
        edge_parts.append(_line(lines, e, a, b, prefix))
    parts.append('<g class="edges">' + "".join(edge_parts) + "</g>")
    for n in sorted(nodes):
        x, y = pos[n]
        head, cls, tail, focusable = drawn[n]
        # Each node is drawn about its centre and moved into place: its body is the same on
        # every map, so it is built once.
        focused = " focus" if focusable and n == focus else ""
        parts.append(f'{head}class="{cls}{focused}" transform="translate({_r(x)} {_r(y)})">{tail}')
    parts.append("</svg>")
    return Markup("".join(parts))


def _draw_node(
    kb: KnowledgeBase, standings: Standings, n: str, root: str
) -> tuple[tuple[str, str, str, bool], float]:
    """Return a node's opening tag up to its class, its class, what follows its transform and
    whether it can be the focus; and its height."""
    if n in kb.evidence:
        ev = kb.evidence[n]
        text = ev.summary or ev.quote
        inner, h = _node_body(text, "Evidence: " + text, False)
        href = f"{root}source/{ev.source}.html" if ev.source in kb.sources else None
    elif n in kb.claims:
        text = kb.claims[n].text
        inner, h = _node_body(text, text, True)
        href = f"{root}claim/{n}.html"
    else:
        inner, h = _node_body(n, _wrap(n)[0], False)
        href = None
    cls = _node_class(kb, n, standings, None)
    focusable = cls != "node evidence"
    if href:
        return (f'<a href="{escape(href)}" ', cls, f"{inner}</a>", focusable), h
    return ("<g ", cls, f"{inner}</g>", focusable), h


def _line(
    lines: dict[tuple[str, str], tuple[str, str]],
    e: dict[str, Any],
    a: tuple[float, float],
    b: tuple[float, float],
    prefix: str,
) -> str:
    """Return _edge_svg(e, a, b, prefix, ends=False), its fixed parts made once per link."""
    key = (e["id"], prefix)
    found = lines.get(key)
    if found is None:
        dash, marker, verb = EDGE_STYLE[e["type"]]
        attrs = f' stroke-dasharray="{dash}"' if dash else ""
        if marker:
            attrs += f' marker-end="url(#{prefix}-{marker})"'
        if e["type"] in ("contradicts", "equivalent") and marker:
            attrs += f' marker-start="url(#{prefix}-{marker})"'
        found = lines[key] = (
            f'<line class="edge e-{e["type"]}" x1="',
            f'"{attrs}><title>{escape(verb)}</title></line>',
        )
    return f'{found[0]}{_r(a[0])}" y1="{_r(a[1])}" x2="{_r(b[0])}" y2="{_r(b[1])}{found[1]}'


_BODIES: dict[tuple[str, str, bool], tuple[str, float]] = {}
DY = ' dy="15"'
RX = ' rx="8"'


def _node_body(text: str, full: str, rounded: bool) -> tuple[str, float]:
    """Return a node's title, box and wrapped label drawn about (0, 0), and its height."""
    key = (text, full, rounded)
    found = _BODIES.get(key)
    if found is None:
        lines = _wrap(text)
        h = 16 + 15 * len(lines)
        tspans = "".join(
            f'<tspan x="0"{DY if i else ""}>{escape(line)}</tspan>' for i, line in enumerate(lines)
        )
        found = _BODIES[key] = (
            f"<title>{escape(full)}</title>"
            f'<rect x="{_r(-NODE_W / 2)}" y="{_r(-h / 2)}" width="{NODE_W}" height="{h}"'
            f"{RX if rounded else ''}/>"
            f'<text y="{_r(-h / 2 + 20)}">{tspans}</text>',
            float(h),
        )
    return found


def _edge_svg(
    e: dict[str, Any],
    a: tuple[float, float],
    b: tuple[float, float],
    prefix: str,
    *,
    ends: bool = True,
) -> str:
    """Return a link's line; with ends, its data-from and data-to for the map's highlighting."""
    dash, marker, verb = EDGE_STYLE[e["type"]]
    attrs = f' stroke-dasharray="{dash}"' if dash else ""
    if marker:
        attrs += f' marker-end="url(#{prefix}-{marker})"'
    if e["type"] in ("contradicts", "equivalent") and marker:
        attrs += f' marker-start="url(#{prefix}-{marker})"'
    data = f' data-from="{escape(e["from"])}" data-to="{escape(e["to"])}"' if ends else ""
    return (
        f'<line class="edge e-{e["type"]}" x1="{_r(a[0])}" y1="{_r(a[1])}" x2="{_r(b[0])}" '
        f'y2="{_r(b[1])}"{attrs}{data}>'
        f"<title>{escape(e['from'])} {escape(verb)} {escape(e['to'])}</title></line>"
    )


class _ArgIndex:
    """A graph's argumentative links by the node they leave, and each node's neighbours."""

    def __init__(self, g: Any) -> None:
        self.out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.near: dict[str, set[str]] = {}
        # What maps draw of each node and link, once per build: the graph is made per build.
        self.drawn: dict[int, tuple[Any, BuildMemo]] = {}
        self.lines: dict[tuple[str, str], tuple[str, str]] = {}
        kinds = {"claim", "evidence"}
        for u, v, key, data in g.edges(keys=True, data=True):
            t = data.get("type")
            if t not in ARG_TYPES or u == v:
                continue
            edge = {"from": u, "to": v, "type": t, "id": key, "target": data.get("target")}
            self.out.setdefault(u, []).append((v, edge))
            # As KBGraph.neighbourhood: only claims and evidence count as neighbours.
            if g.nodes[v].get("kind") in kinds:
                self.near.setdefault(u, set()).add(v)
            if g.nodes[u].get("kind") in kinds:
                self.near.setdefault(v, set()).add(u)


# One index per graph (KBGraph.g), made on first use: each map then reads its links in time
# proportional to its own nodes instead of walking networkx's edge views.
_INDEXES: weakref.WeakKeyDictionary[Any, _ArgIndex] = weakref.WeakKeyDictionary()
_NONE: set[str] = set()


def _arg_index(graph: KBGraph) -> _ArgIndex:
    g = graph.g
    found = _INDEXES.get(g)
    if found is None:
        found = _INDEXES[g] = _ArgIndex(g)
    return found


def _drawn(graph: KBGraph, standings: Standings) -> BuildMemo:
    """Return the memo of drawn nodes for this graph and these standings."""
    index = _arg_index(graph)
    found = index.drawn.get(id(standings))
    if found is None:  # the standings are kept with it, so that their id stays theirs
        found = index.drawn[id(standings)] = (standings, BuildMemo())
    return found[1]


def _local_edges(graph: KBGraph, nodes: set[str]) -> list[dict[str, Any]]:
    """Return what _map_edges does for a few nodes, from the graph's index."""
    out = _arg_index(graph).out
    found = [e for n in nodes for v, e in out.get(n, ()) if v in nodes]
    return sorted(found, key=lambda e: e["id"])


def _limit(graph: KBGraph, start: Iterable[str], depth: int, limit: int) -> list[str]:
    """Return nodes within depth links of start, nearest first, at most limit of them.

    Every node whose neighbours are read here is in the result, so a page that draws the map
    (and so looks each node up in the KB) records reading it for incremental builds.
    """
    near = _arg_index(graph).near
    seen = list(dict.fromkeys(start))
    seen_set = set(seen)
    frontier = list(seen)
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            nxt |= near.get(n, _NONE)
        nxt -= seen_set
        ordered = sorted(nxt)
        room = limit - len(seen)
        if room <= 0:
            break
        seen += ordered[:room]
        seen_set.update(ordered[:room])
        frontier = ordered[:room]
    return seen


def _bearing(graph: KBGraph, cid: str, limit: int) -> list[str]:
    """Return a claim, what it is linked to, and what bears on the claims that bear on it (two
    levels, as on its page), at most limit of them: not the other premises of what it bears on,
    which are that claim's story, a link away."""
    index = _arg_index(graph)
    near = index.near.get(cid, _NONE)
    first = sorted(near)[: limit - 1]
    seen = [cid, *first]
    found = set(seen)
    for n in first:
        if not any(v == cid for v, _ in index.out.get(n, ())):
            continue  # the claim bears on n: n's own premises are not this claim's
        for m in sorted(index.near.get(n, _NONE) - found):
            if len(seen) >= limit:
                return seen
            if any(v == n for v, _ in index.out.get(m, ())):
                seen.append(m)
                found.add(m)
    return seen


def claim_map(kb: KnowledgeBase, graph: KBGraph, cid: str, standings: Standings) -> Markup:
    """Return the SVG map of a claim: what it bears on above it, what bears on it below, and
    what bears on those."""
    nodes = _bearing(graph, cid, MAX_MAP_NODES)
    return argument_map(
        kb, graph, nodes, standings, focus=cid, prefix="cm", label="Argument map around this claim"
    )


SIDE_SHAPES = {"pro": "circle", "con": "square", "mixed": "diamond", "none": "dot"}


def overview_map(
    kb: KnowledgeBase,
    graph: KBGraph,
    claim_sides: Mapping[str, list[tuple[str, str]]],
    standings: Standings,
) -> Markup:
    """Return the whole-debate map: every claim a small labelled shape, every link a line."""
    nodes = sorted(kb.claims)
    links = overview_edges(kb, graph)
    pos = force_layout(nodes, [(e["from"], e["to"]) for e in links])
    width = max((p[0] for p in pos.values()), default=0) + OVERVIEW_W
    height = max((p[1] for p in pos.values()), default=0) + OVERVIEW_H
    parts = [
        f'<svg class="argmap overview" id="overview" viewBox="-20 -20 {_r(width + 40)} '
        f'{_r(height + 40)}" aria-label="Map of every claim and link" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMin meet">',
        _markers("ov"),
        '<g class="viewport">',
        '<g class="edges">',
    ]
    for e in links:
        a, b = pos[e["from"]], pos[e["to"]]
        a, b = _edge_path(a, b, (14, 14), (14, 14))
        parts.append(_edge_svg(e, a, b, "ov"))
    parts.append("</g>")
    for n in nodes:
        x, y = pos[n]
        sides = claim_sides.get(n, [])
        side_set = sorted({s for _, s in sides})
        side = side_set[0] if len(side_set) == 1 else ("mixed" if side_set else "none")
        shape = _shape(SIDE_SHAPES[side], x, y)
        label = kb.claims[n].text
        short = label if len(label) <= 26 else label[:25].rstrip() + "…"
        claim = kb.claims[n]
        parts.append(
            f'<a href="claim/{escape(n)}.html" class="node claim st-{standings.of(n).label} '
            f'side-{side}" data-id="{escape(n)}" data-q="{escape(" ".join(q for q, _ in sides))}" '
            f'data-tags="{escape(" ".join(claim.tags))}" '
            f'data-side="{escape(" ".join(side_set) or "none")}">'
            f"<title>{escape(label)}</title>{shape}"
            f'<text x="{_r(x)}" y="{_r(y + 22)}" text-anchor="middle">{escape(short)}</text></a>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _shape(kind: str, x: float, y: float) -> str:
    if kind == "circle":
        return f'<circle cx="{_r(x)}" cy="{_r(y)}" r="8"/>'
    if kind == "square":
        return f'<rect x="{_r(x - 7)}" y="{_r(y - 7)}" width="14" height="14"/>'
    if kind == "diamond":
        points = (
            f"M{_r(x)},{_r(y - 9)} L{_r(x + 9)},{_r(y)} L{_r(x)},{_r(y + 9)} L{_r(x - 9)},{_r(y)}"
        )
        return f'<path d="{points} z"/>'
    return f'<circle cx="{_r(x)}" cy="{_r(y)}" r="5"/>'


# The map of questions -----------------------------------------------------------------------

# Past this many claims a map of every claim is neither legible nor light (7 MB at 10,000): the
# whole-debate map then draws each question as one disc, its links to other questions as lines.
GROUP_MAP_ABOVE = 2_000
# Beyond a thousand lines between questions the map is a tangle: the heaviest are drawn.
MAX_GROUP_LINKS = 1_000
ATTACK_TYPES = ("rebuts", "contradicts", "undercuts")
GROUP_SIDES = ("pro", "con", "mixed", "none")
GROUP_LABELS = ("accepted", "defensible", "undecided", "rejected")
GROUP_LABEL_CHARS = 24
GROUP_LABEL_LINES = 2
GROUP_LABEL_W = 170.0  # a label's width at 11px, GROUP_LABEL_CHARS wide
GROUP_LABEL_H = 34.0  # a label's two lines below its disc
GROUP_GAP = 14.0
# The most attacked groups (per claim) are ringed: the top 5% thickest, then the next 10% and 20%.
HEAT_SHARES = (0.05, 0.10, 0.20)
MOST_CONTESTED = 12


def group_radius(claims: int) -> float:
    """Return a question's disc radius: its area grows with its number of claims."""
    return round(6.0 + 4.0 * claims**0.5, 1)


def overview_groups(
    kb: KnowledgeBase,
    graph: KBGraph,
    claim_sides: Mapping[str, list[tuple[str, str]]],
    standings: Standings,
    hrefs: Mapping[str, Callable[[str], str]],
) -> dict[str, Any]:
    """Return the question map: every claim in one group, groups' counts, links and places.

    A claim belongs to the first question it answers; a claim answering none to its first tag;
    one with neither to a last group. Each group links to the page listing all its claims
    (hrefs["question"], hrefs["tag"], hrefs["claims"]), so that every claim is two clicks away.
    Only plain data: the incremental builder compares it between builds, and a map drawn from
    it alone is not re-rendered when a statement changes.
    """
    member: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for cid in sorted(kb.claims):
        sides = claim_sides.get(cid)
        tags = kb.claims[cid].tags
        if sides:
            qid, side = sides[0]
            gid = "q:" + qid
        else:
            side = "none"
            gid = "t:" + min(tags) if tags else "other"
        group = groups.get(gid)
        if group is None:
            if sides:
                kind, title, href = "question", kb.questions[qid].title, hrefs["question"](qid)
            elif tags:
                tag = gid[2:]
                kind, title, href = "tag", f"Tagged {tag}, on no question", hrefs["tag"](tag)
            else:
                kind, title, href = "other", "On no question and untagged", hrefs["claims"]("")
            group = groups[gid] = {
                "id": gid,
                "kind": kind,
                "title": title,
                "href": href,
                "claims": 0,
                "sides": dict.fromkeys(GROUP_SIDES, 0),
                "labels": dict.fromkeys(GROUP_LABELS, 0),
                "attacks_in": 0,
                "supports_in": 0,
                "inner": 0,
            }
        member[cid] = gid
        group["claims"] += 1
        group["sides"][side if side in GROUP_SIDES else "none"] += 1
        label = standings.of(cid).label
        if label in group["labels"]:
            group["labels"][label] += 1
    pairs: dict[tuple[str, str], list[int]] = {}
    links = 0
    # Only counts are kept, so the links are read in any order.
    for u, v, _, data in _claim_links(set(member), graph):
        a, b = member[u], member[v]
        t = data["type"]
        links += 1
        if t in ATTACK_TYPES:
            groups[b]["attacks_in"] += 1
        elif t == "supports":
            groups[b]["supports_in"] += 1
        if a == b:
            groups[a]["inner"] += 1
            continue
        # One line per pair of groups: supports, attacks and other links, each way.
        key, way = ((a, b), 0) if a < b else ((b, a), 3)
        counts = pairs.get(key)
        if counts is None:
            counts = pairs[key] = [0] * 6
        counts[way + (0 if t == "supports" else 1 if t in ATTACK_TYPES else 2)] += 1
    heaviest = heapq.nsmallest(
        MAX_GROUP_LINKS, pairs.items(), key=lambda kv: (-sum(kv[1]), -kv[1][1] - kv[1][4], kv[0])
    )
    drawn = sorted(heaviest)
    order = _group_order(groups, pairs)
    places, width, height = _shelf_pack(order, groups)
    heats = _heats(groups.values())
    for gid, (x, y) in places.items():
        groups[gid]["x"], groups[gid]["y"] = x, y
        groups[gid]["r"] = group_radius(groups[gid]["claims"])
        groups[gid]["heat"] = heats[gid]
    return {
        "claims": len(member),
        "links": links,
        "pairs": len(pairs),
        "groups": [groups[g] for g in sorted(groups)],
        "edges": [(a, b, tuple(c)) for (a, b), c in drawn],
        "width": width,
        "height": height,
    }


def _group_order(
    groups: Mapping[str, Mapping[str, Any]], pairs: Mapping[tuple[str, str], list[int]]
) -> list[str]:
    """Return the groups in breadth-first order from the largest, heaviest links first, so that
    linked groups come close in the order and so on the map."""
    weight: dict[str, dict[str, int]] = {g: {} for g in groups}
    for (a, b), counts in pairs.items():
        weight[a][b] = weight[b][a] = sum(counts)
    by_size = sorted(groups, key=lambda g: (-groups[g]["claims"], g))
    seen: set[str] = set()
    order: list[str] = []
    for start in by_size:
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        for g in queue:  # grows while it is walked
            order.append(g)
            nbrs = sorted(
                weight[g].items(), key=lambda kv: (-kv[1], -groups[kv[0]]["claims"], kv[0])
            )
            for other, _ in nbrs:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return order


def _group_width(group: Mapping[str, Any]) -> float:
    """Return the width a group's disc and label take, gap included."""
    return max(2 * group_radius(group["claims"]), GROUP_LABEL_W) + GROUP_GAP


def _shelf_pack(
    order: list[str], groups: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Place groups in rows, in order, every other row right to left so that neighbours in the
    order stay neighbours on the map; no two cells overlap. Return the disc centres and size."""
    cells = {g: _group_width(groups[g]) for g in order}
    area = sum(
        w * (2 * group_radius(groups[g]["claims"]) + GROUP_LABEL_H + GROUP_GAP)
        for g, w in cells.items()
    )
    # Wider than high, as screens are.
    row_w = max(max(cells.values(), default=0.0), 1.6 * area**0.5)
    rows: list[list[str]] = [[]]
    used = 0.0
    for g in order:
        if rows[-1] and used + cells[g] > row_w:
            rows.append([])
            used = 0.0
        rows[-1].append(g)
        used += cells[g]
    width = max(sum(cells[g] for g in row) for row in rows) if order else 0.0
    places: dict[str, tuple[float, float]] = {}
    top = 0.0
    for i, row in enumerate(rows):
        r_max = max((group_radius(groups[g]["claims"]) for g in row), default=0.0)
        left = 0.0
        for g in row:
            w = cells[g]
            x = left + w / 2 if i % 2 == 0 else width - left - w / 2
            places[g] = (round(x, 1), round(top + r_max + GROUP_GAP / 2, 1))
            left += w
        top += 2 * r_max + GROUP_LABEL_H + GROUP_GAP
    return places, round(width, 1), round(top, 1)


SIDE_WORDS = {"pro": "yes", "con": "no", "mixed": "mixed", "none": "on no side"}


def group_map(model: Mapping[str, Any]) -> Markup:
    """Return the map of questions: a disc per group of claims, sized by its claims, cut by the
    sides they take and ringed by the attacks they receive; a line per linked pair of groups."""
    groups = {g["id"]: g for g in model["groups"]}
    width, height = model["width"], model["height"]
    parts = [
        f'<svg class="argmap overview groups" id="overview" viewBox="-20 -20 {_r(width + 40)} '
        f'{_r(height + 40)}" aria-label="Map of the questions and the links between them" '
        'data-unit="groups" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="xMidYMin meet">',
        '<g class="viewport">',
        '<g class="edges">',
    ]
    for a, b, counts in model["edges"]:
        parts.append(_group_link(groups[a], groups[b], counts))
    parts.append("</g>")
    for g in model["groups"]:
        parts.append(_group_node(g))
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _group_name(gid: str) -> str:
    """Return how a link's title names a group: the question's ID, #tag, or other."""
    if gid.startswith("q:"):
        return gid[2:]
    return "#" + gid[2:] if gid.startswith("t:") else gid


def _plural(n: int, word: str) -> str:
    """Return a count and its noun, in the plural unless it is one."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _counted(counts: Iterable[int]) -> str:
    """Return the non-zero counts of supports, attacks and other links, in words."""
    sup, att, other = counts
    words = [
        _plural(n, word)
        for n, word in ((sup, "support"), (att, "attack"), (other, "other link"))
        if n
    ]
    return ", ".join(words)


def _group_link(a: Mapping[str, Any], b: Mapping[str, Any], counts: tuple[int, ...]) -> str:
    """Return the curved line between two groups: coloured by the kind most of its claim links
    are, as thick as they are many, its title counting them each way."""
    sup, att, other = counts[0] + counts[3], counts[1] + counts[4], counts[2] + counts[5]
    kind = "rebuts" if att >= max(sup, other) else "supports" if sup >= other else "refines"
    total = sup + att + other
    weight = 1 if total < 2 else 2 if total < 4 else 3 if total < 10 else 4
    (xa, ya, ra), (xb, yb, rb) = (a["x"], a["y"], a["r"]), (b["x"], b["y"], b["r"])
    dx, dy = xb - xa, yb - ya
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    # Bowed a little to one side, so that a line passing a disc is told from one ending there.
    cx, cy = (xa + xb) / 2 - uy * length * 0.12, (ya + yb) / 2 + ux * length * 0.12
    x1, y1 = xa + ux * (ra + 2), ya + uy * (ra + 2)
    x2, y2 = xb - ux * (rb + 2), yb - uy * (rb + 2)
    ways = []
    for (src, dst), part in (((a, b), counts[:3]), ((b, a), counts[3:])):
        if any(part):
            ways.append(f"{_group_name(src['id'])} → {_group_name(dst['id'])}: {_counted(part)}")
    return (
        f'<path class="edge e-{kind} w{weight}" d="M{_r(x1)} {_r(y1)}Q{_r(cx)} {_r(cy)} '
        f'{_r(x2)} {_r(y2)}" data-from="{escape(a["id"])}" data-to="{escape(b["id"])}">'
        f"<title>{escape('; '.join(ways))}</title></path>"
    )


def _heats(groups: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Return how contested each group is, 0 to 3, by its rank in attacks received per claim:
    the top HEAT_SHARES of the attacked groups get 3, 2 and 1; equal rates get equal heat."""
    rates = {g["id"]: g["attacks_in"] / g["claims"] for g in groups}
    ranked = sorted((r for r in rates.values() if r > 0), reverse=True)
    floors = []
    share = 0.0
    for step in HEAT_SHARES:  # the lowest rate within each top share
        share += step
        floors.append(ranked[max(0, math.ceil(share * len(ranked)) - 1)] if ranked else 1.0)
    return {
        gid: sum(1 for floor in floors if 0 < floor <= rate) if rate > 0 else 0
        for gid, rate in rates.items()
    }


def _group_node(g: Mapping[str, Any]) -> str:
    """Return a group's disc (a pie of the sides its claims take), ring and two-line label,
    drawn about (0, 0) and moved into place."""
    x, y, r, n = g["x"], g["y"], g["r"], g["claims"]
    sides = ", ".join(f"{g['sides'][s]} {SIDE_WORDS[s]}" for s in GROUP_SIDES if g["sides"][s])
    labels = ", ".join(f"{g['labels'][s]} {s}" for s in GROUP_LABELS if g["labels"][s])
    about = (
        f"{g['title']}: {_plural(n, 'claim')} ({sides}); {labels}; "
        f"{_plural(g['attacks_in'], 'attack')} and {_plural(g['supports_in'], 'support')} received"
    )
    lines = textwrap.wrap(" ".join(g["title"].split()), GROUP_LABEL_CHARS) or [""]
    if len(lines) > GROUP_LABEL_LINES:
        lines = lines[:GROUP_LABEL_LINES]
        lines[-1] = lines[-1][: GROUP_LABEL_CHARS - 1].rstrip() + "…"
    text = "".join(
        f'<text y="{_r(r + 13 + 13 * i)}">{escape(line)}</text>' for i, line in enumerate(lines)
    )
    heat = g["heat"]
    # A calm group needs no ring: most groups, so most of the map's bytes.
    ring = f'<circle class="ring" r="{_r(r)}"/>' if heat else ""
    return (
        f'<a href="{escape(g["href"])}" class="node grp heat-{heat}" data-id="{escape(g["id"])}" '
        f'transform="translate({_r(x)} {_r(y)})"><title>{escape(about)}</title>'
        f"{_pie(r, [(s, g['sides'][s]) for s in GROUP_SIDES])}{ring}{text}</a>"
    )


def _pie(r: float, parts: list[tuple[str, int]]) -> str:
    """Return a pie about (0, 0) of the parts, clockwise from the top; one part alone is a disc."""
    total = sum(n for _, n in parts)
    shown = [(name, n) for name, n in parts if n]
    if len(shown) == 1:
        return f'<circle class="s-{shown[0][0]}" r="{_r(r)}"/>'
    out = []
    done = 0
    for name, n in shown:
        a0 = 2 * math.pi * done / total - math.pi / 2
        done += n
        a1 = 2 * math.pi * done / total - math.pi / 2
        large = 1 if a1 - a0 > math.pi else 0
        out.append(
            f'<path class="s-{name}" d="M0 0L{_r(r * math.cos(a0))} {_r(r * math.sin(a0))}'
            f'A{_r(r)} {_r(r)} 0 {large} 1 {_r(r * math.cos(a1))} {_r(r * math.sin(a1))}z"/>'
        )
    return "".join(out)


# Charts ----------------------------------------------------------------------------------------


def balance_chart(
    questions: list[dict[str, Any]], standings: Standings, compact: bool = False
) -> Markup:
    """Return a stacked bar per question, its title above: claims answering yes, mixed and no."""
    if not questions:
        return Markup("")
    bar_w = 260 if compact else 520
    title_h = 0 if compact else 20
    row_h = title_h + 34
    height = row_h * len(questions) + 4
    total_w = bar_w + 170
    most = max((q["total"] for q in questions), default=1) or 1
    parts = [
        f'<svg class="chart balance" viewBox="0 0 {total_w} {height}" role="img" '
        f'aria-label="Positions per side for each question" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, q in enumerate(questions):
        y = 4 + i * row_h
        if not compact:
            parts.append(
                f'<text class="chart-title" x="0" y="{y + 14}">{escape(q["title"])}</text>'
            )
        y += title_h
        x = 0.0
        counts = {s["side"]: s["count"] for s in q["sides"]}
        for side in ("pro", "mixed", "con"):
            n = counts.get(side, 0)
            if not n:
                continue
            w = bar_w * n / most
            parts.append(
                f'<rect class="bar side-{side}" x="{_r(x)}" y="{y + 4}" width="{_r(w)}" '
                f'height="{row_h - title_h - 12}"><title>{escape(side)}: {n}</title></rect>'
            )
            if w >= 26:
                sign = {"pro": "+", "con": "−", "mixed": "±"}[side]
                parts.append(
                    f'<text class="bar-num" x="{_r(x + w / 2)}" y="{y + 20}" '
                    f'text-anchor="middle">{sign}{n}</text>'
                )
            x += w
        summary = " · ".join(
            f"{name} {counts.get(side, 0)}"
            for side, name in (("pro", "yes"), ("mixed", "mixed"), ("con", "no"))
        )
        parts.append(
            f'<text class="chart-note" x="{_r(x + 8)}" y="{y + 20}">{escape(summary)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


YEAR_BAR = 28
YEAR_BAR_WIDE = 44
YEAR_LABEL_W = 40  # four digits at 13px, and a gap


def year_chart(counts: Mapping[str, int]) -> Markup:
    """Return a bar chart of how many sources appeared each year."""
    if not counts:
        return Markup("")
    years = sorted(counts)
    first, last = int(years[0]), int(years[-1])
    span = list(range(first, last + 1))
    most = max(counts.values())
    bw = YEAR_BAR_WIDE if len(span) <= 20 else YEAR_BAR
    # A year's label takes about YEAR_LABEL_W pixels: label every step-th year, so none overlap.
    step = math.ceil(YEAR_LABEL_W / bw)
    h = 120
    width = bw * len(span) + 20
    parts = [
        f'<svg class="chart years" viewBox="0 -14 {width} {h + 54}" width="{width}" '
        f'height="{h + 54}" role="img" '
        f'aria-label="Sources per year" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, year in enumerate(span):
        n = counts.get(str(year), 0)
        bh = h * n / most if most else 0
        x = 10 + i * bw
        parts.append(
            f'<rect class="bar" x="{x + 3}" y="{_r(10 + h - bh)}" width="{bw - 6}" '
            f'height="{_r(bh)}">'
            f"<title>{year}: {n}</title></rect>"
        )
        if n:
            parts.append(
                f'<text class="bar-num-out" x="{x + bw / 2}" y="{_r(6 + h - bh)}" '
                f'text-anchor="middle">{n}</text>'
            )
        if (year - first) % step == 0:
            parts.append(
                f'<text class="chart-label" x="{x + bw / 2}" y="{h + 28}" '
                f'text-anchor="middle">{year}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
