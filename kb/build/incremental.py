"""Incremental builds: pages re-rendered only when something they read changed."""
# Loaded files are cached by content hash and page reads tracked; pages render through a page
# executor. `IncrementalBuilder._build` reads top to bottom as the build's steps: load, make the
# site, render the pages open in a browser, plan, choose pages, render (and index), collect,
# write, downloads, remember.

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from kb.build.changes import changes
from kb.build.detach import save_apart
from kb.build.executor import LocalProcessExecutor, PageExecutor
from kb.build.exports import Exports, download_paths, downloads_among
from kb.build.folders import Removals
from kb.build.gather import assets, make_site
from kb.build.loading import FileMemo, load_checking
from kb.build.lock import state_locked
from kb.build.memos import BuildMemos
from kb.build.pagereads import PageReads
from kb.build.plan import (
    Plan,
    SiteFiles,
    changed_extras,
    collect,
    downloads_likely,
    early_pages,
    finished,
    needs_full,
    note_globals,
    pages_to_render,
    standings_of,
    track_reads,
    untrack_reads,
    untrack_site,
)
from kb.build.progress import Progress
from kb.build.report import Report
from kb.build.search import VIEWS_PREFIX, index_search, planned_shards, views_folder
from kb.build.state import STATE_NAME, Snapshot, State, output_stamp, read_state, write_state
from kb.build.swap import swap_in
from kb.build.workers import Rendered, render_pages
from kb.build.writer import Manifest, SiteWriter, link_tree, write_files
from kb.load.files import theme_dir
from kb.load.safety import MARKER, guard_output
from kb.plugins import plugin_manager
from kb.site.reads import untracked

MARKER_TEXT = b"debate-kb site\n"


