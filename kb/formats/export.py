"""Exporters of a knowledge base to the formats other tools read, and a claim's JSON-LD.

The API the site and the CLI share:

- `EXPORTERS`: format name -> function(KnowledgeBase) -> bytes, for the formats
  ``json``, ``graphml``, ``dot``, ``csv`` (a zip of one CSV per record kind), ``aif``
  (AIFdb JSON), ``xaif`` (the OVA3 wrapper of AIF) and ``argdown``.
- `file_name(fmt)`: the download's file name (``debate-kb.aif.json`` ...);
  `MEDIA_TYPES[fmt]` its media type; `DESCRIPTIONS[fmt]` one line for a Downloads page.
- `claim_jsonld(kb, claim_id, url=None, stances=None)`: a schema.org ``Claim`` as a dict
  (pass the claim's stances, e.g. from `KBGraph.stances_on`, when rendering every claim), and
  `jsonld_script(data)`: that dict as a ``<script type="application/ld+json">`` element.
- `export_json_schema()`: the JSON Schema of the ``json`` export (published as
  ``schema/kb-export.schema.json``).
- `ExportMemo`: kept from one export to the next (and pickled with a build's state), its
  `export_all(kb)` gives every format byte for byte as a fresh export would, serialising
  again only the items (records, nodes, edges, lines) whose inputs changed since.

Every output is deterministic: records in ID order, no clock. AIF timestamps come from the
dates of the sources behind a node (the earliest one), else `FIXED_TIMESTAMP`.

Each format is written as literal chunks and runs of keyed items (`_Writer`): an item's bytes
depend on its key alone, a key is made of record tokens (which change only when a record's
value does) and of the plain values the item shows, so an item whose key the last output had
is copied from there.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import operator
import re
import struct
import zipfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, count
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import BaseModel

from kb.load import KnowledgeBase
from kb.model.records import (
    KINDS,
    PLURALS,
    Config,
    Direction,
    Position,
    Record,
    Relation,
    RelationType,
    Stance,
)

FORMAT_NAME = "debate-kb"
FORMAT_VERSION = 1
FIXED_TIMESTAMP = "2000-01-01 00:00:00"
TABLES = tuple(PLURALS)
KIND_OF_TABLE = PLURALS
DEFAULT_SCHEMES = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
CONTRADICTION_SCHEME = "Contradiction"
REFINEMENT_SCHEME = "Refinement"
ILLOCUTIONS = {
    Position.asserts: "Asserting",
    Position.denies: "Disagreeing",
    Position.qualifies: "Default Illocuting",
}


def _dump(record: Record) -> dict[str, Any]:
    """Return a record as plain JSON data, leaving out unset optional fields."""
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)


def _sorted(table: dict[str, Any]) -> list[Any]:
    return [table[key] for key in sorted(table)]


_jstr = json.encoder.encode_basestring  # the string encoder of json.dumps(ensure_ascii=False)


# Reusing the last export ---------------------------------------------------------------------


class _Run:
    """Where a run of items sat in a format's last output: each item's key and byte length."""

    __slots__ = ("keys", "lengths", "start", "size", "sep")

    def __init__(self, keys: list[Any], lengths: array[int], start: int, size: int, sep: bytes):
        self.keys, self.lengths, self.start, self.size, self.sep = keys, lengths, start, size, sep

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.keys, self.lengths, self.start, self.size, self.sep)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.keys, self.lengths, self.start, self.size, self.sep = state


class _Layout:
    """A format's last output and the runs of keyed items it is made of."""

    __slots__ = ("data", "runs")

    def __init__(self, data: bytes, runs: dict[str, _Run]) -> None:
        self.data, self.runs = data, runs

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.data, self.runs)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.data, self.runs = state


Render = Callable[[Sequence[int]], list[bytes]]


class _Writer:
    """Assembles one output from literal chunks and runs of keyed items.

    An item's bytes must depend on nothing but its key, so that an item whose key the last
    output had can be copied from there instead of being serialised again.
    """

    def __init__(self, old: _Layout | None) -> None:
        self.old = old
        self.view = memoryview(old.data) if old is not None else memoryview(b"")
        self.parts: list[bytes | memoryview] = []
        self.pos = 0
        self.runs: dict[str, _Run] = {}
        self.same = old is not None  # whether the output so far is the last one's start

    def add(self, chunk: bytes) -> None:
        """Append bytes made afresh (headers, separators, changed items)."""
        if chunk:
            if self.same and self.view[self.pos : self.pos + len(chunk)] != chunk:
                self.same = False
            self.parts.append(chunk)
            self.pos += len(chunk)

    def copy(self, start: int, end: int) -> None:
        """Append a stretch of the last output."""
        if end > start:
            self.same = self.same and start == self.pos
            self.parts.append(self.view[start:end])
            self.pos += end - start

    def run(self, name: str, keys: list[Any], render: Render, sep: bytes = b"") -> None:
        """Append items joined by `sep`; render(indices) returns the bytes of those items."""
        old = self.old.runs.get(name) if self.old is not None else None
        start = self.pos
        lengths: array[int] | None = None
        if old is not None and old.sep == sep:
            if old.keys == keys:
                self.copy(old.start, old.start + old.size)
                lengths = old.lengths
            elif len(old.keys) == len(keys):
                lengths = self._in_place(old, keys, render)
            elif old.keys and keys:
                lengths = self._by_key(old, keys, render)
        if lengths is None:
            chunks = render(range(len(keys)))
            self.add(sep.join(chunks))
            lengths = array("Q", map(len, chunks))
        self.runs[name] = _Run(keys, lengths, start, self.pos - start, sep)

    def _in_place(self, old: _Run, keys: list[Any], render: Render) -> array[int] | None:
        """Copy the last run, replacing the items whose key changed at their position.

        Return None, having added nothing, when most items changed: a fresh run is quicker.
        """
        changed = _differences(keys, old.keys)
        if 2 * len(changed) > len(keys):
            return None
        step = len(old.sep)
        lengths = array("Q", old.lengths)
        cursor = start = old.start
        done = 0
        for i, chunk in zip(changed, render(changed), strict=True):
            start += sum(old.lengths[done:i]) + (i - done) * step
            self.copy(cursor, start)
            self.add(chunk)
            cursor, done = start + old.lengths[i], i
            lengths[i] = len(chunk)
        self.copy(cursor, old.start + old.size)
        return lengths

    def _by_key(self, old: _Run, keys: list[Any], render: Render) -> array[int] | None:
        """Copy each item whose key the last run had from there (in whatever order it comes).

        Return None, having added nothing, when most items are new: a fresh run is quicker.
        """
        index = {key: j for j, key in enumerate(old.keys)}
        found = [index.get(key, -1) for key in keys]
        missing = [i for i, j in enumerate(found) if j < 0]
        if 2 * len(missing) > len(keys):
            return None
        made = dict(zip(missing, render(missing), strict=True))
        step, sep = len(old.sep), old.sep
        starts = list(accumulate((n + step for n in old.lengths), initial=old.start))
        old_lengths = old.lengths
        lengths = array(
            "Q", [old_lengths[j] if j >= 0 else len(made[i]) for i, j in enumerate(found)]
        )
        span_start = span_end = -1  # a stretch of the last output still to be copied
        fresh: list[bytes] = []  # and new items still to be added
        last = -2
        for i, j in enumerate(found):
            if j >= 0 and j == last + 1 and span_end >= 0:
                span_end = starts[j] + old_lengths[j]  # the next old item, separator and all
            elif j < 0 and fresh:
                fresh.append(made[i])
            else:
                if span_end >= 0:
                    self.copy(span_start, span_end)
                    span_end = -1
                if fresh:
                    self.add(sep.join(fresh))
                    fresh = []
                if i:
                    self.add(sep)
                if j >= 0:
                    span_start, span_end = starts[j], starts[j] + old_lengths[j]
                else:
                    fresh.append(made[i])
            last = j
        if span_end >= 0:
            self.copy(span_start, span_end)
        if fresh:
            self.add(sep.join(fresh))
        return lengths

    def finish(self) -> _Layout:
        """Return the output and its layout, for the next export to reuse."""
        if self.old is not None and self.same and self.pos == len(self.old.data):
            data = self.old.data  # unchanged: no need to join a copy
        else:
            data = b"".join(self.parts)
        self.parts = []
        return _Layout(data, self.runs)


