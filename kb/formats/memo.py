"""ExportMemo: the last export of each format, so that the next one serialises only what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.formats.aif_export import write_aif
from kb.formats.argdown_export import write_argdown
from kb.formats.context import Context, ExportState
from kb.formats.csv_export import csv_zip
from kb.formats.dot_export import write_dot
from kb.formats.graphml_export import write_graphml
from kb.formats.json_export import write_json
from kb.formats.writer import Bytes, Layout, Saved, Writer
from kb.formats.xaif_export import write_xaif
from kb.model.kb import KnowledgeBase

# The formats each written by one Writer; `csv` writes one per table and zips them.
WRITERS: dict[str, Callable[[Context, Writer], None]] = {
    "json": write_json,
    "graphml": write_graphml,
    "dot": write_dot,
    "aif": write_aif,
    "xaif": write_xaif,
    "argdown": write_argdown,
}
MEMO_FORMATS = (*WRITERS, "csv")
Take = Callable[[str, Saved], Bytes | None]  # a let-go output given back by format, or None
Sink = Callable[[str, list[Bytes]], bytes]  # takes a format's output in pieces, returns its digest


class ExportMemo(ExportState):
    """The last export of each format, so that the next one serialises only what changed."""

    # Keep one per knowledge base and call `export_all` (or `export`) with each new load: the output
    # is byte for byte what a fresh export gives, but the parts made from records equal to last
    # time's are copied from the last output. The memo holds the last outputs (the very bytes
    # objects it returned), each item's key and length, the records it last saw and some structures
    # derived from them; it pickles, and shares those objects with whatever is pickled alongside it.

    def __init__(self) -> None:
        super().__init__()
        self._layouts: dict[str, Layout] = {}
        self._members: dict[str, tuple[Bytes, int, Bytes]] = {}  # CSV name -> text, CRC, deflated

    def __getstate__(self) -> dict[str, Any]:
        # A member's text is its table's output, and its compressed bytes a buffer like it.
        members = {
            name: (crc, Layout(deflated, {})) for name, (_, crc, deflated) in self._members.items()
        }
        return {**super().__getstate__(), "_members": members}

    def __setstate__(self, state: dict[str, Any]) -> None:
        members = state.pop("_members")
        super().__setstate__(state)
        self._members = {
            name: (self._layouts["csv/" + name.removesuffix(".csv")].held(), crc, deflated.held())
            for name, (crc, deflated) in members.items()
        }

    def export(self, kb: KnowledgeBase, fmt: str) -> bytes:
        """Return the knowledge base in one export format."""
        return self._export(self.context(kb), fmt)

    def export_all(self, kb: KnowledgeBase) -> dict[str, bytes]:
        """Return the knowledge base in every export format, by format name."""
        ctx = self.context(kb)
        return {fmt: self._export(ctx, fmt) for fmt in sorted(MEMO_FORMATS)}

    def export_into(self, kb: KnowledgeBase, sink: Sink, take: Take | None = None) -> None:
        """Give sink each export format in turn, as the pieces of its output, never joined."""
        # The memo keeps each output as the digest sink returns, not as bytes: held together, or
        # joined from their pieces, the outputs were the export job's peak. `take` gives back a
        # let-go output (from the file it was written to), or None; a format whose last output is
        # not given back is exported afresh, to the same bytes.
        ctx = self.context(kb)
        for fmt in sorted(MEMO_FORMATS):
            if fmt == "csv":  # small, and its members are kept as they are
                sink(fmt, [csv_zip(ctx, self._layouts, self._members)])
                continue
            writer = Writer(self._last(fmt, take))
            WRITERS[fmt](ctx, writer)
            self._layouts[fmt] = writer.finish_saved(sink(fmt, writer.pieces()))

    def _last(self, fmt: str, take: Take | None) -> Layout | None:
        """Return the last layout of a format, its output taken back if it was let go, or None."""
        old = self._layouts.get(fmt)
        if old is not None and isinstance(old.data, Saved):
            given = take(fmt, old.data) if take is not None else None
            return old if old.restore(given) else None
        return old

    def _export(self, ctx: Context, fmt: str) -> bytes:
        if fmt == "csv":
            return csv_zip(ctx, self._layouts, self._members)
        writer = Writer(self._last(fmt, None))
        WRITERS[fmt](ctx, writer)
        layout = self._layouts[fmt] = writer.finish()
        return layout.output()
