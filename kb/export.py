"""Exporters of a knowledge base to the formats other tools read, and a claim's JSON-LD.

The API the site and the CLI share:

- `EXPORTERS`: format name -> function(KnowledgeBase) -> bytes, for the formats
  ``json``, ``graphml``, ``dot``, ``csv`` (a zip of one CSV per record kind), ``aif``
  (AIFdb JSON), ``xaif`` (the OVA3 wrapper of AIF) and ``argdown``.
- `file_name(fmt)`: the download's file name (``debate-kb.aif.json`` ...);
  `MEDIA_TYPES[fmt]` its media type; `DESCRIPTIONS[fmt]` one line for a Downloads page.
- `claim_jsonld(kb, claim_id, url=None, stances=None)`: a schema.org ``Claim`` as a dict
  (pass the claim's stances, e.g. from `KBGraph.stances_on`, when rendering every claim), and
  `jsonld_script(data)`: that dict as a ``<script type="application/ld+json">`` element.
- `export_json_schema()`: the JSON Schema of the ``json`` export (published as
  ``schema/kb-export.schema.json``).

Every output is deterministic: records in ID order, no clock. AIF timestamps come from the
dates of the sources behind a node (the earliest one), else `FIXED_TIMESTAMP`.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kb.load import KnowledgeBase
from kb.models import (
    KINDS,
    PLURALS,
    Config,
    Direction,
    Position,
    Record,
    Relation,
    RelationType,
    Stance,
)

FORMAT_NAME = "debate-kb"
FORMAT_VERSION = 1
FIXED_TIMESTAMP = "2000-01-01 00:00:00"
TABLES = tuple(PLURALS)
KIND_OF_TABLE = PLURALS
DEFAULT_SCHEMES = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
CONTRADICTION_SCHEME = "Contradiction"
REFINEMENT_SCHEME = "Refinement"
ILLOCUTIONS = {
    Position.asserts: "Asserting",
    Position.denies: "Disagreeing",
    Position.qualifies: "Default Illocuting",
}


def _dump(record: Record) -> dict[str, Any]:
    """Return a record as plain JSON data, leaving out unset optional fields."""
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)


def _sorted(table: dict[str, Any]) -> list[Any]:
    return [table[key] for key in sorted(table)]


# JSON ---------------------------------------------------------------------------------------


def kb_to_data(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the whole knowledge base as JSON data: settings, then each kind by ID."""
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "config": kb.config.model_dump(mode="json", exclude_none=True),
    }
    for table in TABLES:
        data[table] = [_dump(r) for r in _sorted(getattr(kb, table))]
    return data


def export_json(kb: KnowledgeBase) -> bytes:
    """Return the whole knowledge base as JSON (see `export_json_schema`)."""
    text = json.dumps(kb_to_data(kb), indent=2, ensure_ascii=False, sort_keys=False)
    return (text + "\n").encode("utf-8")


