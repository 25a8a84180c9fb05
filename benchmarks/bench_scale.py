"""Benchmark: load + check, analysis, full build, incremental rebuilds, memory, and Hugo's time.

Each size runs in a fresh subprocess (so peak memory is its own); prints one table row per size,
then the growth exponent of build time against size and the ratio of our build time to Hugo's.

Run: python benchmarks/bench_scale.py [--claims 1000 10000 50000] [--corpus realistic|synthetic]
     [--baseline] [--no-search]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _mb_self() -> float:
    """Return this process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mb_children() -> float:
    """Return the largest peak resident memory of any waited-for child, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu() -> float:
    """Return CPU seconds used so far by this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _partial(row: dict) -> None:
    """Print the row so far, so that a size that runs out of time still reports its stages."""
    print(json.dumps(row), flush=True)


class AnalysisTimeout(Exception):
    """Raised when the analysis runs past its limit."""


def _out_of_time(signum: int, frame: object) -> None:
    raise AnalysisTimeout("still running")


def measure_stages(folder: Path, analysis_limit: int) -> dict:
    """Time load, check and the analysis on their own; return them as part of a row."""
    from kb.check.run import check
    from kb.load.loader import load

    row: dict = {}
    t0 = time.perf_counter()
    kb, problems = load(folder)
    t1 = time.perf_counter()
    problems += check(kb, problems)
    t2 = time.perf_counter()
    row.update(records=sum(kb.counts().values()), load=t1 - t0, check=t2 - t1)
    try:
        from kb.analysis import analyse  # type: ignore[import-not-found]
    except ImportError:
        row["analysis"] = None
        return row
    t3 = time.perf_counter()
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(analysis_limit)
    try:
        analyse(kb)
        row["analysis"] = time.perf_counter() - t3
    except Exception as exc:  # noqa: BLE001 - reported in the table, the build goes on
        row["analysis"] = None
        row["analysis_error"] = f"{type(exc).__name__}: {exc}"[:120]
        if isinstance(exc, AnalysisTimeout):
            row["analysis_error"] = f"still running after {analysis_limit} s"
    finally:
        signal.alarm(0)
    return row


