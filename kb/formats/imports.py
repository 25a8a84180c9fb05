"""Importers of argument maps from other tools: AIF, xAIF, Kialo text and Argdown JSON.

`import_files(root, fmt, files, into)` reads each file with `READERS[fmt]`, gives every new
record a readable ID (a slug of its text, unique against the knowledge base at `root` and the
batch), and writes one YAML file per input into `into` without ever overwriting a file. It
returns an `ImportReport`: the files written, the records made, and what was skipped and why.

Readers work on parsed data and never touch the disk: `read_aif(data, name, batch)` (AIFdb
JSON or xAIF), `read_kialo(text, name, batch)`, `read_argdown(data, name, batch)`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kb.errors import UsageError
from kb.load import MAX_FILE_BYTES, display_path, load, relation_id
from kb.load.new import slugify
from kb.model.records import ID_RE, KINDS, MAX_ID_LENGTH, RelationType

FORMATS = ("aif", "xaif", "kialo", "argdown")
CLAIM_SLUG_LENGTH = 48
DEFAULT_SCHEMES = {"default inference", "default conflict", "default rephrase", ""}
# AIF's node types, which AraucariaDB and others write as the text of unnamed S-nodes: a type,
# not a scheme (the relation's own type already says it).
GENERIC_LABELS = {"ra", "ca", "ma", "pa", "ta", "ya", "s", "inference", "conflict", "rephrase"}
ASSERTING = {"asserting", "agreeing", "arguing", "restating", "assertive questioning"}
DENYING = {"disagreeing", "challenging", "rejecting", "denying"}
QUALIFYING = {"default illocuting", "conceding", "qualifying"}
TABLE_ORDER = ("actors", "sources", "claims", "relations", "stances")


@dataclass(frozen=True)
class Skipped:
    """Something in an input that was not imported, and why."""

    where: str
    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: skipped {self.what}: {self.why}"


@dataclass
class ImportReport:
    """What an import wrote, made and skipped."""

    written: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[Skipped] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)  # folders the import made, newest last


class ImportFailed(UsageError):
    """An input that cannot be read at all."""


def shorten(slug: str, length: int) -> str:
    """Return a slug cut to at most length characters, at a hyphen when it must be cut."""
    if len(slug) <= length:
        return slug
    cut = slug[:length]
    if slug[length] != "-" and "-" in cut:
        cut = cut[: cut.rfind("-")]
    return cut.rstrip("-")


class Batch:
    """The records made from one input, with IDs unique against the KB and each other."""

    def __init__(
        self, name: str, taken: set[str], actor_names: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.taken = taken
        self.records: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.skipped: list[Skipped] = []
        self.actor_by_name: dict[str, str] = dict(actor_names or {})
        self.source_id: str | None = None
        self.relations: dict[str, dict[str, Any]] = {}
        self.numbered: dict[str, int] = {}  # the last number given to each base: no recount

    def skip(self, where: str, what: str, why: str) -> None:
        """Record that something was not imported."""
        self.skipped.append(Skipped(f"{self.name}{': ' + where if where else ''}", what, why))

    def fresh_id(self, base: str, fallback: str) -> str:
        """Return an unused ID built from base, shortened to fit and numbered if taken."""
        base = shorten(base if base and ID_RE.match(base) else fallback, MAX_ID_LENGTH - 4)
        candidate, n = base, self.numbered.get(base, 1)
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.numbered[base] = n
        self.taken.add(candidate)
        return candidate

    def add(self, table: str, record: dict[str, Any]) -> bool:
        """Validate a record against its model and keep it; report it when invalid."""
        kind = table[:-1] if table != "evidence" else table
        from kb.load.safety import CONTROLS

        text = [v for v in record.values() if isinstance(v, str) and CONTROLS.search(v)]
        if text:  # the checks refuse them (KB012): they would rewrite a reader's terminal
            self.skip(str(record.get("id", "")), kind, "its text holds control characters")
            self.taken.discard(record.get("id", ""))
            return False
        try:
            KINDS[kind].model_validate(record)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            self.skip(str(record.get("id", "")), kind, f"{first['loc']}: {first['msg']}")
            self.taken.discard(record.get("id", ""))
            return False
        self.records[table].append(record)
        return True

    def claim(
        self, text: str, preferred: str | None = None, tags: list[str] | None = None
    ) -> str | None:
        """Add a claim; return its ID, or None when its text is unusable."""
        text = " ".join(text.split())
        if not text:
            return None
        base = preferred if preferred and ID_RE.match(preferred) else None
        base = base or shorten(slugify(text), CLAIM_SLUG_LENGTH)
        record: dict[str, Any] = {"id": self.fresh_id(base, "claim"), "text": text}
        clean_tags = sorted({t for t in (slugify(tag) for tag in tags or []) if t})
        if clean_tags:
            record["tags"] = clean_tags
        return record["id"] if self.add("claims", record) else None

    def relation(
        self,
        source: str,
        rel_type: RelationType,
        target: str,
        where: str,
        scheme: str | None = None,
        group: str | None = None,
        preferred: str | None = None,
    ) -> str | None:
        """Add a relation unless the checks would refuse it; return its ID."""
        if source == target:
            self.skip(where, f"{rel_type.value} link", f"{source!r} would be linked to itself")
            return None
        if rel_type is RelationType.undercuts:
            support = self.relations.get(target)
            if support is None:
                self.skip(where, "undercut", f"its target {target!r} is not an imported support")
                return None
            if source in (support["from"], support["to"]):
                self.skip(where, "undercut", f"{source!r} would undercut a link it is part of")
                return None
        base = preferred if preferred and ID_RE.match(preferred) else None
        rid = self.fresh_id(base or relation_id(source, rel_type.value, target), "relation")
        record: dict[str, Any] = {"id": rid, "from": source, "type": rel_type.value, "to": target}
        label = (scheme or "").strip().lower()
        if label and label not in DEFAULT_SCHEMES and label not in GENERIC_LABELS:
            record["scheme"] = scheme.strip()
        if group:
            record["group"] = group
        if not self.add("relations", record):
            return None
        self.relations[rid] = record
        return rid

    def actor(self, name: str) -> str:
        """Return the ID of the actor with this name, adding one when new."""
        name = " ".join(name.split())
        if name.lower() in self.actor_by_name:
            return self.actor_by_name[name.lower()]
        aid = self.fresh_id(shorten(slugify(name), CLAIM_SLUG_LENGTH), "actor")
        self.add("actors", {"id": aid, "name": name})
        self.actor_by_name[name.lower()] = aid
        return aid

    def source(self, title: str) -> str:
        """Return the ID of the source standing for the input file, adding it once."""
        if self.source_id is None:
            self.source_id = self.fresh_id(
                shorten(slugify(f"imported {self.name}"), 80), "imported"
            )
            self.add("sources", {"id": self.source_id, "kind": "dataset", "title": title})
        return self.source_id

    def stance(self, actor: str, claim: str, position: str, quote: str, locator: str) -> None:
        """Add a stance grounded in a locution of the input."""
        sid = self.fresh_id(f"{actor}--{claim}", "stance")
        record = {
            "id": sid,
            "actor": actor,
            "claim": claim,
            "position": position,
            "source": self.source(f"Argument map {self.name}"),
            "quote": quote,
            "locator": locator,
        }
        self.add("stances", record)


# AIF and xAIF -------------------------------------------------------------------------------


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


def _mapping(parent: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    """Return a mapping of the input, or fail naming the key when it is something else."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportFailed(f"{name}: '{key}' must be a mapping, found {type(value).__name__}")
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
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for i, raw in enumerate(graph["nodes"]):
        if not isinstance(raw, dict) or raw.get("nodeID") in (None, ""):
            batch.skip(f"nodes[{i}]", "node", "it has no nodeID")
            continue
        nid = _node_id(raw["nodeID"])
        if nid in nodes:
            batch.skip(f"node {nid}", "node", "its nodeID was already used")
            continue
        raw = dict(raw)
        raw["type"] = str(raw.get("type") or "").strip().upper()
        raw["text"] = str(raw.get("text") or "").strip()
        nodes[nid] = raw
        order.append(nid)
    ins: dict[str, list[str]] = defaultdict(list)
    outs: dict[str, list[str]] = defaultdict(list)
    edges = graph.get("edges") if isinstance(graph.get("edges"), list) else []
    for i, raw in enumerate(edges):
        if not isinstance(raw, dict):
            batch.skip(f"edges[{i}]", "edge", "it is not a mapping")
            continue
        a, b = _node_id(raw.get("fromID")), _node_id(raw.get("toID"))
        if a not in nodes or b not in nodes:
            missing = a if a not in nodes else b
            batch.skip(f"edge {raw.get('edgeID', i)}", "edge", f"no node {missing!r}")
            continue
        outs[a].append(b)
        ins[b].append(a)
    kind = {nid: nodes[nid]["type"] for nid in order}
    claim_of: dict[str, str] = {}
    for nid in order:
        if kind[nid] == "I":
            cid = batch.claim(nodes[nid]["text"])
            if cid is None:
                batch.skip(f"node {nid}", "I-node", "it has no text")
            else:
                claim_of[nid] = cid
    support_of: dict[str, str] = {}
    for nid in order:
        if kind[nid] == "RA":
            _read_ra(nid, nodes[nid], ins[nid], outs[nid], kind, claim_of, support_of, batch)
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
            where = f"node {nid}"
            for a in attackers:
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
                        continue
                    batch.relation(claim_of[a], RelationType.rebuts, claim_of[b], where, scheme)
                elif kind[b] == "RA" and b in support_of:
                    batch.relation(
                        claim_of[a], RelationType.undercuts, support_of[b], where, scheme
                    )
                else:
                    batch.skip(
                        where,
                        f"attack on {kind[b] or '?'} node {b}",
                        "a claim can rebut a claim or undercut a support, nothing else",
                    )
    for nid in order:
        if kind[nid] != "MA":
            continue
        scheme = _scheme_of(nodes[nid])
        rel_type = RelationType.refines if "refine" in scheme.lower() else RelationType.equivalent
        pairs = [(a, b) for a in ins[nid] for b in outs[nid] if a in claim_of and b in claim_of]
        if not pairs:
            batch.skip(f"node {nid}", "MA node", "it does not join two claims")
        for a, b in pairs:
            batch.relation(claim_of[a], rel_type, claim_of[b], f"node {nid}", scheme)
    _read_dialogue(graph, nodes, order, kind, ins, outs, claim_of, batch)
    other = defaultdict(list)
    for nid in order:
        if kind[nid] not in ("I", "RA", "CA", "MA", "L", "YA"):
            other[kind[nid] or "untyped"].append(nid)
    reasons = {
        "PA": "preferences have no KB equivalent",
        "TA": "transitions between locutions have no KB equivalent",
    }
    for node_type, ids in sorted(other.items()):
        batch.skip(
            f"nodes {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}",
            f"{len(ids)} {node_type} node{'s' if len(ids) > 1 else ''}",
            reasons.get(node_type, "an unknown node type"),
        )


