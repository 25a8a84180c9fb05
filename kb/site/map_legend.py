"""The legends of the maps: every node and line style a map draws, and the map of questions'."""

from __future__ import annotations

from markupsafe import Markup, escape

from kb.site.map_qbox import ANSWER_DASH, SIDE_ORDER, SIDE_WORDS
from kb.site.map_svg import EDGE_STYLE


def _swatch(inner: str, width: int = 44) -> str:
    """Return a small SVG showing one node or line style in a legend."""
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
    """Return the HTML legend of every node and line style a map draws."""
    # With answers, the question map's lines to its question; with focus, a claim map's own claim.
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
    for kind, (dash, _marker, verb) in EDGE_STYLE.items():
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
        dash = EDGE_STYLE[kind][0]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line = f'<line x1="2" y1="10" x2="40" y2="10" class="edge e-{kind}"{dash_attr}/>'
        items.append(f"<li>{_swatch(line)}{words}</li>")
    thick = '<line x1="2" y1="10" x2="40" y2="10" class="edge e-supports w4"/>'
    items.append(f"<li>{_swatch(thick)}thicker: more links</li>")
    return Markup('<ul class="legend map-legend">' + "".join(items) + "</ul>")
