"""Gather the records of every file below a folder into a KnowledgeBase."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb.errors import Location, Problem, Severity
from kb.errors.codes import Code
from kb.load import files as kbfiles
from kb.load.cache import ParseCache
from kb.load.config import load_config
from kb.load.extract import _derived_id, _schema_problems, iter_records
from kb.load.files import display_path, read_text
from kb.load.parse import parse_yaml
from kb.load.safety import control_problems, site_problems
from kb.load.share import Sharer
from kb.model.kb import KnowledgeBase
from kb.model.located import LocDict, Where
from kb.model.records import (
    CLAIM_LINK_FIELDS,
    ID_RE,
    KINDS,
    MAX_ID_LENGTH,
    REVERSE_LINK_FIELDS,
    Claim,
    Record,
    Relation,
    RelationType,
    relation_id,
)


class Loader:
    """Gathers records from files into a KnowledgeBase, collecting every problem."""

    def __init__(self, root: Path) -> None:
        self.kb = KnowledgeBase(root=root)
        self.problems: list[Problem] = []
        # Where each ID was first stored: its location is worked out only for a duplicate.
        self.first_seen: dict[str, Where] = {}
        self.cache: ParseCache | None = None
        # The knowledge base's table of each kind, looked up once rather than for each record.
        self.tables: dict[str, dict[str, Any]] = {kind: self.kb.table(kind) for kind in KINDS}
        # Each kind's model_validate, without its Python wrapper (same call, same defaults).
        self.validate = {
            kind: m.__pydantic_validator__.validate_python for kind, m in KINDS.items()
        }
        self.sharer = Sharer()

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
            self.problems.extend(control_problems(docs, shown))
        if not problems and all(doc is None for doc in docs):
            self.problems.append(
                Problem(
                    Code.KB011,
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
        where = Where(path, at, raw)
        data = dict(raw)
        if "id" not in data or data["id"] in (None, ""):
            derived = _derived_id(kind, raw)
            if derived is None:
                self.problems.append(
                    Problem(
                        Code.KB103,
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
            record = self.validate[kind](data)
        except ValidationError as exc:
            self.problems.extend(_schema_problems(exc, kind, where))
            if isinstance(data["id"], str) and ID_RE.match(data["id"]):
                # Known but invalid: references to it are not reported a second time.
                self.kb.invalid_ids.add(data["id"])
            return
        self.sharer.share(record, raw)
        self.store(record, where)
        if isinstance(record, Claim):
            self.expand_claim(record, where)

    def store(self, record: Record, where: Where) -> None:
        rid = record.id
        first = self.first_seen.get(rid)
        if first is not None:
            if isinstance(record, Relation) and self._merge_relation(record, where):
                return
            previous = first.value("id")
            self.problems.append(
                Problem(
                    Code.KB201,
                    Severity.error,
                    where.value("id"),
                    f"duplicate id {record.id!r}: already defined at {previous}",
                    "IDs are unique across the whole knowledge base; rename one"
                    + ("" if "id" in (where.raw or {}) else " (give this one an explicit 'id:')"),
                    related=(previous,),
                )
            )
            return
        self.first_seen[rid] = where
        self.tables[record.kind_name][rid] = record
        self.kb.where[rid] = where

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
        fields = vars(claim)  # most link fields are empty lists: skip pydantic's attribute lookup
        for name in CLAIM_LINK_FIELDS:
            for index, target in enumerate(fields[name]):
                self._link(claim.id, RelationType(name), target, where, name, index)
        for name, rel_type in REVERSE_LINK_FIELDS.items():
            for index, source in enumerate(fields[name]):
                self._link(source, rel_type, claim.id, where, name, index)

    def _link(
        self, source: str, rel_type: RelationType, target: str, where: Where, name: str, i: int
    ) -> None:
        rid = relation_id(source, rel_type.value, target)
        item = where.value(name, i)
        if len(rid) > MAX_ID_LENGTH:
            self.problems.append(
                Problem(
                    Code.KB104,
                    Severity.error,
                    item,
                    f"the link's derived ID {rid[:60]!r}... is longer than {MAX_ID_LENGTH}",
                    "shorten the IDs, or write a 'relations:' record with a short 'id:'",
                )
            )
            return
        relation = self.validate["relation"](
            {"id": rid, "from": source, "type": rel_type, "to": target}
        )
        # Its ends are the claim's own strings, validated already (and equal, having no spaces
        # to strip): the relation holds those, not pydantic's copies of the long ones.
        fields = vars(relation)
        fields["from_"], fields["to"] = source, target
        self.sharer.share_names(relation)
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
    """Load every record below root; return the knowledge base and the problems met."""
    # A `loader` (a Loader subclass, such as the build cache's) may be passed to reuse work, a
    # `cache` to reuse the parsed files of earlier runs, and a `listing` (find_files's) already
    # made.
    root = Path(root)
    if not root.is_dir():
        problem = Problem(
            Code.KB010,
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
