"""Terminal output: problem reports, claim trees and statistics, through rich."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.markup import escape

from kb.errors import Problem, Severity
from kb.load.safety import printable

if TYPE_CHECKING:  # `kb check` prints problems only: the graph (networkx) and tables wait
    from rich.console import Console
    from rich.table import Table
    from rich.tree import Tree

    from kb.load import KnowledgeBase
    from kb.model.graph import KBGraph

FORMATS = ("text", "json", "github")


def format_problems(problems: Sequence[Problem], fmt: str) -> str:
    """Render problems as compiler-style text, JSON or GitHub Actions annotations."""
    problems = sorted(problems, key=Problem.sort_key)
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        lines = []
        for p in problems:
            level = {Severity.error: "error", Severity.advice: "notice"}.get(p.severity, "warning")
            loc = p.location
            message = p.message + (f" ({p.hint})" if p.hint else "")
            message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            # A file name is contributed too: escaped, it cannot end the line or add properties.
            path = loc.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            path = path.replace(":", "%3A").replace(",", "%2C")
            lines.append(
                f"::{level} file={path},line={loc.line},col={loc.col},title={p.code}::{message}"
            )
        return "\n".join(lines)
    return "\n".join(printable(str(p)) for p in problems)


def print_problems(console: Console, problems: Sequence[Problem]) -> None:
    """Print problems in colour, one per line, then a summary."""
    lines = []
    for p in sorted(problems, key=Problem.sort_key):
        colour = {Severity.error: "red", Severity.advice: "cyan"}.get(p.severity, "yellow")
        where = escape(printable(str(p.location)))
        line = f"[bold]{where}[/]: [{colour}]{p.severity} {p.code}[/]: "
        line += escape(printable(p.message))
        if p.hint:
            line += f" [dim]({escape(printable(p.hint))})[/]"
        lines.append(line)
    if lines:  # one print: rich's per-call overhead is most of the cost of a long report
        console.print("\n".join(lines), highlight=False, soft_wrap=True)
    console.print(summary(problems), highlight=False)


def summary(problems: Sequence[Problem]) -> str:
    """Return a one-line count of errors, warnings and advice."""
    errors = sum(p.severity is Severity.error for p in problems)
    notes = sum(p.severity is Severity.advice for p in problems)
    warnings = len(problems) - errors - notes
    advice = f"{notes} note(s) of advice" if notes else ""
    if not errors and not warnings:
        return f"No problems found. {advice.capitalize()}." if notes else "No problems found."
    return f"{errors} error(s), {warnings} warning(s)" + (f", {advice}." if notes else ".")


def claim_tree(kb: KnowledgeBase, claim_id: str, depth: int = 3) -> Tree:
    """Return a claim with its supporters, attackers and stances as a rich tree."""
    from rich.tree import Tree

    from kb.model.graph import KBGraph

    graph = KBGraph(kb)
    claim = kb.claims[claim_id]
    root = Tree(f"[bold]{_safe(claim.text)}[/] [dim]({claim.id}, {claim.kind})[/]")
    _grow(graph, root, claim_id, depth, {claim_id})
    stances = graph.stances_on(claim_id)
    if stances:
        branch = root.add("[bold]stances[/]")
        for s in stances:
            actor = kb.actors.get(s.actor)
            name = actor.name if actor else s.actor
            branch.add(f"{_safe(name)} {s.position}: [italic]“{_safe(s.quote)}”[/]")
    return root


def _safe(text: str) -> str:
    """Return contributed text for rich markup: markup escaped, control characters visible."""
    return escape(printable(text))


def _grow(graph: KBGraph, node: Tree, claim_id: str, depth: int, seen: set[str]) -> None:
    if depth == 0:
        return
    kb = graph.kb
    for label, links, colour in (
        ("+", graph.supporters(claim_id), "green"),
        ("-", graph.attackers(claim_id), "red"),
        ("_", graph.undercuts_into(claim_id), "magenta"),
    ):
        for link in links:
            if link.other in kb.evidence:
                ev = kb.evidence[link.other]
                text = f"evidence ({ev.kind}): “{ev.quote}”"
            else:
                other = kb.claims.get(link.other)
                text = other.text if other else link.other
            child = node.add(
                f"[{colour}]{label} {link.type}[/] {_safe(text)} [dim]({link.other})[/]"
            )
            if link.other in kb.claims and link.other not in seen:
                _grow(graph, child, link.other, depth - 1, seen | {link.other})


def stats_table(kb: KnowledgeBase) -> Table:
    """Return a table of record counts and a few derived figures."""
    from rich.table import Table

    table = Table(title="Knowledge base", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for kind, count in kb.counts().items():
        table.add_row(kind, str(count))
    quotes = sum(1 for t in (kb.stances, kb.evidence, kb.relations) for r in t.values() if r.quote)
    table.add_row("quotes", str(quotes))
    forecasts = sum(1 for c in kb.claims.values() if c.kind == "forecast")
    table.add_row("forecasts", str(forecasts))
    for rel_type, count in sorted(Counter(r.type.value for r in kb.relations.values()).items()):
        table.add_row(f"  relations: {rel_type}", str(count))
    for kind, count in sorted(Counter(c.kind.value for c in kb.claims.values()).items()):
        table.add_row(f"  claims: {kind}", str(count))
    return table