class IncrementalBuilder:
    """Builds a site, then rebuilds it after edits by re-rendering only the pages that changed."""

    # A page is rendered again when it is new, when the templates or settings changed, or when
    # something it read changed: a record it looked up (or one that names it), a table or lookup it
    # scanned, an entry of the site's derived lookups, or a claim's standing. Pages render through
    # `executor` (by default, forked processes of this machine).

    def __init__(
        self,
        kb_root: Path,
        out: Path,
        *,
        base_url: str | None = None,
        search: bool = True,
        use_git: bool = True,
        jobs: int | None = None,
        cache_dir: Path | None = None,
        atomic: bool = False,
        shards: int | None = None,
        progress: Progress | None = None,
        executor: PageExecutor | None = None,
        on_visible: Callable[[], None] | None = None,
        first: Callable[[], Collection[str]] | None = None,
        detach: bool = False,
    ) -> None:
        self.progress = progress or Progress()  # stages and pages done, for the terminal
        # Called once the new pages can be read, before the index and downloads of a rebuild in
        # place: `kb serve` reloads the browser then.
        self.on_visible = on_visible
        # The paths of the pages to render first in a rebuild in place, even before finding what
        # changed, on_visible called once they are written: `kb serve` names the pages open in a
        # browser, as Hugo's fast render does.
        self.first = first
        self.kb_root = Path(kb_root)
        self.shards = shards  # Pagefind bundles; None: by the number of pages
        self.out = Path(out).resolve()
        self.base_url = base_url
        self.search = search
        self.use_git = use_git
        self.jobs = jobs or os.cpu_count() or 1
        self.executor: PageExecutor = executor or LocalProcessExecutor(self.jobs)
        # Atomic: every build fills a new folder (a rebuild starts from hard links to the last
        # site) and swaps it in whole; otherwise a rebuild writes into the site in place.
        self.atomic = atomic
        self.memo = FileMemo()
        self.memos = BuildMemos()  # layouts, the graph and analysis, kept between builds
        self.pm = plugin_manager()  # one for every build: its checks and page families
        self.last: Snapshot | None = None
        self.extra: dict[str, bytes] = {}  # digests of the assets and downloads written
        self.detach = detach  # state saved, spent folders removed, by a fork (kb build's one build)
        self.removals = Removals(defer=detach)  # spent search shards and sites
        self.state_file = Path(cache_dir) / STATE_NAME if cache_dir is not None else None
        self.exports = Exports(self, cache_dir)  # the downloads' jobs, and their memo's file
        if self.state_file is not None:
            self.restore()

    def restore(self) -> bool:
        """Take the last build's state from the state file, if it matches the output folder."""
        assert self.state_file is not None
        with state_locked(self.state_file.parent, shared=True):  # saved by no process meanwhile
            state = read_state(self.state_file, output_stamp(self.kb_root, self.out))
        if state is None:
            return False
        self.memo, self.last, self.extra = state.memo, state.last, state.extra
        self.memos.restore(state.analysis, state.layouts, state.graph)
        return True

    def save(self, manifest: Callable[[], Manifest] | None = None, locked: bool = False) -> int:
        """Write this build's state (locked here unless by the caller); return entries copied."""
        assert self.state_file is not None
        layouts, analysis = self.memos.layouts, self.memos.saved()
        state = State(self.memo, self.last, self.extra, layouts, analysis, self.memos.kept_graph())
        stamp = output_stamp(self.kb_root, self.out)  # the site's files from manifest, if given
        with contextlib.nullcontext() if locked else state_locked(self.state_file.parent):
            return write_state(self.state_file, stamp, state, manifest)

    def build(self) -> Report:
        """Build (or rebuild) the site, showing its progress; return what was done."""
        try:
            report = self._build()
        finally:
            self.progress.close()
        self.progress.finish(report)
        return report

    def _build(self) -> Report:
        """Build (or rebuild) the site; return what was done."""
        guard_output(self.out, self.kb_root)
        self.removals.finish()
        self.memos.take_layouts()  # forget what an earlier build left uncollected
        # A rebuild compares the site's files with what the last build left, to catch hand edits:
        # a forked process reads them while this one loads (0.2 s at 10,000 claims).
        before = SiteFiles(self.out) if self.last is not None else None
        try:
            return self._steps(before)
        finally:
            self.exports.drop()  # prepared, but the build failed before it could be started
            if before is not None:
                before.close()

    def _steps(self, before: SiteFiles | None) -> Report:
        """Load, plan, render, write, index and remember; return what was done."""
        report = Report()
        marks = {"load": time.perf_counter()}
        self.progress.stage("loading")
        kb, checks = load_checking(self.kb_root, self.memo, self.pm)
        try:
            report.parsed_files = self.memo.parsed
            if downloads_likely(self.last, kb, self.atomic, self.memo.parsed):
                self.exports.prepare(kb, self.extra, self.out)  # forked before the site is made
            marks["site"] = time.perf_counter()
            self.progress.stage("analysing")
            make = functools.partial(make_site, kb, self.base_url, use_git=self.use_git)
            site = checks.alongside(functools.partial(make, memos=self.memos, pm=self.pm))
        finally:
            checks.stop()  # unless they ended: the site could not be made
        plan = Plan(kb, site, self.last, report, marks=marks, before=before)
        try:
            self._step(None, "first", self._first, plan)
            self._step("planning", "plan", self._plan, plan)
            self._step(None, "choose", self._choose, plan)
            self._step(None, "render", self._render, plan)
            self._step(None, "collect", self._collect, plan)
            self._step(None, "write", self._write, plan)
            self._step(None, "downloads", self._wait, plan)
            self._step(None, "remember", self._remember, plan)
        finally:
            if plan.pending:  # failed before the downloads were written: the job must end first
                self.exports.settle()
        marks["end"] = time.perf_counter()
        return finished(plan)

    def _step(self, stage: str | None, name: str, step: Callable[[Plan], None], plan: Plan) -> None:
        """Note when a step begins, show its stage, and run it."""
        plan.marks[name] = time.perf_counter()
        if stage is not None:
            self.progress.stage(stage)
        step(plan)

    def _first(self, plan: Plan) -> None:
        """Render the pages open in a browser and show them, before finding what else changed."""
        wanted = set(self.first()) if self.first is not None and not self.atomic else set()
        pages = early_pages(plan, wanted, self.out / MARKER, self._salted())
        if not pages:
            return
        self.progress.stage("open pages", len(pages))
        track_reads(plan)
        try:
            plan.early = self._render_pages(plan, self.out, pages)
        finally:
            untrack_site(plan)
        self._visible(plan)

    def _salted(self) -> list[Path]:
        """Return the folders whose files every page may show: the theme and the site's own."""
        return [theme_dir(), self.kb_root / "site"]

    def _plan(self, plan: Plan) -> None:
        """Decide between a full build and a rebuild, find what changed, plan the downloads."""
        kb, site, last = plan.kb, plan.site, plan.last
        note_globals(plan, self._salted())
        plan.standings = standings_of(site, kb)
        plan.full = needs_full(plan, self.out / MARKER)
        if not plan.full and last is not None and last.manifest != plan.site_files():
            # Edited or stray files would be carried over: build whole, as a fresh build would.
            plan.full = plan.report.repaired = True
        if not plan.full and last is not None:
            plan.changed = changes(last, kb, plan.derived, plan.standings)
        # Downloads export the whole KB, in a forked process while pages render (see _start). A
        # copy of the KB keeps the plain tables, which pages' reads are about to wrap.
        if plan.full or plan.changed:
            old = {} if plan.full else downloads_among(self.extra)
            plan.export = self.exports.job(copy.copy(kb), old)
        else:
            self.exports.drop()  # a job prepared for an edit that changed nothing
        plan.extra = assets(kb.root)
        plan.extra[MARKER] = MARKER_TEXT

    def _choose(self, plan: Plan) -> None:
        """Start tracking reads, and pick the pages to render (with where their views go)."""
        track_reads(plan)
        # The pages' reads, numbered in the last build's table of keys (which only grows).
        last = plan.last
        if plan.full or last is None:
            plan.reads, plan.early = PageReads(), []  # open pages rendered early: all render anew
        elif not plan.early:
            plan.reads = last.reads.copy()
        plan.pages = list(plan.site.pages())
        done = {path for path, _, _, _ in plan.early}
        plan.todo = [p for p in pages_to_render(plan) if p.path not in done]
        plan.results = list(plan.early)
        plan.streaming = plan.full or self.atomic
        # A full build has the render workers write each indexed page's search view by shard.
        if plan.full and self.search:
            html = {p.path for p in plan.pages if p.path.endswith(".html")}
            html |= {p for p in plan.extra if p.endswith(".html")}
            count = planned_shards(len(html), self.shards)
            plan.prepared = (views_folder(), count, {})

    def _render(self, plan: Plan) -> None:
        """Render the chosen pages: into a new folder swapped in whole, or into the site."""
        self.progress.stage("rendering", len(plan.todo))
        try:
            if plan.streaming:
                # Pages go straight to the new folder as they are rendered, never all in memory.
                index = functools.partial(self._index, plan) if self.search else False
                fill = functools.partial(self._fill, plan)
                swap_in({}, self.out, search=index, fill=fill, remove=self.removals.later)
                plan.report.indexed = self.search
            else:
                # A rebuild writes changed pages into the site as they are rendered; the downloads
                # come after the pages and the search index (see _wait).
                self._start(plan, self.out)
                plan.results.extend(self._render_pages(plan, self.out, plan.todo))
                plan.files.update(changed_extras(plan, self.extra))
        finally:
            # Views go to the index inside swap_in; only a full build, which streams, has any.
            if plan.prepared is not None:
                shutil.rmtree(plan.prepared[0], ignore_errors=True)
            untrack_reads(plan.kb)

    def _start(self, plan: Plan, folder: Path) -> None:
        """Start the export of the downloads into folder, when anything changed."""
        if plan.export is not None:
            plan.pending = set(download_paths())
            plan.side = self.exports.start(plan.export, folder)

    def _render_pages(self, plan: Plan, folder: Path | None, pages: list[Any]) -> list[Rendered]:
        """Render pages into folder, writing those whose digest changed."""
        old = plan.last_digests()
        return render_pages(
            pages, self.executor, folder, old, plan.prepared, self.progress, self.memos, plan.reads
        )

    def _fill(self, plan: Plan, folder: Path) -> None:
        """Fill a new folder: the last site's files linked, then what changed written over."""
        old = plan.last_digests()
        if not plan.full:
            link_tree(self.out, folder, lambda name: name == "pagefind")
        self._start(plan, folder)
        try:
            plan.results.extend(self._render_pages(plan, folder, plan.todo))
            plan.files.update(changed_extras(plan, self.extra))
            writer = SiteWriter(folder)
            for path, data in plan.files.items():
                writer.write(path, data)
        finally:
            self._wait(plan)  # the downloads in the folder before it is swapped in
        for path in plan.stale(self.extra, old) if not plan.full else []:
            (folder / path).unlink(missing_ok=True)

    def _index(self, plan: Plan, folder: Path) -> None:
        """Index the site, re-indexing only the shards whose pages changed since the last."""
        start = time.perf_counter()
        self.progress.stage("indexing")
        last = plan.last
        if plan.full or last is None:
            done = index_search(folder, shards=self.shards, prepared=plan.prepared)
        else:
            changed = plan.changed_since(last)
            done = index_search(
                folder, self.out, changed, self.shards, last.views, removals=self.removals
            )
        plan.report.shards = (done.indexed, done.reused)
        plan.views.update(done.views)
        plan.searching.append(time.perf_counter() - start)

    def _collect(self, plan: Plan) -> None:
        """Gather the layouts, each page's reads and digest, and the files gone since."""
        _, used = self.memos.take_layouts()
        self.memos.trim_layouts(used, 3 * len(plan.pages))  # keep what this build used
        collect(plan, self.extra)

    def _write(self, plan: Plan) -> None:
        """Write a rebuild's changed files into the site, remove the gone ones, and index."""
        if plan.streaming:
            self._visible(plan)
            return  # written and indexed in a new folder, already swapped in
        touched = [*plan.changed_pages, *plan.files, *plan.gone]
        write_files(self.out, plan.files)
        for path in plan.gone:
            target = self.out / path
            if target.is_file():
                target.unlink()
        self._visible(plan)
        if self.search and any(p.endswith(".html") for p in touched):
            self._index(plan, self.out)
            plan.report.indexed = True

    def _visible(self, plan: Plan) -> None:
        """Note when the new pages could be read, and say so to whoever waits for that (once)."""
        if plan.report.visible is not None:
            return
        plan.report.visible = time.perf_counter() - plan.marks["load"]
        if self.on_visible is not None:
            self.on_visible()

    def _wait(self, plan: Plan) -> None:
        """Wait for the export job's downloads (a rebuild in place takes them last)."""
        if plan.side is not None and plan.pending:
            digests, written = plan.side.result()
            plan.extra_digests.update(digests)
            plan.downloads_written, plan.pending = written, set()

    def _remember(self, plan: Plan) -> None:
        """Keep what this build read for the next one, and save it when there is a state file."""
        self.extra = plan.extra_digests
        last = plan.last
        views = plan.views if plan.searching else last.views if last and self.search else None
        self.last = Snapshot(
            kb=plan.kb,
            salt=plan.salt,
            derived={k: untracked(v) for k, v in plan.derived.items()},
            standings=plan.standings,
            reads=plan.reads,
            digests=plan.digests,
            views=views,
        )
        if self.detach and save_apart(self):
            return  # saved, with the site's files, by a forked process after this build returns
        # The site's files are read in a forked process while the state is pickled (0.4 s at
        # 10,000 claims); they are the state's last part.
        files = SiteFiles(self.out)
        try:
            if self.state_file is not None:
                self.progress.stage("saving")
                self.save(files)
            self.last.manifest = files()
        finally:
            files.close()


__all__: list[str] = [
    "VIEWS_PREFIX",
    "IncrementalBuilder",
    "Report",
    "render_pages",
]
