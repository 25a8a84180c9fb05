"""The downloads' export job: its own memo file, its own process, and never before the pages."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from helpers import downloads_of

from kb.build import build, exports
from kb.build.exports import (
    EXPORTS_NAME,
    ExportJob,
    download_paths,
    memo_sources,
    read_memo,
    start_export,
    write_memo,
)
from kb.build.gather import download_path
from kb.build.incremental import IncrementalBuilder
from kb.build.loading import FileMemo, load_checked
from kb.build.state import STATE_NAME, state_version
from kb.formats.export import EXPORTERS, file_name
from kb.formats.memo import ExportMemo
from kb.formats.writer import Saved
from kb.formats.ziparchive import deflate, zip_members

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import add_relation, claim_file, edit_statement, generate  # noqa: E402

CLAIMS = 40


pytestmark = pytest.mark.usefixtures("separate_builds")


def site_memo(memo_file: Path, site: Path) -> ExportMemo | None:
    """Return the export memo of a built site, its outputs the site's downloads."""
    digests = {
        p: hashlib.blake2b(d, digest_size=16).digest() for p, d in downloads_of(site).items()
    }
    return read_memo(memo_file, state_version(), memo_sources(site, digests))


class NoExportMemo(pickle.Unpickler):
    """Unpickles a state file, failing if it holds an export memo."""

    def find_class(self, module: str, name: str) -> Any:
        assert name != "ExportMemo", "the state file holds the export memo"
        return super().find_class(module, name)


def test_the_export_memo_has_a_file_of_its_own_read_by_the_export_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = generate(tmp_path, CLAIMS, 3)
    cache, site = tmp_path / "cache", tmp_path / "site"
    readers = tmp_path / "readers"
    real_read = read_memo

    def noting_read(path: Path, version: str, *rest: Any) -> ExportMemo | None:
        with open(readers, "a") as handle:  # from whichever process reads it
            handle.write(f"{os.getpid()}\n")
        return real_read(path, version, *rest)

    monkeypatch.setattr("kb.build.exports.read_memo", noting_read)
    for step in range(3):
        builder = IncrementalBuilder(folder, site, search=False, cache_dir=cache)
        report = builder.build()
        builder.exports.settle()  # the job saves its memo after the downloads are written
        assert report.full == (step == 0)
        with open(cache / STATE_NAME, "rb") as handle:
            NoExportMemo(handle).load()
        assert site_memo(cache / EXPORTS_NAME, site) is not None
        build(folder, tmp_path / f"fresh-{step}", search=False)
        assert downloads_of(site) == downloads_of(tmp_path / f"fresh-{step}")
        edit_statement(folder, 1 + step, f"Edited statement {step}.")
    pids = {int(line) for line in readers.read_text().split()}
    assert len(pids) == 6 and os.getpid() not in pids  # three builds here, three fresh ones


@pytest.mark.parametrize("damage", [b"not a pickle", None])
def test_a_broken_or_foreign_memo_file_gives_the_same_downloads(
    tmp_path: Path, damage: bytes | None
) -> None:
    folder = generate(tmp_path, CLAIMS, 4)
    cache, site = tmp_path / "cache", tmp_path / "site"
    first = IncrementalBuilder(folder, site, search=False, cache_dir=cache)
    first.build()
    first.exports.settle()
    memo_file = cache / EXPORTS_NAME
    if damage is None:  # a memo of another version of kb: not to be trusted
        memo = site_memo(memo_file, site)
        memo_file.write_bytes(pickle.dumps(("another version", memo)))
    else:
        memo_file.write_bytes(damage)
    edit_statement(folder, 2, "A statement edited while the memo was damaged.")
    builder = IncrementalBuilder(folder, site, search=False, cache_dir=cache)
    report = builder.build()
    builder.exports.settle()
    assert not report.full
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(site) == downloads_of(tmp_path / "fresh")
    assert site_memo(memo_file, site) is not None  # saved again, whole


def test_downloads_equal_to_the_last_are_not_written_again(tmp_path: Path) -> None:
    folder = generate(tmp_path, CLAIMS, 5)
    kb = load_checked(folder, FileMemo())
    out, memo_file = tmp_path / "out", tmp_path / "memo" / EXPORTS_NAME
    first = start_export(ExportJob(kb, memo_file, state_version(), {}), out)
    digests, written = first.result()
    first.close()
    assert written == len(download_paths()) == len(digests)
    inodes = {p: (out / p).stat().st_ino for p in download_paths()}
    again = start_export(ExportJob(kb, memo_file, state_version(), digests), out)
    assert again.result() == (digests, 0)
    again.close()
    assert inodes == {p: (out / p).stat().st_ino for p in download_paths()}


