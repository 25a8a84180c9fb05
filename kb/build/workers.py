"""Rendering pages with the keys each one read, in chunks that an executor runs."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.build.executor import PageExecutor
from kb.build.memos import BuildMemos
from kb.build.pagereads import PageReads
from kb.build.progress import Progress
from kb.build.search import Prepared, shard_folder, shard_of
from kb.build.views import SEARCH_MARK, search_view
from kb.build.writer import SiteWriter, digest
from kb.site.memos import Positions
from kb.site.reads import Key, Reads

Done = tuple[str, bytes, frozenset[Key], bytes | None]  # path, digest, reads, data: a worker's
Rendered = tuple[str, bytes, "array[int]", bytes | None]  # the reads as numbers (PageReads)
ChunkResult = tuple[list[Done], dict[bytes, Positions], set[bytes], dict[str, bytes]]
CHUNK_SIZE = 16


@dataclass
class RenderJob:
    """What the render workers share: the pages, where to write, and the last digests."""

    pages: list[Any]
    folder: Path | None = None
    old: dict[str, bytes] = field(default_factory=dict)
    views: Path | None = None  # where each indexed page's search view goes, by shard
    shards: int = 1
    memos: BuildMemos | None = None  # whose new layouts go back with each chunk

    def render_chunk(self, indices: list[int]) -> ChunkResult:
        """Render some pages (in a worker) with the keys each read; write those that changed."""
        # The search views of indexed pages are written too when asked.
        out: list[Done] = []
        views: dict[str, bytes] = {}
        site = SiteWriter(self.folder) if self.folder is not None else None
        shelf = SiteWriter(self.views) if self.views is not None else None
        for i in indices:
            page = self.pages[i]
            reads: set[Key] = set()
            Reads.now = reads
            try:
                data = page.render().encode("utf-8")
            finally:
                Reads.now = None
            made = digest(data)
            if shelf is not None and page.path.endswith(".html") and SEARCH_MARK in data:
                # Here, from the page in memory and on every core, not read back from disk later.
                view = search_view(data)
                shard = shard_folder(shard_of(page.path, self.shards), self.shards)
                shelf.write(f"{shard}/{page.path}" if shard else page.path, view)
                views[page.path] = digest(view)
            if site is None:
                out.append((page.path, made, frozenset(reads), data))
                continue
            if self.old.get(page.path) != made:
                site.write(page.path, data)
            out.append((page.path, made, frozenset(reads), None))
        new, used = self.memos.take_layouts() if self.memos is not None else ({}, set())
        return out, new, used, views


def render_pages(
    pages: list[Any],
    executor: PageExecutor,
    folder: Path | None = None,
    old: dict[str, bytes] | None = None,
    views: Prepared | None = None,
    progress: Progress | None = None,
    memos: BuildMemos | None = None,
    reads: PageReads | None = None,
) -> list[Rendered]:
    """Render pages with their reads, through the executor, in chunks."""
    # With a folder, each page whose digest differs from `old` is written there as soon as it is
    # rendered, and no page is kept in memory; without one, the pages' bytes are returned. With
    # views (their folder, the shard count, digests to fill), indexed pages' search views are
    # written there by shard. The layouts the workers computed go back into memos. Each page's
    # reads come back as numbers into the table of `reads`.
    job = RenderJob(pages, folder, old or {}, memos=memos)
    if views is not None:
        job.views, job.shards = views[0], views[1]
    indices = list(range(len(pages)))
    chunks = [indices[i : i + CHUNK_SIZE] for i in range(0, len(indices), CHUNK_SIZE)]
    progress = progress or Progress()
    table = reads if reads is not None else PageReads()
    rendered: list[Rendered] = []
    with executor:
        for chunk, (items, new, used, made) in zip(
            chunks, executor.map(job.render_chunk, chunks), strict=True
        ):
            progress.advance(len(chunk))
            for path, page_digest, page_reads, data in items:
                rendered.append((path, page_digest, table.encode(page_reads), data))
            if memos is not None:
                memos.add_layouts(new, used)
            if views is not None:
                views[2].update(made)
    return rendered
