"""The realistic benchmark corpus: the bundled debate copied with renamed ids."""

from __future__ import annotations

import sys
from pathlib import Path

from kb.check.entry import load_kb

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import realistic  # noqa: E402


def test_copies_keep_the_shape_and_never_link_across(tmp_path: Path) -> None:
    bundled = load_kb(REPO / "claims")
    folder = realistic.generate(tmp_path, len(bundled.claims) * 2 + 1)
    kb = load_kb(folder)
    # Three copies: every kind of record triples, and nothing is lost to an id clash.
    assert len(kb.claims) == 3 * len(bundled.claims)
    assert len(kb.relations) == 3 * len(bundled.relations)
    assert len(kb.stances) == 3 * len(bundled.stances)
    assert len(kb.questions) == 3 * len(bundled.questions)
    # A relation of copy 2 joins two records of copy 2 (copy 0 keeps the original ids).
    copy2 = [r for r in kb.relations.values() if r.from_.endswith("-2")]
    assert copy2
    for rel in kb.relations.values():
        ends = (rel.from_, rel.to)
        assert sum(e.endswith("-2") for e in ends) in (0, 2), ends


def test_an_edit_changes_one_statement(tmp_path: Path) -> None:
    folder = realistic.generate(tmp_path, 10)
    before = load_kb(folder)
    realistic.edit_statement(folder, 5, "An edited statement.")
    realistic.add_relation(folder, 1, 2, "rebuts")
    after = load_kb(folder)
    changed = [c for c in after.claims if after.claims[c].text != before.claims[c].text]
    assert [after.claims[c].text for c in changed] == ["An edited statement."]
    assert len(after.relations) == len(before.relations) + 1
