"""`kb check`: every problem in the knowledge base at once, or what one problem code means."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.check.memo import default_check_memo
from kb.cli.common import kb_option, out
from kb.cli.problems import FORMATS, format_problems, print_problems
from kb.errors import Problem, Severity
from kb.errors.codes import explain


@click.command()
@kb_option
@click.option("--strict", is_flag=True, help="Treat warnings (not advice) as errors.")
@click.option(
    "--archive",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of archived source texts; verifies every quote.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
)
@click.option("--explain", "code", metavar="CODE", help="Explain a problem code, e.g. KB207.")
def check(kb_path: Path, strict: bool, archive: Path | None, fmt: str, code: str | None) -> None:
    """Report every problem in the knowledge base at once."""
    if code is not None:
        text = explain(code)
        if text is None:
            raise click.UsageError(f"no problem code {code!r}; the codes are in docs/checking.md")
        click.echo(text)
        return
    problems = checked(kb_path, archive)
    if fmt == "text":
        print_problems(out, problems)
    else:
        click.echo(format_problems(problems, fmt))
    failing = {Severity.error, Severity.warning} if strict else {Severity.error}
    sys.exit(1 if any(p.severity in failing for p in problems) else 0)


def checked(kb_path: Path, archive: Path | None) -> list[Problem]:
    """Return the problems of a knowledge base, from the check memo when it is unchanged."""
    memo = default_check_memo(kb_path)
    inputs = memo.inputs(kb_path, advice=True) if memo is not None and archive is None else None
    problems = memo.get(inputs.key) if memo is not None and inputs is not None else None
    if problems is not None:
        return problems
    # Lazy: a memo hit (and `kb --help`) needs neither the loader (pydantic) nor the checks.
    from kb.check.entry import run_check
    from kb.load.cache import default_parse_cache

    cache = default_parse_cache(kb_path)
    return run_check(kb_path, archive, cache, advice=True, memo=memo, inputs=inputs)
