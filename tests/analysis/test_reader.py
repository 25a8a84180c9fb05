"""What a reader understands: standing words, equivalent claims, Where it stands, home order,
claim pages in statements, exchanges, source labels, on small hand-built knowledge bases."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from kb.analysis import analyse
from kb.build import make_site
from kb.check.entry import load_kb
from kb.cli.reports import explain_report
from kb.site.paths import Paths

FILES = {
    # Written with the second question first: the home page must keep this order, not sort it.
    "questions.yaml": """
        questions:
          - id: q-zeta
            title: Will scaling keep working?
            summary: Mostly **argued**, little settled. <script>alert(1)</script>
          - id: q-alpha
            title: Is compute plentiful?
        """,
    "claims.yaml": """
        claims:
          - id: scaling-works
            text: Scaling keeps lowering loss.
            answers: {question: q-zeta, side: pro}
            supported_by: [curves-straight]
          - id: curves-straight
            text: Loss curves stay straight on log plots.
          - id: curves-bend
            text: The curves are bending.
            rebuts: [scaling-works]
            answers: {question: q-zeta, side: con}
          - id: nobody-objects
            text: Nobody in this map objects to this.
            answers: {question: q-zeta, side: mixed}
          - id: compute-plentiful
            text: Compute is plentiful.
            answers: {question: q-alpha, side: pro}
          - id: compute-ample
            text: There is ample compute.
            equivalent: [compute-plentiful]
          - id: compute-scarce
            text: Compute is scarce.
            rebuts: [compute-plentiful]
            answers: {question: q-alpha, side: con}
          - id: data-runs-out
            text: Data will run out.
          - id: data-is-finite
            text: The stock of text is finite.
            rebuts: [data-runs-out]
          - id: synthetic-data-works
            text: Synthetic data replaces human text.
            rebuts: [data-is-finite]
        """,
    "sources.yaml": """
        sources:
          - id: paper-one
            kind: paper
            title: On scaling
            authors: [ann-author, bob-sceptic, cai-third]
            date: 2024-01-15
            url: https://example.org/paper
          - id: paper-two
            kind: paper
            title: Two of us
            authors: [ann-author, bob-sceptic]
            date: 2023
          - id: group-paper
            kind: paper
            title: By a group
            authors: [villalobos-et-al]
            date: 2022
          - id: news-item
            kind: web-page
            title: A news item without a byline
            publisher: The Daily Example
            date: 2021
        actors:
          - id: ann-author
            name: Ann Author
          - id: bob-sceptic
            name: Bob Sceptic
          - id: cai-third
            name: Cai Third Jr.
          - id: villalobos-et-al
            name: Villalobos et al.
            kind: group
        """,
    "grounds.yaml": """
        stances:
          - actor: ann-author
            claim: scaling-works
            source: paper-one
            quote: Scaling keeps lowering loss, we find.
            locator: Abstract
          - actor: bob-sceptic
            claim: curves-bend
            source: paper-two
            quote: The curves are bending, we think.
            locator: Section 2
          - actor: ann-author
            claim: nobody-objects
            source: paper-one
            quote: Nobody objects.
            locator: Section 3
          - actor: bob-sceptic
            claim: nobody-objects
            position: denies
            source: paper-two
            quote: I object after all.
            locator: Section 4
        evidence:
          - claim: curves-straight
            kind: measurement
            source: paper-one
            quote: Loss falls as a power law.
            locator: Figure 1
        """,
}


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write a knowledge base's files into a folder; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kb.yaml").write_text("title: Reader test\n", encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Any:
    """Return the site of the small KB, without git dates."""
    return make_site(load_kb(write(tmp_path / "kb", FILES)), use_git=False)


@pytest.fixture
def pages(site: Any) -> dict[str, str]:
    """Return every rendered page by path."""
    return {p.path: p.render() for p in site.pages()}


class Links(HTMLParser):
    """Collects the links and visible text inside the element with a given id or class."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker, self.depth, self.hrefs, self.text = marker, 0, [], []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.depth:
            self.depth += tag not in ("br", "img", "input", "meta", "link")
        elif a.get("id") == self.marker or self.marker in (a.get("class") or "").split():
            self.depth = 1
        if self.depth and tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def inside(html: str, marker: str) -> tuple[list[str], str]:
    """Return the links and the text of the element marked by an id or class."""
    parser = Links(marker)
    parser.feed(html)
    return parser.hrefs, " ".join("".join(parser.text).split())


