"""The `xaif` export: the AIF graph in the OVA3 wrapper, with a node layout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kb.formats.aif_graph import aif_of, build_aif
from kb.formats.context import Context, export_once
from kb.formats.writer import Writer, json_list, json_object, jstr
from kb.model.kb import KnowledgeBase

XAIF_COLUMNS = 8


def kb_to_xaif(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the knowledge base as xAIF (OVA3): AIF with participants, plus a node layout."""
    built = build_aif(kb)
    columns = XAIF_COLUMNS
    return {
        "AIF": {
            "nodes": [
                {"nodeID": str(i), "text": text, "type": kind} for i, text, kind, _ in built.nodes
            ],
            "edges": [
                {"edgeID": str(i), "fromID": str(a), "toID": str(b)} for i, a, b in built.edges
            ],
            "locutions": [
                {"nodeID": str(node), "personID": str(person)}
                for node, person, _, _ in built.locutions
            ],
            "participants": [
                {"participantID": pid, "firstname": first, "surname": last}
                for pid, first, last in built.participants
            ],
            "schemefulfillments": [],
        },
        "OVA": {
            "firstname": "",
            "surname": "",
            "url": "",
            "nodes": [
                {
                    "nodeID": str(i),
                    "visible": True,
                    "x": 50 + 250 * ((i - 1) % columns),
                    "y": 50 + 150 * ((i - 1) // columns),
                    "timestamp": ts,
                }
                for i, _, _, ts in built.nodes
            ],
            "edges": [
                {"fromID": str(a), "toID": str(b), "visible": True} for _, a, b in built.edges
            ],
        },
        "text": kb.config.title,
    }


_XAIF_NODE = json_object(3, nodeID='"%d"', text="%s", type="%s")
_XAIF_EDGE = json_object(3, edgeID='"%d"', fromID='"%d"', toID='"%d"')
_XAIF_LOCUTION = json_object(3, nodeID='"%d"', personID='"%d"')
_XAIF_PARTICIPANT = json_object(3, participantID="%d", firstname="%s", surname="%s")
_OVA_NODE = json_object(3, nodeID='"%d"', visible="true", x="%d", y="%d", timestamp="%s")
_OVA_EDGE = json_object(3, fromID='"%d"', toID='"%d"', visible="true")


def write_xaif(ctx: Context, writer: Writer) -> None:
    built = aif_of(ctx)
    nodes, edges = built.nodes, built.edges
    locutions, participants = built.locutions, built.participants
    writer.add(b'{\n  "AIF": {')

    def render_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, text, kind, _ = nodes[i]
            out.append((_XAIF_NODE % (node_id, jstr(text), jstr(kind))).encode())
        return out

    json_list(writer, "aif-nodes", '\n    "nodes": ', nodes, render_nodes, "    ")
    json_list(
        writer,
        "aif-edges",
        ',\n    "edges": ',
        edges,
        lambda indices: [(_XAIF_EDGE % edges[i]).encode() for i in indices],
        "    ",
    )
    json_list(
        writer,
        "locutions",
        ',\n    "locutions": ',
        locutions,
        lambda indices: [(_XAIF_LOCUTION % locutions[i][:2]).encode() for i in indices],
        "    ",
    )

    def render_participants(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            pid, first, last = participants[i]
            out.append((_XAIF_PARTICIPANT % (pid, jstr(first), jstr(last))).encode())
        return out

    json_list(
        writer, "participants", ',\n    "participants": ', participants, render_participants, "    "
    )
    writer.add(
        b',\n    "schemefulfillments": []\n  },\n  "OVA": {\n    "firstname": "",\n'
        b'    "surname": "",\n    "url": ""'
    )
    columns = XAIF_COLUMNS

    def render_ova_nodes(indices: Sequence[int]) -> list[bytes]:
        out = []
        for i in indices:
            node_id, _, _, ts = nodes[i]
            x, y = 50 + 250 * (i % columns), 50 + 150 * (i // columns)
            out.append((_OVA_NODE % (node_id, x, y, jstr(ts))).encode())
        return out

    json_list(writer, "ova-nodes", ',\n    "nodes": ', nodes, render_ova_nodes, "    ")
    json_list(
        writer,
        "ova-edges",
        ',\n    "edges": ',
        edges,
        lambda indices: [(_OVA_EDGE % edges[i][1:]).encode() for i in indices],
        "    ",
    )
    writer.add(f'\n  }},\n  "text": {jstr(ctx.kb.config.title)}\n}}\n'.encode())


def export_xaif(kb: KnowledgeBase) -> bytes:
    """Return the knowledge base as xAIF (OVA3) JSON."""
    return export_once(kb, write_xaif)
