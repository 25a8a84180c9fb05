"""Parsed values that remember where they stand, and where a record and its fields stand."""

from __future__ import annotations

from array import array
from typing import Any, TypeAlias

from kb.errors import Location

# Positions are kept as flat runs of 1-based (line, col) pairs of 4-byte numbers, one per
# collection: a tuple and a dict entry per position held most of a loaded knowledge base's memory.
# A reader grows an array, and closes it into bytes, which pickle as they are (nothing made anew
# to pickle, which a pickler's memo would keep alive to the end of a state's dump).
Positions: TypeAlias = "bytes | array[int]"  # an array while read, bytes once closed


def positions(line: int, col: int) -> array[int]:
    """Return a new positions array that starts at (line, col), to be grown then closed."""
    return array("I", (line, col))


def closed(pos: Positions) -> bytes:
    """Return positions as the bytes a collection keeps."""
    return pos if isinstance(pos, bytes) else pos.tobytes()


def numbers(pos: Positions) -> memoryview:
    """Return positions as a sequence of numbers."""
    return memoryview(pos).cast("B").cast("I")


class _Located:
    """What a located collection keeps: its positions, its start first; they are its pickle."""

    __slots__ = ()
    pos: Positions

    def __getstate__(self) -> Positions:
        return getattr(self, "pos", b"")  # one made empty, not read, has none

    def __setstate__(self, state: Positions) -> None:
        # reason: the slot is the subclasses' own (a mixin's slot would clash with dict's layout).
        self.pos = state  # type: ignore[misc]

    @property
    def start(self) -> tuple[int, int]:
        """Return where the collection starts."""
        pos = numbers(self.pos)
        return pos[0], pos[1]


class LocDict(_Located, dict[str, Any]):
    """A mapping that remembers where it, each key and each value stands (1-based line, col)."""

    # pos: the mapping's start, then for each key in order its key's and its value's position.
    __slots__ = ("pos",)

    def _pair(self, key: str, second: int) -> tuple[int, int] | None:
        """Return the key's (0) or its value's (2) position, or None."""
        for i, name in enumerate(self):
            if name == key:
                pos = numbers(self.pos)
                at = 2 + 4 * i + second
                return (pos[at], pos[at + 1]) if at + 2 <= len(pos) else None
        return None

    def key_at(self, key: str) -> tuple[int, int] | None:
        """Return where a key stands, or None when the mapping has no such key."""
        return self._pair(key, 0)

    def value_at(self, key: str) -> tuple[int, int] | None:
        """Return where a key's value stands, or None when the mapping has no such key."""
        return self._pair(key, 2)

    def _pairs(self, second: int) -> dict[str, tuple[int, int]]:
        """Return every key's (0) or every value's (2) position, by key."""
        pos = numbers(self.pos)
        return {
            k: (pos[2 + 4 * i + second], pos[3 + 4 * i + second])
            for i, k in enumerate(self)
            if 6 + 4 * i <= len(pos)
        }

    @property
    def keys_at(self) -> dict[str, tuple[int, int]]:
        """Return where each key stands."""
        return self._pairs(0)

    @property
    def values_at(self) -> dict[str, tuple[int, int]]:
        """Return where each value stands."""
        return self._pairs(2)


class LocList(_Located, list[Any]):
    """A sequence that remembers where it and each item stands."""

    # pos: the sequence's start, then each item's position.
    __slots__ = ("pos",)

    def item_at(self, index: int) -> tuple[int, int] | None:
        """Return where an item stands, or None past the end."""
        pos = numbers(self.pos)
        at = 2 + 2 * index
        if index < 0 or at + 2 > len(pos):
            return None
        return pos[at], pos[at + 1]

    @property
    def items_at(self) -> list[tuple[int, int]]:
        """Return where each item stands."""
        pos = numbers(self.pos)
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

    def _pos(self) -> bytes | None:
        return closed(self.raw.pos) if self.raw is not None else None

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
