"""A graph's argumentative links indexed for maps: each node's links out and its neighbours."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.map_svg import ARG_TYPES
from kb.site.map_types import Standings
from kb.site.memo import BuildMemo

_NONE: frozenset[str] = frozenset()
Drawn = tuple[tuple[str, str, str, bool], float]  # a node's SVG parts and its height


class ArgIndex:
    """A graph's argumentative links by the node they leave, and each node's neighbours."""

    # Made once per graph (see `Memos.arg_index`): each map then reads its links in time
    # proportional to its own nodes instead of walking networkx's edge views. Each node's entries
    # are worked out when first asked for: a rebuild that draws one question's map reads a few
    # hundred nodes, not the whole graph (0.22 s at 10,000 claims).

    def __init__(self, g: Any) -> None:
        self.out = _Outgoing(g)
        self.near = _Near(g)
        # What maps draw of each node and link, once per build: the graph is made per build.
        self.drawn: dict[int, tuple[Any, BuildMemo]] = {}
        self.lines: dict[tuple[str, str], tuple[str, str]] = {}


_KINDS = {"claim", "evidence"}  # as KBGraph.neighbourhood: only these count as neighbours
Edge = dict[str, Any]


class _Outgoing:
    """A node's argumentative links out, each (other end, edge), in the graph's own order."""

    def __init__(self, g: Any) -> None:
        self.succ = g._succ  # networkx's documented dict of successors
        self.found: dict[str, list[tuple[str, Edge]]] = {}

    def get(self, u: str, default: Any = ()) -> list[tuple[str, Edge]] | Any:
        """Return u's links out, or default when it has none."""
        found = self.found.get(u)
        if found is None:
            found = self.found[u] = [
                (v, {"from": u, "to": v, "type": t, "id": key, "target": data.get("target")})
                for v, keyed in self.succ.get(u, {}).items()
                if v != u
                for key, data in keyed.items()
                if (t := data.get("type")) in ARG_TYPES
            ]
        return found or default


class _Near:
    """A node's neighbours by argumentative links either way: the claims and evidence."""

    def __init__(self, g: Any) -> None:
        self.g = g
        self.found: dict[str, set[str]] = {}

    def get(self, n: str, default: Any = _NONE) -> set[str] | Any:
        """Return n's neighbours, or default when it has none."""
        found = self.found.get(n)
        if found is None:
            g = self.g
            kinds = g._node
            found = self.found[n] = {
                m
                for links in (g._succ.get(n, {}), g._pred.get(n, {}))
                for m, keyed in links.items()
                if m != n
                and kinds[m].get("kind") in _KINDS
                and any(data.get("type") in ARG_TYPES for data in keyed.values())
            }
        return found or default


def _drawn(index: ArgIndex, standings: Standings) -> BuildMemo:
    """Return the memo of drawn nodes for this graph and these standings."""
    found = index.drawn.get(id(standings))
    if found is None:  # the standings are kept with it, so that their id stays theirs
        found = index.drawn[id(standings)] = (standings, BuildMemo())
    return found[1]


def _claim_links(
    claims: set[str], graph: KBGraph
) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    """Yield the argumentative links between claims (from, to, id, data), in no set order."""
    # The same links as _map_edges over every claim, read from the graph's own dict of successors
    # (networkx's documented _succ): its views cost more than the rest of the map.
    succ = graph.g._succ
    for u in claims:
        for v, keyed in succ.get(u, {}).items():
            if v != u and v in claims:
                for key, data in keyed.items():
                    if data.get("type") in ARG_TYPES:
                        yield u, v, key, data


def overview_edges(kb: KnowledgeBase, graph: KBGraph) -> list[dict[str, Any]]:
    """Return the links the whole-debate map draws: supports and attacks, then undercuts."""
    edges = sorted(
        (
            {"from": u, "to": v, "type": d["type"], "id": key, "target": d.get("target")}
            for u, v, key, d in _claim_links(set(kb.claims), graph)
        ),
        key=lambda e: (e["id"], e["from"], e["to"]),
    )
    return [e for e in edges if e["type"] != "undercuts"] + [
        e for e in edges if e["type"] == "undercuts"
    ]


def _map_edges(kb: KnowledgeBase, graph: KBGraph, nodes: set[str]) -> list[dict[str, Any]]:
    """Return the argumentative links among nodes: from the premise to what it bears on."""
    out = []
    for n in nodes:
        if n not in graph.g:
            continue
        for u, v, key, data in graph.g.out_edges(n, keys=True, data=True):
            t = data.get("type")
            if t in ARG_TYPES and v in nodes and u != v:
                out.append({"from": u, "to": v, "type": t, "id": key, "target": data.get("target")})
    return sorted(out, key=lambda e: e["id"])


def _local_edges(index: ArgIndex, nodes: set[str]) -> list[dict[str, Any]]:
    """Return what _map_edges does for a few nodes, from the graph's index."""
    out = index.out
    found = [e for n in nodes for v, e in out.get(n, ()) if v in nodes]
    return sorted(found, key=lambda e: e["id"])


def _limit(index: ArgIndex, start: Iterable[str], depth: int, limit: int) -> list[str]:
    """Return nodes within depth links of start, nearest first, at most limit of them."""
    # Every node whose neighbours are read here is in the result, so a page that draws the map (and
    # so looks each node up in the KB) records reading it for incremental builds.
    near = index.near
    seen = list(dict.fromkeys(start))
    seen_set = set(seen)
    frontier = list(seen)
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            nxt |= near.get(n, _NONE)
        nxt -= seen_set
        ordered = sorted(nxt)
        room = limit - len(seen)
        if room <= 0:
            break
        seen += ordered[:room]
        seen_set.update(ordered[:room])
        frontier = ordered[:room]
    return seen


def _bearing(index: ArgIndex, cid: str, limit: int) -> list[str]:
    """Return a claim, what it links to, and what bears on the claims bearing on it, up to limit."""
    # Two levels, as on its page; not the other premises of what it bears on, which are that claim's
    # story, a link away.
    near = index.near.get(cid, _NONE)
    first = sorted(near)[: limit - 1]
    seen = [cid, *first]
    found = set(seen)
    for n in first:
        if not any(v == cid for v, _ in index.out.get(n, ())):
            continue  # the claim bears on n: n's own premises are not this claim's
        for m in sorted(index.near.get(n, _NONE) - found):
            if len(seen) >= limit:
                return seen
            if any(v == n for v, _ in index.out.get(m, ())):
                seen.append(m)
                found.add(m)
    return seen
