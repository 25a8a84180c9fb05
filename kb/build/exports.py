"""The downloads' export job: the whole KB in every format, written as made, with its own memo."""
# The job runs in a forked process while the builder makes the site and renders pages (forked
# straight after loading when it can, else just before rendering). It writes each download
# straight into the site's folder and sends back only digests; its `ExportMemo` (keys, derived
# structures and record fingerprints, tens of MB on a large KB) lives in a file of its own that
# only this job reads and writes, never the builder; the last outputs it reuses are the
# downloads in the site's folder.

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import shutil
import struct
import tempfile
import weakref
import zipfile
import zlib
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO

from kb.analysis.gcpause import gc_paused
from kb.build.executor import Send, SideJob, side_jobs_fork
from kb.build.gather import download_path
from kb.build.state import state_version
from kb.build.writer import SiteWriter, digester
from kb.build.writer import digest as file_digest
from kb.formats.context import TABLES, Tables
from kb.formats.memo import MEMO_FORMATS, ExportMemo
from kb.formats.writer import Bytes, Saved
from kb.model.kb import KnowledgeBase

EXPORTS_NAME = "exports.pickle"
Digests = dict[str, bytes]  # path -> digest of each download
Made = tuple[Digests, int]  # every download's digest, and how many were written


def download_paths() -> list[str]:
    """Return the paths of the files the export job writes."""
    return [download_path(f) for f in sorted(MEMO_FORMATS)]


def downloads_among(digests: Digests) -> Digests:
    """Return the digests of the downloads among a site's files' digests."""
    paths = set(download_paths())
    return {p: d for p, d in digests.items() if p in paths}


# A memo file holds the pickled memo without its outputs, only their digests and lengths: the
# outputs are the downloads the last job wrote, which the next one reads from the site folder as it
# exports each format (a `Saved` in place of each), and, for the CSV zip, its members' texts and
# compressed bytes (out-of-band buffers, from the zip). Writing 150 MB of outputs a second time cost
# more than all the rest of an edit's export.
MAGIC = b"kb-export-memo 5\n"
_HEAD = struct.Struct("<Q")  # the length of the head, last: (version, memo's digest, buffers, name)
_LOCAL = struct.Struct("<26xHH")  # a zip member's local header: its name's and extra's lengths
Sources = dict[bytes, "bytes | memoryview"]  # the bytes the memo's buffers may be, by digest
Last = tuple[str, Tables]  # the last job's name and the tables of its KB


def read_memo(
    path: Path, version: str, sources: Sources, last: Last | None = None
) -> ExportMemo | None:
    """Return the export memo saved at path, its buffers from sources, or None when it cannot."""
    # None when it is missing, cut or changed, of another version, or a buffer (a member of the
    # CSV zip) is not among the sources; the other outputs are taken as they are exported. With
    # `last` (the name and KB tables of the job that saved it), it takes those records as its own.
    try:
        data = path.read_bytes()
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _HEAD.size:
            return None
        (size,) = _HEAD.unpack_from(data, len(data) - _HEAD.size)
        end = len(data) - _HEAD.size - size
        if end < len(MAGIC):
            return None
        saved_version, check, wanted, name = pickle.loads(memoryview(data)[end : end + size])
        body = memoryview(data)[len(MAGIC) : end]
        if saved_version != version or file_digest(body) != check:
            return None
        buffers = [sources.get(digest, b"") for digest, _ in wanted]
        if [len(b) for b in buffers] != [length for _, length in wanted]:
            return None
        with gc_paused():
            memo = pickle.loads(body, buffers=buffers)
    except Exception:  # missing, truncated or unreadable: export afresh
        return None
    if not isinstance(memo, ExportMemo):
        return None
    if last is not None and last[0] == name:
        memo.adopt(last[1])
    return memo


def write_memo(
    path: Path,
    version: str,
    memo: ExportMemo,
    name: str = "",
) -> None:
    """Write the export memo atomically; remove it when it cannot be written."""
    # `name`: the job's, which the builder gives the next job with this one's KB. The outputs the
    # job let go are kept as their files' digests; the rest (the CSV zip's members) are digested.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    wanted: list[tuple[bytes, int]] = []

    def note(buffer: pickle.PickleBuffer) -> None:
        view = buffer.raw()
        wanted.append((file_digest(view), view.nbytes))

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The memo streams into the file (joined in memory, then copied into a head, it was the
        # export job's peak); the head, written after it, says which buffers it wants.
        with open(tmp, "wb") as handle, gc_paused():
            handle.write(MAGIC)
            body = _Digesting(handle)  # a changed byte could copy the wrong stretch of an output
            pickle.Pickler(body, protocol=5, buffer_callback=note).dump(memo)
            head = pickle.dumps((version, body.made.digest(), wanted, name), protocol=5)
            handle.write(head + _HEAD.pack(len(head)))
        os.replace(tmp, path)
    except Exception:  # the next export starts afresh: slower, but the same bytes
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)


