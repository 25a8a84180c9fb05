"""Read the YAML files of a knowledge base into typed, located records."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kb.errors import Location, Problem, Severity, did_you_mean
from kb.load import files as kbfiles
from kb.load.files import (  # noqa: F401 (re-exported)
    CONFIG_NAME,
    MAX_FILE_BYTES,
    MAX_FOLDER_DEPTH,
    _kb009,
    _refused,
    decode,
    display_path,
    find_files,
    read_text,
)
from kb.model.records import (
    CLAIM_LINK_FIELDS,
    ID_RE,
    KINDS,
    MAX_ID_LENGTH,
    PLURALS,
    REVERSE_LINK_FIELDS,
    SYMMETRIC,
    Actor,
    Claim,
    Config,
    Evidence,
    Question,
    Record,
    Relation,
    RelationType,
    Source,
    Stance,
)

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without LibYAML
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_ALIASES = 100
MAX_DEPTH = 64
_SAFE_COMPOSE_DEPTH = 2000
STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)


class LocDict(dict):
    """A mapping that remembers where each key and value stands (1-based line, col)."""

    __slots__ = ("start", "keys_at", "values_at")


class LocList(list):
    """A sequence that remembers where each item stands."""

    __slots__ = ("start", "items_at")


class _YamlProblem(Exception):
    """Raised inside the constructor to stop a file at its first structural problem."""

    def __init__(self, code: str, line: int, col: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.line, self.col, self.hint = code, line, col, hint


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe C loader, with a fast path for the plain strings that make up most values."""

    _maybe_typed = frozenset("0123456789+-.~:nNtTfFyYoO<=")
    _str_tag = STR_TAG

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and value and implicit[0] and value[0] not in self._maybe_typed:
            return self._str_tag
        if kind is yaml.ScalarNode and not implicit[0] and implicit[1]:
            return self._str_tag
        return super().resolve(kind, value, implicit)


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
                "KB007", line, col, f"nesting deeper than {MAX_DEPTH} levels", "flatten the data"
            )
        if not isinstance(node, yaml.ScalarNode):
            key = id(node)
            if key in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    line, col = _mark(node)
                    raise _YamlProblem(
                        "KB005",
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
            out.start = _mark(node)
            out.items_at = marks = []
            for item in node.value:
                out.append(self.build(item, depth + 1))
                m = item.start_mark
                marks.append((m.line + 1, m.column + 1))
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
        out.start = _mark(node)
        out.keys_at = {}
        out.values_at = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise _YamlProblem(
                    "KB008", line, col, "a mapping key must be a plain word", "write 'key: value'"
                )
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in out:
                line, col = _mark(key_node)
                first = out.keys_at[key]
                raise _YamlProblem(
                    "KB004",
                    line,
                    col,
                    f"duplicate key {key!r} (first at line {first[0]})",
                    "remove one of the two",
                )
            out[key] = self.build(value_node, depth + 1)
            m = key_node.start_mark
            out.keys_at[key] = (m.line + 1, m.column + 1)
            m = value_node.start_mark
            out.values_at[key] = (m.line + 1, m.column + 1)
        return out

    def _bad_tag(self, node: yaml.Node) -> None:
        line, col = _mark(node)
        raise _YamlProblem(
            "KB006",
            line,
            col,
            f"YAML tag {node.tag!r} is not allowed",
            "remove the tag; only plain YAML values are read",
        )


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
        "KB007", at[0], at[1], f"nesting deeper than {MAX_DEPTH} levels", "flatten the data"
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
    """Read the documents of a plain YAML text straight from LibYAML's events.

    Builds the same located values as the exact reader (compose, then _Builder) without
    composing nodes, which cost more than half of loading. Anything that reader would refuse
    or treat specially (a syntax error, a tag, an anchor or alias, a duplicate or complex key,
    deep nesting, a scalar it could not construct) raises _Fallback, so that it judges the file.
    """
    loader = _Loader(text)
    get_event = loader.get_event
    maybe_typed, typed_words = _TYPED_FIRST, _TYPED_WORDS
    docs: list[Any] = []
    # The open collection and where its next item goes, in locals for speed; the enclosing
    # ones wait on the stack. mode: 0 document, 1 sequence, 2 mapping key, 3 mapping value.
    stack: list[tuple[Any, ...]] = []
    cur: Any = docs
    mode = 0
    key: Any = None
    key_at: Any = None
    keys_at: dict[str, tuple[int, int]] = {}
    values_at: dict[str, tuple[int, int]] = {}
    items_at: list[tuple[int, int]] = []
    try:
        get_event()  # the stream's start
        while True:
            event = get_event()
            kind = type(event)
            # Anchors alone change nothing: only an alias (which falls back) could repeat a value.
            if kind is _Scalar:
                if event.tag is not None:
                    raise _Fallback
                value: Any = event.value
                implicit = event.implicit
                if implicit[0]:
                    if not value or value[0] in maybe_typed or value in typed_words:
                        value = _typed_scalar(loader, event)
                elif not implicit[1]:
                    raise _Fallback
                mark = event.start_mark
                at = (mark.line + 1, mark.column + 1)
            elif kind is _MapStart or kind is _SeqStart:
                if event.tag is not None or len(stack) >= _FAST_DEPTH:
                    raise _Fallback
                if mode == 2:  # a collection as a mapping key
                    raise _Fallback
                stack.append((cur, mode, key, key_at, keys_at, values_at, items_at))
                mark = event.start_mark
                if kind is _MapStart:
                    cur = LocDict()
                    cur.keys_at = keys_at = {}
                    cur.values_at = values_at = {}
                    mode = 2
                else:
                    cur = LocList()
                    cur.items_at = items_at = []
                    mode = 1
                cur.start = (mark.line + 1, mark.column + 1)
                continue
            elif kind is _MapEnd or kind is _SeqEnd:
                value = cur
                at = cur.start
                cur, mode, key, key_at, keys_at, values_at, items_at = stack.pop()
            elif kind is _DocStart or kind is _DocEnd:
                continue
            elif kind is _StreamEnd:
                return docs
            else:  # an alias
                raise _Fallback
            if mode == 3:
                cur[key] = value
                keys_at[key] = key_at
                values_at[key] = at
                mode = 2
            elif mode == 2:
                if type(value) is not str:
                    value = str(value).lower() if isinstance(value, bool) else str(value)
                if value in cur:
                    raise _Fallback
                key, key_at = value, at
                mode = 3
            elif mode == 1:
                cur.append(value)
                items_at.append(at)
            else:
                docs.append(value)
    except yaml.YAMLError:
        raise _Fallback from None
    finally:
        loader.dispose()


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
            return [], [Problem("KB007", Severity.error, Location(path, *at), str(deep), deep.hint)]
        return [], [_syntax_problem(exc, text, path)]
    except RecursionError:
        return [], [
            Problem(
                "KB007",
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
        return Problem("KB001", Severity.error, Location(path, 1, 1), str(exc), hint)
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
    return Problem("KB001", Severity.error, Location(path, line, col), message, hint)


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


@dataclass
class KnowledgeBase:
    """Every record of a knowledge base, by kind, with where each one stands."""

    root: Path
    config: Config = field(default_factory=Config)
    questions: dict[str, Question] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    stances: dict[str, Stance] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    where: dict[str, Where] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    invalid_ids: set[str] = field(default_factory=set)

    def table(self, kind: str) -> dict[str, Any]:
        """Return the records of one kind ('claim', 'source', ...)."""
        return getattr(self, _TABLES[kind])

    def get(self, record_id: str) -> Record | None:
        """Return the record with this ID, of any kind."""
        for name in _TABLES.values():
            record = getattr(self, name).get(record_id)
            if record is not None:
                return record
        return None

    def kind_of(self, record_id: str) -> str | None:
        """Return the kind of the record with this ID."""
        record = self.get(record_id)
        return record.kind_name if record is not None else None

    def counts(self) -> dict[str, int]:
        """Return how many records of each kind there are."""
        return {plural: len(getattr(self, name)) for plural, name in _PLURAL_TABLES.items()}


_TABLES = {
    "question": "questions",
    "claim": "claims",
    "source": "sources",
    "actor": "actors",
    "stance": "stances",
    "evidence": "evidence",
    "relation": "relations",
}
_PLURAL_TABLES = {v if v != "evidence" else "evidence": v for v in _TABLES.values()}


def iter_records(doc: Any, path: str) -> Iterator[tuple[str, Any, tuple[int, int]] | Problem]:
    """Yield (kind, raw record, position) for each record of one YAML document."""
    if doc is None:
        return
    if not isinstance(doc, LocDict):
        yield Problem(
            "KB008",
            Severity.error,
            Location(path, *getattr(doc, "start", (1, 1))),
            "expected a mapping of record kinds (claims:, sources:, ...)",
            "start the file with a key such as 'claims:'",
        )
        return
    for key, value in doc.items():
        line, col = doc.keys_at[key]
        kind = PLURALS.get(key) or (key if key in KINDS else None)
        if kind is None:
            yield Problem(
                "KB008",
                Severity.error,
                Location(path, line, col),
                f"unknown record kind {key!r}",
                did_you_mean(key, [*PLURALS, *KINDS]) or f"expected one of {', '.join(PLURALS)}",
            )
            continue
        if value is None:
            continue
        if isinstance(value, LocList):
            for item, at in zip(value, value.items_at, strict=True):
                if isinstance(item, LocDict):
                    yield kind, item, at
                else:
                    yield Problem(
                        "KB102",
                        Severity.error,
                        Location(path, *at),
                        f"expected a {kind} record (a mapping), got {_type_name(item)}",
                        "write each record as 'key: value' lines under '- '",
                    )
        elif isinstance(value, LocDict):
            yield kind, value, doc.values_at[key]
        else:
            yield Problem(
                "KB102",
                Severity.error,
                Location(path, *doc.values_at[key]),
                f"expected a list of {kind} records, got {_type_name(value)}",
                f"write '{key}:' followed by records, each starting with '- '",
            )


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {str: "text", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "a list" if isinstance(value, list) else "a mapping"
    )


def _derived_id(kind: str, raw: LocDict) -> str | None:
    """Return the default ID of a stance, evidence or relation written without one."""

    def part(name: str, default: str = "") -> str:
        value = raw.get(name, default)
        return value if isinstance(value, str) else ""

    if kind == "stance":
        return f"{part('actor')}--{part('claim')}"
    if kind == "evidence":
        return f"{part('claim')}--{part('direction', 'supports')}--{part('source')}"
    if kind == "relation":
        return relation_id(part("from"), part("type"), part("to"))
    return None


def relation_id(source: str, rel_type: str, target: str) -> str:
    """Return the derived ID of a relation; symmetric ones are named in sorted order."""
    if rel_type in SYMMETRIC and target < source:
        source, target = target, source
    return f"{source}--{rel_type}--{target}"


_FIELD_ALIASES = {"from_": "from"}
_FORMAT_HINTS = {
    "doi": "a DOI looks like '10.48550/arXiv.2001.08361'",
    "arxiv": "an arXiv ID looks like '2001.08361' (quote it)",
    "archive": "a plain file name such as '000_source.txt'",
}


def _schema_problems(exc: ValidationError, kind: str, where: Where) -> list[Problem]:
    model = KINDS[kind]
    fields = [_FIELD_ALIASES.get(name, name) for name in model.model_fields]
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(_FIELD_ALIASES.get(p, p) if isinstance(p, str) else p for p in err["loc"])
        etype = err["type"]
        name = loc[-1] if loc else kind
        if etype == "extra_forbidden":
            parent = where.at(loc[:-1]) if len(loc) > 1 else None
            location = _key_location(where, loc) or parent or where.location
            hint = did_you_mean(str(name), fields) if len(loc) == 1 else None
            out.append(
                Problem(
                    "KB101",
                    Severity.error,
                    location,
                    f"unknown key {name!r} in {kind}",
                    hint or f"{kind} keys are: {', '.join(fields)}",
                )
            )
        elif etype == "missing":
            location = where.at(loc[:-1]) if len(loc) > 1 else where.location
            out.append(
                Problem(
                    "KB103",
                    Severity.error,
                    location,
                    f"{kind} is missing required key {name!r}",
                    f"add '{name}:'",
                )
            )
        else:
            code = "KB104" if loc == ("id",) else "KB102"
            got = err.get("input")
            shown = repr(got) if isinstance(got, (str, int, float, bool)) else _type_name(got)
            shown = shown if len(shown) <= 80 else f"{shown[:60]}... ({len(str(got))} characters)"
            message = f"{'.'.join(map(str, loc)) or kind}: {err['msg']} (got {shown})"
            hint = None
            if etype == "string_pattern_mismatch":
                message = f"{'.'.join(map(str, loc))}: {shown} is not a valid ID"
                hint = "IDs are lowercase letters, digits and hyphens, e.g. 'scaling-laws-hold'"
                if loc and loc[0] in ("doi", "arxiv", "archive"):
                    message = f"{loc[0]}: {shown} is not well formed"
                    hint = _FORMAT_HINTS[str(loc[0])]
            elif etype == "enum" and isinstance(got, str):
                allowed = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
                hint = did_you_mean(got, allowed, cutoff=0.5)
            if etype == "value_error" and name in ("date", "accessed", "resolves"):
                hint = "dates are written YYYY, YYYY-MM or YYYY-MM-DD"
            elif etype == "value_error" and "tag" in err["msg"]:
                hint = "tags are lowercase letters, digits and hyphens, e.g. 'scaling-laws'"
            hint = hint or _TYPE_HINTS.get(etype) or f"see '{kind}' in docs/format.md"
            out.append(Problem(code, Severity.error, where.at(loc), message, hint))
    return out


_TYPE_HINTS = {
    "string_type": "write plain text here",
    "string_too_long": "shorten it",
    "string_too_short": "write something, or leave the key out",
    "list_type": "write a list such as [a, b]",
    "float_parsing": "write a number such as 0.7",
    "float_type": "write a number such as 0.7",
    "less_than_equal": "write a number between 0 and 1",
    "greater_than_equal": "write a number between 0 and 1",
    "model_type": "write a mapping of 'key: value' lines",
    "model_attributes_type": "write a mapping of 'key: value' lines",
}


def _key_location(where: Where, loc: tuple[Any, ...]) -> Location | None:
    node: Any = where.raw
    for part in loc[:-1]:
        if isinstance(node, (LocDict, LocList)):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
    if isinstance(node, LocDict) and loc and loc[-1] in node.keys_at:
        return Location(where.path, *node.keys_at[loc[-1]])
    return None


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `kb.yaml` beside the records, if there is one."""
    path = root / CONFIG_NAME
    if not path.is_file() and not path.is_symlink():
        return Config(), []
    refused = _refused(path, Path(root).resolve())
    if refused:  # the settings obey the rule of every other file: no link out of the KB
        return Config(), [_kb009(path, *refused)]
    text, problem = read_text(path)
    if problem:
        return Config(), [problem]
    shown = display_path(path)
    docs, problems = parse_yaml(text or "", shown)
    if problems:
        return Config(), problems
    raw = docs[0] if docs else LocDict()
    if not isinstance(raw, LocDict):
        return Config(), [
            Problem(
                "KB008",
                Severity.error,
                Location(shown, 1, 1),
                "expected a mapping",
                "write settings as 'key: value' lines, e.g. 'title: ...'",
            )
        ]
    try:
        return Config.model_validate(dict(raw)), []
    except ValidationError as exc:
        where = Where(shown, raw.start, raw.keys_at, raw.values_at, raw)
        return Config(), [
            Problem(p.code, p.severity, p.location, p.message.replace(" in record", ""), p.hint)
            for p in _schema_problems_config(exc, where)
        ]


def _schema_problems_config(exc: ValidationError, where: Where) -> list[Problem]:
    return [
        Problem(
            "KB102",
            Severity.error,
            where.at(tuple(e["loc"])),
            f"kb.yaml: {'.'.join(map(str, e['loc']))}: {e['msg']}",
            f"kb.yaml keys are: {', '.join(Config.model_fields)}",
        )
        for e in exc.errors(include_url=False)
    ]


class Loader:
    """Gathers records from files into a KnowledgeBase, collecting every problem."""

    def __init__(self, root: Path) -> None:
        self.kb = KnowledgeBase(root=root)
        self.problems: list[Problem] = []
        # Where each ID was first stored: its location is worked out only for a duplicate.
        self.first_seen: dict[str, Where] = {}
        self.cache: ParseCache | None = None

    def add_file(self, path: Path, text: str | None = None) -> None:
        shown = display_path(path)
        self.kb.files.append(shown)
        if text is None:
            text, problem = read_text(path)
            if problem:
                self.problems.append(problem)
                return
        docs, problems = self.parse(text or "", shown)
        self.problems.extend(problems)
        if text and "\\" in text:  # only a double-quoted escape writes a control character
            from kb.load.safety import control_problems

            self.problems.extend(control_problems(docs, shown))
        if not problems and all(doc is None for doc in docs):
            self.problems.append(
                Problem(
                    "KB011",
                    Severity.warning,
                    Location(shown, 1, 1),
                    "the file holds no records",
                    "add records such as 'claims:', or delete the file",
                )
            )
        for doc in docs:
            for item in iter_records(doc, shown):
                if isinstance(item, Problem):
                    self.problems.append(item)
                else:
                    self.add_record(shown, *item)

    def parse(self, text: str, shown: str) -> tuple[list[Any], list[Problem]]:
        """Parse a file's text, through the parse cache when there is one."""
        if self.cache is None:
            return parse_yaml(text, shown)
        key = self.cache.key(text)
        docs = self.cache.get(key)
        if docs is not None:
            return docs, []
        docs, problems = parse_yaml(text, shown)
        if not problems:  # files with problems are parsed again: their report needs the path
            self.cache.put(key, docs)
        return docs, problems

    def add_record(self, path: str, kind: str, raw: LocDict, at: tuple[int, int]) -> None:
        where = Where(path, at, raw.keys_at, raw.values_at, raw)
        data = dict(raw)
        if "id" not in data or data["id"] in (None, ""):
            derived = _derived_id(kind, raw)
            if derived is None:
                self.problems.append(
                    Problem(
                        "KB103",
                        Severity.error,
                        where.location,
                        f"{kind} is missing required key 'id'",
                        "add 'id:' with a slug such as 'scaling-laws-hold'",
                    )
                )
                return
            # A derived ID built from broken fields would add a confusing error of its own.
            data["id"] = derived if ID_RE.match(derived) else "unnamed"
        try:
            record = KINDS[kind].model_validate(data)
        except ValidationError as exc:
            self.problems.extend(_schema_problems(exc, kind, where))
            if isinstance(data["id"], str) and ID_RE.match(data["id"]):
                # Known but invalid: references to it are not reported a second time.
                self.kb.invalid_ids.add(data["id"])
            return
        self.store(record, where)
        if isinstance(record, Claim):
            self.expand_claim(record, where)

    def store(self, record: Record, where: Where) -> None:
        first = self.first_seen.get(record.id)
        if first is not None:
            if isinstance(record, Relation) and self._merge_relation(record, where):
                return
            previous = first.value("id")
            self.problems.append(
                Problem(
                    "KB201",
                    Severity.error,
                    where.value("id"),
                    f"duplicate id {record.id!r}: already defined at {previous}",
                    "IDs are unique across the whole knowledge base; rename one"
                    + ("" if "id" in (where.raw or {}) else " (give this one an explicit 'id:')"),
                    related=(previous,),
                )
            )
            return
        self.first_seen[record.id] = where
        self.kb.table(record.kind_name)[record.id] = record
        self.kb.where[record.id] = where

    def _merge_relation(self, record: Relation, where: Where) -> bool:
        """Accept the same link written from both ends: keep the richer of the two."""
        existing = self.kb.relations.get(record.id)
        if existing is None:
            return False
        same = {existing.from_, existing.to} == {record.from_, record.to}
        if not same or existing.type != record.type:
            return False
        if record.quote and not existing.quote:
            self.kb.relations[record.id] = record
            self.kb.where[record.id] = where
        return True

    def expand_claim(self, claim: Claim, where: Where) -> None:
        for name in CLAIM_LINK_FIELDS:
            for index, target in enumerate(getattr(claim, name)):
                self._link(claim.id, RelationType(name), target, where, name, index)
        for name, rel_type in REVERSE_LINK_FIELDS.items():
            for index, source in enumerate(getattr(claim, name)):
                self._link(source, rel_type, claim.id, where, name, index)

    def _link(
        self, source: str, rel_type: RelationType, target: str, where: Where, name: str, i: int
    ) -> None:
        rid = relation_id(source, rel_type.value, target)
        item = where.value(name, i)
        if len(rid) > MAX_ID_LENGTH:
            self.problems.append(
                Problem(
                    "KB104",
                    Severity.error,
                    item,
                    f"the link's derived ID {rid[:60]!r}... is longer than {MAX_ID_LENGTH}",
                    "shorten the IDs, or write a 'relations:' record with a short 'id:'",
                )
            )
            return
        relation = Relation.model_validate(
            {"id": rid, "from": source, "type": rel_type, "to": target}
        )
        self.store(relation, Where(item.path, (item.line, item.col), fixed=True))

    def finish(self) -> KnowledgeBase:
        """Merge positions written from claims into their questions."""
        for claim in self.kb.claims.values():
            for answer in claim.answers:
                question = self.kb.questions.get(answer.question)
                if question is None:
                    continue  # reported as a dangling reference by the checks
                side = getattr(question.positions, answer.side.value)
                if claim.id not in side:
                    side.append(claim.id)
        return self.kb


def load(
    root: Path,
    loader: Loader | None = None,
    cache: ParseCache | None = None,
    listing: tuple[list[Path], list[Problem]] | None = None,
) -> tuple[KnowledgeBase, list[Problem]]:
    """Load every record below root; return the knowledge base and the problems met.

    A `loader` (a Loader subclass, such as the build cache's) may be passed to reuse work, a
    `cache` to reuse the parsed files of earlier runs, and a `listing` (find_files's) already made.
    """
    root = Path(root)
    if not root.is_dir():
        problem = Problem(
            "KB010",
            Severity.error,
            Location(display_path(root)),
            "no knowledge base folder here",
            "run from a folder that holds 'claims/', or pass --kb PATH",
        )
        return KnowledgeBase(root=root), [problem]
    loader = loader or Loader(root)
    loader.cache = cache
    loader.kb.config, config_problems = load_config(root)
    loader.problems.extend(config_problems)
    from kb.load.safety import site_problems

    loader.problems.extend(site_problems(root, loader.kb.config.trust_theme_scripts))
    files, problems = listing if listing is not None else kbfiles.find_files(root)
    loader.problems.extend(problems)
    # Loading allocates millions of small objects that all stay alive: the cyclic collector
    # would rescan them again and again for nothing (it tripled load time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            loader.add_file(path)
        if cache is not None:
            cache.prune()
    finally:
        if enabled:
            # What was loaded lives as long as the knowledge base: keep later collections
            # from rescanning it (refcounting still frees it).
            gc.freeze()
            gc.enable()
    return loader.finish(), loader.problems


# Parsed files kept between runs -------------------------------------------------------------

PARSE_CACHE_FORMAT = 1
_CACHE_SUFFIX = ".parsed"
_UNPICKLABLE = {
    ("kb.load", "LocDict"): LocDict,
    ("kb.load", "LocList"): LocList,
}


class _CacheUnpickler(pickle.Unpickler):
    """Reads only the located values a parse produces: a foreign file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        import datetime as dt

        if module == "datetime" and name in ("date", "datetime", "timedelta", "timezone"):
            return getattr(dt, name)
        try:
            return _UNPICKLABLE[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a parsed value") from None


class ParseCache:
    """The located values of parsed files, one cache file per distinct file text.

    Keyed on the text's hash salted with this module's own source, the package, PyYAML and
    Python versions: a changed loader never reads values an older one wrote. An unreadable,
    corrupt or foreign cache file counts as a miss.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.wrote = False
        self.salt = _cache_salt()

    def key(self, text: str) -> str:
        """Return the cache key of a file's text."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self.salt)
        return digest.hexdigest()[:32]

    def get(self, key: str) -> list[Any] | None:
        """Return the parsed documents stored under key, or None."""
        self.used.add(key)
        try:
            data = (self.folder / (key + _CACHE_SUFFIX)).read_bytes()
            docs = _CacheUnpickler(io.BytesIO(data)).load()
        except Exception:  # missing, truncated, foreign: parse the file instead
            return None
        return docs if isinstance(docs, list) else None

    def put(self, key: str, docs: list[Any]) -> None:
        """Store parsed documents under key, atomically; a read-only disk only costs speed."""
        self.used.add(key)
        path = self.folder / (key + _CACHE_SUFFIX)
        tmp = path.with_name(f"{key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
            self.wrote = True
        except (OSError, pickle.PicklingError, RecursionError):
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def prune(self) -> None:
        """Remove the entries of file texts that this run no longer has."""
        if not self.wrote:
            return  # nothing changed since a run that pruned already
        try:
            for entry in os.scandir(self.folder):
                stem = entry.name.partition(".")[0]
                if stem not in self.used:
                    os.unlink(entry.path)
        except OSError:
            pass


def _cache_salt() -> bytes:
    """Return what a cached parse depends on besides the text, as a 64-byte hash key."""
    # The loader's own source stands for the package version: `kb` may be a namespace package
    # without __version__ when the working directory holds a content folder named kb/.
    source = Path(__file__).read_bytes()
    parts = (str(PARSE_CACHE_FORMAT), yaml.__version__, sys.version).__repr__()
    return hashlib.blake2b(source + parts.encode(), digest_size=64).digest()


def default_parse_cache(root: Path) -> ParseCache | None:
    """Return the per-user parse cache of one knowledge base (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    name = hashlib.blake2b(str(Path(root).resolve()).encode(), digest_size=8).hexdigest()
    return ParseCache(base / "parsed" / name)
