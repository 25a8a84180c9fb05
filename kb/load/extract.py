"""Records out of parsed documents: each record's kind and place, and its schema problems."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from kb.errors import Location, Problem, Severity, did_you_mean
from kb.errors.codes import Code
from kb.model.located import LocDict, LocList, Where
from kb.model.records import KINDS, PLURALS, relation_id


def iter_records(doc: Any, path: str) -> Iterator[tuple[str, Any, tuple[int, int]] | Problem]:
    """Yield (kind, raw record, position) for each record of one YAML document."""
    if doc is None:
        return
    if not isinstance(doc, LocDict):
        yield Problem(
            Code.KB008,
            Severity.error,
            Location(path, *getattr(doc, "start", (1, 1))),
            "expected a mapping of record kinds (claims:, sources:, ...)",
            "start the file with a key such as 'claims:'",
        )
        return
    keys_at, values_at = doc.keys_at, doc.values_at
    for key, value in doc.items():
        line, col = keys_at[key]
        value_at = values_at[key]
        kind = PLURALS.get(key) or (key if key in KINDS else None)
        if kind is None:
            yield Problem(
                Code.KB008,
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
                        Code.KB102,
                        Severity.error,
                        Location(path, *at),
                        f"expected a {kind} record (a mapping), got {_type_name(item)}",
                        "write each record as 'key: value' lines under '- '",
                    )
        elif isinstance(value, LocDict):
            yield kind, value, value_at
        else:
            yield Problem(
                Code.KB102,
                Severity.error,
                Location(path, *value_at),
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
                    Code.KB101,
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
                    Code.KB103,
                    Severity.error,
                    location,
                    f"{kind} is missing required key {name!r}",
                    f"add '{name}:'",
                )
            )
        else:
            code = Code.KB104 if loc == ("id",) else Code.KB102
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
    if isinstance(node, LocDict) and loc and (at := node.key_at(loc[-1])):
        return Location(where.path, *at)
    return None