def resolve(page: str, href: str) -> str:
    """Return the site path a relative link from a page points to (without its fragment)."""
    target = href.split("#")[0]
    if not target:  # a fragment of the page itself
        return page
    parts: list[str] = list(PurePosixPath(page).parent.parts)
    for part in PurePosixPath(target).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


# Standing words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cid", "word"),
    [
        ("nobody-objects", "unchallenged here"),  # nothing attacks it
        ("data-runs-out", "holds"),  # attacked; the attack is itself defeated
        ("scaling-works", "contested"),  # a bare rebuttal against a supported claim: stand-off
        ("compute-plentiful", "refuted here"),  # an unanswered rebuttal
    ],
)
def test_each_claim_shows_the_word_for_its_standing(
    pages: dict[str, str], cid: str, word: str
) -> None:
    html = pages[Paths.claim(cid)]
    block = html[html.index('class="standing card') :]
    badge = re.search(r'class="badge[^"]*"[^>]*><span[^>]*>[^<]*</span>\s*([^<]+)<', block)
    assert badge is not None and badge.group(1).strip() == word


def test_every_badge_links_to_how_to_read(pages: dict[str, str]) -> None:
    page = pages[Paths.claim("compute-plentiful")]
    badges = re.findall(r'<a class="badge[^"]*" href="([^"]+)"', page)
    assert badges and all(
        h == "../how-to-read.html#v-refuted" or "how-to-read.html#v-" in h for h in badges
    )
    guide = pages["how-to-read.html"]
    for verdict in ("unchallenged", "holds", "contested", "unsettled", "refuted"):
        assert f'id="v-{verdict}"' in guide


def test_no_accepted_or_rejected_reach_the_reader(pages: dict[str, str]) -> None:
    for path, html in pages.items():
        # How to read this map names the technical terms once, for readers who know them.
        if path.endswith(".html") and path != "how-to-read.html":
            _, text = inside(html, "main")
            assert not re.search(r"\b(accepted|rejected|defensible)\b", text), path


# Equivalent claims -----------------------------------------------------------------------------


def test_equivalent_claims_share_one_standing(tmp_path: Path) -> None:
    kb = load_kb(write(tmp_path / "kb", FILES))
    an = analyse(kb)
    plentiful, ample = an.claims["compute-plentiful"], an.claims["compute-ample"]
    # Only compute-plentiful is attacked; its equivalent shares the defeat, strength and crux.
    assert plentiful.label == ample.label == "rejected"
    assert plentiful.strength == pytest.approx(ample.strength) == pytest.approx(0.25)
    assert plentiful.crux == ample.crux
    assert "marked equivalent to compute-plentiful" in ample.explanation


def test_an_attack_on_either_equivalent_reaches_both(tmp_path: Path) -> None:
    files = dict(FILES)
    files["claims.yaml"] = FILES["claims.yaml"].replace(
        "rebuts: [compute-plentiful]", "rebuts: [compute-ample]"
    )
    an = analyse(load_kb(write(tmp_path / "kb", files)))
    assert an.claims["compute-plentiful"].label == an.claims["compute-ample"].label == "rejected"


def test_without_the_equivalence_the_unattacked_claim_stands(tmp_path: Path) -> None:
    files = dict(FILES)
    files["claims.yaml"] = FILES["claims.yaml"].replace(
        "            equivalent: [compute-plentiful]\n", ""
    )
    an = analyse(load_kb(write(tmp_path / "kb", files)))
    assert an.claims["compute-ample"].label == "accepted"
    assert an.claims["compute-plentiful"].label == "rejected"


