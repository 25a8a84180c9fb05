"""The date each record was added and last changed, from the KB's git history."""

from __future__ import annotations

import bisect
import os
import re
import subprocess
from pathlib import Path

from kb.model.kb import KnowledgeBase

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
                i = bisect.bisect_right(firsts, line) - 1
                if i < 0:
                    continue
                rid = starts[i][1]
                added, changed = out.get(rid, (date, date))
                out[rid] = (min(added, date), max(changed, date))
    return dict(sorted(out.items()))
