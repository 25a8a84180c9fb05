"""Small SVG charts: each question's balance of sides, and sources per year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from kb.site.map_svg import _r
from kb.site.map_types import Standings


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
