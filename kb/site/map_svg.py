"""The SVG pieces every argument map shares: coordinates, link lines, markers and node boxes."""

from __future__ import annotations

import textwrap
from typing import Any

from markupsafe import Markup, escape

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
DY = ' dy="15"'
RX = ' rx="8"'

Point = tuple[float, float]


def _r(x: float) -> str:
    """Format a coordinate with at most one decimal (none when whole), for stable output."""
    text = f"{x:.1f}"
    if text[-2:] == ".0":
        text = text[:-2]
        if text == "-0":
            return "0"
    return text


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


def _wrap(text: str) -> tuple[str, ...]:
    """Return a label's lines: at most MAX_LINES of LINE_CHARS, an ellipsis when cut."""
    words = text.split()
    if "-" in text or any(len(w) > LINE_CHARS for w in words):
        lines = textwrap.wrap(" ".join(words), LINE_CHARS) or [""]
    else:
        lines = _fill(words) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: LINE_CHARS - 1].rstrip() + "…"
    return tuple(lines)


def _fill(words: list[str]) -> list[str]:
    """Return textwrap.wrap(" ".join(words), LINE_CHARS) for words without hyphens."""
    # The words must also be no longer than a line: textwrap then does greedy filling, which this
    # does at a fraction of its cost.
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


def _clip(p: Point, q: Point, size: Point) -> Point:
    """Return where the line from p (a box's centre) towards q leaves the box, 3px out."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    if dx == 0 and dy == 0:
        return p
    w, h = size[0] / 2 + 3, size[1] / 2 + 3
    t = min(w / abs(dx) if dx else 1e9, h / abs(dy) if dy else 1e9)
    return (p[0] + dx * t, p[1] + dy * t)


def _edge_path(a: Point, b: Point, size_a: Point, size_b: Point) -> tuple[Point, Point]:
    """Return the end points of a line between two boxes, clipped to their borders."""
    return _clip(a, b, size_a), _clip(b, a, size_b)


def _line(
    lines: dict[tuple[str, str], tuple[str, str]],
    e: dict[str, Any],
    a: Point,
    b: Point,
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


def _node_body(text: str, full: str, rounded: bool) -> tuple[str, float]:
    """Return a node's title, box and wrapped label drawn about (0, 0), and its height."""
    lines = _wrap(text)
    h = 16 + 15 * len(lines)
    tspans = "".join(
        f'<tspan x="0"{DY if i else ""}>{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (
        f"<title>{escape(full)}</title>"
        f'<rect x="{_r(-NODE_W / 2)}" y="{_r(-h / 2)}" width="{NODE_W}" height="{h}"'
        f"{RX if rounded else ''}/>"
        f'<text y="{_r(-h / 2 + 20)}">{tspans}</text>',
        float(h),
    )


def _edge_svg(e: dict[str, Any], a: Point, b: Point, prefix: str, *, ends: bool = True) -> str:
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
