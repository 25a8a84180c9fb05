"""The AIF and xAIF importer: I-nodes to claims, S-nodes to links, L/YA pairs to stances."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.formats.batch import Batch, ImportFailed, read_json
from kb.model.records import RelationType

ASSERTING = {"asserting", "agreeing", "arguing", "restating", "assertive questioning"}
DENYING = {"disagreeing", "challenging", "rejecting", "denying"}
QUALIFYING = {"default illocuting", "conceding", "qualifying"}
# The node types the importer reads; any other is reported, with why it has no KB equivalent.
READ_TYPES = ("I", "RA", "CA", "MA", "L", "YA")
UNREAD_REASONS = {
    "PA": "preferences have no KB equivalent",
    "TA": "transitions between locutions have no KB equivalent",
}


@dataclass
class _Graph:
    """An AIF graph being read: its nodes in file order, their links, and what they became."""

    raw: dict[str, Any]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    kind: dict[str, str] = field(default_factory=dict)
    ins: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    outs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    claim_of: dict[str, str] = field(default_factory=dict)  # I-node -> claim ID
    support_of: dict[str, str] = field(default_factory=dict)  # RA node -> support relation ID


def _scheme_of(node: dict[str, Any]) -> str:
    scheme = node.get("scheme")
    return str(scheme if isinstance(scheme, str) and scheme.strip() else node.get("text") or "")


def _items(parent: dict[str, Any], key: str, batch: Batch) -> list[Any]:
    """Return a list that a file may leave out; report and ignore a value that is no list."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        batch.skip(f"'{key}'", key, f"expected a list, found {type(value).__name__}")
        return []
    return value


