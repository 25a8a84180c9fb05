"""A question's box on a map (its wrapped title and a note), and the sides' words and order."""

from __future__ import annotations

import textwrap

from markupsafe import escape

from kb.site.map_svg import _r

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
        f'<rect x="{_r(-Q_NODE_W / 2)}" y="{_r(top)}" width="{Q_NODE_W}" '
        f'height="{_r(h)}" rx="14"/>'
        f'<text class="q-title" y="{_r(top + 22)}">{tspans}</text>'
        f'<text class="q-note" y="{_r(h / 2 - 10)}">{escape(note)}</text>',
        h,
    )
