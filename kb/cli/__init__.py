"""The `kb` command: a thin click layer over the stage modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from kb.errors import KBError, ProblemsFound, Severity
from kb.load.files import KIND_NAMES
from kb.load.safety import printable

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


QUIET = click.option(
    "-q", "--quiet", is_flag=True, help="No progress display and no summary line on a terminal."
)


class KBGroup(click.Group):
    """Turns the project's own errors into clear messages and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProblemsFound as exc:
            from kb.cli.console import print_problems

            print_problems(err, exc.problems)
            sys.exit(exc.exit_code)
        except KBError as exc:
            err.print(f"[red]error:[/] {escape(printable(str(exc)))}", markup=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # the disk or the network, not a bug: no traceback
            err.print(f"[red]error:[/] {escape(printable(str(exc)))}", markup=True)
            sys.exit(1)
        except Exception as exc:
            if not type(exc).__module__.startswith("jinja2"):
                raise
            # A theme override's mistake, or the sandbox refusing it: the author's to fix.
            where = ":".join(
                str(getattr(exc, k)) for k in ("filename", "lineno") if getattr(exc, k, None)
            )
            where = f" {where}" if where else ""
            message = printable(f"{where}: {exc}")
            err.print(f"[red]error:[/] template{escape(message)}", markup=True)
            sys.exit(1)


@click.group(cls=KBGroup)
@click.version_option(package_name="debate-kb")
def main() -> None:
    """debate-kb: check, analyse and publish a knowledge base of claims."""


@main.command()
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
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
)
@click.option("--explain", "code", metavar="CODE", help="Explain a problem code, e.g. KB207.")
def check(kb_path: Path, strict: bool, archive: Path | None, fmt: str, code: str | None) -> None:
    """Report every problem in the knowledge base at once."""
    if code is not None:
        from kb.errors.codes import explain

        text = explain(code)
        if text is None:
            raise click.UsageError(f"no problem code {code!r}; the codes are in docs/checking.md")
        click.echo(text)
        return
    from kb.check.memo import default_check_memo
    from kb.cli.console import format_problems, print_problems

    # An unchanged knowledge base is answered from the memo without importing the loader.
    memo = default_check_memo(kb_path)
    inputs = memo.inputs(kb_path, advice=True) if memo is not None and archive is None else None
    problems = memo.get(inputs.key) if memo is not None and inputs is not None else None
    if problems is None:
        from kb.check import run_check
        from kb.load import default_parse_cache

        cache = default_parse_cache(kb_path)
        problems = run_check(kb_path, archive, cache, advice=True, memo=memo, inputs=inputs)
    if fmt == "text":
        print_problems(out, problems)
    else:
        click.echo(format_problems(problems, fmt))
    failing = {Severity.error, Severity.warning} if strict else {Severity.error}
    sys.exit(1 if any(p.severity in failing for p in problems) else 0)


@main.command()
@kb_option
@click.argument("claim_id")
@click.option("--depth", default=3, show_default=True, help="Levels of supporters and attackers.")
def show(kb_path: Path, claim_id: str, depth: int) -> None:
    """Show a claim with its supporters, attackers and stances as a tree."""
    from kb.check import load_kb
    from kb.cli.console import claim_tree

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
@click.option(
    "--engagement",
    is_flag=True,
    help="Instead, per question and pair of actors, the attacks crossing between them.",
)
def stats(kb_path: Path, engagement: bool) -> None:
    """Count the records of each kind, or (--engagement) who answers whom."""
    from kb.check import load_kb
    from kb.cli.console import stats_table

    kb = load_kb(kb_path)
    if not engagement:
        out.print(stats_table(kb))
        return
    from kb.cli.reports import engagement_tables

    # A console made now, not at import, so that its width follows this run's COLUMNS.
    tables = Console(highlight=False, soft_wrap=True)
    for table in engagement_tables(kb):
        tables.print(table)


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
    from kb.formats.schema import write_schemas

    for path in write_schemas(folder):
        out.print(f"wrote {path}")


@main.command()
@kb_option
@click.argument(
    "kind",
    type=click.Choice(list(KIND_NAMES)),
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
    from kb.load.new import new_record, parse_values

    path = new_record(kb_path, kind, record_id, text, parse_values(values))
    out.print(printable(f"wrote {path}"), markup=False)


@main.command()
@kb_option
@click.option(
    "--out",
    "out_dir",
    default="_site",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
)
@click.option("--base-url", help="Absolute address of the site, for the feed and sitemap.")
@QUIET
def build(kb_path: Path, out_dir: Path, base_url: str | None, quiet: bool) -> None:
    """Build the static site and print the path of its index.html."""
    from kb.build import build as build_site
    from kb.build.progress import for_terminal

    click.echo(build_site(kb_path, out_dir, base_url, progress=for_terminal(quiet)))


@main.command()
@kb_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--out",
    "out_dir",
    default="_site",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
)
@QUIET
def serve(kb_path: Path, port: int, out_dir: Path, quiet: bool) -> None:
    """Serve the site on 127.0.0.1 and rebuild changed pages on save."""
    from kb.build.progress import Summary, for_terminal
    from kb.cli.server import serve as serve_site

    serve_site(kb_path, out_dir, port, progress=for_terminal(quiet, piped=Summary()))


@main.command("export")
@kb_option
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["json", "graphml", "dot", "csv", "aif", "xaif", "argdown"]),
)
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False))
def export_(kb_path: Path, fmt: str, out_path: Path | None) -> None:
    """Export the knowledge base for other tools (to --out, or standard output)."""
    from kb.formats.export import run_export

    if run_export(kb_path, fmt, out_path):
        err.print(f"wrote {out_path}")


@main.command("import")
@kb_option
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["aif", "xaif", "kialo", "argdown"]))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into", type=click.Path(path_type=Path, file_okay=False), help="Default: KB/imported."
)
def import_(kb_path: Path, fmt: str, files: tuple[Path, ...], into: Path | None) -> None:
    """Import argument maps as new YAML files (never overwrites); report what was skipped."""
    from kb.formats.imports import run_import

    sys.exit(run_import(kb_path, fmt, list(files), into, out))


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
    from kb.analysis.af import convert

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
