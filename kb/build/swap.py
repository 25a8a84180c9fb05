"""Swapping a built site in: written beside the old one, indexed, then exchanged in one step."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kb.build.folders import exchange
from kb.build.lock import locked
from kb.build.search import index_search
from kb.build.writer import write_files
from kb.errors import BuildError

_TEMPORARY = (("", "new"), ("", "old"), ("", "search"), (".", "new"))


def _sweep(out: Path) -> None:
    """Remove the temporary folders of killed builds; put back a site a kill left moved away."""
    name = glob.escape(out.name)
    stales = [*out.parent.glob(f".{name}.*-*"), *out.parent.glob(f"..{name}.new-*.search-*")]
    # Search staging folders sit beside the folder being indexed: out, or a new-* folder.
    temporary = tuple(f"{dot}.{out.name}.{kind}-" for dot, kind in _TEMPORARY)
    for stale in sorted(stales):
        if stale.is_dir() and stale.name.startswith(f".{out.name}.old-") and not out.exists():
            os.replace(stale, out)
        elif stale.is_dir() and stale.name.startswith(temporary):
            shutil.rmtree(stale, ignore_errors=True)


def swap_in(
    files: dict[str, bytes],
    out: Path,
    search: bool | Callable[[Path], None] = True,
    fill: Callable[[Path], None] | None = None,
    remove: Callable[[Path], None] | None = None,
) -> None:
    """Write files (and what `fill` writes) to a temporary folder beside out, index, swap in."""
    # `search` is True (index the whole folder), False, or the indexing step to run on it.
    # `remove` takes the previous site once swapped out (Removals.later: in a thread, while the
    # build saves its state); by default it is removed before swap_in returns.
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with locked(out):
            _sweep(out)
            old = _write_and_swap(files, out, search, fill)
        if old is not None:
            (remove or _remove)(old)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildError(
            f"cannot write the site: {exc.strerror or exc}{where}; the previous site is unchanged"
        ) from exc


def _write_and_swap(
    files: dict[str, bytes],
    out: Path,
    search: bool | Callable[[Path], None],
    fill: Callable[[Path], None] | None = None,
) -> Path | None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old: Path | None = None
    try:
        write_files(tmp, files)
        if fill is not None:
            fill(tmp)
        if callable(search):
            search(tmp)
        elif search:
            index_search(tmp)
        os.chmod(tmp, 0o755)
        if out.exists() and exchange(tmp, out):
            old = tmp  # it now holds the previous site
        elif out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        if old is not tmp:
            os.replace(tmp, out)
    except BaseException as exc:
        # Pagefind fails silently on a full disk; the damage shows later as an unreadable index.
        full = isinstance(exc, BuildError) and shutil.disk_usage(out.parent).free < 1 << 20
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            os.replace(old, out)
        if full:
            raise BuildError(f"{exc} (the disk is full: No space left on device)") from exc
        raise
    return old


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
