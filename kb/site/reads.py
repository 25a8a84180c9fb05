"""Tracking what a page reads while it renders, so that a rebuild re-renders only what changed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Key = tuple[str, Any]  # (namespace, key): "" holds record IDs, "*" whole collections


class Reads:
    """The keys read while the current page renders (None when nothing is tracked)."""

    now: set[Key] | None = None


def _tracked_type(base: type) -> type:
    """Return a subclass of a dict type that notes every key read and every full scan."""

    class Tracked(base):  # type: ignore[valid-type, misc]
        __slots__ = ("_ns", "_all", "_keys", "_has")

        def __getitem__(self, key: Any) -> Any:
            if Reads.now is not None:
                Reads.now.add((self._ns, key))
            return base.__getitem__(self, key)

        def get(self, key: Any, default: Any = None) -> Any:
            if Reads.now is not None:
                Reads.now.add((self._ns, key))
            return base.get(self, key, default)

        def __contains__(self, key: Any) -> bool:
            # Only presence was seen: it changes when the key comes or goes, not its value.
            if Reads.now is not None:
                Reads.now.add((self._has, key))
            return base.__contains__(self, key)

        def _scan(self) -> None:
            if Reads.now is not None:
                Reads.now.add(self._all)

        def _scan_keys(self) -> None:
            # Only the key set was seen: values read later through [] note their own keys.
            if Reads.now is not None:
                Reads.now.add(self._keys)

        def __iter__(self) -> Any:
            self._scan_keys()
            return base.__iter__(self)

        def __len__(self) -> int:
            self._scan_keys()
            return base.__len__(self)

        def keys(self) -> Any:
            self._scan_keys()
            return base.keys(self)

        def values(self) -> Any:
            self._scan()
            return base.values(self)

        def items(self) -> Any:
            self._scan()
            return base.items(self)

        def copy(self) -> Any:
            self._scan()
            return base(self)

        def __eq__(self, other: object) -> bool:
            self._scan()
            return base.__eq__(self, other)

        __hash__ = None  # type: ignore[assignment]

        def __reduce__(self) -> Any:
            return (base, (), None, None, iter(base.items(self)))

    Tracked.__name__ = "Tracked" + base.__name__.capitalize()
    return Tracked


_TRACKED: dict[type, type] = {}


def tracked(value: dict, ns: str, name: str) -> dict:
    """Return a tracking copy of a dict; reads note (ns, key), full scans ('*', name), scans of
    the keys alone ('#', name), membership tests (ns + '?', key)."""
    base = type(value)
    cls = _TRACKED.get(base) or _TRACKED.setdefault(base, _tracked_type(base))
    out = cls(value.default_factory, value) if isinstance(value, defaultdict) else cls(value)
    out._ns, out._all, out._keys, out._has = ns, ("*", name), ("#", name), ns + "?"
    return out


def untracked(value: Any) -> Any:
    """Return the plain dict behind a tracking copy (or the value itself)."""
    cls = type(value)
    if cls in _TRACKED.values():
        base = cls.__mro__[1]
        if issubclass(base, defaultdict):
            return base(value.default_factory, base.items(value))
        return base(base.items(value))
    return value


class Calls:
    """Wraps an object so that every string argument of its methods counts as a read of (ns, it)."""

    def __init__(self, inner: Any, ns: str = "") -> None:
        self.__dict__["_inner"] = inner
        self.__dict__["_ns"] = ns

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name.startswith("__"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            now = Reads.now
            if now is not None:
                for arg in (*args, *kwargs.values()):
                    if isinstance(arg, str):
                        now.add((self._ns, arg))
            return attr(*args, **kwargs)

        return call
