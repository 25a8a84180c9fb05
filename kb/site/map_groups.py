"""The map of questions for large KBs: claims grouped, groups counted, linked and placed."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.map_index import _claim_links
from kb.site.map_types import Standings

# Past this many claims a map of every claim is neither legible nor light (7 MB at 10,000): the
# whole-debate map then draws each question as one disc, its links to other questions as lines.
GROUP_MAP_ABOVE = 2_000
# Beyond a thousand lines between questions the map is a tangle: the heaviest are drawn.
MAX_GROUP_LINKS = 1_000
ATTACK_TYPES = ("rebuts", "contradicts", "undercuts")
GROUP_SIDES = ("pro", "con", "mixed", "none")
GROUP_LABELS = ("accepted", "defensible", "undecided", "rejected")
GROUP_LABEL_CHARS = 24
GROUP_LABEL_LINES = 2
GROUP_LABEL_W = 170.0  # a label's width at 11px, GROUP_LABEL_CHARS wide
GROUP_LABEL_H = 34.0  # a label's two lines below its disc
GROUP_GAP = 14.0
# The most attacked groups (per claim) are ringed: the top 5% thickest, then the next 10% and 20%.
HEAT_SHARES = (0.05, 0.10, 0.20)
MOST_CONTESTED = 12

Hrefs = Mapping[str, Callable[[str], str]]
Pairs = dict[tuple[str, str], list[int]]


def group_radius(claims: int) -> float:
    """Return a question's disc radius: its area grows with its number of claims."""
    root: float = claims**0.5  # pow, as before: sqrt may round the last bit otherwise
    return round(6.0 + 4.0 * root, 1)


def overview_groups(
    kb: KnowledgeBase,
    graph: KBGraph,
    claim_sides: Mapping[str, list[tuple[str, str]]],
    standings: Standings,
    hrefs: Hrefs,
) -> dict[str, Any]:
    """Return the question map: every claim in one group, groups' counts, links and places."""
    # A claim belongs to the first question it answers; a claim answering none to its first tag; one
    # with neither to a last group. Each group links to the page listing all its claims
    # (hrefs["question"], hrefs["tag"], hrefs["claims"]), so that every claim is two clicks away.
    # Only plain data: the incremental builder compares it between builds, and a map drawn from it
    # alone is not re-rendered when a statement changes.
    member, groups = _grouped(kb, claim_sides, standings, hrefs)
    pairs, links = _count_links(member, groups, graph)
    heaviest = heapq.nsmallest(
        MAX_GROUP_LINKS, pairs.items(), key=lambda kv: (-sum(kv[1]), -kv[1][1] - kv[1][4], kv[0])
    )
    drawn = sorted(heaviest)
    order = _group_order(groups, pairs)
    places, width, height = _shelf_pack(order, groups)
    heats = _heats(groups.values())
    for gid, (x, y) in places.items():
        groups[gid]["x"], groups[gid]["y"] = x, y
        groups[gid]["r"] = group_radius(groups[gid]["claims"])
        groups[gid]["heat"] = heats[gid]
    return {
        "claims": len(member),
        "links": links,
        "pairs": len(pairs),
        "groups": [groups[g] for g in sorted(groups)],
        "edges": [(a, b, tuple(c)) for (a, b), c in drawn],
        "width": width,
        "height": height,
    }


def _new_group(kb: KnowledgeBase, gid: str, hrefs: Hrefs) -> dict[str, Any]:
    """Return an empty group: a question's ("q:ID"), a tag's ("t:TAG") or the other claims'."""
    if gid.startswith("q:"):
        qid = gid[2:]
        kind, title, href = "question", kb.questions[qid].title, hrefs["question"](qid)
    elif gid.startswith("t:"):
        tag = gid[2:]
        kind, title, href = "tag", f"Tagged {tag}, on no question", hrefs["tag"](tag)
    else:
        kind, title, href = "other", "On no question and untagged", hrefs["claims"]("")
    return {
        "id": gid,
        "kind": kind,
        "title": title,
        "href": href,
        "claims": 0,
        "sides": dict.fromkeys(GROUP_SIDES, 0),
        "labels": dict.fromkeys(GROUP_LABELS, 0),
        "attacks_in": 0,
        "supports_in": 0,
        "inner": 0,
    }


