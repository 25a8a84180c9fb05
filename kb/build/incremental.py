"""Incremental builds: loaded files cached by content hash, page reads tracked, pages re-rendered
only when something they read changed, across both cores."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from kb.analysis import Analysis, analyse, inputs_digest
from kb.analysis.gcpause import gc_paused
from kb.analysis.reader import exchange_pairs
from kb.build.progress import Progress
from kb.errors import Problem, ProblemsFound, Severity
from kb.load import KnowledgeBase, Loader, Where, display_path, load, read_text
from kb.load.files import code_digest
from kb.model.graph import KBGraph
from kb.model.records import Question, Record
from kb.site.memos import Memos
from kb.site.reads import Calls, Key, Reads, tracked, untracked

if TYPE_CHECKING:
    from kb.formats.export import ExportMemo

STATE_NAME = "build-state.pickle"
VIEWS_PREFIX = "kb-search-views-"  # + the building process's ID
STATE_VERSION = "kb-cache-9"


def _state_version() -> str:
    """Return the state file's version: the format's, and a digest of the package's own code,
    so that an upgraded or edited kb never reuses what an older one computed."""
    return f"{STATE_VERSION}:{code_digest().hex()}"


TABLES = ("questions", "claims", "sources", "actors", "stances", "evidence", "relations")


# Loading: each file's records are kept by content hash ------------------------------------------


@dataclass
class FileMemo:
    """What loading each file produced, by path, with the hash of the text it came from."""

    files: dict[str, tuple[bytes, list[tuple[str, Any]], frozenset[str]]] = field(
        default_factory=dict
    )
    parsed: int = 0  # files parsed (not replayed) by the last load


class _MemoLoader(Loader):
    """A Loader that replays the records of unchanged files instead of parsing them again."""

    def __init__(self, root: Path, memo: FileMemo) -> None:
        super().__init__(root)
        self.memo = memo
        self.kept: dict[str, tuple[bytes, list[tuple[str, Any]], frozenset[str]]] = {}
        self.actions: list[tuple[str, Any]] | None = None
        self.mark = 0

    def add_file(self, path: Path, text: str | None = None) -> None:
        """Load one file, from the memo when its text is unchanged."""
        shown = display_path(path)
        if text is None:
            text, problem = read_text(path)
            if problem:
                self.kb.files.append(shown)
                self.problems.append(problem)
                return
        digest = hashlib.blake2b((text or "").encode("utf-8"), digest_size=16).digest()
        cached = self.memo.files.get(shown)
        if cached is not None and cached[0] == digest:
            self.kb.files.append(shown)
            self.replay(cached[1])
            self.kb.invalid_ids |= cached[2]
            self.kept[shown] = cached
            return
        self.memo.parsed += 1
        self.actions, self.mark = [], len(self.problems)
        invalid_before = set(self.kb.invalid_ids)
        try:
            super().add_file(path, text)
            self.flush_problems()
            invalid = frozenset(self.kb.invalid_ids - invalid_before)
            self.kept[shown] = (digest, self.actions, invalid)
        finally:
            self.actions = None

    def flush_problems(self) -> None:
        """Note the problems met since the last stored record (not those store() reports)."""
        assert self.actions is not None
        if len(self.problems) > self.mark:
            self.actions.append(("problems", self.problems[self.mark :]))
        self.mark = len(self.problems)

    def store(self, record: Record, where: Where) -> None:
        """Store a record, noting it for replay when a file is being parsed."""
        if self.actions is not None:
            self.flush_problems()
            # finish() adds claims' answers to questions: the memo keeps a pristine copy.
            kept = record.model_copy(deep=True) if isinstance(record, Question) else record
            self.actions.append(("store", (kept, where)))
        super().store(record, where)
        if self.actions is not None:
            self.mark = len(self.problems)

    def replay(self, actions: list[tuple[str, Any]]) -> None:
        """Store a file's records again, exactly as parsing it did."""
        for action, value in actions:
            if action == "store":
                record, where = value
                if isinstance(record, Question):
                    record = record.model_copy(deep=True)
                super().store(record, where)
            else:
                self.problems.extend(value)


