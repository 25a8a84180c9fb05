"""Hostile input: every invalid knowledge base under tests/data/invalid fails cleanly."""

# Each case is a folder holding `kb/` (the knowledge base) and `expect.yaml` (the code, path,
# line and column it must produce). Cases too big or too binary to commit name a generator
# instead (`generate:`); the test writes their files into a temporary copy.

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import kb.load.files
import kb.load.loader
from kb.cli import main

CORPUS = Path(__file__).parents[1] / "data" / "invalid"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yaml").is_file())
MAX_SECONDS = 5.0  # of CPU time: however busy the machine, a case fails only by itself
MAX_WALL_SECONDS = 60.0  # waiting, not computing (a FIFO read), shows in wall time only
MAX_MEMORY = 256 * 1024 * 1024
# Before the fixes these killed the interpreter (a segfault) or hung it (reading a FIFO): they
# run in a process of their own, where a regression fails one test instead of the whole run.
OWN_PROCESS = {"nesting-100000-compact", "fifo-file"}
CLAIM = "claims:\n  - id: scaling-works\n    text: Scaling keeps lowering loss.\n"


def _write(folder: Path, name: str, data: bytes) -> None:
    """Write bytes to a file below folder, making its folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _huge(folder: Path) -> None:
    """Write a 20 MB file of otherwise valid claims."""
    item = b"  - id: claim-%07d\n    text: Scaling keeps lowering loss, again and again.\n"
    count = 20 * 1024 * 1024 // len(item % 0) + 1
    _write(folder, "huge.yaml", b"claims:\n" + b"".join(item % i for i in range(count)))


def _laughs(folder: Path) -> None:
    """Write the billion laughs: nine levels of lists of nine aliases of the level below."""
    lines = ["claims:", "  - id: lol", "    text: T", '    notes: {l0: &l0 ["lol"]']
    lines += [f"      , l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("      }")
    _write(folder, "laughs.yaml", ("\n".join(lines) + "\n").encode())


def _disappearing(folder: Path) -> None:
    """Write two files; the test deletes the second between listing and reading."""
    _write(folder, "claims.yaml", CLAIM.encode())
    _write(folder, "vanishing.yaml", b"claims: []\n")


def _symlink(folder: Path) -> None:
    """Link a file of the KB to one outside it."""
    outside = folder.parent / "outside.yaml"
    outside.write_bytes(b"claims:\n  - id: from-outside\n    text: T\n")
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder, "claims.yaml", CLAIM.encode())
    (folder / "linked.yaml").symlink_to(outside)


def _symlink_etc(folder: Path) -> None:
    """Link a file of the KB to a system file."""
    _write(folder, "claims.yaml", CLAIM.encode())
    (folder / "passwd.yaml").symlink_to("/etc/passwd")


def _special(folder: Path, kind: str) -> None:
    """Write a valid file beside a FIFO, a looping link, a broken link or a linked folder."""
    _write(folder, "claims.yaml", CLAIM.encode())
    if kind == "fifo":
        os.mkfifo(folder / "pipe.yaml")  # reading it would block forever
    elif kind == "loop":
        (folder / "loop.yaml").symlink_to("loop.yaml")
    elif kind == "dangling":
        (folder / "dangling.yaml").symlink_to("nowhere.yaml")
    else:
        outside = folder.parent / "elsewhere"
        _write(outside, "more.yaml", b"claims:\n  - id: more\n    text: T\n")
        (folder / "linked").symlink_to(outside, target_is_directory=True)


def _deep_folders(folder: Path) -> None:
    """Nest 1,100 folders with a file at the bottom (os.walk recursed into RecursionError)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(1100):  # level by level: Path.mkdir(parents=True) would recurse too
        os.mkdir("a", dir_fd=fd)
        inner = os.open("a", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    out = os.open("deep.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(out, CLAIM.encode())
    os.close(out)
    os.close(fd)


def flatten(folder: Path) -> None:
    """Move every level of a deep chain of folders up, so that removing them cannot recurse."""
    level, n = folder / "a", 0
    while (level / "a").is_dir():
        os.rename(level / "a", folder / f"level-{n}")
        level, n = folder / f"level-{n}", n + 1


GENERATORS: dict[str, Callable[[Path], None]] = {
    "non-utf8-latin1": lambda f: _write(
        f, "claims.yaml", b"claims:\n  - id: a\n    text: caf\xe9\n"
    ),
    "utf16-bom": lambda f: _write(f, "claims.yaml", CLAIM.encode("utf-16")),
    "overlong-utf8": lambda f: _write(
        f, "claims.yaml", b"claims:\n  - id: a\n    text: \xc0\xaf\n"
    ),
    "surrogate-utf8": lambda f: _write(
        f, "claims.yaml", b"claims:\n  - {id: a, text: \xed\xa0\x80}\n"
    ),
    "nul-byte": lambda f: _write(f, "claims.yaml", b"claims:\n  - id: a\n    text: T\x00\n"),
    "bom-then-error": lambda f: _write(
        f, "claims.yaml", b"\xef\xbb\xbfclaims:\n  - id: a\n    text: T\n   kind: causal\n"
    ),
    "huge-20mb": _huge,
    "billion-laughs": _laughs,
    "nesting-10000-flow": lambda f: _write(
        f,
        "claims.yaml",
        b"claims:\n  - id: a\n    text: T\n    notes: " + b"[" * 10_000 + b"]" * 10_000,
    ),
    "nesting-100000-compact": lambda f: _write(f, "claims.yaml", b"- " * 100_000 + b"x\n"),
    "text-too-long": lambda f: _write(
        f, "claims.yaml", b"claims:\n  - id: a\n    text: " + b"x" * 20_001 + b"\n"
    ),
    "disappearing-file": _disappearing,
    "symlink-outside": _symlink,
    "symlink-etc-passwd": _symlink_etc,
    "fifo-file": lambda f: _special(f, "fifo"),
    "symlink-loop": lambda f: _special(f, "loop"),
    "symlink-dangling": lambda f: _special(f, "dangling"),
    "symlink-folder-outside": lambda f: _special(f, "folder"),
    "folders-1100-deep": _deep_folders,
}


def materialise(name: str, tmp_path: Path) -> tuple[Path, dict]:
    """Copy a case into tmp_path, generating its files if it names a generator."""
    case = tmp_path / name
    shutil.copytree(CORPUS / name, case, symlinks=True)
    expect = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    if "generate" in expect:
        GENERATORS[expect["generate"]](case / "kb")
    return case, expect


def test_corpus_is_large_and_covers_the_codes() -> None:
    """The corpus holds at least 50 cases and every generator is used."""
    assert len(CASES) >= 50
    expects = [yaml.safe_load((CORPUS / c / "expect.yaml").read_text()) for c in CASES]
    assert {e["generate"] for e in expects if "generate" in e} == set(GENERATORS)
    codes = {e["code"] for e in expects}
    for code in ("KB001", "KB002", "KB003", "KB004", "KB005", "KB006", "KB007", "KB008"):
        assert code in codes
    for code in ("KB009", "KB101", "KB102", "KB103", "KB104", "KB201", "KB202", "KB205"):
        assert code in codes


@pytest.mark.parametrize("name", CASES)
def test_invalid_kb_fails_cleanly(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The case yields its code at its `path:line:col`, with a hint, a non-zero exit, quickly."""
    case, expect = materialise(name, tmp_path)
    if name in OWN_PROCESS:
        pytest.skip("checked in its own process by test_hostile_files_in_a_real_process")
    if expect.get("generate") == "disappearing-file":
        listed = kb.load.files.find_files

        def find_then_delete(root: Path) -> tuple[list[Path], list]:
            files, problems = listed(root)
            (root / "vanishing.yaml").unlink()
            return files, problems

        monkeypatch.setattr(kb.load.files, "find_files", find_then_delete)
    monkeypatch.chdir(case)
    if expect.get("generate") == "folders-1100-deep":
        request.addfinalizer(lambda: flatten(case / "kb"))
    args = ["check", "--kb", "kb", "--format", "json"] + (
        ["--strict"] if expect.get("strict") else []
    )
    tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        result = CliRunner().invoke(main, args)
    finally:
        elapsed, wall = time.process_time() - cpu, time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    problems = json.loads(result.output)
    wanted = (expect["code"], expect["path"], expect["line"], expect["col"])
    found = [p for p in problems if (p["code"], p["path"], p["line"], p["col"]) == wanted]
    shown = "\n".join(f"{p['code']} {p['path']}:{p['line']}:{p['col']}" for p in problems)
    assert found, f"expected {wanted}, got:\n{shown}"
    assert found[0]["message"] and found[0]["hint"], found[0]
    assert expect.get("hint", "") in found[0]["hint"], found[0]
    assert elapsed < MAX_SECONDS, f"{elapsed:.1f} CPU s"
    assert wall < MAX_WALL_SECONDS, f"{wall:.1f} s"
    assert peak < MAX_MEMORY, f"{peak / 1e6:.0f} MB"


def test_text_report_is_compiler_style(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain report prints `path:line:col: error CODE: message (hint)`."""
    case, _ = materialise("nul-byte", tmp_path)
    monkeypatch.chdir(case)
    result = CliRunner().invoke(main, ["check", "--kb", "kb"])
    assert result.exit_code == 1
    assert (
        "kb/claims.yaml:3:12: error KB002: the file contains a NUL byte (the file is"
        in result.output
    )


def _limit_memory() -> None:
    """Cap the address space of the child process at 1 GB."""
    limit = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize(
    "name", sorted(OWN_PROCESS | {"nesting-10000-flow", "billion-laughs", "huge-20mb"})
)
def test_hostile_files_in_a_real_process(name: str, tmp_path: Path) -> None:
    """`kb check` in its own process, under a 1 GB address-space limit, fails without a crash."""
    case, expect = materialise(name, tmp_path)
    for command in (["check", "--kb", "kb"], ["build", "--kb", "kb", "--out", "site"]):
        proc = subprocess.run(
            [sys.executable, "-m", "kb", *command],
            cwd=case,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_limit_memory,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        )
        assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr + proc.stdout
        location = f"{expect['path']}:{expect['line']}:{expect['col']}"
        assert f"{location}: error {expect['code']}" in proc.stdout + proc.stderr
        assert not (case / "site").exists()


FOUND_BY_FUZZING = {
    # atheris: a link's derived relation ID longer than 120 characters raised ValidationError.
    "long-derived-id": "claims:\n  - id: a\n    text: T\n    supported_by: [" + "l" * 118 + "]\n",
    # The tab hint looked up a line past the end of the text (IndexError).
    "error-past-last-line": 'claims:\n  - id: a\n    text: "T\n',
}


@pytest.mark.parametrize("name", sorted(FOUND_BY_FUZZING))
def test_fuzzing_findings_stay_fixed(name: str, tmp_path: Path) -> None:
    """Inputs that once crashed the loader now give located errors."""
    loader = kb.load.loader.Loader(tmp_path)
    loader.add_file(tmp_path / "f.yaml", text=FOUND_BY_FUZZING[name])
    errors = [p for p in loader.problems if p.severity == "error"]
    assert errors and all(p.location.line >= 1 and p.hint for p in errors), loader.problems


def test_markup_in_an_argument_is_printed_not_interpreted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ID such as '[/x]' in an error message is shown as text, not read as rich markup."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "claims.yaml").write_text(CLAIM, encoding="utf-8")
    result = CliRunner().invoke(main, ["show", "--kb", "kb", "[/x]"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "no claim '[/x]'" in result.output


GADGET = (
    '{% extends "base.html" %}{% block content %}'
    "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}{% endblock %}"
)


@pytest.mark.parametrize(
    ("template", "words"),
    [(GADGET, "unsafe"), ('{% extends "base.html" %}{% block content %}{{ x( }}', "index.html")],
)
def test_override_templates_cannot_run_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str, words: str
) -> None:
    """A theme override in the content folder is sandboxed; its errors are reported, not raised."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kb" / "site" / "templates").mkdir(parents=True)
    (tmp_path / "kb" / "claims.yaml").write_text(CLAIM, encoding="utf-8")
    (tmp_path / "kb" / "site" / "templates" / "index.html").write_text(template, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--kb", "kb", "--out", "site"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "site").exists()


def test_github_annotations_cannot_be_injected_through_a_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file name with a newline, colons and commas stays inside its own annotation."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kb").mkdir()
    name = "x\n::add-mask::secret,title=spoof.yaml"
    (tmp_path / "kb" / name).write_text("claims: 5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--kb", "kb", "--format", "github"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=kb/x%0A%3A%3Aadd-mask"), lines
    assert ",title=spoof" not in lines[0] and "%2Ctitle=spoof" in lines[0]
