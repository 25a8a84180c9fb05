"""A build's loading: the checks run in another process while the site is made."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import write_kb

import kb.build.incremental as incremental
import kb.build.loading as loading
from kb.build.executor import side_jobs_fork
from kb.build.incremental import IncrementalBuilder
from kb.errors import ProblemsFound

BROKEN_REFERENCE = {
    "extra.yaml": """
        claims:
          - id: leans-on-nothing
            text: A claim that leans on a claim nobody wrote.
            supported_by: [no-such-claim]
        """
}


def _builder(folder: Path, tmp_path: Path) -> IncrementalBuilder:
    return IncrementalBuilder(folder, tmp_path / "site", use_git=False, search=False, jobs=1)


def test_the_checks_run_in_another_process_while_the_site_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_kb(tmp_path)
    log = tmp_path / "log"
    checked, make_site = loading.checked, incremental.make_site

    def slow_checks(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # long enough that the site is being made meanwhile
        found = checked(*args, **kwargs)
        with log.open("a") as out:
            out.write(f"checked {os.getpid()} {time.monotonic()}\n")
        return found

    def noted_make_site(*args: Any, **kwargs: Any) -> Any:
        with log.open("a") as out:
            out.write(f"site {os.getpid()} {time.monotonic()}\n")
        return make_site(*args, **kwargs)

    monkeypatch.setattr(loading, "checked", slow_checks)
    monkeypatch.setattr(incremental, "make_site", noted_make_site)
    report = _builder(folder, tmp_path).build()
    assert report.full and (tmp_path / "site" / "claim" / "scaling-works.html").is_file()
    events = {
        line.split()[0]: (int(line.split()[1]), float(line.split()[2])) for line in log.open()
    }
    assert events["site"][0] == os.getpid()
    if side_jobs_fork():
        assert events["checked"][0] != os.getpid()
        assert events["site"][1] < events["checked"][1]  # made while the checks ran
    assert multiprocessing.active_children() == []


def test_a_check_error_fails_the_build_and_leaves_the_last_site(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    builder = _builder(folder, tmp_path)
    builder.build()
    page = tmp_path / "site" / "claim" / "scaling-works.html"
    before = page.read_bytes()
    write_kb(tmp_path, BROKEN_REFERENCE)
    (folder / "claims.yaml").write_text(
        (folder / "claims.yaml").read_text("utf-8").replace("keeps lowering", "lowers"), "utf-8"
    )
    with pytest.raises(ProblemsFound) as failed:
        builder.build()
    assert any("no-such-claim" in p.message for p in failed.value.problems)
    assert page.read_bytes() == before
    assert multiprocessing.active_children() == []


def test_a_kb_with_errors_is_reported_by_its_problems_not_by_what_they_broke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The site is made before the checks are in: a KB the checks refuse may break it. The author
    # must read the checks' problems, not the error the site ran into.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("no-such-claim")

    monkeypatch.setattr(incremental, "make_site", broken)
    with pytest.raises(ProblemsFound) as failed:
        _builder(write_kb(tmp_path / "a", BROKEN_REFERENCE), tmp_path / "a").build()
    assert any("no-such-claim" in p.message for p in failed.value.problems)
    with pytest.raises(KeyError):  # a valid KB: the error is the site's own
        _builder(write_kb(tmp_path / "b"), tmp_path / "b").build()
    assert multiprocessing.active_children() == []


def test_a_file_that_does_not_load_makes_no_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    make_site = incremental.make_site

    def noted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return make_site(*args, **kwargs)

    monkeypatch.setattr(incremental, "make_site", noted)
    folder = write_kb(tmp_path, {"broken.yaml": "claims:\n  - id: [broken\n"})
    with pytest.raises(ProblemsFound) as failed:
        _builder(folder, tmp_path).build()
    assert any("broken.yaml" in p.location.path for p in failed.value.problems)
    assert made == []