def load_memo(root: Path, memo: FileMemo) -> tuple[KnowledgeBase, list[Problem]]:
    """Load like kb.load.load, parsing only the files whose text changed since the last call."""
    memo.parsed = 0
    loader = _MemoLoader(Path(root), memo)
    kb, problems = load(Path(root), loader)
    if Path(root).is_dir():
        memo.files = loader.kept
    return kb, problems


def load_checked(root: Path, memo: FileMemo) -> KnowledgeBase:
    """Load (through the memo) and check; raise ProblemsFound on any error."""
    from kb.check import check
    from kb.check.gaps import unpublishable

    kb, problems = load_memo(root, memo)
    problems = unpublishable(problems + check(kb, problems))
    if any(p.severity is Severity.error for p in problems):
        raise ProblemsFound(problems)
    return kb


# What changed between two builds -------------------------------------------------------------


def _strings(value: Any, out: set[Key]) -> None:
    """Collect every string held by a record (IDs among them) as record keys."""
    if isinstance(value, str):
        out.add(("", value))
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _strings(item, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _strings(item, out)
    elif isinstance(value, dict):
        for k, item in value.items():
            _strings(k, out)
            _strings(item, out)


def _references(record: Any, kbs: Iterable[KnowledgeBase]) -> set[Key]:
    """Return the keys a record touches: its ID, what it names, and the ends of named links."""
    out: set[Key] = set()
    _strings(record, out)
    for _, ref in list(out):
        for kb in kbs:
            linked = kb.relations.get(ref) or kb.evidence.get(ref)
            if linked is not None:
                _strings(linked, out)
    return out


def _dict_changes(old: dict, new: dict, ns: str, name: str, out: set[Key]) -> None:
    """Add the keys whose values differ between two dicts, and the dict as a whole if any."""
    changed = False
    for key in old.keys() | new.keys():
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        if a is not b and a != b:
            out.add((ns, key))
            changed = True
            if a is _MISSING or b is _MISSING:
                out.add((ns + "?", key))
    if changed:
        out.add(("*", name))
    if old.keys() != new.keys():
        out.add(("#", name))


_MISSING = object()


# Building ---------------------------------------------------------------------------------------

# Claims and actors make no edge of the graph and no entry of another record (a question's
# positions are diffed as the question's own): a change to one touches its own key alone.
_SELF_ONLY = ("claims", "actors")
_SKIP_ATTRS = {"kb", "env", "graph", "standings", "_templates", "memos"}


@dataclass
class Snapshot:
    """What one build read: the KB, the site's derived lookups, standings, and page reads."""

    kb: KnowledgeBase
    salt: str
    derived: dict[str, dict]
    standings: dict[tuple[str, str], Any]  # ("claim" | "question", ID) -> what the site shows
    reads: dict[str, frozenset[Key]]
    digests: dict[str, bytes]
    views: dict[str, bytes] | None = None  # what Pagefind read of each page, by digest
    manifest: dict[str, tuple[int, ...]] | None = None  # the site's files as this build left them


def site_manifest(folder: Path) -> dict[str, tuple[int, ...]]:
    """Return (size, mtime, inode, mode) of every file and folder below folder, by path.

    A later build compares it with the folder, as git compares its index with the work tree:
    a file edited, added, removed or replaced by hand since then shows as a difference.
    """
    out: dict[str, tuple[int, ...]] = {}
    stack = [(str(folder), "")]
    while stack:
        path, prefix = stack.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                out[name + "/"] = ()
                stack.append((entry.path, name + "/"))
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            out[name] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode)
    return dict(sorted(out.items()))


@dataclass
class Report:
    """What a build did."""

    pages: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    parsed_files: int = 0
    full: bool = True
    indexed: bool = False
    shards: tuple[int, int] = (0, 0)  # search shards indexed, and reused from the last build
    repaired: bool = False  # the site had been changed by hand since the last build: rebuilt whole
    seconds: dict[str, float] = field(default_factory=dict)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _salt(site: Any, extra: Iterable[Path]) -> str:
    """Return a fingerprint of everything global: settings, scalars, templates and assets."""
    h = hashlib.blake2b(digest_size=16)
    for name, value in sorted(vars(site).items()):
        if name in _SKIP_ATTRS or isinstance(value, dict):
            continue
        h.update(f"{name}={value!r}\n".encode())
    h.update(repr(site.kb.config).encode())
    h.update(f"{site.standings.available}|{site.standings.model}".encode())
    from kb.load.safety import outside

    for folder in extra:
        if folder.is_dir():
            within = folder.parent.resolve()
            for path in sorted(folder.rglob("*")):
                # A link leading out of the folder's parent (the content folder) is never read.
                if path.is_file() and not outside(path, within):
                    h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


