"""Benchmark: what the number of search shards costs the reader and saves the rebuild.

Builds a synthetic KB's site once, then for each shard count indexes it (as a full build
would), re-indexes the one shard holding an edited claim page (as a rebuild after an edit
would), and times, in the system Chromium, the search page's first query (loading every
shard) and a second query, with the requests and bytes each took, over a local HTTP server.

Run: python benchmarks/bench_search.py [--claims 10000] [--shards 1 4 9 16 32 64]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _cpu_children() -> float:
    t = os.times()
    return t.children_user + t.children_system


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder on a free loopback port; return the server and its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def time_queries(browser: object, url: str, words: list[str]) -> list[tuple[float, int, int]]:
    """Return (seconds, requests, bytes) of each query typed in a fresh search page."""
    page = browser.new_page()  # type: ignore[attr-defined]
    seen: list[int] = []
    page.on("requestfinished", lambda r: seen.append((r.sizes() or {}).get("responseBodySize", 0)))
    page.goto(url + "search.html")
    page.wait_for_load_state("networkidle")
    out = []
    for word in words:
        seen.clear()
        start = time.perf_counter()
        page.evaluate(
            "w => { const f = document.getElementById('search-form');"
            " f.elements.q.value = w; f.dispatchEvent(new Event('input')); }",
            word,
        )
        page.wait_for_function(
            "w => (document.getElementById('search-status').textContent || '').includes(w)"
            " && !document.getElementById('search-status').textContent.startsWith('Searching')",
            arg=word,
            timeout=120_000,
        )
        out.append((time.perf_counter() - start, len(seen), sum(seen)))
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 4, 9, 16, 32, 64])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from synth import generate

    from kb.build import html_pages, index_search
    from kb.build.incremental import IncrementalBuilder

    work = Path(tempfile.mkdtemp(prefix="kb-bench-search-"))
    try:
        folder = generate(work, args.claims, args.seed)
        site = work / "site"
        IncrementalBuilder(folder, site, search=False, use_git=False).build()
        pages = html_pages(site)
        edited = f"claim/claim-{args.claims // 2}.html"
        print(
            f"{args.claims:,} claims, {len(pages):,} pages; first query 'scaling', then 'plateau'"
        )
        print(
            "| shards | index all s | CPU s | re-index one shard s | CPU s "
            "| first query s | requests | KB | second query s | requests | KB |"
        )
        print("|" + "---:|" * 11)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            server, url = serve(site)
            try:
                for n in args.shards:
                    shutil.rmtree(site / "pagefind", ignore_errors=True)
                    c0, t0 = _cpu_children(), time.perf_counter()
                    done = index_search(site, shards=n)
                    full, full_cpu = time.perf_counter() - t0, _cpu_children() - c0
                    previous = work / "previous"
                    shutil.rmtree(previous, ignore_errors=True)
                    previous.mkdir()
                    shutil.copytree(site / "pagefind", previous / "pagefind")
                    page = site / edited
                    page.write_bytes(page.read_bytes().replace(b"<h1", b"<h1 data-edited", 1))
                    c1, t1 = _cpu_children(), time.perf_counter()
                    again = index_search(site, previous, {edited}, shards=n, views=done.views)
                    one, one_cpu = time.perf_counter() - t1, _cpu_children() - c1
                    assert again.indexed == 1, again
                    (q1, r1, b1), (q2, r2, b2) = time_queries(browser, url, ["scaling", "plateau"])
                    print(
                        f"| {n} | {full:.2f} | {full_cpu:.2f} | {one:.2f} | {one_cpu:.2f} "
                        f"| {q1:.2f} | {r1} | {b1 / 1024:,.0f} | {q2:.2f} | {r2} | {b2 / 1024:,.0f} |",
                        flush=True,
                    )
            finally:
                server.shutdown()
                browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