def test_a_rebuild_in_place_writes_the_edited_page_before_the_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = generate(tmp_path, CLAIMS, 6)
    site = tmp_path / "site"
    builder = IncrementalBuilder(folder, site, search=False, atomic=False)
    builder.build()
    old = downloads_of(site)
    real_run = ExportJob.run

    def slow_run(self: ExportJob, where: Path, inbox: Any, send: Any) -> None:
        time.sleep(1.5)  # in the export process: a large KB's export
        real_run(self, where, inbox, send)

    monkeypatch.setattr(ExportJob, "run", slow_run)
    seen: list[tuple[bool, bool]] = []
    real_wait = IncrementalBuilder._wait

    def noting_wait(self: IncrementalBuilder, plan: Any) -> None:
        pages = [p for p in site.rglob("*.html") if b"Slowly exported statement" in p.read_bytes()]
        seen.append((bool(pages), downloads_of(site) == old))
        real_wait(self, plan)

    monkeypatch.setattr(IncrementalBuilder, "_wait", noting_wait)
    edit_statement(folder, 3, "Slowly exported statement.")
    report = builder.build()
    assert not report.full
    assert seen == [(True, True)]  # the page written, the downloads not yet
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(site) == downloads_of(tmp_path / "fresh") != old


def test_a_build_returns_while_its_export_job_saves_the_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = generate(tmp_path, CLAIMS, 7)
    cache = tmp_path / "cache"
    real_write = write_memo

    go = tmp_path / "go"

    def held_write(path: Path, version: str, memo: ExportMemo, *rest: Any, **named: Any) -> None:
        deadline = time.monotonic() + 60  # in the export process, after the digests are sent
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        real_write(path, version, memo, *rest, **named)

    monkeypatch.setattr("kb.build.exports.write_memo", held_write)
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, cache_dir=cache)
    builder.build()
    assert not (cache / EXPORTS_NAME).exists()  # the build is done, the memo not yet saved
    go.touch()
    edit_statement(folder, 1, "Edited while the memo was being saved.")
    builder.build()  # its export waits for the last job's memo, and uses it
    builder.exports.settle()
    assert site_memo(cache / EXPORTS_NAME, tmp_path / "site") is not None
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(tmp_path / "site") == downloads_of(tmp_path / "fresh")


@pytest.mark.parametrize("atomic", [True, False])
def test_one_builders_jobs_take_the_last_kbs_records_and_give_fresh_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool
) -> None:
    """Each job after the first knows the last job's KB: its records are settled by `is`."""
    folder = generate(tmp_path, CLAIMS, 8)
    site, adopted = tmp_path / "site", tmp_path / "adopted"
    real_adopt = ExportMemo.adopt

    def noting_adopt(self: ExportMemo, tables: Any) -> None:
        with open(adopted, "a") as handle:  # in the export process
            handle.write("adopted\n")
        real_adopt(self, tables)

    monkeypatch.setattr(ExportMemo, "adopt", noting_adopt)
    builder = IncrementalBuilder(folder, site, search=False, atomic=atomic)
    builder.build()
    appended = claim_file(folder, 5)
    before = appended.read_text(encoding="utf-8")
    edits = [
        lambda: edit_statement(folder, 2, "A statement edited under one builder."),
        lambda: add_relation(folder, 5, 9, "rebuts"),
        lambda: appended.write_text(before, encoding="utf-8"),  # the relation removed again
        lambda: edit_statement(folder, 7, "- A statement starting with a dash."),
        lambda: add_relation(folder, 11, 3),
    ]
    for step, edit in enumerate(edits, 1):
        edit()
        report = builder.build()
        builder.exports.settle()
        assert not report.full
        kb = load_checked(folder, FileMemo())
        fresh = {"downloads/" + file_name(f): export(kb) for f, export in EXPORTERS.items()}
        assert downloads_of(site) == fresh, step
        assert adopted.read_text().split() == ["adopted"] * step


