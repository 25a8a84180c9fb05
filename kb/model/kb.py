"""The container of a knowledge base's records, by kind, with where each one stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.model.located import Where
from kb.model.records import (
    Actor,
    Claim,
    Config,
    Evidence,
    Question,
    Record,
    Relation,
    Source,
    Stance,
)


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
        table: dict[str, Any] = getattr(self, _TABLES[kind])
        return table

    def get(self, record_id: str) -> Record | None:
        """Return the record with this ID, of any kind."""
        for name in _TABLES.values():
            record: Record | None = getattr(self, name).get(record_id)
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
