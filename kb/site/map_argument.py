"""Argument maps of claims and evidence: a claim's neighbourhood, and every claim at once."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from markupsafe import Markup, escape

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.map_force import force_layout
from kb.site.map_index import Drawn, _bearing, _drawn, _local_edges, overview_edges
from kb.site.map_layered import layout
from kb.site.map_svg import NODE_W, _edge_path, _edge_svg, _line, _markers, _node_body, _r, _wrap
from kb.site.map_types import Standings
from kb.site.memos import Memos

MAX_MAP_NODES = 24
OVERVIEW_W = 150
OVERVIEW_H = 44
SIDE_SHAPES = {"pro": "circle", "con": "square", "mixed": "diamond", "none": "dot"}


def _node_class(kb: KnowledgeBase, nid: str, standings: Standings, focus: str | None) -> str:
    """Return a node's classes: evidence, or a claim with its standing (and focus)."""
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
    memos: Memos | None = None,
) -> Markup:
    """Return an SVG argument map of the given claims and evidence."""
    memos = Memos() if memos is None else memos
    index = memos.arg_index(graph)
    edges = _local_edges(index, set(nodes))
    memo = _drawn(index, standings)
    drawn: dict[str, tuple[str, str, str, bool]] = {}
    sizes: dict[str, tuple[float, float]] = {}
    for n in nodes:
        # Drawn once per build; a map that reuses it still records the records it read.
        drawn[n], h = memo.get((n, root), partial(_draw_node, kb, standings, n, root))
        sizes[n] = (NODE_W, h)
    # Conclusions above their premises: lay out from what is supported to what supports it.
    pos = memos.layout(layout, nodes, [(e["to"], e["from"]) for e in edges], sizes)
    width = max((pos[n][0] + sizes[n][0] / 2 for n in nodes), default=0) + 10
    height = max((pos[n][1] + sizes[n][1] / 2 for n in nodes), default=0) + 10
    parts = [
        f'<svg class="argmap" id="{prefix}" viewBox="-10 -10 {_r(width + 10)} {_r(height + 10)}" '
        f'width="{_r(width + 10)}" height="{_r(height + 10)}" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        _markers(prefix),
    ]
    lines = index.lines
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


def _draw_node(kb: KnowledgeBase, standings: Standings, n: str, root: str) -> Drawn:
    """Return a node's SVG in parts and its height."""
    # The parts: its opening tag up to its class, its class, what follows its transform and whether
    # it can be the focus.
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


def claim_map(
    kb: KnowledgeBase,
    graph: KBGraph,
    cid: str,
    standings: Standings,
    *,
    memos: Memos | None = None,
) -> Markup:
    """Return the SVG map of a claim: what it bears on above it, what bears on it below."""
    # Below, it also shows what bears on those.
    memos = Memos() if memos is None else memos
    nodes = _bearing(memos.arg_index(graph), cid, MAX_MAP_NODES)
    return argument_map(
        kb,
        graph,
        nodes,
        standings,
        focus=cid,
        prefix="cm",
        label="Argument map around this claim",
        memos=memos,
    )


def overview_map(
    kb: KnowledgeBase,
    graph: KBGraph,
    claim_sides: Mapping[str, list[tuple[str, str]]],
    standings: Standings,
    *,
    memos: Memos | None = None,
) -> Markup:
    """Return the whole-debate map: every claim a small labelled shape, every link a line."""
    memos = Memos() if memos is None else memos
    nodes = sorted(kb.claims)
    links = overview_edges(kb, graph)
    pos = memos.layout(force_layout, nodes, [(e["from"], e["to"]) for e in links])
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
        parts.append(_overview_node(kb, n, pos[n], claim_sides.get(n, []), standings))
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _overview_node(
    kb: KnowledgeBase,
    n: str,
    xy: tuple[float, float],
    sides: list[tuple[str, str]],
    standings: Standings,
) -> str:
    """Return a claim on the whole-debate map: its side's shape and its label, cut short."""
    x, y = xy
    side_set = sorted({s for _, s in sides})
    side = side_set[0] if len(side_set) == 1 else ("mixed" if side_set else "none")
    shape = _shape(SIDE_SHAPES[side], x, y)
    label = kb.claims[n].text
    short = label if len(label) <= 26 else label[:25].rstrip() + "…"
    claim = kb.claims[n]
    return (
        f'<a href="claim/{escape(n)}.html" class="node claim st-{standings.of(n).label} '
        f'side-{side}" data-id="{escape(n)}" data-q="{escape(" ".join(q for q, _ in sides))}" '
        f'data-tags="{escape(" ".join(claim.tags))}" '
        f'data-side="{escape(" ".join(side_set) or "none")}">'
        f"<title>{escape(label)}</title>{shape}"
        f'<text x="{_r(x)}" y="{_r(y + 22)}" text-anchor="middle">{escape(short)}</text></a>'
    )


def _shape(kind: str, x: float, y: float) -> str:
    """Return the shape of a claim's side at (x, y): circle, square, diamond or dot."""
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
