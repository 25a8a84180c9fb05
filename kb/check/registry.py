"""The registry of checks: built-in and plugin checks, found through the `kb_checks` hook."""

from __future__ import annotations

import pluggy

import kb.plugins
from kb.check import builtin
from kb.check.context import Check as Check
from kb.check.context import CheckContext as CheckContext
from kb.check.context import CheckFunction as CheckFunction
from kb.errors import UsageError


class DuplicateCheck(UsageError):
    """Two checks are registered under the same name."""


class NotACheck(UsageError, TypeError):
    """A plugin's kb_checks hook returned something other than a list of Check."""


def checks(pm: pluggy.PluginManager | None = None) -> list[Check]:
    """Return every registered check: the built-ins in their order, then plugins' by name."""
    # Without a manager, the installed plugins (the `debate_kb` entry points) are used.
    pm = kb.plugins.ensure_registered(pm or kb.plugins.plugin_manager(), builtin)
    found: dict[str, tuple[Check, str]] = {}
    ours = builtin.kb_checks()
    for impl in pm.hook.kb_checks.get_hookimpls():
        where = pm.get_name(impl.plugin) or repr(impl.plugin)
        for check in ours if impl.plugin is builtin else _answer(impl.function(), where):
            _add(found, check, where)
    built_in = {c.name for c in ours}
    theirs = sorted((c for n, (c, _) in found.items() if n not in built_in), key=lambda c: c.name)
    return [*ours, *theirs]


def _answer(answer: object, where: str) -> list[object]:
    """Return a plugin's answer to kb_checks, refusing what is not a list."""
    if not isinstance(answer, list | tuple):
        raise NotACheck(f"plugin {where} returned {answer!r} from kb_checks, not a list of Check")
    return list(answer)


def _add(found: dict[str, tuple[Check, str]], check: object, where: str) -> None:
    """Add one plugin's check to found, refusing what is not a Check and a name taken."""
    if not isinstance(check, Check):
        raise NotACheck(f"plugin {where} returned {check!r} from kb_checks, not a Check")
    if check.name in found:
        raise DuplicateCheck(
            f"plugin {where} registers a check named {check.name!r}, as {found[check.name][1]}"
            " does: each check needs its own name"
        )
    found[check.name] = (check, where)
