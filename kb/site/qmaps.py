"""Maps that start at a question: a question's argument map (yes on the left, no on the right)
and the whole-debate map of questions, each with its claims grouped under it."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from kb.load import KnowledgeBase
from kb.model.graph import KBGraph
from kb.site import maps

if TYPE_CHECKING:
    from kb.site.render import Standings

SIDE_ORDER = ("pro", "mixed", "con")  # left to right
SIDE_WORDS = {"pro": "Yes", "mixed": "Mixed", "con": "No"}
ANSWER_DASH = {"pro": "", "mixed": "3 3", "con": "12 4"}
Q_LINE_CHARS = 30
Q_MAX_LINES = 4
Q_NODE_W = 280
SIDE_GAP = 40
HEAD_GAP = 90
Q_DY = ' dy="17"'


def _q_lines(title: str) -> list[str]:
    """Return a question's title in at most Q_MAX_LINES lines, an ellipsis when cut."""
    lines = textwrap.wrap(" ".join(title.split()), Q_LINE_CHARS) or [""]
    if len(lines) > Q_MAX_LINES:
        lines = lines[:Q_MAX_LINES]
        lines[-1] = lines[-1][: Q_LINE_CHARS - 1].rstrip() + "…"
    return lines


def _q_body(title: str, note: str) -> tuple[str, float]:
    """Return a question box drawn about (0, 0): its wrapped title and a note line; its height."""
    lines = _q_lines(title)
    h = 26 + 17 * len(lines) + 16
    tspans = "".join(
        f'<tspan x="0"{Q_DY if i else ""}>{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    top = -h / 2
    return (
        f"<title>{escape(title)}</title>"
        f'<rect x="{maps._r(-Q_NODE_W / 2)}" y="{maps._r(top)}" width="{Q_NODE_W}" '
        f'height="{maps._r(h)}" rx="14"/>'
        f'<text class="q-title" y="{maps._r(top + 22)}">{tspans}</text>'
        f'<text class="q-note" y="{maps._r(h / 2 - 10)}">{escape(note)}</text>',
        h,
    )


# A question's argument map -------------------------------------------------------------------


COL_GAP = 20
PANEL_PAD = 12
PANEL_HEAD = 40
ROW_GAP = 26
NODE_GAP = 12
COLUMNS = 4  # position columns across the sides together; more positions wrap into rows


def _homes(start: Mapping[str, str], nodes: list[str], graph: KBGraph) -> dict[str, list[str]]:
    """Return each position's column: the neighbours drawn under it, each under the first
    position (sides left to right, in the question's order) it is linked to."""
    near = maps._arg_index(graph).near
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
    kb: KnowledgeBase, graph: KBGraph, qid: str, standings: Standings, root: str = "../"
) -> Markup:
    """Return a question's map: the question on top, then a panel per side (yes on the left,
    no on the right) of its positions, each with what supports or attacks it listed beneath."""
    q = kb.questions[qid]
    start: dict[str, str] = {}
    for side in SIDE_ORDER:
        for c in getattr(q.positions, side):
            if c in kb.claims and c not in start:
                start[c] = side
    if not start:
        return Markup("")
    nodes = maps._limit(graph, list(start), 1, max(maps.MAX_MAP_NODES, len(start)))
    memo = maps._drawn(graph, standings)
    drawn: dict[str, tuple[str, str, str, bool]] = {}
    heights: dict[str, float] = {}
    for n in nodes:
        drawn[n], heights[n] = memo.get(
            (n, root), lambda n=n: maps._draw_node(kb, standings, n, root)
        )
    laid = _lay_out(q.title, start, _homes(start, nodes, graph), heights)
    return _draw_qmap(laid, maps._local_edges(graph, set(nodes)), drawn, graph)