def _differences(a: list[Any], b: list[Any], chunk: int = 256) -> list[int]:
    """Return the positions where two lists of the same length differ."""
    out: list[int] = []
    for lo in range(0, len(a), chunk):
        hi = lo + chunk
        if a[lo:hi] != b[lo:hi]:  # compared in C: most chunks are equal
            out += [i for i in range(lo, min(hi, len(a))) if a[i] != b[i]]
    return out


class _Context:
    """One knowledge base as the exporters read it: records in ID order, with version tokens.

    A record's token stays the same from one export to the next while the record is equal to
    the one the token was given for, so a key made of tokens stands for record values. A
    table's versions (of its set of IDs, of its records) likewise change only with it.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        tokens: dict[str, dict[str, int]],
        versions: dict[str, tuple[int, int]],
        memo: ExportMemo,
    ) -> None:
        self.kb = kb
        self.tokens = tokens
        self.versions = versions
        self.memo = memo
        self._shared: dict[str, Any] = {}

    def ids(self, table: str) -> list[str]:
        """Return the IDs of one table, sorted."""
        version = self.versions[table][0]
        last = self.memo._order.get(table)
        if last is None or last[0] != version:
            last = self.memo._order[table] = (version, sorted(getattr(self.kb, table)))
        return last[1]

    def records(self, table: str) -> list[Any]:
        """Return the records of one table in ID order."""
        rows = getattr(self.kb, table)
        return self._per_table("records", table, lambda ids: [rows[i] for i in ids])

    def keys(self, table: str) -> list[int]:
        """Return the tokens of one table's records in ID order."""
        tokens = self.tokens[table]
        return self._per_table("keys", table, lambda ids: [tokens[i] for i in ids])

    def _per_table(self, kind: str, table: str, make: Callable[[list[str]], list[Any]]) -> Any:
        """Return a list made per record of a table, the last one while the table is unchanged.

        A list of records may hold last time's objects: they equal this time's.
        """
        tokens, version = self.tokens[table], self.versions[table]
        last = self.memo._lists.get((kind, table))
        if last is None or last[0] is not tokens or last[1] != version:
            last = self.memo._lists[kind, table] = (tokens, version, make(self.ids(table)))
        return last[2]

    def structure(
        self, name: str, ids_of: Iterable[str], records_of: Iterable[str], make: Callable[..., Any]
    ) -> Any:
        """Return what make(ctx, last) derives from some tables' IDs and others' records.

        `last` is what the last export derived, if it read the same tables unchanged since;
        make may return it as it is, or patch it.
        """
        if name not in self._shared:
            deps = (
                tuple(self.versions[t][0] for t in ids_of),
                tuple(self.versions[t][1] for t in records_of),
            )
            last = self.memo._structures.get(name)
            value = make(self, last[1] if last is not None and last[0] == deps else None)
            self.memo._structures[name] = (deps, value)
            self._shared[name] = value
        return self._shared[name]

    def item_keys(
        self, name: str, base: list[Any], items_of: dict[str, Sequence[int]], key: Render
    ) -> list[Any]:
        """Return the keys of a structure's items, made by key(indices).

        Kept from the last export while the structure is the same, remaking only the keys of
        the items (`items_of` each table) of the tables whose records changed.
        """
        last = self.memo._keys.get(name)
        if last is not None and last[0] is base:
            keys = last[2]
            stale = [t for t in items_of if last[1][t] is not self.tokens[t]]
            if stale:
                keys = list(keys)
                for table in stale:
                    indices = items_of[table]
                    for i, k in zip(indices, key(indices), strict=True):
                        keys[i] = k
        else:
            keys = key(range(len(base)))
        self.memo._keys[name] = (base, {t: self.tokens[t] for t in items_of}, keys)
        return keys


class ExportMemo:
    """The last export of each format, so that the next one serialises only what changed.

    Keep one per knowledge base and call `export_all` (or `export`) with each new load: the
    output is byte for byte what a fresh export gives, but the parts made from records equal
    to last time's are copied from the last output. The memo holds the last outputs (the very
    bytes objects it returned), each item's key and length, the records it last saw and some
    structures derived from them; it pickles, and shares those objects with whatever is
    pickled alongside it.
    """

    def __init__(self) -> None:
        self._records: dict[str, dict[str, Record]] = {}  # the records of the last export
        self._tokens: dict[str, dict[str, int]] = {}  # and their tokens
        self._counter = 0
        self._versions: dict[str, tuple[int, int]] = {}
        self._order: dict[str, tuple[int, list[str]]] = {}
        self._lists: dict[tuple[str, str], tuple[dict[str, int], tuple[int, int], list[Any]]] = {}
        self._keys: dict[str, tuple[list[Any], dict[str, dict[str, int]], list[Any]]] = {}
        self._structures: dict[str, tuple[Any, Any]] = {}
        self._layouts: dict[str, _Layout] = {}
        self._members: dict[str, tuple[bytes, int, bytes]] = {}  # CSV name -> text, CRC, deflated

    def _context(self, kb: KnowledgeBase) -> _Context:
        """Return the export context of a knowledge base, giving changed records new tokens."""
        for table in TABLES:
            records: dict[str, Record] = getattr(kb, table)
            old = self._records.get(table, {})
            # Unchanged files' records come back as the same objects, in the same order: `is`
            # settles most, and a whole unchanged table in C.
            if (
                len(records) == len(old)
                and all(map(operator.is_, records.values(), old.values()))
                and records.keys() == old.keys()
            ):
                continue
            differ = [rid for rid, record in records.items() if old.get(rid) is not record]
            if not differ and len(records) == len(old):
                continue
            old_tokens = self._tokens.get(table, {})
            if not old_tokens:  # the first export: number them all at once
                tokens = dict(zip(records, count(self._counter + 1)))
                self._counter += len(tokens) + 2
                self._versions[table] = (self._counter - 1, self._counter)
                self._records[table] = dict(records)
                self._tokens[table] = tokens
                continue
            tokens = {rid: old_tokens[rid] for rid in records if rid in old_tokens}
            added = len(tokens) < len(records) or len(tokens) < len(old_tokens)
            changed = added
            for rid in differ:
                if rid not in tokens or old[rid] != records[rid]:
                    self._counter += 1
                    tokens[rid] = self._counter
                    changed = True
            self._records[table] = dict(records)  # this load's objects, for `is` next time
            if not changed:
                continue  # equal records (questions are copied on every load): same tokens
            ids_version, records_version = self._versions.get(table, (0, 0))
            if added:
                self._counter += 1
                ids_version = self._counter
            if changed:
                self._counter += 1
                records_version = self._counter
            self._versions[table] = (ids_version, records_version)
            self._tokens[table] = tokens
        tokens = {table: self._tokens.get(table, {}) for table in TABLES}
        versions = {table: self._versions.get(table, (0, 0)) for table in TABLES}
        return _Context(kb, tokens, versions, self)

    def export(self, kb: KnowledgeBase, fmt: str) -> bytes:
        """Return the knowledge base in one export format."""
        return self._export(self._context(kb), fmt)

    def export_all(self, kb: KnowledgeBase) -> dict[str, bytes]:
        """Return the knowledge base in every export format, by format name."""
        ctx = self._context(kb)
        return {fmt: self._export(ctx, fmt) for fmt in sorted(EXPORTERS)}

    def _export(self, ctx: _Context, fmt: str) -> bytes:
        if fmt == "csv":
            return self._csv(ctx)
        writer = _Writer(self._layouts.get(fmt))
        _WRITERS[fmt](ctx, writer)
        layout = self._layouts[fmt] = writer.finish()
        return layout.data

    def _csv(self, ctx: _Context) -> bytes:
        members = []
        for table in TABLES:
            name = f"{table}.csv"
            writer = _Writer(self._layouts.get("csv/" + table))
            _write_table_csv(ctx, table, writer)
            layout = self._layouts["csv/" + table] = writer.finish()
            last = self._members.get(name)
            if last is None or last[0] != layout.data:
                last = (layout.data, zlib.crc32(layout.data), _deflate(layout.data))
            self._members[name] = last
            members.append((name, *last))
        return _zip(members)


