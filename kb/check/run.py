"""The check driver: run every registered check over a loaded knowledge base."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pluggy

from kb.check.context import CheckContext
from kb.check.registry import checks
from kb.errors import Problem, Severity
from kb.model.kb import KnowledgeBase


def check(
    kb: KnowledgeBase,
    earlier: Iterable[Problem] = (),
    archive: Path | None = None,
    today: dt.date | None = None,
    advice: bool = False,
    pm: pluggy.PluginManager | None = None,
) -> list[Problem]:
    """Run every registered check over a loaded knowledge base; return the problems found."""
    # With `advice`, the advice checks (the gap checks, which `kb check` runs) add their advice
    # when neither loading (`earlier`) nor the other checks found an error. Without a plugin
    # manager `pm`, the installed plugins' checks run after the built-ins.
    context = CheckContext(
        earlier=tuple(earlier),
        archive=None if archive is None else Path(archive),
        today=today or dt.date.today(),
        advice=advice,
    )
    registered = checks(pm)
    problems: list[Problem] = []
    for c in registered:
        if not c.advice:
            problems += c.run(kb, context)
    if advice and not any(p.severity is Severity.error for p in (*context.earlier, *problems)):
        for c in registered:
            if c.advice:
                problems += c.run(kb, context)
    return problems
