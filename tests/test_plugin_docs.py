"""The three plugins that docs/plugins.md shows work as written, installed from outside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_kb

from kb.build import build
from kb.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
SHORT = """
claims:
  - id: short-claim
    text: Scaling <b>works</b>.
    kind: empirical
"""


def examples() -> list[str]:
    """Return the Python blocks of the plugin guide, in order."""
    return re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install each example as a module of one distribution found through its entry points."""
    site = tmp_path / "site-packages"
    info = site / "docs_examples-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: docs-examples\nVersion: 1.0\n", "utf-8"
    )
    points = ["[debate_kb]"]
    for i, code in enumerate(examples()):
        (site / f"docs_example_{i}.py").write_text(code, "utf-8")
        points.append(f"example{i} = docs_example_{i}")
    (info / "entry_points.txt").write_text("\n".join(points) + "\n", "utf-8")
    monkeypatch.syspath_prepend(str(site))


def test_the_guide_shows_a_format_a_check_and_a_page_family() -> None:
    blocks = examples()
    assert len(blocks) == 3
    for hook in ("def kb_formats", "def kb_checks", "def kb_page_families"):
        assert sum(hook in b for b in blocks) == 1, hook


def test_the_format_example_exports_one_statement_per_line(installed: None, tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb")
    result = CliRunner().invoke(main, ["export", "--kb", str(folder), "--format", "titles"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Scaling keeps lowering loss.",
        "Loss curves stay straight on log plots.",
        "The curves are bending.",
    ]
    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    assert "titles" in help_text


def test_the_check_example_warns_of_a_short_claim_where_its_text_is(
    installed: None, tmp_path: Path
) -> None:
    folder = write_kb(tmp_path / "kb", {"short.yaml": SHORT})
    result = CliRunner().invoke(main, ["check", "--kb", str(folder)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    lines = [line for line in result.output.splitlines() if "X001" in line]
    assert len(lines) == 1, result.output
    # The text is on line 3, after `    text: ` (column 11).
    assert (
        "short.yaml:3:11: warning X001: claim 'short-claim' has fewer than four words" in (lines[0])
    )
    strict = CliRunner().invoke(main, ["check", "--kb", str(folder), "--strict"])
    assert strict.exit_code == 1


def test_the_page_family_example_writes_its_page_escaped(installed: None, tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "kb", {"short.yaml": SHORT})
    index = build(folder, tmp_path / "out", search=False)
    page = (index.parent / "longest-claims.html").read_text("utf-8")
    assert page.index("Loss curves stay straight on log plots.") < page.index(
        "The curves are bending."
    )
    assert "<li>Scaling &lt;b&gt;works&lt;/b&gt;.</li>" in page
    assert "longest-claims.html" in (index.parent / "sitemap.xml").read_text("utf-8")
