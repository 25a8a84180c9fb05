"""`kb build`: gather every page in memory, write to a temporary folder, index, swap in."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]

from kb.errors import BuildError
from kb.load import KnowledgeBase
from kb.load.safety import MARKER as MARKER
from kb.load.safety import guard_output, read_theme_file, theme_files
from kb.site.memos import Memos
from kb.site.render import Site, make_env, theme_dir

if TYPE_CHECKING:
    from kb.build.progress import Progress
    from kb.formats.export import ExportMemo

# Git dates -----------------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def git_dates(kb: KnowledgeBase) -> tuple[dict[str, tuple[str, str]], str | None]:
    """Return (added, last changed) per record from one `git log -p` call, and HEAD's date."""
    root = kb.root
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                "--no-renames",
                "--relative",
                "-p",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "--format=@@@commit %H %as",
                "--",
                ".",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}, None
    if proc.returncode != 0 or not proc.stdout:
        return {}, None
    # Commits come newest first; each hunk's new-side lines are mapped forward through the
    # hunks of the newer commits of the same file, onto today's lines.
    later: dict[str, list[list[tuple[int, int, int, int]]]] = {}
    touched: dict[str, list[tuple[str, list[int]]]] = {}
    commit_date = ""
    head_date: str | None = None
    current: str | None = None
    hunks_now: dict[str, list[tuple[int, int, int, int]]] = {}

    def flush() -> None:
        for path, hunks in hunks_now.items():
            lines: list[int] = []
            for _os, _ol, ns, nl in hunks:
                span = range(ns, ns + nl) if nl else [max(ns, 1)]
                for line in span:
                    mapped = _map_line(line, later.get(path, []))
                    if mapped is not None:
                        lines.append(mapped)
            touched.setdefault(path, []).append((commit_date, lines))
            later.setdefault(path, []).insert(0, hunks)
        hunks_now.clear()

    for line in proc.stdout.splitlines():
        if line.startswith("@@@commit "):
            flush()
            commit_date = line.split()[2]
            head_date = head_date or commit_date
            current = None
        elif line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else name[2:] if name.startswith("b/") else name
        elif line.startswith("@@ ") and current is not None:
            m = _HUNK.match(line)
            if m:
                os_, ol, ns, nl = (int(g) if g is not None else 1 for g in m.groups())
                hunks_now.setdefault(current, []).append((os_, ol, ns, nl))
    flush()
    return _dates_per_record(kb, touched), head_date


def _map_line(line: int, newer: list[list[tuple[int, int, int, int]]]) -> int | None:
    """Follow a line through the newer commits' hunks; None when a newer commit rewrote it."""
    for hunks in newer:
        shift = 0
        for os_, ol, _ns, nl in hunks:
            start = os_ if ol else os_ + 1
            if ol and start <= line < start + ol:
                return None
            if line >= start + ol:
                shift += nl - ol
        line += shift
    return line


def _dates_per_record(
    kb: KnowledgeBase, touched: dict[str, list[tuple[str, list[int]]]]
) -> dict[str, tuple[str, str]]:
    """Turn touched lines into (first, last) dates for the records standing on them."""
    root = kb.root.resolve()
    by_file: dict[str, list[tuple[int, str]]] = {}
    for rid, where in kb.where.items():
        if rid not in kb.claims and rid not in kb.sources and rid not in kb.questions:
            continue
        try:
            rel = Path(os.path.abspath(where.path)).resolve().relative_to(root).as_posix()
        except ValueError:
            continue
        by_file.setdefault(rel, []).append((where.start[0], rid))
    out: dict[str, tuple[str, str]] = {}
    for rel, starts in by_file.items():
        starts.sort()
        firsts = [s for s, _ in starts]
        for date, lines in touched.get(rel, []):
            for line in lines:
                i = _bisect_right(firsts, line) - 1
                if i < 0:
                    continue
                rid = starts[i][1]
                added, changed = out.get(rid, (date, date))
                out[rid] = (min(added, date), max(changed, date))
    return dict(sorted(out.items()))


def _bisect_right(items: list[int], x: int) -> int:
    import bisect

    return bisect.bisect_right(items, x)


# Downloads ------------------------------------------------------------------------------------


