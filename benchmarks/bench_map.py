"""Benchmark: the whole-debate map (map.html): its layout, its context + render, and its size.

Run: PYTHONPATH=. python benchmarks/bench_map.py FOLDER [FOLDER ...]  (each a KB's claims folder)
Prints one JSON row per folder: claims, layout seconds (the Site.__init__ layout, without its
memo), map seconds (ctx_map + rendering of map.html, best of three) and the page's bytes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kb.build import make_site
from kb.check.entry import load_kb
from kb.site import maps
from kb.site.families.overview import map_context
from kb.site.paths import Paths
from kb.site.site import Site


def _layout_seconds(site: Site) -> float:
    """Time the overview that Site.__init__ computes (its layout memo bypassed)."""
    kb = site.kb
    start = time.perf_counter()
    if len(kb.claims) > getattr(maps, "GROUP_MAP_ABOVE", float("inf")):
        hrefs = {"question": Paths.question, "tag": Paths.tag, "claims": lambda _: "claims.html"}
        maps.overview_groups(kb, site.graph, site.claim_sides, site.standings, hrefs)
    else:
        edges = maps.overview_edges(kb, site.graph)
        maps._force_layout(sorted(kb.claims), [(e["from"], e["to"]) for e in edges])
    return time.perf_counter() - start


def measure(folder: Path) -> dict:
    """Return the row of one KB."""
    kb = load_kb(folder)
    site = make_site(kb, use_git=False)
    layout = _layout_seconds(site)
    best = float("inf")
    html = ""
    for _ in range(3):
        start = time.perf_counter()
        html = site.render("map.html", "map.html", title="Map of the debate", **map_context(site))
        best = min(best, time.perf_counter() - start)
    return {
        "claims": len(kb.claims),
        "layout_s": round(layout, 3),
        "map_s": round(best, 3),
        "bytes": len(html.encode()),
    }


def main() -> None:
    """Measure each folder given."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", type=Path)
    for folder in parser.parse_args().folders:
        print(json.dumps(measure(folder)), flush=True)


if __name__ == "__main__":
    main()
