"""The built-in checks, registered as a plugin like any other, in the order they report."""

from __future__ import annotations

import kb.plugins
from kb.check import cycles, gaps, links, quality, quotes, references
from kb.check.context import Check

BUILT_IN: tuple[Check, ...] = (
    Check(
        "references",
        ("KB202", "KB203"),
        "every ID a record names exists and is of the kind expected",
        references.references,
    ),
    Check(
        "relations",
        ("KB204", "KB207"),
        "no claim is linked to itself, and undercuts target support links",
        references.relations,
    ),
    Check(
        "links_and_dates",
        ("KB301", "KB302"),
        "links are http, https or doi addresses, and dates are not in the future",
        links.links_and_dates,
    ),
    Check(
        "forecasts",
        ("KB506", "KB507"),
        "forecasts have a forecast block, and resolved ones the evidence that settled them",
        quality.forecasts,
    ),
    Check(
        "support_cycles",
        ("KB205",),
        "no claims support each other in a circle",
        cycles.support_cycles,
    ),
    Check(
        "contradictory_stances",
        ("KB208",),
        "no actor asserts two claims that contradict each other",
        quality.contradictory_stances,
    ),
    Check(
        "quality",
        ("KB501", "KB502", "KB503", "KB504", "KB505"),
        "claims are grounded, sources cited, actors heard, questions two-sided, quotes short",
        quality.quality,
    ),
    Check(
        "placeholders",
        ("KB601",),
        "no placeholder text that 'kb new' left is still there",
        gaps.placeholder_check,
    ),
    Check(
        "quotes",
        ("KB401", "KB402"),
        "with an archive folder, every quote is found in its source's archived text",
        quotes.quotes,
    ),
    Check(
        "gaps",
        ("KB602", "KB603", "KB604", "KB605", "KB606"),
        "advice on the gaps in the map's structure and grounding",
        gaps.advice_check,
        advice=True,
    ),
)


@kb.plugins.hookimpl
def kb_checks() -> list[Check]:
    """Return the built-in checks."""
    return list(BUILT_IN)