def _json_list(
    writer: _Writer, name: str, head: str, keys: list[Any], render: Render, indent: str
) -> None:
    """Write `head` then a JSON list of rendered items, laid out as json.dumps(indent=2) does."""
    if not keys:
        writer.add(f"{head}[]".encode())
        return
    writer.add(f"{head}[\n".encode())
    writer.run(name, keys, render, b",\n")
    writer.add(f"\n{indent}]".encode())


# JSON ---------------------------------------------------------------------------------------


def kb_to_data(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the whole knowledge base as JSON data: settings, then each kind by ID."""
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "config": kb.config.model_dump(mode="json", exclude_none=True),
    }
    for table in TABLES:
        data[table] = [_dump(r) for r in _sorted(getattr(kb, table))]
    return data


def _plain_floats(record: Record) -> bool:
    """Return whether pydantic writes the record's numbers as json.dumps does.

    Both write the shortest round-trip digits, but below 1e-4 Python switches to `1e-05` and
    pydantic writes `0.00001`.
    """
    kind = record.kind_name
    if kind == "claim":
        forecast = record.forecast  # type: ignore[attr-defined]
        value = forecast.probability if forecast is not None else None
    elif kind == "stance":
        value = record.confidence  # type: ignore[attr-defined]
    elif kind == "evidence":
        value = record.weight  # type: ignore[attr-defined]
    else:
        return True
    return value is None or 1e-4 <= value <= 1 or repr(value) == "0.0"


def _json_record(record: Record) -> bytes:
    """Return one record as an item of a JSON export's table, indented as json.dumps does."""
    if _plain_floats(record):
        # pydantic's serialiser writes the same text as json.dumps of the dump, many times faster.
        text = record.__pydantic_serializer__.to_json(
            record, indent=2, by_alias=True, exclude_none=True
        )
    else:
        text = json.dumps(_dump(record), indent=2, ensure_ascii=False).encode("utf-8")
    return b"    " + text.replace(b"\n", b"\n    ")


def _write_json(ctx: _Context, writer: _Writer) -> None:
    config = ctx.kb.config.model_dump(mode="json", exclude_none=True)
    config_text = json.dumps(config, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    writer.add(
        f'{{\n  "format": {_jstr(FORMAT_NAME)},\n  "version": {FORMAT_VERSION},\n'
        f'  "config": {config_text}'.encode()
    )
    for table in TABLES:
        records = ctx.records(table)

        def render(indices: Sequence[int], records: list[Any] = records) -> list[bytes]:
            return [_json_record(records[i]) for i in indices]

        _json_list(writer, table, f',\n  "{table}": ', ctx.keys(table), render, "  ")
    writer.add(b"\n}\n")


def export_json(kb: KnowledgeBase) -> bytes:
    """Return the whole knowledge base as JSON (see `export_json_schema`)."""
    return ExportMemo().export(kb, "json")


def export_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the `json` export, generated from the models."""
    defs: dict[str, Any] = {}
    props: dict[str, Any] = {
        "format": {"const": FORMAT_NAME},
        "version": {"const": FORMAT_VERSION},
        "config": {"$ref": "#/$defs/Config"},
    }
    config = Config.model_json_schema(mode="serialization")
    defs.update(config.pop("$defs", {}))
    defs["Config"] = config
    for table in TABLES:
        kind = KIND_OF_TABLE[table]
        schema = KINDS[kind].model_json_schema(by_alias=True, mode="serialization")
        defs.update(schema.pop("$defs", {}))
        schema["required"] = sorted({*schema.get("required", []), "id"})
        defs[kind] = schema
        props[table] = {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "debate-kb JSON export",
        "description": (
            "The whole knowledge base: records of each kind sorted by ID. Claims keep the link "
            "fields they were written with; 'relations' lists every relation, including those."
        ),
        "type": "object",
        "required": ["format", "version", "config", *TABLES],
        "properties": props,
        "additionalProperties": False,
        "$defs": defs,
    }


def data_to_yaml_files(data: dict[str, Any]) -> dict[str, str]:
    """Return YAML file texts (by file name) that load back to the records of a JSON export."""
    import yaml

    files: dict[str, str] = {}
    config = data.get("config") or {}
    if config:
        files["kb.yaml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    for table in TABLES:
        records = data.get(table) or []
        if records:
            files[f"{table}.yaml"] = yaml.safe_dump(
                {table: records}, sort_keys=False, allow_unicode=True, width=100
            )
    return files


# GraphML and DOT ----------------------------------------------------------------------------


def label_of(record: Record) -> str:
    """Return the human label of a record: a claim's text, a source's title, a name."""
    label = _LABELS.get(record.kind_name)
    if label is not None:
        return label(record)
    for name in ("text", "title", "name"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    return record.id


# The known kinds' labels, without probing each for fields it lacks (pydantic makes that slow).
_LABELS: dict[str, Callable[[Any], str]] = {
    "claim": lambda r: r.text,
    "question": lambda r: r.title,
    "source": lambda r: r.title,
    "actor": lambda r: r.name,
    "stance": lambda r: f"{r.actor} {r.position} {r.claim}",
    "evidence": lambda r: r.summary or r.quote,
    "relation": lambda r: r.id,
}


GraphRows = tuple[list[tuple[str, dict[str, str]]], list[tuple[str, str, str, dict[str, str]]]]


def _graph_parts(
    kb: KnowledgeBase,
) -> tuple[dict[str, str | None], dict[tuple[str, str, str], dict[str, str]]]:
    """Return the nodes (with their `kind` attribute) and edges that `KBGraph` builds, from the
    same `record_edges` but without networkx, which took most of the time of an export."""
    from kb.model.graph import NODE_TABLES, record_edges

    nodes: dict[str, str | None] = {}
    for name in NODE_TABLES:
        for rid, record in getattr(kb, name).items():
            nodes[rid] = record.kind_name
    edges: dict[tuple[str, str, str], dict[str, str]] = {}
    for u, v, key, attrs in record_edges(kb):
        nodes.setdefault(u, None)
        nodes.setdefault(v, None)
        if (u, v, key) in edges:
            edges[u, v, key].update(attrs)  # as networkx updates an edge added again
        else:
            edges[u, v, key] = attrs
    return nodes, edges


_EDGE_EXTRAS = ("target", "position", "side")
GraphNode = tuple[str, str]  # ID, kind
GraphEdge = tuple[str, str, str, dict[str, str]]  # from, to, key, attributes as KBGraph has them


def _graph(kb: KnowledgeBase) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Return the record graph's nodes (ID and kind) and edges, sorted."""
    graph_nodes, graph_edges = _graph_parts(kb)
    nodes = []
    for node in sorted(graph_nodes):
        kind = graph_nodes[node]
        if kind is None:
            record = _record_of(kb, node)
            kind = record.kind_name if record else ""
        nodes.append((node, kind))
    edges = [
        (u, v, key, data)
        for (u, v, key), data in sorted(
            graph_edges.items(), key=lambda e: (e[0][2], e[0][0], e[0][1])
        )
    ]
    return nodes, edges


def _record_of(kb: KnowledgeBase, rid: str) -> Record | None:
    """Return the record with an ID, of the last kind (in table order) that has it."""
    for table in reversed(TABLES):
        record = getattr(kb, table).get(rid)
        if record is not None:
            return record
    return None


def _graph_structure(ctx: _Context, last: Any) -> Any:
    """Return the graph's nodes, its numbered edges and each node's table.

    The last ones while they hold: the graph reads every table's IDs but only the records of
    the tables that make edges.
    """
    if last is not None:
        return last
    kb = ctx.kb
    nodes, edges = _graph(kb)
    edges = [(n, u, v, key, tuple(data.items())) for n, (u, v, key, data) in enumerate(edges)]
    tables = []
    items_of: dict[str, list[int]] = {table: [] for table in TABLES}
    for i, (node, _) in enumerate(nodes):
        table = next(t for t in reversed(TABLES) if node in getattr(kb, t))
        tables.append(table)
        items_of[table].append(i)
    return nodes, edges, tables, items_of


def _node_attrs(node: str, kind: str, record: Record | None) -> dict[str, str]:
    attrs = {"label": label_of(record) if record else node, "kind": kind}
    if record is not None and kind == "claim":
        attrs["claim_kind"] = record.kind.value  # type: ignore[attr-defined]
        attrs["tags"] = " ".join(record.tags)  # type: ignore[attr-defined]
    return attrs


def _edge_attrs(key: str, data: dict[str, str]) -> dict[str, str]:
    attrs = {"type": data["type"], "label": data["type"], "record": key}
    for extra in _EDGE_EXTRAS:
        if extra in data:
            attrs[extra] = str(data[extra])
    return attrs


def graph_rows(kb: KnowledgeBase) -> GraphRows:
    """Return the record graph's nodes and edges, sorted, with string attributes."""
    nodes, edges = _graph(kb)
    return (
        [(node, _node_attrs(node, kind, _record_of(kb, node))) for node, kind in nodes],
        [(u, v, key, _edge_attrs(key, data)) for u, v, key, data in edges],
    )


def to_networkx(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """Return the knowledge base as a MultiDiGraph with GraphML-safe attributes."""
    nodes, edges = graph_rows(kb)
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes)
    for u, v, key, attrs in edges:
        g.add_edge(u, v, key=key, **attrs)
    return g


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YED_NS = "http://www.yworks.com/xml/graphml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_KIND_COLOURS = {
    "question": "#FEE08B",
    "claim": "#FFFFFF",
    "evidence": "#F0F0F0",
    "source": "#C6DBEF",
    "actor": "#D9F0D3",
    "stance": "#EFEDF5",
    "relation": "#FDD0A2",
}
_EDGE_COLOURS = {"supports": "#1A9850", "rebuts": "#D73027", "undercuts": "#D73027"}


_NODE_KEYS = ("label", "kind", "claim_kind", "tags")
_EDGE_KEYS = ("type", "label", "record", "target", "position", "side")


_XML_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f]')
_XML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}
)


