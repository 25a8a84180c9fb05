"""Time single-statement edits on a built site: in process (kb serve) and as `kb build` runs."""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _cpu(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _serve(folder: Path, work: Path, edits: int, profile: Path | None) -> None:
    """Build once with one IncrementalBuilder, then time edits rebuilt in the same process."""
    from realistic import edit_statement

    from kb.build.incremental import IncrementalBuilder

    builder = IncrementalBuilder(folder, work / "site-serve", use_git=False)
    t, c = time.perf_counter(), _cpu() + _cpu(True)
    builder.build()
    print(
        f"full build (in process): {time.perf_counter() - t:.2f} s wall, "
        f"{_cpu() + _cpu(True) - c:.2f} s CPU"
    )
    for i in range(edits):
        edit_statement(
            folder, 1 + 37 * i, f"An edited statement ({time.time():.0f}-{i}): scaling holds."
        )
        profiler = None
        if profile is not None and i == edits - 1:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        t, c = time.perf_counter(), _cpu() + _cpu(True)
        report = builder.build()
        wall, cpu = time.perf_counter() - t, _cpu() + _cpu(True) - c
        if profiler is not None:
            profiler.stop()
            profile.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        parts = ", ".join(f"{k} {v:.3f}" for k, v in report.seconds.items() if v >= 0.01)
        print(
            f"serve edit {i}: {wall:.3f} s wall, {cpu:.3f} s CPU, rendered {report.rendered}, "
            f"written {report.written}, shards {report.shards} [{parts}]"
        )


def _cli(folder: Path, work: Path, edits: int) -> None:
    """Time `kb build` runs after single edits, each a new process with the cache."""
    from realistic import edit_statement

    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"))
    cmd = [
        sys.executable,
        "-m",
        "kb",
        "build",
        "-q",
        "--kb",
        str(folder),
        "--out",
        str(work / "site-cli"),
    ]
    t, c = time.perf_counter(), _cpu(True)
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"kb build (full): {time.perf_counter() - t:.2f} s wall, {_cpu(True) - c:.2f} s CPU")
    for i in range(edits):
        edit_statement(
            folder, 2 + 41 * i, f"A statement edited for the CLI ({time.time():.0f}-{i})."
        )
        t, c = time.perf_counter(), _cpu(True)
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        print(
            f"kb build edit {i}: {time.perf_counter() - t:.3f} s wall, {_cpu(True) - c:.3f} s CPU"
        )


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path, help="a KB folder (edited in place)")
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--mode", choices=("serve", "cli", "both"), default="both")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile of the last")
    parser.add_argument("--work", type=Path, help="where the sites go (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-edit-"))
    print(f"load average {os.getloadavg()[0]:.2f}; work {work}")
    if args.mode in ("serve", "both"):
        _serve(args.folder, work, args.edits, args.profile)
    if args.mode in ("cli", "both"):
        _cli(args.folder, work, args.edits)


if __name__ == "__main__":
    main()