# Layouts: pure functions of their inputs, kept between rebuilds ---------------------------------

_LAYOUTS: dict[bytes, Any] = {}  # input digest -> positions, across builds
_LAYOUTS_NEW: dict[bytes, Any] = {}  # computed in this process since the last collection
_LAYOUTS_USED: set[bytes] = set()


def _memo_layout(fn: Any) -> Any:
    """Wrap a layout function so that the same nodes, edges and sizes are laid out once."""

    def memo(*args: Any, **kwargs: Any) -> Any:
        # repr, not pickle: pickle's output depends on which equal strings are one object.
        key = _digest(repr((fn.__name__, args, sorted(kwargs.items()))).encode())
        _LAYOUTS_USED.add(key)
        found = _LAYOUTS.get(key)
        if found is None:
            found = _LAYOUTS[key] = _LAYOUTS_NEW[key] = fn(*args, **kwargs)
        return dict(found)

    memo.__wrapped__ = fn  # type: ignore[attr-defined]
    return memo


def install_layout_memo() -> None:
    """Route kb.site.maps' layouts through their memo (once per process)."""
    from kb.site import maps

    for name in ("layout", "force_layout"):
        fn = getattr(maps, name, None)
        if fn is not None and not hasattr(fn, "__wrapped__"):
            setattr(maps, name, _memo_layout(fn))


# Analyses: kept by a digest of what they read, so that an edited statement re-analyses nothing.


def _analysis_settings() -> list[tuple[str, Any]]:
    """Return the analysis modules' limits and budgets, which a result depends on too."""
    import sys

    out = []
    for module in ("kb.analysis", "kb.analysis.af", "kb.analysis.af_sat", "kb.analysis.gradual"):
        for name, value in sorted(vars(sys.modules.get(module) or object()).items()):
            if name.isupper() and isinstance(value, int | float | str):
                out.append((f"{module}.{name}", value))
    return out


# The graph: rebuilt only when a record it is made of changed --------------------------------------

_GRAPH_TABLES = ("questions", "sources", "actors", "stances", "evidence", "relations")


def _same_graph_inputs(old: KnowledgeBase, new: KnowledgeBase) -> bool:
    """Tell whether two KBs give the same graph: equal records but claims' (their IDs alone)."""
    if list(old.claims) != list(new.claims):
        return False
    for name in _GRAPH_TABLES:
        a, b = getattr(old, name), getattr(new, name)
        if a.keys() != b.keys():
            return False
        # Unchanged files replay the same record objects: `is` settles most at once.
        if any(x is not y and x != y for x, y in zip(a.values(), b.values(), strict=True)):
            return False
    return True


class BuildMemos(Memos):
    """Keeps the last build's graph, analysis and exchanges, and reuses them while their inputs
    are unchanged: an edited statement then re-analyses and re-links nothing."""

    def __init__(self) -> None:
        self._graph: tuple[KnowledgeBase, KBGraph] | None = None
        self._analysis: tuple[bytes, Analysis] | None = None
        self._pairs: tuple[KBGraph, dict[str, list[str]]] | None = None

    def graph(self, kb: KnowledgeBase) -> KBGraph:
        """Return the last build's graph when its inputs are unchanged, else a new one."""
        if self._graph is not None and _same_graph_inputs(self._graph[0], kb):
            graph = self._graph[1]
            graph.kb = kb  # its lookups hold equal records; claims are read through kb
        else:
            graph = KBGraph(kb)
        self._graph = (kb, graph)
        return graph

    def analyse(self, kb: KnowledgeBase, cruxes: bool = True) -> Analysis:
        """Return the last build's analysis when the KB's analysis inputs are unchanged."""
        key = _digest(inputs_digest(kb) + repr((cruxes, _analysis_settings())).encode())
        if self._analysis is None or self._analysis[0] != key:
            self._analysis = (key, analyse(kb, cruxes))
        return self._analysis[1]

    def saved(self) -> dict[bytes, Analysis]:
        """Return what the build state keeps for the next process: the analysis, by its key."""
        return dict([self._analysis]) if self._analysis is not None else {}

    def restore(self, saved: dict[bytes, Analysis]) -> None:
        """Take back what `saved` returned in an earlier process."""
        self._analysis = next(iter(saved.items()), None)

    def exchange_pairs(self, kb: KnowledgeBase, graph: KBGraph) -> dict[str, list[str]]:
        """Return the last result while the graph (whose inputs are all it reads) is reused."""
        if not (self._pairs is not None and self._pairs[0] is graph and graph.kb is kb):
            self._pairs = (graph, exchange_pairs(kb, graph))
        return {key: list(value) for key, value in self._pairs[1].items()}