def test_a_download_changed_on_disk_is_never_taken_for_the_last_output(tmp_path: Path) -> None:
    # The next job reuses the last downloads only when they are still what the builder wrote:
    # one changed in place, even to the same length, is left out.
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    data = b'{"claims": []}'
    json_path = site / download_path("json")
    json_path.write_bytes(data)
    digest = hashlib.blake2b(data, digest_size=16).digest()
    assert exports._take(site, "json", Saved(digest, len(data))) == data
    json_path.write_bytes(data.replace(b"claims", b"CLAIMS"))
    assert exports._take(site, "json", Saved(digest, len(data))) is None
    # The CSV zip's members, the memo's buffers, likewise.
    text = b"id\nc1\n"
    zipped = zip_members([("claims.csv", text, zlib.crc32(text), deflate(text))])
    zip_path = download_path("csv")
    (site / zip_path).write_bytes(zipped)
    zip_digest = hashlib.blake2b(zipped, digest_size=16).digest()
    assert hashlib.blake2b(text, digest_size=16).digest() in memo_sources(
        site, {zip_path: zip_digest}
    )
    (site / zip_path).write_bytes(zipped[:10] + bytes([zipped[10] ^ 0xFF]) + zipped[11:])
    assert memo_sources(site, {zip_path: zip_digest}) == {}


def test_a_job_takes_each_last_output_from_its_download_as_it_exports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last outputs are read one at a time; one edited by hand is exported afresh."""
    folder = generate(tmp_path, CLAIMS, 9)
    out, memo_file = tmp_path / "out", tmp_path / "memo" / EXPORTS_NAME
    sent: list[Any] = []
    ExportJob(load_checked(folder, FileMemo()), memo_file, state_version(), {}).run(
        out, None, sent.append
    )
    ((digests, written),) = sent
    assert written == len(download_paths())
    edit_statement(folder, 2, "Edited after the first export.")
    json_path = "downloads/" + file_name("json")
    (out / json_path).write_bytes(b"{}")  # by hand: no longer the output the memo let go
    taken: list[tuple[str, bool]] = []
    real_take = exports._take

    def noting_take(where: Path, fmt: str, saved: Saved) -> bytes | None:
        data = real_take(where, fmt, saved)
        taken.append((fmt, data is not None))
        return data

    monkeypatch.setattr(exports, "_take", noting_take)
    # Only the CSV zip is read before exporting; the others when their format's turn comes.
    first = memo_sources(out, digests)
    others = [(out / p).read_bytes() for p in download_paths() if not p.endswith(".zip")]
    assert first and not any(bytes(data) in others for data in first.values())
    sent.clear()
    ExportJob(load_checked(folder, FileMemo()), memo_file, state_version(), digests).run(
        out, None, sent.append
    )
    assert dict(taken) == {fmt: fmt != "json" for fmt in EXPORTERS if fmt != "csv"}
    build(folder, tmp_path / "fresh", search=False)
    assert downloads_of(out) == downloads_of(tmp_path / "fresh")


def test_a_cut_or_garbled_memo_file_is_no_memo(tmp_path: Path) -> None:
    """Any memo file but a whole one gives no memo (the job exports afresh), never an error."""
    folder = generate(tmp_path, 12, 4)
    out, memo_file = tmp_path / "out", tmp_path / "memo" / EXPORTS_NAME
    sent: list[Any] = []
    kb = load_checked(folder, FileMemo())
    ExportJob(kb, memo_file, state_version(), {}).run(out, None, sent.append)
    ((digests, _),) = sent
    whole = memo_file.read_bytes()
    assert site_memo(memo_file, out) is not None
    sizes = sorted({0, 1, 10, len(whole) // 2, len(whole) - 9, len(whole) - 8, len(whole) - 1})
    for size in sizes:
        memo_file.write_bytes(whole[:size])
        assert read_memo(memo_file, state_version(), memo_sources(out, digests)) is None, size
    for at in (len(whole) - 1, len(whole) - 8, len(whole) // 2):
        garbled = bytearray(whole)
        garbled[at] ^= 0xFF
        memo_file.write_bytes(bytes(garbled))
        assert read_memo(memo_file, state_version(), memo_sources(out, digests)) is None, at
    memo_file.write_bytes(whole)
    assert read_memo(memo_file, "another version", memo_sources(out, digests)) is None
