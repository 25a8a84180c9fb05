"""The pages about the site: search, downloads, how this map was made, and page not found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.analysis.engagement import method_context
from kb.site.families.base import single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths

if TYPE_CHECKING:
    from kb.site.site import Site


def search_context(site: Site) -> dict[str, Any]:
    """Return the search page's filters."""
    return {"kinds": sorted(site.kinds), "tags": sorted(site.tags)}


def downloads_context(site: Site) -> dict[str, Any]:
    """Return the downloadable files."""
    return {"downloads": site.downloads, "counts": site.kb.counts()}


def method_page_context(site: Site) -> dict[str, Any]:
    """Return the 'How this map was made' page: the texts, their checks, who answers whom."""
    return method_context(site.kb, Paths)


def not_found_context(site: Site) -> dict[str, Any]:
    """Return the 404 page's context: links go from the site root."""
    return {"home": site.base_url or "/"}


def search_pages(site: Site) -> Iterator[Page]:
    """Yield the search page."""
    yield single_page(site, "search.html", "Search", search_context)


def downloads_pages(site: Site) -> Iterator[Page]:
    """Yield the downloads page."""
    yield single_page(site, "downloads.html", "Downloads", downloads_context)


def method_pages(site: Site) -> Iterator[Page]:
    """Yield "How this map was made"."""
    yield single_page(site, "method.html", "How this map was made", method_page_context)


def not_found_pages(site: Site) -> Iterator[Page]:
    """Yield the page a server shows for a missing address."""
    yield single_page(site, "404.html", "Page not found", not_found_context)


SEARCH = PageFamily("search", "The search page and its filters.", search_pages)
DOWNLOADS = PageFamily("downloads", "The knowledge base in every export format.", downloads_pages)
METHOD = PageFamily("method", "How this map was made: its texts and checks.", method_pages)
NOT_FOUND = PageFamily("not-found", "The page shown for a missing address.", not_found_pages)
