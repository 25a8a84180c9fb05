"""A question's argument map: the question on top, its answers' panels yes to no below."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from markupsafe import Markup, escape

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.map_argument import MAX_MAP_NODES, _draw_node
from kb.site.map_index import ArgIndex, _drawn, _limit, _local_edges
from kb.site.map_legend import NODE_KEYS as NODE_KEYS
from kb.site.map_legend import legend as legend
from kb.site.map_legend import overview_legend as overview_legend
from kb.site.map_qbox import ANSWER_DASH as ANSWER_DASH
from kb.site.map_qbox import HEAD_GAP as HEAD_GAP
from kb.site.map_qbox import Q_NODE_W as Q_NODE_W
from kb.site.map_qbox import SIDE_GAP as SIDE_GAP
from kb.site.map_qbox import SIDE_ORDER as SIDE_ORDER
from kb.site.map_qbox import SIDE_WORDS as SIDE_WORDS
from kb.site.map_qbox import _q_body as _q_body
from kb.site.map_qbox import _q_lines as _q_lines
from kb.site.map_questions import claim_groups as claim_groups
from kb.site.map_questions import questions_map as questions_map
from kb.site.map_questions import questions_model as questions_model
from kb.site.map_svg import EDGE_STYLE, NODE_W, _edge_path, _line, _markers, _r
from kb.site.map_types import Standings
from kb.site.memos import Memos

# A question's argument map -------------------------------------------------------------------


COL_GAP = 20
PANEL_PAD = 12
PANEL_HEAD = 40
ROW_GAP = 26
NODE_GAP = 12
COLUMNS = 4  # position columns across the sides together; more positions wrap into rows


def _homes(start: Mapping[str, str], nodes: list[str], index: ArgIndex) -> dict[str, list[str]]:
    """Return each position's column: the neighbours drawn under it."""
    # Each neighbour goes under the first position (sides left to right, in the question's order) it
    # is linked to.
    near = index.near
    column: dict[str, list[str]] = {c: [] for c in start}
    placed = set(start)
    for c in start:
        for n in sorted(near.get(c, ())):
            if n in nodes and n not in placed:
                placed.add(n)
                column[c].append(n)
    return column


def _columns_per_side(start: Mapping[str, str]) -> dict[str, int]:
    """Return how many columns each side's positions take, shared out by their numbers."""
    counts = {s: sum(1 for v in start.values() if v == s) for s in SIDE_ORDER}
    total = sum(counts.values())
    return {s: min(n, max(1, round(COLUMNS * n / total))) for s, n in counts.items() if n}


@dataclass
class _Laid:
    """A question map laid out: the question's box, the side panels and every node's centre."""

    q_body: str
    q_xy: tuple[float, float]
    q_h: float
    width: float
    height: float
    top: float
    panels: list[tuple[str, float, float, float]]  # side, left, width, height
    pos: dict[str, tuple[float, float]]
    heights: dict[str, float]
    start: Mapping[str, str]  # each position's side
    column: Mapping[str, list[str]]  # each position's neighbours, drawn under it
    indent: Mapping[str, float]


def question_map(
    kb: KnowledgeBase,
    graph: KBGraph,
    qid: str,
    standings: Standings,
    root: str = "../",
    *,
    memos: Memos | None = None,
) -> Markup:
    """Return a question's map: the question on top, then a panel per side of its positions."""
    # Yes on the left, no on the right; each position with what supports or attacks it listed
    # beneath.
    q = kb.questions[qid]
    start: dict[str, str] = {}
    for side in SIDE_ORDER:
        for c in getattr(q.positions, side):
            if c in kb.claims and c not in start:
                start[c] = side
    if not start:
        return Markup("")
    index = (Memos() if memos is None else memos).arg_index(graph)
    nodes = _limit(index, list(start), 1, max(MAX_MAP_NODES, len(start)))
    memo = _drawn(index, standings)
    drawn: dict[str, tuple[str, str, str, bool]] = {}
    heights: dict[str, float] = {}
    for n in nodes:
        drawn[n], heights[n] = memo.get((n, root), partial(_draw_node, kb, standings, n, root))
    laid = _lay_out(q.title, start, _homes(start, nodes, index), heights)
    return _draw_qmap(laid, _local_edges(index, set(nodes)), drawn, index.lines)


def _lay_out(
    title: str, start: Mapping[str, str], column: Mapping[str, list[str]], heights: dict[str, float]
) -> _Laid:
    """Place the question, a panel per side of its positions, and each position's neighbours."""
    # Positions go in rows of columns; neighbours are stacked under their position, indented for the
    # lines that join them.
    indent = {c: min(60.0, 14.0 + 6.0 * max(0, len(column[c]) - 1)) for c in start}
    col_w = NODE_W + max(indent.values())
    counts = {s: sum(1 for v in start.values() if v == s) for s in SIDE_ORDER}
    note = " · ".join(f"{counts[s]} {SIDE_WORDS[s].lower()}" for s in SIDE_ORDER if counts[s])
    q_body, q_h = _q_body(title, f"Answers: {note}")
    top = q_h + HEAD_GAP
    pos: dict[str, tuple[float, float]] = {}  # centres
    panels: list[tuple[str, float, float, float]] = []
    left = 0.0
    for side, k in _columns_per_side(start).items():
        members = [c for c in start if start[c] == side]
        y = top + PANEL_HEAD
        for r in range(0, len(members), k):
            row_h = 0.0
            for i, c in enumerate(members[r : r + k]):
                x = left + PANEL_PAD + i * (col_w + COL_GAP)
                pos[c] = (x + NODE_W / 2, y + heights[c] / 2)
                cy = y + heights[c] + NODE_GAP
                for n in column[c]:
                    pos[n] = (x + indent[c] + NODE_W / 2, cy + heights[n] / 2)
                    cy += heights[n] + NODE_GAP
                row_h = max(row_h, cy - y)
            y += row_h + ROW_GAP
        width = 2 * PANEL_PAD + k * col_w + (k - 1) * COL_GAP
        panels.append((side, left, width, y - top))
        left += width + SIDE_GAP
    width = max(left - SIDE_GAP, Q_NODE_W)
    height = max(top + h for _, _, _, h in panels)
    return _Laid(
        q_body,
        (width / 2, q_h / 2),
        q_h,
        width,
        height,
        top,
        panels,
        pos,
        heights,
        start,
        column,
        indent,
    )


