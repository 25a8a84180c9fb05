"""The `aif` export: the knowledge base as AIFdb JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kb.formats.aif_graph import aif_of, build_aif
from kb.formats.context import Context, export_once
from kb.formats.writer import Writer, json_list, json_object, jstr
from kb.model.kb import KnowledgeBase


def kb_to_aif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as AIFdb JSON data (nodes, edges, locutions)."""
    built = build_aif(kb)
    return {
        "nodes": [
            {"nodeID": str(i), "text": text, "type": kind, "timestamp": ts}
            for i, text, kind, ts in built.nodes
        ],
        "edges": [
            {"edgeID": str(i), "fromID": str(a), "toID": str(b), "formEdgeID": None}
            for i, a, b in built.edges
        ],
        "locutions": [
            {
                "nodeID": str(node),
                "personID": str(person),
                "timestamp": ts,
                "start": None,
                "end": None,
                "source": source,
            }
            for node, person, ts, source in built.locutions
        ],
    }


# Each AIF item as json.dumps(indent=2) lays it out, at the depth its list sits.
_AIF_NODE = json_object(2, nodeID='"%d"', text="%s", type="%s", timestamp="%s")
_AIF_EDGE = json_object(2, edgeID='"%d"', fromID='"%d"', toID='"%d"', formEdgeID="null")
_AIF_LOCUTION = json_object(
    2, nodeID='"%d"', personID='"%d"', timestamp="%s", start="null", end="null", source="%s"
)


def json_or_null(text: str | None) -> str:
    return "null" if text is None else jstr(text)


def write_aif(ctx: Context, writer: Writer) -> None:
    built = aif_of(ctx)
    nodes, edges, locutions = built.nodes, built.edges, built.locutions
    writer.add(b"{")

    def render_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, text, kind, ts = nodes[i]
            out.append((_AIF_NODE % (node_id, jstr(text), jstr(kind), jstr(ts))).encode())
        return out

    json_list(writer, "nodes", '\n  "nodes": ', nodes, render_nodes, "  ")
    json_list(
        writer,
        "edges",
        ',\n  "edges": ',
        edges,
        lambda indices: [(_AIF_EDGE % edges[i]).encode() for i in indices],
        "  ",
    )

    def render_locutions(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node, person, ts, source = locutions[i]
            text = _AIF_LOCUTION % (node, person, jstr(ts), json_or_null(source))
            out.append(text.encode())
        return out

    json_list(writer, "locutions", ',\n  "locutions": ', locutions, render_locutions, "  ")
    writer.add(b"\n}\n")


def export_aif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as AIFdb JSON."""
    return export_once(kb, write_aif)
