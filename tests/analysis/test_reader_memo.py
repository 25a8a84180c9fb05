"""The attackers the exchange and question pages share: computed once, each page still reading them."""

from __future__ import annotations

from pathlib import Path

from kb.analysis.reader import _attacking, attacking
from kb.build import make_site
from kb.check.entry import load_kb
from kb.site.reads import Calls, Reads, tracked


def test_attacking_equals_the_direct_lookup_and_replays_its_reads() -> None:
    site = make_site(load_kb(Path(__file__).parents[2] / "claims"), use_git=False)
    kb = site.kb
    kb.claims = tracked(kb.claims, "", "claims")  # type: ignore[assignment]
    kb.relations = tracked(kb.relations, "", "relations")  # type: ignore[assignment]
    site.graph = Calls(site.graph, "graph")  # type: ignore[assignment]
    attacked = [c for c in sorted(kb.claims) if _attacking(site.graph, c)]
    assert len(attacked) > 5
    for cid in sorted(kb.claims):
        direct: set = set()
        Reads.now = direct
        expected = _attacking(site.graph, cid)
        for _ in range(2):  # the first call computes it, the second takes the memo's
            reads: set = set()
            Reads.now = reads
            assert attacking(site, cid) == expected
            assert reads == direct and ("graph", cid) in reads
        Reads.now = None
