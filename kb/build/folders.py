"""Folder moves the build relies on: an atomic exchange, and removal in the background."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import threading
from pathlib import Path


class Removals:
    """Folders of spent files being removed in threads, which a later build waits for."""

    def __init__(self, defer: bool = False) -> None:
        self._threads: list[threading.Thread] = []
        self.defer = defer  # True: removed by `finish`, or by the process they are handed to
        self._deferred: list[Path] = []

    def later(self, folder: Path) -> None:
        """Remove a folder in a thread (or on `finish` when deferred); the process waits for it."""
        if self.defer:
            self._deferred.append(folder)
            return
        kwargs = {"ignore_errors": True}
        thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs=kwargs)
        thread.start()
        self._threads.append(thread)

    def finish(self) -> None:
        """Wait until the folders handed to `later` are gone."""
        while self._threads:
            self._threads.pop().join()
        while self._deferred:
            shutil.rmtree(self._deferred.pop(), ignore_errors=True)

    def hand_off(self) -> None:
        """Forget the deferred folders: a forked process removes them."""
        self._deferred.clear()


def exchange(new: Path, out: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where that is unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(out), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(out))
