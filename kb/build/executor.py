"""Where work runs: page executors (in the spirit of concurrent.futures), and side jobs."""
# The builder renders pages through a `PageExecutor`; `LocalProcessExecutor` forks workers that
# share the parent's pages without pickling them, `SerialExecutor` renders here. Another executor (a
# cluster's, say) maps the same function over the same chunks.

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast

from kb.errors import BuildError

T = TypeVar("T")
R = TypeVar("R")
# Fewer chunks than this render here: forking would cost more than it saves. Measured on two
# cores, a synthetic KB's full build: 150 pages (10 chunks) 0.35-0.46 s forked against 0.40 s
# here, for 0.62-0.82 s of CPU against 0.44 s; 253 pages (16 chunks) 0.44 s against 0.52-0.56 s.
MIN_CHUNKS = 12


class PageExecutor(Protocol):
    """Runs a function over chunks of work, giving back the results in the chunks' order."""

    def __enter__(self) -> PageExecutor: ...

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def map(self, fn: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        """Yield fn(chunk) for each chunk, in order."""
        ...


class SerialExecutor:
    """Runs every chunk in this process, one after the other."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def map(self, fn: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        """Yield fn(chunk) for each chunk, in order."""
        for chunk in chunks:
            yield fn(chunk)


def can_fork() -> bool:
    """Tell whether this platform forks processes."""
    return "fork" in multiprocessing.get_all_start_methods()


def side_jobs_fork() -> bool:
    """Tell whether side jobs run in forked processes (else in this one, when asked for)."""
    return can_fork() and (os.cpu_count() or 1) >= 2


def _serve(fn: Callable[[Any], Any], chunks: Sequence[Any], conn: Connection) -> None:
    """Run in a forked worker: render the chunks the parent names until it sends None."""
    while True:
        try:
            i = conn.recv()
        except (EOFError, OSError):  # the parent is gone: nobody waits for the rest
            return
        if i is None:
            return
        try:
            reply: tuple[int, bool, Any] = (i, True, fn(chunks[i]))
        except Exception as exc:
            reply = (i, False, exc)
        try:
            conn.send(reply)
        except OSError:  # the parent is gone
            return
        except Exception as exc:  # an unpicklable result or error
            conn.send((i, False, BuildError(f"a render worker failed: {exc!r}")))


class LocalProcessExecutor:
    """Runs chunks across `jobs` forked processes of this machine (here when that cannot pay)."""

    # The function and chunks reach the workers by fork, not by pickling: only chunk numbers and
    # results cross between processes.

    def __init__(self, jobs: int | None = None, min_chunks: int = MIN_CHUNKS) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self.min_chunks = min_chunks  # fewer chunks render here
        self._workers: list[tuple[BaseProcess, Connection]] = []

    def __enter__(self) -> LocalProcessExecutor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()

    def map(self, fn: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        """Yield fn(chunk) for each chunk, in order, computed by forked workers."""
        if self.jobs <= 1 or len(chunks) < self.min_chunks or not can_fork():
            yield from SerialExecutor().map(fn, chunks)
            return
        gc.freeze()  # the forked workers share the parent's objects without touching them
        ctx = multiprocessing.get_context("fork")
        for _ in range(min(self.jobs, len(chunks))):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(fn, chunks, theirs), daemon=True)
            proc.start()
            theirs.close()
            self._workers.append((proc, mine))
        try:
            yield from self._collect(len(chunks))
        finally:
            self._stop()

    def _collect(self, count: int) -> Iterator[Any]:
        """Hand out chunk numbers as workers come free; yield the results in order."""
        conns = [conn for _, conn in self._workers]
        sent = 0
        for conn in conns:
            conn.send(sent)
            sent += 1
        done: dict[int, tuple[bool, Any]] = {}
        for i in range(count):
            while i not in done:
                for ready in wait(conns):
                    assert isinstance(ready, Connection)
                    try:
                        j, ok, value = ready.recv()
                    except EOFError:
                        raise BuildError("a render worker died") from None
                    done[j] = (ok, value)
                    if sent < count:
                        ready.send(sent)
                        sent += 1
            ok, value = done.pop(i)
            if not ok:
                raise value
            yield value

    def _stop(self) -> None:
        """Stop the workers: ask them to leave, and end those that do not."""
        workers, self._workers = self._workers, []
        for _, conn in workers:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()
        for proc, _ in workers:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()


Send = Callable[[Any], None]  # hands a side job's value to the waiting process


def _send_result(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    conn: Connection,
    early: bool,
    setup: Callable[[], None] | None,
    ours: Connection,
) -> None:
    """Run in a forked process: call fn and send back its value (or its error)."""
    # The waiting process's end of the pipe, copied by the fork, is closed here: once that
    # process closes its own, a value too large for the pipe fails to send instead of waiting.
    ours.close()
    sent = False

    def send(value: Any) -> None:
        nonlocal sent
        with contextlib.suppress(OSError):  # the parent is gone: nobody waits for the value
            conn.send((True, value))
        sent = True

    try:
        if setup is not None:
            setup()
        reply: tuple[bool, Any] = (True, fn(*args, send) if early else fn(*args))
    except Exception as exc:
        reply = (False, exc)
    if not sent:
        with contextlib.suppress(OSError):
            conn.send(reply)
    conn.close()


class SideJob(Generic[R]):
    """One call run in a forked process while this one renders (or here, without fork)."""

    # With `early`, fn takes one more argument, a function that hands its value over before fn
    # returns: the process then goes on (saving what the next call needs, say) while this one uses
    # the value, and `close` waits for it. `setup` runs first in the forked process. A process
    # that is no daemon is waited for when this one exits, rather than ended.

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        early: bool = False,
        setup: Callable[[], None] | None = None,
        daemon: bool = True,
        what: str = "a forked job of the build",
    ) -> None:
        self.what = what  # what the job does, for the error when its process dies
        self._conn: Connection | None = None
        self._proc: BaseProcess | None = None
        self.value: Any = None
        self._early = early
        if not side_jobs_fork():
            if early:
                fn(*args, self._keep)
            else:
                self.value = fn(*args)
            return
        ctx = multiprocessing.get_context("fork")
        self._conn, theirs = ctx.Pipe(duplex=False)
        job = (fn, args, theirs, early, setup, self._conn)
        self._proc = ctx.Process(target=_send_result, args=job, daemon=daemon)
        self._proc.start()
        theirs.close()

    def _keep(self, value: Any) -> None:
        self.value = value

    def result(self) -> R:
        """Return the call's value, waiting for it."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                ok, value = conn.recv()
            except EOFError:
                self.close()
                raise BuildError(f"{self.what} died") from None
            finally:
                conn.close()
            if not ok:
                self.close()
                raise value
            self.value = value
            if not self._early:
                self.close()
        return cast(R, self.value)

    def running(self) -> bool:
        """Tell whether the forked process is still at work."""
        return self._proc is not None and self._proc.is_alive()

    def stop(self) -> None:
        """End the forked process now, whatever it is doing, and wait for it."""
        if self._proc is not None:
            self._proc.terminate()
        self.close()

    def close(self) -> None:
        """Wait until the forked process has ended."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            proc, self._proc = self._proc, None
            proc.join()
