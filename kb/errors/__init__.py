"""The project's error types and the problem records that checks report."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a problem matters: errors fail a check, warnings fail it under --strict."""

    error = "error"
    warning = "warning"
    advice = "advice"  # a gap worth an editor's look; printed, never failing, even under --strict


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: 1-based line and column."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One finding of the loader or the checks, located like a compiler message."""

    code: str
    severity: Severity
    location: Location
    message: str
    hint: str | None = None
    related: tuple[Location, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code, self.message)

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "severity": str(self.severity),
            "path": loc.path,
            "line": loc.line,
            "col": loc.col,
            "message": self.message,
            "hint": self.hint,
            "related": [str(r) for r in self.related],
        }

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class KBError(Exception):
    """Base of every error the project raises for a user's mistake or environment."""

    exit_code = 1


class UsageError(KBError):
    """The command was called wrongly."""

    exit_code = 2


class ProblemsFound(KBError):
    """Loading or checking found errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        errors = sum(p.severity is Severity.error for p in self.problems)
        super().__init__(f"{errors} error(s) in the knowledge base")


class BuildError(KBError):
    """The site could not be written; the previous site is left in place."""


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Return a 'did you mean' hint for the closest candidate, if any is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return f"did you mean {matches[0]!r}?" if matches else None
