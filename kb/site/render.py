"""Page contexts and HTML rendering of the site: one shared Jinja environment, safe filters."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from kb.analysis.reader import exchange_path, family_name
from kb.load import KnowledgeBase
from kb.model.records import ID_RE, Claim, Evidence, Relation, Source, Stance
from kb.site import maps, qmaps
from kb.site.memo import BuildMemo
from kb.site.memos import Memos

SIDES = ("pro", "con", "mixed")
SIDE_NAMES = {"pro": "Yes", "con": "No", "mixed": "Mixed"}
LABELS = ("accepted", "defensible", "undecided", "rejected")
# The reader's word for each label (the templates' macros say them); "accepted" splits in two.
VERDICTS = {"defensible": "contested", "undecided": "unsettled", "rejected": "refuted"}
VERDICT_ORDER = ("unchallenged", "holds", "contested", "unsettled", "refuted")
POSITION_VERB = {"asserts": "agrees", "denies": "disagrees", "qualifies": "qualifies"}
# Two levels: what bears on a claim, and what bears on that; deeper arguments are a link away
# (three levels made the pages of much-argued claims hundreds of kilobytes).
TREE_DEPTH = 2
KEY_CLAIMS = 40
MATRIX_ACTORS = 40
RECENT = 10
TIMELINE_PER_PAGE = 1000  # rows (sources, claims, forecasts) above which years get own pages
CLAIMS_PER_PAGE = 1000  # above this the claim index is split into pages by initial letters
SAFE_SCHEMES = ("http", "https")


def theme_dir() -> Path:
    """Return the folder of the bundled theme: kb/_site when installed, else the repo's site/."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_site"
    if (installed / "templates").is_dir():
        return installed
    return package.parent / "site"


# Links and text ------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is http(s) or a DOI (as https://doi.org/...), else None."""
    if not url:
        return None
    url = url.strip()
    if url.lower().startswith("doi:"):
        return doi_url(url[4:])
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    if any(c in url for c in "\x00\r\n\t <>\"'`"):
        return None
    return url


def doi_url(doi: str | None) -> str | None:
    """Return the https://doi.org/ address of a DOI."""
    if not doi:
        return None
    doi = doi.strip()
    if not re.match(r"^10\.\d{4,9}/\S+$", doi):
        return None
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def slug(text: str) -> str:
    """Return a safe file-name slug for free text such as a tag."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:80] or "tag"


def page_name(record_id: str) -> str:
    """Return the file name of a record's page; an ID can never leave its folder."""
    if not ID_RE.match(record_id) or len(record_id) > 120:
        raise ValueError(f"unsafe record id {record_id!r}")
    return f"{record_id}.html"


class Paths:
    """Paths of every page, relative to the site root."""

    @staticmethod
    def claim(rid: str) -> str:
        """Return the path of a claim's page."""
        return "claim/" + page_name(rid)

    @staticmethod
    def question(rid: str) -> str:
        """Return the path of a question's page."""
        return "question/" + page_name(rid)

    @staticmethod
    def source(rid: str) -> str:
        """Return the path of a source's page."""
        return "source/" + page_name(rid)

    @staticmethod
    def actor(rid: str) -> str:
        """Return the path of an actor's page."""
        return "actor/" + page_name(rid)

    @staticmethod
    def tag(tag: str) -> str:
        """Return the path of a tag's page."""
        return "tag/" + slug(tag) + ".html"

    @staticmethod
    def exchange(a: str, b: str) -> str:
        """Return the path of the page of two actors' exchanges (the same for either order)."""
        return exchange_path(a, b)

    @staticmethod
    def timeline_year(year: str) -> str:
        """Return the path of one year of a long timeline."""
        return "timeline/" + slug(year) + ".html"

    @staticmethod
    def claims_part(key: str) -> str:
        """Return the path of one page of the claim index (key: letters, '0-9' or 'other')."""
        return "claims/" + slug(key) + ".html"


@functools.lru_cache(maxsize=1 << 17)  # a rebuild files again only the statements edited
def index_key(text: str) -> str:
    """Return the letters a claim is filed under: its text folded to ASCII a-z and 0-9."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def split_index(keys: dict[str, str], limit: int) -> dict[str, list[str]]:
    """Group IDs by the first letters of their keys, longer prefixes only where a group is large.

    Every ID lands in exactly one group; groups are named by a prefix ('c', 'co'), '0-9' for
    keys starting with a digit, 'other' for empty keys. A group over `limit` is split by one
    more letter, up to three letters; IDs whose key ends before the prefix does keep the prefix.
    """

    def head(key: str, depth: int) -> str:
        if not key:
            return "other"
        if key[0].isdigit():
            return "0-9"
        return key[:depth]

    groups: dict[str, list[str]] = {}
    todo: list[tuple[int, list[str]]] = [(1, sorted(keys, key=lambda i: (keys[i], i)))]
    while todo:
        depth, ids = todo.pop()
        parts: dict[str, list[str]] = {}
        for rid in ids:
            parts.setdefault(head(keys[rid], depth), []).append(rid)
        for name, members in parts.items():
            if len(members) > limit and depth < 3 and name not in ("other", "0-9"):
                todo.append((depth + 1, members))
            else:
                groups[name] = members
    return dict(sorted(groups.items()))


def _validate_link(url: str) -> bool:
    return safe_url(url) is not None


def make_markdown() -> MarkdownIt:
    """Return a Markdown renderer with raw HTML off and only http(s) links."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.disable(["image"])
    return md


_MD = make_markdown()


def markdown(text: str | None) -> Markup:
    """Render Markdown notes safely."""
    if not text:
        return Markup("")
    return Markup(_MD.render(text))


