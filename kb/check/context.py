"""What a check is, and what one check run gives every check besides the knowledge base."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.check.words import WordMemo
from kb.errors import Problem
from kb.model.kb import KnowledgeBase


class RunMemo:
    """What one check run works out once and reuses: archived texts, content words."""

    def __init__(self) -> None:
        self.archives: dict[Path, str] = {}
        self.words = WordMemo()


@dataclass(frozen=True)
class CheckContext:
    """A check run's settings: loading's problems, the archive folder, today, the advice flag."""

    earlier: tuple[Problem, ...] = ()
    archive: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
    advice: bool = False
    memo: RunMemo = field(default_factory=RunMemo)


CheckFunction = Callable[[KnowledgeBase, CheckContext], list[Problem]]


@dataclass(frozen=True)
class Check:
    """One check: its name, the codes it may report, what it looks for, and how."""

    # An `advice` check runs after all others, and only when advice is asked for and nothing
    # (loading included) found an error: on a broken knowledge base advice would only add noise.

    name: str
    codes: tuple[str, ...]
    description: str
    run: CheckFunction
    advice: bool = False
