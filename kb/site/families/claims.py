"""The claim index (split into pages by initial letters once it is long) and each claim's page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kb.analysis.reader import claim_argues, pro_con
from kb.formats.export import claim_jsonld, jsonld_script
from kb.model.records import Claim, Relation
from kb.site import maps
from kb.site.env import truncate
from kb.site.families.base import record_page, single_page
from kb.site.page import Page, PageFamily, View
from kb.site.paths import Paths
from kb.site.settings import VERDICT_ORDER

if TYPE_CHECKING:
    from kb.site.site import Site


# The claim index ---------------------------------------------------------------------------


def claim_index_context(site: Site) -> dict[str, Any]:
    """Return the claim index's context: every claim, or the index's pages when it is long."""
    if site.claim_index:
        parts: list[dict[str, Any]] = [
            {"name": name, "href": Paths.claims_part(name), "count": len(ids)}
            for name, ids in site.claim_index.items()
        ]
        total = sum(p["count"] for p in parts)
        listing = {"badge_html": site.badge, "side_tag_html": site.side_tag}
        return {"rows": [], "parts": parts, "part": None, "total": total, **listing}
    ids = sorted(site.kb.claims, key=lambda c: (site.kb.claims[c].text.lower(), c))
    return {**claim_table(site, ids), "parts": [], "part": None, "total": len(ids)}


def claim_table(site: Site, ids: list[str]) -> dict[str, Any]:
    """Return the rows of a table of claims, with what its filters offer."""
    rows = []
    for cid in ids:
        row = site.claim_row(cid)
        row["stances"] = len(site.graph.stances_on(cid))
        row["supporters"] = len(site.graph.supporters(cid))
        row["attackers"] = len(site.graph.attackers(cid))
        rows.append(row)
    kinds = sorted({r["kind"] for r in rows})
    return {
        "rows": rows,
        "kinds": kinds,
        "tags": sorted(site.tags),
        "verdicts": VERDICT_ORDER,
        # The badge and side_tag macros' HTML, made once per build for each.
        "badge_html": site.badge,
        "side_tag_html": site.side_tag,
    }


def claims_part_page(site: Site, part: str) -> str:
    """Render one page of a long claim index: the claims filed under one prefix."""
    ids = site.claim_index[part]
    # Links to the other pages name them only: their sizes would tie every page to every edit.
    parts = [{"name": n, "href": Paths.claims_part(n), "count": None} for n in site.claim_index]
    ctx = {**claim_table(site, ids), "parts": parts, "part": part, "total": len(ids)}
    title = f"Claims: {part.capitalize() if part not in ('0-9', 'other') else part}"
    return site.render("claims.html", Paths.claims_part(part), title=title, **ctx)


# A claim's page ----------------------------------------------------------------------------


def _undercuts(site: Site, cid: str) -> list[dict[str, Any]]:
    """Return the claims that undercut a support of this claim, with the support they attack."""
    kb = site.kb
    out = []
    for link in site.graph.undercuts_into(cid):
        rel = link.record
        assert isinstance(rel, Relation)
        target = kb.relations.get(rel.to) or kb.evidence.get(rel.to)
        out.append(
            {
                "from": link.other,
                "text": site.claim_text(link.other),
                "href": Paths.claim(link.other) if link.other in kb.claims else None,
                "target": site._support_text(target),
                "rationale": rel.rationale,
                "quote": rel.quote,
                "source": rel.source,
                "source_label": site.source_label(rel.source),
            }
        )
    return out


def _own_undercuts(site: Site, cid: str) -> list[dict[str, Any]]:
    """Return the supports this claim undercuts, each with why."""
    kb = site.kb
    return [
        {
            "target": site._support_text(
                kb.relations.get(link.other) or kb.evidence.get(link.other)
            ),
            "rationale": link.record.rationale if isinstance(link.record, Relation) else None,
        }
        for link in site.graph.outgoing(cid, "undercuts")
    ]


def _related(site: Site, cid: str, kind: str) -> list[dict[str, Any]]:
    """Return the claims linked to this one by refinement or equivalence, each once."""
    out: dict[str, dict[str, Any]] = {}
    for link in [*site.graph.outgoing(cid, kind), *site.graph.incoming(cid, kind)]:
        rel = link.record
        assert isinstance(rel, Relation)  # refinements and equivalences are relations
        if link.other in site.kb.claims and link.other != cid and link.other not in out:
            out[link.other] = {**site.claim_row(link.other), "direction": rel.from_ == cid}
    return list(out.values())


def _jsonld(site: Site, cid: str, url: str | None) -> Markup:
    """Return the claim's schema.org JSON-LD from the exporters, as a data script."""
    stances = site.graph.stances_on(cid)  # not a scan of every stance, per claim
    return Markup(jsonld_script(claim_jsonld(site.kb, cid, url=url, stances=stances)))


