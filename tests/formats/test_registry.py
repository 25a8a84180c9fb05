"""The format registry: built-in formats, plugins registered in code or installed, duplicates."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_kb

import kb.plugins
from kb.check.entry import load_kb
from kb.cli import main
from kb.errors import UsageError
from kb.formats.batch import Batch
from kb.formats.export import DESCRIPTIONS, EXPORTERS, MEDIA_TYPES, file_name, run_export
from kb.formats.imports import import_files
from kb.formats.memo import MEMO_FORMATS
from kb.formats.registry import Format, FormatConflict, exporting, formats, reading
from kb.model.kb import KnowledgeBase

BUILT_IN = ["json", "graphml", "dot", "csv", "aif", "xaif", "kialo", "argdown"]
EXPORTING = ["json", "graphml", "dot", "csv", "aif", "xaif", "argdown"]
READING = ["aif", "xaif", "kialo", "argdown"]


def claim_ids(kb: KnowledgeBase) -> str:
    return "".join(f"{cid}\n" for cid in sorted(kb.claims))


def read_lines(path: Path, batch: Batch) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        batch.claim(line)


class LinesPlugin:
    """A plugin defined here, registered in code: one format that writes and reads."""

    @kb.plugins.hookimpl
    def kb_formats(self) -> list[Format]:
        return [Format("lines", "kb.lines", "text/plain", "Claim IDs.", claim_ids, read_lines)]


class JsonAgain:
    """A plugin that claims a built-in format's name."""

    @kb.plugins.hookimpl
    def kb_formats(self) -> list[Format]:
        return [Format("json", export=claim_ids)]


class NotAFormat:
    @kb.plugins.hookimpl
    def kb_formats(self) -> list[object]:
        return ["lines"]


def built_in() -> dict[str, Format]:
    return formats(kb.plugins.plugin_manager(entry_points=False))


def test_built_in_formats_in_order() -> None:
    registry = built_in()
    assert list(registry) == BUILT_IN
    assert list(exporting(registry)) == EXPORTING
    assert list(reading(registry)) == READING
    assert list(EXPORTERS) == EXPORTING
    assert sorted(MEMO_FORMATS) == sorted(EXPORTING)
    assert [file_name(f) for f in EXPORTING] == [
        "debate-kb.json",
        "debate-kb.graphml",
        "debate-kb.dot",
        "debate-kb-csv.zip",
        "debate-kb.aif.json",
        "debate-kb.xaif.json",
        "debate-kb.argdown",
    ]
    assert MEDIA_TYPES["csv"] == "application/zip"
    assert DESCRIPTIONS["xaif"] == "xAIF for OVA3."


def test_a_plugin_format_registers_and_exports(tmp_path: Path) -> None:
    write_kb(tmp_path)
    root = tmp_path / "claims"
    registry = formats(kb.plugins.plugin_manager(LinesPlugin(), entry_points=False))
    assert list(registry) == [*BUILT_IN, "lines"]
    assert list(exporting(registry))[-1] == "lines"
    assert list(reading(registry))[-1] == "lines"
    want = claim_ids(load_kb(root))
    assert want.count("\n") >= 2
    out = tmp_path / "out" / "kb.lines"
    assert run_export(root, "lines", out, registry) == out
    assert out.read_text(encoding="utf-8") == want  # text is written as UTF-8
    # The built-in tables stay the built-in formats: the site does not offer plugins' formats.
    assert "lines" not in EXPORTERS


def test_a_plugin_format_imports(tmp_path: Path) -> None:
    write_kb(tmp_path)
    root = tmp_path / "claims"
    source = tmp_path / "notes.txt"
    source.write_text("Plugins can read formats.\n", encoding="utf-8")
    registry = formats(kb.plugins.plugin_manager(LinesPlugin(), entry_points=False))
    report = import_files(root, "lines", [source], root / "imported", registry)
    assert report.counts["claims"] == 1
    assert "Plugins can read formats." in report.written[0].read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="expected one of aif, xaif, kialo, argdown$"):
        import_files(root, "lines", [source], root / "imported", built_in())


def test_a_duplicate_name_is_refused() -> None:
    pm = kb.plugins.plugin_manager(JsonAgain(), entry_points=False)
    with pytest.raises(FormatConflict, match=r"two plugins define the format 'json'"):
        formats(pm)
    twice = kb.plugins.plugin_manager(LinesPlugin(), LinesPlugin(), entry_points=False)
    with pytest.raises(FormatConflict, match=r"'lines'"):
        formats(twice)


