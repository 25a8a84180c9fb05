"""The serve benchmark: an edit timed from the save to the open page showing it, in Chromium."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_serve  # noqa: E402
import realistic  # noqa: E402


@pytest.mark.slow
@pytest.mark.browser
def test_an_edit_is_timed_until_the_open_page_shows_it(tmp_path: Path) -> None:
    folder = realistic.generate(tmp_path / "kb", 200)
    shown = bench_serve.run(folder, edits=2)
    assert len(shown) == 2
    assert all(0 < seconds < 30 for seconds in shown)