def truncate(text: str, length: int = 90) -> str:
    """Shorten text to a length on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def make_env(overrides: Path | None = None, within: Path | None = None) -> Environment:
    """Return the shared Jinja environment: overrides first, then the theme.

    Override templates whose links lead out of `within` (the content folder) are refused.
    """
    from kb.load.safety import contained_loader

    theme = FileSystemLoader(str(theme_dir() / "templates"))
    loaders: list[Any] = []
    if overrides is not None and overrides.is_dir() and any(overrides.iterdir()):
        loaders.append(contained_loader(overrides, within or overrides))
    loaders.append(theme)
    # Sandboxed when there are overrides: they come from the content folder, so from
    # contributors, and a plain Environment lets `{{ cycler.__init__.__globals__.os.popen(...) }}`
    # run commands. The bundled templates alone are ours: they skip the sandbox's attribute
    # checks (an eighth of the rendering time).
    kind = SandboxedEnvironment if len(loaders) > 1 else Environment
    env = kind(
        loader=ChoiceLoader([PrefixLoader({"default": theme}, delimiter=":"), *loaders]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    env.filters.update(md=markdown, truncate_words=truncate, safe_url=safe_url)
    env.globals.update(
        paths=Paths,
        SIDE_NAMES=SIDE_NAMES,
        POSITION_VERB=POSITION_VERB,
        doi_url=doi_url,
        map_legend=qmaps.legend(focus=True),
    )
    return env


# Standings from the analysis -----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A claim's computed standing, as the site shows it."""

    label: str = "undecided"
    strength: float | None = None
    explanation: str = ""
    crux: float | None = None
    model: str = ""
    converged: bool = True
    attacked: bool = False
    why: str = ""  # why it has its label, without the label itself
    why_strength: str = ""
    crux_labels: int = 0

    @property
    def verdict(self) -> str:
        """Return what the label means for a reader, as a key the templates put in words."""
        if self.label == "accepted":
            return "holds" if self.attacked else "unchallenged"
        return VERDICTS.get(self.label, "unsettled")


class Standings:
    """Wraps `kb.analysis.analyse` (its `claims` and `questions` tables) for the templates."""

    def __init__(self, kb: KnowledgeBase, memos: Memos) -> None:
        self.model = ""  # part of the incremental builder's fingerprint of global state
        self._by: dict[str, Standing] = {}
        self._result: Any = memos.analyse(kb)
        self.available = True
        for cid in kb.claims:
            self._by[cid] = self._read(cid)

    def _read(self, cid: str) -> Standing:
        item = self._result.claims.get(cid)
        if item is None:
            return Standing()
        label = str(item.label)
        why = str(getattr(item, "why_label", "") or "")
        return Standing(
            label=label if label in LABELS else "undecided",
            strength=round(float(item.strength), 3),
            explanation=str(item.explanation or ""),
            crux=round(float(item.crux), 3),
            model=str(item.model or ""),
            converged=bool(item.converged),
            attacked=bool(getattr(item, "attacked", False)),
            why=why.split(": ", 1)[1] if why.startswith(f"{label}") and ": " in why else why,
            why_strength=str(getattr(item, "why_strength", "") or ""),
            crux_labels=int(getattr(item, "crux_labels", 0)),
        )

    def evidence(self, eid: str) -> float:
        """Return a piece of evidence's strength (0.5 when unknown)."""
        found = self._result.evidence_strength.get(eid) if self._result is not None else None
        return 0.5 if found is None else round(float(found), 3)

    def disagreements(self, actor_a: str, actor_b: str) -> list[Any]:
        """Return the claims two actors take different positions on, ranked by crux score."""
        if self._result is None:
            return []
        return list(self._result.disagreements(actor_a, actor_b))

    def question(self, qid: str) -> dict[str, Any] | None:
        """Return a question's balance and its cruxes (claim, score), best first."""
        q = self._result.questions.get(qid) if self._result is not None else None
        if q is None:
            return None
        return {
            "balance": round(float(q.balance), 3),
            "pro": round(float(q.pro), 3),
            "con": round(float(q.con), 3),
            "cruxes": [(c, round(float(score), 3)) for c, score in q.cruxes],
            "cruxes_computed": bool(getattr(self._result, "cruxes_computed", True)),
        }

    def of(self, cid: str) -> Standing:
        """Return a claim's standing."""
        return self._by.get(cid, Standing())

    def strength(self, cid: str) -> float:
        """Return a claim's strength for ranking (0.5 when unknown)."""
        s = self.of(cid).strength
        return 0.5 if s is None else s


# Pages -------------------------------------------------------------------------------------


@dataclass
class Page:
    """One file of the site: where it goes and how to render it."""

    path: str
    render: Callable[[], str]


class View(SimpleNamespace):
    """What a template shows of one item, as attributes: Jinja reads a dict's keys only after a
    failed attribute lookup and its exception, which a page of many items pays for every read."""

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]


@dataclass
class TreeNode:
    """One node of a claim's collapsible support/attack tree."""

    id: str
    kind: str  # claim | evidence
    link: str  # supports | rebuts | contradicts | undercuts
    text: str
    href: str | None
    standing: Standing | None
    children: list[TreeNode]
    link_id: str
    quote: str | None = None
    source: str | None = None
    more: int = 0  # arguments on the claim's own page, past the tree's depth


