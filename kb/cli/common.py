"""What the commands share: the --kb and --quiet options and the two output consoles."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

DEFAULT_KB = "claims"
# Rich looks up sys.stdout and sys.stderr at each print, so click's test runner still sees output.
# emoji=False: an author's ":thumbs_up:" is shown as written, not as a picture of it.
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

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
