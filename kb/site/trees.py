"""A claim's collapsible tree of arguments for and against it, and the badges of standings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from kb.load.files import theme_dir
from kb.site.lookups import Lookups
from kb.site.memo import BuildMemo
from kb.site.paths import Paths
from kb.site.settings import TREE_DEPTH
from kb.site.standing import Standing

Argument = tuple[str, str, str, list[tuple[str, str]]]


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


class Escaped:
    """Texts HTML-escaped once per build: a claim's statement and links recur in many trees."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done: dict[str, str] = {}

    def __repr__(self) -> str:
        # The build's fingerprint of global state includes the site's attributes' reprs.
        return "Escaped()"

    def __call__(self, text: str) -> str:
        """Return text HTML-escaped."""
        found = self._done.get(text)
        if found is None:
            found = self._done[text] = str(escape(text))
        return found


class Trees(Lookups):
    """The part of a Site that draws claim trees and standing badges."""

    memo: BuildMemo
    escaped: Escaped

    def _links(self, cid: str) -> tuple[list[Any], list[Any]]:
        """Return a claim's supporters and attackers (graph links), looked up once per build."""
        found: tuple[list[Any], list[Any]] = self.memo.get(
            ("links", cid), lambda: (self.graph.supporters(cid), self.graph.attackers(cid))
        )
        return found

    def _arguments(self, cid: str) -> list[Argument]:
        """Return a claim's supporters then attackers (other end, type, link ID), with undercuts."""
        # Each with the claims that undercut the link (claim, relation ID); looked up once per
        # build.

        def compute() -> list[Argument]:
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

        found: list[Argument] = self.memo.get(("arguments", cid), compute)
        return found

    def tree(
        self, cid: str, depth: int = TREE_DEPTH, seen: frozenset[str] = frozenset()
    ) -> list[TreeNode]:
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

        found: tuple[Any, bool] = self.memo.get("macros", compute)
        return found

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
        found: Markup = self.memo.get(key, lambda: module.badge(standing, root))
        return found

    def side_tag(self, side: str) -> Markup:
        """Return the side_tag macro's HTML for a side, rendered once per build for each."""
        module = self._macros()[0]
        found: Markup = self.memo.get(("side_tag", side), lambda: module.side_tag(side))
        return found

    def strength_line(self, standing: Standing, root: str) -> Markup:
        """Return the strength_line macro's HTML for a standing, rendered once per build."""
        module, bundled = self._macros()
        # The bundled macro shows the strength alone: standings that share it share the line.
        key = ("strength_line", standing.strength if bundled else standing, root)
        found: Markup = self.memo.get(key, lambda: module.strength_line(standing, root))
        return found

    def tags_html(self, tags: list[str], root: str) -> Markup:
        """Return the tags macro's HTML for a list of tags, rendered once per build for each."""
        module = self._macros()[0]
        key = ("tags", tuple(tags), root)
        found: Markup = self.memo.get(key, lambda: module.tags(tags, root))
        return found

    def tree_html(self, nodes: list[TreeNode], root: str) -> Markup | None:
        """Return the tree macro's HTML for these nodes, without Jinja's per-call cost."""
        # None when a KB overrides macros.html, whose tree the template then calls.
        if not self._macros()[1]:
            return None
        out: list[str] = []
        self._tree_into(out, nodes, root, 1)
        return Markup("".join(out))

    def _tree_into(self, out: list[str], nodes: list[TreeNode], root: str, level: int) -> None:
        """Append what the bundled tree macro writes (kept in step by tests/site/test_render.py)."""
        esc = self.escaped
        raw, root = root, esc(root)
        out.append(f'<ul class="tree level-{level}">\n')
        for n in nodes:
            self._leaf_into(out, n, raw, root)
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

    def _leaf_into(self, out: list[str], n: TreeNode, raw: str, root: str) -> None:
        """Append the opening of a tree node's item: its link type, text, badge and source."""
        esc = self.escaped
        link = esc(n.link)
        out.append(
            f'<li class="tree-node via-{link} {esc(n.kind)}"><div class="leaf">'
            f'<span class="link-type link-{link}">{link}</span>'
        )
        if n.kind == "evidence":
            out.append(' <span class="ev-tag">evidence</span>')
        text = esc(n.text)
        if n.href:
            out.append(f' <a href="{root}{esc(n.href)}">{text}</a>')
        else:
            out.append(f" {text}")
        if n.standing:
            out.append(f" {self.badge(n.standing, raw)}")
        if n.source:
            out.append(f' <span class="muted">— {esc(n.source)}</span>')
        if n.more and n.href:
            plural = "s" if n.more != 1 else ""
            out.append(
                f' <a class="tree-more" href="{root}{esc(n.href)}#tree-h">'
                f"{n.more} argument{plural} on its page</a>"
            )
        out.append("</div>\n")
