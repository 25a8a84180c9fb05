"""Parsed values that remember where they stand, and where a record and its fields stand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.errors import Location


class LocDict(dict[str, Any]):
    """A mapping that remembers where each key and value stands (1-based line, col)."""

    __slots__ = ("start", "keys_at", "values_at")
    start: tuple[int, int]
    keys_at: dict[str, tuple[int, int]]
    values_at: dict[str, tuple[int, int]]


class LocList(list[Any]):
    """A sequence that remembers where each item stands."""

    __slots__ = ("start", "items_at")
    start: tuple[int, int]
    items_at: list[tuple[int, int]]


@dataclass
class Where:
    """Where a record stands, with the positions of its fields."""

    path: str
    start: tuple[int, int]
    keys_at: dict[str, tuple[int, int]] = field(default_factory=dict)
    values_at: dict[str, tuple[int, int]] = field(default_factory=dict)
    raw: Any = None
    fixed: bool = False  # a record derived from one list item: every field points at it

    @property
    def location(self) -> Location:
        return Location(self.path, *self.start)

    def key(self, name: str) -> Location:
        """Return the location of a key, falling back to the record's start."""
        if self.fixed:
            return self.location
        return Location(self.path, *self.keys_at.get(name, self.start))

    def value(self, name: str, index: int | None = None) -> Location:
        """Return the location of a field's value (or of one item of a list value)."""
        if self.fixed:
            return self.location
        if index is not None and isinstance(self.raw, LocDict):
            items = self.raw.get(name)
            if isinstance(items, LocList) and index < len(items.items_at):
                return Location(self.path, *items.items_at[index])
        return Location(self.path, *self.values_at.get(name, self.keys_at.get(name, self.start)))

    def at(self, loc: tuple[Any, ...]) -> Location:
        """Return the location of a nested pydantic error path inside the raw record."""
        node: Any = self.raw
        here = self.start
        for part in loc:
            if isinstance(node, LocDict) and part in node:
                here = node.values_at.get(part, here)
                node = node[part]
            elif isinstance(node, LocList) and isinstance(part, int) and part < len(node):
                here = node.items_at[part]
                node = node[part]
            else:
                break
        return Location(self.path, *here)