def measure_one(
    claims: int,
    work: Path,
    search: bool,
    baseline: bool,
    seed: int,
    analysis_limit: int,
    corpus: str = "realistic",
) -> dict:
    """Measure one size in this process; return the row as a dict."""
    import importlib
    import multiprocessing

    from hugo import time_hugo, time_pagefind, write_site

    shape = importlib.import_module(corpus if corpus == "realistic" else "synth")
    add_relation, edit_statement, generate = (
        shape.add_relation,
        shape.edit_statement,
        shape.generate,
    )

    from kb.build.incremental import IncrementalBuilder

    row: dict = {"claims": claims, "corpus": corpus}
    folder = generate(work, claims, seed)
    # The stages run in a forked process, so that the build's peak memory is its own.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        row.update(pool.apply(measure_stages, (folder, analysis_limit)))
    if row.get("analysis_error"):
        # The site then shows every claim undecided, as it does without the module.
        sys.modules["kb.analysis"] = None  # type: ignore[assignment]
    _partial(row)
    builder = IncrementalBuilder(folder, work / "site", search=search, use_git=False)
    t4, c4 = time.perf_counter(), _cpu()
    report = builder.build()
    row["build"] = time.perf_counter() - t4
    row["build_cpu"] = _cpu() - c4
    row["load_average"] = os.getloadavg()[0]
    row["build_parts"] = report.seconds
    row["build_search"] = report.seconds.get("search index")
    row["search_shards"] = report.shards
    row["pages"] = report.pages
    row["html_files"] = sum(1 for _ in (work / "site").rglob("*.html"))
    _partial(row)
    edit_statement(folder, claims // 2, "An edited statement: scaling still holds for now.")
    t5 = time.perf_counter()
    report = builder.build()
    row["edit"] = time.perf_counter() - t5
    row["edit_parts"] = report.seconds
    row["edit_rendered"] = report.rendered
    row["edit_search"] = report.seconds.get("search index")
    row["edit_shards"] = report.shards
    row["edit_visible"] = report.visible  # the edited pages on disk, before index and downloads
    _partial(row)
    add_relation(folder, claims - 7, claims // 3, "rebuts")
    t6 = time.perf_counter()
    report = builder.build()
    row["relation"] = time.perf_counter() - t6
    row["relation_parts"] = report.seconds
    row["relation_rendered"] = report.rendered
    row["relation_search"] = report.seconds.get("search index")
    row["relation_shards"] = report.shards
    row["peak_mb"] = max(_mb_self(), _mb_children())
    if baseline:
        from kb.build import build
        from kb.build.lock import state_locked
        from kb.build.state import default_cache_dir

        # As `kb build` does: timed until it returns, its state saved by a forked process after.
        t7 = time.perf_counter()
        build(folder, work / "baseline", search=search, detach=True)
        row["baseline"] = time.perf_counter() - t7
        cache = default_cache_dir(folder, (work / "baseline").resolve())
        if cache is not None:
            with state_locked(cache, shared=True):  # saved: Hugo's timing has both cores
                pass
    from kb.load.loader import load as load_again

    kb, _ = load_again(folder)
    row["hugo_pages"] = write_site(kb, work / "hugo")
    row["hugo"] = time_hugo(work / "hugo")
    row["pagefind"] = time_pagefind(work / "hugo")
    row["hugo_html_files"] = sum(1 for _ in (work / "hugo" / "public").rglob("*.html"))
    return row


def growth_exponent(rows: list[dict], key: str) -> float | None:
    """Return the least-squares slope of log(time) against log(claims)."""
    points = [(math.log(r["claims"]), math.log(r[key])) for r in rows if r.get(key)]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def machine() -> str:
    """Return a one-line description of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[dict]) -> None:
    """Print the rows as a Markdown table, then growth and Hugo ratios."""
    head = (
        "| claims | records | pages | load s | check s | analysis s | full build s "
        "| rebuild after edit s | rebuild after new relation s | peak MB | Hugo + Pagefind s "
        "| build / (Hugo + Pagefind) |"
    )
    print(head)
    print("|" + "---:|" * (head.count("|") - 1))
    for r in rows:
        if "error" in r:
            cells = [f"{r['claims']:,}", f"{r.get('records', 0):,}", str(r.get("pages", "–"))]
            cells += [_fmt(r.get(k)) for k in ("load", "check", "analysis", "build")]
            cells += [_fmt(r.get(k)) for k in ("edit", "relation")]
            print("| " + " | ".join(cells) + f" | – | – | {r['error']} |")
            continue
        peer = r["hugo"] + r.get("pagefind", 0.0) if r.get("hugo") else None
        ratio = r["build"] / peer if peer else None
        print(
            f"| {r['claims']:,} | {r['records']:,} | {r['pages']:,} | {_fmt(r['load'])} "
            f"| {_fmt(r['check'])} | {_fmt(r['analysis'])} | {_fmt(r['build'])} "
            f"| {_fmt(r['edit'])} | {_fmt(r['relation'])} | {r['peak_mb']:.0f} "
            f"| {_fmt(peer)} | {_fmt(ratio, 1)}x |"
        )
    ok = [r for r in rows if "error" not in r]
    for r in ok:
        if r.get("analysis_error"):
            print(
                f"\n{r['claims']:,} claims: analysis failed ({r['analysis_error']}); "
                "built without standings"
            )
    for r in ok:
        if r.get("build_search") is not None:
            print(
                f"\n{r['claims']:,} claims, Pagefind (shards indexed, reused): full build "
                f"{_fmt(r['build_search'])} s {tuple(r['search_shards'])}, after edit "
                f"{_fmt(r.get('edit_search'))} s {tuple(r.get('edit_shards', ()))}, after new "
                f"relation {_fmt(r.get('relation_search'))} s {tuple(r.get('relation_shards', ()))}"
            )
    exp = growth_exponent(ok, "build")
    print()
    print(f"Growth exponent of full build time against claims: {_fmt(exp)} (1.00 = linear)")
    hexp = growth_exponent(ok, "hugo")
    print(f"Growth exponent of Hugo's time: {_fmt(hexp)}")
    if any("baseline" in r for r in ok):
        for r in ok:
            if "baseline" in r:
                print(
                    f"{r['claims']:,} claims: plain `kb build` {r['baseline']:.1f} s, "
                    f"incremental builder's full build {r['build']:.1f} s"
                )
    print(f"Machine: {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--corpus",
        choices=["realistic", "synthetic"],
        default="realistic",
        help="realistic: the bundled debate copied with renamed ids; synthetic: synth.py.",
    )
    parser.add_argument("--no-search", action="store_true", help="Skip Pagefind indexing.")
    parser.add_argument("--baseline", action="store_true", help="Also time plain `kb build`.")
    parser.add_argument("--timeout", type=float, default=3600, help="Seconds per size.")
    parser.add_argument(
        "--analysis-limit",
        type=int,
        default=120,
        help="Seconds the analysis may take; past it the build runs without standings.",
    )
    parser.add_argument("--json", type=Path, help="Also write the rows to this JSON file.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        row = measure_one(
            args.one,
            args.work,
            not args.no_search,
            args.baseline,
            args.seed,
            args.analysis_limit,
            args.corpus,
        )
        print(json.dumps(row))
        return
    rows = []
    for n in args.claims:
        with tempfile.TemporaryDirectory(prefix=f"kb-scale-{n}-") as tmp:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--work",
                tmp,
                "--seed",
                str(args.seed),
            ]
            cmd += ["--analysis-limit", str(args.analysis_limit), "--corpus", args.corpus]
            cmd += ["--no-search"] if args.no_search else []
            cmd += ["--baseline"] if args.baseline else []
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=args.timeout, check=False
                )
            except subprocess.TimeoutExpired as exc:
                out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
                lines = out.strip().splitlines()
                row = json.loads(lines[-1]) if lines else {"claims": n}
                row["error"] = f"stopped after {args.timeout:.0f} s"
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
                continue
            if proc.returncode != 0:
                tail = proc.stderr.strip().splitlines()[-1:] or ["failed"]
                rows.append({"claims": n, "error": tail[0][:200]})
                continue
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), file=sys.stderr)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
