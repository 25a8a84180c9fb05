"""`kb new`: a valid skeleton record with a fresh ID, never overwriting a file."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.common import kb_option, out
from kb.load.files import KIND_NAMES
from kb.load.safety import printable


@click.command()
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
    from kb.load.new import new_record, parse_values  # lazy: the loader, for `kb --help`

    path = new_record(kb_path, kind, record_id, text, parse_values(values))
    out.print(printable(f"wrote {path}"), markup=False)
