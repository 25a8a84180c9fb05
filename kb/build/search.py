"""The search index: pages in shards by path, each indexed by Pagefind, reused if unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kb.build.folders import Removals, exchange
from kb.build.pagefind import canonical_bundle, run_pagefind
from kb.build.views import SEARCH_MARK, has_mark, search_view
from kb.build.writer import IO_THREADS, digest, link_tree

PAGES_PER_SHARD = 1000  # see docs/speed.md: more shards re-index less after an edit, search slower
MAX_SHARDS = 32
SHARDS_FILE = "shards.json"
VIEWS_PREFIX = "kb-search-views-"  # + the building process's ID

Prepared = tuple[Path, int, dict[str, bytes]]  # views' folder, their shard count, their digests


def planned_shards(pages: int, shards: int | None = None) -> int:
    """Return the shard count of a site of this many HTML pages (KB_SEARCH_SHARDS forces one)."""
    forced = os.environ.get("KB_SEARCH_SHARDS", "")  # for measuring the search page's cost
    count = shards or (int(forced) if forced.isdigit() and int(forced) > 0 else 0)
    return count or shard_count(pages)


def shard_count(pages: int) -> int:
    """Return how many Pagefind bundles a site of this many indexed pages is split into."""
    return max(1, min(MAX_SHARDS, -(-pages // PAGES_PER_SHARD)))


def shard_of(path: str, shards: int) -> int:
    """Return the shard of a page: a stable hash of its path, so a page keeps its shard."""
    if shards == 1:
        return 0
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") % shards


def shard_folder(shard: int, shards: int) -> str:
    """Return a shard's folder below pagefind/ ('' when there is one shard)."""
    return "" if shards == 1 else f"s{shard}"


def html_pages(folder: Path) -> list[str]:
    """Return the site's HTML pages (not Pagefind's own files), as sorted relative paths."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder)
        if rel == ".":
            dirnames[:] = [d for d in dirnames if d != "pagefind"]
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [prefix + name for name in filenames if name.endswith(".html")]
    return sorted(out)


def views_folder() -> Path:
    """Return a new temporary folder for search views, removing those of killed builds."""
    base = Path(tempfile.gettempdir())
    for stale in base.glob(f"{VIEWS_PREFIX}*-*"):
        pid = stale.name.removeprefix(VIEWS_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # its build died without cleaning up
            shutil.rmtree(stale, ignore_errors=True)
        except OSError:  # another user's live process
            pass
    return Path(tempfile.mkdtemp(prefix=f"{VIEWS_PREFIX}{os.getpid()}-", dir=base))


@dataclass
class SearchIndex:
    """What indexing did: shards indexed and reused, and each indexed page's view digest."""

    indexed: int = 0
    reused: int = 0
    views: dict[str, bytes] = field(default_factory=dict)


def _view_digest(data: bytes | None, marked: bool) -> bytes | None:
    """Return the digest of what Pagefind reads of a page (None: the page is not indexed)."""
    if data is None or (marked and SEARCH_MARK not in data):
        return None
    return digest(search_view(data))


@dataclass
class _Indexing:
    """One run of index_search: the shards, and what each of them gets."""

    folder: Path
    previous: Path | None
    count: int
    marked: bool
    members: dict[int, list[str]]
    ready: Prepared | None
    staging: Path
    reuse: set[int] = field(default_factory=set)
    in_place: bool = False
    result: SearchIndex = field(default_factory=SearchIndex)
    jobs: list[tuple[Path, Path]] = field(default_factory=list)
    listed: list[int] = field(default_factory=list)


def index_search(
    folder: Path,
    previous: Path | None = None,
    changed: set[str] | None = None,
    shards: int | None = None,
    views: dict[str, bytes] | None = None,
    prepared: Prepared | None = None,
    removals: Removals | None = None,
) -> SearchIndex:
    """Index the written site with Pagefind, one bundle per shard of pages."""
    # Pages go to shards by a stable hash of their path; each shard is indexed by its own Pagefind
    # process (two at a time) into pagefind/ (one shard) or pagefind/s<k>/, and the search page
    # merges them. Pagefind reads each page's search_view, not the whole page. With a previous site
    # and the pages that changed, came or went since it, the shards holding none of them are hard-
    # linked from the previous index; with the previous build's view digests too, a page counts as
    # changed only when what Pagefind reads of it changed. A full index may be handed the views
    # already written by shard (`prepared`: their folder, the shard count they were written for, and
    # their digests), as the render workers do. Spent folders of an index rebuilt in place go to
    # `removals`, to be removed meanwhile.
    pages = html_pages(folder)
    count = planned_shards(len(pages), shards)
    ready = _usable(folder, pages, count, prepared) if previous is None else None
    # Pagefind indexes only the pages marked data-pagefind-body when any page is marked.
    marked = ready is not None or any(has_mark(folder / p) for p in pages)
    members: dict[int, list[str]] = {}
    for page in pages:
        members.setdefault(shard_of(page, count), []).append(page)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.search-", dir=folder.parent))
    run = _Indexing(folder, previous, count, marked, members, ready, staging)
    try:
        _plan_reuse(run, changed, views)
        _stage_shards(run)
        if ready is not None:
            run.result.views = dict(ready[2])
        run_pagefind(run.jobs)
        for _, out in run.jobs:
            canonical_bundle(out)
        _swap_bundle(run)
    finally:
        if run.in_place and removals is not None:
            removals.later(staging)  # the served site is complete: show the edit first
        else:
            shutil.rmtree(staging, ignore_errors=True)
    run.result.indexed, run.result.reused = len(run.jobs), len(run.reuse)
    run.result.views = dict(sorted(run.result.views.items()))
    return run.result


