"""The files for machines: the Atom feed of changed claims, and the sitemap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.site.families.base import single_page
from kb.site.page import Page, PageFamily

if TYPE_CHECKING:
    from kb.site.site import Site

FEED_ENTRIES = 50


def atom_date(date: str) -> str:
    """Return an RFC 3339 timestamp for a partial date."""
    parts = (date or "1970").split("-") + ["01", "01"]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def feed_context(site: Site) -> dict[str, Any]:
    """Return the Atom feed's entries: added and changed claims, newest first."""
    entries = []
    if site.dates:
        order = sorted(
            (c for c in site.kb.claims if c in site.dates),
            key=lambda c: (site.dates[c][1], c),
            reverse=True,
        )[:FEED_ENTRIES]
        for cid in order:
            added, changed = site.dates[cid]
            entries.append({**site.claim_row(cid), "added": added, "changed": changed})
    updated = entries[0]["changed"] if entries else site.reference_date
    return {"entries": entries, "updated": atom_date(updated), "atom_date": atom_date}


def sitemap_context(site: Site) -> dict[str, Any]:
    """Return every page of the sitemap."""
    paths = [p.path for p in site.pages() if p.path.endswith(".html") and p.path != "404.html"]
    return {"urls": sorted(paths)}


def feed_pages(site: Site) -> Iterator[Page]:
    """Yield the Atom feed."""
    yield single_page(site, "feed.xml", None, feed_context)


def sitemap_pages(site: Site) -> Iterator[Page]:
    """Yield the sitemap."""
    yield single_page(site, "sitemap.xml", None, sitemap_context)


FEED = PageFamily("feed", "The Atom feed of added and changed claims.", feed_pages)
SITEMAP = PageFamily("sitemap", "The sitemap of every page.", sitemap_pages)
