"""The force-directed layout of the whole-debate map: networkx's, or the same steps on arrays."""

from __future__ import annotations

import networkx as nx

Positions = dict[str, tuple[float, float]]

# Below this many nodes networkx's own force layout is used (the bundled content's look); from
# here on networkx loops over the nodes in Python (6 s at 1,000), so the same steps run on arrays.
DENSE_SPRING_FROM = 500
SPRING_ITERATIONS = 40


def force_layout(nodes: list[str], edges: list[tuple[str, str]]) -> Positions:
    """Place many nodes with networkx's seeded force-directed layout, scaled to pixels."""
    return _spring(nodes, edges)


_force_layout = force_layout  # its old name, which benchmarks/bench_map.py times


def _spring(nodes: list[str], edges: list[tuple[str, str]]) -> Positions:
    """Return the seeded force-directed positions, scaled to 110 px per node's square root."""
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
    """Return networkx's seeded Fruchterman-Reingold positions, every node's step at once."""
    # The same arithmetic as networkx's per-node loop (float32 positions, float64 forces), so the
    # positions agree with it to rounding.
    # Imported here: a build whose layouts are all kept from the last one never needs numpy, and
    # importing it was a fifth of `kb build`'s start-up.
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