def export_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the `json` export, generated from the models."""
    defs: dict[str, Any] = {}
    props: dict[str, Any] = {
        "format": {"const": FORMAT_NAME},
        "version": {"const": FORMAT_VERSION},
        "config": {"$ref": "#/$defs/Config"},
    }
    config = Config.model_json_schema(mode="serialization")
    defs.update(config.pop("$defs", {}))
    defs["Config"] = config
    for table in TABLES:
        kind = KIND_OF_TABLE[table]
        schema = KINDS[kind].model_json_schema(by_alias=True, mode="serialization")
        defs.update(schema.pop("$defs", {}))
        schema["required"] = sorted({*schema.get("required", []), "id"})
        defs[kind] = schema
        props[table] = {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "debate-kb JSON export",
        "description": (
            "The whole knowledge base: records of each kind sorted by ID. Claims keep the link "
            "fields they were written with; 'relations' lists every relation, including those."
        ),
        "type": "object",
        "required": ["format", "version", "config", *TABLES],
        "properties": props,
        "additionalProperties": False,
        "$defs": defs,
    }


def data_to_yaml_files(data: dict[str, Any]) -> dict[str, str]:
    """Return YAML file texts (by file name) that load back to the records of a JSON export."""
    import yaml

    files: dict[str, str] = {}
    config = data.get("config") or {}
    if config:
        files["kb.yaml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    for table in TABLES:
        records = data.get(table) or []
        if records:
            files[f"{table}.yaml"] = yaml.safe_dump(
                {table: records}, sort_keys=False, allow_unicode=True, width=100
            )
    return files


# GraphML and DOT ----------------------------------------------------------------------------


def label_of(record: Record) -> str:
    """Return the human label of a record: a claim's text, a source's title, a name."""
    for name in ("text", "title", "name"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    if record.kind_name == "stance":
        return f"{record.actor} {record.position} {record.claim}"  # type: ignore[attr-defined]
    if record.kind_name == "evidence":
        return record.summary or record.quote  # type: ignore[attr-defined]
    return record.id


GraphRows = tuple[list[tuple[str, dict[str, str]]], list[tuple[str, str, str, dict[str, str]]]]


def graph_rows(kb: KnowledgeBase) -> GraphRows:
    """Return the record graph's nodes and edges, sorted, with string attributes."""
    from kb.graph import KBGraph

    source = KBGraph(kb).g
    records: dict[str, Record] = {}
    for table in TABLES:
        records.update(getattr(kb, table))
    nodes = []
    for node in sorted(source.nodes):
        record = records.get(node)
        kind = source.nodes[node].get("kind") or (record.kind_name if record else "")
        attrs = {"label": label_of(record) if record else node, "kind": kind}
        if record is not None and kind == "claim":
            attrs["claim_kind"] = record.kind.value  # type: ignore[attr-defined]
            attrs["tags"] = " ".join(record.tags)  # type: ignore[attr-defined]
        nodes.append((node, attrs))
    edges = []
    for u, v, key, data in sorted(
        source.edges(keys=True, data=True), key=lambda e: (str(e[2]), e[0], e[1])
    ):
        attrs = {"type": data["type"], "label": data["type"], "record": str(key)}
        for extra in ("target", "position", "side"):
            if extra in data:
                attrs[extra] = str(data[extra])
        edges.append((u, v, str(key), attrs))
    return nodes, edges


def to_networkx(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """Return the knowledge base as a MultiDiGraph with GraphML-safe attributes."""
    nodes, edges = graph_rows(kb)
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes)
    for u, v, key, attrs in edges:
        g.add_edge(u, v, key=key, **attrs)
    return g


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YED_NS = "http://www.yworks.com/xml/graphml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_KIND_COLOURS = {
    "question": "#FEE08B",
    "claim": "#FFFFFF",
    "evidence": "#F0F0F0",
    "source": "#C6DBEF",
    "actor": "#D9F0D3",
    "stance": "#EFEDF5",
    "relation": "#FDD0A2",
}
_EDGE_COLOURS = {"supports": "#1A9850", "rebuts": "#D73027", "undercuts": "#D73027"}


_NODE_KEYS = ("label", "kind", "claim_kind", "tags")
_EDGE_KEYS = ("type", "label", "record", "target", "position", "side")


_XML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}
)


def _xml(text: str) -> str:
    """Escape text for an XML element or attribute, dropping characters XML 1.0 forbids."""
    return text.translate(_XML_ESCAPES)


