"""`kb schema`: the JSON Schemas of the YAML format, written to a folder."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.common import out


@click.command()
@click.option(
    "--out",
    "folder",
    default="schema",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
)
def schema(folder: Path) -> None:
    """Write the JSON Schemas of the YAML format."""
    from kb.formats.schema import write_schemas  # lazy: the exports, for `kb --help`

    for path in write_schemas(folder):
        out.print(f"wrote {path}")
