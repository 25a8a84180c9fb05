"""The byte writer of the exports: literal chunks and runs of keyed items, reusing the last."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from pickle import PickleBuffer
from typing import Any, SupportsIndex, TypeGuard

Bytes = bytes | memoryview  # an output, or a view of one in a memo file
jstr = json.encoder.encode_basestring  # the string encoder of json.dumps(ensure_ascii=False)


# Reusing the last export ---------------------------------------------------------------------


class Run:
    """Where a run of items sat in a format's last output: each item's key and byte length."""

    __slots__ = ("keys", "lengths", "start", "size", "sep")

    def __init__(self, keys: list[Any], lengths: array[int], start: int, size: int, sep: bytes):
        self.keys, self.lengths, self.start, self.size, self.sep = keys, lengths, start, size, sep

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.keys, self.lengths, self.start, self.size, self.sep)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.keys, self.lengths, self.start, self.size, self.sep = state


class Saved:
    """An output written to a file and let go: its digest and length, in place of its bytes."""

    __slots__ = ("digest", "length")

    def __init__(self, digest: bytes, length: int) -> None:
        self.digest, self.length = digest, length

    def __getstate__(self) -> tuple[bytes, int]:
        return self.digest, self.length

    def __setstate__(self, state: tuple[bytes, int]) -> None:
        self.digest, self.length = state


class Layout:
    """A format's last output and the runs of keyed items it is made of."""

    # Pickled with protocol 5, the output is an out-of-band buffer: a memo file keeps it as raw
    # bytes, and loads it as a view of the file (bytes-like, but not bytes). An output written to
    # a file may be kept as a `Saved` instead (`Writer.finish_saved`), which pickles in-band; the
    # memo that loads it takes the file's bytes back (`restore`) before it exports again.

    __slots__ = ("data", "runs")

    def __init__(self, data: Bytes | Saved, runs: dict[str, Run]) -> None:
        self.data, self.runs = data, runs

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        data = self.data
        if isinstance(data, Saved):
            return (Layout, (data, self.runs))
        return (Layout, (PickleBuffer(data) if int(protocol) >= 5 else bytes(data), self.runs))

    def restore(self, data: Bytes | None) -> bool:
        """Take a let-go output back, if data is it; tell whether the output is held now."""
        saved = self.data
        if not isinstance(saved, Saved):
            return True
        if data is None or len(data) != saved.length:
            return False
        self.data = data
        return True

    def held(self) -> Bytes:
        """Return the output as held, bytes or a view of a memo file's source, without copying."""
        data = self.data
        if isinstance(data, Saved):
            raise ValueError("the output was let go; restore it first")
        return data

    def output(self) -> bytes:
        """Return the output as bytes."""
        data = self.held()
        return data if isinstance(data, bytes) else bytes(data)


Render = Callable[[Sequence[int]], list[bytes]]


