"""`kb af import` and `kb af solve` on malformed instances, the input format, and streaming."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main

REPO = Path(__file__).resolve().parents[2]
ICCMA = REPO / "tests" / "data" / "iccma"


def kb(*args: str):
    """Run `kb` in-process; a traceback would surface as an exception here."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", ["solve", "import"])
def test_tgf_attack_on_an_unknown_argument_is_located(tmp_path: Path, command: str) -> None:
    path = write(tmp_path, "x.tgf", "a\nb\n#\na b\nb  zed\n")
    result = kb("af", command, path)
    assert result.exit_code == 1
    assert f"{path}:5:4: error KB802: no argument 'zed'" in result.output
    assert "before the '#' line" in result.output  # the hint
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["solve", "import"])
def test_i23_attack_out_of_range_is_located(tmp_path: Path, command: str) -> None:
    path = write(tmp_path, "x.af", "p af 3\n1 2\n2 4\n")
    result = kb("af", command, path)
    assert result.exit_code == 1
    assert f"{path}:3:3: error KB802: no argument 4" in result.output
    assert "numbered 1 to 3" in result.output


def test_a_bad_i23_line_and_a_missing_header_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "x.i23", "p af 3\n1 2 3\n")
    result = kb("af", "solve", path)
    assert result.exit_code == 1 and f"{path}:2:1: error KB801" in result.output
    path = write(tmp_path, "y.af", "# only a comment\n")
    result = kb("af", "solve", path)
    assert result.exit_code == 1 and "KB801: no 'p af N' header" in result.output


def test_apx_attack_on_an_undeclared_argument_is_located(tmp_path: Path) -> None:
    # apx facts may come in any order; an attack on an argument never declared is an error.
    path = write(tmp_path, "x.apx", "att(a,b).\narg(a).\narg(b).\natt(b,c).\n")
    result = kb("af", "solve", path)
    assert result.exit_code == 1
    assert f"{path}:4:1: error KB802: no argument 'c'" in result.output
    assert "arg(c)." in result.output
    assert kb("af", "solve", write(tmp_path, "ok.apx", "att(a,b).\narg(a).\narg(b).\n")).output == (
        "w a\n"
    )


def test_an_unknown_suffix_asks_for_the_format(tmp_path: Path) -> None:
    apx = (ICCMA / "a.apx").read_text()
    path = write(tmp_path, "a.dl", apx)
    for command in ("solve", "import"):
        result = kb("af", command, path)
        assert result.exit_code == 2, command
        assert "cannot tell the format from the suffix .dl" in result.output
        assert "--from i23|apx|tgf" in result.output
        assert "Traceback" not in result.output
    expected = kb("af", "solve", str(ICCMA / "a.apx"), "--semantics", "PR").output
    assert expected.count("w ") == 3
    for option in ("--format", "--from"):
        assert kb("af", "solve", path, option, "apx", "--semantics", "PR").output == expected
    converted = kb("af", "import", path, "--from", "apx", "--format", "tgf")
    assert converted.exit_code == 0 and converted.output.startswith("A\nB\nC\nD\n#\n")


def test_the_wrong_format_given_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "a.af", (ICCMA / "a.apx").read_text())
    result = kb("af", "solve", path)
    assert result.exit_code == 1
    assert f"{path}:1:1: error KB801: expected the header 'p af N'" in result.output
    assert "this looks like apx: give --from apx" in result.output
    result = kb("af", "solve", str(ICCMA / "b.tgf"), "--format", "apx")
    assert result.exit_code == 1 and "KB801" in result.output


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "x.tgf", b"a\nb\n#\na \xff\n")
    result = kb("af", "import", path)
    assert result.exit_code == 1
    assert f"{path}:4:3: error KB002: the file is not UTF-8" in result.output


def test_solve_streams_extensions_before_the_search_ends(tmp_path: Path) -> None:
    # 40 independent even cycles: 2**40 preferred extensions. Sorting them all first, as the
    # solver did, would never print; streaming prints the first ones at once.
    lines = [f"a{k}\nb{k}" for k in range(40)] + ["#"]
    lines += [f"a{k} b{k}\nb{k} a{k}" for k in range(40)]
    path = write(tmp_path, "many.tgf", "\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", "af", "solve", path, "--semantics", "PR"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        first = [proc.stdout.readline().decode() for _ in range(3)]
        proc.stdout.close()  # the reader stops, as `| head -3` would
        assert proc.wait(timeout=60) == 0
        assert b"Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    assert len(set(first)) == 3
    for line in first:
        words = line.split()
        assert words[0] == "w" and len(words) == 41
        assert sorted(words[1:]) == words[1:]  # each line's arguments sorted by name
        assert {w[1:] for w in words[1:]} == {str(k) for k in range(40)}  # one per cycle
