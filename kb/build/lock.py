"""The lock that makes a second build beside the same output folder wait for the first."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]  # reason: None marks a platform without locks


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