def _take_new_layouts() -> tuple[dict[bytes, Any], set[bytes]]:
    """Return and forget the layouts computed and used here since the last call."""
    new, used = dict(_LAYOUTS_NEW), set(_LAYOUTS_USED)
    _LAYOUTS_NEW.clear()
    _LAYOUTS_USED.clear()
    return new, used


@dataclass
class _Job:
    """What the forked render workers share: the pages, where to write, and the last digests."""

    pages: list[Any] = field(default_factory=list)
    folder: Path | None = None
    old: dict[str, bytes] = field(default_factory=dict)
    views: Path | None = None  # where each indexed page's search view goes, by shard
    shards: int = 1


_JOB = _Job()
Rendered = tuple[str, bytes, frozenset[Key], bytes | None]  # path, digest, reads, data


def write_page(folder: Path, rel: str, data: bytes) -> None:
    """Write one file below folder, refusing a path that would leave it."""
    target = folder / rel
    if rel.startswith("/") or ".." in Path(rel).parts:
        raise ValueError(f"refusing to write outside the site: {rel!r}")
    # Never write into an existing inode: it may be a hard link shared with the previous site.
    try:
        target.unlink(missing_ok=True)
        target.write_bytes(data)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _render_chunk(
    indices: list[int],
) -> tuple[list[Rendered], dict[bytes, Any], set[bytes], dict[str, bytes]]:
    """Render some pages (in a worker), each with the keys it read; write those that changed,
    and the search views of indexed pages when asked."""
    from kb.build import SEARCH_MARK, search_view, shard_folder, shard_of

    out: list[Rendered] = []
    views: dict[str, bytes] = {}
    for i in indices:
        page = _JOB.pages[i]
        Reads.now = reads = set()
        try:
            data = page.render().encode("utf-8")
        finally:
            Reads.now = None
        digest = _digest(data)
        if _JOB.views is not None and page.path.endswith(".html") and SEARCH_MARK in data:
            # Here, from the page in memory and on every core, not read back from disk later.
            view = search_view(data)
            shard = shard_folder(shard_of(page.path, _JOB.shards), _JOB.shards)
            write_page(_JOB.views / shard, page.path, view)
            views[page.path] = _digest(view)
        if _JOB.folder is None:
            out.append((page.path, digest, frozenset(reads), data))
            continue
        if _JOB.old.get(page.path) != digest:
            write_page(_JOB.folder, page.path, data)
        out.append((page.path, digest, frozenset(reads), None))
    return (out, *_take_new_layouts(), views)


