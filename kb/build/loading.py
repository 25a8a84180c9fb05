"""Loading a KB with each file's records kept by content hash, and checking it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from kb.check.entry import load_and_check, raise_errors
from kb.errors import Problem
from kb.load.files import display_path, read_text
from kb.load.loader import Loader, load
from kb.model.kb import KnowledgeBase
from kb.model.located import Where
from kb.model.records import Question, Record

FileEntry = tuple[bytes, list[tuple[str, Any]], frozenset[str]]  # digest, actions, invalid IDs
# Where each entry's pickle lies in the state file last written or read: that file's identity
# (inode, size, modification time), and by path the entry with its offset and length there.
Spans = tuple[tuple[int, int, int], dict[str, tuple[FileEntry, int, int]]]


@dataclass
class FileMemo:
    """What loading each file produced, by path, with the hash of the text it came from."""

    files: dict[str, FileEntry] = field(default_factory=dict)
    parsed: int = 0  # files parsed (not replayed) by the last load
    spans: Spans | None = None  # the next save copies the unchanged entries' pickles from there


class _MemoLoader(Loader):
    """A Loader that replays the records of unchanged files instead of parsing them again."""

    def __init__(self, root: Path, memo: FileMemo) -> None:
        super().__init__(root)
        self.memo = memo
        self.kept: dict[str, FileEntry] = {}
        self.actions: list[tuple[str, Any]] | None = None
        self.mark = 0

    def add_file(self, path: Path, text: str | None = None) -> None:
        """Load one file, from the memo when its text is unchanged."""
        shown = display_path(path)
        if text is None:
            text, problem = read_text(path)
            if problem:
                self.kb.files.append(shown)
                self.problems.append(problem)
                return
        digest = hashlib.blake2b((text or "").encode("utf-8"), digest_size=16).digest()
        cached = self.memo.files.get(shown)
        if cached is not None and cached[0] == digest:
            self.kb.files.append(shown)
            self.replay(cached[1])
            self.kb.invalid_ids |= cached[2]
            self.kept[shown] = cached
            return
        self.memo.parsed += 1
        self.actions, self.mark = [], len(self.problems)
        invalid_before = set(self.kb.invalid_ids)
        try:
            super().add_file(path, text)
            self.flush_problems()
            invalid = frozenset(self.kb.invalid_ids - invalid_before)
            self.kept[shown] = (digest, self.actions, invalid)
        finally:
            self.actions = None

    def flush_problems(self) -> None:
        """Note the problems met since the last stored record (not those store() reports)."""
        assert self.actions is not None
        if len(self.problems) > self.mark:
            self.actions.append(("problems", self.problems[self.mark :]))
        self.mark = len(self.problems)

    def store(self, record: Record, where: Where) -> None:
        """Store a record, noting it for replay when a file is being parsed."""
        if self.actions is not None:
            self.flush_problems()
            # finish() adds claims' answers to questions: the memo keeps a pristine copy.
            kept = self._copy(record) if isinstance(record, Question) else record
            self.actions.append(("store", (kept, where)))
        super().store(record, where)
        if self.actions is not None:
            self.mark = len(self.problems)

    def _copy(self, question: Question) -> Question:
        """Return a deep copy of a question, read-only and shared as a loaded record is."""
        copied = question.model_copy(deep=True)
        self.sharer.share(copied, None)
        return copied

    def replay(self, actions: list[tuple[str, Any]]) -> None:
        """Store a file's records again, exactly as parsing it did."""
        for action, value in actions:
            if action == "store":
                record, where = value
                if isinstance(record, Question):
                    record = self._copy(record)
                super().store(record, where)
            else:
                self.problems.extend(value)


def load_memo(root: Path, memo: FileMemo) -> tuple[KnowledgeBase, list[Problem]]:
    """Load like kb.load.load, parsing only the files whose text changed since the last call."""
    memo.parsed = 0
    loader = _MemoLoader(Path(root), memo)
    kb, problems = load(Path(root), loader)
    if Path(root).is_dir():
        memo.files = loader.kept
    return kb, problems


def load_checked(
    root: Path, memo: FileMemo, pm: pluggy.PluginManager | None = None
) -> KnowledgeBase:
    """Load through the memo and check, through `kb.check`'s one entry point, for publishing."""
    memo.parsed = 0
    loader = _MemoLoader(Path(root), memo)
    kb, problems = load_and_check(root, loader=loader, publishing=True, pm=pm)
    if Path(root).is_dir():
        memo.files = loader.kept
    raise_errors(problems)
    return kb