def _xml(text: str) -> str:
    """Escape text for an XML element or attribute, dropping characters XML 1.0 forbids."""
    if _XML_SPECIAL.search(text) is None:  # most text needs nothing, and search is cheap
        return text
    return text.translate(_XML_ESCAPES)


def _graphml_node(node: str, kind: str, record: Record | None) -> bytes:
    data = _node_attrs(node, kind, record)
    label = _xml(data["label"])
    out = [f'    <node id="{_xml(node)}">\n      <data key="n0">{label}</data>\n']
    out.append(f'      <data key="n1">{_xml(kind)}</data>\n')
    if "claim_kind" in data:
        out.append(f'      <data key="n2">{_xml(data["claim_kind"])}</data>\n')
        out.append(f'      <data key="n3">{_xml(data["tags"])}</data>\n')
    colour = _KIND_COLOURS.get(kind, "#FFFFFF")
    out.append(
        '      <data key="ynode"><y:ShapeNode><y:Geometry height="60.0" width="220.0"/>'
        f'<y:Fill color="{colour}" transparent="false"/>'
        f"<y:NodeLabel>{label}</y:NodeLabel>"
        '<y:Shape type="roundrectangle"/></y:ShapeNode></data>\n    </node>'
    )
    return "".join(out).encode("utf-8")


def _graphml_edge(n: int, u: str, v: str, key: str, items: tuple[tuple[str, str], ...]) -> bytes:
    raw = dict(items)
    edge_type = _xml(raw["type"])
    out = [
        f'    <edge id="e{n}" source="{_xml(u)}" target="{_xml(v)}">\n'
        f'      <data key="e0">{edge_type}</data>\n'
        f'      <data key="e1">{edge_type}</data>\n'
        f'      <data key="e2">{_xml(key)}</data>\n'
    ]
    for i, extra in enumerate(_EDGE_EXTRAS, 3):
        if extra in raw:
            out.append(f'      <data key="e{i}">{_xml(str(raw[extra]))}</data>\n')
    style = "dashed" if raw["type"] == "undercuts" else "line"
    colour = _EDGE_COLOURS.get(raw["type"], "#808080")
    out.append(
        '      <data key="yedge"><y:PolyLineEdge>'
        f'<y:LineStyle color="{colour}" type="{style}" width="1.0"/>'
        '<y:Arrows source="none" target="standard"/>'
        f"<y:EdgeLabel>{edge_type}</y:EdgeLabel></y:PolyLineEdge></data>\n    </edge>"
    )
    return "".join(out).encode("utf-8")


def _write_graphml(ctx: _Context, writer: _Writer) -> None:
    everything = TABLES
    grounding = ("questions", "relations", "evidence", "stances", "sources")
    nodes, edges, tables, items_of = ctx.structure("graph", everything, grounding, _graph_structure)
    kb = ctx.kb
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{XSI_NS}" xmlns:y="{YED_NS}" '
        f'xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd">',
    ]
    for i, name in enumerate(_NODE_KEYS):
        head.append(f'  <key id="n{i}" for="node" attr.name="{name}" attr.type="string"/>')
    for i, name in enumerate(_EDGE_KEYS):
        head.append(f'  <key id="e{i}" for="edge" attr.name="{name}" attr.type="string"/>')
    head.append('  <key id="ynode" for="node" yfiles.type="nodegraphics"/>')
    head.append('  <key id="yedge" for="edge" yfiles.type="edgegraphics"/>')
    head.append('  <graph id="kb" edgedefault="directed">')
    writer.add(("\n".join(head) + "\n").encode())
    # A node's record stands for its ID and kind but when one ID names records of two kinds.
    tokens, kind_of = ctx.tokens, {t: KIND_OF_TABLE[t] for t in TABLES}

    def node_keys(indices: Sequence[int]) -> list[Any]:
        out = []
        for i in indices:
            (node, kind), table = nodes[i], tables[i]
            token = tokens[table][node]
            out.append(token if kind == kind_of[table] else (kind, token))
        return out

    writer.run(
        "nodes",
        ctx.item_keys("graphml-nodes", nodes, items_of, node_keys),
        lambda indices: [_graphml_node(*nodes[i], _record_of(kb, nodes[i][0])) for i in indices],
        b"\n",
    )
    writer.add(b"\n" if nodes and edges else b"")
    writer.run(
        "edges",
        edges,
        lambda indices: [_graphml_edge(*edges[i]) for i in indices],
        b"\n",
    )
    writer.add(b"\n  </graph>\n</graphml>\n" if nodes or edges else b"  </graph>\n</graphml>\n")


def export_graphml(kb: KnowledgeBase) -> bytes:
    """Return the record graph as GraphML: attributes for Gephi, node graphics for yEd."""
    return ExportMemo().export(kb, "graphml")


_DOT_STYLE = {
    "supports": 'color="#1a9850"',
    "rebuts": 'color="#d73027"',
    "contradicts": 'color="#d73027", dir=both, style=bold',
    "undercuts": 'color="#d73027", style=dashed',
    "refines": 'color="#4575b4", style=dotted',
    "equivalent": 'color="#4575b4", dir=both',
    "answers": 'color="#999999", style=dotted',
}


_DOT_SPECIAL = re.compile(r'[\s"\\]')


def _dot_quote(text: str, width: int = 0) -> str:
    if _DOT_SPECIAL.search(text) is None and len(text) <= (width or len(text)):
        return f'"{text}"'  # IDs, mostly: nothing to collapse, cut or escape
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _undercut_target(kb: KnowledgeBase, support_id: str) -> str:
    """Return the claim that an undercut support concludes."""
    support = kb.relations.get(support_id)
    if support is not None:
        return support.to
    evidence = kb.evidence.get(support_id)
    return evidence.claim if evidence is not None else support_id


def _lines(make: Callable[[Any], str], items: list[Any]) -> Render:
    """Return a renderer of lines, one per item, each ending in a newline."""
    return lambda indices: [(make(items[i]) + "\n").encode("utf-8") for i in indices]


def _dot_question(q: Any) -> str:
    return f'  {_dot_quote(q.id)} [label={_dot_quote(q.title, 80)}, fillcolor="#fee08b"];'


def _dot_claim(c: Any) -> str:
    return f"  {_dot_quote(c.id)} [label={_dot_quote(c.text, 80)}];"