def _lay_out(
    title: str, start: Mapping[str, str], column: Mapping[str, list[str]], heights: dict[str, float]
) -> _Laid:
    """Place the question, a panel per side of its positions in rows of columns, and each
    position's neighbours stacked under it, indented for the lines that join them."""
    indent = {c: min(60.0, 14.0 + 6.0 * max(0, len(column[c]) - 1)) for c in start}
    col_w = maps.NODE_W + max(indent.values())
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
                pos[c] = (x + maps.NODE_W / 2, y + heights[c] / 2)
                cy = y + heights[c] + NODE_GAP
                for n in column[c]:
                    pos[n] = (x + indent[c] + maps.NODE_W / 2, cy + heights[n] / 2)
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
    graph: KBGraph,
) -> Markup:
    """Return the SVG of a laid-out question map."""
    r = maps._r
    width, height, top, q_xy = laid.width, laid.height, laid.top, laid.q_xy
    parts = [
        f'<svg class="argmap qmap" id="qm" viewBox="-10 -10 {r(width + 20)} {r(height + 20)}" '
        f'width="{r(width + 20)}" height="{r(height + 20)}" aria-label="Argument map of this '
        "question: its answers, yes on the left and no on the right, each with what supports "
        'or attacks it" xmlns="http://www.w3.org/2000/svg">',
        maps._markers("qm"),
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
    lines = maps._arg_index(graph).lines
    elbowed: set[str] = set()
    for e in edges:
        points = _column_link(laid, e, elbowed)
        if points:
            parts.append(_polyline(e, points))
            continue
        a_end, b_end = e["from"], e["to"]
        sa, sb = (maps.NODE_W, laid.heights[a_end]), (maps.NODE_W, laid.heights[b_end])
        a, b = maps._edge_path(laid.pos[a_end], laid.pos[b_end], sa, sb)
        parts.append(maps._line(lines, e, a, b, "qm"))
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
    """Return the elbow a link between a position and a neighbour under it takes (its own lane
    left of the column), or None for a link drawn straight; one elbow per neighbour."""
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
    lane = pos[c][0] - maps.NODE_W / 2 + 6 + share * (laid.indent[c] - 14)
    side_pt = (pos[n][0] - maps.NODE_W / 2 - 2, pos[n][1])
    bottom = pos[c][1] + heights[c] / 2
    if a_end == c:  # the position bears on the neighbour: drawn from it
        return [(lane, bottom), (lane, side_pt[1]), side_pt]
    return [side_pt, (lane, side_pt[1]), (lane, bottom + 3)]


def _polyline(e: dict[str, Any], points: list[tuple[float, float]]) -> str:
    """Return a link drawn through points, with its type's colour, dashes and end marker."""
    dash, marker, verb = maps.EDGE_STYLE[e["type"]]
    attrs = f' stroke-dasharray="{dash}"' if dash else ""
    if marker:
        attrs += f' marker-end="url(#qm-{marker})"'
    coords = " ".join(f"{maps._r(x)},{maps._r(y)}" for x, y in points)
    return (
        f'<polyline class="edge e-{e["type"]}" points="{coords}"{attrs}>'
        f"<title>{escape(verb)}</title></polyline>"
    )


# The whole-debate map of questions -------------------------------------------------------------


def claim_groups(kb: KnowledgeBase, graph: KBGraph) -> dict[str, str]:
    """Return the question each claim is grouped under: the nearest by argument links from the
    question's positions (earlier questions first on ties), '' for claims linked to none."""
    near = maps._arg_index(graph).near
    out: dict[str, str] = {}
    frontier: list[tuple[str, str]] = []
    for qid, q in kb.questions.items():
        for side in SIDE_ORDER:
            for c in getattr(q.positions, side):
                if c in kb.claims and c not in out:
                    out[c] = qid
                    frontier.append((c, qid))
    while frontier:
        nxt: list[tuple[str, str]] = []
        for c, qid in frontier:
            for n in sorted(near.get(c, ())):
                if n in kb.claims and n not in out:
                    out[n] = qid
                    nxt.append((n, qid))
        frontier = nxt
    return {c: out.get(c, "") for c in sorted(kb.claims)}


def questions_model(kb: KnowledgeBase, graph: KBGraph, groups: Mapping[str, str]) -> dict[str, Any]:
    """Return the questions (in their file's order) with their claims, and the links between
    the claims of two questions counted per pair: supports, attacks, others."""
    order = [q for q in kb.questions if any(g == q for g in groups.values())]
    members: dict[str, list[str]] = {q: [] for q in kb.questions}
    for c, g in groups.items():
        if g:
            members[g].append(c)
    pairs: dict[tuple[str, str], list[int]] = {}
    for u, v, _, data in maps._claim_links(set(groups), graph):
        a, b = groups[u], groups[v]
        if not a or not b or a == b:
            continue
        t = data["type"]
        kind = 0 if t == "supports" else 1 if t in maps.ATTACK_TYPES else 2
        counts = pairs.setdefault((a, b) if a < b else (b, a), [0, 0, 0])
        counts[kind] += 1
    return {
        "order": order,
        "members": {q: members[q] for q in order},
        "pairs": sorted((a, b, tuple(c)) for (a, b), c in pairs.items()),
    }


def _ring(sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return centres on an ellipse, wide enough that no two boxes of these sizes overlap."""
    n = len(sizes)
    if n == 1:
        return [(0.0, 0.0)]
    rx, ry = 300.0, 200.0
    while True:
        xy = [
            (
                rx * math.cos(-math.pi / 2 + 2 * math.pi * i / n),
                ry * math.sin(-math.pi / 2 + 2 * math.pi * i / n),
            )
            for i in range(n)
        ]
        clear = all(
            abs(xy[i][0] - xy[j][0]) > (sizes[i][0] + sizes[j][0]) / 2 + 16
            or abs(xy[i][1] - xy[j][1]) > (sizes[i][1] + sizes[j][1]) / 2 + 16
            for i in range(n)
            for j in range(i + 1, n)
        )
        if clear:
            return xy
        rx, ry = rx * 1.1, ry * 1.1


def questions_map(kb: KnowledgeBase, model: Mapping[str, Any], sides: Mapping[str, Any]) -> Markup:
    """Return the whole-debate map: a box per question, on a ring, and a curved line between
    two questions whose claims support or attack each other, as thick as they are many."""
    order = model["order"]
    if not order:
        return Markup("")
    bodies = {}
    for q in order:
        n = len(model["members"][q])
        count = sides[q]
        note = f"{n} claim{'s' if n != 1 else ''} · " + " · ".join(
            f"{count[s]} {SIDE_WORDS[s].lower()}" for s in SIDE_ORDER if count[s]
        )
        bodies[q] = _q_body(kb.questions[q].title, note)
    sizes = [(float(Q_NODE_W), bodies[q][1]) for q in order]
    ring = _ring(sizes)
    xy = {q: ring[i] for i, q in enumerate(order)}
    size = dict(zip(order, sizes, strict=True))
    x1 = min(x - w / 2 for (x, _), (w, _h) in zip(ring, sizes, strict=True)) - 20
    y1 = min(y - h / 2 for (_, y), (_w, h) in zip(ring, sizes, strict=True)) - 20
    x2 = max(x + w / 2 for (x, _), (w, _h) in zip(ring, sizes, strict=True)) + 20
    y2 = max(y + h / 2 for (_, y), (_w, h) in zip(ring, sizes, strict=True)) + 20
    parts = [
        f'<svg class="argmap overview questions" id="overview" viewBox="{maps._r(x1)} '
        f'{maps._r(y1)} {maps._r(x2 - x1)} {maps._r(y2 - y1)}" data-unit="questions" '
        'aria-label="Map of the questions and how their claims support or attack each other" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMin meet">',
        '<g class="viewport"><g class="edges">',
    ]
    titles = {q: kb.questions[q].title for q in order}
    for a, b, counts in model["pairs"]:
        parts.append(_q_link(a, b, counts, xy, size, titles))
    parts.append("</g>")
    for q in order:
        x, y = xy[q]
        parts.append(
            f'<a href="#g-{escape(q)}" class="node question" data-id="{escape(q)}" '
            f'transform="translate({maps._r(x)} {maps._r(y)})">{bodies[q][0]}</a>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _q_link(
    a: str,
    b: str,
    counts: tuple[int, ...],
    xy: Mapping[str, tuple[float, float]],
    size: Mapping[str, tuple[float, float]],
    titles: Mapping[str, str],
) -> str:
    """Return the curve between two questions: coloured by the kind most of its links are."""
    sup, att, other = counts
    kind = "rebuts" if att >= max(sup, other) else "supports" if sup >= other else "refines"
    total = sup + att + other
    weight = 1 if total < 2 else 2 if total < 4 else 3 if total < 10 else 4
    (xa, ya), (xb, yb) = xy[a], xy[b]
    # Bowed towards the ring's centre, so that lines between neighbours stay off other boxes.
    cx, cy = (xa + xb) / 4, (ya + yb) / 4
    p, _ = maps._edge_path((xa, ya), (cx, cy), size[a], (0, 0))
    r, _ = maps._edge_path((xb, yb), (cx, cy), size[b], (0, 0))
    words = maps._counted(counts)
    about = f"{words} between the claims of “{titles[a]}” and of “{titles[b]}”"
    dash = maps.EDGE_STYLE[kind][0]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path class="edge e-{kind} w{weight}" d="M{maps._r(p[0])} {maps._r(p[1])}'
        f'Q{maps._r(cx)} {maps._r(cy)} {maps._r(r[0])} {maps._r(r[1])}"{dash_attr} '
        f'data-from="{escape(a)}" data-to="{escape(b)}"><title>{escape(about)}</title></path>'
    )


# The legend ------------------------------------------------------------------------------------


def _swatch(inner: str, width: int = 44) -> str:
    return (
        f'<svg class="argmap key" width="{width}" height="20" viewBox="0 0 {width} 20" '
        f'aria-hidden="true" focusable="false">{inner}</svg>'
    )


NODE_KEYS = (
    ("node question", 14, "a question"),
    ("node claim st-accepted", 8, "a claim that stands in this map (green border)"),
    ("node claim st-undecided", 8, "a claim contested or undecided here (grey border)"),
    ("node claim st-rejected", 8, "a claim refuted here (red border)"),
    ("node evidence", 0, "evidence from a source (dashed box)"),
)


def legend(answers: bool = False, focus: bool = False) -> Markup:
    """Return the HTML legend of every node and line style a map draws: with answers, the
    question map's lines to its question; with focus, a claim map's own claim."""
    keys = NODE_KEYS[1:] if focus else NODE_KEYS
    if focus:
        keys = (("node claim focus", 8, "the claim this page is about (blue)"), *keys)
    items = []
    for cls, rx, words in keys:
        rect = f'<rect x="3" y="3" width="38" height="14" rx="{rx // 2}"/>'
        node = f'<g class="{cls}">{rect}</g>'
        items.append(f"<li>{_swatch(node)}{escape(words)}</li>")
    if answers:
        for side in SIDE_ORDER:
            dash = f' stroke-dasharray="{ANSWER_DASH[side]}"' if ANSWER_DASH[side] else ""
            line = f'<line x1="2" y1="10" x2="40" y2="10" class="edge answer a-{side}"{dash}/>'
            items.append(f"<li>{_swatch(line)}answers {SIDE_WORDS[side].lower()}</li>")
    for kind, (dash, _marker, verb) in maps.EDGE_STYLE.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line = f'<line x1="2" y1="10" x2="40" y2="10" class="edge e-{kind}"{dash_attr}/>'
        items.append(f"<li>{_swatch(line)}{escape(verb)}</li>")
    return Markup('<ul class="legend map-legend">' + "".join(items) + "</ul>")


def overview_legend() -> Markup:
    """Return the legend of the map of questions: its boxes and its three kinds of line."""
    rect = '<g class="node question"><rect x="3" y="3" width="38" height="14" rx="7"/></g>'
    items = [f"<li>{_swatch(rect)}a question, with its claims counted by side</li>"]
    for kind, words in (
        ("supports", "their claims mostly support each other"),
        ("rebuts", "their claims mostly attack each other"),
        ("refines", "their claims mostly refine or restate each other"),
    ):
        dash = maps.EDGE_STYLE[kind][0]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line = f'<line x1="2" y1="10" x2="40" y2="10" class="edge e-{kind}"{dash_attr}/>'
        items.append(f"<li>{_swatch(line)}{words}</li>")
    thick = '<line x1="2" y1="10" x2="40" y2="10" class="edge e-supports w4"/>'
    items.append(f"<li>{_swatch(thick)}thicker: more links</li>")
    return Markup('<ul class="legend map-legend">' + "".join(items) + "</ul>")
