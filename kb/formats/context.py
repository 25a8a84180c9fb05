"""One knowledge base as the exporters read it: records in ID order, with version tokens."""

from __future__ import annotations

import io
import operator
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from hashlib import blake2b
from itertools import count, pairwise
from typing import Any

from pydantic import BaseModel

from kb.formats.writer import Writer
from kb.model.kb import KnowledgeBase
from kb.model.records import PLURALS, Record

TABLES = tuple(PLURALS)
Tables = dict[str, dict[str, Record]]  # a KB's records by table and ID
KIND_OF_TABLE = PLURALS


def dump(record: Record) -> dict[str, Any]:
    """Return a record as plain JSON data, leaving out unset optional fields."""
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)


def sorted_records(table: dict[str, Any]) -> list[Any]:
    return [table[key] for key in sorted(table)]


class Context:
    """One knowledge base as the exporters read it: records in ID order, with version tokens."""

    # A record's token stays the same from one export to the next while the record is equal to the
    # one the token was given for, so a key made of tokens stands for record values. A table's
    # versions (of its set of IDs, of its records) likewise change only with it.

    def __init__(
        self,
        kb: KnowledgeBase,
        tokens: dict[str, dict[str, int]],
        versions: dict[str, tuple[int, int]],
        memo: ExportState,
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

    def _per_table(
        self, kind: str, table: str, make: Callable[[list[str]], list[Any]]
    ) -> list[Any]:
        """Return a list made per record of a table, the last one while the table is unchanged."""
        # A list of records may hold last time's objects: they equal this time's.
        tokens, version = self.tokens[table], self.versions[table]
        last = self.memo._lists.get((kind, table))
        if last is None or last[0] is not tokens or last[1] != version:
            last = self.memo._lists[kind, table] = (tokens, version, make(self.ids(table)))
        return last[2]

    def structure(
        self, name: str, ids_of: Iterable[str], records_of: Iterable[str], make: Callable[..., Any]
    ) -> Any:
        """Return what make(ctx, last) derives from some tables' IDs and others' records."""
        # `last` is what the last export derived, if it read the same tables unchanged since; make
        # may return it as it is, or patch it.
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
        self,
        name: str,
        base: list[Any],
        items_of: Mapping[str, Sequence[int]],
        key: Callable[[Sequence[int]], list[Any]],
    ) -> list[Any]:
        """Return the keys of a structure's items, made by key(indices)."""
        # Kept from the last export while the structure is the same, remaking only the keys of the
        # items (`items_of` each table) of the tables whose records changed.
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


class ExportState:
    """What one export leaves for the next: the records it saw, their tokens, derived lists."""

    # Pickled, it keeps each record's fingerprint rather than the record: the next export, in
    # another process, fingerprints the records it is given to find those that changed.

    def __init__(self) -> None:
        self._records: dict[str, dict[str, Record]] = {}  # the records of the last export
        self._prints: dict[str, dict[str, bytes]] = {}  # and their fingerprints
        self._tokens: dict[str, dict[str, int]] = {}  # and their tokens
        self._counter = 0
        self._versions: dict[str, tuple[int, int]] = {}
        self._order: dict[str, tuple[int, list[str]]] = {}
        self._lists: dict[tuple[str, str], tuple[dict[str, int], tuple[int, int], list[Any]]] = {}
        self._keys: dict[str, tuple[list[Any], dict[str, dict[str, int]], list[Any]]] = {}
        self._structures: dict[str, tuple[Any, Any]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Records and the lists of them are rebuilt from the next load: pickling them (millions
        # of small objects) costs more than fingerprinting that load.
        return {k: v for k, v in vars(self).items() if k not in ("_records", "_lists")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update({"_prints": {}, **state, "_records": {}, "_lists": {}})

    def adopt(self, tables: Tables) -> None:
        """Take these for the records of the last export, known until now by fingerprints."""
        # Only the tables of the KB the last export was given: `is` then settles most records.
        self._records = {
            t: dict(records)
            for t, records in tables.items()
            if t in self._prints and records.keys() == self._prints[t].keys()
        }

    def context(self, kb: KnowledgeBase) -> Context:
        """Return the export context of a knowledge base, giving changed records new tokens."""
        for table in TABLES:
            self._table(table, getattr(kb, table))
        all_tokens = {table: self._tokens.get(table, {}) for table in TABLES}
        versions = {table: self._versions.get(table, (0, 0)) for table in TABLES}
        return Context(kb, all_tokens, versions, self)

    def _table(self, table: str, records: dict[str, Record]) -> None:
        """Give one table's changed records new tokens, and the table new versions."""
        old = self._records.get(table)
        if old is None:  # records known only by their fingerprints
            old = {}
        elif (
            # Unchanged files' records come back as the same objects, in the same order: `is`
            # settles most, and a whole unchanged table in C.
            len(records) == len(old)
            and all(map(operator.is_, records.values(), old.values()))
            and records.keys() == old.keys()
        ):
            return
        differ = [rid for rid, record in records.items() if old.get(rid) is not record]
        self._records[table] = dict(records)  # this load's objects, for `is` next time
        if not differ and len(records) == len(old):
            return
        old_prints = self._prints.get(table, {})
        made = dict(zip(differ, fingerprints(records[rid] for rid in differ), strict=True))
        prints = self._prints[table] = {rid: made.get(rid) or old_prints[rid] for rid in records}
        old_tokens = self._tokens.get(table, {})
        if not old_tokens:  # the first export: number them all at once
            self._tokens[table] = dict(zip(records, count(self._counter + 1)))
            self._counter += len(records) + 2
            self._versions[table] = (self._counter - 1, self._counter)
            return
        tokens = {rid: old_tokens[rid] for rid in records if rid in old_tokens}
        added = len(tokens) < len(records) or len(tokens) < len(old_tokens)
        changed = added
        for rid in differ:
            if rid not in tokens or old_prints.get(rid) != prints[rid]:
                self._counter += 1
                tokens[rid] = self._counter
                changed = True
        if not changed:
            return  # equal records (questions are copied on every load): same tokens
        ids_version = self._versions.get(table, (0, 0))[0]
        if added:
            self._counter += 1
            ids_version = self._counter
        self._counter += 1
        self._versions[table] = (ids_version, self._counter)
        self._tokens[table] = tokens


class _Printer(pickle.Pickler):
    """Pickles records for their fingerprints: models as their fields, nothing else."""

    def reducer_override(self, obj: Any) -> Any:
        # Only fields make a model's value (as its == sees it), not the set of those given.
        if isinstance(obj, BaseModel):
            return type(obj), (obj.__dict__,)
        return NotImplemented


def fingerprints(records: Iterable[Record]) -> list[bytes]:
    """Return a digest of each record's value: equal for equal records, as pickled (strictly)."""
    buffer = io.BytesIO()
    printer = _Printer(buffer, protocol=5)
    printer.fast = True  # no memo: a value pickles alike whatever objects it shares
    ends = [0]
    for record in records:
        printer.dump((type(record), record.__dict__))
        ends.append(buffer.tell())
    view = buffer.getbuffer()
    return [blake2b(view[a:b], digest_size=16).digest() for a, b in pairwise(ends)]


def export_once(kb: KnowledgeBase, write: Callable[[Context, Writer], None]) -> bytes:
    """Return one format's output, written afresh."""
    writer = Writer(None)
    write(ExportState().context(kb), writer)
    return writer.finish().output()