def _draw_qmap(
    laid: _Laid,
    edges: list[dict[str, Any]],
    drawn: Mapping[str, tuple[str, str, str, bool]],
    lines: dict[tuple[str, str], tuple[str, str]],
) -> Markup:
    """Return the SVG of a laid-out question map; lines are the graph's links' fixed parts."""
    r = _r
    width, height, top, q_xy = laid.width, laid.height, laid.top, laid.q_xy
    parts = [
        f'<svg class="argmap qmap" id="qm" viewBox="-10 -10 {r(width + 20)} {r(height + 20)}" '
        f'width="{r(width + 20)}" height="{r(height + 20)}" aria-label="Argument map of this '
        "question: its answers, yes on the left and no on the right, each with what supports "
        'or attacks it" xmlns="http://www.w3.org/2000/svg">',
        _markers("qm"),
    ]
    for side, x, w, h in laid.panels:
        dash = f' stroke-dasharray="{ANSWER_DASH[side]}"' if ANSWER_DASH[side] else ""
        parts.append(
            f'<rect class="side-panel side-{side}" x="{r(x)}" y="{r(top)}" width="{r(w)}" '
            f'height="{r(h)}" rx="14"/>'
            f'<text class="side-head side-{side}" x="{r(x + w / 2)}" y="{r(top + 27)}">'
            f"{SIDE_WORDS[side]}</text>"
            f'<line class="edge answer a-{side}" x1="{r(x + w / 2)}" y1="{r(top - 2)}" '
            f'x2="{r(q_xy[0])}" y2="{r(laid.q_h + 3)}"{dash} marker-end="url(#qm-arrow)">'
            f"<title>answers {SIDE_WORDS[side].lower()}</title></line>"
        )
    parts.append('<g class="edges">')
    elbowed: set[str] = set()
    for e in edges:
        points = _column_link(laid, e, elbowed)
        if points:
            parts.append(_polyline(e, points))
            continue
        a_end, b_end = e["from"], e["to"]
        sa, sb = (NODE_W, laid.heights[a_end]), (NODE_W, laid.heights[b_end])
        a, b = _edge_path(laid.pos[a_end], laid.pos[b_end], sa, sb)
        parts.append(_line(lines, e, a, b, "qm"))
    parts.append("</g>")
    parts.append(
        f'<g class="node question focus" transform="translate({r(q_xy[0])} {r(q_xy[1])})">'
        f"{laid.q_body}</g>"
    )
    for n in sorted(laid.pos):
        x, y = laid.pos[n]
        head, cls, tail, _ = drawn[n]
        role = " position" if n in laid.start else ""
        parts.append(f'{head}class="{cls}{role}" transform="translate({r(x)} {r(y)})">{tail}')
    parts.append("</svg>")
    return Markup("".join(parts))


def _column_link(
    laid: _Laid, e: dict[str, Any], elbowed: set[str]
) -> list[tuple[float, float]] | None:
    """Return the elbow of a link from a position to a neighbour under it, or None if straight."""
    # The elbow runs in its own lane left of the column; one elbow per neighbour.
    if e["type"] == "undercuts":
        return None
    a_end, b_end = e["from"], e["to"]
    column, pos, heights = laid.column, laid.pos, laid.heights
    if b_end in column and a_end in column[b_end]:
        c, n = b_end, a_end
    elif a_end in column and b_end in column[a_end]:
        c, n = a_end, b_end
    else:
        return None
    if n in elbowed:
        return None
    elbowed.add(n)
    share = column[c].index(n) / max(1, len(column[c]) - 1)
    lane = pos[c][0] - NODE_W / 2 + 6 + share * (laid.indent[c] - 14)
    side_pt = (pos[n][0] - NODE_W / 2 - 2, pos[n][1])
    bottom = pos[c][1] + heights[c] / 2
    if a_end == c:  # the position bears on the neighbour: drawn from it
        return [(lane, bottom), (lane, side_pt[1]), side_pt]
    return [side_pt, (lane, side_pt[1]), (lane, bottom + 3)]


def _polyline(e: dict[str, Any], points: list[tuple[float, float]]) -> str:
    """Return a link drawn through points, with its type's colour, dashes and end marker."""
    dash, marker, verb = EDGE_STYLE[e["type"]]
    attrs = f' stroke-dasharray="{dash}"' if dash else ""
    if marker:
        attrs += f' marker-end="url(#qm-{marker})"'
    coords = " ".join(f"{_r(x)},{_r(y)}" for x, y in points)
    return (
        f'<polyline class="edge e-{e["type"]}" points="{coords}"{attrs}>'
        f"<title>{escape(verb)}</title></polyline>"
    )
