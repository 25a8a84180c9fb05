"""The whole-debate map of questions: claims grouped under questions, boxes on a ring."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.map_group_svg import _counted
from kb.site.map_groups import ATTACK_TYPES
from kb.site.map_index import _claim_links
from kb.site.map_qbox import Q_NODE_W, SIDE_ORDER, SIDE_WORDS, _q_body
from kb.site.map_svg import EDGE_STYLE, _edge_path, _r
from kb.site.memos import Memos


def claim_groups(
    kb: KnowledgeBase, graph: KBGraph, *, memos: Memos | None = None
) -> dict[str, str]:
    """Return the question each claim is grouped under: the nearest by argument links."""
    # Nearest from the question's positions, earlier questions first on ties; '' for claims linked
    # to none.
    near = (Memos() if memos is None else memos).arg_index(graph).near
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
    """Return the questions (in their file's order) with their claims, and cross-question links."""
    # Links between the claims of two questions are counted per pair: supports, attacks, others.
    order = [q for q in kb.questions if any(g == q for g in groups.values())]
    members: dict[str, list[str]] = {q: [] for q in kb.questions}
    for c, g in groups.items():
        if g:
            members[g].append(c)
    pairs: dict[tuple[str, str], list[int]] = {}
    for u, v, _, data in _claim_links(set(groups), graph):
        a, b = groups[u], groups[v]
        if not a or not b or a == b:
            continue
        t = data["type"]
        kind = 0 if t == "supports" else 1 if t in ATTACK_TYPES else 2
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
    """Return the whole-debate map: a box per question on a ring, and lines between them."""
    # A curved line joins two questions whose claims support or attack each other, as thick as they
    # are many.
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
        f'<svg class="argmap overview questions" id="overview" viewBox="{_r(x1)} '
        f'{_r(y1)} {_r(x2 - x1)} {_r(y2 - y1)}" data-unit="questions" '
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
            f'transform="translate({_r(x)} {_r(y)})">{bodies[q][0]}</a>'
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
    p, _ = _edge_path((xa, ya), (cx, cy), size[a], (0, 0))
    r, _ = _edge_path((xb, yb), (cx, cy), size[b], (0, 0))
    words = _counted(counts)
    about = f"{words} between the claims of “{titles[a]}” and of “{titles[b]}”"
    dash = EDGE_STYLE[kind][0]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path class="edge e-{kind} w{weight}" d="M{_r(p[0])} {_r(p[1])}'
        f'Q{_r(cx)} {_r(cy)} {_r(r[0])} {_r(r[1])}"{dash_attr} '
        f'data-from="{escape(a)}" data-to="{escape(b)}"><title>{escape(about)}</title></path>'
    )
