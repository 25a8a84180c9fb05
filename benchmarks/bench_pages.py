"""Time the rendering of each kind of page, in one process, as CPU time per page.

Run: python benchmarks/bench_pages.py KB_FOLDER [--tracked] [--kinds claim,question]

A page's kind is its folder (claim, exchange, claims for the index's parts ...) or, for a page at
the top, its file name (index.html, feed.xml ...); every kind is timed unless --kinds names some.
With --tracked, pages render with read tracking on, as IncrementalBuilder renders them: the KB's
tables and the site's lookups wrapped to note every key a page reads.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import defaultdict
from pathlib import Path

from kb.build import BuildMemos, make_site
from kb.build.loading import FileMemo, load_checked
from kb.build.plan import SKIP_ATTRS, TABLES
from kb.site.reads import Calls, Reads, tracked


def kind_of(path: str) -> str:
    """Return a page's kind: its folder, or its file name when it has none."""
    return path.split("/")[0] if "/" in path else path


def main() -> None:
    """Print the CPU milliseconds per page of each kind of page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kb", type=Path)
    parser.add_argument("--tracked", action="store_true")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    args = parser.parse_args()
    kinds = set(args.kinds.split(",")) if args.kinds else None
    kb = load_checked(args.kb, FileMemo())
    start = time.process_time()
    site = make_site(kb, None, use_git=False, memos=BuildMemos())
    made = time.process_time() - start
    if args.tracked:  # as IncrementalBuilder.build does before it renders
        derived = {
            n: v for n, v in vars(site).items() if isinstance(v, dict) and n not in SKIP_ATTRS
        }
        for name in TABLES:
            setattr(kb, name, tracked(getattr(kb, name), "", name))
        kb.where = tracked(kb.where, "where", "where")  # type: ignore[assignment]
        for name, value in derived.items():
            setattr(site, name, tracked(value, name, name))
        site.graph = Calls(site.graph, "graph")  # type: ignore[assignment]
        site.standings = Calls(site.standings, "standing")  # type: ignore[assignment]
    gc.freeze()  # as the build does before it forks its render workers
    seconds: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for page in site.pages():  # in the build's order: earlier pages fill per-build memos
        kind = kind_of(page.path)
        if kinds is not None and kind not in kinds:
            continue
        Reads.now = set() if args.tracked else None
        start = time.process_time()
        page.render()
        seconds[kind] += time.process_time() - start
        Reads.now = None
        count[kind] += 1
    mode = "tracked" if args.tracked else "untracked"
    print(f"{mode:9} {'site':14} {1:6} made   {made:7.2f} s")
    for kind in sorted(seconds, key=lambda k: -seconds[k]):
        ms = 1000 * seconds[kind] / count[kind]
        print(f"{mode:9} {kind:14} {count[kind]:6} pages {seconds[kind]:7.2f} s {ms:8.3f} ms/page")
    total = sum(seconds.values())
    print(f"{mode:9} {'total':14} {sum(count.values()):6} pages {total:7.2f} s")


if __name__ == "__main__":
    main()
