"""The state file: what one build leaves for the next, in this process or a later one."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.analysis import Analysis
from kb.analysis.gcpause import gc_paused
from kb.build.loading import FileMemo
from kb.build.pagereads import PageReads
from kb.build.writer import Manifest
from kb.load.files import code_digest
from kb.load.safety import MARKER
from kb.model.kb import KnowledgeBase
from kb.plugins import installed
from kb.site.memos import Positions

STATE_NAME = "build-state.pickle"
STATE_VERSION = "kb-cache-13"

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


def read_state(path: Path, stamp: Stamp | None) -> State | None:
    """Return the state saved at path, or None when it is missing, unreadable or not for stamp."""
    try:
        with open(path, "rb") as handle, gc_paused():
            version, saved_stamp, memo, last, extra = pickle.load(handle)
            manifest = pickle.load(handle)  # written last (see write_state)
            # Kept for the process's life: later collections need not walk them again.
            gc.freeze()
    except Exception:  # missing, truncated or from another version: build in full
        return None
    if version != state_version() or saved_stamp is None or saved_stamp != stamp:
        return None
    if last is not None:
        last.manifest = manifest
    return State(memo, last, extra[0], extra[1], extra[2])


def write_state(
    path: Path, stamp: Stamp | None, state: State, manifest: Callable[[], Manifest] | None = None
) -> None:
    """Write the state for the next run, atomically; remove it when it cannot be written."""
    # The site's manifest goes last, from `manifest` when given (the builder's process reading
    # the site while the rest is pickled), else from the last snapshot.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    extra = (state.extra, state.layouts, state.analysis)
    saved = (state_version(), stamp, state.memo, state.last, extra)
    try:
        with open(tmp, "wb") as handle, gc_paused():
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump(saved)
            last = state.last
            pickler.dump(manifest() if manifest is not None else last and last.manifest)
        os.replace(tmp, path)
    except Exception:  # an unpicklable lookup: the next run builds in full
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def default_cache_dir(kb_root: Path, out: Path) -> Path | None:
    """Return the per-user cache folder for one KB and output folder (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    key = f"{Path(kb_root).resolve()}\0{Path(out).resolve()}"
    return base / hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