def _grouped(
    kb: KnowledgeBase,
    claim_sides: Mapping[str, list[tuple[str, str]]],
    standings: Standings,
    hrefs: Hrefs,
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Return each claim's group and the groups, with their claims counted by side and label."""
    member: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for cid in sorted(kb.claims):
        sides = claim_sides.get(cid)
        tags = kb.claims[cid].tags
        if sides:
            qid, side = sides[0]
            gid = "q:" + qid
        else:
            side = "none"
            gid = "t:" + min(tags) if tags else "other"
        group = groups.get(gid)
        if group is None:
            group = groups[gid] = _new_group(kb, gid, hrefs)
        member[cid] = gid
        group["claims"] += 1
        group["sides"][side if side in GROUP_SIDES else "none"] += 1
        label = standings.of(cid).label
        if label in group["labels"]:
            group["labels"][label] += 1
    return member, groups


def _count_links(
    member: Mapping[str, str], groups: dict[str, dict[str, Any]], graph: KBGraph
) -> tuple[Pairs, int]:
    """Count links per group and per pair of groups; return the pairs' counts and the total."""
    # A group counts its links in and within; a pair, its supports, attacks and others, each way.
    pairs: Pairs = {}
    links = 0
    # Only counts are kept, so the links are read in any order.
    for u, v, _, data in _claim_links(set(member), graph):
        a, b = member[u], member[v]
        t = data["type"]
        links += 1
        if t in ATTACK_TYPES:
            groups[b]["attacks_in"] += 1
        elif t == "supports":
            groups[b]["supports_in"] += 1
        if a == b:
            groups[a]["inner"] += 1
            continue
        # One line per pair of groups: supports, attacks and other links, each way.
        key, way = ((a, b), 0) if a < b else ((b, a), 3)
        counts = pairs.get(key)
        if counts is None:
            counts = pairs[key] = [0] * 6
        counts[way + (0 if t == "supports" else 1 if t in ATTACK_TYPES else 2)] += 1
    return pairs, links


def _group_order(
    groups: Mapping[str, Mapping[str, Any]], pairs: Mapping[tuple[str, str], list[int]]
) -> list[str]:
    """Return the groups in breadth-first order from the largest, heaviest links first."""
    # So linked groups come close in the order, and so on the map.
    weight: dict[str, dict[str, int]] = {g: {} for g in groups}
    for (a, b), counts in pairs.items():
        weight[a][b] = weight[b][a] = sum(counts)
    by_size = sorted(groups, key=lambda g: (-groups[g]["claims"], g))
    seen: set[str] = set()
    order: list[str] = []
    for start in by_size:
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        for g in queue:  # grows while it is walked
            order.append(g)
            nbrs = sorted(
                weight[g].items(), key=lambda kv: (-kv[1], -groups[kv[0]]["claims"], kv[0])
            )
            for other, _ in nbrs:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return order


def _group_width(group: Mapping[str, Any]) -> float:
    """Return the width a group's disc and label take, gap included."""
    return max(2 * group_radius(group["claims"]), GROUP_LABEL_W) + GROUP_GAP


def _shelf_pack(
    order: list[str], groups: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Place groups in rows, in order; return the disc centres and size."""
    # Every other row runs right to left so that neighbours in the order stay neighbours on the map;
    # no two cells overlap.
    cells = {g: _group_width(groups[g]) for g in order}
    area = sum(
        w * (2 * group_radius(groups[g]["claims"]) + GROUP_LABEL_H + GROUP_GAP)
        for g, w in cells.items()
    )
    # Wider than high, as screens are.
    row_w = max(max(cells.values(), default=0.0), 1.6 * area**0.5)
    rows: list[list[str]] = [[]]
    used = 0.0
    for g in order:
        if rows[-1] and used + cells[g] > row_w:
            rows.append([])
            used = 0.0
        rows[-1].append(g)
        used += cells[g]
    width = max(sum(cells[g] for g in row) for row in rows) if order else 0.0
    places: dict[str, tuple[float, float]] = {}
    top = 0.0
    for i, row in enumerate(rows):
        r_max = max((group_radius(groups[g]["claims"]) for g in row), default=0.0)
        left = 0.0
        for g in row:
            w = cells[g]
            x = left + w / 2 if i % 2 == 0 else width - left - w / 2
            places[g] = (round(x, 1), round(top + r_max + GROUP_GAP / 2, 1))
            left += w
        top += 2 * r_max + GROUP_LABEL_H + GROUP_GAP
    return places, round(width, 1), round(top, 1)


def _heats(groups: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Return how contested each group is, 0 to 3, by its rank in attacks received per claim."""
    # The top HEAT_SHARES of the attacked groups get 3, 2 and 1; equal rates get equal heat.
    rates = {g["id"]: g["attacks_in"] / g["claims"] for g in groups}
    ranked = sorted((r for r in rates.values() if r > 0), reverse=True)
    floors = []
    share = 0.0
    for step in HEAT_SHARES:  # the lowest rate within each top share
        share += step
        floors.append(ranked[max(0, math.ceil(share * len(ranked)) - 1)] if ranked else 1.0)
    return {
        gid: sum(1 for floor in floors if 0 < floor <= rate) if rate > 0 else 0
        for gid, rate in rates.items()
    }
