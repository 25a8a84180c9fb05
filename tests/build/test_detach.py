"""`kb build` returns before its state is saved: a forked process saves it, holding its lock."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kb.build import build
from kb.build.incremental import IncrementalBuilder
from kb.build.lock import STATE_LOCK, state_locked
from kb.build.state import STATE_NAME, default_cache_dir, output_stamp, read_state
from kb.build.writer import site_manifest
from kb.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import edit_statement, generate  # noqa: E402

SLOW = 1.5  # seconds the forked process waits before it saves, in the tests that slow it


def cache_of(folder: Path, out: Path) -> Path:
    """Return the cache folder `kb build` uses for folder and out."""
    cache = default_cache_dir(folder, out.resolve())
    assert cache is not None
    return cache


def held(cache: Path) -> bool:
    """Tell whether a process holds the state's lock now."""
    handle = os.open(cache / STATE_LOCK, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def slow_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the state's saving wait first: in the forked process, which inherits the patch."""
    from kb.build import incremental

    real = incremental.write_state

    def slow(*args: Any, **kwargs: Any) -> int:
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(incremental, "write_state", slow)


def edited_while_saving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> tuple[Path, Path, Path, float]:
    """Build, edit and build again, the second state slow to save; return KB, site, cache, time."""
    folder, out = generate(tmp_path / "kb", 40, seed), tmp_path / "site"
    build(folder, out, search=False, detach=True)
    slow_saves(monkeypatch)
    edit_statement(folder, 1, "A statement edited before the saving ends.")
    start = time.monotonic()
    build(folder, out, search=False, detach=True)
    return folder, out, cache_of(folder, out), time.monotonic() - start


def test_the_next_build_waits_for_the_state_the_last_one_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, out, cache, returned = edited_while_saving(tmp_path, monkeypatch, 2)
    assert held(cache)  # the forked process is still saving
    assert returned < SLOW  # and the build did not wait for it
    # A new builder, as the next `kb build` makes, waits for that state rather than reading the
    # one before, which names another site: with it, an edit would rebuild the site in full.
    monkeypatch.undo()
    edit_statement(folder, 2, "A second edit, built from the saved state.")
    builder = IncrementalBuilder(folder, out, search=False, cache_dir=cache, atomic=True)
    assert builder.last is not None
    report = builder.build()
    assert not report.full and report.rendered < report.pages
    builder.removals.finish()
    fresh = tmp_path / "fresh"
    build(folder, fresh, search=False)
    for path in site_manifest(fresh):
        if path.endswith(".html"):
            assert (out / path).read_bytes() == (fresh / path).read_bytes(), path


def test_the_forked_process_removes_the_last_site_and_saves_what_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, out, cache, _ = edited_while_saving(tmp_path, monkeypatch, 3)
    with state_locked(cache, shared=True):  # once the forked process has ended
        state = read_state(cache / STATE_NAME, output_stamp(folder, out.resolve()))
        beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == ["kb", "site"]  # the swapped-out site was removed by it
    assert state is not None and state.last is not None
    assert state.last.manifest == site_manifest(out)


def test_kb_build_saves_its_state_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.build import detach, incremental

    calls: list[bool] = []

    def noted(builder: IncrementalBuilder) -> bool:
        calls.append(done := detach.save_apart(builder))
        return done

    monkeypatch.setattr(incremental, "save_apart", noted)
    folder, out = generate(tmp_path / "kb", 20, 4), tmp_path / "site"
    result = CliRunner().invoke(main, ["build", "-q", "--kb", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert calls == [True]
    with state_locked(cache_of(folder, out), shared=True):
        assert (cache_of(folder, out) / STATE_NAME).is_file()
    # A library build saves before it returns: nothing runs on after it.
    build(folder, tmp_path / "other", search=False)
    assert calls == [True]
    assert not held(cache_of(folder, tmp_path / "other"))


def test_without_fork_the_state_is_saved_before_the_build_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.build import detach

    monkeypatch.setattr(detach, "can_fork", lambda: False)
    folder, out = generate(tmp_path / "kb", 20, 5), tmp_path / "site"
    build(folder, out, search=False, detach=True)
    build(folder, out, search=False, detach=True)  # nothing changed: the swapped site goes too
    cache = cache_of(folder, out)
    assert not held(cache) and (cache / STATE_NAME).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "site"]
