"""What the reader pages say in words, as plain data."""
# Where a question stands, what a claim argues, the exchanges between two actors and the worked
# example of "How to read this map". Every function here reads the knowledge base through the
# site's lookups (`site.kb`, `site.graph`, `site.standings` and its derived dicts), which the
# incremental builder tracks; the sentences themselves are written by the templates.

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from kb.model.records import ID_RE, Stance

ATTACK_TYPES = ("rebuts", "contradicts")
HOLDERS_SHOWN = 6  # names listed before "and N others"
EXCHANGES_SHOWN = 3
CRUXES_SHOWN = 3
THREAD_DEPTH = 4


def exchange_path(a: str, b: str) -> str:
    """Return the path of the page of two actors' exchanges (the same for either order)."""
    first, second = sorted((a, b))
    for rid in (first, second):
        if not ID_RE.match(rid) or len(rid) > 120:
            raise ValueError(f"unsafe record id {rid!r}")
    return f"exchange/{first}--{second}.html"


def family_name(name: str, kind: str) -> str:
    """Return how prose names an actor: a person's family name, anyone else's full name."""
    if kind != "person" or name.endswith("et al."):
        return name
    words = name.split()
    while len(words) > 1 and words[-1].rstrip(".").lower() in ("jr", "sr", "ii", "iii", "phd"):
        words.pop()
    return words[-1] if words else name


# Who holds what --------------------------------------------------------------------------------


def holders(site: Any, cid: str, position: str = "asserts") -> list[str]:
    """Return the actors who take a position on a claim, in a stable order."""

    def compute() -> list[str]:
        seen: list[str] = []
        for s in site.graph.stances_on(cid):
            if s.position.value == position and s.actor in site.kb.actors and s.actor not in seen:
                seen.append(s.actor)
        return seen

    # Once per build, as `attacking`: a question's exchanges ask again for the same claims.
    return list(site.memo.get(("holders", cid, position), compute))


def actor_view(site: Any, aid: str) -> dict[str, Any]:
    """Return an actor as prose names them, with their page."""
    actor = site.kb.actors[aid]
    return {
        "id": aid,
        "name": actor.name,
        "short": family_name(actor.name, actor.kind.value),
        "href": site.paths.actor(aid),
    }


def exchange_pairs(kb: Any, graph: Any) -> dict[str, list[str]]:
    """Return, per actor, the actors they disagree with."""
    # Two actors disagree when one asserts what the other denies, or asserts a claim that rebuts,
    # contradicts or undercuts a support of one the other asserts.
    asserted: dict[str, set[str]] = defaultdict(set)
    denied: dict[str, set[str]] = defaultdict(set)
    for s in kb.stances.values():
        if s.actor in kb.actors and s.claim in kb.claims:
            if s.position.value == "asserts":
                asserted[s.claim].add(s.actor)
            elif s.position.value == "denies":
                denied[s.claim].add(s.actor)
    pairs: set[tuple[str, str]] = set()
    for cid in sorted(asserted):
        pairs |= {(a, b) for a in asserted[cid] for b in denied.get(cid, ())}
        for x in _attacking(graph, cid):
            pairs |= {(a, b) for a in asserted[cid] for b in asserted.get(x, ())}
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            out[a].add(b)
            out[b].add(a)
    return {a: sorted(out[a]) for a in sorted(out)}


def _attacking(graph: Any, cid: str) -> list[str]:
    """Return the claims that rebut or contradict a claim, or undercut a support of it."""
    found = [link.other for link in graph.attackers(cid)]
    found += [link.other for link in graph.undercuts_into(cid)]
    return sorted({x for x in found if x in graph.kb.claims and x != cid})


def attacking(site: Any, cid: str) -> list[str]:
    """Return what `_attacking` does for a claim of a site, computed once per build."""
    # Pages ask for the same claims' attackers again and again; the memo replays its reads.
    return list(site.memo.get(("attacking", cid), lambda: _attacking(site.graph, cid)))


