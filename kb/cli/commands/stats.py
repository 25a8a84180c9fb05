"""`kb stats`: the records of each kind, or (--engagement) who answers whom."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from kb.cli.common import kb_option, out


@click.command()
@kb_option
@click.option(
    "--engagement",
    is_flag=True,
    help="Instead, per question and pair of actors, the attacks crossing between them.",
)
def stats(kb_path: Path, engagement: bool) -> None:
    """Count the records of each kind, or (--engagement) who answers whom."""
    # Lazy, so that `kb --help` imports neither the loader nor the checks.
    from kb.check.entry import load_cached

    kb = load_cached(kb_path)
    if not engagement:
        # Lazy: kb.cli.console imports the graph, and with it networkx, which `kb --help` and
        # `kb check` never need.
        from kb.cli.console import stats_table

        out.print(stats_table(kb))
        return
    from kb.cli.reports import engagement_tables  # lazy: the analysis

    # A console made now, not at import, so that its width follows this run's COLUMNS.
    tables = Console(highlight=False, soft_wrap=True, emoji=False)
    for table in engagement_tables(kb):
        tables.print(table)
