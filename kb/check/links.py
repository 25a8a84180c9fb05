"""Link and date checks: addresses are http, https or doi links; dates are not in the future."""

from __future__ import annotations

import re

from kb.check.context import CheckContext
from kb.errors import Problem, Severity
from kb.model.kb import KnowledgeBase

E = Severity.error
SAFE_SCHEMES = ("http://", "https://", "doi:")
# For a str pattern, \s matches exactly the characters for which str.isspace() is true.
_SPACE_RE = re.compile(r"\s")


def links_and_dates(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report unsafe or malformed links (KB301) and dates after today (KB302)."""
    today = context.today.isoformat()
    problems: list[Problem] = []
    for s in kb.sources.values():
        for name in ("url", "archived_url"):
            problems.extend(_link(kb, s.id, name, getattr(s, name)))
        for name in ("date", "accessed"):
            problems.extend(_not_future(kb, s.id, name, getattr(s, name), today))
    for a in kb.actors.values():
        problems.extend(_link(kb, a.id, "homepage", a.homepage))
    return problems


def _link(kb: KnowledgeBase, owner: str, name: str, value: str | None) -> list[Problem]:
    if value is None:
        return []
    if not value.lower().startswith(SAFE_SCHEMES) or _SPACE_RE.search(value):
        return [
            Problem(
                "KB301",
                E,
                kb.where[owner].value(name),
                f"{name}: {value[:80]!r} is not an http, https or doi link",
                "write a full address such as 'https://example.org/page'",
            )
        ]
    return []


def _not_future(
    kb: KnowledgeBase, owner: str, name: str, value: str | None, today: str
) -> list[Problem]:
    if value and value > today[: len(value)]:
        return [
            Problem(
                "KB302",
                E,
                kb.where[owner].value(name),
                f"{name}: {value} is in the future",
                "only a forecast's resolution date may lie ahead",
            )
        ]
    return []