# Where a question stands ----------------------------------------------------------------------


def ref(site: Any, other: str) -> dict[str, Any]:
    """Return a claim or piece of evidence as a sentence cites it: its words and its page."""
    if other in site.kb.evidence:
        ev = site.kb.evidence[other]
        return {
            "kind": "evidence",
            "text": ev.summary or ev.quote,
            "href": site.paths.source(ev.source) if ev.source in site.kb.sources else None,
            "source": site.source_label(ev.source),
            "standing": None,
            "strength": site.standings.evidence(other),
        }
    return {
        "kind": "claim",
        "text": site.claim_text(other),
        "href": site.paths.claim(other) if other in site.kb.claims else None,
        "source": None,
        "standing": site.standings.of(other),
        "strength": site.standings.strength(other),
    }


def best_reasons(site: Any, cid: str, keep: int = 2) -> list[dict[str, Any]]:
    """Return a claim's strongest supporters (claims or evidence), strongest first."""
    reasons = [ref(site, link.other) | {"id": link.other} for link in site.graph.supporters(cid)]
    reasons.sort(key=lambda r: (-r["strength"], r["id"]))
    return reasons[:keep]


def _names(site: Any, actors: list[str]) -> dict[str, Any]:
    """Return a list of actors cut to a readable length, with how many are left out."""
    groups = [a for a in actors[:1] if site.kb.actors[a].kind.value == "group"]
    return {
        "shown": [actor_view(site, a) for a in actors[:HOLDERS_SHOWN]],
        "more": max(0, len(actors) - HOLDERS_SHOWN),
        # Whether a verb takes the plural: several actors, or one group ("Scaling skeptics").
        "plural": len(actors) > 1 or bool(groups),
    }


def where_it_stands(site: Any, qid: str, sides: list[dict[str, Any]]) -> dict[str, Any]:
    """Return what the "Where it stands" prose of a question says."""
    # The balance, each side's holders and strongest case with its best reasons, the main exchanges
    # and the cruxes.
    out_sides = []
    for side in sides:
        claims = sorted(side["claims"], key=lambda c: (-site.standings.strength(c), c))
        count: Counter[str] = Counter()
        held: dict[str, list[str]] = {}
        for c in claims:
            for a in holders(site, c):
                count[a] += 1
                held.setdefault(a, []).append(c)
        # Co-authors hold the same claims: keep them side by side ("Narayanan and Kapoor").
        ranked = sorted(
            count, key=lambda a: (-count[a], held[a], site.kb.actors[a].name.lower(), a)
        )
        best = claims[0] if claims else None
        out_sides.append(
            {
                "side": side["side"],
                "count": len(claims),
                "holders": _names(site, ranked),
                "best": ref(site, best) | {"holders": _names(site, holders(site, best))}
                if best
                else None,
                "reasons": best_reasons(site, best) if best else [],
            }
        )
    analysis = site.standings.question(qid)
    cruxes = []
    for c, score in (analysis or {}).get("cruxes", [])[:CRUXES_SHOWN]:
        if c in site.kb.claims:
            standing = site.standings.of(c)
            cruxes.append(ref(site, c) | {"score": score, "crux_labels": standing.crux_labels})
    positions = [c for side in sides for c in side["claims"]]
    return {
        "sides": out_sides,
        "analysis": analysis,
        "counts": {s["side"]: s["count"] for s in out_sides},
        "exchanges": main_exchanges(site, positions),
        "cruxes": cruxes,
    }


