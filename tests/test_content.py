"""The bundled scaling-debate content meets its minimums and passes the strict check."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kb.check import run_check
from kb.load import load_kb

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "claims"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = (
    "000_64025e73d9593c45.txt",
    "001_546fa43443ae82bb.txt",
    "002_89d6cd37f3c51a3b.txt",
    "003_a54ec4d44a93fcf5.txt",
)


@pytest.fixture(scope="module")
def kb():
    return load_kb(CONTENT)


def test_minimums(kb) -> None:
    quotes = sum(1 for t in (kb.stances, kb.evidence, kb.relations) for r in t.values() if r.quote)
    assert len(kb.questions) >= 8
    assert len(kb.claims) >= 100
    assert len(kb.relations) >= 140
    assert len(kb.actors) >= 25
    assert len(kb.sources) >= 30
    assert quotes >= 180


def test_every_actor_has_a_quoted_stance(kb) -> None:
    speaking = {s.actor for s in kb.stances.values() if s.quote}
    assert set(kb.actors) <= speaking


def test_every_question_has_both_sides(kb) -> None:
    for q in kb.questions.values():
        assert q.positions.pro and q.positions.con, q.id


def test_every_seed_is_archived_and_quoted_at_least_15_times(kb) -> None:
    by_archive = {s.archive: s.id for s in kb.sources.values() if s.archive}
    assert set(by_archive) == set(SEED_FILES)
    counts = Counter(
        r.source for t in (kb.stances, kb.evidence, kb.relations) for r in t.values() if r.quote
    )
    for name in SEED_FILES:
        assert counts[by_archive[name]] >= 15, name


def test_cited_works_are_marked_second_hand(kb) -> None:
    seeds = {s.id for s in kb.sources.values() if s.archive}
    cited = [s for s in kb.sources.values() if s.id not in seeds]
    assert cited
    for s in cited:
        assert s.cited_via in seeds or any(s.id in kb.sources[x].cites for x in seeds), s.id


def test_forecasts_are_open_with_criteria(kb) -> None:
    forecasts = [c for c in kb.claims.values() if c.kind == "forecast"]
    assert len(forecasts) >= 3
    for c in forecasts:
        assert c.forecast is not None and c.forecast.criteria, c.id


def test_reader_comments_are_not_lamberts(kb) -> None:
    assert "interconnects-reader" in kb.actors


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts are not beside the repository")
def test_strict_check_with_quotes_verified() -> None:
    problems = run_check(CONTENT, SEEDS)
    assert [str(p) for p in problems] == []