class _Digesting:
    """A file being written that digests what is written to it, as `digest` would."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.made = digester()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.made.update(data)
        return self.handle.write(data)


def memo_sources(folder: Path, old: Digests) -> Sources:
    """Return the CSV zip's members in folder, by digest, if the builder has the zip's digest."""
    # The memo's only buffers: each other last output is taken from its download as it is
    # exported (_take). Read, not mapped: a mapped file could not be replaced on Windows.
    sources: Sources = {}
    for rel, digest in old.items():
        if not rel.endswith(".zip"):
            continue
        try:
            data = (folder / rel).read_bytes()
        except OSError:  # missing: not a source
            continue
        if file_digest(data) == digest:  # else changed since the builder saw it
            sources.update(_zip_sources(folder / rel, memoryview(data)))
    return sources


def _zip_sources(path: Path, view: memoryview) -> Sources:
    """Return each member's text and compressed bytes, by digest, of a zip written as exported."""
    sources: Sources = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                start = info.header_offset
                name, extra = _LOCAL.unpack(view[start : start + _LOCAL.size])
                start += _LOCAL.size + name + extra
                deflated = view[start : start + info.compress_size]
                text = zlib.decompress(deflated, -15)
                sources[file_digest(deflated)] = deflated
                sources[file_digest(text)] = text
    except (OSError, ValueError, zipfile.BadZipFile, zlib.error, struct.error):
        return {}
    return sources


class ExportJob:
    """One export of the downloads, from and to the memo file."""

    # Files whose digest equals the last build's (in `old`) are not written again. `last` is the
    # name and tables of the builder's last job: when that job saved the memo, unchanged records are
    # known by `is` rather than by fingerprinting them all.

    def __init__(
        self,
        kb: KnowledgeBase,
        memo_file: Path,
        version: str,
        old: Digests,
        last: Last | None = None,
    ) -> None:
        self.kb, self.memo_file, self.version, self.old = kb, memo_file, version, old
        self.last = last
        self.name = os.urandom(12).hex()

    def run(self, folder: Path, inbox: Connection | None, send: Send) -> None:
        """Export, write the downloads that changed, send the digests, then save the memo."""
        # `folder` holds the last downloads. Without an inbox the job writes there too. With one,
        # it started before the site's folder was made: it exports, and before its first write
        # waits to be told the folder and the digests of the downloads already in it.
        sources = memo_sources(folder, self.old)
        memo = read_memo(self.memo_file, self.version, sources, self.last) or ExportMemo()
        del sources
        target = _Target(folder, self.old) if inbox is None else None

        def sink(fmt: str, pieces: list[Bytes]) -> bytes:
            nonlocal target
            if target is None:
                target = _told(inbox)
            return target.put(fmt, pieces)

        try:
            memo.export_into(self.kb, sink, partial(_take, folder))
            if target is None:
                target = _told(inbox)
        except _Dropped:  # the build needs no downloads, or failed: nothing written or saved
            return
        send((target.digests, target.written))  # the builder goes on while the memo is saved
        write_memo(self.memo_file, self.version, memo, name=self.name)


class _Dropped(Exception):
    """The builder dropped the job before telling it where to write."""


class _Target:
    """The folder a job writes the changed downloads into, and what it wrote."""

    def __init__(self, folder: Path, old: Digests) -> None:
        self.writer, self.old = SiteWriter(folder), old
        self.digests: Digests = {}
        self.written = 0

    def put(self, fmt: str, pieces: list[Bytes]) -> bytes:
        """Write one format's download unless the folder has it already; return its digest."""
        path = download_path(fmt)
        made = self.digests[path] = file_digest(*pieces)
        if self.old.get(path) != made:
            self.writer.write_pieces(path, pieces)
            self.written += 1
        return made


def _told(inbox: Connection | None) -> _Target:
    """Wait for the builder to say where to write; raise _Dropped if it never will."""
    try:
        told = inbox.recv() if inbox is not None else None
    except (EOFError, OSError):  # the builder closed its end: dropped
        told = None
    if told is None:
        raise _Dropped
    folder, old = told
    return _Target(folder, old)


