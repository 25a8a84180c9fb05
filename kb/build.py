"""`kb build`: gather every page in memory, write to a temporary folder, index, swap in."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kb.errors import BuildError
from kb.load import KnowledgeBase
from kb.render import Site, make_env, theme_dir

MARKER = ".kb-site"

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
    from kb.export import DESCRIPTIONS, EXPORTERS, file_name

    return [("downloads/" + file_name(f), f, DESCRIPTIONS.get(f, "")) for f in sorted(EXPORTERS)]


def downloads(kb: KnowledgeBase) -> dict[str, bytes]:
    """Return the whole KB in every export format, as files of the Downloads page."""
    from kb.export import EXPORTERS, export, file_name

    return {"downloads/" + file_name(f): export(kb, f) for f in sorted(EXPORTERS)}


# Gathering -----------------------------------------------------------------------------------


def make_site(kb: KnowledgeBase, base_url: str | None = None, use_git: bool = True) -> Site:
    """Return the Site of a loaded knowledge base, with git dates when it is a repository."""
    dates, head = git_dates(kb) if use_git else ({}, None)
    overrides = kb.root / "site" / "templates"
    return Site(
        kb,
        make_env(overrides),
        base_url=base_url,
        dates=dates,
        head_date=head,
        downloads=download_list(),
    )


def assets(kb_root: Path) -> dict[str, bytes]:
    """Return the theme's static files, each overridable by the KB's own site/assets/."""
    out: dict[str, bytes] = {}
    for folder in (theme_dir() / "assets", kb_root / "site" / "assets"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(folder).as_posix()
                out["assets/" + rel] = path.read_bytes()
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


def index_search(folder: Path) -> None:
    """Index the written site with Pagefind's Python API (add_directory)."""
    from pagefind.index import IndexConfig, PagefindIndex

    async def run() -> None:
        config = IndexConfig(output_path=str(folder / "pagefind"), force_language="en")
        async with PagefindIndex(config=config) as index:
            await index.add_directory(str(folder))

    asyncio.run(run())


def _check_target(out: Path, kb_root: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise BuildError(
            f"{out} is not empty and was not written by kb build; choose another --out"
        )
    kb = kb_root.resolve()
    if out == kb or kb.is_relative_to(out) or out == Path(out.anchor):
        raise BuildError(f"refusing to build into {out}: it holds the knowledge base")


def swap_in(files: dict[str, bytes], out: Path, search: bool = True) -> None:
    """Write files to a temporary folder beside out, index them, then swap it in."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old: Path | None = None
    try:
        write_files(tmp, files)
        if search:
            index_search(tmp)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not out.exists():
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(
    kb_root: Path, out: Path = Path("_site"), base_url: str | None = None, search: bool = True
) -> Path:
    """Build the site of the KB at kb_root into out; return the path of its index.html."""
    out = Path(out).resolve()
    _check_target(out, Path(kb_root))
    from kb.cache import build_site

    # The incremental builder renders across both cores, then swaps the folder in whole.
    build_site(Path(kb_root), out, base_url=base_url, search=search)
    return out / "index.html"
