"""What changed between two builds: the keys (records, lookups, standings) whose content differs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from kb.build.state import Snapshot
from kb.model.kb import KnowledgeBase
from kb.site.reads import Key

TABLES = ("questions", "claims", "sources", "actors", "stances", "evidence", "relations")
# Claims and actors make no edge of the graph and no entry of another record (a question's
# positions are diffed as the question's own): a change to one touches its own key alone.
_SELF_ONLY = ("claims", "actors")
_MISSING = object()


def changes(
    last: Snapshot,
    kb: KnowledgeBase,
    derived: dict[str, dict[Any, Any]],
    standings: dict[tuple[str, str], Any],
) -> set[Key]:
    """Return the keys whose content differs from the last build's."""
    out: set[Key] = set()
    for name in TABLES:
        _table_changes(name, last.kb, kb, out)
    _where_changes(last.kb, kb, out)
    for name, value in derived.items():
        _dict_changes(last.derived.get(name, {}), value, name, name, out)
    for key in last.standings.keys() | standings.keys():
        if last.standings.get(key) != standings.get(key):
            out.add(("standing", key[1]))
    return out


def _table_changes(name: str, old: KnowledgeBase, kb: KnowledgeBase, out: set[Key]) -> None:
    """Add the keys that the records of one table which differ touch."""
    before, after = getattr(old, name), getattr(kb, name)
    touched = False
    for rid in before.keys() | after.keys():
        a, b = before.get(rid), after.get(rid)
        if a is b or a == b:
            continue
        touched = True
        if a is None or b is None:
            out |= {("?", rid), ("graph", rid)}
        if name in _SELF_ONLY:
            out.add(("", rid))
            continue
        for record in (a, b):
            if record is not None:
                refs = _references(record, (old, kb))
                out |= refs
                out |= {("graph", key) for _, key in refs}
    if touched:
        out.add(("*", name))
    if before.keys() != after.keys():
        out.add(("#", name))


def _where_changes(old: KnowledgeBase, kb: KnowledgeBase, out: set[Key]) -> None:
    """Add the records whose place in the files changed."""
    for rid in old.where.keys() | kb.where.keys():
        a, b = old.where.get(rid), kb.where.get(rid)
        if a is not b and (
            a is None or b is None or (a.path, a.start, a.fixed) != (b.path, b.start, b.fixed)
        ):
            out.add(("where", rid))
            out.add(("*", "where"))
            if a is None or b is None:
                out.add(("#", "where"))
                out.add(("where?", rid))


def _strings(value: Any, out: set[Key]) -> None:
    """Collect every string held by a record (IDs among them) as record keys."""
    if isinstance(value, str):
        out.add(("", value))
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _strings(item, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _strings(item, out)
    elif isinstance(value, dict):
        for k, item in value.items():
            _strings(k, out)
            _strings(item, out)


def _references(record: Any, kbs: Iterable[KnowledgeBase]) -> set[Key]:
    """Return the keys a record touches: its ID, what it names, and the ends of named links."""
    out: set[Key] = set()
    _strings(record, out)
    for _, ref in list(out):
        for kb in kbs:
            linked = kb.relations.get(ref) or kb.evidence.get(ref)
            if linked is not None:
                _strings(linked, out)
    return out


def _dict_changes(
    old: dict[Any, Any], new: dict[Any, Any], ns: str, name: str, out: set[Key]
) -> None:
    """Add the keys whose values differ between two dicts, and the dict as a whole if any."""
    changed = False
    for key in old.keys() | new.keys():
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        if a is not b and a != b:
            out.add((ns, key))
            changed = True
            if a is _MISSING or b is _MISSING:
                out.add((ns + "?", key))
    if changed:
        out.add(("*", name))
    if old.keys() != new.keys():
        out.add(("#", name))
