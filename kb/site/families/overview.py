"""The map of the whole debate: every claim by question, or (past a size) the questions alone."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.model.kb import KnowledgeBase
from kb.site import maps, qmaps
from kb.site.families.base import single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths
from kb.site.settings import SIDES

if TYPE_CHECKING:
    from kb.site.site import Site


def _by_text(kb: KnowledgeBase, cid: str) -> tuple[str, str]:
    """Return the key that sorts claims by statement."""
    return (kb.claims[cid].text.lower(), cid)


def _groups_context(model: dict[str, Any]) -> dict[str, Any]:
    """Return the map of questions and the most contested of them, from site.overview alone."""
    groups = model["groups"]
    contested = sorted(
        (g for g in groups if g["attacks_in"]),
        key=lambda g: (-g["attacks_in"], -g["attacks_in"] / g["claims"], g["id"]),
    )[: maps.MOST_CONTESTED]
    return {
        "mode": "groups",
        "svg": maps.group_map(model),
        "claim_count": model["claims"],
        "group_count": len(groups),
        "question_count": sum(1 for g in groups if g["kind"] == "question"),
        "link_count": model["links"],
        "pair_count": model["pairs"],
        "drawn_count": len(model["edges"]),
        "contested": contested,
    }


def _questions_context(site: Site) -> dict[str, Any]:
    """Return the map of every claim under its nearest question, and the lists beside it."""
    kb = site.kb
    groups = site.claim_group
    model = qmaps.questions_model(kb, site.graph, groups)
    sides = {}
    for qid in model["order"]:
        q = kb.questions[qid]
        sides[qid] = {s: sum(1 for c in getattr(q.positions, s) if c in kb.claims) for s in SIDES}
    by_text = functools.partial(_by_text, kb)
    return {
        "mode": "questions",
        "svg": qmaps.questions_map(kb, model, sides),
        "map_legend": qmaps.overview_legend(),
        "groups": [
            {
                "id": qid,
                "title": kb.questions[qid].title,
                "href": Paths.question(qid),
                "claims": [site.claim_row(c) for c in sorted(model["members"][qid], key=by_text)],
            }
            for qid in model["order"]
        ],
        "loose": [
            site.claim_row(c) for c in sorted((c for c, g in groups.items() if not g), key=by_text)
        ],
        "link_count": sum(sum(c) for _, _, c in model["pairs"]),
        "claim_count": len(kb.claims),
    }


def map_context(site: Site) -> dict[str, Any]:
    """Return the whole-debate map and its filters, read from site.overview alone."""
    # Past maps.GROUP_MAP_ABOVE claims: the map of questions and the most contested of them.
    if site.overview:
        return _groups_context(site.overview)
    return _questions_context(site)


def map_pages(site: Site) -> Iterator[Page]:
    """Yield the map of the debate."""
    yield single_page(site, "map.html", "Map of the debate", map_context)


MAP = PageFamily("map", "The map of the whole debate.", map_pages)
