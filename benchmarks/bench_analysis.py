"""Benchmarks of the computed standing: grounded labelling, DF-QuAD, the real content's analysis.

Run from the repository root: `python benchmarks/bench_analysis.py`. Each figure is the best of
several runs, wall-clock and CPU time; building the inputs is not timed. Targets (issue 4):
grounded 1,000,000 arguments / 1,500,000 attacks < 2 s; DF-QuAD on a 100,000-node tree
< 0.2 s; the real content's full analysis with cruxes < 100 ms. Synthetic KBs of 1,000 and
10,000 claims are timed too (aim: under a second; cruxes run within a work budget).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from kb.analysis import analyse
from kb.analysis.af import IN, OUT, UNDEC, grounded_labelling
from kb.analysis.gradual import BipolarGraph, evaluate
from kb.check.entry import load_kb

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Return the best wall and CPU seconds over some runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), result


def report(name: str, target: float, wall: float, cpu: float, note: str) -> None:
    """Print one figure against its target."""
    verdict = "ok" if wall < target else ("ok on CPU time" if cpu < target else "OVER")
    print(f"{name:<44} wall {wall:7.3f} s  cpu {cpu:7.3f} s  target {target:g} s  {verdict}")
    print(f"    {note}")


def bench_grounded() -> None:
    """Time grounded labelling on a million arguments."""
    n, m = 1_000_000, 1_500_000
    rng = random.Random(0)
    targets: list[list[int]] = [[] for _ in range(n)]
    for _ in range(m):
        targets[rng.randrange(n)].append(rng.randrange(n))
    wall, cpu, lab = best(lambda: grounded_labelling(n, targets), 3)
    counts = Counter(lab)
    report(
        "grounded, 1M arguments / 1.5M attacks",
        2.0,
        wall,
        cpu,
        f"random attacks: {counts[IN]} in, {counts[OUT]} out, {counts[UNDEC]} undec",
    )
    # A worst case for the queue: one chain, every step waits on the one before.
    chain = [[i + 1] for i in range(n - 1)] + [[]]
    wall, cpu, _ = best(lambda: grounded_labelling(n, chain), 3)
    report("grounded, 1M-argument chain", 2.0, wall, cpu, "every argument decided in turn")


def bench_dfquad() -> None:
    """Time DF-QuAD on a 100,000-node debate tree, in two numberings."""
    n = 100_000
    rng = random.Random(1)
    g = BipolarGraph(
        names=[str(i) for i in range(n)],
        base=[rng.random() for _ in range(n)],
        attackers=[[] for _ in range(n)],
        supporters=[[] for _ in range(n)],
        premise=[-1] * n,
    )
    for i in range(1, n):
        parent = rng.randrange(i)
        (g.attackers if rng.random() < 0.5 else g.supporters)[parent].append(i)
    wall, cpu, res = best(lambda: evaluate(g), 5)
    report(
        "DF-QuAD, 100k-node debate tree",
        0.2,
        wall,
        cpu,
        f"numbered as it grew (root first): root strength {res.strength[0]:.4f}",
    )
    # The same tree numbered at random: index order is no help, Kahn's algorithm runs.
    perm = list(range(n))
    rng.shuffle(perm)
    h = BipolarGraph(
        names=[""] * n,
        base=[0.0] * n,
        attackers=[[] for _ in range(n)],
        supporters=[[] for _ in range(n)],
        premise=[-1] * n,
    )
    for old in range(n):
        new = perm[old]
        h.names[new], h.base[new] = g.names[old], g.base[old]
        h.attackers[new] = [perm[a] for a in g.attackers[old]]
        h.supporters[new] = [perm[b] for b in g.supporters[old]]
    wall, cpu, res2 = best(lambda: evaluate(h), 5)
    same = all(res2.strength[perm[i]] == res.strength[i] for i in range(n))
    report(
        "DF-QuAD, same tree numbered at random",
        0.2,
        wall,
        cpu,
        f"topological pass by Kahn's algorithm; every strength the same: {same}",
    )


def bench_real_content() -> None:
    """Time the full analysis of the bundled content."""
    kb = load_kb(ROOT / "claims")
    wall, cpu, an = best(lambda: analyse(kb), 7)
    labels = Counter(s.label for s in an.claims.values())
    report(
        "real content: full analysis with cruxes",
        0.1,
        wall,
        cpu,
        f"{len(kb.claims)} claims, {len(kb.evidence)} evidence, {len(kb.relations)} relations; "
        f"{dict(sorted(labels.items()))}; non-converged: {len(an.non_converged)}",
    )
    wall, cpu, _ = best(lambda: analyse(kb, cruxes=False), 7)
    report("real content: labels and strengths only", 0.1, wall, cpu, "no crux flips")


def bench_synthetic(sizes: tuple[int, ...] = (1_000, 10_000)) -> None:
    """Time the full analysis of synthetic KBs (benchmarks/synth.py), with and without cruxes."""
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import generate

    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = load_kb(generate(Path(tmp), n, 1))
        wall, cpu, an = best(lambda kb=kb: analyse(kb), 3)
        undecided = sum(1 for s in an.claims.values() if s.label == "undecided")
        report(
            f"synthetic {n:,} claims: full analysis",
            1.0,
            wall,
            cpu,
            f"cruxes computed: {an.cruxes_computed} (work budget); {undecided} undecided",
        )
        wall, cpu, _ = best(lambda kb=kb: analyse(kb, cruxes=False), 3)
        report(f"synthetic {n:,} claims: no cruxes", 1.0, wall, cpu, "labels and strengths")


def main() -> None:
    """Run every benchmark."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall times suffer when it is high)")
    bench_grounded()
    bench_dfquad()
    bench_real_content()
    bench_synthetic()


if __name__ == "__main__":
    main()