def _dot_evidence(e: Any) -> str:
    text = e.summary or e.quote
    return f'  {_dot_quote(e.id)} [label={_dot_quote(text, 80)}, shape=note, fillcolor="#f0f0f0"];'


def _dot_answer(row: tuple[str, str, str]) -> str:
    claim, question, side = row
    return (
        f"  {_dot_quote(claim)} -> {_dot_quote(question)} [label={side}, {_DOT_STYLE['answers']}];"
    )


def _dot_evidence_edge(e: Any) -> str:
    return f"  {_dot_quote(e.id)} -> {_dot_quote(e.claim)} [{_DOT_STYLE[e.direction.value]}];"


def _dot_relation(row: tuple[Any, str]) -> str:
    r, target = row
    label, tooltip, style = _dot_quote(r.type.value), _dot_quote(r.id), _DOT_STYLE[r.type.value]
    return (
        f"  {_dot_quote(r.from_)} -> {_dot_quote(target)} "
        f"[label={label}, tooltip={tooltip}, {style}];"
    )


def _dot_structure(ctx: _Context, last: Any) -> Any:
    """Return the answer edges, the relations with their targets, and the relations' keys."""
    if last is not None:
        return last
    kb = ctx.kb
    answers = [
        (c, q.id, side)
        for q in ctx.records("questions")
        for side in ("pro", "con", "mixed")
        for c in getattr(q.positions, side)
        if c in kb.claims
    ]
    undercuts = RelationType.undercuts
    relations = [
        (r, _undercut_target(kb, r.to) if r.type is undercuts else r.to)
        for r in ctx.records("relations")
    ]
    tokens = ctx.keys("relations")
    keys = [(token, target) for token, (_, target) in zip(tokens, relations, strict=True)]
    return answers, relations, keys


def _write_dot(ctx: _Context, writer: _Writer) -> None:
    kb = ctx.kb
    writer.add(
        (
            "digraph kb {\n"
            f"  label={_dot_quote(kb.config.title)};\n"
            "  rankdir=BT;\n"
            '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
            'fontname="Helvetica"];\n'
        ).encode()
    )
    questions = ctx.records("questions")
    writer.run("questions", ctx.keys("questions"), _lines(_dot_question, questions))
    writer.run("claims", ctx.keys("claims"), _lines(_dot_claim, ctx.records("claims")))
    evidence = ctx.records("evidence")
    writer.run("evidence", ctx.keys("evidence"), _lines(_dot_evidence, evidence))
    answers, relations, keys = ctx.structure(
        "dot", ("claims",), ("questions", "relations", "evidence"), _dot_structure
    )
    writer.run("answers", answers, _lines(_dot_answer, answers))
    writer.run("evidence-edges", ctx.keys("evidence"), _lines(_dot_evidence_edge, evidence))
    writer.run("relations", keys, _lines(_dot_relation, relations))
    writer.add(b"}\n")


def export_dot(kb: KnowledgeBase) -> bytes:
    """Return the argument map (questions, claims, evidence and their links) as Graphviz DOT."""
    return ExportMemo().export(kb, "dot")


# CSV ----------------------------------------------------------------------------------------

_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


_FORMULA_STARTS = frozenset("=+-@\t\r")  # a spreadsheet runs such a cell as a formula
_json_compact = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(ensure_ascii=False)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return _json_compact(value) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text[:1] in _FORMULA_STARTS:
        # Spreadsheets run a cell starting with these as a formula: the public download must
        # not carry a contributor's formula into a reader's spreadsheet (OWASP CSV injection).
        return "'" + text
    return text


def _csv_value(value: Any) -> str:
    """Return a field's cell as `_csv_cell` gives it for the field's JSON dump."""
    if type(value) is str:  # the common case first
        return "'" + value if value[:1] in _FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        value = [item.model_dump(mode="json") for item in value]
    return _csv_cell(value)


def _csv_columns(table: str) -> list[tuple[str, str]]:
    """Return a table's (field name, column) pairs."""
    model = KINDS[KIND_OF_TABLE[table]]
    return [(name, f.alias or name) for name, f in model.model_fields.items()]


