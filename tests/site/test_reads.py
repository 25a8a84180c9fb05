"""Tracking a page's reads: wrappers that note what is read, and the plain values behind them."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from kb.site.reads import Calls, Reads, tracked, untracked

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import generate  # noqa: E402


class Standing:
    def of(self, claim: str) -> str:
        return f"standing of {claim}"


def test_untracked_gives_back_what_was_wrapped() -> None:
    plain = {"a": 1}
    kept = defaultdict(list, {"b": [2]})
    assert untracked(tracked(plain, "x", "x")) == plain
    back = untracked(tracked(kept, "y", "y"))
    assert type(back) is defaultdict and back == kept and back.default_factory is list
    inner = Standing()
    calls = Calls(inner, "standing")
    assert calls.of("c-1") == "standing of c-1"
    assert untracked(calls) is inner
    assert untracked(inner) is inner and untracked(plain) is plain


def test_a_plan_untracked_after_its_open_pages_tracks_once_again(tmp_path: Path) -> None:
    """The open pages' step puts the site back as it was, so that the next step wraps it once."""
    from kb.build import make_site
    from kb.build.plan import Plan, derived_lookups, track_reads, untrack_site
    from kb.build.report import Report
    from kb.check.entry import load_kb

    kb = load_kb(generate(tmp_path, 12, 1))
    site = make_site(kb)
    graph, standings, claims = site.graph, site.standings, kb.claims
    plan = Plan(kb, site, None, Report(), derived=derived_lookups(site))
    track_reads(plan)
    assert isinstance(site.graph, Calls) and type(kb.claims) is not dict
    untrack_site(plan)
    assert site.graph is graph and site.standings is standings
    assert type(kb.claims) is dict and kb.claims == claims
    assert all(getattr(site, name) is value for name, value in plan.derived.items())
    track_reads(plan)  # wrapped once, not a wrapper around a wrapper
    assert untracked(site.graph) is graph and untracked(site.standings) is standings
    claim = next(iter(kb.claims))
    Reads.now = set()
    try:
        site.graph.supporters(claim)
        assert Reads.now == {("graph", claim)}
    finally:
        Reads.now = None
    untrack_site(plan)
