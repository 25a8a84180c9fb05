"""The graph's query API on a small hand-built knowledge base."""

from __future__ import annotations

from pathlib import Path

from helpers import write_kb

from kb.check.entry import load_kb
from kb.model.graph import KBGraph

EXTRA = {
    "extra.yaml": """
        claims:
          - id: perplexity-irrelevant
            text: Perplexity is irrelevant to users.
            undercuts: [loss-curves-straight--supports--scaling-works]
          - id: rival
            text: A rival view.
            contradicts: [scaling-works]
        sources:
          - id: cited-work
            kind: paper
            title: Cited
            cited_via: paper-one
        stances:
          - actor: bob-sceptic
            claim: perplexity-irrelevant
            source: paper-one
            quote: x
            locator: y
          - actor: bob-sceptic
            claim: rival
            position: denies
            source: cited-work
            quote: x
            locator: y
        """
}


def graph(tmp_path: Path) -> KBGraph:
    return KBGraph(load_kb(write_kb(tmp_path, EXTRA)))


def test_supporters_attackers_and_undercutters(tmp_path: Path) -> None:
    g = graph(tmp_path)
    assert [link.other for link in g.supporters("scaling-works")] == ["loss-curves-straight"]
    assert [(link.type, link.other) for link in g.attackers("scaling-works")] == [
        ("contradicts", "rival"),
        ("rebuts", "curves-bend"),
    ]
    # The contradiction attacks both ends.
    assert [link.other for link in g.attackers("rival")] == ["scaling-works"]
    support = "loss-curves-straight--supports--scaling-works"
    assert [r.from_ for r in g.undercutters(support)] == ["perplexity-irrelevant"]
    assert [link.other for link in g.undercuts_into("scaling-works")] == ["perplexity-irrelevant"]
    assert [link.other for link in g.supporters("loss-curves-straight")] == [
        "loss-curves-straight--supports--paper-one"
    ]


def test_stances_and_sources(tmp_path: Path) -> None:
    g = graph(tmp_path)
    assert [s.id for s in g.stances_by("bob-sceptic")] == [
        "bob-sceptic--curves-bend",
        "bob-sceptic--perplexity-irrelevant",
        "bob-sceptic--rival",
    ]
    assert [s.position for s in g.stances_on("rival")] == ["denies"]
    assert g.claims_citing("paper-one") == [
        "curves-bend",
        "loss-curves-straight",
        "perplexity-irrelevant",
        "scaling-works",
    ]
    assert g.cites("paper-one") == ["cited-work"]
    assert g.cited_by("cited-work") == ["paper-one"]
    assert g.g.has_edge("ann-author", "paper-one")


def test_neighbourhood_depth(tmp_path: Path) -> None:
    g = graph(tmp_path)
    assert g.neighbourhood("curves-bend", 1) == {"curves-bend", "scaling-works"}
    assert g.neighbourhood("curves-bend", 2) == {
        "curves-bend",
        "scaling-works",
        "loss-curves-straight",
        "perplexity-irrelevant",
        "rival",
    }
