"""The state file: what one build leaves for the next, in this process or a later one."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

from kb.analysis import Analysis
from kb.analysis.gcpause import gc_paused
from kb.build.loading import FileEntry, FileMemo
from kb.build.memos import KeptGraph
from kb.build.pagereads import PageReads
from kb.build.writer import Manifest
from kb.load.files import code_digest
from kb.load.safety import MARKER
from kb.model.kb import KnowledgeBase
from kb.plugins import installed
from kb.site.memos import Positions

STATE_NAME = "build-state.pickle"
STATE_VERSION = "kb-cache-15"

Stamp = tuple[str, str, int, int]  # KB folder, output folder, marker's inode and mtime


def output_stamp(kb_root: Path, out: Path) -> Stamp | None:
    """Return what identifies a builder's last output: paths and the marker's inode and mtime."""
    try:
        st = (out / MARKER).stat()
    except OSError:
        return None
    return (str(kb_root.resolve()), str(out), st.st_ino, st.st_mtime_ns)


def state_version() -> str:
    """Return the state file's version: the format's and a digest of the package's code."""
    # An upgraded or edited kb, or another set of plugins, never reuses what was computed before.
    plugins = hashlib.blake2b(repr(installed()).encode(), digest_size=8).hexdigest()
    return f"{STATE_VERSION}:{code_digest().hex()}:{plugins}"


@dataclass
class Snapshot:
    """What one build read: the KB, the site's derived lookups, standings, and page reads."""

    kb: KnowledgeBase
    salt: str
    derived: dict[str, dict[Any, Any]]
    standings: dict[tuple[str, str], Any]  # ("claim" | "question", ID) -> what the site shows
    reads: PageReads
    digests: dict[str, bytes]
    views: dict[str, bytes] | None = None  # what Pagefind read of each page, by digest
    manifest: Manifest | None = None  # the site's files as this build left them


@dataclass
class State:
    """Everything the state file holds besides its version and stamp."""

    # Not the export memo: the export job keeps it in a file of its own (kb.build.exports).

    memo: FileMemo
    last: Snapshot | None
    extra: dict[str, bytes]  # digests of the assets and downloads written
    layouts: dict[bytes, Positions]
    analysis: dict[bytes, Analysis]
    graph: KeptGraph | None = None  # the last KB's graph


def read_state(path: Path, stamp: Stamp | None) -> State | None:
    """Return the state saved at path, or None when it is missing, unreadable or not for stamp."""
    try:
        with open(path, "rb") as handle, gc_paused():
            version, saved_stamp = pickle.load(handle)
            if version != state_version() or saved_stamp is None or saved_stamp != stamp:
                return None
            files, spans = {}, {}
            for _ in range(pickle.load(handle)):
                start = handle.tell()
                shown, entry = pickle.load(handle)
                files[shown] = entry
                spans[shown] = (entry, start, handle.tell() - start)
            entries = list(files.values())
            kept = pickle.load(handle)
            named = {n: _load(handle, entries) for n in _NAMED} if kept else {}
            graph = _load(handle, entries, named["kb"]) if kept else None
            parsed, extra, layouts, analysis = (pickle.load(handle) for _ in range(4))
            rest = {n: pickle.load(handle) for n in _PLAIN} if kept else {}
            last = Snapshot(**named, **rest) if kept else None
            manifest = pickle.load(handle)  # written last (see write_state)
            identity = _identity(os.fstat(handle.fileno()))  # this file's, not a later one's
            # Kept for the process's life: later collections need not walk them again.
            gc.freeze()
    except Exception:  # missing, truncated or from another version: build in full
        return None
    if last is not None:
        last.manifest = manifest
    memo = FileMemo(files, parsed, (identity, spans))
    return State(memo, last, extra, layouts, analysis, graph)


