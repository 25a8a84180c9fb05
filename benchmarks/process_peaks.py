"""Run a command and report the peak resident memory of it and of every process it starts.

Run: python benchmarks/process_peaks.py [--every 0.02] -- kb build --kb KB --out SITE

Polls /proc (Linux) every --every seconds for the command's process tree and prints, for each
process that grew past 50 MB, its name, when it was first and last seen and its largest resident
set, with when that was. `/usr/bin/time` gives only the largest of them; this says which process
it was (the builder, the forked export job, a render worker, Pagefind) and at what point.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Seen:
    """One process as polled: its name, first and last sighting, and its largest RSS."""

    name: str
    first: float
    last: float
    peak_mb: int = 0
    peak_at: float = 0.0


def _children(pid: int) -> list[int]:
    """Return the processes a process started (through every one of its threads)."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:  # gone meanwhile
        pass
    return out


def _status(pid: int) -> tuple[str, int] | None:
    """Return a process's name and resident set in MB, or None once it is gone."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        return fields["Name"].strip(), int(fields["VmRSS"].split()[0]) // 1024
    except (OSError, KeyError, ValueError):  # gone, or a zombie without VmRSS
        return None


def watch(command: list[str], every: float = 0.02) -> tuple[int, dict[int, Seen]]:
    """Run command to its end, polling its process tree; return its exit status and processes."""
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    seen: dict[int, Seen] = {}
    while proc.poll() is None:
        now = time.monotonic() - start
        tree, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += _children(pid)
        for pid in tree:
            status = _status(pid)
            if status is None:
                continue
            name, rss = status
            entry = seen.setdefault(pid, Seen(name, now, now))
            entry.last = now
            if rss > entry.peak_mb:
                entry.peak_mb, entry.peak_at = rss, now
        time.sleep(every)
    return proc.returncode, seen


def main() -> int:
    """Run the command given after `--` and print each sizeable process's peak."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=float, default=0.02, help="Seconds between polls.")
    parser.add_argument("--over", type=int, default=50, help="Report processes past this MB.")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    status, seen = watch(command, args.every)
    for pid, entry in sorted(seen.items(), key=lambda item: item[1].first):
        if entry.peak_mb > args.over:
            print(
                f"{pid:>8} {entry.name:<12} {entry.first:7.1f}-{entry.last:7.1f} s"
                f"  peak {entry.peak_mb:,} MB at {entry.peak_at:.1f} s"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
