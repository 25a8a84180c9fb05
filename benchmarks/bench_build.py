"""Time `kb build` on the real content and on a synthetic knowledge base of 1,000 claims.

Run: python benchmarks/bench_build.py [--claims 1000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from synth import edit_statement, generate  # noqa: E402

from kb.build import build  # noqa: E402
from kb.build.incremental import IncrementalBuilder  # noqa: E402
from kb.check.entry import load_kb  # noqa: E402


def timed_build(kb_root: Path, out: Path, repeat: int) -> float:
    """Return the best wall time of `repeat` full builds (a fresh folder each time)."""
    best = float("inf")
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        build(kb_root, out)
        best = min(best, time.perf_counter() - start)
    return best


def analysis_seconds(kb_root: Path) -> float:
    """Return how long the standings (kb.analysis) take, a part of every build."""
    try:
        from kb.analysis import analyse
    except ImportError:
        return 0.0
    kb = load_kb(kb_root)
    start = time.perf_counter()
    analyse(kb)
    return time.perf_counter() - start


def describe(name: str, kb_root: Path, out: Path, seconds: float) -> None:
    """Print one line per site: time, pages, size, and the whole-debate map's weight."""
    pages = sum(1 for _ in out.rglob("*.html"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    map_kb = (out / "map.html").stat().st_size / 1024
    print(
        f"{name:<22} {seconds:6.2f} s  {pages:5d} pages  {size / 2**20:6.1f} MB  "
        f"map.html {map_kb:,.0f} kB; of which analysis {analysis_seconds(kb_root):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        real = REPO / "claims"
        seconds = timed_build(real, work / "real", args.repeat)
        describe("real content", real, work / "real", seconds)
        synthetic = generate(work / "synth", args.claims, seed=0)
        seconds = timed_build(synthetic, work / "synth-site", args.repeat)
        describe(f"synthetic {args.claims}", synthetic, work / "synth-site", seconds)
        # What `kb serve` does after one save: rebuild the pages that show the edited claim.
        inc = IncrementalBuilder(synthetic, work / "inc")
        inc.build()
        edit_statement(synthetic, 7, "An edited statement about scaling.")
        start = time.perf_counter()
        report = inc.build()
        print(
            f"{'one edit (kb serve)':<22} {time.perf_counter() - start:6.2f} s  "
            f"{report.rendered} of {report.pages} pages rendered, {report.written} files written"
        )
        print("  phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.seconds.items()))


if __name__ == "__main__":
    main()
