"""The source index, and each source's page: its citation, what quotes it, what it cites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.model.records import Evidence, Relation, Stance
from kb.site.families.base import record_page, single_page
from kb.site.page import Page, PageFamily, View
from kb.site.paths import Paths, doi_url, safe_url
from kb.site.settings import POSITION_VERB

if TYPE_CHECKING:
    from kb.site.site import Site


def source_index_context(site: Site) -> dict[str, Any]:
    """Return the source index's context."""
    sources = site.kb.sources
    order = sorted(sources, key=lambda s: (sources[s].date or "0000", s), reverse=True)
    return {"rows": [site._source_listing(sid) for sid in order]}


def _quoted(site: Site, rec: Stance | Evidence | Relation) -> tuple[str, str]:
    """Return what a quoting record says of its claim, and the claim."""
    if isinstance(rec, Stance):
        return f"{site._actor_name(rec.actor)} {POSITION_VERB[rec.position.value]}", rec.claim
    if isinstance(rec, Evidence):
        verb = "supports" if rec.direction.value == "supports" else "rebuts"
        return f"Evidence that {verb}", rec.claim
    claim = rec.from_ if rec.type.value == "undercuts" else rec.to
    return f"Argument that {rec.type.value}", claim


def _quotes(site: Site, sid: str) -> list[View]:
    """Return the passages of a source that records quote, in the order of their locators."""
    quotes = []
    for rec in sorted(site.quoting.get(sid, []), key=lambda r: (r.locator or "", r.id)):
        what, claim = _quoted(site, rec)
        quotes.append(
            View(
                id=rec.id,
                quote=rec.quote,
                locator=rec.locator,
                what=what,
                claim=claim,
                claim_text=site.claim_text(claim),
                href=Paths.claim(claim) if claim in site.kb.claims else None,
            )
        )
    return quotes


def source_page(site: Site, sid: str) -> str:
    """Render a source's page."""
    kb = site.kb
    src = kb.sources[sid]
    quotes = _quotes(site, sid)
    authors = [
        {"id": a, "name": kb.actors[a].name, "href": Paths.actor(a)}
        for a in src.authors
        if a in kb.actors
    ]
    return site.render(
        "source.html",
        Paths.source(sid),
        title=src.title,
        src=src,
        authors=authors,
        citation=site.citation(src),
        link=site._source_link(sid),
        doi=doi_url(src.doi),
        arxiv=f"https://arxiv.org/abs/{src.arxiv}" if src.arxiv else None,
        archived=safe_url(src.archived_url),
        quotes=quotes,
        claims=[site.claim_row(c) for c in site.graph.claims_citing(sid)],
        cites=[site._source_row(s) for s in site.graph.cites(sid)],
        cited_by=[site._source_row(s) for s in site.graph.cited_by(sid)],
        cited_via=site._source_row(src.cited_via) if src.cited_via in kb.sources else None,
        badge_html=site.badge,
    )


def source_index_pages(site: Site) -> Iterator[Page]:
    """Yield the source index."""
    yield single_page(site, "sources.html", "Sources", source_index_context)


def source_pages(site: Site) -> Iterator[Page]:
    """Yield each source's page."""
    for sid in sorted(site.kb.sources):
        yield record_page(site, Paths.source(sid), source_page, sid)


SOURCE_INDEX = PageFamily("source-index", "The index of every source.", source_index_pages)
SOURCES = PageFamily(
    "sources", "Each source's page: its citation and the passages quoted from it.", source_pages
)
