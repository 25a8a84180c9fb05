"""The per-process memory report: it finds a forked child's peak, apart from its parent's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import process_peaks  # noqa: E402

# The parent stays small; its forked child holds 120 MB for a moment, then both exit.
FORKING = """
import os, time
pid = os.fork()
if pid == 0:
    block = bytearray(120 * 2**20)
    time.sleep(0.4)
    os._exit(0)
os.waitpid(pid, 0)
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
def test_a_forked_childs_peak_is_its_own() -> None:
    status, seen = process_peaks.watch([sys.executable, "-c", FORKING], every=0.01)
    assert status == 0
    parent, *children = sorted(seen.values(), key=lambda s: s.first)
    assert len(children) == 1
    assert children[0].peak_mb >= 120
    assert parent.peak_mb < 100