def _node_id(value: Any) -> str:
    """Return a node ID as text, whether the file wrote it as a number or a string."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_aif(data: Any, name: str, batch: Batch) -> None:
    """Read AIFdb JSON or xAIF (OVA3): I-nodes to claims, S-nodes to links, L/YA to stances."""
    graph = (
        data.get("AIF") if isinstance(data, dict) and isinstance(data.get("AIF"), dict) else data
    )
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        raise ImportFailed(f"{name}: not an AIF file (no 'nodes' list)")
    g = _Graph(graph)
    _read_nodes(g, batch)
    _read_edges(g, batch)
    g.kind = {nid: g.nodes[nid]["type"] for nid in g.order}
    _read_claims(g, batch)
    for nid in g.order:
        if g.kind[nid] == "RA":
            _read_ra(g, nid, batch)
    _read_conflicts(g, batch)
    _read_rephrases(g, batch)
    _read_dialogue(g, batch)
    _report_unread(g, batch)


def read_aif_file(path: Path, batch: Batch) -> None:
    """Read an AIF or xAIF file."""
    read_aif(read_json(path), path.name, batch)


def _read_nodes(g: _Graph, batch: Batch) -> None:
    for i, raw in enumerate(g.raw["nodes"]):
        if not isinstance(raw, dict) or raw.get("nodeID") in (None, ""):
            batch.skip(f"nodes[{i}]", "node", "it has no nodeID")
            continue
        nid = _node_id(raw["nodeID"])
        if nid in g.nodes:
            batch.skip(f"node {nid}", "node", "its nodeID was already used")
            continue
        raw = dict(raw)
        raw["type"] = str(raw.get("type") or "").strip().upper()
        raw["text"] = str(raw.get("text") or "").strip()
        g.nodes[nid] = raw
        g.order.append(nid)


def _read_edges(g: _Graph, batch: Batch) -> None:
    nodes = g.nodes
    listed = g.raw.get("edges")
    edges: list[Any] = listed if isinstance(listed, list) else []
    for i, raw in enumerate(edges):
        if not isinstance(raw, dict):
            batch.skip(f"edges[{i}]", "edge", "it is not a mapping")
            continue
        a, b = _node_id(raw.get("fromID")), _node_id(raw.get("toID"))
        if a not in nodes or b not in nodes:
            missing = a if a not in nodes else b
            batch.skip(f"edge {raw.get('edgeID', i)}", "edge", f"no node {missing!r}")
            continue
        g.outs[a].append(b)
        g.ins[b].append(a)


def _read_claims(g: _Graph, batch: Batch) -> None:
    for nid in g.order:
        if g.kind[nid] == "I":
            cid = batch.claim(g.nodes[nid]["text"])
            if cid is None:
                batch.skip(f"node {nid}", "I-node", "it has no text")
            else:
                g.claim_of[nid] = cid


def _read_ra(g: _Graph, nid: str, batch: Batch) -> None:
    """Turn an RA node into supports, linked (one group) when its premises are many."""
    kind, claim_of = g.kind, g.claim_of
    premises_in, conclusions_out = g.ins[nid], g.outs[nid]
    premises = [p for p in premises_in if p in claim_of]
    conclusions = [c for c in conclusions_out if c in claim_of]
    for p in premises_in:
        if p not in claim_of and kind[p] not in ("CA", "YA", "PA", "TA", "L"):
            batch.skip(f"node {nid}", f"premise node {p}", "only claims are premises")
    for c in conclusions_out:
        if c not in claim_of:
            batch.skip(f"node {nid}", f"conclusion node {c}", "only claims are concluded")
    if not premises or not conclusions:
        batch.skip(f"node {nid}", "RA node", "it lacks a premise or a conclusion")
        return
    scheme = _scheme_of(g.nodes[nid])
    for c in conclusions:
        group = None
        if len(premises) > 1:
            group = batch.fresh_id(f"{claim_of[c]}--inference", "inference")
        ids = [
            batch.relation(
                claim_of[p], RelationType.supports, claim_of[c], f"node {nid}", scheme, group
            )
            for p in premises
        ]
        first = next((r for r in ids if r), None)
        if first and nid not in g.support_of:
            g.support_of[nid] = first


def _read_conflicts(g: _Graph, batch: Batch) -> None:
    """Turn CA nodes into rebuttals, undercuts and (a CA each way) contradictions."""
    nodes, order, kind, ins, outs, claim_of = g.nodes, g.order, g.kind, g.ins, g.outs, g.claim_of
    conflicts = [
        (nid, a, b) for nid in order if kind[nid] == "CA" for a in ins[nid] for b in outs[nid]
    ]
    contradiction = {
        (a, b)
        for nid, a, b in conflicts
        if "contradict" in _scheme_of(nodes[nid]).lower() and kind[b] == "I"
    }
    for nid in order:
        if kind[nid] != "CA":
            continue
        attackers = [a for a in ins[nid] if a in claim_of]
        targets = outs[nid]
        if not attackers or not targets:
            batch.skip(f"node {nid}", "CA node", "it lacks an attacking I-node or a target")
            continue
        scheme = _scheme_of(nodes[nid])
        for a in ins[nid]:
            if a not in claim_of:
                what = f"attack from {kind[a] or '?'} node {a}"
                batch.skip(f"node {nid}", what, "only claims attack")
        for b in targets:
            for a in attackers:
                _read_attack(g, a, b, f"node {nid}", scheme, contradiction, batch)


def _read_attack(
    g: _Graph,
    a: str,
    b: str,
    where: str,
    scheme: str,
    contradiction: set[tuple[str, str]],
    batch: Batch,
) -> None:
    """Turn one attack of a CA node into a relation, or report why it cannot be one."""
    kind, claim_of = g.kind, g.claim_of
    if kind[b] == "I" and b in claim_of:
        if (a, b) in contradiction and (b, a) in contradiction:
            if a < b:
                batch.relation(
                    claim_of[a],
                    RelationType.contradicts,
                    claim_of[b],
                    where,
                    None if "contradict" in scheme.lower() else scheme,
                )
            return
        batch.relation(claim_of[a], RelationType.rebuts, claim_of[b], where, scheme)
    elif kind[b] == "RA" and b in g.support_of:
        batch.relation(claim_of[a], RelationType.undercuts, g.support_of[b], where, scheme)
    else:
        batch.skip(
            where,
            f"attack on {kind[b] or '?'} node {b}",
            "a claim can rebut a claim or undercut a support, nothing else",
        )


def _read_rephrases(g: _Graph, batch: Batch) -> None:
    """Turn MA nodes into refinements or equivalences."""
    claim_of = g.claim_of
    for nid in g.order:
        if g.kind[nid] != "MA":
            continue
        scheme = _scheme_of(g.nodes[nid])
        rel_type = RelationType.refines if "refine" in scheme.lower() else RelationType.equivalent
        pairs = [(a, b) for a in g.ins[nid] for b in g.outs[nid] if a in claim_of and b in claim_of]
        if not pairs:
            batch.skip(f"node {nid}", "MA node", "it does not join two claims")
        for a, b in pairs:
            batch.relation(claim_of[a], rel_type, claim_of[b], f"node {nid}", scheme)


def _report_unread(g: _Graph, batch: Batch) -> None:
    """Report the nodes of types the importer does not read, grouped by type."""
    other = defaultdict(list)
    for nid in g.order:
        if g.kind[nid] not in READ_TYPES:
            other[g.kind[nid] or "untyped"].append(nid)
    for node_type, ids in sorted(other.items()):
        batch.skip(
            f"nodes {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}",
            f"{len(ids)} {node_type} node{'s' if len(ids) > 1 else ''}",
            UNREAD_REASONS.get(node_type, "an unknown node type"),
        )


def _position(illocution: str) -> str | None:
    text = illocution.strip().lower()
    if text in ASSERTING:
        return "asserts"
    if text in DENYING:
        return "denies"
    if text in QUALIFYING:
        return "qualifies"
    return None


def _participants(graph: dict[str, Any], batch: Batch) -> dict[str, str]:
    """Return the full name of each participant of an xAIF file, by participant ID."""
    people: dict[str, str] = {}
    for raw in _items(graph, "participants", batch):
        if isinstance(raw, dict) and raw.get("participantID") is not None:
            full = f"{raw.get('firstname') or ''} {raw.get('surname') or ''}".strip()
            if full:
                people[_node_id(raw["participantID"])] = full
    return people


def _read_dialogue(g: _Graph, batch: Batch) -> None:
    """Turn L --YA--> I patterns into actors and stances; report the rest."""
    nodes, kind, claim_of = g.nodes, g.kind, g.claim_of
    people = _participants(g.raw, batch)
    locutions: dict[str, dict[str, Any]] = {}
    for raw in _items(g.raw, "locutions", batch):
        if isinstance(raw, dict) and raw.get("nodeID") is not None:
            locutions[_node_id(raw["nodeID"])] = raw
    anchored: set[str] = set()
    for nid in g.order:
        if kind[nid] != "YA":
            continue
        speakers = [loc for loc in g.ins[nid] if kind[loc] == "L"]
        contents = [c for c in g.outs[nid] if c in claim_of]
        if not speakers or not contents:
            batch.skip(
                f"node {nid}",
                f"YA node ({nodes[nid]['text'] or 'no text'})",
                "it does not tie a locution to a proposition (only L -> YA -> I becomes a stance)",
            )
            continue
        anchored.update(speakers)
        position = _position(nodes[nid]["text"])
        if position is None:
            batch.skip(
                f"node {nid}",
                f"illocution {nodes[nid]['text']!r}",
                "it is not asserting, disagreeing or qualifying",
            )
            continue
        for loc in speakers:
            _read_locution(g, loc, locutions.get(loc), people, contents, position, batch)
    for nid in g.order:
        if kind[nid] == "L" and nid not in anchored:
            batch.skip(f"node {nid}", "L node", "no illocution ties it to a proposition")


def _read_locution(
    g: _Graph,
    loc: str,
    locution: dict[str, Any] | None,
    people: dict[str, str],
    contents: list[str],
    position: str,
    batch: Batch,
) -> None:
    """Turn one locution into its speaker's stances on the propositions it is tied to."""
    speaker, quote = _speaker(g.nodes[loc]["text"], locution, people)
    if not speaker or not quote:
        batch.skip(f"node {loc}", "locution", "it names no speaker or says nothing")
        return
    locator = f"locution node {loc}"
    start = (locution or {}).get("start")
    if isinstance(start, str) and start.strip():
        locator += f", at {start.strip()}"
    for c in contents:
        batch.stance(batch.actor(speaker), g.claim_of[c], position, quote, locator)


def _speaker(
    text: str, locution: dict[str, Any] | None, people: dict[str, str]
) -> tuple[str | None, str]:
    """Return the speaker and the words of a locution (AIFdb writes 'Speaker : words')."""
    person = _node_id((locution or {}).get("personID") or "")
    name: str | None = people.get(person)
    match = re.match(r"^\s*([^:\n]{1,60}?)\s*:\s+(.+)$", text, re.S)
    words = text.strip()
    if match:
        prefix = match.group(1).strip()
        if name is None or prefix.lower() == name.lower():
            name, words = name or prefix, match.group(2).strip()
    if name is None and person:
        name = f"Participant {person}"
    return name, words
