"""The `argdown` export: claims, evidence and their links as an Argdown document."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from kb.formats.context import Context, export_once
from kb.formats.writer import Writer
from kb.model.kb import KnowledgeBase
from kb.model.records import (
    Direction,
    Relation,
    RelationType,
)

_ARGDOWN_SPECIAL = set("\\[]<>#*_@{}/:=+-~`^|")
_ARGDOWN_SPECIAL_RE = re.compile("[" + re.escape("".join(sorted(_ARGDOWN_SPECIAL))) + "]")


def argdown_escape(text: str) -> str:
    """Return text as one Argdown line, escaping every character Argdown reads as syntax."""
    return _ARGDOWN_SPECIAL_RE.sub(r"\\\g<0>", " ".join(text.split()))


def _yaml_flow(data: dict[str, Any]) -> str:
    """Return an Argdown inline YAML data element (JSON is valid inline YAML)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _block(lines: Iterable[str]) -> bytes:
    """Return lines as they follow earlier ones in a document joined by newlines."""
    return "".join("\n" + line for line in lines).encode("utf-8")


class _ArgdownLinks:
    """What an Argdown document makes of the relations: claims' links, arguments, undercuts."""

    def __init__(self, ctx: Context) -> None:
        kb = ctx.kb
        undercut = {r.to for r in kb.relations.values() if r.type is RelationType.undercuts}
        grouped: dict[tuple[str, str], list[Relation]] = defaultdict(list)
        incoming: dict[str, list[str]] = defaultdict(list)
        data: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        relations = ctx.records("relations")
        for r in relations:
            if r.type is RelationType.supports:
                if r.group or r.id in undercut:
                    grouped[(r.group or r.id, r.to)].append(r)
                else:
                    incoming[r.to].append(f"    <+ [{r.from_}]")
            elif r.type is RelationType.rebuts:
                incoming[r.to].append(f"    <- [{r.from_}]")
            elif r.type is RelationType.contradicts:
                incoming[r.to].append(f"    >< [{r.from_}]")
            elif r.type in (RelationType.refines, RelationType.equivalent):
                data[r.from_][r.type.value].append(r.to)
        # Per claim in ID order: the YAML data it carries and the lines under it.
        self.claims: list[tuple[str | None, tuple[str, ...]]] = [
            (
                _yaml_flow({k: sorted(v) for k, v in sorted(data[cid].items())})
                if cid in data
                else None,
                tuple(incoming.get(cid, ())),
            )
            for cid in ctx.ids("claims")
        ]
        arg_title: dict[str, str] = {}
        used = set(kb.evidence)
        # Members by ID: a memo pickles this, and the relations are in the KB it is used with.
        self.arguments: list[tuple[str, str, list[str]]] = []
        for (title, conclusion), members in sorted(grouped.items()):
            if title in used:  # one group name used for two conclusions
                title = f"{title}--{conclusion}"
            used.add(title)
            for r in members:
                arg_title[r.id] = title
            self.arguments.append((title, conclusion, [r.id for r in members]))
        tokens = ctx.tokens["relations"]
        self.argument_keys = [(t, c, *map(tokens.__getitem__, m)) for t, c, m in self.arguments]
        for eid in kb.evidence:
            arg_title[eid] = eid
        self.undercuts = [
            (r.from_, arg_title[r.to])
            for r in relations
            if r.type is RelationType.undercuts and r.to in arg_title
        ]


def _argdown_structure(ctx: Context, last: _ArgdownLinks | None) -> _ArgdownLinks:
    return last if last is not None else _ArgdownLinks(ctx)


def write_argdown(ctx: Context, writer: Writer) -> None:
    """Write the claims, evidence and links as an Argdown document (see `export_argdown`)."""
    kb = ctx.kb
    out: list[str] = ["===", f"title: {json.dumps(kb.config.title, ensure_ascii=False)}"]
    if kb.config.description:
        out.append(f"subTitle: {json.dumps(kb.config.description, ensure_ascii=False)}")
    out += ["model:", "    mode: loose", "==="]
    writer.add("\n".join(out).encode("utf-8"))
    links = ctx.structure("argdown", ("claims", "evidence"), ("relations",), _argdown_structure)
    claims = ctx.records("claims")
    extras = links.claims

    def render_claims(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            c = claims[i]
            meta, lines = extras[i]
            tags = "".join(f" #{t}" for t in c.tags)
            line = f"[{c.id}]: {argdown_escape(c.text)}{tags}"
            if meta is not None:
                line += " " + meta
            chunks.append(_block(["", line, *lines]))
        return chunks

    tokens = ctx.keys("claims")
    keys = ctx.item_keys(
        "argdown-claims",
        extras,
        {"claims": range(len(extras))},
        lambda indices: [(tokens[i], *extras[i]) for i in indices],
    )
    writer.run("claims", keys, render_claims)
    arguments, relations = links.arguments, kb.relations

    def render_arguments(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            title, conclusion, ids = arguments[i]
            members = [relations[rid] for rid in ids]
            gist = members[0].rationale or (
                "Linked premises support the conclusion." if len(members) > 1 else "Support."
            )
            lines = ["", f"<{title}>: {argdown_escape(gist)}", ""]
            lines += [f"({n}) [{r.from_}]" for n, r in enumerate(members, 1)]
            lines += ["----", f"({len(members) + 1}) [{conclusion}]"]
            chunks.append(_block(lines))
        return chunks

    writer.run("arguments", links.argument_keys, render_arguments)
    evidence = ctx.records("evidence")

    def render_evidence(indices: Sequence[int]) -> list[bytes]:
        chunks = []
        for i in indices:
            e = evidence[i]
            relation = "+>" if e.direction is Direction.supports else "->"
            text = argdown_escape(e.summary or e.quote)
            meta = _yaml_flow({"source": e.source, "kind": e.kind.value})
            chunks.append(_block(["", f"<{e.id}>: {text} {meta}", f"    {relation} [{e.claim}]"]))
        return chunks

    writer.run("evidence", ctx.keys("evidence"), render_evidence)
    undercuts = links.undercuts
    writer.run(
        "undercuts",
        undercuts,
        lambda indices: [
            _block(["", f"[{undercuts[i][0]}]", f"    _> <{undercuts[i][1]}>"]) for i in indices
        ],
    )
    writer.add(b"\n")


def export_argdown(kb: KnowledgeBase) -> bytes:
    """Return the claims, evidence and links as an Argdown document (loose mode)."""
    # Claims are titled statements `[claim-id]: text #tags`; a support `+`, a rebuttal `-` and a
    # contradiction `><` hang under the claim they point at. A support that is undercut, or whose
    # premises are linked (a group), becomes a reconstructed argument `<relation-id>` with its
    # premise-conclusion structure, so that the undercut `_>` can attack its inference. Evidence
    # becomes a sketched argument `<evidence-id>`. Refinements and equivalences, which Argdown has
    # no relation for, are kept as YAML data on the claim.
    return export_once(kb, write_argdown)
