"""The Argdown importer: the statements, arguments and relations of `argdown json` output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.formats.batch import Batch, ImportFailed, read_json, shorten
from kb.load.new import slugify
from kb.model.records import RelationType


def _mapping(parent: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    """Return a mapping of the input, or fail naming the key when it is something else."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportFailed(f"{name}: '{key}' must be a mapping, found {type(value).__name__}")
    return value


def _argdown_text(member: dict[str, Any]) -> str:
    """Return a statement's text without its #tags."""
    text = str(member.get("text") or "")
    ranges = sorted(
        (r for r in member.get("ranges") or [] if isinstance(r, dict) and r.get("type") == "tag"),
        key=lambda r: r.get("start", 0),
        reverse=True,
    )
    for r in ranges:
        start, stop = int(r.get("start", 0)), int(r.get("stop", -1))
        text = text[:start] + text[stop + 1 :]
    return " ".join(text.split())


def _argdown_shape(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Fail, naming the part, when Argdown JSON has a part of the wrong type; return arguments."""
    arguments = _mapping(data, "arguments", name)
    for kind, table in (("statement", data["statements"]), ("argument", arguments)):
        for title, value in table.items():
            if not isinstance(value, dict):
                raise ImportFailed(
                    f"{name}: {kind} {title!r} must be a mapping, found {type(value).__name__}"
                )
    if not isinstance(data.get("relations") or [], list):
        raise ImportFailed(f"{name}: 'relations' must be a list")
    return arguments


_RELATION_TYPES = {
    "support": RelationType.supports,
    "entails": RelationType.supports,
    "attack": RelationType.rebuts,
    "contrary": RelationType.contradicts,
    "contradictory": RelationType.contradicts,
}
Undercut = tuple[str, str, str]  # the undercutting claim, the argument's title, where


def read_argdown(data: Any, name: str, batch: Batch) -> None:
    """Read the output of `argdown json`: statements, arguments and their relations."""
    if not isinstance(data, dict) or not isinstance(data.get("statements"), dict):
        raise ImportFailed(f"{name}: not Argdown JSON (no 'statements' mapping)")
    statements: dict[str, Any] = data["statements"]
    arguments: dict[str, Any] = _argdown_shape(data, name)
    claim_of, extra = _read_statements(statements, batch)
    arg_claim: dict[str, str] = {}
    inference: dict[str, str] = {}
    for title, arg in arguments.items():
        pcs = [s for s in arg.get("pcs") or [] if isinstance(s, dict)]
        if pcs:
            _read_pcs(title, pcs, claim_of, arg_claim, inference, batch)
            continue
        members = [m for m in arg.get("members") or [] if isinstance(m, dict)]
        text = next((_argdown_text(m) for m in members if _argdown_text(m)), "") or title
        cid = batch.claim(text, preferred=slugify(title))
        if cid is not None:
            arg_claim[title] = cid
    undercuts = _read_relations(data.get("relations") or [], claim_of, arg_claim, batch)
    _read_undercuts(undercuts, arg_claim, inference, batch)
    for title, key, other in extra:
        if other not in claim_of:
            batch.skip(f"statement [{title}]", key, f"no statement [{other}]")
            continue
        batch.relation(claim_of[title], RelationType(key), claim_of[other], f"statement [{title}]")


def _read_statements(
    statements: dict[str, Any], batch: Batch
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Add a claim per statement; return the IDs by title, and the refinements and equivalences."""
    # Refinements and equivalences are those the statements' data names, as (title, relation type,
    # other title).
    claim_of: dict[str, str] = {}
    extra: list[tuple[str, str, str]] = []
    for title, ec in statements.items():
        members = [m for m in ec.get("members") or [] if isinstance(m, dict)]
        text = next((_argdown_text(m) for m in members if _argdown_text(m)), "") or title
        tags = [str(t) for t in ec.get("tags") or []]
        cid = batch.claim(text, preferred=slugify(title), tags=tags)
        if cid is None:
            batch.skip(f"statement [{title}]", "statement", "it has no text")
            continue
        claim_of[title] = cid
        for m in members:
            for key in ("refines", "equivalent"):
                values = (m.get("data") or {}).get(key) if isinstance(m.get("data"), dict) else None
                for other in [values] if isinstance(values, str) else values or []:
                    extra.append((title, key, str(other)))
    return claim_of, extra


def _read_relations(
    relations: list[Any], claim_of: dict[str, str], arg_claim: dict[str, str], batch: Batch
) -> list[Undercut]:
    """Add the relations between statements and arguments; return the undercuts, for later."""
    undercuts: list[Undercut] = []
    for i, rel in enumerate(relations):
        if not isinstance(rel, dict):
            continue
        rtype, src, dst = rel.get("relationType"), str(rel.get("from")), str(rel.get("to"))
        where = f"relation {i + 1} ({src} {rtype} {dst})"
        a = claim_of.get(src) if rel.get("fromType") == "equivalence-class" else arg_claim.get(src)
        if rtype == "undercut":
            if a is not None:
                undercuts.append((a, dst, where))
            else:
                batch.skip(where, "undercut", f"{src!r} was not imported")
            continue
        b = claim_of.get(dst) if rel.get("toType") == "equivalence-class" else arg_claim.get(dst)
        mapped = _RELATION_TYPES.get(str(rtype))
        if a is None or b is None or mapped is None:
            batch.skip(where, "relation", "an end was not imported or its type is unknown")
            continue
        batch.relation(a, mapped, b, where)
    return undercuts


def _read_undercuts(
    undercuts: list[Undercut],
    arg_claim: dict[str, str],
    inference: dict[str, str],
    batch: Batch,
) -> None:
    """Add each undercut against the one support its argument stands for."""
    for a, dst, where in undercuts:
        target = inference.get(dst)
        if target is None and dst in arg_claim:
            supports = [
                rid
                for rid, r in batch.relations.items()
                if r["from"] == arg_claim[dst] and r["type"] == "supports"
            ]
            target = supports[0] if len(supports) == 1 else None
        if target is None:
            batch.skip(where, "undercut", f"<{dst}> is not one support a claim can undercut")
            continue
        batch.relation(a, RelationType.undercuts, target, where)


def _read_pcs(
    title: str,
    pcs: list[dict[str, Any]],
    claim_of: dict[str, str],
    arg_claim: dict[str, str],
    inference: dict[str, str],
    batch: Batch,
) -> None:
    """Turn a premise-conclusion structure into supports, linked when premises are many."""
    premises: list[str] = []
    for step in pcs:
        cid = claim_of.get(str(step.get("title")))
        if cid is None:
            batch.skip(f"argument <{title}>", "statement", f"[{step.get('title')}] not imported")
            continue
        if "inference" not in step and step.get("role") not in (
            "main-conclusion",
            "intermediary-conclusion",
        ):
            premises.append(cid)
            continue
        group = None
        if len(premises) > 1:
            group = batch.fresh_id(shorten(slugify(title), 80), "inference")
        preferred = slugify(title) if len(premises) == 1 else None
        ids = [
            batch.relation(
                p, RelationType.supports, cid, f"argument <{title}>", None, group, preferred
            )
            for p in premises
        ]
        first = next((r for r in ids if r), None)
        if first:
            inference[title] = first
        arg_claim[title] = cid
        premises = [cid]


def read_argdown_file(path: Path, batch: Batch) -> None:
    """Read the JSON file `argdown json` writes."""
    read_argdown(read_json(path), path.name, batch)
