"""The `kb` command: a thin click layer over the stage modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.choice import FormatChoice
from kb.cli.commands.check import check
from kb.cli.commands.new import new
from kb.cli.commands.schema import schema
from kb.cli.commands.site import build, serve
from kb.cli.commands.stats import stats
from kb.cli.common import err, kb_option, out
from kb.cli.group import KBGroup
from kb.cli.problems import print_problems
from kb.errors import UsageError, did_you_mean
from kb.load.safety import printable


@click.group(cls=KBGroup)
@click.version_option(package_name="debate-kb")
def main() -> None:
    """debate-kb: check, analyse and publish a knowledge base of claims."""


for command in (check, stats, schema, new, build, serve):
    main.add_command(command)


@main.command()
@kb_option
@click.argument("claim_id")
@click.option("--depth", default=3, show_default=True, help="Levels of supporters and attackers.")
def show(kb_path: Path, claim_id: str, depth: int) -> None:
    """Show a claim with its supporters, attackers and stances as a tree."""
    # Lazy, as every loading below: `kb --help` needs neither the loader (pydantic) nor
    # kb.cli.console, which imports the graph and with it networkx.
    from kb.check.entry import load_cached
    from kb.cli.console import claim_tree

    kb = load_cached(kb_path)
    if claim_id not in kb.claims:
        raise UsageError(
            f"no claim {claim_id!r}"
            + (
                f"; {did_you_mean(claim_id, kb.claims)}"
                if did_you_mean(claim_id, kb.claims)
                else ""
            )
        )
    out.print(claim_tree(kb, claim_id, depth))


@main.command("export")
@kb_option
@click.option(
    "--format",
    "fmt",
    required=True,
    type=FormatChoice("export"),
)
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False))
def export_(kb_path: Path, fmt: str, out_path: Path | None) -> None:
    """Export the knowledge base for other tools (to --out, or standard output)."""
    from kb.formats.export import run_export

    if run_export(kb_path, fmt, out_path):
        err.print(f"wrote {out_path}")


@main.command("import")
@kb_option
@click.argument("fmt", metavar="FORMAT", type=FormatChoice("import"))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into", type=click.Path(path_type=Path, file_okay=False), help="Default: KB/imported."
)
def import_(kb_path: Path, fmt: str, files: tuple[Path, ...], into: Path | None) -> None:
    """Import argument maps as new YAML files (never overwrites); report what was skipped."""
    from kb.formats.imports import run_import

    problems = run_import(kb_path, fmt, list(files), into, out)
    if problems:
        print_problems(out, problems)
        out.print("the import failed: the files it wrote were removed", markup=False)
    sys.exit(1 if problems else 0)


@main.command()
@kb_option
@click.argument("claim_id")
def explain(kb_path: Path, claim_id: str) -> None:
    """Explain a claim's computed label, strength and crux score in words."""
    from kb.cli.reports import explain_report

    click.echo(printable(explain_report(kb_path, claim_id)))


@main.command()
@kb_option
@click.option("--accept", multiple=True, metavar="ID", help="Take this claim as accepted.")
@click.option("--reject", multiple=True, metavar="ID", help="Take this claim as rejected.")
def whatif(kb_path: Path, accept: tuple[str, ...], reject: tuple[str, ...]) -> None:
    """List the claims whose label or strength changes if some claims are accepted/rejected."""
    from kb.cli.reports import whatif_report

    click.echo(printable(whatif_report(kb_path, accept, reject)))


@main.group()
def af() -> None:
    """Abstract argumentation frameworks in the ICCMA formats (i23 `p af N`, apx, tgf)."""


AF_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["i23", "apx", "tgf"]), default="i23", show_default=True
)
AF_INPUT = click.option(
    "--from",
    "source_fmt",
    type=click.Choice(["i23", "apx", "tgf"]),
    help="The input's format. Default: from its suffix (.af/.i23, .apx, .tgf).",
)


@af.command("export")
@kb_option
@AF_FORMAT
def af_export(kb_path: Path, fmt: str) -> None:
    """Print the knowledge base's attack graph as an ICCMA instance."""
    from kb.cli.reports import export_framework

    click.echo(export_framework(kb_path, fmt), nl=False)


@af.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@AF_FORMAT
@AF_INPUT
def af_import(file: Path, fmt: str, source_fmt: str | None) -> None:
    """Read an ICCMA instance (in --from, or the format its suffix names); print it in --format."""
    from kb.analysis.af import convert  # lazy: the analysis is heavy to import

    click.echo(convert(file, fmt, source_fmt), nl=False)


@af.command("solve")
@kb_option
@click.argument(
    "file", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option(
    "--semantics", type=click.Choice(["GR", "PR", "ST"], case_sensitive=False), default="GR"
)
@click.option(
    "--format",
    "--from",
    "source_fmt",
    type=click.Choice(["i23", "apx", "tgf"]),
    help="FILE's format. Default: from its suffix (.af/.i23, .apx, .tgf).",
)
def af_solve(kb_path: Path, file: Path | None, semantics: str, source_fmt: str | None) -> None:
    """Print the extensions of FILE (or of the knowledge base) as found, one `w ...` line each."""
    import time

    from kb.cli.reports import solve_report

    lines = solve_report(file, kb_path, semantics.upper(), source_fmt)
    stream = sys.stdout
    shown = time.monotonic()
    try:
        for line in lines:
            stream.write(line)
            # Flushed at most every 0.2 s: a line per flush would slow millions of lines down.
            if time.monotonic() - shown > 0.2:
                stream.flush()
                shown = time.monotonic()
        stream.flush()
    except BrokenPipeError:  # `| head`: the reader has seen enough
        sys.stderr.close()
        sys.exit(0)
