"""What the maps read of a site's standings: each claim's label."""

from __future__ import annotations

from typing import Protocol


class Labelled(Protocol):
    """A claim's standing, as far as maps read it."""

    @property
    def label(self) -> str:
        """Return the claim's label: accepted, defensible, undecided or rejected."""
        ...


class Standings(Protocol):
    """The standings of a site's claims, as far as maps read them."""

    def of(self, cid: str) -> Labelled:
        """Return a claim's standing."""
        ...
