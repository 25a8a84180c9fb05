"""When the export job starts: forked straight after loading, told later where to write."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import downloads_of

from kb.build import build, exports, incremental
from kb.build.executor import side_jobs_fork
from kb.build.exports import EXPORTS_NAME, ExportJob, download_paths
from kb.build.incremental import IncrementalBuilder
from kb.build.loading import FileMemo, load_checked
from kb.build.pagereads import PageReads
from kb.build.plan import downloads_likely
from kb.build.state import Snapshot, state_version
from kb.errors import BuildError
from kb.model.kb import KnowledgeBase

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import claim_file, edit_statement, generate  # noqa: E402

CLAIMS = 30
forks = pytest.mark.skipif(not side_jobs_fork(), reason="side jobs run in process here")


pytestmark = pytest.mark.usefixtures("separate_builds")


def test_a_job_told_where_writes_there_and_a_dropped_one_writes_nothing(tmp_path: Path) -> None:
    """In this process: the folder comes through the inbox; a closed inbox ends the job."""
    kb = load_checked(generate(tmp_path, 12, 2), FileMemo())
    last, out, memo_file = tmp_path / "last", tmp_path / "out", tmp_path / "m" / EXPORTS_NAME
    inbox, give = multiprocessing.Pipe(duplex=False)
    give.close()
    sent: list[Any] = []
    ExportJob(kb, memo_file, state_version(), {}).run(last, inbox, sent.append)
    assert sent == [] and not out.exists() and not last.exists() and not memo_file.exists()
    inbox, give = multiprocessing.Pipe(duplex=False)
    give.send((out, {}))
    ExportJob(kb, memo_file, state_version(), {}).run(last, inbox, sent.append)
    ((digests, written),) = sent
    assert written == len(download_paths()) == len(digests) and not last.exists()
    assert memo_file.is_file()
    build(tmp_path / "claims", tmp_path / "fresh", search=False)
    assert downloads_of(out) == downloads_of(tmp_path / "fresh")


@forks
@pytest.mark.parametrize("atomic", [False, True])
def test_the_job_is_forked_before_the_site_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool
) -> None:
    """A first build, and an edit when the site is swapped in whole, fork the job before the site."""
    folder = generate(tmp_path, CLAIMS, 3)
    site = tmp_path / "site"
    seen: list[bool] = []
    real_make_site = incremental.make_site

    def noting_make_site(*args: Any, **named: Any) -> Any:
        if named["memos"] is builder.memos:  # not the fresh builds'
            prepared = builder.exports.prepared
            seen.append(prepared is not None and prepared.side.running())
        return real_make_site(*args, **named)

    monkeypatch.setattr("kb.build.incremental.make_site", noting_make_site)
    builder = IncrementalBuilder(folder, site, search=False, atomic=atomic)
    for step in range(3):
        report = builder.build()
        assert report.full == (step == 0)
        build(folder, tmp_path / f"fresh-{step}", search=False)
        assert downloads_of(site) == downloads_of(tmp_path / f"fresh-{step}")
        builder.exports.settle()  # else the next job waits for this one's memo: forked late
        edit_statement(folder, 1 + step, f"Edited statement {step}.")
    assert seen == [True, atomic, atomic]  # in place, it starts before the first pages


@forks
def test_an_edit_that_changes_no_record_ends_the_prepared_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment added to a file: parsed again, nothing to export, the job ended unwritten."""
    folder = generate(tmp_path, CLAIMS, 4)
    site = tmp_path / "site"
    builder = IncrementalBuilder(folder, site, search=False, atomic=True)
    builder.build()
    builder.exports.settle()
    before = {p: (site / p).stat().st_mtime_ns for p in download_paths()}
    dropped: list[bool] = []
    real_drop = exports._Prepared.drop

    def noting_drop(self: Any) -> None:
        dropped.append(self.side.running())
        real_drop(self)

    monkeypatch.setattr(exports._Prepared, "drop", noting_drop)
    path = claim_file(folder, 1)
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    seen = builder.exports.seen  # the job that saved the memo: the next job takes its records
    report = builder.build()
    assert report.parsed_files == 1 and report.written == 0
    assert dropped == [True] and builder.exports.prepared is None
    assert builder.exports.seen is seen is not None
    assert multiprocessing.active_children() == []
    assert {p: (site / p).stat().st_mtime_ns for p in download_paths()} == before
    edit_statement(folder, 2, "Edited after the dropped job.")
    builder.build()
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(site) == downloads_of(tmp_path / "fresh")


@forks
def test_a_build_failing_after_the_load_ends_its_prepared_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job forked after loading never outlives a build that fails before it is told."""
    folder = generate(tmp_path, CLAIMS, 5)
    site, cache = tmp_path / "site", tmp_path / "cache"
    builder = IncrementalBuilder(folder, site, search=False, cache_dir=cache)

    def failing_make_site(*args: Any, **named: Any) -> Any:
        assert builder.exports.prepared is not None
        raise BuildError("the site could not be made")

    real_make_site = incremental.make_site
    monkeypatch.setattr("kb.build.incremental.make_site", failing_make_site)
    with pytest.raises(BuildError):
        builder.build()
    assert builder.exports.prepared is None and multiprocessing.active_children() == []
    assert not site.exists() and not (cache / EXPORTS_NAME).exists()
    monkeypatch.setattr("kb.build.incremental.make_site", real_make_site)
    builder.build()
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(site) == downloads_of(tmp_path / "fresh")


def test_which_builds_fork_the_job_after_loading() -> None:
    """First builds, and builds swapped in whole whose files changed; never one in place."""
    before = KnowledgeBase(root=Path("kb"), files=["a.yaml", "b.yaml"])
    last = Snapshot(kb=before, salt="", derived={}, standings={}, reads=PageReads(), digests={})
    same = KnowledgeBase(root=Path("kb"), files=["a.yaml", "b.yaml"])
    fewer = KnowledgeBase(root=Path("kb"), files=["a.yaml"])
    assert downloads_likely(None, same, atomic=False, parsed=0)
    assert downloads_likely(None, same, atomic=True, parsed=0)
    assert downloads_likely(last, same, atomic=True, parsed=1)
    assert downloads_likely(last, fewer, atomic=True, parsed=0)  # a file deleted
    assert not downloads_likely(last, same, atomic=True, parsed=0)  # nothing changed
    assert not downloads_likely(last, same, atomic=False, parsed=1)  # in place: forked later
    assert not downloads_likely(last, fewer, atomic=False, parsed=0)


def test_the_downloads_among_a_sites_files() -> None:
    """Only the export job's files are kept from a site's digests."""
    site = {"index.html": b"i", "assets/site.css": b"c", "downloads/notes.txt": b"n"}
    site |= {p: p.encode() for p in download_paths()}
    assert exports.downloads_among(site) == {p: p.encode() for p in download_paths()}
    assert exports.downloads_among({"index.html": b"i"}) == {}
