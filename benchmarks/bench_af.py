"""Preferred and stable semantics against clingo, and what the build's give-up on a hard tangle costs.

Run from the repository root: `python benchmarks/bench_af.py [--quick]`. Part 1 enumerates the
extensions of every instance in tests/data/iccma with kb (`extensions`) and with clingo (the
ASP encodings of tests/analysis/test_af.py), both in this process, and times the build's per-argument
standing (`acceptance`). Goal (issue 18): every instance clingo solves within 20 s is solved in
at most 2x clingo's CPU time. Part 2 runs the build's `acceptance`, with the analysis's budget,
on the hard published ICCMA 2025 instances in tests/data/iccma (890 arguments / 37,125 attacks;
7,346 arguments / 15,646 attacks) and on dense random frameworks of such shapes, and says
whether it settled them, how long it took, and whether clingo enumerates their preferred
extensions within 20 s. `--quick` skips the 150-argument instance.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from kb.analysis import SAT_BUDGET
from kb.analysis.af import Framework, acceptance, extensions, read_af

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "analysis"))
from test_af import clingo_control, collect  # noqa: E402  (the oracles' own encodings)

CLINGO_LIMIT = 20.0  # CPU seconds: what 'clingo struggles' means for the random frameworks
CLINGO_PATIENCE = 120.0  # CPU seconds given to clingo on the published instances
# Published instances that neither kb nor clingo enumerates: part 2 times the build's give-up.
HARD = ("st_890_86_9_572.af", "a1210993_20150717_0403.gml.80.af")


def run_clingo(af: Framework, semantics: str, limit: float = CLINGO_LIMIT) -> list | None:
    """Return clingo's sorted extensions, or None if it needed more than `limit` CPU seconds."""
    ctl, found = clingo_control(af, semantics)
    start = time.process_time()
    with ctl.solve(on_model=collect(af, found), async_=True) as handle:
        # The limit is CPU time, which a loaded machine does not shrink.
        while not handle.wait(0.2):
            if time.process_time() - start > limit:
                handle.cancel()
                return None
    return sorted(found)


def cpu(fn):  # noqa: ANN001, ANN201
    """Return (CPU seconds, result) of one call."""
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def part_one(quick: bool) -> None:
    """Enumerate the published instances with kb and clingo."""
    print(
        "| instance | args / attacks | sem | extensions | kb CPU s | clingo CPU s | ratio | agree | standing CPU s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    names = sorted(p.name for p in (ROOT / "tests/data/iccma").glob("*.*") if p.suffix != ".md")
    names = [name for name in names if name not in HARD]
    for name in names:
        if quick and name.startswith("n150"):
            continue
        af = read_af(ROOT / "tests/data/iccma" / name)
        attacks = sum(map(len, af.targets))
        t_acc, acc = cpu(
            lambda af=af: acceptance(len(af), af.targets, budget=SAT_BUDGET, strict=False)
        )
        for sem in ("PR", "ST"):
            t_kb, mine = cpu(lambda af=af, sem=sem: extensions(af, sem))
            t_cl, theirs = cpu(lambda af=af, sem=sem: run_clingo(af, sem, CLINGO_PATIENCE))
            shown = "timeout" if theirs is None else f"{t_cl:.2f}"
            ratio = f"{t_kb / t_cl:.2f}" if theirs is not None and t_cl > 0.05 else "-"
            agree = "-" if theirs is None else ("yes" if mine == theirs else "NO")
            standing = f"{t_acc:.3f}" + (" (gave up)" if acc.unresolved else "")
            print(
                f"| {name} | {len(af)} / {attacks} | {sem} | {len(mine)} | {t_kb:.2f} | {shown} "
                f"| {ratio} | {agree} | {standing} |"
            )


def random_af(n: int, m: int, seed: int) -> Framework:
    """Return a random framework with n arguments and m distinct attacks."""
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        pairs.add((rng.randrange(n), rng.randrange(n)))
    af = Framework()
    for i in range(n):
        af.add(str(i))
    for a, b in sorted(pairs):
        af.attack(str(a), str(b))
    return af


SHAPES = [(890, 37_125), (300, 6_000), (2_000, 8_000), (7_346, 20_000), (7_346, 60_000)]


def part_two() -> None:
    """Time the build's acceptance (with its budget) on the hard published and random frameworks."""
    print()
    print(f"budget: {SAT_BUDGET.conflicts:,} conflicts, {SAT_BUDGET.propagations:,} propagations")
    print("| framework | build's standing | CPU s | clingo PR within 20 s CPU |")
    print("| --- | --- | --- | --- |")
    published = [(name, read_af(ROOT / "tests/data/iccma" / name)) for name in HARD]
    shapes = [(f"random {n:,} / {m:,} (seed 1)", random_af(n, m, 1)) for n, m in SHAPES]
    for label, af in published + shapes:
        t_acc, acc = cpu(
            lambda af=af: acceptance(len(af), af.targets, budget=SAT_BUDGET, strict=False)
        )
        state = f"gave up ({len(acc.unresolved)} undecided)" if acc.unresolved else "settled"
        t_cl, theirs = cpu(lambda af=af: run_clingo(af, "PR"))
        clingo_state = "no (timeout)" if theirs is None else f"yes, {t_cl:.2f} s"
        print(f"| {label} | {state} | {t_acc:.2f} | {clingo_state} |")


if __name__ == "__main__":
    part_one("--quick" in sys.argv)
    part_two()
