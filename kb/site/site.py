"""The Site: the lookups every page shares, computed once, and the pages of every family."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pluggy
from jinja2 import Environment, Template

from kb.model.kb import KnowledgeBase
from kb.model.records import Evidence, Relation, Stance
from kb.site import maps, qmaps
from kb.site.memo import BuildMemo
from kb.site.memos import Memos
from kb.site.page import Page
from kb.site.paths import Paths, index_key, safe_url, split_index, split_rows
from kb.site.registry import page_families
from kb.site.settings import SIDES, Settings
from kb.site.standing import Standings
from kb.site.trees import Escaped, Trees


class Site(Trees):
    """Every page of one knowledge base, with the lookups they share."""

    # How long the claim index and timeline grow before they split; a Site may be given its own.
    settings = Settings()

    def __init__(
        self,
        kb: KnowledgeBase,
        env: Environment,
        *,
        base_url: str | None = None,
        dates: dict[str, tuple[str, str]] | None = None,
        head_date: str | None = None,
        downloads: list[tuple[str, str, str]] | None = None,
        memos: Memos | None = None,
        settings: Settings | None = None,
        pm: pluggy.PluginManager | None = None,
    ) -> None:
        self.kb = kb
        self.env = env
        self.settings = settings or self.settings
        # The page families, built in and from plugins (a new plugin manager's when pm is None).
        self.families = page_families(pm)
        # What pages share, computed once; a builder that keeps it between builds passes its own.
        self.memos = memos or Memos()
        self.graph = self.memos.graph(kb)
        self.standings = Standings(kb, self.memos)
        self.base_url = (base_url or kb.config.base_url or "").rstrip("/")
        self.base_url = self.base_url + "/" if safe_url(self.base_url) else ""
        self.dates = dates or {}
        self.downloads = downloads or []
        self._index_claims()
        self.reference_date = head_date or self._latest_date()
        # The order questions are written in, which the home page keeps (a dict of values, so
        # that the incremental builder sees a reordering).
        self.question_order: dict[str, int] = {q: i for i, q in enumerate(kb.questions)}
        # Whom each actor disagrees with: the exchange pages, and the links to them.
        self.exchanges: dict[str, list[str]] = self.memos.exchange_pairs(kb, self.graph)
        self._index_sources()
        # The claim index in pages by initial letters once it is long; each page reads its own.
        self.claim_index = self._claim_index()
        self.claim_dates = self._first_dates()
        self.timeline_years = self._timeline_index()
        rows = sum(len(v) for by_kind in self.timeline_years.values() for v in by_kind.values())
        self.timeline_split = rows > self.settings.timeline_per_page
        # A year too long for one page: its sources, then its claims, in parts of both.
        self.timeline_parts: dict[str, list[dict[str, list[str]]]] = self._timeline_parts()
        self._templates: dict[str, Template] = {}
        self.memo = BuildMemo()
        self.escaped = Escaped()
        self._maps()

    # Lookups, computed once --------------------------------------------------------------------

    def _index_claims(self) -> None:
        """Note each claim's questions and sides, tags and kind, and each question's tags."""
        kb = self.kb
        self.claim_sides: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for q in sorted(kb.questions.values(), key=lambda q: q.id):
            for side in SIDES:
                for cid in getattr(q.positions, side):
                    if cid in kb.claims:
                        self.claim_sides[cid].append((q.id, side))
        self.tags: dict[str, list[str]] = defaultdict(list)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        for cid in sorted(kb.claims):
            for tag in kb.claims[cid].tags:
                self.tags[tag].append(cid)
            self.kinds[kb.claims[cid].kind.value].append(cid)
        self.question_tags: dict[str, list[str]] = defaultdict(list)
        for qid in sorted(kb.questions):
            for tag in kb.questions[qid].tags:
                self.question_tags[tag].append(qid)

    def _index_sources(self) -> None:
        """Note who wrote each source and what quotes it, so that no page scans every record."""
        kb = self.kb
        self.authored: dict[str, list[str]] = defaultdict(list)
        for sid in sorted(kb.sources):
            for a in kb.sources[sid].authors:
                self.authored[a].append(sid)
        self.quoting: dict[str, list[Stance | Evidence | Relation]] = defaultdict(list)
        for stance in kb.stances.values():
            self.quoting[stance.source].append(stance)
        for ev in kb.evidence.values():
            self.quoting[ev.source].append(ev)
        for rel in kb.relations.values():
            if rel.source and rel.quote:
                self.quoting[rel.source].append(rel)

    def _claim_index(self) -> dict[str, list[str]]:
        """Return the claim index's pages by initial letters, or {} while it fits on one."""
        kb = self.kb
        limit = self.settings.claims_per_page
        if len(kb.claims) <= limit:
            return {}
        keys = {cid: index_key(kb.claims[cid].text) for cid in kb.claims}
        return {
            name: sorted(ids, key=lambda c: (kb.claims[c].text.lower(), c))
            for name, ids in split_index(keys, limit).items()
        }

    def _maps(self) -> None:
        """Group the claims for the whole-debate map, by question (large KBs) or nearest one."""
        # The map of questions that a large KB's map.html draws: plain data, so that the
        # incremental builder compares it between builds and the page reads nothing else.
        self.overview: dict[str, Any] = {}
        if len(self.kb.claims) > maps.GROUP_MAP_ABOVE:
            self.overview = maps.overview_groups(
                self.kb,
                self.graph,
                self.claim_sides,
                self.standings,
                {"question": Paths.question, "tag": Paths.tag, "claims": lambda _: "claims.html"},
            )
        # Each claim's question on the whole-debate map (a small KB's): the nearest by links.
        self.claim_group: dict[str, str] = (
            {} if self.overview else qmaps.claim_groups(self.kb, self.graph, memos=self.memos)
        )

    def _latest_date(self) -> str:
        dates = [s.date for s in self.kb.sources.values() if s.date]
        dates += [s.accessed for s in self.kb.sources.values() if s.accessed]
        return max(dates) if dates else "1970-01-01"

    def _first_dates(self) -> dict[str, str]:
        """Return each claim's date: that of the earliest dated source stating or arguing it."""
        kb = self.kb
        first_date: dict[str, str] = {}
        records: list[Stance | Evidence] = [*kb.stances.values(), *kb.evidence.values()]
        for rec in records:
            src = kb.sources.get(rec.source)
            if src and src.date and rec.claim in kb.claims:
                prev = first_date.get(rec.claim)
                first_date[rec.claim] = min(prev, src.date) if prev else src.date
        return dict(sorted(first_date.items()))

    def _timeline_index(self) -> dict[str, dict[str, list[str]]]:
        """Return by year the sources dated, claims first dated and forecasts resolving then."""
        # A claim is first dated by the earliest source stating or arguing it; '' holds the undated
        # sources.
        kb = self.kb
        out: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: {"sources": [], "claims": [], "forecasts": []}
        )
        for sid in sorted(
            kb.sources, key=lambda s: (kb.sources[s].date or "0000", s), reverse=True
        ):
            out[(kb.sources[sid].date or "")[:4]]["sources"].append(sid)
        first_date = self.claim_dates
        for cid in sorted(first_date, key=lambda c: (first_date[c], c)):
            out[first_date[cid][:4]]["claims"].append(cid)
        due = [(c.forecast.resolves, cid) for cid, c in kb.claims.items() if c.forecast is not None]
        for resolves, cid in sorted(due):
            out[resolves[:4]]["forecasts"].append(cid)
        return dict(sorted(out.items(), reverse=True))

    def _timeline_parts(self) -> dict[str, list[dict[str, list[str]]]]:
        """Return the parts of each year of a split timeline with more rows than a page holds."""
        limit = self.settings.timeline_per_page
        out: dict[str, list[dict[str, list[str]]]] = {}
        for year, rows in self.timeline_years.items():
            listed = [("sources", s) for s in rows["sources"]]
            listed += [("claims", c) for c in rows["claims"]]
            if year and self.timeline_split and len(listed) > limit:
                out[year] = [
                    {kind: [i for k, i in part if k == kind] for kind in ("sources", "claims")}
                    for part in split_rows(listed, limit)
                ]
        return out

    def fingerprint(self) -> str:
        """Return what every page may read besides the records: settings, dates, families."""
        # The incremental builder re-renders every page when this changes. Each attribute of a
        # Site that is not a lookup (a dict, whose reads are tracked one by one) is either here
        # or one of the objects that hold no setting (tests/site/test_render.py checks it).
        families = [
            (f.name, f.description, f.pages.__module__, f.pages.__qualname__) for f in self.families
        ]
        shown = (self.base_url, self.downloads, families, self.reference_date, self.settings)
        standings = (self.standings.available, self.standings.model)
        return repr((shown, self.timeline_split, self.kb.config, standings))

    # Pages -------------------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        """Yield every page of the site, family by family, in a stable order."""
        for family in self.families:
            yield from family.pages(self)

    def page(self, path: str) -> Page:
        """Return the page at path (KeyError when the site has none there)."""
        for page in self.pages():
            if page.path == path:
                return page
        raise KeyError(path)
