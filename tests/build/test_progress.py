"""Build progress: stages and pages reported to the reporter, the summary line, -q and terminals."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from helpers import write_kb

from kb.build.incremental import IncrementalBuilder, Report
from kb.build.progress import Live, Progress, Summary, for_terminal, summary
from kb.cli import main


class Recorder(Progress):
    """Keeps every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.calls.append(("stage", name, total))

    def advance(self, steps: int = 1) -> None:
        self.calls.append(("advance", steps))

    def finish(self, report: Report) -> None:
        self.calls.append(("finish", report))

    def close(self) -> None:
        self.calls.append(("close",))


def test_the_summary_says_what_a_build_did() -> None:
    report = Report(pages=1200, rendered=3, written=4, removed=1, full=False, indexed=True)
    report.shards, report.seconds = (1, 7), {"render": 0.25, "search index": 0.5}
    assert summary(report) == (
        "rebuilt 1,200 pages: 3 re-rendered, 4 files written, 1 removed, "
        "search re-indexed (1 of 8 shards), in 0.75 s"
    )
    nothing = Report(pages=10, rendered=0, written=0, full=False, indexed=False)
    assert summary(nothing) == (
        "rebuilt 10 pages: 0 re-rendered, 0 files written, search index unchanged, in 0.00 s"
    )
    report.early, report.visible = 1, 0.7049  # `kb serve` rendered the open page first
    assert summary(report).endswith("in 0.75 s (the open page shown after 0.70 s)")
    report.early = 2
    assert summary(report).endswith("in 0.75 s (the 2 open pages shown after 0.70 s)")


def test_a_build_reports_its_stages_and_every_page(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    progress = Recorder()
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, progress=progress)
    report = builder.build()
    stages = [c[1] for c in progress.calls if c[0] == "stage"]
    assert stages == ["loading", "analysing", "planning", "rendering"]
    rendering = next(c for c in progress.calls if c[:2] == ("stage", "rendering"))
    assert rendering[2] == report.rendered == report.pages > 0
    assert sum(c[1] for c in progress.calls if c[0] == "advance") == report.rendered
    assert progress.calls[-2:] == [("close",), ("finish", report)]


def test_a_failed_build_takes_the_display_down(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"bad.yaml": "claims: [\n"})
    progress = Recorder()
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, progress=progress)
    try:
        builder.build()
    except Exception:
        pass
    else:
        raise AssertionError("the build should have failed")
    assert progress.calls[-1] == ("close",)
    assert not any(c[0] == "finish" for c in progress.calls)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_reporter_follows_the_terminal_and_quiet() -> None:
    assert type(for_terminal(True, Tty())) is Progress
    assert type(for_terminal(False, io.StringIO())) is Progress  # piped: quiet
    assert type(for_terminal(False, io.StringIO(), piped=Summary())) is Summary  # kb serve's log
    assert type(for_terminal(False, Tty())) is Live


def test_on_a_terminal_the_bar_shows_stages_and_pages_then_a_summary(tmp_path: Path) -> None:
    from rich.console import Console

    folder = write_kb(tmp_path)
    screen = Tty()
    live = Live(Console(file=screen, force_terminal=True, width=120))
    report = IncrementalBuilder(folder, tmp_path / "site", search=False, progress=live).build()
    text = screen.getvalue()
    for stage in ("loading", "analysing", "planning", "rendering"):
        assert stage in text
    assert f"{report.pages}/{report.pages}" in text  # pages done of the total
    assert text.rstrip().endswith(summary(report))


def test_kb_build_is_quiet_when_not_on_a_terminal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KB_CACHE", "0")
    folder = write_kb(tmp_path)
    runner = CliRunner()
    for quiet in ([], ["-q"]):
        out = tmp_path / f"site{len(quiet)}"
        result = runner.invoke(main, ["build", *quiet, "--kb", str(folder), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output == f"{out.resolve() / 'index.html'}\n"