# Where it stands -------------------------------------------------------------------------------


def test_where_it_stands_names_the_actors_and_its_links_resolve(pages: dict[str, str]) -> None:
    path = Paths.question("q-zeta")
    hrefs, text = inside(pages[path], "stands-prose")
    assert "Author" in text and "Sceptic" in text
    assert "Ann Author" not in text  # prose names a person by family name
    assert "“Scaling keeps lowering loss.”" in text and "“The curves are bending.”" in text
    assert (
        "Author argues “Scaling keeps lowering loss.”; Sceptic replies “The curves are bending.”"
        in text
    )
    assert hrefs
    for href in hrefs:
        assert resolve(path, href) in pages, href
        if href.startswith("#"):
            assert f'id="{href[1:]}"' in pages[path]
    assert f"../{Paths.claim('scaling-works')}" in hrefs
    assert "../actor/bob-sceptic.html" in hrefs


def test_each_sentence_of_where_it_stands_links_to_what_it_cites(pages: dict[str, str]) -> None:
    html = pages[Paths.question("q-zeta")]
    block = html[html.index('class="stands-prose"') : html.index('class="muted stands-how"')]
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", block, re.S)
    assert len(paragraphs) >= 3
    for p in paragraphs:
        assert "<a href=" in p, p


def test_an_authored_summary_comes_first_rendered_safely(pages: dict[str, str]) -> None:
    html = pages[Paths.question("q-zeta")]
    assert "<strong>argued</strong>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.index('class="authored"') < html.index('class="stands-prose"')


def test_balance_is_said_in_words_with_the_number_linked(pages: dict[str, str]) -> None:
    _, text = inside(pages[Paths.question("q-alpha")], "stands-prose")
    # Compute is plentiful (refuted: 0.5 - 0.5 x 0.5 = 0.25) against compute is scarce
    # (unchallenged, its base 0.5): 0.25 - 0.5.
    assert "leans clearly no" in text
    assert "balance -0.25" in text
    assert (
        '<a class="score" href="../how-to-read.html#balance">' in pages[Paths.question("q-alpha")]
    )


# Home page -------------------------------------------------------------------------------------


def test_home_lists_questions_once_in_written_order(pages: dict[str, str]) -> None:
    hrefs, _ = inside(pages["index.html"], "question-list")
    questions = [h for h in hrefs if h.startswith("question/") and "#" not in h]
    assert questions == ["question/q-zeta.html", "question/q-alpha.html"]
    assert pages["index.html"].count('href="question/q-zeta.html"') == 1


def test_home_bars_are_weighted_by_strength(site: Any) -> None:
    summary = site.question_summary("q-alpha")
    widths = {s["side"]: s["width"] for s in summary["sides"]}
    # One claim a side, but strengths 0.25 (yes) and 0.5 (no): a third and two thirds.
    assert widths == {"pro": 33.33, "con": 66.67, "mixed": 0.0}


# Claim pages -----------------------------------------------------------------------------------


def test_a_claim_page_says_what_it_argues_against(pages: dict[str, str]) -> None:
    hrefs, text = inside(pages[Paths.claim("curves-bend")], "argues")
    assert "It argues against “Scaling keeps lowering loss.”" in text
    assert "It answers Will scaling keep working? with no." in text
    assert "../claim/scaling-works.html" in hrefs


def test_pro_and_con_columns_list_supporters_and_attackers(pages: dict[str, str]) -> None:
    html = pages[Paths.claim("scaling-works")]
    _, pro = inside(html, "pro-col")
    _, con = inside(html, "con-col")
    assert "Loss curves stay straight on log plots." in pro and "The curves are bending." not in pro
    assert "The curves are bending." in con and "Loss curves stay straight" not in con


