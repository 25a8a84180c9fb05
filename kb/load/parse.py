"""Read YAML text into located values: a fast reader of events, and an exact one of nodes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from kb.errors import Location, Problem, Severity
from kb.errors.codes import Code
from kb.load.depth import (
    MAX_DEPTH,
    _BaseLoader,
    _depth_bound,
    _too_deep_at,
    _too_deep_problem,
    _YamlProblem,
)
from kb.model.located import LocDict, LocList, closed, positions

MAX_ALIASES = 100
_SAFE_COMPOSE_DEPTH = 2000
STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)


class _Loader(_BaseLoader):
    """The safe C loader, with a fast path for the plain strings that make up most values."""

    _maybe_typed = frozenset("0123456789+-.~:nNtTfFyYoO<=")
    _str_tag = STR_TAG

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and value and implicit[0] and value[0] not in self._maybe_typed:
            return self._str_tag
        if kind is yaml.ScalarNode and not implicit[0] and implicit[1]:
            return self._str_tag
        # reason: PyYAML's stubs leave resolve untyped; it returns a tag.
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns composed YAML nodes into LocDict / LocList / scalars, bounding aliases and depth."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.seen: set[int] = set()
        self.aliases = 0

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        # `depth` collections enclose the node: a collection there would open level depth + 1,
        # counted as _too_deep_at counts, so both refuse the same level.
        if depth >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
            line, col = _mark(node)
            raise _YamlProblem(
                Code.KB007, line, col, f"nesting deeper than {MAX_DEPTH} levels", "flatten the data"
            )
        if not isinstance(node, yaml.ScalarNode):
            key = id(node)
            if key in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    line, col = _mark(node)
                    raise _YamlProblem(
                        Code.KB005,
                        line,
                        col,
                        f"more than {MAX_ALIASES} alias uses in one file",
                        "write the values out instead of repeating anchors",
                    )
            self.seen.add(key)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ_TAG:
                self._bad_tag(node)
            out = LocList()
            out.pos = marks = positions(*_mark(node))
            for item in node.value:
                out.append(self.build(item, depth + 1))
                m = item.start_mark
                marks.extend((m.line + 1, m.column + 1))
            out.pos = closed(marks)
            return out
        if node.tag == STR_TAG:
            return node.value
        if node.tag not in _SCALAR_TAGS:  # !!binary, !!python/..., local tags
            self._bad_tag(node)
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError:
            self._bad_tag(node)
        except (ValueError, OverflowError):
            # An impossible timestamp such as 2024-02-30: the models report it as a bad date.
            return node.value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LocDict:
        if node.tag != MAP_TAG:
            self._bad_tag(node)
        out = LocDict()
        out.pos = marks = positions(*_mark(node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise _YamlProblem(
                    Code.KB008,
                    line,
                    col,
                    "a mapping key must be a plain word",
                    "write 'key: value'",
                )
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in out:
                line, col = _mark(key_node)
                first = out.key_at(key) or out.start
                raise _YamlProblem(
                    Code.KB004,
                    line,
                    col,
                    f"duplicate key {key!r} (first at line {first[0]})",
                    "remove one of the two",
                )
            out[key] = self.build(value_node, depth + 1)
            k, v = key_node.start_mark, value_node.start_mark
            marks.extend((k.line + 1, k.column + 1, v.line + 1, v.column + 1))
        out.pos = closed(marks)
        return out

    def _bad_tag(self, node: yaml.Node) -> None:
        line, col = _mark(node)
        raise _YamlProblem(
            Code.KB006,
            line,
            col,
            f"YAML tag {node.tag!r} is not allowed",
            "remove the tag; only plain YAML values are read",
        )


class _Fallback(Exception):
    """Raised by the fast reader when a file needs the exact, slower reader to be judged."""


_FAST_DEPTH = MAX_DEPTH - 1  # below both readers' bounds, so a file read fast is never refused
_Scalar, _MapStart, _SeqStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MapEnd, _SeqEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
_DocStart, _DocEnd = yaml.DocumentStartEvent, yaml.DocumentEndEvent
_StreamEnd = yaml.StreamEndEvent
# First characters of plain scalars that may be numbers, dates, null or merge keys.
_TYPED_FIRST = frozenset(
    k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k and not k.isalpha()
)
# Plain words that YAML 1.1 reads as booleans or null; other plain text starting with a letter
# is always a string (tests/test_load.py checks this against PyYAML's resolver).
_TYPED_WORDS = frozenset(
    word
    for stem in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (stem, stem.capitalize(), stem.upper())
)


def _fast_parse(text: str) -> list[Any]:
    """Read the documents of a plain YAML text straight from LibYAML's events."""
    # Builds the same located values as the exact reader (compose, then _Builder) without composing
    # nodes, which cost more than half of loading. Anything that reader would refuse or treat
    # specially (a syntax error, a tag, an anchor or alias, a duplicate or complex key, deep
    # nesting, a scalar it could not construct) raises _Fallback, so that it judges the file.
    loader = _Loader(text)
    try:
        return _read_events(loader)
    except yaml.YAMLError:
        raise _Fallback from None
    finally:
        loader.dispose()


