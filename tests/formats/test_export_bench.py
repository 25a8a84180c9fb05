"""Export timings at scale: fresh exports against the exporters before the memo, and the memo.

Run on purpose: `python -m pytest -m slow -n 0 -s tests/test_export_bench.py`. KB_BENCH_CLAIMS sets
the size (default 10,000); KB_BENCH_BASELINE a git revision whose kb/export.py to time against.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.build.loading import FileMemo, load_checked
from kb.formats.export import EXPORTERS, ExportMemo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from synth import edit_statement, generate  # noqa: E402

CLAIMS = int(os.environ.get("KB_BENCH_CLAIMS", "10000"))
BASELINE = os.environ.get("KB_BENCH_BASELINE", "31a4d15")


def baseline_exporters(tmp: Path) -> dict | None:
    """Return the EXPORTERS of kb/export.py at the baseline revision, if git has it."""
    try:
        text = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{BASELINE}:kb/export.py"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = tmp / "baseline_export.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_export", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPORTERS


def best(fn, repeat: int = 3) -> float:
    """Return the least CPU time of a few calls (other processes skew wall-clock times)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


@pytest.mark.slow
def test_export_timings(tmp_path: Path) -> None:
    folder = generate(tmp_path, CLAIMS)
    files = FileMemo()
    kb = load_checked(folder, files)
    old = baseline_exporters(tmp_path)
    print(f"\n{CLAIMS} claims; CPU seconds, best of 3")
    total_old = total_new = 0.0
    for fmt in sorted(EXPORTERS):
        new_s = best(lambda fmt=fmt: EXPORTERS[fmt](kb))
        total_new += new_s
        if old is not None:
            assert old[fmt](kb) == EXPORTERS[fmt](kb), fmt
            old_s = best(lambda fmt=fmt: old[fmt](kb))
            total_old += old_s
            print(f"  {fmt:8s} before {old_s:6.3f}  after {new_s:6.3f}  x{old_s / new_s:5.1f}")
        else:
            print(f"  {fmt:8s} after {new_s:6.3f}")
    all_fresh = best(lambda: ExportMemo().export_all(kb))
    if old is not None:
        print(
            f"  all      before {total_old:6.3f}  after {total_new:6.3f} (export_all {all_fresh:.3f})"
        )
    memo = ExportMemo()
    memo.export_all(kb)
    timings = []
    for step in range(5):
        edit_statement(folder, (17 + 997 * step) % CLAIMS, f"An edited statement, number {step}.")
        kb = load_checked(folder, files)
        start = time.process_time()
        got = memo.export_all(kb)
        timings.append(time.process_time() - start)
    assert got == {fmt: exporter(kb) for fmt, exporter in EXPORTERS.items()}
    print(
        f"  memo after one statement edit: median {statistics.median(timings):.3f} "
        f"(min {min(timings):.3f}, max {max(timings):.3f}) vs fresh export_all {all_fresh:.3f}"
    )
    shutil.rmtree(folder)
