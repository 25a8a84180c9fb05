"""Build progress: the stage, pages done of total and time elapsed on a terminal; a summary line."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from kb.build.report import Report


class Progress:
    """Reports a build's stages; this base shows nothing and is what builds get by default."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a stage, with the number of steps it has if known."""

    def advance(self, steps: int = 1) -> None:
        """Count steps of the current stage as done."""

    def finish(self, report: Report) -> None:
        """End the build's display and say what it did."""

    def close(self) -> None:
        """Take the display down (also after a failed build)."""


def summary(report: Report) -> str:
    """Return one line saying what a build did: pages written, re-rendered, re-indexed, time."""
    seconds = sum(report.seconds.values())
    what = "built" if report.full else "rebuilt"
    line = (
        f"{what} {report.pages:,} pages: {report.rendered:,} re-rendered, "
        f"{report.written:,} files written"
    )
    if report.removed:
        line += f", {report.removed:,} removed"
    indexed, reused = report.shards
    if report.indexed and (indexed or reused):
        line += f", search re-indexed ({indexed} of {indexed + reused} shards)"
    elif report.indexed:
        line += ", search re-indexed"
    else:
        line += ", search index unchanged"
    line += f", in {seconds:.2f} s"
    if report.early and report.visible is not None:
        pages = "the open page" if report.early == 1 else f"the {report.early} open pages"
        line += f" ({pages} shown after {report.visible:.2f} s)"
    return line


class Summary(Progress):
    """Prints only the summary line: `kb serve`'s log of rebuilds when not on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def finish(self, report: Report) -> None:
        stream = self.stream or sys.stderr
        print(summary(report), file=stream, flush=True)


class Live(Summary):
    """A rich progress bar on the terminal: stage, pages done of total, time elapsed."""

    def __init__(self, console: Any = None) -> None:
        super().__init__()
        # rich takes a fifth of a second to import; only a build on a terminal needs it.
        from rich.console import Console

        self.console = console or Console(stderr=True, emoji=False)
        self.bar: Any = None
        self.task: Any = None
        self.started = time.monotonic()

    def _start(self) -> None:
        # Imported when the bar first shows, as Console is above.
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.start()

    def stage(self, name: str, total: int | None = None) -> None:
        if self.bar is None:
            self._start()
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)

    def finish(self, report: Report) -> None:
        self.close()
        self.console.print(summary(report), highlight=False, markup=False, soft_wrap=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = self.task = None


def for_terminal(
    quiet: bool, stream: TextIO | None = None, piped: Progress | None = None
) -> Progress:
    """Return a command's reporter: a bar and a summary on a terminal; else `piped` or nothing."""
    if quiet:
        return Progress()
    stream = stream or sys.stderr
    if stream.isatty():
        return Live()
    return piped or Progress()
