"""Drawing the map of questions: a pie-cut disc per group of claims, a curve per linked pair."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from kb.site.map_groups import GROUP_LABEL_CHARS, GROUP_LABEL_LINES, GROUP_LABELS, GROUP_SIDES
from kb.site.map_svg import _r

SIDE_WORDS = {"pro": "yes", "con": "no", "mixed": "mixed", "none": "on no side"}


def group_map(model: Mapping[str, Any]) -> Markup:
    """Return the map of questions: a disc per group of claims, a line per linked pair of groups."""
    # A disc is sized by its claims, cut by the sides they take and ringed by the attacks they
    # receive.
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
    """Return the curved line between two groups, drawn from their claim links."""
    # Coloured by the kind most of its claim links are, as thick as they are many, its title
    # counting them each way.
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


def _group_node(g: Mapping[str, Any]) -> str:
    """Return a group's disc (a pie of the sides its claims take), ring and two-line label."""
    # Drawn about (0, 0) and moved into place.
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
