"""The `kb` command group: the project's own errors become messages and exit codes."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from kb.cli.common import err
from kb.cli.problems import print_problems
from kb.errors import KBError, ProblemsFound
from kb.load.safety import printable


class KBGroup(click.Group):
    """Turns the project's own errors into clear messages and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProblemsFound as exc:
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
            err.print(f"[red]error:[/] template{escape(template_error(exc))}", markup=True)
            sys.exit(1)


def template_error(exc: Exception) -> str:
    """Return a Jinja2 error as ` FILE:LINE: message`, control characters made visible."""
    where = ":".join(str(getattr(exc, k)) for k in ("filename", "lineno") if getattr(exc, k, None))
    where = f" {where}" if where else ""
    return printable(f"{where}: {exc}")