def _read_events(loader: Any) -> list[Any]:
    """Build the located values of every document from the loader's events."""
    get_event: Callable[[], Any] = loader.get_event  # an event of one of the types tested below
    maybe_typed, typed_words = _TYPED_FIRST, _TYPED_WORDS
    docs: list[Any] = []
    # The open collection and where its next item goes, in locals for speed; the enclosing
    # ones wait on the stack. mode: 0 document, 1 sequence, 2 mapping key, 3 mapping value.
    stack: list[tuple[Any, ...]] = []
    cur: Any = docs
    mode = 0
    key: Any = None
    key_at: Any = None
    get_event()  # the stream's start
    while True:
        event = get_event()
        kind = type(event)
        # Anchors alone change nothing: only an alias (which falls back) could repeat a value.
        if kind is _Scalar:
            value: Any = event.value
            implicit = event.implicit
            # Most scalars are plain text; the rest may be typed, tagged or need the exact reader.
            if (
                event.tag is not None
                or not (implicit[0] or implicit[1])
                or (implicit[0] and (not value or value[0] in maybe_typed or value in typed_words))
            ):
                value = _special_scalar(loader, event)
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
        elif kind is _MapStart or kind is _SeqStart:
            opened = _open(event, len(stack), mode)
            stack.append((cur, mode, key, key_at))
            cur, mode = opened, 2 if kind is _MapStart else 1
            continue
        elif kind is _MapEnd or kind is _SeqEnd:
            value = cur
            at = _close(cur)
            cur, mode, key, key_at = stack.pop()
        elif kind is _DocStart or kind is _DocEnd:
            continue
        elif kind is _StreamEnd:
            return docs
        else:  # an alias
            raise _Fallback
        if mode == 3:
            cur[key] = value
            cur.pos.extend(key_at + at)
            mode = 2
        elif mode == 2:
            key = value if type(value) is str else _key_text(value)
            if key in cur:
                raise _Fallback
            key_at = at
            mode = 3
        elif mode == 1:
            cur.append(value)
            cur.pos.extend(at)
        else:
            docs.append(value)


def _special_scalar(loader: Any, event: Any) -> Any:
    """Return a scalar that is not plain text, or raise _Fallback where the exact reader judges."""
    if event.tag is not None or not (event.implicit[0] or event.implicit[1]):
        raise _Fallback
    return _typed_scalar(loader, event)


def _open(event: Any, depth: int, mode: int) -> LocDict | LocList:
    """Return the empty located collection an event opens, at depth open collections."""
    if event.tag is not None or depth >= _FAST_DEPTH:
        raise _Fallback
    if mode == 2:  # a collection as a mapping key
        raise _Fallback
    mark = event.start_mark
    opened: LocDict | LocList
    opened = LocDict() if type(event) is _MapStart else LocList()
    opened.pos = positions(mark.line + 1, mark.column + 1)
    return opened


def _close(opened: LocDict | LocList) -> tuple[int, int]:
    """Close a collection's positions into bytes; return where it starts."""
    opened.pos = closed(opened.pos)
    return opened.start


def _key_text(value: Any) -> str:
    """Return a mapping key as the text the exact reader makes of it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _typed_scalar(loader: Any, event: Any) -> Any:
    """Resolve and construct a plain scalar that may be a number, date, boolean or null."""
    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == STR_TAG:
        return event.value
    if tag not in _SCALAR_TAGS:  # '<<' or '=': the exact reader refuses them
        raise _Fallback
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError):
        return event.value  # an impossible date: the models report it, as the exact reader does
    except yaml.YAMLError:
        raise _Fallback from None


def parse_yaml(text: str, path: str) -> tuple[list[Any], list[Problem]]:
    """Parse every document of a YAML text into located values, or report why not."""
    try:
        return _fast_parse(text), []
    except _Fallback:
        return _parse_exact(text, path)


def _parse_exact(text: str, path: str) -> tuple[list[Any], list[Problem]]:
    """Parse through composed nodes, which judge every hostile or unusual file exactly."""
    loader = _Loader(text)
    builder = _Builder(loader)
    docs: list[Any] = []
    try:
        # Composing recurses in C: refuse deep nesting first where it could overflow the stack.
        if _depth_bound(text) > _SAFE_COMPOSE_DEPTH and (at := _too_deep_at(text)):
            raise _too_deep_problem(at)
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(builder.build(node))
    except _YamlProblem as exc:
        return [], [
            Problem(exc.code, Severity.error, Location(path, exc.line, exc.col), str(exc), exc.hint)
        ]
    except yaml.YAMLError as exc:
        if at := _too_deep_at(text):  # the reader's own nesting limit stopped it before ours
            deep = _too_deep_problem(at)
            return [], [
                Problem(Code.KB007, Severity.error, Location(path, *at), str(deep), deep.hint)
            ]
        return [], [_syntax_problem(exc, text, path)]
    except RecursionError:
        return [], [
            Problem(
                Code.KB007,
                Severity.error,
                Location(path, 1, 1),
                "nesting too deep",
                "flatten the data",
            )
        ]
    finally:
        loader.dispose()
    return docs, []


def _syntax_problem(exc: yaml.YAMLError, text: str, path: str) -> Problem:
    """Locate a YAML syntax error, with a hint for the usual mistakes."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        hint = "fix the YAML syntax"
        return Problem(Code.KB001, Severity.error, Location(path, 1, 1), str(exc), hint)
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    lines = text.split("\n", line)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    tabbed = "\t" in message or "tab" in message or "\t" in here
    hint = (
        "YAML indents with spaces, never tabs"
        if tabbed
        else "check the indentation, colons and quotes around this point"
    )
    return Problem(Code.KB001, Severity.error, Location(path, line, col), message, hint)
