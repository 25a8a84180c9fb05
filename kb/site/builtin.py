"""The built-in page families, registered as a plugin like any other, in the site's page order."""

from __future__ import annotations

import kb.plugins
from kb.site.families import (
    about,
    actors,
    claims,
    exchanges,
    feeds,
    home,
    matrix,
    overview,
    questions,
    sources,
    tags,
    timeline,
)
from kb.site.page import PageFamily


@kb.plugins.hookimpl
def kb_page_families() -> list[PageFamily]:
    """Return the built-in page families: the site's own pages, then a page per record."""
    return [
        home.HOME,
        claims.CLAIM_INDEX,
        sources.SOURCE_INDEX,
        actors.ACTOR_INDEX,
        tags.TAG_INDEX,
        matrix.MATRIX,
        overview.MAP,
        timeline.TIMELINE,
        about.SEARCH,
        about.DOWNLOADS,
        about.METHOD,
        home.HOW_TO_READ,
        about.NOT_FOUND,
        feeds.FEED,
        feeds.SITEMAP,
        questions.QUESTIONS,
        claims.CLAIMS,
        sources.SOURCES,
        actors.ACTORS,
        tags.TAGS,
        exchanges.EXCHANGES,
        timeline.TIMELINE_YEARS,
        claims.CLAIM_INDEX_PARTS,
    ]