def _read_ra(
    nid: str,
    node: dict[str, Any],
    premises_in: list[str],
    conclusions_out: list[str],
    kind: dict[str, str],
    claim_of: dict[str, str],
    support_of: dict[str, str],
    batch: Batch,
) -> None:
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
    scheme = _scheme_of(node)
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
        if first and nid not in support_of:
            support_of[nid] = first


def _position(illocution: str) -> str | None:
    text = illocution.strip().lower()
    if text in ASSERTING:
        return "asserts"
    if text in DENYING:
        return "denies"
    if text in QUALIFYING:
        return "qualifies"
    return None


def _read_dialogue(
    graph: dict[str, Any],
    nodes: dict[str, dict[str, Any]],
    order: list[str],
    kind: dict[str, str],
    ins: dict[str, list[str]],
    outs: dict[str, list[str]],
    claim_of: dict[str, str],
    batch: Batch,
) -> None:
    """Turn L --YA--> I patterns into actors and stances; report the rest."""
    people: dict[str, str] = {}
    for raw in _items(graph, "participants", batch):
        if isinstance(raw, dict) and raw.get("participantID") is not None:
            full = f"{raw.get('firstname') or ''} {raw.get('surname') or ''}".strip()
            if full:
                people[_node_id(raw["participantID"])] = full
    locutions: dict[str, dict[str, Any]] = {}
    for raw in _items(graph, "locutions", batch):
        if isinstance(raw, dict) and raw.get("nodeID") is not None:
            locutions[_node_id(raw["nodeID"])] = raw
    anchored: set[str] = set()
    for nid in order:
        if kind[nid] != "YA":
            continue
        speakers = [loc for loc in ins[nid] if kind[loc] == "L"]
        contents = [c for c in outs[nid] if c in claim_of]
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
            speaker, quote = _speaker(nodes[loc]["text"], locutions.get(loc), people)
            if not speaker or not quote:
                batch.skip(f"node {loc}", "locution", "it names no speaker or says nothing")
                continue
            locator = f"locution node {loc}"
            start = (locutions.get(loc) or {}).get("start")
            if isinstance(start, str) and start.strip():
                locator += f", at {start.strip()}"
            for c in contents:
                batch.stance(batch.actor(speaker), claim_of[c], position, quote, locator)
    for nid in order:
        if kind[nid] == "L" and nid not in anchored:
            batch.skip(f"node {nid}", "L node", "no illocution ties it to a proposition")


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