def _cite_line(site: Site, claim: Claim, names: list[str]) -> str:
    """Return how to cite a claim: its statement, the KB, who holds it and its address."""
    url = site.base_url + Paths.claim(claim.id) if site.base_url else Paths.claim(claim.id)
    who = f" Held by {', '.join(names)}." if names else ""
    return f"“{claim.text}” In {site.kb.config.title}.{who} {url}"


def _stances(site: Site, cid: str) -> dict[str, list[View]]:
    """Return the stances on a claim, by who asserts, qualifies or denies it."""
    stances = [site.stance_view(s) for s in site.graph.stances_on(cid)]
    return {
        "proponents": [s for s in stances if s.position == "asserts"],
        "qualifiers": [s for s in stances if s.position == "qualifies"],
        "skeptics": [s for s in stances if s.position == "denies"],
    }


def _arguments(site: Site, cid: str) -> dict[str, Any]:
    """Return the claim's tree of arguments, split into those for and against it."""
    tree = site.tree(cid)
    pro, con = pro_con(site, tree)
    return {
        "tree": tree,
        "pro": pro,
        "con": con,
        "pro_html": site.tree_html(pro, "../"),
        "con_html": site.tree_html(con, "../"),
        "argues": claim_argues(site, cid),
    }


def claim_page(site: Site, cid: str) -> str:
    """Render a claim's page."""
    kb = site.kb
    claim: Claim = kb.claims[cid]
    stances = _stances(site, cid)
    undercuts = _undercuts(site, cid)
    own_undercuts = _own_undercuts(site, cid)
    refines = _related(site, cid, "refines")
    equivalents = _related(site, cid, "equivalent")
    negation = claim.negation if claim.negation in kb.claims else None
    added, changed = site.dates.get(cid, ("", ""))
    permalink = site.base_url + Paths.claim(cid) if site.base_url else None
    quoted_by = sorted(
        {kb.actors[s.actor].name for s in stances["proponents"] if s.actor in kb.actors}
    )
    arguments = _arguments(site, cid)
    standing = site.standings.of(cid)
    return site.render(
        "claim.html",
        Paths.claim(cid),
        title=truncate(claim.text, 70),
        claim=claim,
        row=site.claim_row(cid),
        standing=standing,
        why=site.statements(standing.why, "../"),
        why_strength=site.statements(site.standings.of(cid).why_strength, "../"),
        analysis=site.standings.available,
        # Macros' HTML that claims share, rendered once per build for each.
        badge_html=site.badge,
        strength_line_html=site.strength_line,
        tags_html=site.tags_html,
        **stances,
        **arguments,
        undercuts=undercuts,
        own_undercuts=own_undercuts,
        refines=refines,
        equivalents=equivalents,
        negation=site.claim_row(negation) if negation else None,
        questions=[
            {"id": q, "title": kb.questions[q].title, "side": side, "href": Paths.question(q)}
            for q, side in site.claim_sides.get(cid, [])
        ],
        added=added,
        changed=changed,
        permalink=permalink,
        cite=_cite_line(site, claim, quoted_by),
        svg=maps.claim_map(kb, site.graph, cid, site.standings, memos=site.memos),
        jsonld=_jsonld(site, cid, permalink),
        filters={
            "kind": claim.kind.value,
            "tags": claim.tags,
            "sides": sorted({s for _, s in site.claim_sides.get(cid, [])}),
        },
    )


# The families ------------------------------------------------------------------------------


def claim_index_pages(site: Site) -> Iterator[Page]:
    """Yield the claim index."""
    yield single_page(site, "claims.html", "All claims", claim_index_context)


def claim_pages(site: Site) -> Iterator[Page]:
    """Yield each claim's page."""
    for cid in sorted(site.kb.claims):
        yield record_page(site, Paths.claim(cid), claim_page, cid)


def claim_index_part_pages(site: Site) -> Iterator[Page]:
    """Yield the pages of a long claim index, one per initial letters."""
    for part in sorted(site.claim_index):
        yield record_page(site, Paths.claims_part(part), claims_part_page, part)


CLAIM_INDEX = PageFamily("claim-index", "The index of every claim.", claim_index_pages)
CLAIMS = PageFamily(
    "claims", "Each claim's page: who holds it, its arguments, its map.", claim_pages
)
CLAIM_INDEX_PARTS = PageFamily(
    "claim-index-parts",
    "A long claim index's pages, by the claims' initial letters.",
    claim_index_part_pages,
)