def render_pages(
    pages: list[Any],
    jobs: int,
    folder: Path | None = None,
    old: dict[str, bytes] | None = None,
    views: tuple[Path, int, dict[str, bytes]] | None = None,
    progress: Progress | None = None,
) -> list[Rendered]:
    """Render pages with their reads, across `jobs` forked processes when that pays.

    With a folder, each page whose digest differs from `old` is written there as soon as it is
    rendered, and no page is kept in memory; without one, the pages' bytes are returned.
    """
    global _JOB
    _JOB = _Job(pages, folder, old or {})
    if views is not None:  # (folder, shard count, digests to fill)
        _JOB.views, _JOB.shards = views[0], views[1]
    indices = list(range(len(pages)))
    size = 16
    chunks = [indices[i : i + size] for i in range(0, len(indices), size)]
    progress = progress or Progress()
    try:
        if jobs <= 1 or len(pages) < 64 or "fork" not in multiprocessing.get_all_start_methods():
            results = []
            for chunk in chunks:
                results.append(_render_chunk(chunk))
                progress.advance(len(chunk))
        else:
            gc.freeze()  # the forked workers share the parent's objects without touching them
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(jobs) as pool:
                results = []
                for chunk, result in zip(
                    chunks, pool.imap(_render_chunk, chunks, chunksize=1), strict=True
                ):
                    results.append(result)
                    progress.advance(len(chunk))
        rendered: list[Rendered] = []
        for items, new, used, made in results:
            rendered += items
            _LAYOUTS.update(new)
            _LAYOUTS_USED.update(used)
            if views is not None:
                views[2].update(made)
        return rendered
    finally:
        _JOB = _Job()


_SIDE: list[Any] = []


def _side_call() -> Any:
    """Run the side job that the parent set up before forking."""
    fn, args = _SIDE[0]
    return fn(*args)


def _views_folder() -> Path:
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


def _downloads_and_memo(kb: KnowledgeBase) -> tuple[dict[str, bytes], ExportMemo]:
    """Export every download with a new memo; return both (the memo serves the next build)."""
    from kb.build import downloads
    from kb.formats.export import ExportMemo

    memo = ExportMemo()
    return downloads(kb, memo), memo


class _Ready:
    """A value already computed, with SideJob's way of handing it over."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        """Return the value."""
        return self.value


class SideJob:
    """One call run in a forked process while this one renders (or here, without fork)."""

    def __init__(self, fn: Any, *args: Any) -> None:
        self.future: Any = None
        self.value: Any = None
        if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
            self.value = fn(*args)
            return
        from concurrent.futures import ProcessPoolExecutor

        _SIDE[:] = [(fn, args)]
        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        self.future = self.pool.submit(_side_call)

    def result(self) -> Any:
        """Return the call's value, waiting for it."""
        if self.future is not None:
            try:
                self.value = self.future.result()
            finally:
                self.pool.shutdown()
                _SIDE.clear()
                self.future = None
        return self.value


