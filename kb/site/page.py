"""One file of the site, the families pages come in, and what a template shows of one item."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.site.site import Site


@dataclass
class Page:
    """One file of the site: where it goes and how to render it."""

    path: str
    render: Callable[[], str]


@dataclass(frozen=True)
class PageFamily:
    """A kind of page, and how to make every page of that kind for a site."""

    name: str
    description: str
    # Left out of the repr: the incremental builder fingerprints the site's attributes by repr.
    pages: Callable[[Site], Iterable[Page]] = field(repr=False, compare=False)


class View(SimpleNamespace):
    """What a template shows of one item, as attributes."""

    # Attributes, not a dict: Jinja reads a dict's keys only after a failed attribute lookup and its
    # exception, which a page of many items pays for every read.

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]