def main_exchanges(site: Any, positions: list[str]) -> list[dict[str, Any]]:
    """Return the main exchanges about a question's positions."""
    # Each is a held claim, a held claim of someone else's that attacks it, and the first side's
    # answer when there is one.
    found = []
    for x in sorted(set(positions)):
        a = holders(site, x)
        if not a:
            continue
        for y in attacking(site, x):
            b = [h for h in holders(site, y) if h not in a]
            if not b:
                continue
            answers = [z for z in attacking(site, y) if z != x and set(holders(site, z)) & set(a)]
            z = answers[0] if answers else None
            weight = site.standings.strength(x) + site.standings.strength(y)
            found.append((z is None, -weight, x, y, z, a, b))
    found.sort(key=lambda t: t[:4])
    out, used = [], set()
    for _, _, x, y, z, a, b in found:
        if x in used or y in used:
            continue
        used |= {x, y}
        out.append(
            {
                "first": _names(site, a),
                "claim": ref(site, x),
                "second": _names(site, b),
                "reply": ref(site, y),
                "answer": ref(site, z) if z else None,
            }
        )
        if len(out) == EXCHANGES_SHOWN:
            break
    return out


# What a claim argues ---------------------------------------------------------------------------


def claim_argues(site: Any, cid: str) -> dict[str, list[dict[str, Any]]]:
    """Return what a claim argues for and against, as statements."""
    # The claims it supports or attacks, and the supports it undercuts.
    kb = site.kb
    out: dict[str, list[dict[str, Any]]] = {"supports": [], "against": [], "undercuts": []}
    for link in site.graph.outgoing(cid, "supports", "rebuts", "contradicts", "undercuts"):
        if link.type == "undercuts":
            target = kb.relations.get(link.record.to) or kb.evidence.get(link.record.to)
            out["undercuts"].append({"target": site._support_text(target), **ref(site, link.other)})
        elif link.other in kb.claims and link.other != cid:
            out["supports" if link.type == "supports" else "against"].append(
                ref(site, link.other) | {"id": link.other}
            )
    for link in site.graph.incoming(cid, "contradicts"):  # symmetric: it argues against it too
        if link.other in kb.claims and link.other not in {r["id"] for r in out["against"]}:
            out["against"].append(ref(site, link.other) | {"id": link.other})
    return out


def pro_con(site: Any, nodes: list[Any]) -> tuple[list[Any], list[Any]]:
    """Split a claim's tree into its supporters and its attackers, the strongest first."""

    def strength(n: Any) -> float:
        if n.kind == "evidence":
            return float(site.standings.evidence(n.id))
        return float(site.standings.strength(n.id))

    pro = sorted((n for n in nodes if n.link == "supports"), key=lambda n: (-strength(n), n.id))
    con = sorted((n for n in nodes if n.link != "supports"), key=lambda n: (-strength(n), n.id))
    return pro, con


# Exchanges between two actors ------------------------------------------------------------------


def _first_stance(stances: list[Stance], cid: str) -> Stance | None:
    """Return an actor's first stance on a claim, by ID."""
    return next((s for s in stances if s.claim == cid), None)


def _step(site: Any, actor: str, verb: str, cid: str, stance: Stance | None) -> dict[str, Any]:
    """Return one turn of a thread: who says what, in their words."""
    return {
        "actor": actor_view(site, actor),
        "verb": verb,
        "plural": site.kb.actors[actor].kind.value == "group",
        "claim": ref(site, cid),
        "quote": stance.quote if stance else None,
        "source": site.source_label(stance.source) if stance else None,
        "source_href": site.paths.source(stance.source)
        if stance and stance.source in site.kb.sources
        else None,
        "replies": [],
    }


def _asserted(site: Any, actor: str) -> frozenset[str]:
    """Return the claims an actor asserts, looked up once per build: they recur in every pair."""

    def compute() -> frozenset[str]:
        mine, claims = site.graph.stances_by(actor), site.kb.claims
        return frozenset(
            s.claim for s in mine if s.position.value == "asserts" and s.claim in claims
        )

    found: frozenset[str] = site.memo.get(("asserted", actor), compute)
    return found


