"""The nesting bound: where a YAML text first opens more levels than a record may have."""

from __future__ import annotations

from typing import Any

import yaml

from kb.errors.codes import Code

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without LibYAML
    # reason: the pure-Python reader stands in for the C one, which mypy sees as its type
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# What the readers import from here, the C reader included.
__all__ = [
    "MAX_DEPTH",
    "_BaseLoader",
    "_YamlProblem",
    "_depth_bound",
    "_too_deep_at",
    "_too_deep_problem",
]

MAX_DEPTH = 64


class _YamlProblem(Exception):
    """Raised inside the constructor to stop a file at its first structural problem."""

    def __init__(self, code: str, line: int, col: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.line, self.col, self.hint = code, line, col, hint


def _depth_bound(text: str) -> int:
    """Return a cheap upper bound on how deep the text's collections can nest."""
    # Each level opens a bracket or indents (or adds '- ', '? ') within a line.
    return text.count("[") + text.count("{") + 2 * max(map(len, text.split("\n"))) + 2


def _index(text: str, line: int, column: int) -> int:
    """Return the offset of a 0-based line and column in the text."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(start + column, len(text))


def _first_too_deep(reader: Any, text: str) -> tuple[int, int] | None:
    """Return where the reader's events first open more than MAX_DEPTH levels, or None."""
    events = reader(text)
    depth, last = 0, (0, 0)
    try:
        while events.check_event():
            event = events.get_event()
            last = (event.start_mark.line, event.start_mark.column)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return last[0] + 1, last[1] + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return None
    except yaml.YAMLError as exc:
        # The reader looks ahead (up to 1,024 characters for a possible key) and may stop, at a
        # syntax error or at a nesting limit of its own, before handing over the level past
        # ours. Only if the text it stopped in could open that many levels is it worth asking
        # the next reader; a plain syntax error is left to the parse that reports it.
        mark = getattr(exc, "problem_mark", None)
        stop = _index(text, mark.line, mark.column) if mark else len(text)
        window = text[_index(text, *last) : stop + 1]
        # Each level the reader may have read but not handed over opened at a '[', '{', '-',
        # '?' or (a block mapping, once its first key was read) ':' in that window.
        if depth + sum(window.count(c) for c in "[{-?:") > MAX_DEPTH:
            raise _DepthUnknown from None
        return None
    finally:
        events.dispose()


class _DepthUnknown(Exception):
    """Raised when a reader stopped where nesting may have gone too deep."""


# LibYAML's reader first (fast); PyYAML's own, which has no nesting limit, when LibYAML stops
# at its own (PyYAML 6.0.4's LibYAML refuses flow nesting near 1,000 levels, ahead of ours).
_DEPTH_READERS: tuple[Any, ...] = (_BaseLoader, yaml.SafeLoader)


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """Return the 1-based line and column of the first level past MAX_DEPTH, or None."""
    if _depth_bound(text) <= MAX_DEPTH:
        return None
    for reader in _DEPTH_READERS:
        try:
            return _first_too_deep(reader, text)
        except _DepthUnknown:
            continue
    return None


def _too_deep_problem(at: tuple[int, int]) -> _YamlProblem:
    """Return the problem of nesting too deep, at a 1-based line and column."""
    return _YamlProblem(
        Code.KB007, at[0], at[1], f"nesting deeper than {MAX_DEPTH} levels", "flatten the data"
    )