def download_list() -> list[tuple[str, str, str]]:
    """Return (path, format, description) of every download, from the exporters."""
    from kb.formats.export import DESCRIPTIONS, EXPORTERS, file_name

    return [("downloads/" + file_name(f), f, DESCRIPTIONS.get(f, "")) for f in sorted(EXPORTERS)]


def downloads(kb: KnowledgeBase, memo: ExportMemo | None = None) -> dict[str, bytes]:
    """Return the whole KB in every export format, as files of the Downloads page.

    Pass the `ExportMemo` of the last build to re-serialise only what changed since.
    """
    from kb.formats.export import ExportMemo, file_name

    files = (memo or ExportMemo()).export_all(kb)
    return {"downloads/" + file_name(f): data for f, data in files.items()}


# Gathering -----------------------------------------------------------------------------------


def make_site(
    kb: KnowledgeBase,
    base_url: str | None = None,
    use_git: bool = True,
    memos: Memos | None = None,
) -> Site:
    """Return the Site of a loaded knowledge base, with git dates when it is a repository."""
    dates, head = git_dates(kb) if use_git else ({}, None)
    overrides = kb.root / "site" / "templates"
    return Site(
        kb,
        make_env(overrides, within=kb.root),
        base_url=base_url,
        dates=dates,
        head_date=head,
        downloads=download_list(),
        memos=memos,
    )