def exchange(site: Any, a: str, b: str) -> dict[str, Any]:
    """Return two actors' exchanges: claims one asserts and the other denies, and reply threads."""
    # A thread is claims each asserts against the other's ("A says X, B replies Y, A answers Z").
    mine = {a: site.graph.stances_by(a), b: site.graph.stances_by(b)}
    held = {who: _asserted(site, who) for who in (a, b)}
    direct = []
    for d in site.standings.disagreements(a, b):
        if d.claim not in site.kb.claims or not d.full:
            continue
        first, second = (a, b) if d.position_a == "asserts" else (b, a)
        turn = _step(site, first, "says", d.claim, _first_stance(mine[first], d.claim))
        turn["replies"].append(
            _step(site, second, "denies it", d.claim, _first_stance(mine[second], d.claim))
        )
        direct.append(turn)
    edges: dict[str, list[tuple[str, str]]] = defaultdict(list)  # claim -> (attacker, its actor)
    attackers_of_any: set[str] = set()
    for who, other in ((a, b), (b, a)):
        for x in sorted(held[who]):
            for y in attacking(site, x):
                if y in held[other]:
                    edges[x].append((y, other))
                    attackers_of_any.add(y)
    # Threads start at a claim that answers nothing of the other's; a cycle starts anywhere.
    roots = [x for x in sorted(edges) if x not in attackers_of_any]
    seen: set[str] = set()
    threads = []
    for x in roots + sorted(edges):
        if x in seen:
            continue
        owner = a if x in held[a] else b
        threads.append(_thread(site, x, owner, edges, mine, seen, THREAD_DEPTH))
    views = {"a": actor_view(site, a), "b": actor_view(site, b)}
    return {**views, "direct": direct, "threads": threads}


def _thread(
    site: Any,
    x: str,
    owner: str,
    edges: dict[str, list[tuple[str, str]]],
    mine: dict[str, list[Stance]],
    seen: set[str],
    depth: int,
    verb: str = "says",
) -> dict[str, Any]:
    """Return a claim's turn with the replies to it, as deep as `depth`."""
    seen.add(x)
    turn = _step(site, owner, verb, x, _first_stance(mine[owner], x))
    if depth > 1:
        for y, other in edges.get(x, []):
            if y not in seen:
                reply = "replies" if verb == "says" else "answers"
                turn["replies"].append(_thread(site, y, other, edges, mine, seen, depth - 1, reply))
    return turn


# How to read this map --------------------------------------------------------------------------


def verdict_examples(site: Any) -> dict[str, Any]:
    """Return how many claims have each standing, one example of each, and a worked example."""
    # The worked example is a claim with reasons on both sides, preferring one that is refuted, then
    # one that holds, and the one with the fewest links (the shortest to follow).
    counts: Counter[str] = Counter()
    example: dict[str, tuple[float, str]] = {}
    worked: tuple[Any, ...] | None = None
    preference = {"refuted": 0, "holds": 1, "contested": 2, "unsettled": 3, "unchallenged": 4}
    for cid in sorted(site.kb.claims):
        standing = site.standings.of(cid)
        v = standing.verdict
        counts[v] += 1
        score = -(standing.crux or 0.0)
        if v not in example or (score, cid) < example[v]:
            example[v] = (score, cid)
        supporters, attackers = site._links(cid)
        if supporters and attackers:
            key = (preference.get(v, 5), len(supporters) + len(attackers), cid)
            if worked is None or key < worked:
                worked = key
    out: dict[str, Any] = {
        "counts": dict(counts),
        "total": sum(counts.values()),
        "examples": {v: ref(site, cid) for v, (_, cid) in sorted(example.items())},
        "worked": None,
    }
    if worked is not None:
        cid = worked[-1]
        supporters, attackers = site._links(cid)
        out["worked"] = {
            "claim": ref(site, cid),
            "supporters": [ref(site, link.other) for link in supporters],
            "attackers": [ref(site, link.other) for link in attackers],
            "why": site.statements(site.standings.of(cid).why, ""),
        }
    return out