def test_the_standing_is_explained_in_statements_not_ids(pages: dict[str, str]) -> None:
    _, text = inside(pages[Paths.claim("compute-plentiful")], "standing")
    assert "“Compute is scarce.”" in text
    assert "compute-scarce" not in text and "compute-ample" not in text
    assert "“There is ample compute.”" in text


def test_kb_explain_keeps_ids_and_the_label(tmp_path: Path) -> None:
    report = explain_report(write(tmp_path / "kb", FILES), "compute-plentiful")
    assert report.startswith("compute-plentiful: rejected")
    assert "attacked by compute-scarce, which nothing attacks" in report


def test_who_holds_and_who_denies_with_quotes(pages: dict[str, str]) -> None:
    html = pages[Paths.claim("nobody-objects")]
    assert "Nobody objects." in html and "I object after all." in html
    assert "Who holds it" in html and "Who denies it" in html


# Exchanges -------------------------------------------------------------------------------------


def test_exchange_page_threads_the_two_actors_and_both_link_to_it(pages: dict[str, str]) -> None:
    path = Paths.exchange("bob-sceptic", "ann-author")
    assert (
        path
        == Paths.exchange("ann-author", "bob-sceptic")
        == "exchange/ann-author--bob-sceptic.html"
    )
    html = pages[path]
    _, text = inside(html, "main")
    assert "Ann Author says: “Scaling keeps lowering loss.”" in text
    assert "Bob Sceptic replies: “The curves are bending.”" in text
    assert (
        "Scaling keeps lowering loss, we find." in text
        and "The curves are bending, we think." in text
    )
    assert "Bob Sceptic denies it" in text and "I object after all." in text
    for actor in ("ann-author", "bob-sceptic"):
        assert f'href="../{path}"' in pages[Paths.actor(actor)]
    assert not any(p.startswith("exchange/") and "cai-third" in p for p in pages)


def test_exchange_paths_refuse_unsafe_ids() -> None:
    with pytest.raises(ValueError):
        Paths.exchange("../x", "y")


# Source labels ---------------------------------------------------------------------------------


def test_source_labels_use_family_names_et_al_or_the_publisher(site: Any) -> None:
    assert site.source_label("paper-one") == "Author et al. (2024)"
    assert site.source_label("paper-two") == "Author and Sceptic (2023)"
    assert site.source_label("group-paper") == "Villalobos et al. (2022)"
    assert site.source_label("news-item") == "The Daily Example (2021)"


# How to read this map ----------------------------------------------------------------------------


def test_how_to_read_works_an_example_from_the_map(pages: dict[str, str]) -> None:
    _, text = inside(pages["how-to-read.html"], "main")
    # The one claim with reasons on both sides is the worked example.
    assert "Take the claim “Scaling keeps lowering loss.”" in text
    assert "Loss curves stay straight on log plots." in text and "The curves are bending." in text
    assert "Will scaling keep working?" in text  # the first question's balance, as an example


# Incremental rebuilds ----------------------------------------------------------------------------


