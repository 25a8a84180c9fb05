"""The `kb` command: a thin click layer over the stage modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from kb.errors import KBError, ProblemsFound, Severity

DEFAULT_KB = "claims"
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

kb_option = click.option(
    "--kb",
    "kb_path",
    default=DEFAULT_KB,
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The content folder.",
)


class KBGroup(click.Group):
    """Turns the project's own errors into clear messages and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProblemsFound as exc:
            from kb.console import print_problems

            print_problems(err, exc.problems)
            sys.exit(exc.exit_code)
        except KBError as exc:
            err.print(f"[red]error:[/] {exc}", markup=True)
            sys.exit(exc.exit_code)


@click.group(cls=KBGroup)
@click.version_option(package_name="debate-kb")
def main() -> None:
    """debate-kb: check, analyse and publish a knowledge base of claims."""


@main.command()
@kb_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--archive",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of archived source texts; verifies every quote.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
)
def check(kb_path: Path, strict: bool, archive: Path | None, fmt: str) -> None:
    """Report every problem in the knowledge base at once."""
    from kb.check import run_check
    from kb.console import format_problems, print_problems

    problems = run_check(kb_path, archive)
    if fmt == "text":
        print_problems(out, problems)
    else:
        click.echo(format_problems(problems, fmt))
    failing = [p for p in problems if strict or p.severity is Severity.error]
    sys.exit(1 if failing else 0)


@main.command()
@kb_option
@click.argument("claim_id")
@click.option("--depth", default=3, show_default=True, help="Levels of supporters and attackers.")
def show(kb_path: Path, claim_id: str, depth: int) -> None:
    """Show a claim with its supporters, attackers and stances as a tree."""
    from kb.console import claim_tree
    from kb.load import load_kb

    kb = load_kb(kb_path)
    if claim_id not in kb.claims:
        from kb.errors import UsageError, did_you_mean

        raise UsageError(
            f"no claim {claim_id!r}"
            + (
                f"; {did_you_mean(claim_id, kb.claims)}"
                if did_you_mean(claim_id, kb.claims)
                else ""
            )
        )
    out.print(claim_tree(kb, claim_id, depth))


@main.command()
@kb_option
def stats(kb_path: Path) -> None:
    """Count the records of each kind."""
    from kb.console import stats_table
    from kb.load import load_kb

    out.print(stats_table(load_kb(kb_path)))


@main.command()
@click.option(
    "--out",
    "folder",
    default="schema",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
)
def schema(folder: Path) -> None:
    """Write the JSON Schemas of the YAML format."""
    from kb.schema import write_schemas

    for path in write_schemas(folder):
        out.print(f"wrote {path}")


@main.command()
@kb_option
@click.argument(
    "kind",
    type=click.Choice(["question", "claim", "source", "actor", "stance", "evidence", "relation"]),
)
@click.argument("text", required=False)
@click.option("--id", "record_id", help="The new record's ID (default: from TEXT, or a fresh one).")
@click.option(
    "--set", "values", multiple=True, metavar="KEY=VALUE", help="Set a field; repeatable."
)
def new(
    kb_path: Path, kind: str, text: str | None, record_id: str | None, values: tuple[str, ...]
) -> None:
    """Write a valid skeleton record with a fresh ID (never overwrites)."""
    from kb.new import new_record, parse_values

    path = new_record(kb_path, kind, record_id, text, parse_values(values))
    out.print(f"wrote {path}")