def _plan_reuse(run: _Indexing, changed: set[str] | None, views: dict[str, bytes] | None) -> None:
    """Find the shards of the previous index that no changed page belongs to."""
    previous = run.previous
    old = _read_shards(previous / "pagefind") if previous is not None else None
    if old is None or changed is None or old != (run.count, run.marked, old[2]):
        return
    dirty: set[int] = set()
    for page in sorted(changed):
        if views is not None:
            path = run.folder / page
            data = path.read_bytes() if page.endswith(".html") and path.is_file() else None
            if _view_digest(data, run.marked) == views.get(page):
                continue
        dirty.add(shard_of(page, run.count))
    run.reuse = {k for k in old[2] if k not in dirty}
    if views is not None:
        run.result.views = {p: d for p, d in views.items() if shard_of(p, run.count) in run.reuse}
    # Rebuilt in place (`kb serve`): the re-indexed shards are swapped in one by one and the
    # others stay where they are, instead of being linked into a new bundle file by file.
    assert previous is not None
    run.in_place = bool(run.reuse) and run.count > 1
    run.in_place = run.in_place and previous.resolve() == run.folder.resolve()


def _stage_shards(run: _Indexing) -> None:
    """Lay out each shard's pages (or prepared views, or previous bundle) for Pagefind."""
    for k in range(run.count):
        out = run.staging / "out" / shard_folder(k, run.count)
        if k in run.reuse and run.in_place:
            run.listed.append(k)
            continue
        if run.ready is not None:
            source = run.ready[0] / shard_folder(k, run.count)
        elif k in run.reuse:
            assert run.previous is not None
            bundle = run.previous / "pagefind" / shard_folder(k, run.count)
            link_tree(bundle, out, _other_shards)
            run.listed.append(k)
            continue
        else:
            source = _write_views(run, k)
        if source.is_dir():
            run.jobs.append((source, out))
            run.listed.append(k)


def _write_views(run: _Indexing, k: int) -> Path:
    """Write the search views of shard k's pages to its staging folder; return the folder."""
    source = run.staging / "src" / str(k)
    by_folder: dict[str, list[str]] = {}
    for page in run.members.get(k, []):
        by_folder.setdefault(os.path.dirname(page), []).append(page)
    # A folder a thread, as link_tree does: reading and writing are system calls, which run while
    # the other threads wait for the interpreter (0.76 -> 0.40 s for 941 pages on two cores).
    with ThreadPoolExecutor(IO_THREADS) as pool:
        jobs = [(run, source, name, pages) for name, pages in sorted(by_folder.items())]
        for written in pool.map(_write_folder_views, jobs):
            run.result.views.update(written)
    return source


def _write_folder_views(job: tuple[_Indexing, Path, str, list[str]]) -> dict[str, bytes]:
    """Write the views of one folder's pages; return their digests."""
    run, source, name, pages = job
    written: dict[str, bytes] = {}
    for page in pages:
        with open(os.path.join(run.folder, page), "rb") as handle:
            data = handle.read()
        if run.marked and SEARCH_MARK not in data:
            continue
        view = search_view(data)
        if not written:  # a shard without views has no folder, and Pagefind no job
            os.makedirs(os.path.join(source, name), exist_ok=True)
        written[page] = digest(view)
        with open(os.path.join(source, page), "wb") as handle:
            handle.write(view)
    return written


def _swap_bundle(run: _Indexing) -> None:
    """Put the new bundle (or the re-indexed shards) in place of the old one."""
    staged, target, count = run.staging / "out", run.folder / "pagefind", run.count
    staged.mkdir(exist_ok=True)
    names = [shard_folder(k, count) + "/" if count > 1 else "" for k in run.listed]
    state = {"shards": names, "count": count, "marked": run.marked, "indexes": run.listed}
    (staged / SHARDS_FILE).write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    if run.in_place:
        for k in range(count):
            if k in run.reuse:
                continue
            new, old = staged / shard_folder(k, count), target / shard_folder(k, count)
            if new.is_dir() and old.is_dir() and exchange(new, old):
                continue  # the old shard is now in staging, removed with it
            if old.is_dir():
                os.replace(old, run.staging / f"old-{k}")
            if new.is_dir():
                os.replace(new, old)
        os.replace(staged / SHARDS_FILE, target / SHARDS_FILE)
    elif target.exists() and exchange(staged, target):
        pass  # swapped in one step: a page served meanwhile never misses the index
    elif target.exists():
        folder = run.folder
        gone = Path(tempfile.mkdtemp(prefix=f".{folder.name}.search-", dir=folder.parent))
        os.replace(target, gone / "pagefind")
        os.replace(staged, target)
        shutil.rmtree(gone, ignore_errors=True)
    else:
        os.replace(staged, target)


def _usable(
    folder: Path, pages: list[str], count: int, prepared: Prepared | None
) -> Prepared | None:
    """Return the prepared views if they cover every page Pagefind would read, else None."""
    if prepared is None or prepared[1] != count or not prepared[2]:
        return None
    # A page without a view must be one Pagefind skips: an HTML asset, say, with no mark.
    if any(has_mark(folder / p) for p in pages if p not in prepared[2]):
        return None
    return prepared


def _read_shards(bundle: Path) -> tuple[int, bool, set[int]] | None:
    """Return the shard count, whether pages were marked, and the indexed shards, or None."""
    try:
        state = json.loads((bundle / SHARDS_FILE).read_text(encoding="utf-8"))
        return int(state["count"]), bool(state["marked"]), {int(k) for k in state["indexes"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _other_shards(name: str) -> bool:
    """Tell whether a name at the top of a bundle belongs to the sharding, not to the bundle."""
    return name == SHARDS_FILE or re.fullmatch(r"s\d+", name) is not None