def _csv_rows(rows: Iterable[list[str]]) -> list[bytes]:
    """Return CSV rows as the csv module writes them, one bytes object per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ends = [0]
    for row in rows:
        writer.writerow(row)
        ends.append(buffer.tell())
    text = buffer.getvalue()
    return [text[a:b].encode("utf-8") for a, b in zip(ends, ends[1:])]  # noqa: B905


def _write_table_csv(ctx: _Context, table: str, writer: _Writer) -> None:
    columns = _csv_columns(table)
    writer.add(_csv_rows([[column for _, column in columns]])[0])
    records = ctx.records(table)
    names = [name for name, _ in columns]

    def render(indices: Sequence[int]) -> list[bytes]:
        # Plain strings and unset fields, most cells, are settled inline.
        return _csv_rows(
            [
                ""
                if v is None
                else v
                if type(v) is str and v[:1] not in _FORMULA_STARTS
                else _csv_value(v)
                for v in map(records[i].__dict__.__getitem__, names)
            ]
            for i in indices
        )

    writer.run(table, ctx.keys(table), render)


def table_csv(kb: KnowledgeBase, table: str) -> str:
    """Return one record kind as CSV: a column per field; lists and mappings as JSON."""
    writer = _Writer(None)
    _write_table_csv(ExportMemo()._context(kb), table, writer)
    return writer.finish().data.decode("utf-8")


def _deflate(data: bytes) -> bytes:
    """Return data compressed as zipfile compresses a ZIP_DEFLATED member."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _zip(members: list[tuple[str, bytes, int, bytes]]) -> bytes:
    """Return the zip archive that zipfile writes of these (name, data, CRC, deflated) members.

    Writing it here lets a member whose text did not change keep its compressed bytes.
    """
    if any(len(data) > 1 << 30 for _, data, _, _ in members):
        return _zip_with_zipfile(members)  # zipfile switches to ZIP64 near 4 GiB
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, crc, deflated in members:
        info = _zip_info(name)
        info.CRC, info.compress_size, info.file_size = crc, len(deflated), len(data)
        header = info.FileHeader(False)
        dt = info.date_time
        dosdate = (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2]
        dostime = dt[3] << 11 | dt[4] << 5 | (dt[5] // 2)
        filename = name.encode("ascii")
        central.append(
            struct.pack(
                "<4s4B4HL2L5H2L",
                b"PK\x01\x02",
                info.create_version,
                info.create_system,
                info.extract_version,
                info.reserved,
                info.flag_bits,
                info.compress_type,
                dostime,
                dosdate,
                crc,
                len(deflated),
                len(data),
                len(filename),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + filename
        )
        out += [header, deflated]
        offset += len(header) + len(deflated)
    directory = b"".join(central)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join([*out, directory, end])


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _zip_with_zipfile(members: list[tuple[str, bytes, int, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data, _, _ in members:
            archive.writestr(_zip_info(name), data)
    return buffer.getvalue()


def export_csv(kb: KnowledgeBase) -> bytes:
    """Return a zip of one CSV file per record kind (`claims.csv`, ...)."""
    return ExportMemo().export(kb, "csv")


# AIF ----------------------------------------------------------------------------------------


def aif_timestamp(dates: Iterable[str | None]) -> str:
    """Return the AIF timestamp of the earliest of some partial dates, else the fixed one."""
    known = sorted(d for d in dates if d)
    if not known:
        return FIXED_TIMESTAMP
    year, month, day = ([*known[0].split("-"), "01", "01"])[:3]
    return f"{year}-{month}-{day} 00:00:00"


AifNode = tuple[int, str, str, str]  # node ID, text, type, timestamp
AifEdge = tuple[int, int, int]  # edge ID, from, to
AifLocution = tuple[int, int, str, str | None]  # node ID, person ID, timestamp, source
AifParticipant = tuple[int, str, str]  # participant ID, first name, surname


class _AifBuilder:
    """Builds AIF nodes, edges and locutions from a knowledge base, in a stable order."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.nodes: list[AifNode] = []
        self.edges: list[AifEdge] = []
        self.locutions: list[AifLocution] = []
        self.participants: list[AifParticipant] = []
        self.node_of: dict[str, int] = {}  # claim / evidence / support ID -> node ID
        self.dates = {sid: source.date for sid, source in kb.sources.items()}
        self.claim_tokens: dict[str, int] = {}  # the claims whose text the I-nodes carry

    def date_of(self, source_id: str | None) -> str | None:
        return self.dates.get(source_id or "")

    def node(self, node_type: str, text: str, dates: Iterable[str | None] = ()) -> int:
        node_id = len(self.nodes) + 1
        self.nodes.append((node_id, text, node_type, aif_timestamp(dates)))
        return node_id

    def edge(self, from_id: int, to_id: int) -> None:
        self.edges.append((len(self.edges) + 1, from_id, to_id))

    def build(self) -> _AifBuilder:
        kb = self.kb
        claim_dates: dict[str, list[str | None]] = defaultdict(list)
        for s in kb.stances.values():
            claim_dates[s.claim].append(self.date_of(s.source))
        for e in kb.evidence.values():
            claim_dates[e.claim].append(self.date_of(e.source))
        for c in _sorted(kb.claims):
            self.node_of[c.id] = self.node("I", c.text, claim_dates[c.id])
        evidence = _sorted(kb.evidence)
        for e in evidence:
            self.node_of[e.id] = self.node("I", e.quote, [self.date_of(e.source)])
        self._supports()
        for e in evidence:
            if e.claim not in self.node_of:
                continue
            kind = "RA" if e.direction is Direction.supports else "CA"
            s_node = self.node(kind, DEFAULT_SCHEMES[kind], [self.date_of(e.source)])
            self.edge(self.node_of[e.id], s_node)
            self.edge(s_node, self.node_of[e.claim])
            if kind == "RA":
                self.node_of[f"support:{e.id}"] = s_node
        for r in _sorted(kb.relations):
            self._relation(r)
        self._stances()
        # A memo keeps the graph: not the KB, nor the lookups only building needs.
        self.kb, self.node_of, self.dates = None, {}, {}  # type: ignore[assignment]
        return self

    def with_claims(self, kb: KnowledgeBase, ids: list[str], tokens: dict[str, int]) -> _AifBuilder:
        """Return this graph with the texts of the claims whose token changed (same IDs)."""
        if tokens == self.claim_tokens:
            return self
        new = copy.copy(self)
        new.nodes = list(self.nodes)
        # The claims' I-nodes come first, in ID order.
        for i, cid in enumerate(ids):
            if self.claim_tokens[cid] != tokens[cid]:
                node_id, _, kind, ts = new.nodes[i]
                new.nodes[i] = (node_id, kb.claims[cid].text, kind, ts)
        return new

    def _supports(self) -> None:
        """Add an RA node per support, or per group of linked supports into one conclusion."""
        groups: dict[tuple[str, str], list[Relation]] = defaultdict(list)
        for r in _sorted(self.kb.relations):
            if r.type is RelationType.supports:
                key = (f"group:{r.group}", r.to) if r.group else (f"relation:{r.id}", r.to)
                groups[key].append(r)
        for (_, conclusion), members in sorted(groups.items()):
            premises = [r for r in members if r.from_ in self.node_of]
            if conclusion not in self.node_of or not premises:
                continue
            scheme = next((r.scheme for r in members if r.scheme), DEFAULT_SCHEMES["RA"])
            ra = self.node("RA", scheme, [self.date_of(r.source) for r in members])
            for r in premises:
                self.edge(self.node_of[r.from_], ra)
                self.node_of[f"support:{r.id}"] = ra
            self.edge(ra, self.node_of[conclusion])

    def _relation(self, r: Relation) -> None:
        nodes = self.node_of
        dates = [self.date_of(r.source)]
        if r.from_ not in nodes:
            return
        if r.type is RelationType.rebuts and r.to in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[r.to])
        elif r.type is RelationType.contradicts and r.to in nodes:
            for a, b in ((r.from_, r.to), (r.to, r.from_)):
                ca = self.node("CA", r.scheme or CONTRADICTION_SCHEME, dates)
                self.edge(nodes[a], ca)
                self.edge(ca, nodes[b])
        elif r.type is RelationType.undercuts and f"support:{r.to}" in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[f"support:{r.to}"])
        elif r.type in (RelationType.equivalent, RelationType.refines) and r.to in nodes:
            default = REFINEMENT_SCHEME if r.type is RelationType.refines else DEFAULT_SCHEMES["MA"]
            ma = self.node("MA", r.scheme or default, dates)
            self.edge(nodes[r.from_], ma)
            self.edge(ma, nodes[r.to])

    def _stances(self) -> None:
        kb = self.kb
        person: dict[str, int] = {}
        for actor in _sorted(kb.actors):
            person[actor.id] = len(person) + 1
            first, _, last = actor.name.partition(" ")
            self.participants.append((person[actor.id], first, last))
        for s in _sorted(kb.stances):
            if s.claim not in self.node_of or s.actor not in kb.actors:
                continue
            source = kb.sources.get(s.source)
            dates = [source.date if source else None]
            name = kb.actors[s.actor].name
            loc = self.node("L", f"{name}: {s.quote}", dates)
            ya = self.node("YA", ILLOCUTIONS[s.position], dates)
            self.edge(loc, ya)
            self.edge(ya, self.node_of[s.claim])
            self.locutions.append(
                (
                    loc,
                    person[s.actor],
                    aif_timestamp(dates),
                    (source.url or source.title) if source else None,
                )
            )


def _aif(kb: KnowledgeBase) -> _AifBuilder:
    return _AifBuilder(kb).build()


def _aif_structure(ctx: _Context, last: _AifBuilder | None) -> _AifBuilder:
    """Return the AIF graph: the last one, with new claim texts, while nothing else changed.

    Claims give the graph nothing but their IDs and the texts of their I-nodes.
    """
    tokens = ctx.tokens["claims"]
    built = _aif(ctx.kb) if last is None else last.with_claims(ctx.kb, ctx.ids("claims"), tokens)
    built.claim_tokens = tokens
    return built


def _aif_of(ctx: _Context) -> _AifBuilder:
    others = ("evidence", "relations", "stances", "sources", "actors")
    return ctx.structure("aif", ("claims",), others, _aif_structure)


def kb_to_aif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as AIFdb JSON data (nodes, edges, locutions)."""
    built = _aif(kb)
    return {
        "nodes": [
            {"nodeID": str(i), "text": text, "type": kind, "timestamp": ts}
            for i, text, kind, ts in built.nodes
        ],
        "edges": [
            {"edgeID": str(i), "fromID": str(a), "toID": str(b), "formEdgeID": None}
            for i, a, b in built.edges
        ],
        "locutions": [
            {
                "nodeID": str(node),
                "personID": str(person),
                "timestamp": ts,
                "start": None,
                "end": None,
                "source": source,
            }
            for node, person, ts, source in built.locutions
        ],
    }


_XAIF_COLUMNS = 8


def kb_to_xaif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as xAIF (OVA3): AIF with participants, plus a node layout."""
    built = _aif(kb)
    columns = _XAIF_COLUMNS
    return {
        "AIF": {
            "nodes": [
                {"nodeID": str(i), "text": text, "type": kind} for i, text, kind, _ in built.nodes
            ],
            "edges": [
                {"edgeID": str(i), "fromID": str(a), "toID": str(b)} for i, a, b in built.edges
            ],
            "locutions": [
                {"nodeID": str(node), "personID": str(person)}
                for node, person, _, _ in built.locutions
            ],
            "participants": [
                {"participantID": pid, "firstname": first, "surname": last}
                for pid, first, last in built.participants
            ],
            "schemefulfillments": [],
        },
        "OVA": {
            "firstname": "",
            "surname": "",
            "url": "",
            "nodes": [
                {
                    "nodeID": str(i),
                    "visible": True,
                    "x": 50 + 250 * ((i - 1) % columns),
                    "y": 50 + 150 * ((i - 1) // columns),
                    "timestamp": ts,
                }
                for i, _, _, ts in built.nodes
            ],
            "edges": [
                {"fromID": str(a), "toID": str(b), "visible": True} for _, a, b in built.edges
            ],
        },
        "text": kb.config.title,
    }


def _json_object(depth: int, **fields: str) -> str:
    """Return a %-template of a JSON object laid out as json.dumps(indent=2) does at a depth.

    Each field's value is JSON text, or a %-placeholder for it.
    """
    pad = "  " * depth
    body = ",\n".join(f"{pad}  {json.dumps(name)}: {value}" for name, value in fields.items())
    return f"{pad}{{\n{body}\n{pad}}}"


# Each AIF item as json.dumps(indent=2) lays it out, at the depth its list sits.
_AIF_NODE = _json_object(2, nodeID='"%d"', text="%s", type="%s", timestamp="%s")
_AIF_EDGE = _json_object(2, edgeID='"%d"', fromID='"%d"', toID='"%d"', formEdgeID="null")
_AIF_LOCUTION = _json_object(
    2, nodeID='"%d"', personID='"%d"', timestamp="%s", start="null", end="null", source="%s"
)
_XAIF_NODE = _json_object(3, nodeID='"%d"', text="%s", type="%s")
_XAIF_EDGE = _json_object(3, edgeID='"%d"', fromID='"%d"', toID='"%d"')
_XAIF_LOCUTION = _json_object(3, nodeID='"%d"', personID='"%d"')
_XAIF_PARTICIPANT = _json_object(3, participantID="%d", firstname="%s", surname="%s")
_OVA_NODE = _json_object(3, nodeID='"%d"', visible="true", x="%d", y="%d", timestamp="%s")
_OVA_EDGE = _json_object(3, fromID='"%d"', toID='"%d"', visible="true")


def _json_or_null(text: str | None) -> str:
    return "null" if text is None else _jstr(text)


def _write_aif(ctx: _Context, writer: _Writer) -> None:
    built = _aif_of(ctx)
    nodes, edges, locutions = built.nodes, built.edges, built.locutions
    writer.add(b"{")

    def render_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, text, kind, ts = nodes[i]
            out.append((_AIF_NODE % (node_id, _jstr(text), _jstr(kind), _jstr(ts))).encode())
        return out

    _json_list(writer, "nodes", '\n  "nodes": ', nodes, render_nodes, "  ")
    _json_list(
        writer,
        "edges",
        ',\n  "edges": ',
        edges,
        lambda indices: [(_AIF_EDGE % edges[i]).encode() for i in indices],
        "  ",
    )

    def render_locutions(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node, person, ts, source = locutions[i]
            text = _AIF_LOCUTION % (node, person, _jstr(ts), _json_or_null(source))
            out.append(text.encode())
        return out

    _json_list(writer, "locutions", ',\n  "locutions": ', locutions, render_locutions, "  ")
    writer.add(b"\n}\n")


def _write_xaif(ctx: _Context, writer: _Writer) -> None:
    built = _aif_of(ctx)
    nodes, edges = built.nodes, built.edges
    locutions, participants = built.locutions, built.participants
    writer.add(b'{\n  "AIF": {')

    def render_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, text, kind, _ = nodes[i]
            out.append((_XAIF_NODE % (node_id, _jstr(text), _jstr(kind))).encode())
        return out

    _json_list(writer, "aif-nodes", '\n    "nodes": ', nodes, render_nodes, "    ")
    _json_list(
        writer,
        "aif-edges",
        ',\n    "edges": ',
        edges,
        lambda indices: [(_XAIF_EDGE % edges[i]).encode() for i in indices],
        "    ",
    )
    _json_list(
        writer,
        "locutions",
        ',\n    "locutions": ',
        locutions,
        lambda indices: [(_XAIF_LOCUTION % locutions[i][:2]).encode() for i in indices],
        "    ",
    )

    def render_participants(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            pid, first, last = participants[i]
            out.append((_XAIF_PARTICIPANT % (pid, _jstr(first), _jstr(last))).encode())
        return out

    _json_list(
        writer, "participants", ',\n    "participants": ', participants, render_participants, "    "
    )
    writer.add(
        b',\n    "schemefulfillments": []\n  },\n  "OVA": {\n    "firstname": "",\n'
        b'    "surname": "",\n    "url": ""'
    )
    columns = _XAIF_COLUMNS

    def render_ova_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, _, _, ts = nodes[i]
            x, y = 50 + 250 * (i % columns), 50 + 150 * (i // columns)
            out.append((_OVA_NODE % (node_id, x, y, _jstr(ts))).encode())
        return out

    _json_list(writer, "ova-nodes", ',\n    "nodes": ', nodes, render_ova_nodes, "    ")
    _json_list(
        writer,
        "ova-edges",
        ',\n    "edges": ',
        edges,
        lambda indices: [(_OVA_EDGE % edges[i][1:]).encode() for i in indices],
        "    ",
    )
    writer.add(f'\n  }},\n  "text": {_jstr(ctx.kb.config.title)}\n}}\n'.encode())


def export_aif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as AIFdb JSON."""
    return ExportMemo().export(kb, "aif")


def export_xaif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as xAIF (OVA3) JSON."""
    return ExportMemo().export(kb, "xaif")


# Argdown ------------------------------------------------------------------------------------

_ARGDOWN_SPECIAL = set("\\[]<>#*_@{}/:=+-~`^|")
_ARGDOWN_SPECIAL_RE = re.compile("[" + re.escape("".join(sorted(_ARGDOWN_SPECIAL))) + "]")


def argdown_escape(text: str) -> str:
    """Return text as one Argdown line, escaping every character Argdown reads as syntax."""
    return _ARGDOWN_SPECIAL_RE.sub(r"\\\g<0>", " ".join(text.split()))


def _yaml_flow(data: dict[str, Any]) -> str:
    """Return an Argdown inline YAML data element (JSON is valid inline YAML)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _block(lines: Iterable[str]) -> bytes:
    """Return lines as they follow earlier ones in a document joined by newlines."""
    return "".join("\n" + line for line in lines).encode("utf-8")


class _ArgdownLinks:
    """What an Argdown document makes of the relations: claims' links, arguments, undercuts."""

    def __init__(self, ctx: _Context) -> None:
        kb = ctx.kb
        undercut = {r.to for r in kb.relations.values() if r.type is RelationType.undercuts}
        grouped: dict[tuple[str, str], list[Relation]] = defaultdict(list)
        incoming: dict[str, list[str]] = defaultdict(list)
        data: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        relations = ctx.records("relations")
        for r in relations:
            if r.type is RelationType.supports:
                if r.group or r.id in undercut:
                    grouped[(r.group or r.id, r.to)].append(r)
                else:
                    incoming[r.to].append(f"    <+ [{r.from_}]")
            elif r.type is RelationType.rebuts:
                incoming[r.to].append(f"    <- [{r.from_}]")
            elif r.type is RelationType.contradicts:
                incoming[r.to].append(f"    >< [{r.from_}]")
            elif r.type in (RelationType.refines, RelationType.equivalent):
                data[r.from_][r.type.value].append(r.to)
        # Per claim in ID order: the YAML data it carries and the lines under it.
        self.claims: list[tuple[str | None, tuple[str, ...]]] = [
            (
                _yaml_flow({k: sorted(v) for k, v in sorted(data[cid].items())})
                if cid in data
                else None,
                tuple(incoming.get(cid, ())),
            )
            for cid in ctx.ids("claims")
        ]
        arg_title: dict[str, str] = {}
        used = set(kb.evidence)
        self.arguments: list[tuple[str, str, list[Relation]]] = []
        for (title, conclusion), members in sorted(grouped.items()):
            if title in used:  # one group name used for two conclusions
                title = f"{title}--{conclusion}"
            used.add(title)
            for r in members:
                arg_title[r.id] = title
            self.arguments.append((title, conclusion, members))
        tokens = ctx.tokens["relations"]
        self.argument_keys = [(t, c, *(tokens[r.id] for r in m)) for t, c, m in self.arguments]
        for eid in kb.evidence:
            arg_title[eid] = eid
        self.undercuts = [
            (r.from_, arg_title[r.to])
            for r in relations
            if r.type is RelationType.undercuts and r.to in arg_title
        ]


def _argdown_structure(ctx: _Context, last: _ArgdownLinks | None) -> _ArgdownLinks:
    return last if last is not None else _ArgdownLinks(ctx)


def _write_argdown(ctx: _Context, writer: _Writer) -> None:
    """Write the claims, evidence and links as an Argdown document (see `export_argdown`)."""
    kb = ctx.kb
    out: list[str] = ["===", f"title: {json.dumps(kb.config.title, ensure_ascii=False)}"]
    if kb.config.description:
        out.append(f"subTitle: {json.dumps(kb.config.description, ensure_ascii=False)}")
    out += ["model:", "    mode: loose", "==="]
    writer.add("\n".join(out).encode("utf-8"))
    links = ctx.structure("argdown", ("claims", "evidence"), ("relations",), _argdown_structure)
    claims = ctx.records("claims")
    extras = links.claims

    def render_claims(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            c = claims[i]
            meta, lines = extras[i]
            tags = "".join(f" #{t}" for t in c.tags)
            line = f"[{c.id}]: {argdown_escape(c.text)}{tags}"
            if meta is not None:
                line += " " + meta
            chunks.append(_block(["", line, *lines]))
        return chunks

    tokens = ctx.keys("claims")
    keys = ctx.item_keys(
        "argdown-claims",
        extras,
        {"claims": range(len(extras))},
        lambda indices: [(tokens[i], *extras[i]) for i in indices],
    )
    writer.run("claims", keys, render_claims)
    arguments = links.arguments

    def render_arguments(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            title, conclusion, members = arguments[i]
            gist = members[0].rationale or (
                "Linked premises support the conclusion." if len(members) > 1 else "Support."
            )
            lines = ["", f"<{title}>: {argdown_escape(gist)}", ""]
            lines += [f"({n}) [{r.from_}]" for n, r in enumerate(members, 1)]
            lines += ["----", f"({len(members) + 1}) [{conclusion}]"]
            chunks.append(_block(lines))
        return chunks

    writer.run("arguments", links.argument_keys, render_arguments)
    evidence = ctx.records("evidence")

    def render_evidence(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            e = evidence[i]
            relation = "+>" if e.direction is Direction.supports else "->"
            text = argdown_escape(e.summary or e.quote)
            meta = _yaml_flow({"source": e.source, "kind": e.kind.value})
            chunks.append(_block(["", f"<{e.id}>: {text} {meta}", f"    {relation} [{e.claim}]"]))
        return chunks

    writer.run("evidence", ctx.keys("evidence"), render_evidence)
    undercuts = links.undercuts
    writer.run(
        "undercuts",
        undercuts,
        lambda indices: [
            _block(["", f"[{undercuts[i][0]}]", f"    _> <{undercuts[i][1]}>"]) for i in indices
        ],
    )
    writer.add(b"\n")


def export_argdown(kb: KnowledgeBase) -> bytes:
    """Return the claims, evidence and links as an Argdown document (loose mode).

    Claims are titled statements `[claim-id]: text #tags`; a support `+`, a rebuttal `-` and a
    contradiction `><` hang under the claim they point at. A support that is undercut, or whose
    premises are linked (a group), becomes a reconstructed argument `<relation-id>` with its
    premise-conclusion structure, so that the undercut `_>` can attack its inference. Evidence
    becomes a sketched argument `<evidence-id>`. Refinements and equivalences, which Argdown has
    no relation for, are kept as YAML data on the claim.
    """
    return ExportMemo().export(kb, "argdown")


_WRITERS: dict[str, Callable[[_Context, _Writer], None]] = {
    "json": _write_json,
    "graphml": _write_graphml,
    "dot": _write_dot,
    "aif": _write_aif,
    "xaif": _write_xaif,
    "argdown": _write_argdown,
}


# JSON-LD ------------------------------------------------------------------------------------

_SCHEMA_TYPES = {
    "paper": "ScholarlyArticle",
    "preprint": "ScholarlyArticle",
    "blog-post": "BlogPosting",
    "newsletter": "Article",
    "book": "Book",
    "chapter": "Chapter",
    "talk": "CreativeWork",
    "podcast": "PodcastEpisode",
    "video": "VideoObject",
    "dataset": "Dataset",
    "social-post": "SocialMediaPosting",
    "report": "Report",
    "web-page": "WebPage",
}


def _person(kb: KnowledgeBase, actor_id: str) -> dict[str, Any]:
    actor = kb.actors.get(actor_id)
    if actor is None:
        return {"@type": "Person", "name": actor_id}
    data: dict[str, Any] = {
        "@type": "Person" if actor.kind.value == "person" else "Organization",
        "name": actor.name,
    }
    if actor.homepage:
        data["url"] = actor.homepage
    return data


def _creative_work(kb: KnowledgeBase, source_id: str) -> dict[str, Any]:
    source = kb.sources[source_id]
    data: dict[str, Any] = {"@type": _SCHEMA_TYPES[source.kind.value], "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date
    if source.authors:
        data["author"] = [_person(kb, a) for a in source.authors]
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.doi:
        data["identifier"] = f"https://doi.org/{source.doi}"
    return data


def claim_jsonld(
    kb: KnowledgeBase,
    claim_id: str,
    url: str | None = None,
    stances: Iterable[Stance] | None = None,
) -> dict[str, Any]:
    """Return a schema.org Claim: its text, the works it appears in, and who asserts it.

    Pass the claim's `stances` (e.g. `KBGraph.stances_on(claim_id)`) when rendering many
    claims; without them every stance of the knowledge base is scanned.
    """
    claim = kb.claims[claim_id]
    if stances is None:
        stances = [s for s in kb.stances.values() if s.claim == claim_id]
    stances = sorted(stances, key=lambda s: s.id)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "identifier": claim.id,
        "name": claim.text,
        "text": claim.text,
    }
    if url:
        data["@id"] = url
        data["url"] = url
    if claim.tags:
        data["keywords"] = list(claim.tags)
    sources = sorted({s.source for s in stances if s.source in kb.sources})
    if sources:
        works = [_creative_work(kb, s) for s in sources]
        data["appearance"] = works
        dated = [w for w in works if "datePublished" in w]
        if dated:
            data["firstAppearance"] = min(dated, key=lambda w: w["datePublished"])
    authors = sorted({s.actor for s in stances if s.position is Position.asserts})
    if authors:
        data["author"] = [_person(kb, a) for a in authors]
    return data


def jsonld_script(data: dict[str, Any]) -> str:
    """Return JSON-LD as a script element that is safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


# Registry -----------------------------------------------------------------------------------

EXPORTERS: dict[str, Callable[[KnowledgeBase], bytes]] = {
    "json": export_json,
    "graphml": export_graphml,
    "dot": export_dot,
    "csv": export_csv,
    "aif": export_aif,
    "xaif": export_xaif,
    "argdown": export_argdown,
}
_FILE_NAMES = {
    "json": "debate-kb.json",
    "graphml": "debate-kb.graphml",
    "dot": "debate-kb.dot",
    "csv": "debate-kb-csv.zip",
    "aif": "debate-kb.aif.json",
    "xaif": "debate-kb.xaif.json",
    "argdown": "debate-kb.argdown",
}
MEDIA_TYPES = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "dot": "text/vnd.graphviz",
    "csv": "application/zip",
    "aif": "application/json",
    "xaif": "application/json",
    "argdown": "text/plain",
}
DESCRIPTIONS = {
    "json": "Every record and relation, with a published JSON Schema.",
    "graphml": "The record graph for Gephi, yEd or networkx.",
    "dot": "The argument map for Graphviz.",
    "csv": "One CSV table per record kind, zipped.",
    "aif": "Argument Interchange Format (AIFdb JSON).",
    "xaif": "xAIF for OVA3.",
    "argdown": "An Argdown document for the Argdown tools.",
}


def file_name(fmt: str) -> str:
    """Return the download file name of an export format."""
    return _FILE_NAMES[fmt]


def export(kb: KnowledgeBase, fmt: str) -> bytes:
    """Return the knowledge base in one export format."""
    return EXPORTERS[fmt](kb)


def run_export(root: Path, fmt: str, out: Path | None) -> Path | None:
    """Load and check the knowledge base, then write one export to a file or standard output."""
    import sys

    from kb.check import load_kb

    data = export(load_kb(root), fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
