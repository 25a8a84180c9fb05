"""The `dot` export: the argument map (questions, claims, evidence, links) for Graphviz."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kb.formats.context import Context, export_once
from kb.formats.writer import Render, Writer
from kb.model.kb import KnowledgeBase
from kb.model.records import (
    RelationType,
)

_DOT_STYLE = {
    "supports": 'color="#1a9850"',
    "rebuts": 'color="#d73027"',
    "contradicts": 'color="#d73027", dir=both, style=bold',
    "undercuts": 'color="#d73027", style=dashed',
    "refines": 'color="#4575b4", style=dotted',
    "equivalent": 'color="#4575b4", dir=both',
    "answers": 'color="#999999", style=dotted',
}


_DOT_SPECIAL = re.compile(r'[\s"\\]')


def _dot_quote(text: str, width: int = 0) -> str:
    if _DOT_SPECIAL.search(text) is None and len(text) <= (width or len(text)):
        return f'"{text}"'  # IDs, mostly: nothing to collapse, cut or escape
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _undercut_target(kb: KnowledgeBase, support_id: str) -> str:
    """Return the claim that an undercut support concludes."""
    support = kb.relations.get(support_id)
    if support is not None:
        return support.to
    evidence = kb.evidence.get(support_id)
    return evidence.claim if evidence is not None else support_id


def _lines(make: Callable[[Any], str], items: list[Any]) -> Render:
    """Return a renderer of lines, one per item, each ending in a newline."""
    return lambda indices: [(make(items[i]) + "\n").encode("utf-8") for i in indices]


def _dot_question(q: Any) -> str:
    return f'  {_dot_quote(q.id)} [label={_dot_quote(q.title, 80)}, fillcolor="#fee08b"];'


def _dot_claim(c: Any) -> str:
    return f"  {_dot_quote(c.id)} [label={_dot_quote(c.text, 80)}];"


def _dot_evidence(e: Any) -> str:
    text = e.summary or e.quote
    return f'  {_dot_quote(e.id)} [label={_dot_quote(text, 80)}, shape=note, fillcolor="#f0f0f0"];'


def _dot_answer(row: tuple[str, str, str]) -> str:
    claim, question, side = row
    return (
        f"  {_dot_quote(claim)} -> {_dot_quote(question)} [label={side}, {_DOT_STYLE['answers']}];"
    )


def _dot_evidence_edge(e: Any) -> str:
    return f"  {_dot_quote(e.id)} -> {_dot_quote(e.claim)} [{_DOT_STYLE[e.direction.value]}];"


def _dot_relation(row: tuple[Any, str]) -> str:
    r, target = row
    label, tooltip, style = _dot_quote(r.type.value), _dot_quote(r.id), _DOT_STYLE[r.type.value]
    return (
        f"  {_dot_quote(r.from_)} -> {_dot_quote(target)} "
        f"[label={label}, tooltip={tooltip}, {style}];"
    )


def _dot_structure(ctx: Context, last: Any) -> Any:
    """Return the answer edges, the relations' targets, and the relations' keys."""
    if last is not None:
        return last
    kb = ctx.kb
    answers = [
        (c, q.id, side)
        for q in ctx.records("questions")
        for side in ("pro", "con", "mixed")
        for c in getattr(q.positions, side)
        if c in kb.claims
    ]
    undercuts = RelationType.undercuts
    # Targets, not relations: a memo pickles this, and the relations are in the KB it is used with.
    targets = [
        _undercut_target(kb, r.to) if r.type is undercuts else r.to
        for r in ctx.records("relations")
    ]
    keys = list(zip(ctx.keys("relations"), targets, strict=True))
    return answers, targets, keys


def write_dot(ctx: Context, writer: Writer) -> None:
    kb = ctx.kb
    writer.add(
        (
            "digraph kb {\n"
            f"  label={_dot_quote(kb.config.title)};\n"
            "  rankdir=BT;\n"
            '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
            'fontname="Helvetica"];\n'
        ).encode()
    )
    questions = ctx.records("questions")
    writer.run("questions", ctx.keys("questions"), _lines(_dot_question, questions))
    writer.run("claims", ctx.keys("claims"), _lines(_dot_claim, ctx.records("claims")))
    evidence = ctx.records("evidence")
    writer.run("evidence", ctx.keys("evidence"), _lines(_dot_evidence, evidence))
    answers, targets, keys = ctx.structure(
        "dot", ("claims",), ("questions", "relations", "evidence"), _dot_structure
    )
    relations = list(zip(ctx.records("relations"), targets, strict=True))
    writer.run("answers", answers, _lines(_dot_answer, answers))
    writer.run("evidence-edges", ctx.keys("evidence"), _lines(_dot_evidence_edge, evidence))
    writer.run("relations", keys, _lines(_dot_relation, relations))
    writer.add(b"}\n")


def export_dot(kb: KnowledgeBase) -> bytes:
    """Return the argument map (questions, claims, evidence and their links) as Graphviz DOT."""
    return export_once(kb, write_dot)
