"""Parsed values that remember where they stand, and where a record and its fields stand."""

from __future__ import annotations

from array import array
from typing import Any

from kb.errors import Location

# Positions are kept as flat arrays of 1-based (line, col) pairs, one array per collection:
# a tuple and a dict entry per position held most of a loaded knowledge base's memory.
Positions = array  # array('I')


def positions(line: int, col: int) -> array[int]:
    """Return a new positions array that starts at (line, col)."""
    return array("I", (line, col))


class LocDict(dict[str, Any]):
    """A mapping that remembers where it, each key and each value stands (1-based line, col)."""

    # pos: the mapping's start, then for each key in order its key's and its value's position.
    __slots__ = ("pos",)
    pos: array[int]

    @property
    def start(self) -> tuple[int, int]:
        """Return where the mapping starts."""
        pos = self.pos
        return pos[0], pos[1]

    def _slot(self, key: str) -> int:
        """Return where a key's four numbers begin in pos, or -1."""
        for i, name in enumerate(self):
            if name == key:
                at = 2 + 4 * i
                return at if at + 4 <= len(self.pos) else -1
        return -1

    def key_at(self, key: str) -> tuple[int, int] | None:
        """Return where a key stands, or None when the mapping has no such key."""
        at = self._slot(key)
        return None if at < 0 else (self.pos[at], self.pos[at + 1])

    def value_at(self, key: str) -> tuple[int, int] | None:
        """Return where a key's value stands, or None when the mapping has no such key."""
        at = self._slot(key)
        return None if at < 0 else (self.pos[at + 2], self.pos[at + 3])

    @property
    def keys_at(self) -> dict[str, tuple[int, int]]:
        """Return where each key stands."""
        pos = self.pos
        return {
            k: (pos[2 + 4 * i], pos[3 + 4 * i]) for i, k in enumerate(self) if 6 + 4 * i <= len(pos)
        }

    @property
    def values_at(self) -> dict[str, tuple[int, int]]:
        """Return where each value stands."""
        pos = self.pos
        return {
            k: (pos[4 + 4 * i], pos[5 + 4 * i]) for i, k in enumerate(self) if 6 + 4 * i <= len(pos)
        }


class LocList(list[Any]):
    """A sequence that remembers where it and each item stands."""

    # pos: the sequence's start, then each item's position.
    __slots__ = ("pos",)
    pos: array[int]

    @property
    def start(self) -> tuple[int, int]:
        """Return where the sequence starts."""
        pos = self.pos
        return pos[0], pos[1]

    def item_at(self, index: int) -> tuple[int, int] | None:
        """Return where an item stands, or None past the end."""
        at = 2 + 2 * index
        if index < 0 or at + 2 > len(self.pos):
            return None
        return self.pos[at], self.pos[at + 1]

    @property
    def items_at(self) -> list[tuple[int, int]]:
        """Return where each item stands."""
        pos = self.pos
        return [(pos[i], pos[i + 1]) for i in range(2, len(pos) - 1, 2)]


class Where:
    """Where a record stands, with the positions of its fields (in its parsed mapping)."""

    __slots__ = ("path", "start", "raw", "fixed")

    def __init__(
        self,
        path: str,
        start: tuple[int, int],
        raw: LocDict | None = None,
        fixed: bool = False,  # a record derived from one list item: every field points at it
    ) -> None:
        self.path = path
        self.start = start
        self.raw = raw
        self.fixed = fixed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Where):
            return NotImplemented
        return (self.path, self.start, self.fixed, self.raw, self._pos()) == (
            other.path,
            other.start,
            other.fixed,
            other.raw,
            other._pos(),
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return f"Where({self.path!r}, {self.start!r}, fixed={self.fixed!r})"

    def _pos(self) -> array[int] | None:
        return self.raw.pos if self.raw is not None else None

    def __getstate__(self) -> tuple[str, tuple[int, int], LocDict | None, bool]:
        return self.path, self.start, self.raw, self.fixed

    def __setstate__(self, state: tuple[str, tuple[int, int], LocDict | None, bool]) -> None:
        self.path, self.start, self.raw, self.fixed = state

    @property
    def location(self) -> Location:
        return Location(self.path, *self.start)

    def key(self, name: str) -> Location:
        """Return the location of a key, falling back to the record's start."""
        if self.fixed or self.raw is None:
            return self.location
        return Location(self.path, *(self.raw.key_at(name) or self.start))

    def value(self, name: str, index: int | None = None) -> Location:
        """Return the location of a field's value (or of one item of a list value)."""
        raw = self.raw
        if self.fixed or raw is None:
            return self.location
        if index is not None:
            items = raw.get(name)
            if isinstance(items, LocList) and (at := items.item_at(index)):
                return Location(self.path, *at)
        return Location(self.path, *(raw.value_at(name) or raw.key_at(name) or self.start))

    def at(self, loc: tuple[Any, ...]) -> Location:
        """Return the location of a nested pydantic error path inside the raw record."""
        node: Any = self.raw
        here = self.start
        for part in loc:
            if isinstance(node, LocDict) and part in node:
                here = node.value_at(part) or here
                node = node[part]
            elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
                here = node.item_at(part) or here
                node = node[part]
            else:
                break
        return Location(self.path, *here)
