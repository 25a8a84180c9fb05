"""The page of each two actors who answer each other: their exchanges, as threads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from kb.analysis.reader import exchange
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths

if TYPE_CHECKING:
    from kb.site.site import Site


def exchange_page(site: Site, a: str, b: str) -> str:
    """Render the page of two actors' exchanges, as threads."""
    data = exchange(site, a, b)
    title = f"{data['a']['name']} and {data['b']['name']}: their exchanges"
    page = Paths.exchange(a, b)
    return site.render("exchange.html", page, title=title, badge_html=site.badge, **data)


def _page(site: Site, a: str, b: str) -> Page:
    return Page(Paths.exchange(a, b), lambda: exchange_page(site, a, b))


def exchange_pages(site: Site) -> Iterator[Page]:
    """Yield the page of each two actors who disagree, once per pair."""
    for a, partners in sorted(site.exchanges.items()):
        for b in partners:
            if a < b:
                yield _page(site, a, b)


EXCHANGES = PageFamily(
    "exchanges", "The exchanges of each two actors who answer each other.", exchange_pages
)