def test_a_plugin_must_return_formats() -> None:
    pm = kb.plugins.plugin_manager(NotAFormat(), entry_points=False)
    with pytest.raises(FormatConflict, match="gave 'lines' as a format"):
        formats(pm)


def test_plugins_come_after_the_built_ins_sorted_by_name() -> None:
    class Zeta:
        @kb.plugins.hookimpl
        def kb_formats(self) -> list[Format]:
            return [Format("zeta", export=claim_ids), Format("alpha", export=claim_ids)]

    for plugins in ((Zeta(), LinesPlugin()), (LinesPlugin(), Zeta())):
        registry = formats(kb.plugins.plugin_manager(*plugins, entry_points=False))
        assert list(registry) == [*BUILT_IN, "alpha", "lines", "zeta"]


PLUGIN = '''
"""An installed debate-kb plugin, found through the debate_kb entry point group."""

import kb.plugins
from kb.formats.registry import Format


def claim_count(kb):
    return f"{len(kb.claims)} claims\\n"


def read_lines(path, batch):
    for line in path.read_text(encoding="utf-8").splitlines():
        batch.claim(line)


def read_dangling(path, batch):
    claim = batch.claim(path.read_text(encoding="utf-8"))
    link = {"id": "dangling-link", "from": claim, "type": "supports", "to": "no-such-claim"}
    batch.records["relations"].append(link)


@kb.plugins.hookimpl
def kb_formats():
    return [
        Format("count", "kb.count", "text/plain", "How many claims.", claim_count, read_lines),
        Format("dangling", read=read_dangling),
    ]
'''


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install a plugin module and its distribution's metadata into a folder on sys.path."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "myformat.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "myformat-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: myformat\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[debate_kb]\nmyformat = myformat\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "myformat", raising=False)
    yield site
    sys.modules.pop("myformat", None)


def test_an_installed_plugin_is_found_through_its_entry_point(
    installed_plugin: Path, tmp_path: Path
) -> None:
    pm = kb.plugins.plugin_manager()
    assert pm.get_plugin("myformat") is not None
    registry = formats(pm)
    assert list(registry)[: len(BUILT_IN)] == BUILT_IN
    assert registry["count"].file_name == "kb.count"
    write_kb(tmp_path)
    root = tmp_path / "claims"
    count = len(load_kb(root).claims)
    runner = CliRunner()
    helped = runner.invoke(main, ["export", "--help"])
    assert "argdown|count]" in helped.output
    out = tmp_path / "claims.count"
    result = runner.invoke(
        main, ["export", "--kb", str(root), "--format", "count", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == f"{count} claims\n"
    result = runner.invoke(main, ["export", "--kb", str(root), "--format", "count"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == f"{count} claims\n".encode()


def test_without_the_plugin_its_format_is_no_choice(tmp_path: Path) -> None:
    write_kb(tmp_path)
    result = CliRunner().invoke(
        main, ["export", "--kb", str(tmp_path / "claims"), "--format", "count"]
    )
    assert result.exit_code == 2
    assert "'count' is not one of" in result.output


def test_an_installed_plugin_imports_through_the_cli(
    installed_plugin: Path, tmp_path: Path
) -> None:
    write_kb(tmp_path)
    root = tmp_path / "claims"
    notes = tmp_path / "notes.txt"
    notes.write_text("Installed plugins can read formats.\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["import", "--kb", str(root), "nope", str(notes)])
    want = "'aif', 'xaif', 'kialo', 'argdown', 'count', 'dangling'"
    assert refused.exit_code == 2 and want in refused.output
    result = runner.invoke(main, ["import", "--kb", str(root), "count", str(notes)])
    assert result.exit_code == 0, result.output
    assert "imported 1 claims" in result.output
    written = root / "imported" / "notes.yaml"
    assert "Installed plugins can read formats." in written.read_text(encoding="utf-8")


def test_an_import_that_fails_the_check_is_removed(installed_plugin: Path, tmp_path: Path) -> None:
    write_kb(tmp_path)
    root = tmp_path / "claims"
    notes = tmp_path / "bad.txt"
    notes.write_text("A claim with a dangling link.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "--kb", str(root), "dangling", str(notes)])
    assert result.exit_code == 1, result.output
    assert "no-such-claim" in result.output
    assert result.output.rstrip().endswith("the import failed: the files it wrote were removed")
    assert not (root / "imported").exists()
