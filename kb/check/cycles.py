"""Cycle checks: claims that support each other in a circle."""

from __future__ import annotations

from collections import defaultdict

from kb.analysis.af import strongly_connected
from kb.check.context import CheckContext
from kb.errors import Problem, Severity
from kb.model.kb import KnowledgeBase
from kb.model.records import RelationType

W = Severity.warning


def support_cycles(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report each circle of support links (KB205), once, at its first link."""
    edges: dict[tuple[str, str], str] = {}  # one link per ordered pair, the last written
    for r in kb.relations.values():
        if r.type is RelationType.supports and r.from_ != r.to:
            edges[r.from_, r.to] = r.id
    successors: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        successors[a].append(b)
    # kb.af's Tarjan imports no graph library: networkx would add a tenth of a second.
    sccs = strongly_connected(sorted(successors), successors)
    cycles = [c for c in sccs if len(c) > 1]
    cycle_of = {member: i for i, c in enumerate(cycles) for member in c}
    inside: list[list[str]] = [[] for _ in cycles]
    for (a, b), rid in edges.items():
        if a in cycle_of and cycle_of[a] == cycle_of.get(b):
            inside[cycle_of[a]].append(rid)
    problems: list[Problem] = []
    for component, ids in zip(cycles, inside, strict=True):
        members = sorted(component)
        rel_ids = sorted(ids)
        problems.append(
            Problem(
                "KB205",
                W,
                kb.where[rel_ids[0]].location,
                f"support cycle among {', '.join(members[:6])}"
                + (" ..." if len(members) > 6 else ""),
                "circular support adds no independent reason; break one link",
                related=tuple(kb.where[r].location for r in rel_ids[1:4]),
            )
        )
    return problems