def export_graphml(kb: KnowledgeBase) -> bytes:
    """Return the record graph as GraphML: attributes for Gephi, node graphics for yEd."""
    nodes, edges = graph_rows(kb)
    out = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{XSI_NS}" xmlns:y="{YED_NS}" '
        f'xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd">',
    ]
    for i, name in enumerate(_NODE_KEYS):
        out.append(f'  <key id="n{i}" for="node" attr.name="{name}" attr.type="string"/>')
    for i, name in enumerate(_EDGE_KEYS):
        out.append(f'  <key id="e{i}" for="edge" attr.name="{name}" attr.type="string"/>')
    out.append('  <key id="ynode" for="node" yfiles.type="nodegraphics"/>')
    out.append('  <key id="yedge" for="edge" yfiles.type="edgegraphics"/>')
    out.append('  <graph id="kb" edgedefault="directed">')
    for node, data in nodes:
        out.append(f'    <node id="{_xml(node)}">')
        for i, name in enumerate(_NODE_KEYS):
            if name in data:
                out.append(f'      <data key="n{i}">{_xml(str(data[name]))}</data>')
        colour = _KIND_COLOURS.get(data.get("kind", ""), "#FFFFFF")
        out.append(
            '      <data key="ynode"><y:ShapeNode><y:Geometry height="60.0" width="220.0"/>'
            f'<y:Fill color="{colour}" transparent="false"/>'
            f"<y:NodeLabel>{_xml(data['label'])}</y:NodeLabel>"
            '<y:Shape type="roundrectangle"/></y:ShapeNode></data>'
        )
        out.append("    </node>")
    for n, (u, v, _key, data) in enumerate(edges):
        out.append(f'    <edge id="e{n}" source="{_xml(u)}" target="{_xml(v)}">')
        for i, name in enumerate(_EDGE_KEYS):
            if name in data:
                out.append(f'      <data key="e{i}">{_xml(str(data[name]))}</data>')
        edge_type = data["type"]
        style = "dashed" if edge_type == "undercuts" else "line"
        colour = _EDGE_COLOURS.get(edge_type, "#808080")
        out.append(
            '      <data key="yedge"><y:PolyLineEdge>'
            f'<y:LineStyle color="{colour}" type="{style}" width="1.0"/>'
            '<y:Arrows source="none" target="standard"/>'
            f"<y:EdgeLabel>{_xml(edge_type)}</y:EdgeLabel></y:PolyLineEdge></data>"
        )
        out.append("    </edge>")
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


_DOT_STYLE = {
    "supports": 'color="#1a9850"',
    "rebuts": 'color="#d73027"',
    "contradicts": 'color="#d73027", dir=both, style=bold',
    "undercuts": 'color="#d73027", style=dashed',
    "refines": 'color="#4575b4", style=dotted',
    "equivalent": 'color="#4575b4", dir=both',
    "answers": 'color="#999999", style=dotted',
}


def _dot_quote(text: str, width: int = 0) -> str:
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


