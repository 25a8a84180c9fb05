"""Locks: a second build beside the same output folder waits, and so does a reader of a state."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]  # reason: None marks a platform without locks

STATE_LOCK = "build-state.lock"


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Lock the target's parent folder while one build writes beside it: a second build waits."""
    if fcntl is None:  # Windows: folders cannot be opened this way; no lock
        yield
        return
    handle = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released on close, and when the process dies
        yield
    finally:
        os.close(handle)


def lock_state(folder: Path, shared: bool = False) -> int | None:
    """Lock the state file of a cache folder (waiting for a writer); return the handle to close."""
    # A process that saves the state after its build has returned (`kb build`) holds the lock
    # until it is done: the next build reads the state it saves, never the one before.
    if fcntl is None:
        return None
    try:
        if shared and not folder.is_dir():
            return None  # no state to read
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / STATE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only cache: no state is written there either
        return None
    fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    return handle


@contextlib.contextmanager
def state_locked(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold the lock of a cache folder's state while reading (shared) or writing it."""
    handle = lock_state(folder, shared)
    try:
        yield
    finally:
        if handle is not None:
            os.close(handle)
