"""Terminal reports that load a knowledge base and put its analysis into words and tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import JustifyMethod
from rich.markup import escape
from rich.table import Table

from kb.analysis import analyse, framework, whatif
from kb.analysis.af import format_af, iter_extensions, read_af, witness_lines
from kb.analysis.engagement import LEADING_CLAIMS, engagement_report
from kb.check.entry import load_cached
from kb.errors import UsageError, did_you_mean
from kb.model.kb import KnowledgeBase

EMPTY_ENGAGEMENT = {
    False: "(fewer than two actors assert these claims)",
    True: f"(no attacks cross; no actor asserts {LEADING_CLAIMS} or more of these claims)",
}
COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("A", "left"),
    ("B", "left"),
    ("A → B", "right"),
    ("B → A", "right"),
)


def _fmt(x: float) -> str:
    """Return a strength with two decimals."""
    return f"{x:.2f}"


def _claim_or_fail(kb: KnowledgeBase, claim_id: str) -> None:
    """Raise a usage error, with a suggestion, for an unknown claim ID."""
    if claim_id not in kb.claims:
        hint = did_you_mean(claim_id, kb.claims)
        raise UsageError(f"no claim {claim_id!r}" + (f"; {hint}" if hint else ""))


def explain_report(kb_path: Path, claim_id: str) -> str:
    """Return the text of `kb explain ID`: label, strength, crux and the reasons."""
    kb = load_cached(kb_path)
    _claim_or_fail(kb, claim_id)
    s = analyse(kb).claims[claim_id]
    state = "converged" if s.converged else "did not converge"
    return "\n".join(
        [
            f"{s.id}: {s.label} (grounded reading: {s.grounded})",
            f"strength {_fmt(s.strength)} by {s.model} ({state}), base {_fmt(s.base)}",
            f"crux {s.crux:.2f}: {s.crux_labels} other claims would change label if it flipped; "
            f"question balances would move by {s.crux_strength:.2f}",
            "",
            s.explanation,
        ]
    )


def whatif_report(kb_path: Path, accept: Sequence[str], reject: Sequence[str]) -> str:
    """Return the text of `kb whatif`: every claim whose label or strength moves."""
    kb = load_cached(kb_path)
    if not accept and not reject:
        raise UsageError("give at least one --accept ID or --reject ID")
    for c in [*accept, *reject]:
        _claim_or_fail(kb, c)
    changes = whatif(kb, accept, reject)
    if not changes:
        return "nothing changes"
    lines = []
    for ch in changes:
        label = (
            f"{ch.label_before} -> {ch.label_after}"
            if ch.label_before != ch.label_after
            else ch.label_after
        )
        strength = f"{_fmt(ch.strength_before)} -> {_fmt(ch.strength_after)}"
        lines.append(f"{ch.claim}: {label}; strength {strength}")
    return "\n".join(lines)


def export_framework(kb_path: Path, fmt: str) -> str:
    """Return the knowledge base's attack graph in an ICCMA format."""
    return format_af(framework(load_cached(kb_path)), fmt)


def solve_report(
    path: Path | None, kb_path: Path, semantics: str, fmt: str | None = None
) -> Iterator[str]:
    """Yield the witness lines of an ICCMA file's extensions (or the KB's), as they are found."""
    af = read_af(path, fmt) if path is not None else framework(load_cached(kb_path))
    return witness_lines(iter_extensions(af, semantics))


def engagement_tables(kb: KnowledgeBase) -> list[Table]:
    """Return one rich table per question (and one for the whole map) of attacks per pair."""
    tables = []
    for item in engagement_report(kb):
        title = f"{item.title} ({item.claims} claims, {item.crossing} attacks across actors)"
        if item.qid:
            title = f"{item.qid}: {title}"
        table = Table(title=escape(title), title_justify="left", show_header=True)
        for name, justify in COLUMNS:
            table.add_column(name, justify=justify)
        for row in item.rows:
            names = escape(row.first.name), escape(row.second.name)
            table.add_row(*names, str(row.forward), str(row.backward))
        if not item.rows:
            table.add_row(EMPTY_ENGAGEMENT[item.voices > 1], "", "", "")
        tables.append(table)
    return tables
