"""Each question's page: its answers, the best argument for and against each, its map."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.analysis.reader import where_it_stands
from kb.site import qmaps
from kb.site.env import markdown
from kb.site.families.base import record_page
from kb.site.page import Page, PageFamily, View
from kb.site.paths import Paths

if TYPE_CHECKING:
    from kb.site.site import Site


def _link_rank(site: Site, link: Any) -> tuple[float, str]:
    """Return the key that ranks an argument: the stronger its claim, the earlier."""
    if link.other in site.kb.claims:
        return (-site.standings.strength(link.other), link.other)
    return (-0.5, link.other)


def _link_view(site: Site, link: Any) -> View:
    """Return what an argument shows: its claim or its evidence and source."""
    if link.other in site.kb.evidence:
        ev = site.kb.evidence[link.other]
        return View(
            text=ev.summary or ev.quote,
            href=Paths.source(ev.source) if ev.source in site.kb.sources else None,
            kind="evidence",
            type=link.type,
            source=site.source_label(ev.source),
        )
    return View(
        text=site.claim_text(link.other),
        href=Paths.claim(link.other) if link.other in site.kb.claims else None,
        kind="claim",
        type=link.type,
        source=None,
    )


def _entry(site: Site, cid: str) -> View:
    """Return an answer's claim with its best support and best rebuttal."""
    supporters, attackers = site._links(cid)
    sup = sorted(supporters, key=lambda link: _link_rank(site, link))
    att = sorted(attackers, key=lambda link: _link_rank(site, link))
    return View(
        **site.claim_row(cid),
        best_support=_link_view(site, sup[0]) if sup else None,
        best_rebuttal=_link_view(site, att[0]) if att else None,
        n_support=len(sup),
        n_attack=len(att),
    )


def question_page(site: Site, qid: str) -> str:
    """Render a question's page."""
    summary = site.question_summary(qid)
    positions = []
    for side in summary["sides"]:
        order = sorted(side["claims"], key=lambda c: (-site.standings.strength(c), c))
        positions.append(View(**side, entries=[_entry(site, cid) for cid in order]))
    svg = qmaps.question_map(site.kb, site.graph, qid, site.standings, memos=site.memos)
    analysis = summary["analysis"]
    cruxes = []
    if analysis:
        cruxes = [
            View(**site.claim_row(c), score=score, crux_labels=site.standings.of(c).crux_labels)
            for c, score in analysis["cruxes"][:5]
            if c in site.kb.claims
        ]
    return site.render(
        "question.html",
        Paths.question(qid),
        title=summary["title"],
        analysis=analysis,
        cruxes=cruxes,
        q=summary,
        authored=markdown(site.kb.questions[qid].summary),
        stands=where_it_stands(site, qid, summary["sides"]),
        positions=positions,
        svg=svg,
        badge_html=site.badge,
        map_legend=qmaps.legend(answers=True),
    )


def question_pages(site: Site) -> Iterator[Page]:
    """Yield each question's page."""
    for qid in sorted(site.kb.questions):
        yield record_page(site, Paths.question(qid), question_page, qid)


QUESTIONS = PageFamily(
    "questions", "Each question's page: its answers and the arguments on each.", question_pages
)