def export_dot(kb: KnowledgeBase) -> bytes:
    """Return the argument map (questions, claims, evidence and their links) as Graphviz DOT."""
    lines = [
        "digraph kb {",
        f"  label={_dot_quote(kb.config.title)};",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    for q in _sorted(kb.questions):
        lines.append(
            f'  {_dot_quote(q.id)} [label={_dot_quote(q.title, 80)}, fillcolor="#fee08b"];'
        )
    for c in _sorted(kb.claims):
        lines.append(f"  {_dot_quote(c.id)} [label={_dot_quote(c.text, 80)}];")
    for e in _sorted(kb.evidence):
        text = e.summary or e.quote
        lines.append(
            f'  {_dot_quote(e.id)} [label={_dot_quote(text, 80)}, shape=note, fillcolor="#f0f0f0"];'
        )
    for q in _sorted(kb.questions):
        for side in ("pro", "con", "mixed"):
            for c in getattr(q.positions, side):
                if c in kb.claims:
                    style = _DOT_STYLE["answers"]
                    lines.append(
                        f"  {_dot_quote(c)} -> {_dot_quote(q.id)} [label={side}, {style}];"
                    )
    for e in _sorted(kb.evidence):
        style = _DOT_STYLE[e.direction.value]
        lines.append(f"  {_dot_quote(e.id)} -> {_dot_quote(e.claim)} [{style}];")
    for r in _sorted(kb.relations):
        target = _undercut_target(kb, r.to) if r.type is RelationType.undercuts else r.to
        style = _DOT_STYLE[r.type.value]
        lines.append(
            f"  {_dot_quote(r.from_)} -> {_dot_quote(target)} "
            f"[label={_dot_quote(r.type.value)}, tooltip={_dot_quote(r.id)}, {style}];"
        )
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# CSV ----------------------------------------------------------------------------------------

_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


_FORMULA_STARTS = frozenset("=+-@\t\r")  # a spreadsheet runs such a cell as a formula


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text[:1] in _FORMULA_STARTS:
        # Spreadsheets run a cell starting with these as a formula: the public download must
        # not carry a contributor's formula into a reader's spreadsheet (OWASP CSV injection).
        return "'" + text
    return text


def table_csv(kb: KnowledgeBase, table: str) -> str:
    """Return one record kind as CSV: a column per field; lists and mappings as JSON."""
    model = KINDS[KIND_OF_TABLE[table]]
    columns = [f.alias or name for name, f in model.model_fields.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in _sorted(getattr(kb, table)):
        data = record.model_dump(mode="json", by_alias=True)
        writer.writerow([_csv_cell(data.get(c)) for c in columns])
    return buffer.getvalue()


def export_csv(kb: KnowledgeBase) -> bytes:
    """Return a zip of one CSV file per record kind (`claims.csv`, ...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            info = zipfile.ZipInfo(f"{table}.csv", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, table_csv(kb, table).encode("utf-8"))
    return buffer.getvalue()


# AIF ----------------------------------------------------------------------------------------


def aif_timestamp(dates: Iterable[str | None]) -> str:
    """Return the AIF timestamp of the earliest of some partial dates, else the fixed one."""
    known = sorted(d for d in dates if d)
    if not known:
        return FIXED_TIMESTAMP
    year, month, day = ([*known[0].split("-"), "01", "01"])[:3]
    return f"{year}-{month}-{day} 00:00:00"


class _AifBuilder:
    """Builds AIF nodes, edges and locutions from a knowledge base, in a stable order."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.locutions: list[dict[str, Any]] = []
        self.participants: list[dict[str, Any]] = []
        self.node_of: dict[str, str] = {}  # claim / evidence / support ID -> node ID
        self.kind_of_node: dict[str, str] = {}

    def date_of(self, source_id: str | None) -> str | None:
        source = self.kb.sources.get(source_id or "")
        return source.date if source else None

    def node(self, node_type: str, text: str, dates: Iterable[str | None] = ()) -> str:
        node_id = str(len(self.nodes) + 1)
        self.nodes.append(
            {"nodeID": node_id, "text": text, "type": node_type, "timestamp": aif_timestamp(dates)}
        )
        self.kind_of_node[node_id] = node_type
        return node_id

    def edge(self, from_id: str, to_id: str) -> None:
        edge_id = str(len(self.edges) + 1)
        self.edges.append({"edgeID": edge_id, "fromID": from_id, "toID": to_id, "formEdgeID": None})

    def build(self) -> None:
        kb = self.kb
        claim_dates: dict[str, list[str | None]] = defaultdict(list)
        for s in kb.stances.values():
            claim_dates[s.claim].append(self.date_of(s.source))
        for e in kb.evidence.values():
            claim_dates[e.claim].append(self.date_of(e.source))
        for c in _sorted(kb.claims):
            self.node_of[c.id] = self.node("I", c.text, claim_dates[c.id])
        for e in _sorted(kb.evidence):
            self.node_of[e.id] = self.node("I", e.quote, [self.date_of(e.source)])
        self._supports()
        for e in _sorted(kb.evidence):
            if e.claim not in self.node_of:
                continue
            kind = "RA" if e.direction is Direction.supports else "CA"
            s_node = self.node(kind, DEFAULT_SCHEMES[kind], [self.date_of(e.source)])
            self.edge(self.node_of[e.id], s_node)
            self.edge(s_node, self.node_of[e.claim])
            if kind == "RA":
                self.node_of[f"support:{e.id}"] = s_node
        for r in _sorted(kb.relations):
            self._relation(r)
        self._stances()

    def _supports(self) -> None:
        """Add an RA node per support, or per group of linked supports into one conclusion."""
        groups: dict[tuple[str, str], list[Relation]] = defaultdict(list)
        for r in _sorted(self.kb.relations):
            if r.type is RelationType.supports:
                key = (f"group:{r.group}", r.to) if r.group else (f"relation:{r.id}", r.to)
                groups[key].append(r)
        for (_, conclusion), members in sorted(groups.items()):
            premises = [r for r in members if r.from_ in self.node_of]
            if conclusion not in self.node_of or not premises:
                continue
            scheme = next((r.scheme for r in members if r.scheme), DEFAULT_SCHEMES["RA"])
            ra = self.node("RA", scheme, [self.date_of(r.source) for r in members])
            for r in premises:
                self.edge(self.node_of[r.from_], ra)
                self.node_of[f"support:{r.id}"] = ra
            self.edge(ra, self.node_of[conclusion])

    def _relation(self, r: Relation) -> None:
        nodes = self.node_of
        dates = [self.date_of(r.source)]
        if r.from_ not in nodes:
            return
        if r.type is RelationType.rebuts and r.to in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[r.to])
        elif r.type is RelationType.contradicts and r.to in nodes:
            for a, b in ((r.from_, r.to), (r.to, r.from_)):
                ca = self.node("CA", r.scheme or CONTRADICTION_SCHEME, dates)
                self.edge(nodes[a], ca)
                self.edge(ca, nodes[b])
        elif r.type is RelationType.undercuts and f"support:{r.to}" in nodes:
            ca = self.node("CA", r.scheme or DEFAULT_SCHEMES["CA"], dates)
            self.edge(nodes[r.from_], ca)
            self.edge(ca, nodes[f"support:{r.to}"])
        elif r.type in (RelationType.equivalent, RelationType.refines) and r.to in nodes:
            default = REFINEMENT_SCHEME if r.type is RelationType.refines else DEFAULT_SCHEMES["MA"]
            ma = self.node("MA", r.scheme or default, dates)
            self.edge(nodes[r.from_], ma)
            self.edge(ma, nodes[r.to])

    def _stances(self) -> None:
        kb = self.kb
        person: dict[str, int] = {}
        for actor in _sorted(kb.actors):
            person[actor.id] = len(person) + 1
            first, _, last = actor.name.partition(" ")
            self.participants.append(
                {"participantID": person[actor.id], "firstname": first, "surname": last}
            )
        for s in _sorted(kb.stances):
            if s.claim not in self.node_of or s.actor not in kb.actors:
                continue
            source = kb.sources.get(s.source)
            dates = [source.date if source else None]
            name = kb.actors[s.actor].name
            loc = self.node("L", f"{name}: {s.quote}", dates)
            ya = self.node("YA", ILLOCUTIONS[s.position], dates)
            self.edge(loc, ya)
            self.edge(ya, self.node_of[s.claim])
            self.locutions.append(
                {
                    "nodeID": loc,
                    "personID": str(person[s.actor]),
                    "timestamp": aif_timestamp(dates),
                    "start": None,
                    "end": None,
                    "source": (source.url or source.title) if source else None,
                }
            )


def kb_to_aif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as AIFdb JSON data (nodes, edges, locutions)."""
    builder = _AifBuilder(kb)
    builder.build()
    return {"nodes": builder.nodes, "edges": builder.edges, "locutions": builder.locutions}


def kb_to_xaif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as xAIF (OVA3): AIF with participants, plus a node layout."""
    builder = _AifBuilder(kb)
    builder.build()
    nodes = [{k: v for k, v in n.items() if k != "timestamp"} for n in builder.nodes]
    locutions = [
        {"nodeID": loc["nodeID"], "personID": loc["personID"]} for loc in builder.locutions
    ]
    columns = 8
    ova_nodes = [
        {
            "nodeID": n["nodeID"],
            "visible": True,
            "x": 50 + 250 * (i % columns),
            "y": 50 + 150 * (i // columns),
            "timestamp": n["timestamp"],
        }
        for i, n in enumerate(builder.nodes)
    ]
    ova_edges = [{"fromID": e["fromID"], "toID": e["toID"], "visible": True} for e in builder.edges]
    return {
        "AIF": {
            "nodes": nodes,
            "edges": [{k: v for k, v in e.items() if k != "formEdgeID"} for e in builder.edges],
            "locutions": locutions,
            "participants": builder.participants,
            "schemefulfillments": [],
        },
        "OVA": {"firstname": "", "surname": "", "url": "", "nodes": ova_nodes, "edges": ova_edges},
        "text": kb.config.title,
    }


def export_aif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as AIFdb JSON."""
    return (json.dumps(kb_to_aif(kb), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def export_xaif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as xAIF (OVA3) JSON."""
    return (json.dumps(kb_to_xaif(kb), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# Argdown ------------------------------------------------------------------------------------

_ARGDOWN_SPECIAL = set("\\[]<>#*_@{}/:=+-~`^|")


def argdown_escape(text: str) -> str:
    """Return text as one Argdown line, escaping every character Argdown reads as syntax."""
    flat = " ".join(text.split())
    return "".join("\\" + ch if ch in _ARGDOWN_SPECIAL else ch for ch in flat)


def _yaml_flow(data: dict[str, Any]) -> str:
    """Return an Argdown inline YAML data element (JSON is valid inline YAML)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def export_argdown(kb: KnowledgeBase) -> bytes:
    """Return the claims, evidence and links as an Argdown document (loose mode).

    Claims are titled statements `[claim-id]: text #tags`; a support `+`, a rebuttal `-` and a
    contradiction `><` hang under the claim they point at. A support that is undercut, or whose
    premises are linked (a group), becomes a reconstructed argument `<relation-id>` with its
    premise-conclusion structure, so that the undercut `_>` can attack its inference. Evidence
    becomes a sketched argument `<evidence-id>`. Refinements and equivalences, which Argdown has
    no relation for, are kept as YAML data on the claim.
    """
    out: list[str] = ["===", f"title: {json.dumps(kb.config.title, ensure_ascii=False)}"]
    if kb.config.description:
        out.append(f"subTitle: {json.dumps(kb.config.description, ensure_ascii=False)}")
    out += ["model:", "    mode: loose", "==="]
    undercut = {r.to for r in kb.relations.values() if r.type is RelationType.undercuts}
    grouped: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    data: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _sorted(kb.relations):
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
    for c in _sorted(kb.claims):
        tags = "".join(f" #{t}" for t in c.tags)
        line = f"[{c.id}]: {argdown_escape(c.text)}{tags}"
        if c.id in data:
            line += " " + _yaml_flow({k: sorted(v) for k, v in sorted(data[c.id].items())})
        out += ["", line, *incoming.get(c.id, [])]
    arg_title: dict[str, str] = {}
    used = set(kb.evidence)
    for (title, conclusion), members in sorted(grouped.items()):
        if title in used:  # one group name used for two conclusions
            title = f"{title}--{conclusion}"
        used.add(title)
        argument = f"<{title}>"
        for r in members:
            arg_title[r.id] = title
        gist = members[0].rationale or (
            "Linked premises support the conclusion." if len(members) > 1 else "Support."
        )
        out += ["", f"{argument}: {argdown_escape(gist)}", ""]
        for i, r in enumerate(members, 1):
            out.append(f"({i}) [{r.from_}]")
        out += ["----", f"({len(members) + 1}) [{conclusion}]"]
    for e in _sorted(kb.evidence):
        arg_title[e.id] = e.id
        relation = "+>" if e.direction is Direction.supports else "->"
        text = argdown_escape(e.summary or e.quote)
        meta = _yaml_flow({"source": e.source, "kind": e.kind.value})
        out += ["", f"<{e.id}>: {text} {meta}", f"    {relation} [{e.claim}]"]
    for r in _sorted(kb.relations):
        if r.type is RelationType.undercuts and r.to in arg_title:
            out += ["", f"[{r.from_}]", f"    _> <{arg_title[r.to]}>"]
    return ("\n".join(out) + "\n").encode("utf-8")


# JSON-LD ------------------------------------------------------------------------------------

_SCHEMA_TYPES = {
    "paper": "ScholarlyArticle",
    "preprint": "ScholarlyArticle",
    "blog-post": "BlogPosting",
    "newsletter": "Article",
    "book": "Book",
    "chapter": "Chapter",
    "talk": "CreativeWork",
    "podcast": "PodcastEpisode",
    "video": "VideoObject",
    "dataset": "Dataset",
    "social-post": "SocialMediaPosting",
    "report": "Report",
    "web-page": "WebPage",
}


def _person(kb: KnowledgeBase, actor_id: str) -> dict[str, Any]:
    actor = kb.actors.get(actor_id)
    if actor is None:
        return {"@type": "Person", "name": actor_id}
    data: dict[str, Any] = {
        "@type": "Person" if actor.kind.value == "person" else "Organization",
        "name": actor.name,
    }
    if actor.homepage:
        data["url"] = actor.homepage
    return data


def _creative_work(kb: KnowledgeBase, source_id: str) -> dict[str, Any]:
    source = kb.sources[source_id]
    data: dict[str, Any] = {"@type": _SCHEMA_TYPES[source.kind.value], "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date
    if source.authors:
        data["author"] = [_person(kb, a) for a in source.authors]
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.doi:
        data["identifier"] = f"https://doi.org/{source.doi}"
    return data


def claim_jsonld(
    kb: KnowledgeBase,
    claim_id: str,
    url: str | None = None,
    stances: Iterable[Stance] | None = None,
) -> dict[str, Any]:
    """Return a schema.org Claim: its text, the works it appears in, and who asserts it.

    Pass the claim's `stances` (e.g. `KBGraph.stances_on(claim_id)`) when rendering many
    claims; without them every stance of the knowledge base is scanned.
    """
    claim = kb.claims[claim_id]
    if stances is None:
        stances = [s for s in kb.stances.values() if s.claim == claim_id]
    stances = sorted(stances, key=lambda s: s.id)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "identifier": claim.id,
        "name": claim.text,
        "text": claim.text,
    }
    if url:
        data["@id"] = url
        data["url"] = url
    if claim.tags:
        data["keywords"] = list(claim.tags)
    sources = sorted({s.source for s in stances if s.source in kb.sources})
    if sources:
        works = [_creative_work(kb, s) for s in sources]
        data["appearance"] = works
        dated = [w for w in works if "datePublished" in w]
        if dated:
            data["firstAppearance"] = min(dated, key=lambda w: w["datePublished"])
    authors = sorted({s.actor for s in stances if s.position is Position.asserts})
    if authors:
        data["author"] = [_person(kb, a) for a in authors]
    return data


def jsonld_script(data: dict[str, Any]) -> str:
    """Return JSON-LD as a script element that is safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


# Registry -----------------------------------------------------------------------------------

EXPORTERS: dict[str, Callable[[KnowledgeBase], bytes]] = {
    "json": export_json,
    "graphml": export_graphml,
    "dot": export_dot,
    "csv": export_csv,
    "aif": export_aif,
    "xaif": export_xaif,
    "argdown": export_argdown,
}
_FILE_NAMES = {
    "json": "debate-kb.json",
    "graphml": "debate-kb.graphml",
    "dot": "debate-kb.dot",
    "csv": "debate-kb-csv.zip",
    "aif": "debate-kb.aif.json",
    "xaif": "debate-kb.xaif.json",
    "argdown": "debate-kb.argdown",
}
MEDIA_TYPES = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "dot": "text/vnd.graphviz",
    "csv": "application/zip",
    "aif": "application/json",
    "xaif": "application/json",
    "argdown": "text/plain",
}
DESCRIPTIONS = {
    "json": "Every record and relation, with a published JSON Schema.",
    "graphml": "The record graph for Gephi, yEd or networkx.",
    "dot": "The argument map for Graphviz.",
    "csv": "One CSV table per record kind, zipped.",
    "aif": "Argument Interchange Format (AIFdb JSON).",
    "xaif": "xAIF for OVA3.",
    "argdown": "An Argdown document for the Argdown tools.",
}


def file_name(fmt: str) -> str:
    """Return the download file name of an export format."""
    return _FILE_NAMES[fmt]


def export(kb: KnowledgeBase, fmt: str) -> bytes:
    """Return the knowledge base in one export format."""
    return EXPORTERS[fmt](kb)


def run_export(root: Path, fmt: str, out: Path | None) -> Path | None:
    """Load and check the knowledge base, then write one export to a file or standard output."""
    import sys

    from kb.load import load_kb

    data = export(load_kb(root), fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
