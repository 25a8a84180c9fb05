"""What the pages open in `kb serve` wait on: the build's version, its last error, who asks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

# Seconds a page counts as open after it last asked for the status, when it is not waiting for
# an answer: hidden tabs ask about once a second.
OPEN_FOR = 5.0
# Seconds a status request waits for a build to change the status before answering anyway: the
# open page learns of a build at once, not at its next poll.
WAIT_FOR = 10.0
# Status requests held waiting at once: a browser opens at most six connections to a host, and a
# page beyond these asks again a second later, so that page loads always find one free.
MAX_HELD = 4
HANG_UP_CHECK = 0.25  # seconds between looks at whether a waiting request's browser hung up
# Seconds a rebuild waits, once the open pages are written, for them to load again before it goes
# on: the browser then has the cores to itself, and the author sees the edit sooner.
RELOAD_WAIT = 0.5


class State:
    """What the open pages wait for: the build's version and the last error, and who asks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.error: str | None = None
        self.stamp = 0  # counts the changes of the status: a waiting request ends when it moves
        self.closed = False
        self.asked: dict[str, float] = {}  # site path of each open page -> when it last asked
        self.waiting: dict[str, int] = {}  # site path -> status requests waiting now
        self.held = 0  # status requests waiting now, with a page or without
        self.reloading: set[str] = set()  # pages told to reload that have not asked again yet

    def note(self, page: str | None, loaded: bool = False) -> None:
        """Note that the page at this site path is open in a browser (and, if loaded, new)."""
        if page is None:
            return
        now = time.monotonic()
        with self.changed:
            self.asked = {p: t for p, t in self.asked.items() if now - t < OPEN_FOR}
            self.asked[page] = now
            if loaded and page in self.reloading:
                self.reloading.discard(page)
                self.changed.notify_all()

    def wait_for_reloads(self, timeout: float = RELOAD_WAIT) -> None:
        """Wait until the pages told to reload have loaded again, or timeout seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.closed or not self.reloading, timeout)
            self.reloading = set()

    def open_pages(self) -> set[str]:
        """Return the site paths of the pages open in a browser: a rebuild renders them first."""
        now = time.monotonic()
        with self.lock:
            return {p for p, t in self.asked.items() if now - t < OPEN_FOR} | set(self.waiting)

    def as_json(self) -> bytes:
        """Return the status as JSON."""
        with self.lock:
            return self._json()

    def _json(self, busy: bool = False) -> bytes:
        status: dict[str, object] = {"version": self.version, "error": self.error}
        status["stamp"] = self.stamp
        if busy:  # too many requests wait already: ask again a second later
            status["busy"] = True
        return json.dumps(status).encode("utf-8")

    def wait(
        self,
        seen: int,
        page: str | None,
        timeout: float = WAIT_FOR,
        gone: Callable[[], bool] = lambda: False,
    ) -> bytes:
        """Return the status as JSON once its stamp is no longer seen, or after timeout seconds."""
        # `gone` tells whether the browser hung up (its page navigated away): the page is then
        # no longer open, nor waited for to load again, within a quarter of a second.
        self.note(page)
        end = time.monotonic() + timeout
        with self.changed:
            if self.held >= MAX_HELD:
                return self._json(busy=True)
            self.held += 1
            if page is not None:
                self.waiting[page] = self.waiting.get(page, 0) + 1
            try:
                while not (self.closed or self.stamp != seen or gone()):
                    left = end - time.monotonic()
                    if left <= 0:
                        break
                    self.changed.wait(min(left, HANG_UP_CHECK))
            finally:
                self.held -= 1
                if page is not None:
                    self.waiting[page] -= 1
                    if not self.waiting[page]:
                        del self.waiting[page]
            answer = self._json()
        self.note(page)  # open until its next request comes
        return answer

    def success(self) -> None:
        """Record a good build: pages reload."""
        with self.changed:
            self.version += 1
            self.error = None
            self.stamp += 1
            self.reloading = set(self.waiting)  # they hear of it now; hidden pages, later
            self.changed.notify_all()

    def failure(self, message: str) -> None:
        """Record a failed build: pages show the message, the last good site stays."""
        with self.changed:
            self.error = message
            self.stamp += 1
            self.changed.notify_all()

    def close(self) -> None:
        """Answer every waiting request now: the server is stopping."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()


__all__ = ["HANG_UP_CHECK", "MAX_HELD", "OPEN_FOR", "RELOAD_WAIT", "WAIT_FOR", "State"]
