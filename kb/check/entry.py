"""The one entry point that loads and checks a knowledge base, for every command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pluggy

from kb.check.gaps import unpublishable
from kb.check.memo import CheckInputs, CheckMemo
from kb.check.run import check
from kb.errors import Problem, ProblemsFound, Severity
from kb.load.cache import ParseCache, default_parse_cache
from kb.load.files import display_path
from kb.load.loader import Loader, load
from kb.model.kb import KnowledgeBase


def load_and_check(
    root: Path,
    archive: Path | None = None,
    cache: ParseCache | None = None,
    *,
    loader: Loader | None = None,
    listing: tuple[list[Path], list[Problem]] | None = None,
    today: dt.date | None = None,
    advice: bool = False,
    publishing: bool = False,
    pm: pluggy.PluginManager | None = None,
) -> tuple[KnowledgeBase, list[Problem]]:
    """Load and check a knowledge base; return it with loading's problems, then the checks'."""
    # `loader`: a kb.load.Loader (sub)class instance, to reuse work; `listing`: find_files's,
    # already made; `publishing`: placeholders, which `kb build` refuses to publish, are errors.
    kb, problems = load(root, loader=loader, cache=cache, listing=listing)
    problems = checked(
        kb, problems, archive=archive, today=today, advice=advice, publishing=publishing, pm=pm
    )
    return kb, problems


def checked(
    kb: KnowledgeBase,
    problems: list[Problem],
    *,
    archive: Path | None = None,
    today: dt.date | None = None,
    advice: bool = False,
    publishing: bool = False,
    pm: pluggy.PluginManager | None = None,
) -> list[Problem]:
    """Return loading's problems with the checks' after them: load_and_check's second half."""
    # Apart so that a build can run the checks in another process while it makes the site.
    problems = problems + check(kb, problems, archive=archive, today=today, advice=advice, pm=pm)
    return unpublishable(problems) if publishing else problems


def raise_errors(problems: list[Problem]) -> None:
    """Raise ProblemsFound with every problem if any is an error."""
    if any(p.severity is Severity.error for p in problems):
        raise ProblemsFound(problems)


def load_kb(
    root: Path,
    archive: Path | None = None,
    cache: ParseCache | None = None,
    *,
    loader: Loader | None = None,
    publishing: bool = False,
    pm: pluggy.PluginManager | None = None,
) -> KnowledgeBase:
    """Load and check a knowledge base; raise ProblemsFound if it has any error."""
    kb, problems = load_and_check(root, archive, cache, loader=loader, publishing=publishing, pm=pm)
    raise_errors(problems)
    return kb


def load_cached(root: Path) -> KnowledgeBase:
    """Load and check a knowledge base as a command does: unchanged files from the parse cache."""
    return load_kb(root, cache=default_parse_cache(root))


def run_check(
    root: Path,
    archive: Path | None = None,
    cache: ParseCache | None = None,
    advice: bool = False,
    memo: CheckMemo | None = None,
    inputs: CheckInputs | None = None,
    pm: pluggy.PluginManager | None = None,
) -> list[Problem]:
    """Load and check a knowledge base as `kb check` does; return every problem, sorted."""
    # With a `memo` (kb.check.memo.default_check_memo), an unchanged knowledge base is not
    # checked again (`inputs`: the memo's reading, already found missing).
    if memo is not None and inputs is None and archive is None:
        inputs = memo.inputs(root, advice)
        found = memo.get(inputs.key) if inputs is not None else None
        if found is not None:
            return found
    if inputs is None:
        _, problems = load_and_check(root, archive, cache, advice=advice, pm=pm)
    else:
        _, problems = load_and_check(
            root,
            archive,
            cache,
            loader=PrereadLoader(Path(root), inputs.reads),
            listing=inputs.listing,
            today=inputs.today,
            advice=advice,
            pm=pm,
        )
    problems.sort(key=Problem.sort_key)
    if memo is not None and inputs is not None:
        memo.put(inputs.key, problems)
    return problems


class PrereadLoader(Loader):
    """A Loader given the file texts the memo's key stands for, so that those are checked."""

    def __init__(self, root: Path, reads: dict[Path, tuple[str | None, Problem | None]]) -> None:
        super().__init__(root)
        self.reads = reads

    def add_file(self, path: Path, text: str | None = None) -> None:
        """Load one file from the text read for the memo's key, if there is one."""
        if text is None and path in self.reads:
            text, problem = self.reads.pop(path)  # each text is held only until it is loaded
            if problem is not None:  # as the Loader reports a file it cannot read
                self.kb.files.append(display_path(path))
                self.problems.append(problem)
                return
        super().add_file(path, text)
