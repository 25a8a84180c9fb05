"""Tracking what a page reads while it renders, so that a rebuild re-renders only what changed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Key = tuple[str, Any]  # (namespace, key): "" holds record IDs, "*" whole collections


class Reads:
    """The keys read while the current page renders (None when nothing is tracked)."""

    now: set[Key] | None = None


class _Tracking(dict[Any, Any]):
    """The methods of a tracking dict: every key read and every full scan is noted in Reads."""

    # Made into a dict and a defaultdict once each (TrackedDict, TrackedDefaultdict); both inherit
    # these methods from dict alone, so dict's own are called. `_base` makes copies and pickles.

    __slots__ = ()  # the attributes' slots are the subclasses': defaultdict has its own layout
    _base: Any
    _ns: str
    _all: Key
    _keys: Key
    _has: str

    def __getitem__(self, key: Any) -> Any:
        if Reads.now is not None:
            Reads.now.add((self._ns, key))
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        if Reads.now is not None:
            Reads.now.add((self._ns, key))
        return dict.get(self, key, default)

    def __contains__(self, key: Any) -> bool:
        # Only presence was seen: it changes when the key comes or goes, not its value.
        if Reads.now is not None:
            Reads.now.add((self._has, key))
        return dict.__contains__(self, key)

    def _scan(self) -> None:
        """Note a read of every key and value."""
        if Reads.now is not None:
            Reads.now.add(self._all)

    def _scan_keys(self) -> None:
        """Note a read of the key set alone: values read later through [] note their own keys."""
        if Reads.now is not None:
            Reads.now.add(self._keys)

    def __iter__(self) -> Any:
        self._scan_keys()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._scan_keys()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._scan_keys()
        return dict.keys(self)

    def values(self) -> Any:
        self._scan()
        return dict.values(self)

    def items(self) -> Any:
        self._scan()
        return dict.items(self)

    def copy(self) -> Any:
        self._scan()
        return self._base(self)

    def __eq__(self, other: object) -> bool:
        self._scan()
        return dict.__eq__(self, other)

    __hash__ = None

    def __reduce__(self) -> Any:
        return (self._base, (), None, None, iter(dict.items(self)))


class TrackedDict(_Tracking):
    """A dict that notes every key read and every full scan."""

    __slots__ = ("_ns", "_all", "_keys", "_has")
    _base = dict


class TrackedDefaultdict(_Tracking, defaultdict[Any, Any]):
    """A defaultdict that notes every key read and every full scan."""

    __slots__ = ("_ns", "_all", "_keys", "_has")
    _base = defaultdict


def tracked(value: dict[Any, Any], ns: str, name: str) -> dict[Any, Any]:
    """Return a tracking copy of a dict or defaultdict."""
    # Reads note (ns, key), full scans ('*', name), scans of the keys alone ('#', name), membership
    # tests (ns + '?', key).
    out: _Tracking
    if isinstance(value, defaultdict):
        out = TrackedDefaultdict(value.default_factory, value)
    elif type(value) is dict:
        out = TrackedDict(value)
    else:
        raise TypeError(f"cannot track reads of a {type(value).__name__}")
    out._ns, out._all, out._keys, out._has = ns, ("*", name), ("#", name), ns + "?"
    return out


def untracked(value: Any) -> Any:
    """Return the plain dict behind a tracking copy, the object behind Calls (or the value)."""
    cls = type(value)
    if cls is Calls:
        return value.__dict__["_inner"]
    if cls is TrackedDict or cls is TrackedDefaultdict:
        base: Any = cls._base
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
        ns = self._ns

        def call(*args: Any, **kwargs: Any) -> Any:
            now = Reads.now
            if now is not None:
                for arg in args:
                    if isinstance(arg, str):
                        now.add((ns, arg))
                for arg in kwargs.values():
                    if isinstance(arg, str):
                        now.add((ns, arg))
            return attr(*args, **kwargs)

        # Kept, so that the next call of the method skips this lookup: pages call a few methods
        # (a claim's standing, its links) a great many times.
        self.__dict__[name] = call
        return call
