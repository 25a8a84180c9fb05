"""Values computed once per build and shared by its pages, with the reads that made them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.site.reads import Key, Reads


class BuildMemo:
    """Values computed once per build and shared by its pages, each kept with what it read."""

    # Incremental builds re-render a page when a record it read changes: a page that takes a value
    # from here records the keys that computing it read, as if it had computed it itself.

    def __init__(self) -> None:
        self._found: dict[Any, tuple[Any, frozenset[Key]]] = {}

    def __repr__(self) -> str:
        # The build's fingerprint of global state includes the site's attributes' reprs.
        return "BuildMemo()"

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Return the value for key, computing it (and noting its reads) the first time."""
        found = self._found.get(key)
        outer = Reads.now
        if found is None:
            reads: set[Key] = set()
            Reads.now = reads
            try:
                value = compute()
            finally:
                Reads.now = outer
            found = self._found[key] = (value, frozenset(reads))
        if outer is not None and found[1]:
            outer |= found[1]
        return found[0]