def _take(folder: Path, fmt: str, saved: Saved) -> bytes | None:
    """Return the last output of a format from its download in folder, if the file still is it."""
    # Read as its format is exported, not all at first: held together they were 140 MB at
    # 10,000 claims. Read, not mapped: a mapped file could not be replaced on Windows.
    try:
        data = (folder / download_path(fmt)).read_bytes()
    except OSError:
        return None
    return data if file_digest(data) == saved.digest else None


class MemoFolder:
    """Where a builder without a cache folder keeps its export memo: a folder removed with it."""

    def __init__(self, owner: object) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="kb-exports-"))
        weakref.finalize(owner, shutil.rmtree, self.path, ignore_errors=True)


def start_export(job: ExportJob, folder: Path) -> SideJob[Made]:
    """Start the export job into folder in a forked process (here, where there is no fork)."""
    # Frozen, the objects shared with this process are never walked by the child's collections,
    # and so never copied into it. No daemon: a process exiting waits for the memo to be saved.
    return SideJob(
        job.run,
        folder,
        None,
        early=True,
        setup=gc.freeze,
        daemon=False,
        what="the export of the downloads",
    )


class _Prepared:
    """A job forked before its folder was known, and the end of the pipe that will tell it."""

    def __init__(self, job: ExportJob, site: Path, seen: Last | None) -> None:
        self.job = job
        self.seen = seen  # the builder's last job before this one: still the memo's, if dropped
        inbox, self.give = multiprocessing.Pipe(duplex=False)
        give = self.give

        def setup() -> None:
            give.close()  # else the job would never see the builder close its end
            gc.freeze()

        self.side: SideJob[Made] = SideJob(
            job.run,
            site,
            inbox,
            early=True,
            setup=setup,
            daemon=False,
            what="the export of the downloads",
        )
        inbox.close()

    def go(self, folder: Path) -> SideJob[Made]:
        """Tell the job where to write, and which downloads that folder already has."""
        with contextlib.suppress(OSError):  # it died: its result says so
            self.give.send((folder, self.job.old))
        self.give.close()
        return self.side

    def drop(self) -> None:
        """End the job, which has written nothing: it writes only once told where."""
        self.give.close()
        self.side.stop()


class Exports:
    """A builder's export jobs, one at a time, and the file of their memo."""

    # A job saves its memo after sending its digests; the builder goes on, and the next job starts
    # once it has ended. A job may be forked straight after the KB is loaded (`prepare`), before
    # the site is made: it then shares only the loaded KB with the builder, not the site's
    # lookups and pages, and exports while the builder makes the site.

    def __init__(self, owner: object, cache_dir: Path | None) -> None:
        folder = Path(cache_dir) if cache_dir is not None else MemoFolder(owner).path
        self.memo_file = folder / EXPORTS_NAME
        self.last: SideJob[Made] | None = None
        self.seen: Last | None = None
        self.prepared: _Prepared | None = None

    def prepare(self, kb: KnowledgeBase, last: Digests, site: Path) -> None:
        """Start exporting kb now, if it forks and the last job ended (`last`: the site's)."""
        if not side_jobs_fork() or (self.last is not None and self.last.running()):
            return  # the job starts once the folder is known, as it would without this
        self.settle()  # and drops a job prepared for an earlier build
        seen = self.seen
        self.prepared = _Prepared(self.job(kb, downloads_among(last)), site, seen)

    def job(self, kb: KnowledgeBase, old: Digests) -> ExportJob:
        """Return an export job of kb (digests of the last downloads in `old`)."""
        if self.prepared is not None:  # forked already, with the KB as it was loaded
            self.prepared.job.old = old
            return self.prepared.job
        job = ExportJob(kb, self.memo_file, state_version(), old, self.seen)
        self.seen = (job.name, {t: dict(getattr(kb, t)) for t in TABLES})  # as they are now
        return job

    def start(self, job: ExportJob, folder: Path) -> SideJob[Made]:
        """Start a job writing into folder, once the last has ended."""
        prepared, self.prepared = self.prepared, None
        if prepared is not None and prepared.job is job:
            self.last = prepared.go(folder)
            return self.last
        if prepared is not None:
            prepared.drop()
        self.settle()
        self.last = start_export(job, folder)
        return self.last

    def drop(self) -> None:
        """End a prepared job that was never started: the build needs no downloads, or failed."""
        prepared, self.prepared = self.prepared, None
        if prepared is not None:
            prepared.drop()
            self.seen = prepared.seen  # it saved no memo: the next job's is the one before

    def settle(self) -> None:
        """Wait until the last job has ended, its memo saved."""
        self.drop()
        if self.last is not None:
            self.last.close()
            self.last = None