# Kialo --------------------------------------------------------------------------------------

_KIALO_LINE = re.compile(r"^\s*(1\.(?:\d+\.)*)\s+(?:(Pro|Con):\s*)?(.*)$")
_KIALO_SEE = re.compile(r"^->\s*See\s+((?:\d+\.)+)\s*$")
# Neither part may hold a '[': a scan from one '[' stops at the next, so a line of thousands of
# brackets is read in linear time (60 KB of '[' took half a minute with `[^\]]*`).
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(([^)\[\]\s]+)\)")


def read_kialo(text: str, name: str, batch: Batch) -> None:
    """Read Kialo's plain-text export: numbered claims, Pro/Con under their parent, links."""
    entries: list[list[Any]] = []  # [number, stance, text lines, line number]
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("Discussion Title:") and not entries:
            continue
        match = _KIALO_LINE.match(line)
        if match:
            entries.append([match.group(1), match.group(2), [match.group(3)], lineno])
        elif line.strip() and entries:
            entries[-1][2].append(line.strip())
        elif line.strip():
            batch.skip(f"line {lineno}", "text", "it comes before the first numbered claim")
    if not entries:
        raise ImportFailed(f"{name}: no numbered Kialo claims ('1. ...', '1.1. Pro: ...')")
    claim_of: dict[str, str] = {}
    for number, _, lines, lineno in entries:
        body = " ".join(lines).strip()
        if _KIALO_SEE.match(body):
            continue
        if number in claim_of:
            batch.skip(f"line {lineno}", f"claim {number}", "its number was already used")
            continue
        plain = _MD_LINK.sub(r"\1", body)
        plain = re.sub(r"\\([\[\]()\\*_#])", r"\1", plain)
        cid = batch.claim(plain)
        if cid is None:
            batch.skip(f"line {lineno}", f"claim {number}", "it has no text")
            continue
        claim_of[number] = cid
        urls = list(dict.fromkeys(m.groups() for m in _MD_LINK.finditer(body)))
        if urls:
            record = batch.records["claims"][-1]
            record["notes"] = "Sources: " + ", ".join(f"[{t or u}]({u})" for t, u in urls)
    for number, stance, lines, lineno in entries:
        body = " ".join(lines).strip()
        see = _KIALO_SEE.match(body)
        parent = number[: number[:-1].rfind(".") + 1] if number.count(".") > 1 else None
        if parent is None:
            continue
        source = claim_of.get(see.group(1)) if see else claim_of.get(number)
        where = f"line {lineno}"
        if source is None:
            batch.skip(where, f"link {number}", f"no claim {see.group(1) if see else number}")
            continue
        if parent not in claim_of:
            batch.skip(where, f"claim {number}", f"its parent {parent} was not imported")
            continue
        if stance is None:
            batch.skip(where, f"link {number} -> {parent}", "it is marked neither Pro nor Con")
            continue
        rel_type = RelationType.supports if stance == "Pro" else RelationType.rebuts
        batch.relation(source, rel_type, claim_of[parent], where)