class Site:
    """Every page of one knowledge base, with the lookups they share."""

    paths = Paths

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
    ) -> None:
        self.kb = kb
        self.env = env
        # What pages share, computed once; a builder that keeps it between builds passes its own.
        self.memos = memos or Memos()
        self.graph = self.memos.graph(kb)
        self.standings = Standings(kb, self.memos)
        self.base_url = (base_url or kb.config.base_url or "").rstrip("/")
        self.base_url = self.base_url + "/" if safe_url(self.base_url) else ""
        self.dates = dates or {}
        self.downloads = downloads or []
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
        self.reference_date = head_date or self._latest_date()
        # The order questions are written in, which the home page keeps (a dict of values, so
        # that the incremental builder sees a reordering).
        self.question_order: dict[str, int] = {q: i for i, q in enumerate(kb.questions)}
        # Whom each actor disagrees with: the exchange pages, and the links to them.
        self.exchanges: dict[str, list[str]] = self.memos.exchange_pairs(kb, self.graph)
        self.authored: dict[str, list[str]] = defaultdict(list)
        for sid in sorted(kb.sources):
            for a in kb.sources[sid].authors:
                self.authored[a].append(sid)
        # What quotes each source, so that a source page never scans every record.
        self.quoting: dict[str, list[Stance | Evidence | Relation]] = defaultdict(list)
        for quoted in (*kb.stances.values(), *kb.evidence.values()):
            self.quoting[quoted.source].append(quoted)
        for rel in kb.relations.values():
            if rel.source and rel.quote:
                self.quoting[rel.source].append(rel)
        # The claim index in pages by initial letters once it is long; each page reads its own.
        self.claim_index: dict[str, list[str]] = {}
        if len(kb.claims) > CLAIMS_PER_PAGE:
            keys = {cid: index_key(kb.claims[cid].text) for cid in kb.claims}
            for name, ids in split_index(keys, CLAIMS_PER_PAGE).items():
                self.claim_index[name] = sorted(ids, key=lambda c: (kb.claims[c].text.lower(), c))
        self.claim_dates = self._first_dates()
        self.timeline_years = self._timeline_index()
        rows = sum(len(v) for by_kind in self.timeline_years.values() for v in by_kind.values())
        self.timeline_split = rows > TIMELINE_PER_PAGE
        self._templates: dict[str, Any] = {}
        self.memo = BuildMemo()
        # The map of questions that a large KB's map.html draws: plain data, so that the
        # incremental builder compares it between builds and the page reads nothing else.
        self.overview: dict[str, Any] = {}
        if len(kb.claims) > maps.GROUP_MAP_ABOVE:
            self.overview = maps.overview_groups(
                kb,
                self.graph,
                self.claim_sides,
                self.standings,
                {"question": Paths.question, "tag": Paths.tag, "claims": lambda _: "claims.html"},
            )
        # Each claim's question on the whole-debate map (a small KB's): the nearest by links.
        self.claim_group: dict[str, str] = (
            {} if self.overview else qmaps.claim_groups(kb, self.graph)
        )

    # Helpers ---------------------------------------------------------------------------------

    def _latest_date(self) -> str:
        dates = [s.date for s in self.kb.sources.values() if s.date]
        dates += [s.accessed for s in self.kb.sources.values() if s.accessed]
        return max(dates) if dates else "1970-01-01"

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
        """Return a short label for a source: "Kaplan (2020)", "Narayanan and Kapoor (2024)",
        "Villalobos et al. (2024)", the publisher when no author is known, else its title."""
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
        """Return an explanation escaped, with the IDs in it replaced by what they name: a
        claim's statement, "evidence from" its source, a support by its two statements."""
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

    def stance_view(self, s: Stance) -> dict[str, Any]:
        """Return what a stance shows: who, how, their words and where."""
        actor = self.kb.actors.get(s.actor)
        return {
            "id": s.id,
            "actor": s.actor,
            "actor_name": actor.name if actor else s.actor,
            "claim": s.claim,
            "claim_text": self.claim_text(s.claim),
            "position": s.position.value,
            "quote": s.quote,
            "locator": s.locator,
            "source": s.source,
            "source_label": self.source_label(s.source),
            "source_url": self._source_link(s.source),
            "confidence": s.confidence,
            "note": s.note,
        }

    def _source_link(self, sid: str | None) -> str | None:
        src = self.kb.sources.get(sid or "")
        if src is None:
            return None
        return doi_url(src.doi) or safe_url(src.url) or safe_url(src.archived_url)

    # Claim tree ------------------------------------------------------------------------------

    def _links(self, cid: str) -> tuple[list[Any], list[Any]]:
        """Return a claim's supporters and attackers (graph links), looked up once per build."""
        return self.memo.get(
            ("links", cid), lambda: (self.graph.supporters(cid), self.graph.attackers(cid))
        )

    def _arguments(self, cid: str) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        """Return a claim's supporters then attackers (other end, type, link ID), each with the
        claims that undercut the link (claim, relation ID); looked up once per build."""

        def compute() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
            out = []
            supporters, attackers = self._links(cid)
            for link in [*supporters, *attackers]:
                undercuts = [
                    (u.from_, u.id)
                    for u in self.graph.undercutters(link.id)
                    if u.from_ in self.kb.claims
                ]
                out.append((link.other, link.type, link.id, undercuts))
            return out

        return self.memo.get(("arguments", cid), compute)

    def tree(self, cid: str, depth: int = TREE_DEPTH, seen: frozenset[str] = frozenset()) -> list:
        """Return the supporters and attackers of a claim as nested nodes."""
        if depth == 0:
            return []
        seen = seen | {cid}
        nodes: list[TreeNode] = []
        for other, link_type, link_id, undercuts in self._arguments(cid):
            node = self._tree_node(other, link_type, link_id, depth, seen)
            nodes.append(node)
            for from_, undercut_id in undercuts:
                node.children.append(self._tree_node(from_, "undercuts", undercut_id, depth, seen))
        return nodes

    def _tree_node(
        self, other: str, link: str, link_id: str, depth: int, seen: frozenset[str]
    ) -> TreeNode:
        if other in self.kb.evidence:
            ev = self.kb.evidence[other]
            return TreeNode(
                id=other,
                kind="evidence",
                link=link,
                text=ev.summary or ev.quote,
                href=Paths.source(ev.source) if ev.source in self.kb.sources else None,
                standing=None,
                children=[],
                link_id=link_id,
                quote=ev.quote,
                source=self.source_label(ev.source),
            )
        children = [] if other in seen else self.tree(other, depth - 1, seen)
        more = 0
        if depth == 1 and other not in seen and other in self.kb.claims:
            more = len(self._arguments(other))
        return TreeNode(
            id=other,
            kind="claim",
            link=link,
            text=self.claim_text(other),
            href=Paths.claim(other) if other in self.kb.claims else None,
            standing=self.standings.of(other),
            children=children,
            link_id=link_id,
            more=more,
        )

    def _macros(self) -> tuple[Any, bool]:
        """Return the module of macros.html, and whether it is the bundled theme's own."""

        def compute() -> tuple[Any, bool]:
            tpl = self.env.get_template("macros.html")
            bundled = theme_dir() / "templates" / "macros.html"
            return tpl.module, tpl.filename is not None and Path(tpl.filename) == bundled

        return self.memo.get("macros", compute)

    def badge(self, standing: Standing, root: str | None = None) -> Markup:
        """Return the badge macro's HTML for a standing, rendered once per build for each."""
        module, bundled = self._macros()
        # The bundled badge shows only the label and whether it was attacked: standings that
        # share them share it.
        key = (
            ("badge", standing.label, standing.attacked, root)
            if bundled
            else ("badge", standing, root)
        )
        return self.memo.get(key, lambda: module.badge(standing, root))

    def tree_html(self, nodes: list[TreeNode], root: str) -> Markup | None:
        """Return the HTML of the tree macro for these nodes, built here without Jinja's per-call
        cost; None when a KB overrides macros.html, whose tree the template then calls."""
        if not self._macros()[1]:
            return None
        out: list[str] = []
        self._tree_into(out, nodes, root, 1)
        return Markup("".join(out))

    def _tree_into(self, out: list[str], nodes: list[TreeNode], root: str, level: int) -> None:
        """Append what the bundled tree macro writes (kept in step by tests/test_render.py)."""
        raw, root = root, _escaped(root)
        out.append(f'<ul class="tree level-{level}">\n')
        for n in nodes:
            link = _escaped(n.link)
            out.append(
                f'<li class="tree-node via-{link} {_escaped(n.kind)}"><div class="leaf">'
                f'<span class="link-type link-{link}">{link}</span>'
            )
            if n.kind == "evidence":
                out.append(' <span class="ev-tag">evidence</span>')
            text = _escaped(n.text)
            if n.href:
                out.append(f' <a href="{root}{_escaped(n.href)}">{text}</a>')
            else:
                out.append(f" {text}")
            if n.standing:
                out.append(f" {self.badge(n.standing, raw)}")
            if n.source:
                out.append(f' <span class="muted">— {_escaped(n.source)}</span>')
            if n.more and n.href:
                plural = "s" if n.more != 1 else ""
                out.append(
                    f' <a class="tree-more" href="{root}{_escaped(n.href)}#tree-h">'
                    f"{n.more} argument{plural} on its page</a>"
                )
            out.append("</div>\n")
            if n.children:
                count = len(n.children)
                out.append(
                    f"<details{' open' if level == 1 else ''}><summary>{count} argument"
                    f"{'s' if count != 1 else ''} for and against this</summary>\n"
                )
                self._tree_into(out, n.children, raw, level + 1)
                out.append("\n</details>\n")
            out.append("</li>\n")
        out.append("</ul>")

    # Pages -----------------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        """Yield every page of the site, in a stable order."""
        kb = self.kb
        for name, template, title in (
            ("index.html", "index.html", None),
            ("claims.html", "claims.html", "All claims"),
            ("sources.html", "sources.html", "Sources"),
            ("actors.html", "actors.html", "Actors"),
            ("tags.html", "tags.html", "Tags"),
            ("matrix.html", "matrix.html", "Stance matrix"),
            ("map.html", "map.html", "Map of the debate"),
            ("timeline.html", "timeline.html", "Timeline"),
            ("search.html", "search.html", "Search"),
            ("downloads.html", "downloads.html", "Downloads"),
            ("method.html", "method.html", "How this map was made"),
            ("how-to-read.html", "how-to-read.html", "How to read this map"),
            ("404.html", "404.html", "Page not found"),
        ):
            yield Page(name, self._global(name, template, title))
        yield Page("feed.xml", self._global("feed.xml", "feed.xml", None))
        yield Page("sitemap.xml", self._global("sitemap.xml", "sitemap.xml", None))
        for qid in sorted(kb.questions):
            yield Page(Paths.question(qid), self._bind(self.question_page, qid))
        for cid in sorted(kb.claims):
            yield Page(Paths.claim(cid), self._bind(self.claim_page, cid))
        for sid in sorted(kb.sources):
            yield Page(Paths.source(sid), self._bind(self.source_page, sid))
        for aid in sorted(kb.actors):
            yield Page(Paths.actor(aid), self._bind(self.actor_page, aid))
        for tag in sorted(set(self.tags) | set(self.question_tags)):
            yield Page(Paths.tag(tag), self._bind(self.tag_page, tag))
        for a, partners in sorted(self.exchanges.items()):
            for b in partners:
                if a < b:
                    yield Page(Paths.exchange(a, b), self._bind_pair(self.exchange_page, a, b))
        if self.timeline_split:
            for year in sorted(y for y in self.timeline_years if y):
                yield Page(Paths.timeline_year(year), self._bind(self.timeline_year_page, year))
        for part in sorted(self.claim_index):
            yield Page(Paths.claims_part(part), self._bind(self.claims_part_page, part))

    @staticmethod
    def _bind(fn: Callable[[str], str], arg: str) -> Callable[[], str]:
        return lambda: fn(arg)

    @staticmethod
    def _bind_pair(fn: Callable[[str, str], str], a: str, b: str) -> Callable[[], str]:
        return lambda: fn(a, b)

    def _global(self, path: str, template: str, title: str | None) -> Callable[[], str]:
        def render() -> str:
            name = path.split(".")[0].replace("404", "notfound").replace("-", "_")
            builder = getattr(self, "ctx_" + name, None)
            ctx = builder() if builder else {}
            return self.render(template, path, title=title, **ctx)

        return render

    # Global page contexts --------------------------------------------------------------------

    def question_summary(self, qid: str) -> dict[str, Any]:
        """Return a question with its positions, their standings, and the weight of each side
        (the summed strengths of its claims) as a bar from 0 to 100."""
        q = self.kb.questions[qid]
        sides = []
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

    def ctx_index(self) -> dict[str, Any]:
        """Return the home page's context: the questions in the order they are written."""
        order = sorted(self.question_order.items(), key=lambda kv: (kv[1], kv[0]))
        questions = [self.question_summary(q) for q, _ in order]
        recent = sorted(
            (c for c in self.kb.claims if c in self.dates),
            key=lambda c: (self.dates[c][1], self.dates[c][0], c),
            reverse=True,
        )[:RECENT]
        return {
            "questions": questions,
            "recent": [
                {**self.claim_row(c), "added": self.dates[c][0], "changed": self.dates[c][1]}
                for c in recent
            ],
            "counts": self.kb.counts(),
            "analysis": self.standings.available,
        }

    def ctx_how_to_read(self) -> dict[str, Any]:
        """Return the worked examples of "How to read this map", drawn from this debate."""
        from kb.analysis.reader import verdict_examples

        example = verdict_examples(self)
        order = sorted(self.question_order.items(), key=lambda kv: (kv[1], kv[0]))
        headline = self.question_summary(order[0][0]) if order else None
        crux = None
        if headline and headline["analysis"] and headline["analysis"]["cruxes"]:
            c, score = headline["analysis"]["cruxes"][0]
            if c in self.kb.claims:
                crux = {**self.claim_row(c), "score": score}
                crux["crux_labels"] = self.standings.of(c).crux_labels
        return {
            **example,
            "verdicts": VERDICT_ORDER,
            "headline": headline,
            "crux": crux,
            "analysis": self.standings.available,
        }

    def ctx_claims(self) -> dict[str, Any]:
        """Return the claim index's context: every claim, or the index's pages when it is long."""
        if self.claim_index:
            parts = [
                {"name": name, "href": Paths.claims_part(name), "count": len(ids)}
                for name, ids in self.claim_index.items()
            ]
            total = sum(p["count"] for p in parts)
            return {"rows": [], "parts": parts, "part": None, "total": total}
        ids = sorted(self.kb.claims, key=lambda c: (self.kb.claims[c].text.lower(), c))
        return {**self._claim_table(ids), "parts": [], "part": None, "total": len(ids)}

    def _claim_table(self, ids: list[str]) -> dict[str, Any]:
        """Return the rows of a table of claims, with what its filters offer."""
        rows = []
        for cid in ids:
            row = self.claim_row(cid)
            row["stances"] = len(self.graph.stances_on(cid))
            row["supporters"] = len(self.graph.supporters(cid))
            row["attackers"] = len(self.graph.attackers(cid))
            rows.append(row)
        kinds = sorted({r["kind"] for r in rows})
        return {"rows": rows, "kinds": kinds, "tags": sorted(self.tags), "verdicts": VERDICT_ORDER}

    def claims_part_page(self, part: str) -> str:
        """Render one page of a long claim index: the claims filed under one prefix."""
        ids = self.claim_index[part]
        # Links to the other pages name them only: their sizes would tie every page to every edit.
        parts = [{"name": n, "href": Paths.claims_part(n), "count": None} for n in self.claim_index]
        ctx = {**self._claim_table(ids), "parts": parts, "part": part, "total": len(ids)}
        title = f"Claims: {part.capitalize() if part not in ('0-9', 'other') else part}"
        return self.render("claims.html", Paths.claims_part(part), title=title, **ctx)

    def ctx_sources(self) -> dict[str, Any]:
        """Return the source index's context."""
        order = sorted(
            self.kb.sources, key=lambda s: (self.kb.sources[s].date or "0000", s), reverse=True
        )
        return {"rows": [self._source_listing(sid) for sid in order]}

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

    def ctx_actors(self) -> dict[str, Any]:
        """Return the actor index's context."""
        rows = []
        for aid in sorted(self.kb.actors, key=lambda a: (self.kb.actors[a].name.lower(), a)):
            actor = self.kb.actors[aid]
            stances = self.graph.stances_by(aid)
            rows.append(
                {
                    "id": aid,
                    "name": actor.name,
                    "kind": actor.kind.value,
                    "affiliation": actor.affiliation,
                    "href": Paths.actor(aid),
                    "stances": len(stances),
                    "sources": len(self.authored.get(aid, [])),
                }
            )
        return {"rows": rows}

    def ctx_tags(self) -> dict[str, Any]:
        """Return the tag index's context."""
        tags = sorted(set(self.tags) | set(self.question_tags))
        return {
            "tags": [
                {
                    "tag": t,
                    "href": Paths.tag(t),
                    "claims": len(self.tags.get(t, [])),
                    "questions": len(self.question_tags.get(t, [])),
                }
                for t in tags
            ]
        }

    def ctx_matrix(self) -> dict[str, Any]:
        """Return the stance matrix: actors by key claims, and every stance for the pair view."""
        by_claim: dict[str, list[Stance]] = defaultdict(list)
        for s in self.kb.stances.values():
            if s.claim in self.kb.claims and s.actor in self.kb.actors:
                by_claim[s.claim].append(s)
        key = sorted(by_claim, key=lambda c: (-len({s.actor for s in by_claim[c]}), c))
        key = key[:KEY_CLAIMS]
        actor_count = Counter(s.actor for c in key for s in by_claim[c])
        actors = sorted(actor_count, key=lambda a: (-actor_count[a], a))[:MATRIX_ACTORS]
        actors.sort(key=lambda a: (self.kb.actors[a].name.lower(), a))
        cells: dict[tuple[str, str], str] = {}
        for c in key:
            for s in sorted(by_claim[c], key=lambda s: s.id):
                cells.setdefault((s.actor, c), s.position.value)
        positions: dict[str, dict[str, str]] = defaultdict(dict)
        for s in sorted(self.kb.stances.values(), key=lambda s: s.id):
            if s.claim in self.kb.claims and s.actor in self.kb.actors:
                positions[s.actor].setdefault(s.claim, s.position.value)
        data = {
            "actors": {a: self.kb.actors[a].name for a in sorted(positions)},
            "claims": {
                c: self.kb.claims[c].text
                for c in sorted({c for p in positions.values() for c in p})
            },
            "positions": {a: dict(sorted(positions[a].items())) for a in sorted(positions)},
            "crux": {
                c: self.standings.of(c).crux or 0
                for c in sorted({c for p in positions.values() for c in p})
            },
            "exchanges": self._exchange_links(),
        }
        names = {a: self.kb.actors[a].name for a in positions}
        return {
            "key_claims": [self.claim_row(c) for c in key],
            "actors": [{"id": a, "name": self.kb.actors[a].name} for a in actors],
            "cells": cells,
            "by_claim": {
                c: {
                    p: sorted({names[s.actor] for s in by_claim[c] if cells.get((s.actor, c)) == p})
                    for p in POSITION_VERB
                }
                for c in key
            },
            "pair": _most_opposed(positions, names),
            "all_actors": sorted(data["actors"].items(), key=lambda kv: (kv[1].lower(), kv[0])),
            "matrix_json": _json_script(data),
        }

    def _exchange_links(self) -> dict[str, str]:
        """Return the pages of two actors' exchanges, by their IDs in order ("a b")."""
        return {
            " ".join(sorted((a, b))): Paths.exchange(a, b)
            for a, partners in sorted(self.exchanges.items())
            for b in partners
        }

    def ctx_map(self) -> dict[str, Any]:
        """Return the whole-debate map and its filters: past maps.GROUP_MAP_ABOVE claims, the
        map of questions and the most contested of them, read from self.overview alone."""
        model = self.overview
        if model:
            groups = model["groups"]
            contested = sorted(
                (g for g in groups if g["attacks_in"]),
                key=lambda g: (-g["attacks_in"], -g["attacks_in"] / g["claims"], g["id"]),
            )[: maps.MOST_CONTESTED]
            return {
                "mode": "groups",
                "svg": maps.group_map(model),
                "claim_count": model["claims"],
                "group_count": len(groups),
                "question_count": sum(1 for g in groups if g["kind"] == "question"),
                "link_count": model["links"],
                "pair_count": model["pairs"],
                "drawn_count": len(model["edges"]),
                "contested": contested,
            }
        groups = self.claim_group
        model = qmaps.questions_model(self.kb, self.graph, groups)
        sides = {}
        for qid in model["order"]:
            q = self.kb.questions[qid]
            sides[qid] = {
                s: sum(1 for c in getattr(q.positions, s) if c in self.kb.claims) for s in SIDES
            }
        by_text = functools.partial(_by_text, self.kb)
        return {
            "mode": "questions",
            "svg": qmaps.questions_map(self.kb, model, sides),
            "map_legend": qmaps.overview_legend(),
            "groups": [
                {
                    "id": qid,
                    "title": self.kb.questions[qid].title,
                    "href": Paths.question(qid),
                    "claims": [
                        self.claim_row(c) for c in sorted(model["members"][qid], key=by_text)
                    ],
                }
                for qid in model["order"]
            ],
            "loose": [
                self.claim_row(c)
                for c in sorted((c for c, g in groups.items() if not g), key=by_text)
            ],
            "link_count": sum(sum(c) for _, _, c in model["pairs"]),
            "claim_count": len(self.kb.claims),
        }

    def _first_dates(self) -> dict[str, str]:
        """Return each claim's date: that of the earliest dated source stating or arguing it."""
        kb = self.kb
        first_date: dict[str, str] = {}
        for rec in [*kb.stances.values(), *kb.evidence.values()]:
            src = kb.sources.get(rec.source)
            if src and src.date and rec.claim in kb.claims:
                prev = first_date.get(rec.claim)
                first_date[rec.claim] = min(prev, src.date) if prev else src.date
        return dict(sorted(first_date.items()))

    def _timeline_index(self) -> dict[str, dict[str, list[str]]]:
        """Return, by year, the sources dated then, the claims first dated then (by the earliest
        source stating or arguing them) and the forecasts resolving then ('' : undated sources)."""
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

    def ctx_timeline(self, year: str | None = None) -> dict[str, Any]:
        """Return sources and claims by date and forecasts by resolution: every year's, one
        year's, or (for a long timeline) the years with their counts."""
        years = self.timeline_years
        # A year's page leaves out the chart of every year: it would read every year's sources.
        chart = (
            maps.year_chart({y: len(v["sources"]) for y, v in years.items() if y and v["sources"]})
            if year is None
            else Markup("")
        )
        nav = [(y, Paths.timeline_year(y)) for y in years if y] if self.timeline_split else []
        base = {"reference_date": self.reference_date, "chart": chart, "year": year, "nav": nav}
        if self.timeline_split and year is None:
            counts = [
                {"year": y, "href": Paths.timeline_year(y), **{k: len(v[k]) for k in v}}
                for y, v in years.items()
                if y
            ]
            undated = [self._source_listing(s) for s in years.get("", {}).get("sources", [])]
            return {**base, "years": counts, "undated": undated}
        shown = [year] if year is not None else list(years)
        forecasts: dict[str, list[dict[str, Any]]] = {"upcoming": [], "overdue": [], "resolved": []}
        for y in shown:
            for cid in years[y]["forecasts"]:
                f = self.kb.claims[cid].forecast
                assert f is not None
                if f.resolution.value != "open":
                    group = "resolved"
                elif f.resolves < self.reference_date:
                    group = "overdue"
                else:
                    group = "upcoming"
                forecasts[group].append(
                    {**self.claim_row(cid), "forecast": f, "status": forecast_status(f, group)}
                )
        for rows in forecasts.values():
            rows.sort(key=lambda r: (r["forecast"].resolves, r["id"]))
        return {
            **base,
            "years": [],
            "sources_by_year": [
                (y, [self._source_listing(s) for s in years[y]["sources"]])
                for y in shown
                if y and years[y]["sources"]
            ],
            "undated": [self._source_listing(s) for s in years.get("", {}).get("sources", [])]
            if year is None
            else [],
            "claims_by_year": [
                (
                    y,
                    [
                        {**self.claim_row(c), "date": self.claim_dates[c]}
                        for c in years[y]["claims"]
                    ],
                )
                for y in sorted(shown, reverse=True)
                if y and years[y]["claims"]
            ],
            "forecasts": forecasts,
        }

    def timeline_year_page(self, year: str) -> str:
        """Render one year of a long timeline."""
        path = Paths.timeline_year(year)
        return self.render(
            "timeline.html", path, title=f"Timeline: {year}", **self.ctx_timeline(year)
        )

    def ctx_search(self) -> dict[str, Any]:
        """Return the search page's filters."""
        return {
            "kinds": sorted(self.kinds),
            "tags": sorted(self.tags),
        }

    def ctx_downloads(self) -> dict[str, Any]:
        """Return the downloadable files."""
        return {"downloads": self.downloads, "counts": self.kb.counts()}

    def ctx_method(self) -> dict[str, Any]:
        """Return the 'How this map was made' page: the texts, their checks, who answers whom."""
        from kb.analysis.engagement import method_context

        return method_context(self.kb, Paths)

    def ctx_notfound(self) -> dict[str, Any]:
        """Return the 404 page's context: links go from the site root."""
        return {"home": self.base_url or "/"}

    def ctx_feed(self) -> dict[str, Any]:
        """Return the Atom feed's entries: added and changed claims, newest first."""
        entries = []
        if self.dates:
            order = sorted(
                (c for c in self.kb.claims if c in self.dates),
                key=lambda c: (self.dates[c][1], c),
                reverse=True,
            )[:50]
            for cid in order:
                added, changed = self.dates[cid]
                entries.append({**self.claim_row(cid), "added": added, "changed": changed})
        updated = entries[0]["changed"] if entries else self.reference_date
        return {"entries": entries, "updated": _atom_date(updated), "atom_date": _atom_date}

    def ctx_sitemap(self) -> dict[str, Any]:
        """Return every page of the sitemap."""
        paths = [p.path for p in self.pages() if p.path.endswith(".html") and p.path != "404.html"]
        return {"urls": sorted(paths)}

    # Record pages ----------------------------------------------------------------------------

    def question_page(self, qid: str) -> str:
        """Render a question's page."""
        summary = self.question_summary(qid)
        positions = []
        for side in summary["sides"]:
            items = []
            for cid in sorted(side["claims"], key=lambda c: (-self.standings.strength(c), c)):
                supporters, attackers = self._links(cid)
                sup = sorted(supporters, key=self._link_rank)
                att = sorted(attackers, key=self._link_rank)
                items.append(
                    View(
                        **self.claim_row(cid),
                        best_support=self._link_view(sup[0]) if sup else None,
                        best_rebuttal=self._link_view(att[0]) if att else None,
                        n_support=len(sup),
                        n_attack=len(att),
                    )
                )
            positions.append(View(**side, entries=items))
        svg = qmaps.question_map(self.kb, self.graph, qid, self.standings)
        analysis = summary["analysis"]
        cruxes = []
        if analysis:
            cruxes = [
                View(
                    **self.claim_row(c),
                    score=score,
                    crux_labels=self.standings.of(c).crux_labels,
                )
                for c, score in analysis["cruxes"][:5]
                if c in self.kb.claims
            ]
        from kb.analysis.reader import where_it_stands

        return self.render(
            "question.html",
            Paths.question(qid),
            title=summary["title"],
            analysis=analysis,
            cruxes=cruxes,
            q=summary,
            authored=markdown(self.kb.questions[qid].summary),
            stands=where_it_stands(self, qid, summary["sides"]),
            positions=positions,
            svg=svg,
            badge_html=self.badge,
            map_legend=qmaps.legend(answers=True),
        )

    def _link_rank(self, link: Any) -> tuple[float, str]:
        if link.other in self.kb.claims:
            return (-self.standings.strength(link.other), link.other)
        return (-0.5, link.other)

    def _link_view(self, link: Any) -> View:
        if link.other in self.kb.evidence:
            ev = self.kb.evidence[link.other]
            return View(
                text=ev.summary or ev.quote,
                href=Paths.source(ev.source) if ev.source in self.kb.sources else None,
                kind="evidence",
                type=link.type,
                source=self.source_label(ev.source),
            )
        return View(
            text=self.claim_text(link.other),
            href=Paths.claim(link.other) if link.other in self.kb.claims else None,
            kind="claim",
            type=link.type,
            source=None,
        )

    def claim_page(self, cid: str) -> str:
        """Render a claim's page."""
        kb = self.kb
        claim: Claim = kb.claims[cid]
        stances = [self.stance_view(s) for s in self.graph.stances_on(cid)]
        proponents = [s for s in stances if s["position"] == "asserts"]
        qualifiers = [s for s in stances if s["position"] == "qualifies"]
        skeptics = [s for s in stances if s["position"] == "denies"]
        undercuts = []
        for link in self.graph.undercuts_into(cid):
            rel = link.record
            assert isinstance(rel, Relation)
            target = kb.relations.get(rel.to) or kb.evidence.get(rel.to)
            undercuts.append(
                {
                    "from": link.other,
                    "text": self.claim_text(link.other),
                    "href": Paths.claim(link.other) if link.other in kb.claims else None,
                    "target": self._support_text(target),
                    "rationale": rel.rationale,
                    "quote": rel.quote,
                    "source": rel.source,
                    "source_label": self.source_label(rel.source),
                }
            )
        own_undercuts = [
            {
                "target": self._support_text(
                    kb.relations.get(link.other) or kb.evidence.get(link.other)
                ),
                "rationale": link.record.rationale if isinstance(link.record, Relation) else None,
            }
            for link in self.graph.outgoing(cid, "undercuts")
        ]

        def related(kind: str) -> list[dict[str, Any]]:
            out = []
            for link in [*self.graph.outgoing(cid, kind), *self.graph.incoming(cid, kind)]:
                if link.other in kb.claims and link.other != cid:
                    out.append(
                        {**self.claim_row(link.other), "direction": link.record.from_ == cid}
                    )
            seen: set[str] = set()
            return [r for r in out if not (r["id"] in seen or seen.add(r["id"]))]

        negation = claim.negation if claim.negation in kb.claims else None
        added, changed = self.dates.get(cid, ("", ""))
        permalink = self.base_url + Paths.claim(cid) if self.base_url else None
        quoted_by = sorted(
            {self.kb.actors[s["actor"]].name for s in proponents if s["actor"] in self.kb.actors}
        )
        tree = self.tree(cid)
        from kb.analysis.reader import claim_argues, pro_con

        pro, con = pro_con(self, tree)
        return self.render(
            "claim.html",
            Paths.claim(cid),
            title=truncate(claim.text, 70),
            claim=claim,
            row=self.claim_row(cid),
            standing=self.standings.of(cid),
            why=self.statements(self.standings.of(cid).why, "../"),
            why_strength=self.statements(self.standings.of(cid).why_strength, "../"),
            analysis=self.standings.available,
            proponents=proponents,
            qualifiers=qualifiers,
            skeptics=skeptics,
            tree=tree,
            pro=pro,
            con=con,
            pro_html=self.tree_html(pro, "../"),
            con_html=self.tree_html(con, "../"),
            argues=claim_argues(self, cid),
            undercuts=undercuts,
            own_undercuts=own_undercuts,
            refines=related("refines"),
            equivalents=related("equivalent"),
            negation=self.claim_row(negation) if negation else None,
            questions=[
                {"id": q, "title": kb.questions[q].title, "side": side, "href": Paths.question(q)}
                for q, side in self.claim_sides.get(cid, [])
            ],
            added=added,
            changed=changed,
            permalink=permalink,
            cite=self._cite_line(claim, quoted_by),
            svg=maps.claim_map(kb, self.graph, cid, self.standings),
            jsonld=self._jsonld(cid, permalink),
            filters={
                "kind": claim.kind.value,
                "tags": claim.tags,
                "sides": sorted({s for _, s in self.claim_sides.get(cid, [])}),
            },
        )

    def _jsonld(self, cid: str, url: str | None) -> Markup:
        """Return the claim's schema.org JSON-LD from the exporters, as a data script."""
        from kb.formats.export import claim_jsonld, jsonld_script

        stances = self.graph.stances_on(cid)  # not a scan of every stance, per claim
        return Markup(jsonld_script(claim_jsonld(self.kb, cid, url=url, stances=stances)))

    def _cite_line(self, claim: Claim, names: list[str]) -> str:
        url = self.base_url + Paths.claim(claim.id) if self.base_url else Paths.claim(claim.id)
        who = f" Held by {', '.join(names)}." if names else ""
        return f"“{claim.text}” In {self.kb.config.title}.{who} {url}"

    def _support_text(self, target: Relation | Evidence | None) -> str:
        if isinstance(target, Relation):
            return f"“{self.claim_text(target.from_)}” supports “{self.claim_text(target.to)}”"
        if isinstance(target, Evidence):
            source = self.source_label(target.source)
            return f"the evidence from {source} for “{self.claim_text(target.claim)}”"
        return "a support"

    def source_page(self, sid: str) -> str:
        """Render a source's page."""
        kb = self.kb
        src = kb.sources[sid]
        quotes = []
        for rec in sorted(
            self.quoting.get(sid, []),
            key=lambda r: (r.locator or "", r.id),
        ):
            if isinstance(rec, Stance):
                what = f"{self._actor_name(rec.actor)} {POSITION_VERB[rec.position.value]}"
                claim = rec.claim
            elif isinstance(rec, Evidence):
                what = (
                    f"Evidence that {'supports' if rec.direction.value == 'supports' else 'rebuts'}"
                )
                claim = rec.claim
            else:
                what = f"Argument that {rec.type.value}"
                claim = rec.from_ if rec.type.value == "undercuts" else rec.to
            quotes.append(
                {
                    "id": rec.id,
                    "quote": rec.quote,
                    "locator": rec.locator,
                    "what": what,
                    "claim": claim,
                    "claim_text": self.claim_text(claim),
                    "href": Paths.claim(claim) if claim in kb.claims else None,
                }
            )
        authors = [
            {"id": a, "name": kb.actors[a].name, "href": Paths.actor(a)}
            for a in src.authors
            if a in kb.actors
        ]
        return self.render(
            "source.html",
            Paths.source(sid),
            title=src.title,
            src=src,
            authors=authors,
            citation=self.citation(src),
            link=self._source_link(sid),
            doi=doi_url(src.doi),
            arxiv=f"https://arxiv.org/abs/{src.arxiv}" if src.arxiv else None,
            archived=safe_url(src.archived_url),
            quotes=quotes,
            claims=[self.claim_row(c) for c in self.graph.claims_citing(sid)],
            cites=[self._source_row(s) for s in self.graph.cites(sid)],
            cited_by=[self._source_row(s) for s in self.graph.cited_by(sid)],
            cited_via=self._source_row(src.cited_via) if src.cited_via in kb.sources else None,
            badge_html=self.badge,
        )

    def _actor_name(self, aid: str) -> str:
        actor = self.kb.actors.get(aid)
        return actor.name if actor else aid

    def _source_row(self, sid: str | None) -> dict[str, Any]:
        src = self.kb.sources[sid or ""]
        return {
            "id": src.id,
            "title": src.title,
            "label": self.source_label(src.id),
            "href": Paths.source(src.id),
        }

    def agreements(self, aid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return the actors an actor agrees and disagrees with most, by shared stances."""
        mine = {s.claim: s.position.value for s in self.graph.stances_by(aid)}
        agree: Counter[str] = Counter()
        disagree: Counter[str] = Counter()
        for cid, pos in mine.items():
            for s in self.graph.stances_on(cid):
                if s.actor == aid or s.actor not in self.kb.actors:
                    continue
                other = s.position.value
                if other == pos:
                    agree[s.actor] += 1
                elif {other, pos} == {"asserts", "denies"}:
                    disagree[s.actor] += 1

        def top(counter: Counter[str]) -> list[dict[str, Any]]:
            ranked = sorted(counter, key=lambda a: (-counter[a], a))[:5]
            return [
                {"id": a, "name": self._actor_name(a), "href": Paths.actor(a), "n": counter[a]}
                for a in ranked
            ]

        return top(agree), top(disagree)

    def actor_page(self, aid: str) -> str:
        """Render an actor's page."""
        actor = self.kb.actors[aid]
        agree, disagree = self.agreements(aid)
        stances = [
            self.stance_view(s)
            for s in sorted(
                self.graph.stances_by(aid), key=lambda s: (s.position.value, s.claim, s.id)
            )
        ]
        return self.render(
            "actor.html",
            Paths.actor(aid),
            title=actor.name,
            actor=actor,
            homepage=safe_url(actor.homepage),
            stances=stances,
            agree=agree,
            disagree=disagree,
            exchanges=[
                {"name": self._actor_name(b), "href": Paths.exchange(aid, b)}
                for b in sorted(self.exchanges.get(aid, []), key=lambda b: (self._actor_name(b), b))
            ],
            sources=[self._source_row(s) for s in self.authored.get(aid, [])],
        )

    def exchange_page(self, a: str, b: str) -> str:
        """Render the page of two actors' exchanges, as threads."""
        from kb.analysis.reader import exchange

        data = exchange(self, a, b)
        title = f"{data['a']['name']} and {data['b']['name']}: their exchanges"
        return self.render("exchange.html", Paths.exchange(a, b), title=title, **data)

    def tag_page(self, tag: str) -> str:
        """Render a tag's page."""
        return self.render(
            "tag.html",
            Paths.tag(tag),
            title=f"Tag: {tag}",
            tag=tag,
            claims=[self.claim_row(c) for c in self.tags.get(tag, [])],
            questions=[
                {"href": Paths.question(q), "title": self.kb.questions[q].title}
                for q in self.question_tags.get(tag, [])
            ],
        )


@functools.lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    """Return text HTML-escaped; a claim's statement and links recur in many trees."""
    return str(escape(text))


_ID_TOKEN = re.compile(r"(?<![\w/-])[a-z0-9]+(?:-{1,2}[a-z0-9]+)+(?![\w/-])")


RESOLVED_WORDS = {"true": "yes", "false": "no", "ambiguous": "unclear"}


def forecast_status(forecast: Any, group: str) -> str:
    """Return what a forecast's timeline entry says of it: due when, overdue, or how resolved."""
    if group == "resolved":
        return "resolved: " + RESOLVED_WORDS.get(forecast.resolution.value, "unclear")
    if group == "overdue":
        return "overdue, unresolved"
    return "due " + forecast.resolves


def _most_opposed(
    positions: dict[str, dict[str, str]], names: dict[str, str]
) -> tuple[str, str] | None:
    """Return the two actors (in name order) opposed on the most claims, one asserting what
    the other denies; ties go to the pair with more claims in common to compare, then to the
    first names; None when no two actors disagree."""
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


def _by_text(kb: KnowledgeBase, cid: str) -> tuple[str, str]:
    """Return the key that sorts claims by statement."""
    return (kb.claims[cid].text.lower(), cid)


def _atom_date(date: str) -> str:
    """Return an RFC 3339 timestamp for a partial date."""
    parts = (date or "1970").split("-") + ["01", "01"]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def _json_script(data: Any) -> Markup:
    """Return JSON safe to place inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


__all__ = ["Page", "Paths", "Site", "make_env", "markdown", "safe_url", "theme_dir", "escape"]
