"""Time the rendering of each kind of page, in one process, as CPU time per page.

Run: python benchmarks/bench_pages.py KB_FOLDER [--tracked] [--kinds claim,question]

With --tracked, pages render with read tracking on, as IncrementalBuilder renders them: the
KB's tables and the site's lookups wrapped to note every key a page reads.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from kb.build import BuildMemos, make_site
from kb.build.loading import FileMemo, load_checked
from kb.build.plan import SKIP_ATTRS, TABLES
from kb.site.reads import Calls, Reads, tracked


def main() -> None:
    """Print the CPU milliseconds per page of each kind of page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kb", type=Path)
    parser.add_argument("--tracked", action="store_true")
    parser.add_argument("--kinds", default="claim,question,source,actor,tag")
    args = parser.parse_args()
    kinds = set(args.kinds.split(","))
    kb = load_checked(args.kb, FileMemo())
    site = make_site(kb, None, use_git=False, memos=BuildMemos())
    if args.tracked:  # as IncrementalBuilder.build does before it renders
        derived = {
            n: v for n, v in vars(site).items() if isinstance(v, dict) and n not in SKIP_ATTRS
        }
        for name in TABLES:
            setattr(kb, name, tracked(getattr(kb, name), "", name))
        kb.where = tracked(kb.where, "where", "where")  # type: ignore[assignment]
        for name, value in derived.items():
            setattr(site, name, tracked(value, name, name))
        site.graph = Calls(site.graph)  # type: ignore[assignment]
        site.standings = Calls(site.standings)  # type: ignore[assignment]
    seconds: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for page in site.pages():  # in the build's order: earlier pages fill per-build memos
        kind = page.path.split("/")[0] if "/" in page.path else "global"
        if kind not in kinds:
            continue
        Reads.now = set() if args.tracked else None
        start = time.process_time()
        page.render()
        seconds[kind] += time.process_time() - start
        Reads.now = None
        count[kind] += 1
    mode = "tracked" if args.tracked else "untracked"
    for kind in sorted(seconds):
        ms = 1000 * seconds[kind] / count[kind]
        print(f"{mode:9} {kind:9} {count[kind]:6} pages {seconds[kind]:7.2f} s {ms:7.3f} ms/page")


if __name__ == "__main__":
    main()