# Argdown JSON -------------------------------------------------------------------------------


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


def read_argdown(data: Any, name: str, batch: Batch) -> None:
    """Read the output of `argdown json`: statements, arguments and their relations."""
    if not isinstance(data, dict) or not isinstance(data.get("statements"), dict):
        raise ImportFailed(f"{name}: not Argdown JSON (no 'statements' mapping)")
    statements: dict[str, Any] = data["statements"]
    arguments: dict[str, Any] = _argdown_shape(data, name)
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
    undercuts: list[tuple[str, str, str]] = []
    for i, rel in enumerate(data.get("relations") or []):
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
        mapped = {
            "support": RelationType.supports,
            "entails": RelationType.supports,
            "attack": RelationType.rebuts,
            "contrary": RelationType.contradicts,
            "contradictory": RelationType.contradicts,
        }.get(str(rtype))
        if a is None or b is None or mapped is None:
            batch.skip(where, "relation", "an end was not imported or its type is unknown")
            continue
        batch.relation(a, mapped, b, where)
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
    for title, key, other in extra:
        if other not in claim_of:
            batch.skip(f"statement [{title}]", key, f"no statement [{other}]")
            continue
        batch.relation(claim_of[title], RelationType(key), claim_of[other], f"statement [{title}]")


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


# Files --------------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise ImportFailed(f"{path}: cannot read JSON: nested too deeply") from None
    except (OSError, ValueError) as exc:  # ValueError: bad JSON, or a number of 5,000 digits
        raise ImportFailed(f"{path}: cannot read JSON: {exc}") from None


def _read(fmt: str, path: Path, batch: Batch) -> None:
    """Read one input; a shape the reader does not expect is a located failure, no traceback."""
    try:
        READERS[fmt](path, batch)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        if isinstance(exc, ImportFailed):
            raise
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ImportFailed(
            f"{path}: not a well-formed {fmt} file ({detail[:200]}); "
            "hint: export it again from the tool that made it"
        ) from None


