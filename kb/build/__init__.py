"""`kb build`: gather every page, render what changed, write to a new folder, index, swap in."""
# The steps, in order: `loading` (a KB through its file memo), `gather` (the Site, downloads and
# assets), `plan` (what changed, which pages to render), `workers` and `executor` (rendering),
# `writer` (the one way files are written), `exports` (the downloads, in a process of their own),
# `search`/`pagefind` (the index), `swap` (the new folder in place of the old), `state` (what the
# next build reuses); `incremental` runs them.

from __future__ import annotations

import sys
from pathlib import Path

from kb.build.executor import LocalProcessExecutor as LocalProcessExecutor
from kb.build.executor import PageExecutor as PageExecutor
from kb.build.executor import SerialExecutor as SerialExecutor
from kb.build.folders import Removals as Removals
from kb.build.gather import assets as assets
from kb.build.gather import download_list as download_list
from kb.build.gather import downloads as downloads
from kb.build.gather import make_site as make_site
from kb.build.gitdates import git_dates as git_dates
from kb.build.incremental import IncrementalBuilder as IncrementalBuilder
from kb.build.memos import BuildMemos as BuildMemos
from kb.build.pagefind import SEARCH_EXCLUDE as SEARCH_EXCLUDE
from kb.build.progress import Progress
from kb.build.report import Report as Report
from kb.build.search import MAX_SHARDS as MAX_SHARDS
from kb.build.search import PAGES_PER_SHARD as PAGES_PER_SHARD
from kb.build.search import SHARDS_FILE as SHARDS_FILE
from kb.build.search import SearchIndex as SearchIndex
from kb.build.search import html_pages as html_pages
from kb.build.search import index_search as index_search
from kb.build.search import planned_shards as planned_shards
from kb.build.search import shard_count as shard_count
from kb.build.search import shard_folder as shard_folder
from kb.build.search import shard_of as shard_of
from kb.build.state import default_cache_dir
from kb.build.swap import swap_in as swap_in
from kb.build.views import SEARCH_MARK as SEARCH_MARK
from kb.build.views import search_view as search_view
from kb.build.writer import SiteWriter as SiteWriter
from kb.build.writer import link_tree as link_tree
from kb.build.writer import write_files as write_files
from kb.load.safety import MARKER as MARKER
from kb.load.safety import guard_output


def build(
    kb_root: Path,
    out: Path = Path("_site"),
    base_url: str | None = None,
    search: bool = True,
    progress: Progress | None = None,
    detach: bool = False,
) -> Path:
    """Build the site of the KB at kb_root into out; return the path of its index.html."""
    # `detach`: the state is saved and the last site removed by a forked process after this
    # returns (`kb build`, whose process then ends); else before it returns.
    out = Path(out).resolve()
    guard_output(out, Path(kb_root))
    # The incremental builder renders across both cores, then swaps the folder in whole.
    # Between runs it re-renders only what changed (state under ~/.cache; KB_CACHE=0: off).
    cache = default_cache_dir(Path(kb_root), out)
    builder = IncrementalBuilder(
        Path(kb_root),
        out,
        base_url=base_url,
        search=search,
        cache_dir=cache,
        atomic=True,
        progress=progress,
        detach=detach,
    )
    try:
        report = builder.build()
    finally:  # the last site, removed while the state was saved (or deferred), is gone
        builder.removals.finish()
    if report.repaired:
        print(f"note: files in {out} were changed by hand; rebuilt it whole", file=sys.stderr)
    return out / "index.html"
