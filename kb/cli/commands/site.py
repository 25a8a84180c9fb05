"""`kb build` and `kb serve`: the static site, built once or rebuilt on every save."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.common import QUIET, kb_option

OUT_DIR = click.option(
    "--out",
    "out_dir",
    default="_site",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
)


@click.command()
@kb_option
@OUT_DIR
@click.option("--base-url", help="Absolute address of the site, for the feed and sitemap.")
@QUIET
def build(kb_path: Path, out_dir: Path, base_url: str | None, quiet: bool) -> None:
    """Build the static site and print the path of its index.html."""
    # Lazy: the builder imports the whole site (Jinja2, networkx, the analysis): some 0.3 s that
    # `kb --help` and the other commands should not wait for.
    from kb.build import build as build_site
    from kb.build.progress import for_terminal

    click.echo(build_site(kb_path, out_dir, base_url, progress=for_terminal(quiet), detach=True))


@click.command()
@kb_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@OUT_DIR
@QUIET
def serve(kb_path: Path, port: int, out_dir: Path, quiet: bool) -> None:
    """Serve the site on 127.0.0.1 and rebuild changed pages on save."""
    # Lazy, as in `build`: the server imports the incremental builder.
    from kb.build.progress import Summary, for_terminal
    from kb.cli.server import serve as serve_site

    serve_site(kb_path, out_dir, port, progress=for_terminal(quiet, piped=Summary()))
