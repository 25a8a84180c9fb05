"""Quote checks: each quote is found, in order, in its source's archived text."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator
from pathlib import Path

from kb.check.context import CheckContext
from kb.errors import Problem, Severity, did_you_mean
from kb.model.kb import KnowledgeBase

E = Severity.error
_TAG_RE = re.compile(r"<[^>]*>")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE_RE = re.compile(r"\\(.)")
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "--",
        "\u2014": "--",
        "\u2015": "--",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "*": None,
        "_": None,
        "`": None,
    }
)
_DASH_RE = re.compile(r"\s*-{2,}\s*|\s+-\s+")
_WS_RE = re.compile(r"\s+")
_ELLIPSIS_RE = re.compile(r"\s*(?:\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026)\s*")


def quoted(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Yield the ID and quote of every stance, evidence and relation that quotes."""
    for table in (kb.stances, kb.evidence, kb.relations):
        for rid, record in table.items():
            if record.quote:
                yield rid, record.quote


def read_archive(path: Path) -> str:
    """Read an archived source text, as UTF-8, replacing undecodable bytes."""
    return path.read_text(encoding="utf-8", errors="replace")


def normalise(text: str) -> str:
    """Fold markup, quote marks, dashes, spacing and case so quotes compare as read."""
    if "<p>" in text or "</" in text:
        text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    text = text.translate(_FOLD)
    text = _DASH_RE.sub(" - ", text)
    return _WS_RE.sub(" ", text).strip().casefold()


def quote_in(quote: str, text: str) -> bool:
    """Tell whether a quote (with `...` elisions) occurs, in order, in a normalised text."""
    parts = [normalise(p) for p in _ELLIPSIS_RE.split(quote)]
    position = 0
    for part in parts:
        if not part:
            continue
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def closest_passage(quote: str, text: str) -> str:
    """Return the passage of a normalised text that best matches a quote."""
    wanted = normalise(quote.replace("...", " "))
    matcher = difflib.SequenceMatcher(None, text, wanted, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(wanted))
    start = max(0, match.a - match.b)
    return text[start : start + len(wanted) + 10].strip()


def quotes(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report archives that are missing and quotes their source's archived text lacks."""
    if context.archive is None:
        return []
    folder = Path(context.archive)
    problems: list[Problem] = []
    texts = _archived_texts(kb, folder, context, problems)
    for rid, quote in quoted(kb):
        record = kb.get(rid)
        source = getattr(record, "source", None) or ""
        text = texts.get(source)
        if text is None:
            continue
        if not quote_in(quote, text):
            problems.append(
                Problem(
                    "KB401",
                    E,
                    kb.where[rid].value("quote"),
                    f"quote not found in the archived text of {source!r}",
                    f"closest passage: {closest_passage(quote, text)!r}",
                )
            )
    return problems


def _archived_texts(
    kb: KnowledgeBase, folder: Path, context: CheckContext, problems: list[Problem]
) -> dict[str, str | None]:
    """Return each archived source's normalised text (None if missing, reported in problems)."""
    texts: dict[str, str | None] = {}
    for s in kb.sources.values():
        if not s.archive:
            continue
        path = folder / s.archive
        if path.is_file():
            texts[s.id] = normalise(_read(path, context))
        else:
            texts[s.id] = None
            problems.append(
                Problem(
                    "KB402",
                    E,
                    kb.where[s.id].value("archive"),
                    f"archive {s.archive!r} not found in {folder}",
                    did_you_mean(
                        s.archive, [p.name for p in folder.glob("*")] if folder.is_dir() else []
                    ),
                )
            )
    return texts


def _read(path: Path, context: CheckContext) -> str:
    """Read an archive once per run, however many sources share it."""
    archives = context.memo.archives
    text = archives.get(path)
    if text is None:
        text = archives[path] = read_archive(path)
    return text
