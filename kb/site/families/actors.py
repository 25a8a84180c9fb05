"""The actor index, and each actor's page: their stances, allies, opponents and writings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.site.families.base import record_page, single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths, safe_url

if TYPE_CHECKING:
    from kb.site.site import Site


def actor_index_context(site: Site) -> dict[str, Any]:
    """Return the actor index's context."""
    actors = site.kb.actors
    rows = []
    for aid in sorted(actors, key=lambda a: (actors[a].name.lower(), a)):
        actor = actors[aid]
        stances = site.graph.stances_by(aid)
        rows.append(
            {
                "id": aid,
                "name": actor.name,
                "kind": actor.kind.value,
                "affiliation": actor.affiliation,
                "href": Paths.actor(aid),
                "stances": len(stances),
                "sources": len(site.authored.get(aid, [])),
            }
        )
    return {"rows": rows}


def _top(site: Site, counter: Counter[str]) -> list[dict[str, Any]]:
    """Return the five actors counted most, most first."""
    ranked = sorted(counter, key=lambda a: (-counter[a], a))[:5]
    return [
        {"id": a, "name": site._actor_name(a), "href": Paths.actor(a), "n": counter[a]}
        for a in ranked
    ]


def agreements(site: Site, aid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the actors an actor agrees and disagrees with most, by shared stances."""
    mine = {s.claim: s.position.value for s in site.graph.stances_by(aid)}
    agree: Counter[str] = Counter()
    disagree: Counter[str] = Counter()
    for cid, pos in mine.items():
        for s in site.graph.stances_on(cid):
            if s.actor == aid or s.actor not in site.kb.actors:
                continue
            other = s.position.value
            if other == pos:
                agree[s.actor] += 1
            elif {other, pos} == {"asserts", "denies"}:
                disagree[s.actor] += 1
    return _top(site, agree), _top(site, disagree)


def actor_page(site: Site, aid: str) -> str:
    """Render an actor's page."""
    actor = site.kb.actors[aid]
    agree, disagree = agreements(site, aid)
    stances = [
        site.stance_view(s)
        for s in sorted(site.graph.stances_by(aid), key=lambda s: (s.position.value, s.claim, s.id))
    ]
    partners = sorted(site.exchanges.get(aid, []), key=lambda b: (site._actor_name(b), b))
    return site.render(
        "actor.html",
        Paths.actor(aid),
        title=actor.name,
        actor=actor,
        homepage=safe_url(actor.homepage),
        stances=stances,
        agree=agree,
        disagree=disagree,
        exchanges=[{"name": site._actor_name(b), "href": Paths.exchange(aid, b)} for b in partners],
        sources=[site._source_row(s) for s in site.authored.get(aid, [])],
    )


def actor_index_pages(site: Site) -> Iterator[Page]:
    """Yield the actor index."""
    yield single_page(site, "actors.html", "Actors", actor_index_context)


def actor_pages(site: Site) -> Iterator[Page]:
    """Yield each actor's page."""
    for aid in sorted(site.kb.actors):
        yield record_page(site, Paths.actor(aid), actor_page, aid)


ACTOR_INDEX = PageFamily("actor-index", "The index of every actor.", actor_index_pages)
ACTORS = PageFamily(
    "actors", "Each actor's page: their stances, allies, opponents and writings.", actor_pages
)
