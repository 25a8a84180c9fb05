"""The `graphml` export: the record graph with attributes for Gephi and node graphics for yEd."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from kb.formats.context import KIND_OF_TABLE, TABLES, Context, export_once
from kb.formats.writer import Writer
from kb.model.edges import NODE_TABLES, record_edges
from kb.model.kb import KnowledgeBase
from kb.model.records import Claim, Record


def label_of(record: Record) -> str:
    """Return the human label of a record: a claim's text, a source's title, a name."""
    label = _LABELS.get(record.kind_name)
    if label is not None:
        return label(record)
    for name in ("text", "title", "name"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    return record.id


# The known kinds' labels, without probing each for fields it lacks (pydantic makes that slow).
_LABELS: dict[str, Callable[[Any], str]] = {
    "claim": lambda r: r.text,
    "question": lambda r: r.title,
    "source": lambda r: r.title,
    "actor": lambda r: r.name,
    "stance": lambda r: f"{r.actor} {r.position} {r.claim}",
    "evidence": lambda r: r.summary or r.quote,
    "relation": lambda r: r.id,
}


GraphRows = tuple[list[tuple[str, dict[str, str]]], list[tuple[str, str, str, dict[str, str]]]]


def _graph_parts(
    kb: KnowledgeBase,
) -> tuple[dict[str, str | None], dict[tuple[str, str, str], dict[str, str]]]:
    """Return the nodes (with their `kind` attribute) and edges that `KBGraph` builds."""
    # Made from the same `record_edges` but without networkx, which took most of the time of an
    # export.
    nodes: dict[str, str | None] = {}
    for name in NODE_TABLES:
        for rid, record in getattr(kb, name).items():
            nodes[rid] = record.kind_name
    edges: dict[tuple[str, str, str], dict[str, str]] = {}
    for u, v, key, attrs in record_edges(kb):
        nodes.setdefault(u, None)
        nodes.setdefault(v, None)
        if (u, v, key) in edges:
            edges[u, v, key].update(attrs)  # as networkx updates an edge added again
        else:
            edges[u, v, key] = attrs
    return nodes, edges


_EDGE_EXTRAS = ("target", "position", "side")
GraphNode = tuple[str, str]  # ID, kind
GraphEdge = tuple[str, str, str, dict[str, str]]  # from, to, key, attributes as KBGraph has them


def _graph(kb: KnowledgeBase) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Return the record graph's nodes (ID and kind) and edges, sorted."""
    graph_nodes, graph_edges = _graph_parts(kb)
    nodes = []
    for node in sorted(graph_nodes):
        kind = graph_nodes[node]
        if kind is None:
            record = record_of(kb, node)
            kind = record.kind_name if record else ""
        nodes.append((node, kind))
    edges = [
        (u, v, key, data)
        for (u, v, key), data in sorted(
            graph_edges.items(), key=lambda e: (e[0][2], e[0][0], e[0][1])
        )
    ]
    return nodes, edges


def record_of(kb: KnowledgeBase, rid: str) -> Record | None:
    """Return the record with an ID, of the last kind (in table order) that has it."""
    for table in reversed(TABLES):
        record: Record | None = getattr(kb, table).get(rid)
        if record is not None:
            return record
    return None


NumberedEdge = tuple[int, str, str, str, tuple[tuple[str, str], ...]]  # number, from, to, key, ...
GraphStructure = tuple[list[GraphNode], list[NumberedEdge], list[str], dict[str, list[int]]]


def _graph_structure(ctx: Context, last: GraphStructure | None) -> GraphStructure:
    """Return the graph's nodes, its numbered edges and each node's table."""
    # The last ones while they hold: the graph reads every table's IDs but only the records of the
    # tables that make edges.
    if last is not None:
        return last
    kb = ctx.kb
    nodes, graph_edges = _graph(kb)
    edges = [(n, u, v, key, tuple(data.items())) for n, (u, v, key, data) in enumerate(graph_edges)]
    tables = []
    items_of: dict[str, list[int]] = {table: [] for table in TABLES}
    for i, (node, _) in enumerate(nodes):
        table = next(t for t in reversed(TABLES) if node in getattr(kb, t))
        tables.append(table)
        items_of[table].append(i)
    return nodes, edges, tables, items_of


def _node_attrs(node: str, kind: str, record: Record | None) -> dict[str, str]:
    attrs = {"label": label_of(record) if record else node, "kind": kind}
    if isinstance(record, Claim) and kind == "claim":
        attrs["claim_kind"] = record.kind.value
        attrs["tags"] = " ".join(record.tags)
    return attrs


def _edge_attrs(key: str, data: dict[str, str]) -> dict[str, str]:
    attrs = {"type": data["type"], "label": data["type"], "record": key}
    for extra in _EDGE_EXTRAS:
        if extra in data:
            attrs[extra] = str(data[extra])
    return attrs