class Writer:
    """Assembles one output from literal chunks and runs of keyed items."""

    # An item's bytes must depend on nothing but its key, so that an item whose key the last output
    # had can be copied from there instead of being serialised again.

    def __init__(self, old: Layout | None) -> None:
        self.old = old
        self.view = memoryview(old.held() if old is not None else b"")
        self.parts: list[bytes | memoryview] = []
        self.pos = 0
        self.runs: dict[str, Run] = {}
        self.same = old is not None  # whether the output so far is the last one's start

    def add(self, chunk: bytes) -> None:
        """Append bytes made afresh (headers, separators, changed items)."""
        if chunk:
            if self.same and self.view[self.pos : self.pos + len(chunk)] != chunk:
                self.same = False
            self.parts.append(chunk)
            self.pos += len(chunk)

    def copy(self, start: int, end: int) -> None:
        """Append a stretch of the last output."""
        if end > start:
            self.same = self.same and start == self.pos
            self.parts.append(self.view[start:end])
            self.pos += end - start

    def run(self, name: str, keys: list[Any], render: Render, sep: bytes = b"") -> None:
        """Append items joined by `sep`; render(indices) returns the bytes of those items."""
        old = self.old.runs.get(name) if self.old is not None else None
        start = self.pos
        lengths: array[int] | None = None
        if old is not None and old.sep == sep:
            if old.keys == keys:
                self.copy(old.start, old.start + old.size)
                lengths = old.lengths
            elif len(old.keys) == len(keys):
                lengths = self._in_place(old, keys, render)
            elif old.keys and keys:
                lengths = self._by_key(old, keys, render)
        if lengths is None:
            chunks = render(range(len(keys)))
            self.add(sep.join(chunks))
            lengths = array("Q", map(len, chunks))
        self.runs[name] = Run(keys, lengths, start, self.pos - start, sep)

    def _in_place(self, old: Run, keys: list[Any], render: Render) -> array[int] | None:
        """Copy the last run, replacing the items whose key changed at their position."""
        # Return None, having added nothing, when most items changed: a fresh run is quicker.
        changed = _differences(keys, old.keys)
        if 2 * len(changed) > len(keys):
            return None
        step = len(old.sep)
        lengths = array("Q", old.lengths)
        cursor = start = old.start
        done = 0
        for i, chunk in zip(changed, render(changed), strict=True):
            start += sum(old.lengths[done:i]) + (i - done) * step
            self.copy(cursor, start)
            self.add(chunk)
            cursor, done = start + old.lengths[i], i
            lengths[i] = len(chunk)
        self.copy(cursor, old.start + old.size)
        return lengths

    def _by_key(self, old: Run, keys: list[Any], render: Render) -> array[int] | None:
        """Copy each item whose key the last run had from there (in whatever order it comes)."""
        # Return None, having added nothing, when most items are new: a fresh run is quicker.
        index = {key: j for j, key in enumerate(old.keys)}
        found = [index.get(key, -1) for key in keys]
        missing = [i for i, j in enumerate(found) if j < 0]
        if 2 * len(missing) > len(keys):
            return None
        made = dict(zip(missing, render(missing), strict=True))
        step, sep = len(old.sep), old.sep
        starts = list(accumulate((n + step for n in old.lengths), initial=old.start))
        old_lengths = old.lengths
        lengths = array(
            "Q", [old_lengths[j] if j >= 0 else len(made[i]) for i, j in enumerate(found)]
        )
        span_start = span_end = -1  # a stretch of the last output still to be copied
        fresh: list[bytes] = []  # and new items still to be added
        last = -2
        for i, j in enumerate(found):
            if j >= 0 and j == last + 1 and span_end >= 0:
                span_end = starts[j] + old_lengths[j]  # the next old item, separator and all
            elif j < 0 and fresh:
                fresh.append(made[i])
            else:
                if span_end >= 0:
                    self.copy(span_start, span_end)
                    span_end = -1
                if fresh:
                    self.add(sep.join(fresh))
                    fresh = []
                if i:
                    self.add(sep)
                if j >= 0:
                    span_start, span_end = starts[j], starts[j] + old_lengths[j]
                else:
                    fresh.append(made[i])
            last = j
        if span_end >= 0:
            self.copy(span_start, span_end)
        if fresh:
            self.add(sep.join(fresh))
        return lengths

    def finish(self) -> Layout:
        """Return the output and its layout, for the next export to reuse."""
        data = self.old.output() if self._unchanged(self.old) else b"".join(self.parts)
        self.parts = []
        return Layout(data, self.runs)

    def pieces(self) -> list[Bytes]:
        """Return the output as the pieces it was assembled from, unjoined."""
        # Unchanged, it is the last output itself: no need to join a copy.
        return [self.old.held()] if self._unchanged(self.old) else self.parts

    def _unchanged(self, old: Layout | None) -> TypeGuard[Layout]:
        """Tell whether the output so far is the whole of the last one (old, given)."""
        return old is not None and self.same and self.pos == len(self.view)

    def finish_saved(self, digest: bytes) -> Layout:
        """Return the layout of an output written elsewhere, kept as its digest and length."""
        self.parts = []
        return Layout(Saved(digest, self.pos), self.runs)


def _differences(a: list[Any], b: list[Any], chunk: int = 256) -> list[int]:
    """Return the positions where two lists of the same length differ."""
    out: list[int] = []
    for lo in range(0, len(a), chunk):
        hi = lo + chunk
        if a[lo:hi] != b[lo:hi]:  # compared in C: most chunks are equal
            out += [i for i in range(lo, min(hi, len(a))) if a[i] != b[i]]
    return out


def json_list(
    writer: Writer, name: str, head: str, keys: list[Any], render: Render, indent: str
) -> None:
    """Write `head` then a JSON list of rendered items, laid out as json.dumps(indent=2) does."""
    if not keys:
        writer.add(f"{head}[]".encode())
        return
    writer.add(f"{head}[\n".encode())
    writer.run(name, keys, render, b",\n")
    writer.add(f"\n{indent}]".encode())


def json_object(depth: int, **fields: str) -> str:
    """Return a %-template of a JSON object laid out as json.dumps(indent=2) does at a depth."""
    # Each field's value is JSON text, or a %-placeholder for it.
    pad = "  " * depth
    body = ",\n".join(f"{pad}  {json.dumps(name)}: {value}" for name, value in fields.items())
    return f"{pad}{{\n{body}\n{pad}}}"