def write_state(
    path: Path, stamp: Stamp | None, state: State, manifest: Callable[[], Manifest] | None = None
) -> int:
    """Write the state for the next run, atomically (or remove it); return the entries copied."""
    # The site's manifest goes last, from `manifest` when given (the builder's process reading
    # the site while the rest is pickled), else from the last snapshot. A file memo entry that is
    # still the one the state file at path holds is copied from there, not pickled again.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    last = state.last
    named = [getattr(last, name) for name in _NAMED] if last is not None else []
    rest = [state.memo.parsed, state.extra, state.layouts, state.analysis]
    rest += [getattr(last, name) for name in _PLAIN] if last is not None else []
    try:
        with open(tmp, "wb") as handle, gc_paused(), contextlib.ExitStack() as stack:
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump((state_version(), stamp))
            # Each file's records in a pickle of their own: a pickler remembers every object it
            # wrote until it is cleared, and at 10,000 claims one memo of them all was 96 MB.
            pickler.dump(len(state.memo.files))
            refs: dict[int, Ref] = {}
            spans = _Entries(path, state.memo, handle, pickler, stack)
            for number, (shown, entry) in enumerate(state.memo.files.items()):
                spans.write(shown, entry)
                _note_refs(refs, number, entry[1])
            pickler.clear_memo()
            pickler.dump(last is not None)
            # The last KB's tables and the site's derived lookups name those records and places
            # by reference, each part with a memo of its own; the rest holds none of them.
            for part in named:
                _RefPickler(handle, refs).dump(part)
            if last is not None:  # the graph names the last KB, written just before, too
                refs[id(last.kb)] = LAST_KB
                graph = state.graph if state.graph and state.graph.kb is last.kb else None
                _RefPickler(handle, refs).dump(graph)
            refs.clear()  # 10 MB at 10,000 claims, freed before the largest memo (the reads')
            for part in rest:
                pickler.clear_memo()
                pickler.dump(part)
            pickler.clear_memo()
            pickler.dump(manifest() if manifest is not None else last and last.manifest)
            handle.flush()
            identity = _identity(os.fstat(handle.fileno()))  # kept by the rename
        os.replace(tmp, path)
        state.memo.spans = (identity, spans.spans)
        return spans.copied
    except Exception:  # an unpicklable lookup: the next run builds in full
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        state.memo.spans = None
        return 0


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """Return what tells one state file from another that replaced it: inode, size, mtime."""
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class _Entries:
    """Writes the file memo's entries, copying those the last state file holds as they are."""

    def __init__(
        self,
        path: Path,
        memo: FileMemo,
        handle: BinaryIO,
        pickler: pickle.Pickler,
        stack: contextlib.ExitStack,
    ) -> None:
        self.handle, self.pickler = handle, pickler
        self.spans: dict[str, tuple[FileEntry, int, int]] = {}
        self.copied = 0
        self.last: BinaryIO | None = None
        self.old: dict[str, tuple[FileEntry, int, int]] = {}
        try:
            if memo.spans is not None:
                last = stack.enter_context(open(path, "rb"))  # noqa: SIM115 (closed by stack)
                # Not the file those offsets are in when another builder has written it since.
                if _identity(os.fstat(last.fileno())) == memo.spans[0]:
                    self.last, self.old = last, memo.spans[1]
        except OSError:  # gone: every entry is pickled
            pass

    def write(self, shown: str, entry: FileEntry) -> None:
        """Write one entry: copied when the last file holds this very entry, else pickled."""
        start = self.handle.tell()
        old = self.old.get(shown)
        if self.last is not None and old is not None and old[0] is entry:
            self.last.seek(old[1])
            self.handle.write(self.last.read(old[2]))
            self.copied += 1
        else:
            self.pickler.clear_memo()
            self.pickler.dump((shown, entry))
        self.spans[shown] = (entry, start, self.handle.tell() - start)


_NAMED = ("kb", "derived")  # the snapshot's parts that hold the file memo's records
_PLAIN = tuple(f.name for f in fields(Snapshot) if f.name not in (*_NAMED, "manifest"))
# A reference: (a file's number << 32 | an action's number among its actions) << 1 | 0 for the
# record, 1 for its place. One int, not a tuple: there are two for each record.
Ref = int
LAST_KB: Ref = -1  # the last KB, which the graph names


def _note_refs(refs: dict[int, Ref], number: int, actions: list[tuple[str, Any]]) -> None:
    """Note the records and places stored by one file's actions, by identity."""
    for index, (action, value) in enumerate(actions):
        if action == "store":
            record, where = value
            ref = (number << 32 | index) << 1
            refs[id(record)] = ref
            refs[id(where)] = ref | 1


class _RefPickler(pickle.Pickler):
    """A pickler that writes the file memo's records and places as references to them."""

    def __init__(self, handle: BinaryIO, refs: dict[int, Ref]) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.refs = refs  # alive while it pickles: their files' entries hold them

    def persistent_id(self, obj: Any) -> Ref | None:
        """Return the reference to a record or place of the file memo, or None for the rest."""
        return self.refs.get(id(obj))


def _load(handle: BinaryIO, entries: list[FileEntry], kb: KnowledgeBase | None = None) -> Any:
    """Read the next part written by a `_RefPickler`, its references taken from entries (or kb)."""
    return _RefUnpickler(handle, entries, kb).load()


class _RefUnpickler(pickle.Unpickler):
    """An unpickler that takes records and places by reference from the file memo's entries."""

    def __init__(
        self, handle: BinaryIO, entries: list[FileEntry], kb: KnowledgeBase | None
    ) -> None:
        super().__init__(handle)
        self.entries, self.kb = entries, kb

    def persistent_load(self, pid: Any) -> Any:
        """Return the record or place a reference names, or the last KB."""
        if pid == LAST_KB:
            return self.kb
        number, index = divmod(pid >> 1, 1 << 32)
        return self.entries[number][1][index][1][pid & 1]


def default_cache_dir(kb_root: Path, out: Path) -> Path | None:
    """Return the per-user cache folder for one KB and output folder (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    key = f"{Path(kb_root).resolve()}\0{Path(out).resolve()}"
    return base / hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