def test_rebuilds_follow_a_reordering_and_a_new_disagreement(tmp_path: Path) -> None:
    from kb.build import build
    from kb.build.incremental import IncrementalBuilder

    folder = write(tmp_path / "kb", FILES)
    inc = IncrementalBuilder(folder, tmp_path / "inc", search=False, use_git=False)
    inc.build()
    questions = (folder / "questions.yaml").read_text(encoding="utf-8")
    zeta, alpha = questions.split("  - id: q-alpha")
    (folder / "questions.yaml").write_text(
        "questions:\n  - id: q-alpha" + alpha + zeta.replace("questions:\n", ""), encoding="utf-8"
    )
    grounds = (folder / "grounds.yaml").read_text(encoding="utf-8")
    extra = (
        "  - actor: cai-third\n    claim: compute-scarce\n    source: paper-one\n"
        "    quote: Compute is scarce, says Cai.\n    locator: Section 5\n"
        "  - actor: ann-author\n    claim: compute-plentiful\n    source: paper-one\n"
        "    quote: Compute is plentiful, says Ann.\n    locator: Section 6\n"
    )
    assert "\nevidence:" in grounds
    (folder / "grounds.yaml").write_text(grounds.replace("\nevidence:", "\n" + extra + "evidence:"))
    report = inc.build()
    assert not report.full
    build(folder, tmp_path / "fresh", search=False)
    index = (tmp_path / "inc" / "index.html").read_text(encoding="utf-8")
    assert index.index("question/q-alpha.html") < index.index("question/q-zeta.html")
    # Cai now asserts what rebuts a claim Ann asserts: a new exchange, linked from both; the
    # pages equal a fresh build's.
    new = Paths.exchange("ann-author", "cai-third")
    pages = ("index.html", "how-to-read.html", Paths.actor("cai-third"), Paths.actor("ann-author"))
    for page in (*pages, Paths.question("q-alpha"), new):
        fresh = (tmp_path / "fresh" / page).read_text(encoding="utf-8")
        assert (tmp_path / "inc" / page).read_text(encoding="utf-8") == fresh, page
    assert f'href="../{new}"' in (tmp_path / "inc" / Paths.actor("cai-third")).read_text("utf-8")
    made = {p.name for p in (tmp_path / "inc" / "exchange").iterdir()}
    assert made == {p.name for p in (tmp_path / "fresh" / "exchange").iterdir()}


def test_co_authors_are_named_side_by_side(tmp_path: Path) -> None:
    # Amy and Zed hold the same two claims, Mia holds one of them and another: all hold two, so
    # by name alone Mia would come between the co-authors.
    from kb.analysis.reader import where_it_stands

    folder = tmp_path / "claims"
    folder.mkdir()
    stance = "  - {{actor: {a}, claim: {c}, source: s, quote: q, locator: p}}\n"
    stances = "".join(
        stance.format(a=a, c=c)
        for a, c in [("amy", "c1"), ("amy", "c2"), ("zed", "c1"), ("zed", "c2")]
        + [("mia", "c1"), ("mia", "c3")]
    )
    (folder / "kb.yaml").write_text("title: t\n")
    (folder / "all.yaml").write_text(
        "questions:\n  - {id: q, title: Q?}\n"
        "claims:\n"
        + "".join(
            f"  - {{id: {c}, text: {c}., answers: {{question: q, side: pro}}}}\n"
            for c in ("c1", "c2", "c3")
        )
        + "sources:\n  - {id: s, kind: paper, title: S}\n"
        "actors:\n  - {id: amy, name: Amy Zulu}\n  - {id: mia, name: Mia Middle}\n"
        "  - {id: zed, name: Zed Alpha}\n"
        "stances:\n" + stances
    )
    site = make_site(load_kb(folder), use_git=False)
    data = where_it_stands(site, "q", [{"side": "pro", "claims": ["c1", "c2", "c3"]}])
    shown = [a["id"] for a in data["sides"][0]["holders"]["shown"]]
    assert shown == ["amy", "zed", "mia"]


def test_a_rebuttal_answered_by_the_targets_reasons_is_still_unchallenged(tmp_path: Path) -> None:
    # X rebuts Y, and Z supports Y: in the attack graph Z's support answers back and attacks X,
    # but nothing recorded argues against X, so a reader must not read "attacked" for X.
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "all.yaml").write_text(
        "claims:\n"
        "  - {id: x-claim, text: X., rebuts: [y-claim]}\n"
        "  - {id: y-claim, text: Y.}\n"
        "  - {id: z-claim, text: Z., supports: [y-claim]}\n"
    )
    claims = analyse(load_kb(folder)).claims
    assert claims["x-claim"].attacked is False
    assert claims["y-claim"].attacked is True
    assert claims["z-claim"].attacked is False
