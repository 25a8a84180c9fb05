"""A claim as schema.org JSON-LD, and the script element that carries it in a page."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kb.model.kb import KnowledgeBase
from kb.model.records import (
    Position,
    Stance,
)

_SCHEMA_TYPES = {
    "paper": "ScholarlyArticle",
    "preprint": "ScholarlyArticle",
    "blog-post": "BlogPosting",
    "newsletter": "Article",
    "book": "Book",
    "chapter": "Chapter",
    "talk": "CreativeWork",
    "podcast": "PodcastEpisode",
    "video": "VideoObject",
    "dataset": "Dataset",
    "social-post": "SocialMediaPosting",
    "report": "Report",
    "web-page": "WebPage",
}


def _person(kb: KnowledgeBase, actor_id: str) -> dict[str, Any]:
    actor = kb.actors.get(actor_id)
    if actor is None:
        return {"@type": "Person", "name": actor_id}
    data: dict[str, Any] = {
        "@type": "Person" if actor.kind.value == "person" else "Organization",
        "name": actor.name,
    }
    if actor.homepage:
        data["url"] = actor.homepage
    return data


def _creative_work(kb: KnowledgeBase, source_id: str) -> dict[str, Any]:
    source = kb.sources[source_id]
    data: dict[str, Any] = {"@type": _SCHEMA_TYPES[source.kind.value], "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date
    if source.authors:
        data["author"] = [_person(kb, a) for a in source.authors]
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.doi:
        data["identifier"] = f"https://doi.org/{source.doi}"
    return data


def claim_jsonld(
    kb: KnowledgeBase,
    claim_id: str,
    url: str | None = None,
    stances: Iterable[Stance] | None = None,
) -> dict[str, Any]:
    """Return a schema.org Claim: its text, the works it appears in, and who asserts it."""
    # Pass the claim's `stances` (e.g. `KBGraph.stances_on(claim_id)`) when rendering many claims;
    # without them every stance of the knowledge base is scanned.
    claim = kb.claims[claim_id]
    if stances is None:
        stances = [s for s in kb.stances.values() if s.claim == claim_id]
    stances = sorted(stances, key=lambda s: s.id)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "identifier": claim.id,
        "name": claim.text,
        "text": claim.text,
    }
    if url:
        data["@id"] = url
        data["url"] = url
    if claim.tags:
        data["keywords"] = list(claim.tags)
    sources = sorted({s.source for s in stances if s.source in kb.sources})
    if sources:
        works = [_creative_work(kb, s) for s in sources]
        data["appearance"] = works
        dated = [w for w in works if "datePublished" in w]
        if dated:
            data["firstAppearance"] = min(dated, key=lambda w: w["datePublished"])
    authors = sorted({s.actor for s in stances if s.position is Position.asserts})
    if authors:
        data["author"] = [_person(kb, a) for a in authors]
    return data


def jsonld_script(data: dict[str, Any]) -> str:
    """Return JSON-LD as a script element that is safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'
