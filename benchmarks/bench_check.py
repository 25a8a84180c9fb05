"""Benchmark: load and check synthetic knowledge bases; prints times and records per second.

Run: python benchmarks/bench_check.py [--claims 1000 10000] [--kb FOLDER ...] [--repeat 3]

Columns: parse (the YAML files alone), load (parse + records), check, total (load + check),
warm total (load + check with every file's parse from a filled kb.load.ParseCache, as a second
`kb check` run has it), and records per second of the cold total. Times are CPU seconds of this
single process (its wall time on an idle machine, unlike wall time on a shared one), the best
of --repeat runs; the last line compares loading with the exact reader's (composed nodes, as
before the fast reader) in the same run. Process start and imports are not included.

With --kb, each folder given (such as a copy of benchmarks/realistic.py's OUT/kb) is measured
instead of synthetic ones, with three more columns: serve s, what `kb serve` spends loading and
checking after one file is saved (kb.build.loading.load_checked with a FileMemo holding every
other file's records); replay s, loading with every file's load-memo entry unpickled from its
own pickle, as a records pack kept between runs would give them (unpickling and replaying,
not reading the file; the pickles' MB follow); and MiB, what the loaded knowledge base holds
(Python's allocations that one load leaves alive, as tracemalloc counts them). The folder is
only read: the edited file is a copy in a temporary one.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synth import generate  # noqa: E402

from kb.build.loading import FileMemo, load_checked, load_memo
from kb.check.run import check
from kb.errors import Severity  # noqa: E402
from kb.load import parse as kb_load
from kb.load.cache import ParseCache
from kb.load.files import find_files, read_text
from kb.load.loader import load
from kb.load.parse import parse_yaml


def best(fn, repeat: int) -> tuple[float, object]:
    """Return the best CPU time of fn over `repeat` runs, and its last result."""
    times = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()  # as load() does: the collector would rescan what was just built
        t0 = time.process_time()
        result = fn()
        times.append(time.process_time() - t0)
        gc.enable()
    return min(times), result


def measure(folder: Path, repeat: int, cache_dir: Path) -> dict[str, float]:
    """Return the best parse, load, check and warm-load times, and the record count."""
    texts = [read_text(path)[0] or "" for path in find_files(folder)[0]]
    parse_s, _ = best(lambda: [parse_yaml(text, "f") for text in texts], repeat)
    load_s, (kb, problems) = best(lambda: load(folder), repeat)
    check_s, checked = best(lambda: check(kb, problems), repeat)
    errors = [p for p in [*problems, *checked] if p.severity is Severity.error]
    if errors:
        raise SystemExit(f"synthetic KB has errors, first: {errors[0]}")
    load(folder, cache=ParseCache(cache_dir))  # fill the cache
    warm_s, _ = best(lambda: load(folder, cache=ParseCache(cache_dir)), repeat)
    fast = kb_load._fast_parse
    kb_load._fast_parse = _always_exact  # type: ignore[assignment]
    try:
        exact_s, _ = best(lambda: load(folder), repeat)
    finally:
        kb_load._fast_parse = fast
    records = sum(kb.counts().values())
    return {
        "parse": parse_s,
        "load": load_s,
        "check": check_s,
        "warm": warm_s,
        "exact": exact_s,
        "records": records,
    }


def measure_serve(folder: Path, repeat: int, tmp: Path) -> float:
    """Return the best CPU time of load_checked with a warm FileMemo after one file is edited."""
    copy = tmp / "serve-kb"
    shutil.copytree(folder, copy)
    edited = find_files(copy)[0][-1]
    text = edited.read_text("utf-8")
    memo = FileMemo()
    load_checked(copy, memo)
    times = []
    for i in range(repeat):
        edited.write_text(f"{text}\n# edit {i}\n", "utf-8")
        gc.collect()
        t0 = time.process_time()
        load_checked(copy, memo)
        times.append(time.process_time() - t0)
    return min(times)


def measure_replay(folder: Path, repeat: int) -> tuple[float, float]:
    """Return the best time to unpickle every file's load-memo entry and replay it, and its MB."""
    memo = FileMemo()
    load_memo(folder, memo)
    pickles = {path: pickle.dumps(entry, protocol=5) for path, entry in memo.files.items()}

    def replay() -> object:
        files = {path: pickle.loads(data) for path, data in pickles.items()}
        return load_memo(folder, FileMemo(files=files))

    seconds, _ = best(replay, repeat)
    return seconds, sum(map(len, pickles.values())) / 1e6


def loaded_mib(folder: Path) -> float:
    """Return what one loaded knowledge base holds, in MiB of Python's allocations."""
    tracemalloc.start()
    try:
        loaded = load(folder)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del loaded
    return size / 2**20


def _always_exact(text: str) -> list:
    raise kb_load._Fallback


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--kb", type=Path, nargs="+", help="measure these folders instead")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.kb:
        measure_folders(args.kb, args.repeat)
        return
    print(
        f"{'claims':>8} {'records':>8} {'parse s':>8} {'load s':>8} {'check s':>8}"
        f" {'total s':>8} {'warm s':>8} {'rec/s':>9}"
    )
    ratios = []
    for n in args.claims:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(Path(tmp), n)
            m = measure(folder, args.repeat, Path(tmp) / "cache")
            total = m["load"] + m["check"]
            warm_total = m["warm"] + m["check"]
            print(
                f"{n:>8} {m['records']:>8} {m['parse']:>8.3f} {m['load']:>8.3f}"
                f" {m['check']:>8.3f} {total:>8.3f} {warm_total:>8.3f}"
                f" {m['records'] / total:>9.0f}"
            )
            ratios.append(f"{n}: {m['load'] / m['exact']:.2f}")
    print("load time against the exact reader's (same run):", ", ".join(ratios))


def measure_folders(folders: list[Path], repeat: int) -> None:
    """Print the columns of main() for existing knowledge base folders, with the serve path's."""
    print(
        f"{'claims':>8} {'records':>8} {'load s':>8} {'check s':>8} {'total s':>8}"
        f" {'warm s':>8} {'serve s':>8} {'replay s':>8} {'MB':>5} {'MiB':>6}  folder"
    )
    for folder in folders:
        with tempfile.TemporaryDirectory() as tmp:
            load_s, (kb, problems) = best(lambda folder=folder: load(folder), repeat)
            check_s, _ = best(lambda kb=kb, p=problems: check(kb, p), repeat)
            cache = Path(tmp) / "cache"
            load(folder, cache=ParseCache(cache))  # fill the cache
            warm_s, _ = best(lambda f=folder, c=cache: load(f, cache=ParseCache(c)), repeat)
            serve_s = measure_serve(folder, repeat, Path(tmp))
            replay_s, replay_mb = measure_replay(folder, repeat)
            mib = loaded_mib(folder)
            print(
                f"{len(kb.claims):>8} {sum(kb.counts().values()):>8} {load_s:>8.3f}"
                f" {check_s:>8.3f} {load_s + check_s:>8.3f} {warm_s + check_s:>8.3f}"
                f" {serve_s:>8.3f} {replay_s:>8.3f} {replay_mb:>5.1f} {mib:>6.1f}  {folder}"
            )


if __name__ == "__main__":
    main()
