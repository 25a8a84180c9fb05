"""What pages of every family share: rendering a template, and the words and rows of records."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup, escape

from kb.analysis.reader import family_name
from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.model.records import Evidence, Relation, Source, Stance
from kb.site.env import truncate
from kb.site.memo import BuildMemo
from kb.site.page import View
from kb.site.paths import Paths, doi_url, safe_url
from kb.site.settings import SIDES
from kb.site.standing import Standings

_ID_TOKEN = re.compile(r"(?<![\w/-])[a-z0-9]+(?:-{1,2}[a-z0-9]+)+(?![\w/-])")


class Lookups:
    """The part of a Site that renders templates and says what a record is called."""

    paths = Paths
    kb: KnowledgeBase
    env: Environment
    graph: KBGraph
    standings: Standings
    base_url: str
    claim_sides: dict[str, list[tuple[str, str]]]
    _templates: dict[str, Template]
    memo: BuildMemo

    def render(self, template: str, path: str, **ctx: Any) -> str:
        """Render one template for the page at path."""
        tpl = self._templates.get(template)
        if tpl is None:
            tpl = self._templates[template] = self.env.get_template(template)
        root = "../" * path.count("/")
        if path == "404.html" and self.base_url:
            root = self.base_url  # a 404 page is served at any depth
        return tpl.render(
            root=root,
            page_path=path,
            site_title=self.kb.config.title,
            site_description=self.kb.config.description or "",
            site_license=self._license(),
            base_url=self.base_url,
            **ctx,
        )

    def _license(self) -> dict[str, str | None] | None:
        """Return the content's licence from kb.yaml (its link only when http(s)), or None."""
        lic = self.kb.config.license
        return {"name": lic.name, "url": safe_url(lic.url)} if lic else None

    def claim_text(self, cid: str) -> str:
        """Return a claim's statement (or its ID when unknown)."""
        claim = self.kb.claims.get(cid)
        return claim.text if claim else cid

    def source_label(self, sid: str | None) -> str:
        """Return a short label for a source, such as "Kaplan (2020)", made once per build."""
        found: str = self.memo.get(("source label", sid), lambda: self._source_label(sid))
        return found

    def _source_label(self, sid: str | None) -> str:
        """Return what `source_label` does, looked up."""
        # Or "Narayanan and Kapoor (2024)", "Villalobos et al. (2024)"; the publisher when no author
        # is known, else its title.
        src = self.kb.sources.get(sid or "")
        if src is None:
            return sid or ""
        authors = [self.kb.actors[a] for a in src.authors if a in self.kb.actors]
        names = [family_name(a.name, a.kind.value) for a in authors]
        if len(names) > 2 or (names and names[0].endswith("et al.")):
            who = names[0] if names[0].endswith("et al.") else f"{names[0]} et al."
        else:
            who = " and ".join(names) or (src.publisher or "") or truncate(src.title, 40)
        year = (src.date or "")[:4]
        return f"{who} ({year})" if year else who

    def citation(self, src: Source) -> str:
        """Return a formatted (APA-like) citation of a source as plain text."""
        names = [self.kb.actors[a].name for a in src.authors if a in self.kb.actors]
        who = ", ".join(names) if names else (src.publisher or "Anonymous")
        year = src.date[:4] if src.date else "n.d."
        parts = [f"{who} ({year}).", f"{src.title}."]
        if src.publisher and names:
            parts.append(f"{src.publisher}.")
        link = doi_url(src.doi) or safe_url(src.url)
        if link:
            parts.append(link)
        return " ".join(parts)

    def statements(self, text: str, root: str) -> Markup:
        """Return an explanation escaped, with the IDs in it replaced by what they name."""
        # A claim's statement, "evidence from" its source, a support by its two statements.
        out = []
        last = 0
        for m in _ID_TOKEN.finditer(text):
            rid = m.group(0)
            shown = self._statement_html(rid, root)
            if shown is None:
                continue
            out.append(escape(text[last : m.start()]))
            out.append(shown)
            last = m.end()
        out.append(escape(text[last:]))
        return Markup("").join(out)

    def _statement_html(self, rid: str, root: str) -> Markup | None:
        """Return the words, linked, that stand for a record ID in an explanation."""
        if rid in self.kb.claims:
            text = escape(self.kb.claims[rid].text)
            return Markup(f'<a href="{root}{Paths.claim(rid)}">“{text}”</a>')
        if rid in self.kb.evidence:
            ev = self.kb.evidence[rid]
            label = escape(self.source_label(ev.source))
            title = escape(ev.summary or ev.quote)
            if ev.source in self.kb.sources:
                href = f"{root}{Paths.source(ev.source)}"
                return Markup(f'<a href="{href}" title="{title}">the evidence from {label}</a>')
            return Markup(f"the evidence from {label}")
        if rid in self.kb.relations:
            rel = self.kb.relations[rid]
            a, b = self._statement_html(rel.from_, root), self._statement_html(rel.to, root)
            return Markup(f"the support that {a} gives {b}") if a and b else None
        return None

    def claim_row(self, cid: str) -> dict[str, Any]:
        """Return what a list item of a claim shows."""
        claim = self.kb.claims[cid]
        return {
            "id": cid,
            "text": claim.text,
            "kind": claim.kind.value,
            "href": Paths.claim(cid),
            "standing": self.standings.of(cid),
            "tags": claim.tags,
            "sides": self.claim_sides.get(cid, []),
        }

    def stance_view(self, s: Stance) -> View:
        """Return what a stance shows: who, how, their words and where."""
        # A View, not a dict: the stance macro reads a dozen attributes of each of many stances.
        actor = self.kb.actors.get(s.actor)
        return View(
            id=s.id,
            actor=s.actor,
            actor_name=actor.name if actor else s.actor,
            claim=s.claim,
            claim_text=self.claim_text(s.claim),
            position=s.position.value,
            quote=s.quote,
            locator=s.locator,
            source=s.source,
            source_label=self.source_label(s.source),
            source_url=self._source_link(s.source),
            confidence=s.confidence,
            note=s.note,
        )

    def _source_link(self, sid: str | None) -> str | None:
        src = self.kb.sources.get(sid or "")
        if src is None:
            return None
        return doi_url(src.doi) or safe_url(src.url) or safe_url(src.archived_url)

    def _actor_name(self, aid: str) -> str:
        actor = self.kb.actors.get(aid)
        return actor.name if actor else aid

    def _source_row(self, sid: str | None) -> View:
        src = self.kb.sources[sid or ""]
        return View(
            id=src.id, title=src.title, label=self.source_label(src.id), href=Paths.source(src.id)
        )

    def _source_listing(self, sid: str) -> dict[str, Any]:
        """Return what a list item of a source shows."""
        src = self.kb.sources[sid]
        return {
            "id": sid,
            "title": src.title,
            "kind": src.kind.value,
            "date": src.date or "",
            "label": self.source_label(sid),
            "href": Paths.source(sid),
            "claims": len(self.graph.claims_citing(sid)),
        }

    def _support_text(self, target: Relation | Evidence | None) -> str:
        if isinstance(target, Relation):
            return f"“{self.claim_text(target.from_)}” supports “{self.claim_text(target.to)}”"
        if isinstance(target, Evidence):
            source = self.source_label(target.source)
            return f"the evidence from {source} for “{self.claim_text(target.claim)}”"
        return "a support"

    def question_summary(self, qid: str) -> dict[str, Any]:
        """Return a question with its positions, their standings, and the weight of each side."""
        # A side's weight is the summed strengths of its claims, as a bar from 0 to 100.
        q = self.kb.questions[qid]
        sides: list[dict[str, Any]] = []
        for side in SIDES:
            cids = [c for c in getattr(q.positions, side) if c in self.kb.claims]
            labels = Counter(self.standings.of(c).verdict for c in cids)
            weight = round(sum(self.standings.strength(c) for c in cids), 3)
            sides.append(
                {"side": side, "claims": cids, "labels": labels, "count": len(cids)}
                | {"weight": weight}
            )
        total = sum(s["weight"] for s in sides)
        x = 0.0
        for s in sides:
            s["x"] = round(x, 2)
            s["width"] = round(100 * s["weight"] / total, 2) if total else 0.0
            x += s["width"]
        return {
            "id": qid,
            "title": q.title,
            "framing": q.framing,
            "tags": q.tags,
            "href": Paths.question(qid),
            "sides": sides,
            "total": sum(s["count"] for s in sides),
            "counts": {s["side"]: s["count"] for s in sides},
            "analysis": self.standings.question(qid),
        }
