"""The `kb` command through click's CliRunner: exit codes, formats and located errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import write_kb

from kb.cli import main

PLANTED = Path(__file__).parent.parent / "data" / "planted" / "claims"
# The 20 mistakes planted across 5 files, each with its code and place.
PLANTED_EXPECTED = {
    ("KB202", "questions.yaml:6:13"),
    ("KB504", "questions.yaml:7:5"),
    ("KB102", "claims.yaml:7:11"),
    ("KB101", "claims.yaml:10:5"),
    ("KB104", "claims.yaml:11:9"),
    ("KB205", "claims.yaml:15:16"),
    ("KB204", "claims.yaml:21:14"),
    ("KB103", "claims.yaml:22:5"),
    ("KB301", "sources.yaml:5:10"),
    ("KB302", "sources.yaml:6:11"),
    ("KB102", "sources.yaml:8:11"),
    ("KB502", "sources.yaml:10:5"),
    ("KB202", "sources.yaml:13:15"),
    ("KB301", "sources.yaml:17:15"),
    ("KB503", "sources.yaml:18:5"),
    ("KB201", "sub/stances.yaml:7:5"),
    ("KB202", "sub/stances.yaml:12:12"),
    ("KB102", "sub/stances.yaml:22:11"),
    ("KB207", "sub/relations.yaml:4:9"),
    ("KB204", "sub/relations.yaml:5:11"),
}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_planted_mistakes_are_all_found_and_located() -> None:
    result = invoke("check", "--kb", str(PLANTED), "--format", "json")
    assert result.exit_code == 1
    found = {
        (
            p["code"],
            Path(p["path"])
            .relative_to(
                PLANTED.resolve().relative_to(Path.cwd().resolve())
                if PLANTED.resolve().is_relative_to(Path.cwd().resolve())
                else PLANTED
            )
            .as_posix()
            + f":{p['line']}:{p['col']}",
        )
        for p in json.loads(result.output)
    }
    assert found >= PLANTED_EXPECTED
    errors = [p for p in json.loads(result.output) if p["severity"] == "error"]
    assert len(errors) == sum(
        1 for code, _ in PLANTED_EXPECTED if code not in {"KB205", "KB502", "KB503", "KB504"}
    )


def test_check_clean_and_strict(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    assert invoke("check", "--kb", str(folder)).exit_code == 0
    (folder / "lonely.yaml").write_text("actors:\n  - id: lonely\n    name: L\n")
    result = invoke("check", "--kb", str(folder))
    assert result.exit_code == 0 and "KB503" in result.output
    assert invoke("check", "--kb", str(folder), "--strict").exit_code == 1


def test_check_text_output_names_file_line_and_hint(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"bad.yaml": "actors:\n  - id: a\n    nmae: A\n"})
    result = invoke("check", "--kb", str(folder))
    assert result.exit_code == 1
    assert "bad.yaml:3:5: error KB101: unknown key 'nmae' in actor" in result.output
    assert "did you mean 'name'?" in result.output


def test_check_github_annotations(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"bad.yaml": "actors:\n  - id: a\n    nmae: A\n"})
    result = invoke("check", "--kb", str(folder), "--format", "github")
    line = next(x for x in result.output.splitlines() if "KB101" in x)
    assert line.startswith("::error file=") and ",line=3,col=5,title=KB101::" in line


def test_check_archive_verifies_quotes(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    assert (
        invoke("check", "--kb", str(folder), "--archive", str(tmp_path / "archive")).exit_code == 0
    )


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(main, ["check", "--format", "xml"]).exit_code == 2


def test_show_prints_a_tree(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    result = invoke("show", "--kb", str(folder), "scaling-works")
    assert result.exit_code == 0
    assert "Loss curves stay straight" in result.output
    assert "The curves are bending" in result.output
    assert "Ann Author asserts" in result.output


def test_show_unknown_claim_suggests(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["show", "--kb", str(write_kb(tmp_path)), "scaling-wrks"])
    assert result.exit_code == 2
    assert "did you mean 'scaling-works'?" in result.output


def test_errors_print_without_traceback(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"bad.yaml": "claims: [\n"})
    result = CliRunner().invoke(main, ["stats", "--kb", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "bad.yaml:2:1" in result.output


def test_stats_counts(tmp_path: Path) -> None:
    result = invoke("stats", "--kb", str(write_kb(tmp_path)))
    assert result.exit_code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in result.output.splitlines()
        if line.count("│") >= 3
    }
    assert rows["claims"] == "3" and rows["stances"] == "2" and rows["relations"] == "2"
    assert rows["quotes"] == "3"


def test_new_writes_valid_skeletons_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    result = invoke("new", "--kb", str(folder), "claim", "Data will run out by 2030")
    assert result.exit_code == 0
    path = folder / "claims" / "data-will-run-out-by-2030.yaml"
    assert path.is_file()
    again = CliRunner().invoke(
        main, ["new", "--kb", str(folder), "claim", "--id", "data-will-run-out-by-2030"]
    )
    assert again.exit_code == 2 and "already taken" in again.output
    for kind in ("question", "source", "actor"):
        assert invoke("new", "--kb", str(folder), kind).exit_code == 0
    result = invoke(
        "new",
        "--kb",
        str(folder),
        "stance",
        "--set",
        "actor=ann-author",
        "--set",
        "claim=curves-bend",
        "--set",
        "source=paper-one",
    )
    assert result.exit_code == 0
    missing = CliRunner().invoke(main, ["new", "--kb", str(folder), "evidence"])
    assert missing.exit_code == 2 and "--set claim=..." in missing.output
    check = invoke("check", "--kb", str(folder))
    assert " error " not in check.output, check.output


def test_schema_is_current() -> None:
    from kb.formats.schema import all_schemas, render

    folder = Path(__file__).parent.parent.parent / "schema"
    for name, schema in all_schemas().items():
        committed = folder / name
        assert committed.is_file(), f"{name} missing: run `kb schema`"
        assert committed.read_text(encoding="utf-8") == render(schema), (
            f"{name} stale: run `kb schema`"
        )


def test_python_dash_m_works_like_kb(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "kb", "check", "--kb", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 0 and "No problems found." in proc.stdout


@pytest.mark.parametrize("kind", ["claims", "stances"])
def test_json_format_is_machine_readable(tmp_path: Path, kind: str) -> None:
    folder = write_kb(tmp_path, {"x.yaml": f"{kind}:\n  - 42\n"})
    data = json.loads(invoke("check", "--kb", str(folder), "--format", "json").output)
    assert data[0]["code"] == "KB102" and data[0]["line"] == 2


def test_schema_accepts_valid_files_and_rejects_typos(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    from kb.formats.schema import file_schema

    validator = jsonschema.Draft202012Validator(file_schema())
    folder = write_kb(tmp_path)
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for value in ("date", "accessed"):  # YAML dates are strings to an editor's server
            for record in doc.get("sources", []):
                if value in record:
                    record[value] = str(record[value])
        assert list(validator.iter_errors(doc)) == [], path.name
    bad = {"claims": [{"id": "x", "txt": "typo"}]}
    assert any("txt" in e.message for e in validator.iter_errors(bad))


def test_check_keeps_a_parse_cache_that_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("KB_CACHE", raising=False)
    folder = write_kb(tmp_path / "kb", {"bad.yaml": "actors:\n  - id: a\n    name: A\n"})
    assert invoke("check", "--kb", str(folder)).exit_code == 0
    assert any((tmp_path / "cache" / "debate-kb" / "parsed").rglob("*"))
    # Same length, so that only the content hash can tell the files apart.
    (folder / "bad.yaml").write_text("actors:\n  - id: a\n    nmae: A\n")
    result = invoke("check", "--kb", str(folder))
    assert result.exit_code == 1
    assert "bad.yaml:3:5: error KB101" in result.output
    (folder / "bad.yaml").write_text("actors:\n  - id: a\n    name: A\n")
    assert invoke("check", "--kb", str(folder)).exit_code == 0


def test_check_without_cache_writes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("KB_CACHE", "0")
    assert invoke("check", "--kb", str(write_kb(tmp_path / "kb"))).exit_code == 0
    assert not (tmp_path / "cache" / "debate-kb" / "parsed").exists()


def test_every_command_is_registered() -> None:
    """Each command module's commands reach the `kb` group."""
    assert set(main.commands) == {
        "check", "show", "stats", "schema", "new", "build", "serve", "export", "import",
        "explain", "whatif", "af",
    }  # fmt: skip
    af = main.commands["af"]
    assert isinstance(af, click.Group) and set(af.commands) == {"export", "import", "solve"}


@pytest.mark.parametrize("args", [["--help"], ["check", "--kb", "KB"]], ids=["help", "check"])
def test_help_and_check_load_neither_the_builder_nor_networkx(
    tmp_path: Path, args: list[str]
) -> None:
    """The CLI's lazy imports keep the site builder, Jinja2 and networkx out of these runs."""
    folder = write_kb(tmp_path)
    code = (
        "import sys\n"
        "from kb.cli import main\n"
        "try:\n"
        f"    main({[str(folder) if a == 'KB' else a for a in args]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('networkx', 'jinja2', 'kb.build', 'kb.site', 'kb.model.graph')\n"
        "print('loaded:', sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "KB_CACHE": "0"},
    )
    assert proc.stdout.splitlines()[-1] == "loaded: []", proc.stdout + proc.stderr
