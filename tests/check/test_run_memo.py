"""The memos of a check run belong to the run: shared work is done once per run, not per process."""

from __future__ import annotations

from pathlib import Path

import pytest
from gap_kb import files
from helpers import VALID, write_kb

import kb.check.quotes
import kb.check.words
from kb.check.entry import run_check
from kb.check.run import check
from kb.check.words import WordMemo, content_words, stem
from kb.load.loader import load

SECOND = """
    sources:
      - id: paper-two
        kind: paper
        title: On scaling again
        archive: paper-one.txt
    """


def test_an_archive_two_sources_share_is_read_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_kb(tmp_path, {**VALID, "second.yaml": SECOND})
    reads: list[Path] = []
    real = kb.check.quotes.read_archive

    def counted(path: Path) -> str:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(kb.check.quotes, "read_archive", counted)
    knowledge, problems = load(folder)
    first = check(knowledge, problems, archive=tmp_path / "archive")
    assert reads == [tmp_path / "archive" / "paper-one.txt"]
    (tmp_path / "archive" / "paper-one.txt").write_text("Nothing quoted here.", "utf-8")
    second = check(knowledge, problems, archive=tmp_path / "archive")
    assert len(reads) == 2  # a new run reads the archive again: nothing outlives a run
    assert not [p for p in first if p.code == "KB401"]
    assert [p for p in second if p.code == "KB401"]


def test_the_word_memo_answers_as_the_functions_do() -> None:
    memo = WordMemo()
    text = "Stopped capping the models' scaling laws; they keep working."
    assert memo.content_words(text) == content_words(text)
    assert memo.content_words(text) is memo.content_words(text)
    assert {memo.stem(w) for w in ("capping", "stopped", "classes")} == {
        stem(w) for w in ("capping", "stopped", "classes")
    }


def test_advice_works_out_each_texts_words_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_kb(tmp_path, files(), base=False)
    seen: list[str] = []
    real = kb.check.words.content_words

    def counted(text: str, *args: object) -> frozenset[str]:
        seen.append(text)
        return real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(kb.check.words, "content_words", counted)
    with_memo = run_check(folder, advice=True)
    assert seen and len(seen) == len(set(seen))
    monkeypatch.undo()
    assert with_memo == run_check(folder, advice=True)
