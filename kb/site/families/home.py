"""The home page, and "How to read this map" with examples drawn from the debate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.analysis.reader import verdict_examples
from kb.site.families.base import single_page
from kb.site.page import Page, PageFamily
from kb.site.settings import RECENT, VERDICT_ORDER

if TYPE_CHECKING:
    from kb.site.site import Site


def _questions_in_order(site: Site) -> list[str]:
    """Return the questions in the order they are written."""
    return [q for q, _ in sorted(site.question_order.items(), key=lambda kv: (kv[1], kv[0]))]


def home_context(site: Site) -> dict[str, Any]:
    """Return the home page's context: the questions in the order they are written."""
    questions = [site.question_summary(q) for q in _questions_in_order(site)]
    recent = sorted(
        (c for c in site.kb.claims if c in site.dates),
        key=lambda c: (site.dates[c][1], site.dates[c][0], c),
        reverse=True,
    )[:RECENT]
    return {
        "questions": questions,
        "recent": [
            {**site.claim_row(c), "added": site.dates[c][0], "changed": site.dates[c][1]}
            for c in recent
        ],
        "counts": site.kb.counts(),
        "analysis": site.standings.available,
    }


def how_to_read_context(site: Site) -> dict[str, Any]:
    """Return the worked examples of "How to read this map", drawn from this debate."""
    example = verdict_examples(site)
    order = _questions_in_order(site)
    headline = site.question_summary(order[0]) if order else None
    crux = None
    if headline and headline["analysis"] and headline["analysis"]["cruxes"]:
        c, score = headline["analysis"]["cruxes"][0]
        if c in site.kb.claims:
            crux = {**site.claim_row(c), "score": score}
            crux["crux_labels"] = site.standings.of(c).crux_labels
    return {
        **example,
        "verdicts": VERDICT_ORDER,
        "headline": headline,
        "crux": crux,
        "analysis": site.standings.available,
    }


def home_pages(site: Site) -> Iterator[Page]:
    """Yield the home page."""
    yield single_page(site, "index.html", None, home_context)


def how_to_read_pages(site: Site) -> Iterator[Page]:
    """Yield "How to read this map"."""
    yield single_page(site, "how-to-read.html", "How to read this map", how_to_read_context)


HOME = PageFamily(
    "home", "The home page: every question, and the claims changed lately.", home_pages
)
HOW_TO_READ = PageFamily(
    "how-to-read", "How to read this map, with examples from the debate.", how_to_read_pages
)
