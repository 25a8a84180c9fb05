"""The catalogue of problem codes: complete, documented, and each example really reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.check.entry import run_check
from kb.cli import main
from kb.errors import Location, Problem, Severity
from kb.errors.codes import CATALOGUE, CODES, Code, explain

REPO = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"\bKB\d{3}\b")


def _codes_used_in(folder: Path) -> set[str]:
    """Return every code written as a string or a Code member in the Python files of a folder."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.name in ("codes.py", "examples.py"):
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"[\"'](KB\d{3})[\"']", text))
        found |= set(re.findall(r"\bCode\.(KB\d{3})\b", text))
    return found


def test_codes_are_unique_and_ordered() -> None:
    names = [c.code for c in CODES]
    assert len(names) == len(set(names))
    assert names == sorted(names)


def test_each_member_is_its_own_code_text() -> None:
    assert list(Code) == list(CODES)
    for member in Code:
        assert member.name == member.value == member.code == str(member) == f"{member}"
        assert isinstance(member, str) and member == member.value
        assert isinstance(member.severity, Severity)
        assert member.title and member.hint and member.explanation
    assert Code.KB207.severity is Severity.error and Code.KB501.severity is Severity.warning
    assert Code.KB602.severity is Severity.advice
    assert Code("KB207") is Code.KB207 is CATALOGUE["KB207"]


def test_a_problem_with_a_member_reads_like_one_with_the_text() -> None:
    """A Code member and its text make the same problem, printed and exported alike."""
    at = Location("a.yaml", 2, 3)
    by_member = Problem(Code.KB207, Severity.error, at, "undercut", "fix it")
    by_text = Problem("KB207", Severity.error, at, "undercut", "fix it")
    assert by_member == by_text and hash(by_member) == hash(by_text)
    assert str(by_member) == str(by_text) == "a.yaml:2:3: error KB207: undercut (hint: fix it)"
    assert json.dumps(by_member.as_dict()) == json.dumps(by_text.as_dict())
    assert by_member.sort_key() == by_text.sort_key()


def test_only_codes_without_a_single_file_example_lack_one() -> None:
    without = {c.code for c in CODES if c.example is None}
    assert without == {
        "KB002", "KB003", "KB005", "KB009", "KB010", "KB401", "KB402", "KB507", "KB603",
        "KB604", "KB605", "KB606", "KB701", "KB702", "KB801", "KB802",
    }  # fmt: skip


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
