"""The catalogue of problem codes: complete, documented, and each example really reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.check import run_check
from kb.cli import main
from kb.errors.codes import CATALOGUE, CODES, explain

REPO = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"\bKB\d{3}\b")


def _codes_used_in(folder: Path) -> set[str]:
    """Return every code written as a string in the Python files of a folder."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.name == "codes.py":
            continue
        found |= set(re.findall(r"[\"'](KB\d{3})[\"']", path.read_text(encoding="utf-8")))
    return found


def test_codes_are_unique_and_ordered() -> None:
    names = [c.code for c in CODES]
    assert len(names) == len(set(names))
    assert names == sorted(names)


def test_every_code_the_package_reports_is_in_the_catalogue() -> None:
    used = _codes_used_in(REPO / "kb")
    assert used, "the scan found no codes at all"
    assert used <= set(CATALOGUE), sorted(used - set(CATALOGUE))


def test_the_checking_docs_list_the_catalogue_exactly() -> None:
    text = (REPO / "docs" / "checking.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (KB\d{3}) \| (\w+) \| (.+?) \|$", text, re.M)
    documented = {code: (severity, what) for code, severity, what in rows}
    expected = {c.code: (str(c.severity), c.title) for c in CODES}
    assert documented == expected


@pytest.mark.parametrize("entry", [c for c in CODES if c.example], ids=lambda c: c.code)
def test_each_example_is_reported_with_its_code(tmp_path: Path, entry) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "example.yaml").write_text(entry.example, encoding="utf-8")
    problems = run_check(folder, advice=True)
    codes = {p.code for p in problems}
    assert entry.code in codes, (entry.code, sorted(codes))
    reported = next(p for p in problems if p.code == entry.code)
    assert reported.severity is entry.severity


def test_kb_check_explain_prints_the_entry_and_its_example() -> None:
    result = CliRunner().invoke(main, ["check", "--explain", "kb207"])
    assert result.exit_code == 0
    assert result.output.startswith("KB207 (error): an undercut whose target is not a support link")
    assert "undercuts: [a-claim]" in result.output
    assert explain("KB207") in result.output


def test_kb_check_explain_refuses_an_unknown_code() -> None:
    result = CliRunner().invoke(main, ["check", "--explain", "KB999"])
    assert result.exit_code == 2
    assert "no problem code 'KB999'" in result.output
