"""Terminal views of a knowledge base: a claim's tree and the record counts, through rich."""

from __future__ import annotations

from collections import Counter

from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from kb.cli.problems import FORMATS as FORMATS
from kb.cli.problems import format_problems as format_problems
from kb.cli.problems import print_problems as print_problems
from kb.cli.problems import summary as summary
from kb.load.safety import printable
from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase


def claim_tree(kb: KnowledgeBase, claim_id: str, depth: int = 3) -> Tree:
    """Return a claim with its supporters, attackers and stances as a rich tree."""
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
    """Add a claim's supporters, attackers and undercutters under node, depth levels down."""
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
