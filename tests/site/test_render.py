"""Rendering: safe links and Markdown, escaped text, safe file names, theme overrides."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from helpers import write_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.build import make_site
from kb.check.entry import load_kb
from kb.load.files import theme_dir
from kb.site.env import make_env, markdown
from kb.site.families.claims import claim_page
from kb.site.paths import Paths, index_key, page_name, safe_url, slug, split_index, split_rows
from kb.site.settings import Settings
from kb.site.site import Site
from kb.site.standing import Standing
from kb.site.trees import TreeNode


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("doi:10.48550/arXiv.2001.08361", "https://doi.org/10.48550/arXiv.2001.08361"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("https://example.org/a b", None),
        ('https://example.org/"onmouseover="x', None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_and_doi_links_are_emitted(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_markdown_is_safe() -> None:
    html = str(
        markdown(
            "Hi <img src=x onerror=alert(1)> [bad](javascript:alert(1)) "
            "[good](https://example.org) ![img](https://example.org/i.png)"
        )
    )
    assert "<img" not in html
    assert "&lt;img" in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org">good</a>' in html


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "A", "", "x" * 121, "a..b", ".hidden"])
def test_ids_cannot_leave_their_folder(bad: str) -> None:
    with pytest.raises(ValueError):
        page_name(bad)


def test_paths_and_slugs() -> None:
    assert Paths.claim("scaling-works") == "claim/scaling-works.html"
    assert Paths.tag("Scaling Laws/../x") == "tag/scaling-laws-x.html"
    assert slug("../..") == "tag"


def _site(tmp_path: Path, files: dict[str, str] | None = None, settings: Settings | None = None):
    folder = write_kb(tmp_path, files)
    if settings is not None:
        return Site(load_kb(folder), make_env(), settings=settings), folder
    return make_site(load_kb(folder), use_git=False), folder


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    site, _ = _site(
        tmp_path,
        {
            "evil.yaml": """
                claims:
                  - id: evil
                    text: <script>alert("x")</script> & "quotes"
                    tags: [scaling]
                    notes: "<b>bold</b> [x](javascript:alert(1))"
                    answers: {question: q-scale, side: mixed}
                """
        },
    )
    pages = {p.path: p.render() for p in site.pages()}
    claim = pages["claim/evil.html"]
    assert "<script>alert" not in claim
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in claim
    assert "<b>bold</b>" not in claim and 'href="javascript' not in claim
    for path, html in pages.items():
        assert "<script>alert" not in html, path


def test_every_page_forbids_inline_script(tmp_path: Path) -> None:
    site, _ = _site(tmp_path)
    for page in site.pages():
        if not page.path.endswith(".html"):
            continue
        html = page.render()
        assert "Content-Security-Policy" in html and "script-src 'self'" in html, page.path
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/' in tag, (page.path, tag)
        assert not re.search(r"\son[a-z]+=", html), page.path
        assert not re.search(r"\sstyle=", html), page.path


def test_a_kb_overrides_any_template(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    templates = folder / "site" / "templates"
    templates.mkdir(parents=True)
    (templates / "_footer.html").write_text("<footer>Our own footer</footer>\n", "utf-8")
    (templates / "claim.html").write_text(
        '{% extends "default:claim.html" %}{% block title %}Custom: {{ claim.text }}{% endblock %}',
        "utf-8",
    )
    site = make_site(load_kb(folder), use_git=False)
    pages = {p.path: p for p in site.pages()}
    claim = pages["claim/scaling-works.html"].render()
    assert "<title>Custom: Scaling keeps lowering loss.</title>" in claim
    assert "Our own footer" in claim
    assert "Who holds it" in claim  # the rest of the default template
    assert "Our own footer" in pages["index.html"].render()


def test_only_override_templates_are_sandboxed(tmp_path: Path) -> None:
    """The bundled theme renders in a plain environment; any override brings the sandbox."""
    from jinja2.sandbox import SandboxedEnvironment

    assert not isinstance(make_env(None), SandboxedEnvironment)
    overrides = tmp_path / "templates"
    overrides.mkdir()
    assert not isinstance(make_env(overrides), SandboxedEnvironment)
    (overrides / "index.html").write_text("{{ site_title }}", encoding="utf-8")
    env = make_env(overrides)
    assert isinstance(env, SandboxedEnvironment)
    assert env.get_template("index.html").render(site_title="T") == "T"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"c[0-9]{1,3}", fullmatch=True),
        st.text(alphabet="abcé0 -!", max_size=6),
        max_size=60,
    ),
    st.integers(min_value=1, max_value=8),
)
def test_claim_index_groups_are_a_partition_by_prefix(texts: dict[str, str], limit: int) -> None:
    keys = {cid: index_key(text) for cid, text in texts.items()}
    groups = split_index(keys, limit)
    members = [cid for ids in groups.values() for cid in ids]
    assert sorted(members) == sorted(texts)  # every claim exactly once
    assert len({Paths.claims_part(name) for name in groups}) == len(groups)
    for name, ids in groups.items():
        assert re.fullmatch(r"[a-z0-9]{1,3}|0-9|other", name)
        for cid in ids:
            key = keys[cid]
            if name == "other":
                assert key == ""
            elif name == "0-9":
                assert key[0].isdigit()
            else:
                assert key.startswith(name)
        if len(ids) > limit:  # only a group that can be split no further stays large
            assert len(name) == 3 or name in ("0-9", "other") or {keys[c] for c in ids} == {name}


def test_index_key_folds_accents_and_punctuation() -> None:
    assert index_key("Émergence — 'is' real!") == "emergenceisreal"
    assert index_key("10x compute") == "10xcompute"
    assert index_key("«»") == ""


def test_long_claim_index_is_split_into_linked_pages(tmp_path: Path) -> None:
    site, _ = _site(tmp_path, settings=Settings(claims_per_page=1))
    assert len(site.kb.claims) > 2
    kb = site.kb
    pages = {p.path: p for p in site.pages()}
    parts = sorted(p for p in pages if p.startswith("claims/"))
    assert parts and len(parts) == len(site.claim_index)
    overview = pages["claims.html"].render()
    listed: list[str] = []
    for path in parts:
        assert f'href="{path}"' in overview
        html = pages[path].render()
        assert 'href="../claims.html"' in html
        for other in parts:  # every page links to every other one
            assert f'href="../{other}"' in html or other == path
        rows = re.findall(r'<tr data-kind[^>]*>\s*<td><a href="\.\./claim/([^"]+)\.html">', html)
        texts = [kb.claims[c].text.lower() for c in rows]
        assert texts == sorted(texts)
        listed += rows
    assert sorted(listed) == sorted(kb.claims)  # each claim on exactly one page
    counts = [int(n) for n in re.findall(r'</a> <span class="count">(\d+)</span>', overview)]
    assert sum(counts) == len(kb.claims)


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=12))
def test_rows_are_cut_into_the_fewest_parts_of_even_size(count: int, limit: int) -> None:
    rows = [f"r{i}" for i in range(count)]
    parts = split_rows(rows, limit)
    assert [r for part in parts for r in part] == rows  # every row once, in order
    assert len(parts) == -(-count // limit)  # no fewer parts would do
    sizes = {len(part) for part in parts}
    assert all(0 < n <= limit for n in sizes) and max(sizes, default=0) - min(sizes, default=0) <= 1


@pytest.mark.parametrize("limit", [1, 3])
def test_long_timeline_is_split_into_years_and_long_years_into_parts(
    tmp_path: Path, limit: int
) -> None:
    site, _ = _site(tmp_path, settings=Settings(timeline_per_page=limit))
    kb = site.kb
    pages = {p.path: p for p in site.pages()}
    years = sorted(p for p in pages if re.fullmatch(r"timeline/\d{4}\.html", p))
    dated = {s.id: s.date[:4] for s in kb.sources.values() if s.date}
    assert years and len(years) == len({y for y in site.timeline_years if y})
    overview = pages["timeline.html"].render()
    found: dict[str, str] = {}
    claims: dict[str, str] = {}
    split = 0
    for path in years:
        year = path.removeprefix("timeline/").removesuffix(".html")
        assert f'href="{path}"' in overview
        html = pages[path].render()
        assert f"<h1>Timeline: {year}</h1>" in html
        parts = sorted(p for p in pages if p.startswith(f"timeline/{year}-part-"))
        listed = site.timeline_years[year]["sources"] + site.timeline_years[year]["claims"]
        assert bool(parts) == (len(listed) > limit)
        shown = [html]
        for number in range(1, len(parts) + 1):
            split += 1
            assert f'href="../timeline/{year}-part-{number}.html"' in html  # the year lists it
            shown.append(pages[f"timeline/{year}-part-{number}.html"].render())
            assert f"<h1>Timeline: {year}, part {number} of {len(parts)}</h1>" in shown[-1]
            assert len(re.findall(r"<li><time datetime=", shown[-1])) <= limit
        for page in shown:
            for sid in re.findall(r'href="\.\./source/([^"]+)\.html"', page):
                assert sid not in found  # each source on one page of its year
                found[sid] = year
            for cid in re.findall(
                r'<time datetime="[^"]*">[^<]*</time> <a href="\.\./claim/([^"]+)\.html"', page
            ):
                assert cid not in claims
                claims[cid] = year
    assert found == dated
    assert claims == {c: d[:4] for c, d in site.claim_dates.items()}
    assert split  # the bundled test KB has a year too long for one page
    # The overview's table sums to every dated source.
    cells = re.findall(r'\.html">(\d{4})</a></td><td class="num">(\d+)</td>', overview)
    assert sum(int(n) for _, n in cells) == len(dated)


# The claim tree is built in Python (Site.tree_html) as the bundled tree macro would write it.

TEXT = st.text(st.sampled_from("ab <>&\"'`é—\n"), max_size=12)


def _nodes(level: int = 1) -> st.SearchStrategy:
    children = st.just([]) if level > 3 else st.lists(_nodes_lazy(level + 1), max_size=3)
    return st.builds(
        TreeNode,
        id=st.just("x"),
        kind=st.sampled_from(["claim", "evidence"]),
        link=st.sampled_from(["supports", "rebuts", "contradicts", "undercuts", "<b>"]),
        text=TEXT,
        href=st.one_of(st.none(), st.sampled_from(["claim/a-b.html", 'source/"x".html'])),
        standing=st.one_of(
            st.none(),
            st.builds(
                Standing,
                label=st.sampled_from(["accepted", "defensible", "undecided", "rejected"]),
                strength=st.one_of(st.none(), st.floats(0, 1).map(lambda f: round(f, 3))),
            ),
        ),
        children=children,
        link_id=st.just("r"),
        source=st.one_of(st.none(), TEXT),
        more=st.integers(0, 3),
    )


def _nodes_lazy(level: int) -> st.SearchStrategy:
    return st.deferred(lambda: _nodes(level))


@pytest.fixture(scope="module")
def bundled_site() -> Any:
    return make_site(load_kb(Path(__file__).parents[2] / "claims"), use_git=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=st.lists(_nodes(), max_size=4), root=st.sampled_from(["../", "", "a&b/"]))
def test_the_python_tree_equals_the_tree_macro(bundled_site: Any, nodes: list, root: str) -> None:
    macro = bundled_site.env.get_template("macros.html").module.tree
    assert bundled_site.tree_html(nodes, root) == macro(nodes, root)


def test_every_claim_tree_equals_the_tree_macro(bundled_site: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from synth import generate

    synthetic = make_site(load_kb(generate(tmp_path, 300, 11)), use_git=False)
    for site in (bundled_site, synthetic):
        macro = site.env.get_template("macros.html").module.tree
        trees = [site.tree(cid) for cid in sorted(site.kb.claims)]
        assert sum(len(t) for t in trees) > 50
        for nodes in trees:
            assert site.tree_html(nodes, "../") == macro(nodes, "../")


def test_an_overridden_tree_macro_draws_the_claim_tree(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    templates = folder / "site" / "templates"
    templates.mkdir(parents=True)
    theirs = (theme_dir() / "templates" / "macros.html").read_text(encoding="utf-8")
    start = theirs.index("{% macro tree(")
    end = theirs.index("{%- endmacro %}", start)
    mine = "{% macro tree(nodes, root, level=1) -%}<p>Our tree of {{ nodes | length }}</p>"
    (templates / "macros.html").write_text(theirs[:start] + mine + theirs[end:], "utf-8")
    site = make_site(load_kb(folder), use_git=False)
    assert site.tree_html(site.tree("scaling-works"), "../") is None
    shown = [c for c in sorted(site.kb.claims) if site.tree(c)]
    assert shown
    for cid in shown:
        page = claim_page(site, cid)
        # The page draws its tree in two columns, what supports the claim and what attacks it.
        pro = [n for n in site.tree(cid) if n.link == "supports"]
        con = [n for n in site.tree(cid) if n.link != "supports"]
        for column in (pro, con):
            if column:
                assert f"<p>Our tree of {len(column)}</p>" in page
        assert 'class="tree level-1"' not in page


# Every setting a page may read, besides the records, is in the site's fingerprint ----------------

FINGERPRINTED = {
    "base_url",
    "downloads",
    "families",
    "reference_date",
    "settings",
    "timeline_split",
}
# The records and lookups (read one by one, tracked), the machinery, and memos without settings.
NOT_SETTINGS = {"kb", "env", "graph", "standings", "memos", "memo", "escaped"}


def test_every_site_attribute_is_a_lookup_or_in_the_fingerprint(tmp_path: Path) -> None:
    site = make_site(load_kb(write_kb(tmp_path)), use_git=False)
    scalars = {name for name, value in vars(site).items() if not isinstance(value, dict)}
    # A new attribute must be added to Site.fingerprint (or here, if it holds no setting).
    assert scalars == FINGERPRINTED | NOT_SETTINGS


@pytest.mark.parametrize(
    "change",
    [
        lambda site: setattr(site, "base_url", "https://example.org/"),
        lambda site: setattr(site, "reference_date", "1999-01-01"),
        lambda site: setattr(site, "timeline_split", not site.timeline_split),
        lambda site: setattr(site, "settings", Settings(claims_per_page=7)),
        lambda site: setattr(site, "downloads", []),
        lambda site: setattr(site, "families", site.families[1:]),
    ],
)
def test_each_setting_changes_the_fingerprint(tmp_path: Path, change: Any) -> None:
    site = make_site(load_kb(write_kb(tmp_path)), use_git=False)
    before = site.fingerprint()
    assert make_site(load_kb(write_kb(tmp_path)), use_git=False).fingerprint() == before
    change(site)
    assert site.fingerprint() != before


@given(st.text())
def test_index_key_keeps_exactly_the_ascii_letters_and_digits_of_the_folded_text(text: str) -> None:
    folded = unicodedata.normalize("NFKD", text.lower())
    assert index_key(text) == "".join(ch for ch in folded if ch.isascii() and ch.isalnum())
    assert index_key("ℌello Wörld, 42!") == "Helloworld42"