def graph_rows(kb: KnowledgeBase) -> GraphRows:
    """Return the record graph's nodes and edges, sorted, with string attributes."""
    nodes, edges = _graph(kb)
    return (
        [(node, _node_attrs(node, kind, record_of(kb, node))) for node, kind in nodes],
        [(u, v, key, _edge_attrs(key, data)) for u, v, key, data in edges],
    )


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


_XML_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f]')
_XML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}
)


def _xml(text: str) -> str:
    """Escape text for an XML element or attribute, dropping characters XML 1.0 forbids."""
    if _XML_SPECIAL.search(text) is None:  # most text needs nothing, and search is cheap
        return text
    return text.translate(_XML_ESCAPES)


def _graphml_node(node: str, kind: str, record: Record | None) -> bytes:
    data = _node_attrs(node, kind, record)
    label = _xml(data["label"])
    out = [f'    <node id="{_xml(node)}">\n      <data key="n0">{label}</data>\n']
    out.append(f'      <data key="n1">{_xml(kind)}</data>\n')
    if "claim_kind" in data:
        out.append(f'      <data key="n2">{_xml(data["claim_kind"])}</data>\n')
        out.append(f'      <data key="n3">{_xml(data["tags"])}</data>\n')
    colour = _KIND_COLOURS.get(kind, "#FFFFFF")
    out.append(
        '      <data key="ynode"><y:ShapeNode><y:Geometry height="60.0" width="220.0"/>'
        f'<y:Fill color="{colour}" transparent="false"/>'
        f"<y:NodeLabel>{label}</y:NodeLabel>"
        '<y:Shape type="roundrectangle"/></y:ShapeNode></data>\n    </node>'
    )
    return "".join(out).encode("utf-8")


def _graphml_edge(n: int, u: str, v: str, key: str, items: tuple[tuple[str, str], ...]) -> bytes:
    raw = dict(items)
    edge_type = _xml(raw["type"])
    out = [
        f'    <edge id="e{n}" source="{_xml(u)}" target="{_xml(v)}">\n'
        f'      <data key="e0">{edge_type}</data>\n'
        f'      <data key="e1">{edge_type}</data>\n'
        f'      <data key="e2">{_xml(key)}</data>\n'
    ]
    for i, extra in enumerate(_EDGE_EXTRAS, 3):
        if extra in raw:
            out.append(f'      <data key="e{i}">{_xml(str(raw[extra]))}</data>\n')
    style = "dashed" if raw["type"] == "undercuts" else "line"
    colour = _EDGE_COLOURS.get(raw["type"], "#808080")
    out.append(
        '      <data key="yedge"><y:PolyLineEdge>'
        f'<y:LineStyle color="{colour}" type="{style}" width="1.0"/>'
        '<y:Arrows source="none" target="standard"/>'
        f"<y:EdgeLabel>{edge_type}</y:EdgeLabel></y:PolyLineEdge></data>\n    </edge>"
    )
    return "".join(out).encode("utf-8")


def write_graphml(ctx: Context, writer: Writer) -> None:
    everything = TABLES
    grounding = ("questions", "relations", "evidence", "stances", "sources")
    structure: GraphStructure = ctx.structure("graph", everything, grounding, _graph_structure)
    nodes, edges, tables, items_of = structure
    kb = ctx.kb
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{XSI_NS}" xmlns:y="{YED_NS}" '
        f'xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd">',
    ]
    for i, name in enumerate(_NODE_KEYS):
        head.append(f'  <key id="n{i}" for="node" attr.name="{name}" attr.type="string"/>')
    for i, name in enumerate(_EDGE_KEYS):
        head.append(f'  <key id="e{i}" for="edge" attr.name="{name}" attr.type="string"/>')
    head.append('  <key id="ynode" for="node" yfiles.type="nodegraphics"/>')
    head.append('  <key id="yedge" for="edge" yfiles.type="edgegraphics"/>')
    head.append('  <graph id="kb" edgedefault="directed">')
    writer.add(("\n".join(head) + "\n").encode())
    # A node's record stands for its ID and kind but when one ID names records of two kinds.
    tokens, kind_of = ctx.tokens, {t: KIND_OF_TABLE[t] for t in TABLES}

    def node_keys(indices: Sequence[int]) -> list[Any]:
        out = []
        for i in indices:
            (node, kind), table = nodes[i], tables[i]
            token = tokens[table][node]
            out.append(token if kind == kind_of[table] else (kind, token))
        return out

    writer.run(
        "nodes",
        ctx.item_keys("graphml-nodes", nodes, items_of, node_keys),
        lambda indices: [_graphml_node(*nodes[i], record_of(kb, nodes[i][0])) for i in indices],
        b"\n",
    )
    writer.add(b"\n" if nodes and edges else b"")
    writer.run(
        "edges",
        edges,
        lambda indices: [_graphml_edge(*edges[i]) for i in indices],
        b"\n",
    )
    writer.add(b"\n  </graph>\n</graphml>\n" if nodes or edges else b"  </graph>\n</graphml>\n")


def export_graphml(kb: KnowledgeBase) -> bytes:
    """Return the record graph as GraphML: attributes for Gephi, node graphics for yEd."""
    return export_once(kb, write_graphml)
