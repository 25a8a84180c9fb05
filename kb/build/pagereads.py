"""Each page's reads, kept as arrays of numbers into one table of keys."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from kb.site.reads import Key

# A page reads about seventy keys, most of them shared with other pages: as a frozenset of its
# own it cost 4 KB (95 MB for 19,000 pages at 10,000 claims) and was the slowest part of the
# state file to save and load; as an array of 4-byte numbers it is 300 bytes.


class PageReads:
    """The keys each page read, by path: a table of distinct keys and one array per page."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.ids: dict[Key, int] = {}
        self.pages: dict[str, array[int]] = {}
        self.kept = 0  # keys in the table when it was last made afresh

    def encode(self, reads: Iterable[Key]) -> array[int]:
        """Return the numbers of keys, adding the new ones to the table."""
        ids, keys = self.ids, self.keys
        out = array("I")
        for key in reads:
            number = ids.get(key)
            if number is None:
                number = ids[key] = len(keys)
                keys.append(key)
            out.append(number)
        return out

    def copy(self) -> PageReads:
        """Return a copy whose pages can change without changing these (the table is shared)."""
        # The table only grows, so the copy's numbers keep their meaning here.
        other = PageReads()
        other.keys, other.ids, other.pages = self.keys, self.ids, dict(self.pages)
        other.kept = self.kept
        return other

    def __contains__(self, path: object) -> bool:
        return path in self.pages

    def get(self, path: str) -> frozenset[Key]:
        """Return the keys one page read."""
        return frozenset(self.keys[i] for i in self.pages[path])

    def numbers(self, keys: Iterable[Key]) -> set[int]:
        """Return the numbers of those keys that some page read."""
        ids = self.ids
        return {ids[key] for key in keys if key in ids}

    def touched(self, path: str, numbers: set[int]) -> bool:
        """Return whether the page read any of the keys with these numbers."""
        return not numbers.isdisjoint(self.pages[path])

    def trimmed(self) -> PageReads:
        """Return these reads, their table made afresh once it has grown to twice what it held."""
        # Keys that only pages since changed or gone read stay in the table until then: a long
        # `kb serve` session adds a few with each edit.
        if len(self.keys) <= 2 * self.kept + 1000:
            return self
        out = PageReads()
        for path, numbers in self.pages.items():
            out.pages[path] = out.encode(self.keys[i] for i in numbers)
        out.kept = len(out.keys)
        return out
