"""The tag index, and each tag's page: the claims and questions filed under it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.site.families.base import record_page, single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths

if TYPE_CHECKING:
    from kb.site.site import Site


def tag_index_context(site: Site) -> dict[str, Any]:
    """Return the tag index's context."""
    tags = sorted(set(site.tags) | set(site.question_tags))
    return {
        "tags": [
            {
                "tag": t,
                "href": Paths.tag(t),
                "claims": len(site.tags.get(t, [])),
                "questions": len(site.question_tags.get(t, [])),
            }
            for t in tags
        ]
    }


def tag_page(site: Site, tag: str) -> str:
    """Render a tag's page."""
    return site.render(
        "tag.html",
        Paths.tag(tag),
        title=f"Tag: {tag}",
        tag=tag,
        claims=[site.claim_row(c) for c in site.tags.get(tag, [])],
        questions=[
            {"href": Paths.question(q), "title": site.kb.questions[q].title}
            for q in site.question_tags.get(tag, [])
        ],
    )


def tag_index_pages(site: Site) -> Iterator[Page]:
    """Yield the tag index."""
    yield single_page(site, "tags.html", "Tags", tag_index_context)


def tag_pages(site: Site) -> Iterator[Page]:
    """Yield each tag's page."""
    for tag in sorted(set(site.tags) | set(site.question_tags)):
        yield record_page(site, Paths.tag(tag), tag_page, tag)


TAG_INDEX = PageFamily("tag-index", "The index of every tag.", tag_index_pages)
TAGS = PageFamily("tags", "Each tag's page: the claims and questions filed under it.", tag_pages)
