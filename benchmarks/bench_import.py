"""Benchmark: the importers on inputs that were quadratic; prints CPU seconds per size.

Run: python benchmarks/bench_import.py [--sizes 5000 10000 20000 40000]

Rows: `aif-same-text` reads N AIF I-nodes that all have one text (every claim ID is numbered
from one slug), `kialo-brackets` a Kialo file whose first claim is N '[' characters and whose
second is N/4 '[a](' groups (Markdown-link scanning). Both call the readers on parsed data (no
disk, no YAML writing). Linear readers show the time growing with N, not with N squared: the
last column is the time per 1,000 items, which stays flat.
"""

from __future__ import annotations

import argparse
import time

from kb.formats.imports import Batch, read_aif, read_kialo


def aif_same_text(n: int) -> float:
    """Return the CPU seconds of reading n AIF I-nodes with the same text."""
    nodes = [{"nodeID": str(i), "type": "I", "text": "The same claim."} for i in range(n)]
    batch = Batch("dup.json", set())
    start = time.process_time()
    read_aif({"nodes": nodes, "edges": []}, "dup.json", batch)
    return time.process_time() - start


def kialo_brackets(n: int) -> float:
    """Return the CPU seconds of reading a Kialo file of n '[' and n/4 '[a](' groups."""
    text = "1. " + "[" * n + "\n1.1. Pro: " + "[a](" * (n // 4) + "\n"
    batch = Batch("brackets.txt", set())
    start = time.process_time()
    read_kialo(text, "brackets.txt", batch)
    return time.process_time() - start


def main() -> None:
    """Print one row per input kind and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000, 40_000])
    args = parser.parse_args()
    print(f"{'input':<16}{'N':>8}{'seconds':>10}{'s per 1k':>10}")
    for name, fn in (("aif-same-text", aif_same_text), ("kialo-brackets", kialo_brackets)):
        for n in args.sizes:
            seconds = fn(n)
            print(f"{name:<16}{n:>8}{seconds:>10.3f}{seconds / n * 1000:>10.4f}")


if __name__ == "__main__":
    main()
