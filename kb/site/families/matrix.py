"""The stance matrix: actors by the most-discussed claims, and any two actors side by side."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kb.model.records import Stance
from kb.site.families.base import single_page
from kb.site.page import Page, PageFamily
from kb.site.paths import Paths
from kb.site.settings import KEY_CLAIMS, MATRIX_ACTORS, POSITION_VERB

if TYPE_CHECKING:
    from kb.site.site import Site


def _stances_by_claim(site: Site) -> dict[str, list[Stance]]:
    """Return the stances of known actors on known claims, by claim."""
    by_claim: dict[str, list[Stance]] = defaultdict(list)
    for s in site.kb.stances.values():
        if s.claim in site.kb.claims and s.actor in site.kb.actors:
            by_claim[s.claim].append(s)
    return by_claim


def _positions(site: Site) -> dict[str, dict[str, str]]:
    """Return each actor's first position on each claim, by stance ID."""
    positions: dict[str, dict[str, str]] = defaultdict(dict)
    for s in sorted(site.kb.stances.values(), key=lambda s: s.id):
        if s.claim in site.kb.claims and s.actor in site.kb.actors:
            positions[s.actor].setdefault(s.claim, s.position.value)
    return positions


def _pair_data(site: Site, positions: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Return what the pair view's script reads: names, statements, positions, cruxes, links."""
    # The view compares two actors on the claims both took a position on: a claim only one actor
    # holds a position on is never shown, and is left out (at 10,000 realistic claims, 58% of
    # them: a third of the page's weight, and their edits no longer render the matrix again).
    holders = Counter(c for p in positions.values() for c in p)
    claims = sorted(c for c, n in holders.items() if n > 1)
    return {
        "actors": {a: site.kb.actors[a].name for a in sorted(positions)},
        "claims": {c: site.kb.claims[c].text for c in claims},
        "positions": {
            a: {c: p for c, p in sorted(positions[a].items()) if holders[c] > 1}
            for a in sorted(positions)
        },
        "crux": {c: site.standings.of(c).crux or 0 for c in claims},
        "exchanges": _exchange_links(site),
    }


def matrix_context(site: Site) -> dict[str, Any]:
    """Return the stance matrix: actors by key claims, and every stance for the pair view."""
    by_claim = _stances_by_claim(site)
    key = sorted(by_claim, key=lambda c: (-len({s.actor for s in by_claim[c]}), c))
    key = key[:KEY_CLAIMS]
    actor_count = Counter(s.actor for c in key for s in by_claim[c])
    actors = sorted(actor_count, key=lambda a: (-actor_count[a], a))[:MATRIX_ACTORS]
    actors.sort(key=lambda a: (site.kb.actors[a].name.lower(), a))
    cells: dict[tuple[str, str], str] = {}
    for c in key:
        for s in sorted(by_claim[c], key=lambda s: s.id):
            cells.setdefault((s.actor, c), s.position.value)
    positions = _positions(site)
    data = _pair_data(site, positions)
    names = {a: site.kb.actors[a].name for a in positions}
    return {
        "key_claims": [site.claim_row(c) for c in key],
        "actors": [{"id": a, "name": site.kb.actors[a].name} for a in actors],
        "cells": cells,
        "by_claim": {
            c: {
                p: sorted({names[s.actor] for s in by_claim[c] if cells.get((s.actor, c)) == p})
                for p in POSITION_VERB
            }
            for c in key
        },
        "pair": most_opposed(positions, names),
        "all_actors": sorted(data["actors"].items(), key=lambda kv: (kv[1].lower(), kv[0])),
        "matrix_json": json_script(data),
    }


def _exchange_links(site: Site) -> dict[str, str]:
    """Return the pages of two actors' exchanges, by their IDs in order ("a b")."""
    return {
        " ".join(sorted((a, b))): Paths.exchange(a, b)
        for a, partners in sorted(site.exchanges.items())
        for b in partners
    }


def most_opposed(
    positions: dict[str, dict[str, str]], names: dict[str, str]
) -> tuple[str, str] | None:
    """Return the two actors (in name order) opposed on the most claims; None when none disagree."""
    # Opposed: one asserts what the other denies. Ties go to the pair with more claims in common to
    # compare, then to the first names.
    sides: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for actor in sorted(positions):
        for cid, pos in positions[actor].items():
            if pos in ("asserts", "denies"):
                sides[cid][pos == "denies"].append(actor)
    order = {a: (names[a].lower(), a) for a in names}
    opposed: Counter[tuple[str, str]] = Counter()
    for yes, no in sides.values():
        for a in yes:
            for b in no:
                opposed[(a, b) if order[a] < order[b] else (b, a)] += 1
    if not opposed:
        return None

    def rank(p: tuple[str, str]) -> tuple[int, int, tuple[str, str], tuple[str, str]]:
        shared = len(positions[p[0]].keys() & positions[p[1]].keys())
        return (-opposed[p], -shared, order[p[0]], order[p[1]])

    return min(opposed, key=rank)


def json_script(data: Any) -> Markup:
    """Return JSON safe to place inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def matrix_pages(site: Site) -> Iterator[Page]:
    """Yield the stance matrix."""
    yield single_page(site, "matrix.html", "Stance matrix", matrix_context)


MATRIX = PageFamily(
    "matrix", "The stance matrix: who holds what, and any two actors compared.", matrix_pages
)
