"""Loading a KB with each file's records kept by content hash, and checking it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from kb.build.executor import SideJob
from kb.check.entry import checked, raise_errors
from kb.errors import Problem, Severity
from kb.load.files import display_path, read_text
from kb.load.loader import Loader, load
from kb.model.kb import KnowledgeBase
from kb.model.located import Where
from kb.model.records import Question, Record

T = TypeVar("T")
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


class Checks:
    """A loaded KB's checks, run in a forked process while the build makes the site."""

    # On two cores or more they take no time of their own (0.2 s at 10,000 claims); with one, or
    # where processes cannot fork, they run here at once. Nothing may be written before `wait`.

    def __init__(
        self, kb: KnowledgeBase, problems: list[Problem], pm: pluggy.PluginManager | None
    ) -> None:
        what = "the checks of the knowledge base"
        self.failing = any(p.severity is Severity.error for p in problems)  # loading's own
        self._job: SideJob[list[Problem]] | None
        self._job = SideJob(_publishable, kb, problems, pm, what=what)

    def alongside(self, make: Callable[[], T]) -> T:
        """Return make()'s value, made while the checks run, once they found no error."""
        if self.failing:
            self.wait()  # loading found an error: nothing need be made
        try:
            value = make()
        except Exception:
            self.wait()  # a KB with errors: the problems say why, not what they led to
            raise
        self.wait()
        return value

    def wait(self) -> None:
        """Wait for the checks; raise ProblemsFound with every problem if any is an error."""
        if self._job is not None:
            job, self._job = self._job, None
            raise_errors(job.result())

    def stop(self) -> None:
        """End the checks unfinished: the build failed before it needed them."""
        if self._job is not None:
            job, self._job = self._job, None
            job.stop()


def _publishable(
    kb: KnowledgeBase, problems: list[Problem], pm: pluggy.PluginManager | None
) -> list[Problem]:
    return checked(kb, problems, publishing=True, pm=pm)


def load_checking(
    root: Path, memo: FileMemo, pm: pluggy.PluginManager | None = None
) -> tuple[KnowledgeBase, Checks]:
    """Load through the memo, and start the checks for publishing (as load_checked's)."""
    kb, problems = load_memo(root, memo)
    return kb, Checks(kb, problems, pm)


def load_checked(
    root: Path, memo: FileMemo, pm: pluggy.PluginManager | None = None
) -> KnowledgeBase:
    """Load through the memo and check, through `kb.check`'s entry point, for publishing."""
    kb, problems = load_memo(root, memo)
    raise_errors(_publishable(kb, problems, pm))
    return kb