def assets(kb_root: Path) -> dict[str, bytes]:
    """Return the theme's static files, each overridable by the KB's own site/assets/.

    The KB's files obey the rule of its YAML files: a link leading out of it is refused.
    """
    out: dict[str, bytes] = {}
    theme = theme_dir() / "assets"
    for path in sorted(theme.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out["assets/" + path.relative_to(theme).as_posix()] = path.read_bytes()
    real_root = Path(kb_root).resolve()
    folder = Path(kb_root) / "site" / "assets"
    files, problems = theme_files(folder, real_root)
    if problems:
        from kb.errors import ProblemsFound

        raise ProblemsFound(problems)
    for path in files:
        out["assets/" + path.relative_to(folder).as_posix()] = read_theme_file(path, real_root)
    if "assets/favicon.svg" in out:
        out["favicon.svg"] = out["assets/favicon.svg"]
    return out


# Writing -------------------------------------------------------------------------------------


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write files below folder, refusing any path that would leave it."""
    base = folder.resolve()
    for rel, data in sorted(files.items()):
        target = (base / rel).resolve()
        if not target.is_relative_to(base) or target == base:
            raise BuildError(f"refusing to write outside the site: {rel!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


SEARCH_MARK = b"data-pagefind-body"
PAGES_PER_SHARD = 1000  # see docs/speed.md: more shards re-index less after an edit, search slower
MAX_SHARDS = 32
SHARDS_FILE = "shards.json"


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


# Elements whose end tag may be left out: their extent cannot be found by counting tags.
_OPTIONAL_END = {b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option", b"thead", b"tbody"}
_VOID = {b"area", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"source"}
_OTHER_ATTR = re.compile(rb"data-pagefind-(?!ignore[\s=>])")  # filters, metadata, sort keys
_ATTR = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?\sdata-pagefind-(body|ignore)\b[^<>]*>")


def _element_end(page: bytes, start: int, name: bytes) -> int | None:
    """Return where the element whose start tag begins at `start` ends, or None if unsure."""
    tag_end = page.find(b">", start)
    if tag_end < 0:
        return None
    if name in _VOID:
        return tag_end + 1
    if name in _OPTIONAL_END:
        return None
    opening, closing = b"<" + name, b"</" + name + b">"
    depth, pos = 1, tag_end + 1
    while depth:
        close = page.find(closing, pos)
        if close < 0:
            return None
        inner = page.find(opening, pos, close)
        while inner >= 0 and page[inner + len(opening) : inner + len(opening) + 1] not in (
            b" ",
            b">",
            b"\n",
            b"\t",
            b"/",
        ):
            inner = page.find(opening, inner + 1, close)
        if inner >= 0:
            depth, pos = depth + 1, inner + len(opening)
        else:
            depth, pos = depth - 1, close + len(closing)
    return pos


def search_view(page: bytes) -> bytes:
    """Return the part of a page Pagefind reads: its title and data-pagefind-body elements
    without their data-pagefind-ignore parts (those holding filters or metadata stay).

    Pagefind indexes the view as it would the page, at a third of the bytes; whatever this
    scan cannot place for sure (a marker in text, an element it cannot find the end of, a
    Pagefind attribute outside the indexed parts) makes it return the page unchanged.
    """
    if SEARCH_MARK not in page:
        return page
    regions: list[tuple[int, int]] = []
    pos = 0
    while True:
        at = page.find(SEARCH_MARK, pos)
        if at < 0:
            break
        start = page.rfind(b"<", 0, at)
        m = _ATTR.match(page, start) if start >= 0 else None
        if m is None or m.group(2) != b"body" or m.end() <= at:
            return page
        end = _element_end(page, start, m.group(1).lower())
        if end is None:
            return page
        regions.append((start, end))
        pos = end
    kept: list[bytes] = []
    cut = 0
    for start, end in regions:
        if _OTHER_ATTR.search(page, cut, start):
            return page
        body = _without_ignored(page[start:end])
        if body is None:
            return page
        kept.append(body)
        cut = end
    if _OTHER_ATTR.search(page, cut):
        return page
    html = re.search(rb"<html\b[^<>]*>", page[: regions[0][0]])
    title = re.search(rb"<title>[^<]*</title>", page[: regions[0][0]])
    head = (html.group(0) if html else b"<html>") + b"<head>" + (title.group(0) if title else b"")
    return b"<!DOCTYPE html>" + head + b"</head><body>" + b"".join(kept) + b"</body></html>"


def _without_ignored(body: bytes) -> bytes | None:
    """Return an indexed element without its ignored elements, or None if unsure."""
    out: list[bytes] = []
    pos = cut = 0
    marker = b"data-pagefind-ignore"
    while True:
        at = body.find(marker, pos)
        if at < 0:
            break
        start = body.rfind(b"<", 0, at)
        m = _ATTR.match(body, start) if start >= 0 else None
        if m is None or m.group(2) != b"ignore" or m.end() <= at:
            return None
        end = _element_end(body, start, m.group(1).lower())
        if end is None or _OTHER_ATTR.search(body, m.end(), end):
            pos = at + len(marker)  # kept whole: it holds filters or metadata, or is unsure
            continue
        out.append(body[cut:start])
        cut = pos = end
    out.append(body[cut:])
    return b"".join(out)


def _has_mark(path: Path) -> bool:
    with open(path, "rb") as handle:
        return SEARCH_MARK in handle.read()


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
    return hashlib.blake2b(search_view(data), digest_size=16).digest()


def index_search(
    folder: Path,
    previous: Path | None = None,
    changed: set[str] | None = None,
    shards: int | None = None,
    views: dict[str, bytes] | None = None,
    prepared: tuple[Path, int, dict[str, bytes]] | None = None,
) -> SearchIndex:
    """Index the written site with Pagefind, one bundle per shard of pages.

    Pages go to shards by a stable hash of their path; each shard is indexed by its own
    Pagefind process (two at a time) into pagefind/ (one shard) or pagefind/s<k>/, and the
    search page merges them. Pagefind reads each page's search_view, not the whole page.
    With a previous site and the pages that changed, came or went since it, the shards holding
    none of them are hard-linked from the previous index; with the previous build's view
    digests too, a page counts as changed only when what Pagefind reads of it changed.
    A full index may be handed the views already written by shard (`prepared`: their folder,
    the shard count they were written for, and their digests), as the render workers do.
    """
    pages = html_pages(folder)
    count = planned_shards(len(pages), shards)
    ready = _usable(folder, pages, count, prepared) if previous is None else None
    # Pagefind indexes only the pages marked data-pagefind-body when any page is marked.
    marked = ready is not None or any(_has_mark(folder / p) for p in pages)
    members: dict[int, list[str]] = {}
    for page in pages:
        members.setdefault(shard_of(page, count), []).append(page)
    old = _read_shards(previous / "pagefind") if previous is not None else None
    result = SearchIndex()
    reuse: set[int] = set()
    if old is not None and changed is not None and old == (count, marked, old[2]):
        dirty: set[int] = set()
        for page in sorted(changed):
            if views is not None:
                path = folder / page
                data = path.read_bytes() if page.endswith(".html") and path.is_file() else None
                digest = _view_digest(data, marked)
                if digest == views.get(page):
                    continue
            dirty.add(shard_of(page, count))
        reuse = {k for k in old[2] if k not in dirty}
        if views is not None:
            result.views = {p: d for p, d in views.items() if shard_of(p, count) in reuse}
    target = folder / "pagefind"
    # Rebuilt in place (`kb serve`): the re-indexed shards are swapped in one by one and the
    # others stay where they are, instead of being linked into a new bundle file by file.
    in_place = bool(reuse) and count > 1 and previous is not None
    in_place = in_place and previous.resolve() == folder.resolve()  # type: ignore[union-attr]
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.search-", dir=folder.parent))
    try:
        jobs: list[tuple[Path, Path]] = []
        listed: list[int] = []
        for k in range(count):
            out = staging / "out" / shard_folder(k, count)
            if k in reuse and in_place:
                listed.append(k)
                continue
            if ready is not None:
                source = ready[0] / shard_folder(k, count)
                if source.is_dir():
                    jobs.append((source, out))
                    listed.append(k)
                continue
            if k in reuse:
                assert previous is not None
                link_tree(previous / "pagefind" / shard_folder(k, count), out, _other_shards)
                listed.append(k)
                continue
            source = staging / "src" / str(k)
            for page in members.get(k, []):
                data = (folder / page).read_bytes()
                if marked and SEARCH_MARK not in data:
                    continue
                view = search_view(data)
                result.views[page] = hashlib.blake2b(view, digest_size=16).digest()
                (source / page).parent.mkdir(parents=True, exist_ok=True)
                (source / page).write_bytes(view)
            if source.is_dir():
                jobs.append((source, out))
                listed.append(k)
        if ready is not None:
            result.views = dict(ready[2])
        _run_pagefind(jobs)
        for _, out in jobs:
            _canonical_bundle(out)
        (staging / "out").mkdir(exist_ok=True)
        names = [shard_folder(k, count) + "/" if count > 1 else "" for k in listed]
        state = {"shards": names, "count": count, "marked": marked, "indexes": listed}
        (staging / "out" / SHARDS_FILE).write_text(
            json.dumps(state, separators=(",", ":")), encoding="utf-8"
        )
        if in_place:
            for k in range(count):
                if k in reuse:
                    continue
                new, old = staging / "out" / shard_folder(k, count), target / shard_folder(k, count)
                if new.is_dir() and old.is_dir() and _exchange(new, old):
                    continue  # the old shard is now in staging, removed with it
                if old.is_dir():
                    os.replace(old, staging / f"old-{k}")
                if new.is_dir():
                    os.replace(new, old)
            os.replace(staging / "out" / SHARDS_FILE, target / SHARDS_FILE)
        elif target.exists() and _exchange(staging / "out", target):
            pass  # swapped in one step: a page served meanwhile never misses the index
        elif target.exists():
            gone = Path(tempfile.mkdtemp(prefix=f".{folder.name}.search-", dir=folder.parent))
            os.replace(target, gone / "pagefind")
            os.replace(staging / "out", target)
            shutil.rmtree(gone, ignore_errors=True)
        else:
            os.replace(staging / "out", target)
    finally:
        if in_place:
            remove_later(staging)  # the served site is complete: show the edit first
        else:
            shutil.rmtree(staging, ignore_errors=True)
    result.indexed, result.reused = len(jobs), len(reuse)
    result.views = dict(sorted(result.views.items()))
    return result


_REMOVING: list[threading.Thread] = []


def remove_later(folder: Path) -> None:
    """Remove a folder of spent files in a thread; the process waits for it before exiting."""
    thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True})
    thread.start()
    _REMOVING.append(thread)


def finish_removals() -> None:
    """Wait until the folders handed to remove_later are gone."""
    while _REMOVING:
        _REMOVING.pop().join()


def _usable(
    folder: Path, pages: list[str], count: int, prepared: tuple[Path, int, dict[str, bytes]] | None
) -> tuple[Path, int, dict[str, bytes]] | None:
    """Return the prepared views if they cover every page Pagefind would read, else None."""
    if prepared is None or prepared[1] != count or not prepared[2]:
        return None
    # A page without a view must be one Pagefind skips: an HTML asset, say, with no mark.
    if any(_has_mark(folder / p) for p in pages if p not in prepared[2]):
        return None
    return prepared


def _read_shards(bundle: Path) -> tuple[int, bool, set[int]] | None:
    """Return the shard count, whether pages were marked, and the indexed shards, or None."""
    try:
        state = json.loads((bundle / SHARDS_FILE).read_text(encoding="utf-8"))
        return int(state["count"]), bool(state["marked"]), {int(k) for k in state["indexes"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def link_tree(source: Path, target: Path, skip: Callable[[str], bool]) -> None:
    """Fill target with hard links to every file below source but the skipped top-level names."""
    for dirpath, dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        if rel == ".":
            dirnames[:] = [d for d in dirnames if not skip(d)]
            filenames = [f for f in filenames if not skip(f)]
        here = target if rel == "." else target / rel
        here.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            os.link(os.path.join(dirpath, name), here / name)


def _other_shards(name: str) -> bool:
    """Tell whether a name at the top of a bundle belongs to the sharding, not to the bundle."""
    return name == SHARDS_FILE or re.fullmatch(r"s\d+", name) is not None


# Page furniture that would fill result snippets: headings such as "Proponents", counts,
# muted notes ("Nobody on record asserts this yet."), badges, kinds and tag lists.
SEARCH_EXCLUDE = (
    "h2, h3, .count, .muted, .badge, .kind, .link-type, .crumbs, .tags, .visually-hidden"
)


def _run_pagefind(jobs: list[tuple[Path, Path]]) -> None:
    """Index each source folder into its output folder, as many at once as there are cores."""
    if not jobs:
        return
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise BuildError("cannot index the site for search: the Pagefind binary is missing")
    # The command-line indexer, not the Python API: the API's service is terminated as soon as
    # it answers WriteFiles, which (two at once, on a busy machine) cut files short.
    width = max(1, min(2, os.cpu_count() or 1))
    waiting = list(jobs)
    running: list[tuple[subprocess.Popen[bytes], Path]] = []
    failed: list[str] = []
    while waiting or running:
        while waiting and len(running) < width:
            source, out = waiting.pop(0)
            command = [str(binary), "--site", str(source), "--output-path", str(out)]
            command += ["--force-language", "en", "--silent"]
            command += ["--exclude-selectors", SEARCH_EXCLUDE]
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            running.append((proc, source))
        proc, source = running.pop(0)
        _, err = proc.communicate()
        if proc.returncode != 0:
            message = err.decode("utf-8", "replace").strip()[-300:]
            failed.append(message or f"exit {proc.returncode}")
    if failed:
        raise BuildError(f"cannot index the site for search: {failed[0]}")


# Pagefind writes its filter lists in a random (hash map) order; see Pagefind issue #638. These
# helpers sort them and rename the files after their content, so that the index is reproducible.
_SIGNATURE = b"pagefind_dcd"


def _cbor_decode(data: bytes, i: int = 0) -> tuple[object, int]:
    """Decode the CBOR subset Pagefind writes: integers, strings and arrays."""
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise ValueError("unsupported CBOR item")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        raw = data[i : i + arg]
        return (raw.decode("utf-8") if major == 3 else raw), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    raise ValueError("unsupported CBOR item")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _cbor_encode(value: object) -> bytes:
    """Encode what _cbor_decode reads."""
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise ValueError("unsupported value")


def _read_pf(path: Path) -> object:
    raw = path.read_bytes()
    if not raw.startswith(_SIGNATURE):
        raw = gzip.decompress(raw)
    if not raw.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind file")
    value, _ = _cbor_decode(raw, len(_SIGNATURE))
    return value


def _write_pf(path: Path, value: object) -> None:
    path.write_bytes(gzip.compress(_SIGNATURE + _cbor_encode(value), mtime=0))


def _renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _canonical_bundle(bundle: Path) -> None:
    """Sort Pagefind's filter lists and name its filter and meta files by their content."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for lang, info in entry["languages"].items():
            names: dict[str, str] = {}
            for path in sorted((bundle / "filter").glob(f"{lang}_*.pf_filter")):
                name, values = _read_pf(path)  # type: ignore[misc]
                value = [name, sorted(values, key=lambda v: str(v[0]))]
                digest = hashlib.sha256(_cbor_encode(value)).hexdigest()
                names[path.stem] = f"{lang}_{digest[:7]}"
                path.unlink()
                _write_pf(path.with_name(names[path.stem] + ".pf_filter"), value)
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = _renamed(_read_pf(meta_path), names)
            assert isinstance(meta, list)
            meta = [
                sorted(part, key=str)
                if isinstance(part, list)
                and part
                and all(
                    isinstance(p, list) and len(p) == 2 and p[1] in names.values() for p in part
                )
                else part
                for part in meta
            ]
            digest = hashlib.sha256(_cbor_encode(meta)).hexdigest()
            info["hash"] = f"{lang}_{digest[:10]}"
            meta_path.unlink()
            _write_pf(bundle / f"pagefind.{info['hash']}.pf_meta", meta)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise BuildError(f"cannot make the search index reproducible: {exc}") from exc
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _exchange(new: Path, out: Path) -> bool:
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


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Lock the target's parent folder while one build writes beside it: a second build waits."""
    if fcntl is None:  # Windows: folders cannot be opened this way; no lock
        yield
        return
    handle = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released on close, and when the process dies
        yield
    finally:
        os.close(handle)


_TEMPORARY = (("", "new"), ("", "old"), ("", "search"), (".", "new"))


def _sweep(out: Path) -> None:
    """Remove the temporary folders of killed builds; put back a site a kill left moved away."""
    name = glob.escape(out.name)
    stales = [*out.parent.glob(f".{name}.*-*"), *out.parent.glob(f"..{name}.new-*.search-*")]
    # Search staging folders sit beside the folder being indexed: out, or a new-* folder.
    temporary = tuple(f"{dot}.{out.name}.{kind}-" for dot, kind in _TEMPORARY)
    for stale in sorted(stales):
        if stale.is_dir() and stale.name.startswith(f".{out.name}.old-") and not out.exists():
            os.replace(stale, out)
        elif stale.is_dir() and stale.name.startswith(temporary):
            shutil.rmtree(stale, ignore_errors=True)


def swap_in(
    files: dict[str, bytes],
    out: Path,
    search: bool | Callable[[Path], None] = True,
    fill: Callable[[Path], None] | None = None,
) -> None:
    """Write files (and what `fill` writes) to a temporary folder beside out, index, swap in.

    `search` is True (index the whole folder), False, or the indexing step to run on it.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out):
            _sweep(out)
            _write_and_swap(files, out, search, fill)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildError(
            f"cannot write the site: {exc.strerror or exc}{where}; the previous site is unchanged"
        ) from exc


def _write_and_swap(
    files: dict[str, bytes],
    out: Path,
    search: bool | Callable[[Path], None],
    fill: Callable[[Path], None] | None = None,
) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old: Path | None = None
    try:
        write_files(tmp, files)
        if fill is not None:
            fill(tmp)
        if callable(search):
            search(tmp)
        elif search:
            index_search(tmp)
        os.chmod(tmp, 0o755)
        if out.exists() and _exchange(tmp, out):
            old = tmp  # it now holds the previous site
        elif out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        if old is not tmp:
            os.replace(tmp, out)
    except BaseException as exc:
        # Pagefind fails silently on a full disk; the damage shows later as an unreadable index.
        full = isinstance(exc, BuildError) and shutil.disk_usage(out.parent).free < 1 << 20
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            os.replace(old, out)
        if full:
            raise BuildError(f"{exc} (the disk is full: No space left on device)") from exc
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(
    kb_root: Path,
    out: Path = Path("_site"),
    base_url: str | None = None,
    search: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Build the site of the KB at kb_root into out; return the path of its index.html."""
    out = Path(out).resolve()
    guard_output(out, Path(kb_root))
    from kb.build.incremental import build_site, default_cache_dir

    # The incremental builder renders across both cores, then swaps the folder in whole.
    # Between runs it re-renders only what changed (state under ~/.cache; KB_CACHE=0: off).
    report = build_site(
        Path(kb_root),
        out,
        base_url=base_url,
        search=search,
        cache_dir=default_cache_dir(Path(kb_root), out),
        progress=progress,
    )
    if report.repaired:
        import sys

        print(f"note: files in {out} were changed by hand; rebuilt it whole", file=sys.stderr)
    return out / "index.html"