class IncrementalBuilder:
    """Builds a site, then rebuilds it after edits by re-rendering only the pages that changed.

    A page is rendered again when it is new, when the templates or settings changed, or when
    something it read changed: a record it looked up (or one that names it), a table or lookup
    it scanned, an entry of the site's derived lookups, or a claim's standing.
    """

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
    ) -> None:
        self.progress = progress or Progress()  # stages and pages done, for the terminal
        self.kb_root = Path(kb_root)
        self.shards = shards  # Pagefind bundles; None: by the number of pages
        self.out = Path(out).resolve()
        self.base_url = base_url
        self.search = search
        self.use_git = use_git
        self.jobs = jobs or os.cpu_count() or 1
        # Atomic: every build fills a new folder (a rebuild starts from hard links to the last
        # site) and swaps it in whole; otherwise a rebuild writes into the site in place.
        self.atomic = atomic
        self.memo = FileMemo()
        self.memos = BuildMemos()  # the graph and analysis, kept from one build to the next
        self.last: Snapshot | None = None
        self.extra: dict[str, bytes] = {}  # digests of the assets and downloads written
        self.exports: ExportMemo | None = None  # what the last export made, to redo only changes
        self.state_file = Path(cache_dir) / STATE_NAME if cache_dir is not None else None
        if self.state_file is not None:
            self.restore()

    def _stamp(self) -> tuple[str, str, int, int] | None:
        """Return what identifies this builder's last output: paths and the marker's inode."""
        from kb.build import MARKER

        try:
            st = (self.out / MARKER).stat()
        except OSError:
            return None
        return (str(self.kb_root.resolve()), str(self.out), st.st_ino, st.st_mtime_ns)

    def restore(self) -> bool:
        """Take the last build's state from the state file, if it matches the output folder."""
        assert self.state_file is not None
        try:
            with open(self.state_file, "rb") as handle, gc_paused():
                version, stamp, memo, last, extra = pickle.load(handle)
                # Kept for the process's life: later collections need not walk them again.
                gc.freeze()
        except Exception:  # missing, truncated or from another version: build in full
            return False
        if version != _state_version() or stamp is None or stamp != self._stamp():
            return False
        self.memo, self.last, self.extra, self.exports = memo, last, extra[0], extra[3]
        _LAYOUTS.update(extra[1])
        self.memos.restore(extra[2])
        return True

    def save(self) -> None:
        """Write this build's state for the next run, atomically."""
        assert self.state_file is not None
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(f".{os.getpid()}.tmp")
        extra = (self.extra, _LAYOUTS, self.memos.saved(), self.exports)
        state = (_state_version(), self._stamp(), self.memo, self.last, extra)
        try:
            with open(tmp, "wb") as handle, gc_paused():
                pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.state_file)
        except Exception:  # an unpicklable lookup: the next run builds in full
            tmp.unlink(missing_ok=True)
            self.state_file.unlink(missing_ok=True)

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
        import time

        from kb import build as site_build
        from kb.load.safety import guard_output
        from kb.site.render import theme_dir

        guard_output(self.out, self.kb_root)
        site_build.finish_removals()
        report = Report()
        install_layout_memo()
        _take_new_layouts()
        t0 = time.perf_counter()
        self.progress.stage("loading")
        kb = load_checked(self.kb_root, self.memo)
        report.parsed_files = self.memo.parsed
        t1 = time.perf_counter()
        self.progress.stage("analysing")
        site = site_build.make_site(kb, self.base_url, use_git=self.use_git, memos=self.memos)
        t2 = time.perf_counter()
        self.progress.stage("planning")
        theme = theme_dir()
        salt = _salt(site, [theme, self.kb_root / "site"])
        derived = {
            name: value
            for name, value in vars(site).items()
            if isinstance(value, dict) and name not in _SKIP_ATTRS
        }
        standings: dict[tuple[str, str], Any] = {
            ("claim", c): site.standings.of(c) for c in kb.claims
        }
        standings.update({("question", q): site.standings.question(q) for q in kb.questions})
        standings.update({("evidence", e): site.standings.evidence(e) for e in kb.evidence})
        last = self.last
        full = (
            last is None
            or last.salt != salt
            or last.derived.keys() != derived.keys()
            or not (self.out / site_build.MARKER).is_file()
        )
        if not full and last is not None and last.manifest != site_manifest(self.out):
            # Edited or stray files would be carried over: build whole, as a fresh build would.
            full = report.repaired = True
        changed: set[Key] = set()
        if not full:
            assert last is not None
            changed = self.changes(last, kb, derived, standings)
        # Downloads export the whole KB. With the last build's export memo only the changed
        # records are serialised again, here; without one a forked process exports everything
        # while pages render and sends its memo back for the next build.
        side: SideJob | _Ready | None = None
        if (full or changed) and self.exports is not None:
            side = _Ready((site_build.downloads(kb, self.exports), self.exports))
        elif full or changed:
            side = SideJob(_downloads_and_memo, kb)
        extra = site_build.assets(kb.root)
        extra[site_build.MARKER] = b"debate-kb site\n"
        te = time.perf_counter()
        # From here on, reads are tracked.
        for name in TABLES:
            setattr(kb, name, tracked(getattr(kb, name), "", name))
        kb.where = tracked(kb.where, "where", "where")  # type: ignore[assignment]
        for name, value in derived.items():
            setattr(site, name, tracked(value, name, name))
        # Graph lookups note their own keys: a claim's text is no part of the graph.
        site.graph = Calls(site.graph, "graph")
        site.standings = Calls(site.standings, "standing")
        pages = list(site.pages())
        todo = [
            p
            for p in pages
            if full
            or p.path not in last.reads  # type: ignore[union-attr]
            or not last.reads[p.path].isdisjoint(changed)  # type: ignore[union-attr]
        ]
        t3 = time.perf_counter()
        self.progress.stage("rendering", len(todo))
        streaming = full or self.atomic
        results: list[Rendered] = []

        extra_digests: dict[str, bytes] = {}

        def extras() -> dict[str, bytes]:
            """Return the assets and downloads that differ from the last build's."""
            if side is not None:
                files, self.exports = side.result()
                extra.update(files)
            extra_digests.update({p: _digest(d) for p, d in extra.items()})
            if side is None:  # nothing changed, so neither did the downloads: theirs stay
                old = {k: v for k, v in self.extra.items() if k.startswith("downloads/")}
                extra_digests.update(old)
            return {p: d for p, d in extra.items() if full or self.extra.get(p) != extra_digests[p]}

        files: dict[str, bytes] = {}
        searching: list[float] = []
        views: dict[str, bytes] = {}
        # A full build has the render workers write each indexed page's search view by shard.
        prepared: tuple[Path, int, dict[str, bytes]] | None = None
        if full and self.search:
            html = {p.path for p in pages if p.path.endswith(".html")}
            html |= {p for p in extra if p.endswith(".html")}
            count = site_build.planned_shards(len(html), self.shards)
            prepared = (_views_folder(), count, {})

        def index(folder: Path) -> None:
            """Index the site, re-indexing only the shards whose pages changed since the last."""
            start = time.perf_counter()
            self.progress.stage("indexing")
            if full or last is None:
                done = site_build.index_search(folder, shards=self.shards, prepared=prepared)
            else:
                paths = {p.path for p in pages}
                changed = {p for p, d, _, _ in results if last.digests.get(p) != d}
                changed |= {p for p in last.digests if p not in paths}
                done = site_build.index_search(
                    folder, self.out, changed, shards=self.shards, views=last.views
                )
            report.shards = (done.indexed, done.reused)
            views.update(done.views)
            searching.append(time.perf_counter() - start)

        rendered = False
        try:
            if streaming:
                # Pages go straight to the new folder as they are rendered, never all in memory.
                def fill(folder: Path) -> None:
                    old = {} if full else last.digests  # type: ignore[union-attr]
                    if not full:
                        site_build.link_tree(self.out, folder, lambda name: name == "pagefind")
                    progress = self.progress
                    results.extend(render_pages(todo, self.jobs, folder, old, prepared, progress))
                    files.update(extras())
                    for path, data in files.items():
                        write_page(folder, path, data)
                    if not full:
                        paths = {p.path for p in pages}
                        stale = [p for p in self.extra if p not in extra_digests]
                        stale += [p for p in old if p not in paths]
                        for path in stale:
                            (folder / path).unlink(missing_ok=True)

                site_build.swap_in({}, self.out, search=index if self.search else False, fill=fill)
                report.indexed = self.search
            else:
                # A rebuild writes changed pages into the site as they are rendered.
                results = render_pages(
                    todo,
                    self.jobs,
                    None if full else self.out,
                    None if full else last.digests,
                    prepared,
                    self.progress,
                )
                files.update(extras())
            rendered = True
        finally:
            # The views are indexed inside swap_in when streaming, after it here otherwise.
            if prepared is not None and (streaming or not rendered):
                shutil.rmtree(prepared[0], ignore_errors=True)
            if side is not None:
                side.result()
            for name in TABLES:
                setattr(kb, name, untracked(getattr(kb, name)))
            kb.where = untracked(kb.where)  # type: ignore[assignment]
        t4 = time.perf_counter()
        _, used = _take_new_layouts()
        if len(_LAYOUTS) > 3 * len(pages):  # keep what this build used, drop the rest
            for key in _LAYOUTS.keys() - used:
                del _LAYOUTS[key]
        reads = {} if full or last is None else dict(last.reads)
        digests = {} if full or last is None else dict(last.digests)
        changed_pages: list[str] = []
        for path, digest, page_reads, data in results:
            reads[path] = page_reads
            if digests.get(path) != digest:
                changed_pages.append(path)
                if data is not None:
                    files[path] = data
            digests[path] = digest
        extra_written = list(files)
        gone = [p for p in self.extra if p not in extra_digests]
        self.extra = extra_digests
        paths = {p.path for p in pages}
        gone += [p for p in digests if p not in paths]
        for path in gone:
            digests.pop(path, None)
            reads.pop(path, None)
        t5 = time.perf_counter()
        html_changed = any(p.endswith(".html") for p in [*changed_pages, *files, *gone])
        if full and not streaming:
            try:
                site_build.swap_in(files, self.out, search=index if self.search else False)
            finally:
                if prepared is not None:
                    shutil.rmtree(prepared[0], ignore_errors=True)
            report.indexed = self.search
        elif not streaming:
            site_build.write_files(self.out, files)
            for path in gone:
                target = self.out / path
                if target.is_file():
                    target.unlink()
            if self.search and html_changed:
                index(self.out)
                report.indexed = True
        t6 = time.perf_counter()
        self.last = Snapshot(
            kb=kb,
            salt=salt,
            derived={k: untracked(v) for k, v in derived.items()},
            standings=standings,
            reads=reads,
            digests=digests,
            views=views if searching else last.views if last and self.search else None,
            manifest=site_manifest(self.out),
        )
        if self.state_file is not None:
            self.progress.stage("saving")
            self.save()
        t7 = time.perf_counter()
        report.pages, report.rendered = len(pages), len(todo)
        report.written = len(changed_pages) + len(extra_written)
        report.removed, report.full = len(gone), full
        report.seconds = {
            "load+check": t1 - t0,
            "site": t2 - t1,
            "diff+downloads": te - t2,
            "plan": t3 - te,
            "render": t4 - t3 - (sum(searching) if streaming else 0.0),
            "collect": t5 - t4,
            "write": t6 - t5 - (0.0 if streaming else sum(searching)),
            "search index": sum(searching),
            "save state": t7 - t6,
        }
        return report

    @staticmethod
    def changes(
        last: Snapshot,
        kb: KnowledgeBase,
        derived: dict[str, dict],
        standings: dict[tuple[str, str], Any],
    ) -> set[Key]:
        """Return the keys whose content differs from the last build's."""
        old = last.kb
        out: set[Key] = set()
        for name in TABLES:
            before, after = getattr(old, name), getattr(kb, name)
            touched = False
            for rid in before.keys() | after.keys():
                a, b = before.get(rid), after.get(rid)
                if a is b or a == b:
                    continue
                touched = True
                if a is None or b is None:
                    out |= {("?", rid), ("graph", rid)}
                if name in _SELF_ONLY:
                    out.add(("", rid))
                    continue
                for record in (a, b):
                    if record is not None:
                        refs = _references(record, (old, kb))
                        out |= refs
                        out |= {("graph", key) for _, key in refs}
            if touched:
                out.add(("*", name))
            if before.keys() != after.keys():
                out.add(("#", name))
        for rid in old.where.keys() | kb.where.keys():
            a, b = old.where.get(rid), kb.where.get(rid)
            if a is not b and (
                a is None or b is None or (a.path, a.start, a.fixed) != (b.path, b.start, b.fixed)
            ):
                out.add(("where", rid))
                out.add(("*", "where"))
                if a is None or b is None:
                    out.add(("#", "where"))
                    out.add(("where?", rid))
        for name, value in derived.items():
            _dict_changes(last.derived.get(name, {}), value, name, name, out)
        for key in last.standings.keys() | standings.keys():
            if last.standings.get(key) != standings.get(key):
                out.add(("standing", key[1]))
        return out


def build_site(
    kb_root: Path,
    out: Path,
    *,
    base_url: str | None = None,
    search: bool = True,
    use_git: bool = True,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Build a site across both cores; with a cache_dir, re-render only what changed since the
    last run that used it."""
    builder = IncrementalBuilder(
        kb_root,
        out,
        base_url=base_url,
        search=search,
        use_git=use_git,
        jobs=jobs,
        cache_dir=cache_dir,
        atomic=True,
        progress=progress,
    )
    return builder.build()


def default_cache_dir(kb_root: Path, out: Path) -> Path | None:
    """Return the per-user cache folder for one KB and output folder (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    key = f"{Path(kb_root).resolve()}\0{Path(out).resolve()}"
    return base / hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


__all__: list[str] = [
    "FileMemo",
    "IncrementalBuilder",
    "Report",
    "build_site",
    "default_cache_dir",
    "load_checked",
    "load_memo",
    "render_pages",
    "tracked",
]
