"""The check memo: an unchanged knowledge base is not checked again, any changed input is."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from gap_kb import files
from helpers import write_kb

import kb.check.entry
import kb.check.memo
import kb.load.loader
from kb.check.entry import run_check
from kb.check.memo import CheckMemo


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Count the loads run_check makes: a memo hit makes none."""
    made: list[Path] = []
    real = kb.load.loader.load

    def counted(root: Path, *args, **kwargs):
        made.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(kb.check.entry, "load", counted)
    return made


def _folder(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", files(), base=False)


def test_an_unchanged_kb_is_not_checked_again(tmp_path: Path, loads: list[Path]) -> None:
    folder = _folder(tmp_path)
    fresh = run_check(folder, advice=True)
    memo = CheckMemo(tmp_path / "memo.json")
    first = run_check(folder, advice=True, memo=memo)
    again = run_check(folder, advice=True, memo=memo)
    assert len(loads) == 2  # the fresh run and the first memoised one
    assert first == again == fresh and len(fresh) > 5


def _edit(folder: Path) -> None:
    path = folder / "claims.yaml"
    path.write_text(path.read_text("utf-8").replace("g-lonely", "g-alone"), "utf-8")


def _same_size(folder: Path) -> None:
    path = folder / "claims.yaml"
    path.write_text(path.read_text("utf-8").replace("g-lonely", "g-lonelx"), "utf-8")


def _add(folder: Path) -> None:
    (folder / "more.yaml").write_text("claims:\n  - id: x-new\n    text: A new claim.\n", "utf-8")


def _rename(folder: Path) -> None:
    (folder / "claims.yaml").rename(folder / "renamed.yaml")


def _config(folder: Path) -> None:
    (folder / "kb.yaml").write_text("title: Another title\nbogus: 1\n", "utf-8")


def _unreadable(folder: Path) -> None:
    (folder / "claims.yaml").write_bytes(b"claims: \xff\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit": _edit,
    "same-size-edit": _same_size,
    "add": _add,
    "rename": _rename,
    "config": _config,
    "not-utf8": _unreadable,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_changed_file_checks_again(tmp_path: Path, loads: list[Path], change: str) -> None:
    folder = _folder(tmp_path)
    memo = CheckMemo(tmp_path / "memo.json")
    before = run_check(folder, advice=True, memo=memo)
    CHANGES[change](folder)
    after = run_check(folder, advice=True, memo=memo)
    assert len(loads) == 2
    assert after == run_check(folder, advice=True) != before


def test_another_day_or_folder_checks_again(
    tmp_path: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    memo = CheckMemo(tmp_path / "memo.json")
    run_check(folder, advice=True, memo=memo)

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date.today() + dt.timedelta(days=1)

    monkeypatch.setattr(kb.check.memo, "dt", types.SimpleNamespace(date=Tomorrow))
    run_check(folder, advice=True, memo=memo)
    monkeypatch.chdir(tmp_path)  # the problems' paths are shown relative to the working folder
    run_check(folder, advice=True, memo=memo)
    run_check(folder, advice=False, memo=memo)
    assert len(loads) == 4


def test_inputs_the_key_does_not_cover_turn_it_off(tmp_path: Path, loads: list[Path]) -> None:
    folder = _folder(tmp_path)
    memo = CheckMemo(tmp_path / "memo.json")
    archive = tmp_path / "kb" / "archive"
    run_check(folder, archive, advice=True, memo=memo)
    run_check(folder, archive, advice=True, memo=memo)
    assert not memo.path.exists()
    (folder / "site").mkdir()
    run_check(folder, advice=True, memo=memo)
    run_check(folder, advice=True, memo=memo)
    assert len(loads) == 4 and not memo.path.exists()


def test_a_damaged_memo_is_a_miss(tmp_path: Path, loads: list[Path]) -> None:
    folder = _folder(tmp_path)
    memo = CheckMemo(tmp_path / "memo.json")
    first = run_check(folder, advice=True, memo=memo)
    memo.path.write_text(memo.path.read_text("utf-8")[:-40], "utf-8")
    assert run_check(folder, advice=True, memo=memo) == first
    assert len(loads) == 2


def test_the_kinds_kb_new_lists_are_the_models_kinds() -> None:
    from kb.load.files import KIND_NAMES
    from kb.model.records import KINDS

    assert tuple(KINDS) == KIND_NAMES
