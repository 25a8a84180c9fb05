"""Benchmark: load and check synthetic knowledge bases; prints times and records per second.

Run: python benchmarks/bench_check.py [--claims 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import generate  # noqa: E402

from kb.check import check  # noqa: E402
from kb.errors import Severity  # noqa: E402
from kb.load import load  # noqa: E402


def measure(folder: Path, repeat: int) -> tuple[float, float, int, int]:
    """Return the best load and check times over `repeat` runs, records and problems."""
    best_load = best_check = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        kb, problems = load(folder)
        t1 = time.perf_counter()
        problems += check(kb, problems)
        t2 = time.perf_counter()
        best_load, best_check = min(best_load, t1 - t0), min(best_check, t2 - t1)
    errors = [p for p in problems if p.severity is Severity.error]
    if errors:
        raise SystemExit(f"synthetic KB has errors, first: {errors[0]}")
    return best_load, best_check, sum(kb.counts().values()), len(problems)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'claims':>8} {'records':>8} {'load s':>8} {'check s':>8} {'total s':>8} {'rec/s':>9}")
    for n in args.claims:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(Path(tmp), n)
            load_s, check_s, records, _ = measure(folder, args.repeat)
            total = load_s + check_s
            print(
                f"{n:>8} {records:>8} {load_s:>8.3f} {check_s:>8.3f} {total:>8.3f} {records / total:>9.0f}"
            )


if __name__ == "__main__":
    main()
