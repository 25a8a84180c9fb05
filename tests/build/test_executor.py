"""Pages render through a page executor: a custom one is used and gives the default's bytes."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import pytest

from kb.build import BuildMemos, LocalProcessExecutor, SerialExecutor
from kb.build.executor import SideJob
from kb.build.incremental import IncrementalBuilder

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import edit_statement, generate  # noqa: E402

T = TypeVar("T")
R = TypeVar("R")


class CountingExecutor:
    """Runs chunks here, counting them, as a cluster's executor would run them elsewhere."""

    def __init__(self) -> None:
        self.chunks = 0
        self.entered = 0

    def __enter__(self) -> CountingExecutor:
        self.entered += 1
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def map(self, fn: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        for chunk in chunks:
            self.chunks += 1
            yield fn(chunk)


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below a folder with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_custom_executor_renders_the_same_bytes(tmp_path: Path) -> None:
    folder = generate(tmp_path, 60, 3)
    custom = CountingExecutor()
    mine = IncrementalBuilder(folder, tmp_path / "custom", search=False, executor=custom)
    report = mine.build()
    assert custom.entered == 1 and custom.chunks == -(-report.rendered // 16) > 4
    default = IncrementalBuilder(folder, tmp_path / "default", search=False)
    assert isinstance(default.executor, LocalProcessExecutor)
    default.build()
    assert tree(tmp_path / "custom") == tree(tmp_path / "default")
    edit_statement(folder, 3, "An edited statement, rendered through the custom executor.")
    before = custom.chunks
    again = mine.build()
    assert 0 < again.rendered < report.rendered and custom.chunks > before
    default.build()
    assert tree(tmp_path / "custom") == tree(tmp_path / "default")


def test_the_local_executor_gives_results_in_order_and_passes_errors_on() -> None:
    chunks = [[i, i + 1] for i in range(0, 40, 2)]
    with LocalProcessExecutor(2) as executor:
        assert list(executor.map(sum, chunks)) == [sum(c) for c in chunks]
    with LocalProcessExecutor(2) as executor, pytest.raises(ZeroDivisionError):
        list(executor.map(lambda c: 1 // (c[0] - 10), chunks))
    assert list(SerialExecutor().map(len, chunks)) == [2] * len(chunks)


def test_build_memos_lay_out_each_input_once() -> None:
    memos, calls = BuildMemos(), []

    def layout(nodes: list[str], spread: float = 1.0) -> dict[str, tuple[float, float]]:
        calls.append(nodes)
        return {n: (float(i) * spread, 0.0) for i, n in enumerate(nodes)}

    first = memos.layout(layout, ["a", "b"], spread=2.0)
    first["c"] = (9.0, 9.0)  # a caller's change never reaches the memo
    assert memos.layout(layout, ["a", "b"], spread=2.0) == {"a": (0.0, 0.0), "b": (2.0, 0.0)}
    assert memos.layout(layout, ["a", "b"], spread=3.0)["b"] == (3.0, 0.0)
    assert calls == [["a", "b"], ["a", "b"]]
    new, used = memos.take_layouts()
    assert len(new) == 2 and used == set(new) and memos.take_layouts() == ({}, set())


def test_layouts_are_kept_from_one_build_to_the_next(tmp_path: Path) -> None:
    """Needs kb.site.maps to lay out through `memos.layout` (the maps refactor)."""
    folder = generate(tmp_path, 60, 3)
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, cache_dir=tmp_path / "c")
    builder.build()
    kept = dict(builder.memos.layouts)
    assert kept, "no layout went through BuildMemos.layout"
    again = IncrementalBuilder(folder, tmp_path / "site", search=False, cache_dir=tmp_path / "c")
    assert again.memos.layouts == kept  # restored from the state file


def _send_then_finish(marker: Path, send: Callable[[int], None]) -> None:
    send(7)
    time.sleep(1)
    marker.write_text("finished")


def test_a_side_job_hands_its_value_over_before_it_ends(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    job: SideJob[int] = SideJob(_send_then_finish, marker, early=True)
    assert job.result() == 7
    assert not marker.exists()  # still at work after handing the value over
    job.close()
    assert marker.read_text() == "finished"
    assert job.result() == 7


def _die() -> None:
    os._exit(3)


def _large() -> bytes:
    return b"x" * (1 << 20)  # more than a pipe holds at once


def test_a_side_job_that_dies_says_which_and_one_not_waited_for_ends(tmp_path: Path) -> None:
    from kb.errors import BuildError

    with pytest.raises(BuildError, match="^reading the site's files died$"):
        SideJob(_die, what="reading the site's files").result()
    job: SideJob[bytes] = SideJob(_large)  # its value is never asked for
    job.close()  # returns: the process's send fails once this end is closed
    assert multiprocessing.active_children() == []
