"""How a family makes a page whose template takes a context computed only when it renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kb.site.page import Page

if TYPE_CHECKING:
    from kb.site.site import Site

Context = Callable[["Site"], dict[str, Any]]


def single_page(site: Site, path: str, title: str | None, context: Context) -> Page:
    """Return the page at path, rendered from the template of the same name with a context."""

    def render() -> str:
        return site.render(path, path, title=title, **context(site))

    return Page(path, render)


def record_page(site: Site, path: str, make: Callable[[Site, str], str], rid: str) -> Page:
    """Return the page at path that `make(site, rid)` renders: a record's, or one part's."""
    return Page(path, lambda: make(site, rid))
