"""A batch of imported records: readable unique IDs, validation, and what was skipped and why."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb.errors import UsageError
from kb.load.new import slugify
from kb.load.safety import CONTROLS
from kb.model.records import ID_RE, KINDS, MAX_ID_LENGTH, RelationType, relation_id

CLAIM_SLUG_LENGTH = 48
DEFAULT_SCHEMES = {"default inference", "default conflict", "default rephrase", ""}
# AIF's node types, which AraucariaDB and others write as the text of unnamed S-nodes: a type,
# not a scheme (the relation's own type already says it).
GENERIC_LABELS = {"ra", "ca", "ma", "pa", "ta", "ya", "s", "inference", "conflict", "rephrase"}


@dataclass(frozen=True)
class Skipped:
    """Something in an input that was not imported, and why."""

    where: str
    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: skipped {self.what}: {self.why}"


@dataclass
class ImportReport:
    """What an import wrote, made and skipped."""

    written: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[Skipped] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)  # folders the import made, newest last


class ImportFailed(UsageError):
    """An input that cannot be read at all."""


def shorten(slug: str, length: int) -> str:
    """Return a slug cut to at most length characters, at a hyphen when it must be cut."""
    if len(slug) <= length:
        return slug
    cut = slug[:length]
    if slug[length] != "-" and "-" in cut:
        cut = cut[: cut.rfind("-")]
    return cut.rstrip("-")


class Batch:
    """The records made from one input, with IDs unique against the KB and each other."""

    def __init__(
        self, name: str, taken: set[str], actor_names: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.taken = taken
        self.records: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.skipped: list[Skipped] = []
        self.actor_by_name: dict[str, str] = dict(actor_names or {})
        self.source_id: str | None = None
        self.relations: dict[str, dict[str, Any]] = {}
        self.numbered: dict[str, int] = {}  # the last number given to each base: no recount

    def skip(self, where: str, what: str, why: str) -> None:
        """Record that something was not imported."""
        self.skipped.append(Skipped(f"{self.name}{': ' + where if where else ''}", what, why))

    def fresh_id(self, base: str, fallback: str) -> str:
        """Return an unused ID built from base, shortened to fit and numbered if taken."""
        base = shorten(base if base and ID_RE.match(base) else fallback, MAX_ID_LENGTH - 4)
        candidate, n = base, self.numbered.get(base, 1)
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.numbered[base] = n
        self.taken.add(candidate)
        return candidate

    def add(self, table: str, record: dict[str, Any]) -> bool:
        """Validate a record against its model and keep it; report it when invalid."""
        kind = table[:-1] if table != "evidence" else table
        text = [v for v in record.values() if isinstance(v, str) and CONTROLS.search(v)]
        if text:  # the checks refuse them (KB012): they would rewrite a reader's terminal
            self.skip(str(record.get("id", "")), kind, "its text holds control characters")
            self.taken.discard(record.get("id", ""))
            return False
        try:
            KINDS[kind].model_validate(record)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            self.skip(str(record.get("id", "")), kind, f"{first['loc']}: {first['msg']}")
            self.taken.discard(record.get("id", ""))
            return False
        self.records[table].append(record)
        return True

    def claim(
        self, text: str, preferred: str | None = None, tags: list[str] | None = None
    ) -> str | None:
        """Add a claim; return its ID, or None when its text is unusable."""
        text = " ".join(text.split())
        if not text:
            return None
        base = preferred if preferred and ID_RE.match(preferred) else None
        base = base or shorten(slugify(text), CLAIM_SLUG_LENGTH)
        record: dict[str, Any] = {"id": self.fresh_id(base, "claim"), "text": text}
        clean_tags = sorted({t for t in (slugify(tag) for tag in tags or []) if t})
        if clean_tags:
            record["tags"] = clean_tags
        return record["id"] if self.add("claims", record) else None

    def relation(
        self,
        source: str,
        rel_type: RelationType,
        target: str,
        where: str,
        scheme: str | None = None,
        group: str | None = None,
        preferred: str | None = None,
    ) -> str | None:
        """Add a relation unless the checks would refuse it; return its ID."""
        if source == target:
            self.skip(where, f"{rel_type.value} link", f"{source!r} would be linked to itself")
            return None
        if rel_type is RelationType.undercuts:
            support = self.relations.get(target)
            if support is None:
                self.skip(where, "undercut", f"its target {target!r} is not an imported support")
                return None
            if source in (support["from"], support["to"]):
                self.skip(where, "undercut", f"{source!r} would undercut a link it is part of")
                return None
        base = preferred if preferred and ID_RE.match(preferred) else None
        rid = self.fresh_id(base or relation_id(source, rel_type.value, target), "relation")
        record: dict[str, Any] = {"id": rid, "from": source, "type": rel_type.value, "to": target}
        label = (scheme or "").strip().lower()
        if label and label not in DEFAULT_SCHEMES and label not in GENERIC_LABELS:
            record["scheme"] = (scheme or "").strip()
        if group:
            record["group"] = group
        if not self.add("relations", record):
            return None
        self.relations[rid] = record
        return rid

    def actor(self, name: str) -> str:
        """Return the ID of the actor with this name, adding one when new."""
        name = " ".join(name.split())
        if name.lower() in self.actor_by_name:
            return self.actor_by_name[name.lower()]
        aid = self.fresh_id(shorten(slugify(name), CLAIM_SLUG_LENGTH), "actor")
        self.add("actors", {"id": aid, "name": name})
        self.actor_by_name[name.lower()] = aid
        return aid

    def source(self, title: str) -> str:
        """Return the ID of the source standing for the input file, adding it once."""
        if self.source_id is None:
            self.source_id = self.fresh_id(
                shorten(slugify(f"imported {self.name}"), 80), "imported"
            )
            self.add("sources", {"id": self.source_id, "kind": "dataset", "title": title})
        return self.source_id

    def stance(self, actor: str, claim: str, position: str, quote: str, locator: str) -> None:
        """Add a stance grounded in a locution of the input."""
        sid = self.fresh_id(f"{actor}--{claim}", "stance")
        record = {
            "id": sid,
            "actor": actor,
            "claim": claim,
            "position": position,
            "source": self.source(f"Argument map {self.name}"),
            "quote": quote,
            "locator": locator,
        }
        self.add("stances", record)


def read_json(path: Path) -> Any:
    """Return the JSON data of an input file, or fail saying why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise ImportFailed(f"{path}: cannot read JSON: nested too deeply") from None
    except (OSError, ValueError) as exc:  # ValueError: bad JSON, or a number of 5,000 digits
        raise ImportFailed(f"{path}: cannot read JSON: {exc}") from None