READERS: dict[str, Callable[[Path, Batch], None]] = {
    "aif": lambda path, batch: read_aif(_read_json(path), path.name, batch),
    "xaif": lambda path, batch: read_aif(_read_json(path), path.name, batch),
    "argdown": lambda path, batch: read_argdown(_read_json(path), path.name, batch),
    "kialo": lambda path, batch: read_kialo(path.read_text(encoding="utf-8-sig"), path.name, batch),
}


def render_yaml(batch: Batch, fmt: str, origin: str) -> str:
    """Return the records of a batch as one YAML file, kinds in a fixed order."""
    body = {t: batch.records[t] for t in TABLE_ORDER if batch.records.get(t)}
    header = f"# Imported from {origin} ({fmt}) by `kb import`.\n"
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=96)


def _write_new(folder: Path, stem: str, text: str, root: Path | None = None) -> Path:
    """Write text into a new file named after stem; never overwrite an existing one, and never
    name it as the settings file of the content folder `root`."""
    from kb.load import CONFIG_NAME

    folder.mkdir(parents=True, exist_ok=True)
    base = slugify(stem) or "imported"
    n = 1
    settings = root is not None and folder.resolve() == Path(root).resolve()
    while True:
        path = folder / (f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml")
        if settings and path.name in (CONFIG_NAME, "kb.yml"):
            n += 1
            continue
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            n += 1


def import_files(root: Path, fmt: str, files: list[Path], into: Path) -> ImportReport:
    """Import files of one format into YAML under `into`; never overwrite anything."""
    if fmt not in READERS:
        raise UsageError(f"unknown import format {fmt!r}; expected one of {', '.join(FORMATS)}")
    kb, _ = load(root) if root.is_dir() else (None, [])
    taken: set[str] = set()
    actor_names: dict[str, str] = {}
    if kb is not None:
        for table in ("questions", "claims", "sources", "actors", "stances", "evidence"):
            taken |= set(getattr(kb, table))
        taken |= set(kb.relations)
        taken |= {r.group for r in kb.relations.values() if r.group}
        actor_names = {a.name.lower(): a.id for a in kb.actors.values()}
    report = ImportReport()
    missing = [p for p in [into, *into.parents] if not p.exists()]
    report.created = missing[::-1]
    try:
        for path in files:
            batch = Batch(path.name, taken, actor_names)
            _read(fmt, path, batch)
            actor_names.update(batch.actor_by_name)
            report.skipped += batch.skipped
            if not any(batch.records.values()):
                report.skipped.append(Skipped(path.name, "the whole file", "nothing to import"))
                continue
            for table, records in batch.records.items():
                report.counts[table] += len(records)
            text = render_yaml(batch, fmt, path.name)
            if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                raise ImportFailed(
                    f"{path}: the import would be a YAML file over "
                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB, more than the knowledge base reads; "
                    "hint: split the input into smaller maps"
                )
            report.written.append(_write_new(into, path.stem, text, root))
    except BaseException:
        undo(report)  # a failed import leaves nothing behind
        raise
    return report


def undo(report: ImportReport) -> None:
    """Remove the files an import wrote."""
    for path in report.written:
        path.unlink(missing_ok=True)
    report.written = []
    for folder in reversed(report.created):
        with contextlib.suppress(OSError):  # not empty: something else was put there
            folder.rmdir()


def run_import(root: Path, fmt: str, files: list[Path], into: Path | None, console: Any) -> int:
    """Import files, print what was written and skipped, check what was written; return 0 or 1."""
    from kb.check import run_check
    from kb.cli.console import print_problems
    from kb.errors import Severity
    from kb.load.safety import printable

    folder = into if into is not None else root / "imported"
    report = import_files(root, fmt, files, folder)
    for path in report.written:
        console.print(printable(f"wrote {path}"), markup=False)
    made = ", ".join(f"{n} {table}" for table, n in sorted(report.counts.items()) if n)
    console.print(f"imported {made or 'nothing'}")
    if report.skipped:
        console.print(f"skipped {len(report.skipped)}:")
        for item in report.skipped:
            console.print(printable(f"  {item}"), markup=False)
    written = {display_path(path) for path in report.written}
    errors = [
        p for p in run_check(root) if p.severity is Severity.error and p.location.path in written
    ]
    if errors:
        print_problems(console, errors)
        undo(report)
        console.print("the import failed: the files it wrote were removed", markup=False)
        return 1
    return 0
