"""The downloads' export job: the whole KB in every format, written as made, with its own memo."""
# The job runs in a forked process while pages render. It writes each download straight into the
# site's folder and sends back only digests; its `ExportMemo` (the last outputs, hundreds of MB on a
# large KB) lives in a file of its own that only this job reads and writes, never the builder.

from __future__ import annotations

import gc
import hashlib
import mmap
import os
import pickle
import shutil
import struct
import tempfile
import weakref
from pathlib import Path

from kb.analysis.gcpause import gc_paused
from kb.build.executor import Send, SideJob
from kb.build.gather import downloads
from kb.build.state import state_version
from kb.build.writer import SiteWriter
from kb.formats.export import file_name
from kb.formats.memo import MEMO_FORMATS, ExportMemo
from kb.model.kb import KnowledgeBase

EXPORTS_NAME = "exports.pickle"
Digests = dict[str, bytes]  # path -> digest of each download
Made = tuple[Digests, int]  # every download's digest, and how many were written


def download_paths() -> list[str]:
    """Return the paths of the files the export job writes."""
    return ["downloads/" + file_name(f) for f in sorted(MEMO_FORMATS)]


# A memo file: a magic line, then the pickled memo (its outputs as out-of-band buffers) and those
# buffers' raw bytes, each at a page boundary: a load maps each instead of reading it, so that an
# output unchanged since is neither copied nor parsed, and one no longer used is unmapped.
MAGIC = b"kb-export-memo 3\n"
_HEAD = struct.Struct("<Q")  # the length of the pickled (version, memo, buffer lengths)
_PAGE = mmap.ALLOCATIONGRANULARITY
READ = mmap.ACCESS_READ


def _aligned(offset: int) -> int:
    return -(-offset // _PAGE) * _PAGE


def read_memo(path: Path, version: str) -> ExportMemo | None:
    """Return the export memo saved at path, or None when it is missing or of another version."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                return None
            (size,) = _HEAD.unpack(handle.read(_HEAD.size))
            saved_version, body, lengths = pickle.loads(handle.read(size))
            if saved_version != version:
                return None
            buffers: list[memoryview | bytes] = []
            offset = _aligned(len(MAGIC) + _HEAD.size + size)
            for length in lengths:
                if length:
                    mapped = mmap.mmap(
                        handle.fileno(), length, access=mmap.ACCESS_READ, offset=offset
                    )
                    buffers.append(memoryview(mapped))
                else:
                    buffers.append(b"")
                offset = _aligned(offset + length)
        with gc_paused():
            memo = pickle.loads(body, buffers=buffers)
    except Exception:  # missing, truncated or unreadable: export afresh
        return None
    return memo if isinstance(memo, ExportMemo) else None


def write_memo(path: Path, version: str, memo: ExportMemo) -> None:
    """Write the export memo atomically; remove it when it cannot be written."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        buffers: list[pickle.PickleBuffer] = []
        with gc_paused():
            body = pickle.dumps(memo, protocol=5, buffer_callback=buffers.append)
            views = [b.raw() for b in buffers]
            head = pickle.dumps((version, body, [v.nbytes for v in views]), protocol=5)
        with open(tmp, "wb") as handle:
            handle.write(MAGIC + _HEAD.pack(len(head)))
            handle.write(head)
            for v in views:
                handle.seek(_aligned(handle.tell()))
                handle.write(v)
            handle.truncate(_aligned(handle.tell()))  # the last buffer's page, whole
        os.replace(tmp, path)
    except Exception:  # the next export starts afresh: slower, but the same bytes
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class ExportJob:
    """One export of the downloads, from and to the memo file."""

    # Files whose digest equals the last build's (in `old`) are not written again.

    def __init__(self, kb: KnowledgeBase, memo_file: Path, version: str, old: Digests) -> None:
        self.kb, self.memo_file, self.version, self.old = kb, memo_file, version, old

    def run(self, folder: Path, send: Send) -> None:
        """Export, write the downloads that changed, send the digests, then save the memo."""
        memo = read_memo(self.memo_file, self.version) or ExportMemo()
        writer = SiteWriter(folder)
        digests: Digests = {}
        written = 0
        for path, data in downloads(self.kb, memo).items():
            digests[path] = _digest(data)
            if self.old.get(path) != digests[path]:
                writer.write(path, data)
                written += 1
        send((digests, written))  # the builder goes on while the memo is saved
        write_memo(self.memo_file, self.version, memo)


class MemoFolder:
    """Where a builder without a cache folder keeps its export memo: a folder removed with it."""

    def __init__(self, owner: object) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="kb-exports-"))
        weakref.finalize(owner, shutil.rmtree, self.path, ignore_errors=True)


def start_export(job: ExportJob, folder: Path) -> SideJob[Made]:
    """Start the export job into folder in a forked process (here, where there is no fork)."""
    # Frozen, the objects shared with this process are never walked by the child's collections,
    # and so never copied into it. No daemon: a process exiting waits for the memo to be saved.
    return SideJob(job.run, folder, early=True, setup=gc.freeze, daemon=False)


class Exports:
    """A builder's export jobs, one at a time, and the file of their memo."""

    # A job saves its memo after sending its digests; the builder goes on, and the next job starts
    # once it has ended.

    def __init__(self, owner: object, cache_dir: Path | None) -> None:
        folder = Path(cache_dir) if cache_dir is not None else MemoFolder(owner).path
        self.memo_file = folder / EXPORTS_NAME
        self.last: SideJob[Made] | None = None

    def job(self, kb: KnowledgeBase, old: Digests) -> ExportJob:
        """Return an export job of kb (digests of the last downloads in `old`)."""
        return ExportJob(kb, self.memo_file, state_version(), old)

    def start(self, job: ExportJob, folder: Path) -> SideJob[Made]:
        """Start a job writing into folder, once the last has ended."""
        self.settle()
        self.last = start_export(job, folder)
        return self.last

    def settle(self) -> None:
        """Wait until the last job has ended, its memo saved."""
        if self.last is not None:
            self.last.close()
            self.last = None
