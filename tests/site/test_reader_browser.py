"""The bundled site as a reader meets it: no record ID or curator word in any page's visible text,
questions in the written order, Where it stands on every question page, and axe in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import axe_violations

from kb.model.kb import KnowledgeBase
from kb.site.paths import Paths

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TABLES = ("questions", "claims", "sources", "actors", "stances", "evidence", "relations")
INVISIBLE = {"script", "style", "template", "title", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
PUNCTUATION = "()[]{}.,;:!?'\"“”‘’«»…—–*"


class Visible(HTMLParser):
    """Collects a page's visible text (no scripts, styles, titles or hidden elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: whether it hides its content
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        hidden = tag in INVISIBLE or any(name == "hidden" for name, _ in attrs)
        self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.text.append(data)


def visible_text(html: str) -> str:
    """Return the text a reader sees on a page."""
    parser = Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())


def pages(site: Path) -> list[Path]:
    """Return every HTML page of the site, the search index's files aside."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def test_no_page_shows_a_record_id_or_the_word_seed(real_site: Path, kb: KnowledgeBase) -> None:
    ids = {rid for name in TABLES for rid in getattr(kb, name)}
    assert len(ids) > 500
    found: list[str] = []
    for path in pages(real_site):
        text = visible_text(path.read_text(encoding="utf-8"))
        for token in text.split():
            word = token.strip(PUNCTUATION)
            # An address (claim/x.html, https://...) may carry an ID; words may not be one.
            if "/" not in word and word in ids:
                found.append(f"{path.relative_to(real_site)}: {word}")
        if re.search(r"\bseeds?\b", text, re.IGNORECASE):
            found.append(f"{path.relative_to(real_site)}: seed")
    assert found == [], found[:20]


def test_home_lists_the_questions_in_written_order(real_site: Path, kb: KnowledgeBase) -> None:
    html = (real_site / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<h3><a href="question/([^"]+)\.html">', html)
    assert listed == list(kb.questions)
    assert len(listed) == len(set(listed)) == len(kb.questions)
    # The YAML file itself, read independently of the loader.
    written = re.findall(r"^  - id: (\S+)", (REPO / "claims" / "questions.yaml").read_text(), re.M)
    assert listed == written


def test_every_question_page_says_where_it_stands_with_links_that_resolve(
    real_site: Path, kb: KnowledgeBase
) -> None:
    for qid in kb.questions:
        path = Paths.question(qid)
        html = (real_site / path).read_text(encoding="utf-8")
        start = html.index('<div class="stands-prose"')
        block = html[start : html.index("</section>", start)]
        paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", block, re.S)
        assert len(paragraphs) >= 3, qid
        hrefs = re.findall(r'href="([^"]+)"', block)
        assert any("claim/" in h for h in hrefs), qid
        for href in hrefs:
            target, _, fragment = href.partition("#")
            file = real_site / PurePosixPath(path).parent / target if target else real_site / path
            assert file.resolve().is_file(), (qid, href)
            if fragment:
                assert f'id="{fragment}"' in file.read_text(encoding="utf-8"), (qid, href)


def _reader_pages(real_site: Path, kb: KnowledgeBase) -> dict[str, str]:
    """Return one page of each reader page type: the first question, a claim, an exchange."""
    exchanges = sorted(p.relative_to(real_site).as_posix() for p in real_site.glob("exchange/*"))
    assert exchanges
    claim = next(c for c in kb.claims if (real_site / Paths.claim(c)).is_file())
    return {
        "home": "index.html",
        "question": Paths.question(next(iter(kb.questions))),
        "claim": Paths.claim(claim),
        "exchange": exchanges[0],
        "how-to-read": "how-to-read.html",
    }


def test_axe_finds_no_violation_on_the_reader_pages(
    browser: Any, site_url: str, real_site: Path, kb: KnowledgeBase
) -> None:
    axe = Axe()
    found: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        pg = context.new_page()
        for name, path in _reader_pages(real_site, kb).items():
            pg.goto(site_url + path)
            for v in axe_violations(axe, pg):
                targets = [n["target"] for n in v["nodes"][:3]]
                found.append(f"{name}/{scheme}: {v['id']} ({v['impact']}) {targets}")
        context.close()
    assert found == [], found


def test_reader_pages_fit_a_phone(
    browser: Any, site_url: str, real_site: Path, kb: KnowledgeBase
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    pg = context.new_page()
    wide = []
    for name, path in _reader_pages(real_site, kb).items():
        pg.goto(site_url + path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((name, width))
    context.close()
    assert wide == []
