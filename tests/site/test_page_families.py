"""Page families: the built-in ones in the site's page order, and plugins that add their own."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import write_kb

import kb.plugins
from kb.build import build
from kb.check.entry import load_kb
from kb.errors import KBError
from kb.site.env import make_env
from kb.site.page import Page
from kb.site.registry import PageFamily, page_families
from kb.site.site import Site

BUILT_IN = [
    "home",
    "claim-index",
    "source-index",
    "actor-index",
    "tag-index",
    "matrix",
    "map",
    "timeline",
    "search",
    "downloads",
    "method",
    "how-to-read",
    "not-found",
    "feed",
    "sitemap",
    "questions",
    "claims",
    "sources",
    "actors",
    "tags",
    "exchanges",
    "timeline-years",
    "claim-index-parts",
]


def _plugin(*families: PageFamily) -> SimpleNamespace:
    """Return a plugin object whose hook adds these families."""

    @kb.plugins.hookimpl
    def kb_page_families() -> list[PageFamily]:
        return list(families)

    return SimpleNamespace(kb_page_families=kb_page_families)


def _hello(site: Site) -> Iterator[Page]:
    yield Page("hello.html", lambda: f"<p>{len(site.kb.claims)} claims</p>\n")


HELLO = PageFamily("hello", "A page that counts the claims.", _hello)


def test_the_built_in_families_come_in_the_order_of_the_site_pages() -> None:
    pm = kb.plugins.plugin_manager(entry_points=False)
    assert [f.name for f in page_families(pm)] == BUILT_IN
    assert all(f.description and f.description.endswith(".") for f in page_families(pm))


def test_the_site_writes_its_pages_family_by_family(tmp_path: Path) -> None:
    site = Site(load_kb(write_kb(tmp_path)), make_env(), pm=kb.plugins.plugin_manager())
    paths = [p.path for p in site.pages()]
    assert paths[:15] == [
        "index.html",
        "claims.html",
        "sources.html",
        "actors.html",
        "tags.html",
        "matrix.html",
        "map.html",
        "timeline.html",
        "search.html",
        "downloads.html",
        "method.html",
        "how-to-read.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
    ]
    kinds = [p.split("/")[0] for p in paths[15:]]
    order = ["question", "claim", "source", "actor", "tag", "exchange", "timeline", "claims"]
    assert kinds == sorted(kinds, key=order.index)
    assert {"question", "claim", "source", "actor"} <= set(kinds)
    assert len(paths) == len(set(paths))


def test_a_plugin_family_adds_pages_after_the_built_in_ones(tmp_path: Path) -> None:
    pm = kb.plugins.plugin_manager(_plugin(HELLO), entry_points=False)
    site = Site(load_kb(write_kb(tmp_path)), make_env(), pm=pm)
    assert [f.name for f in site.families] == [*BUILT_IN, "hello"]
    pages = list(site.pages())
    assert pages[-1].path == "hello.html"
    assert pages[-1].render() == f"<p>{len(site.kb.claims)} claims</p>\n"
    assert "hello.html" in site.page("sitemap.xml").render()  # the sitemap lists it too
    with pytest.raises(KeyError):
        site.page("nowhere.html")


def test_plugins_follow_the_built_in_families_by_plugin_name() -> None:
    first = PageFamily("first", "One.", _hello)
    second = PageFamily("second", "Two.", _hello)
    pm = kb.plugins.plugin_manager(entry_points=False)
    pm.register(_plugin(second), name="zz-plugin")
    pm.register(_plugin(first), name="aa-plugin")
    assert [f.name for f in page_families(pm)][len(BUILT_IN) :] == ["first", "second"]


def test_a_family_name_given_twice_is_refused() -> None:
    clash = PageFamily("claims", "Another family of claim pages.", _hello)
    pm = kb.plugins.plugin_manager(_plugin(clash), entry_points=False)
    with pytest.raises(KBError, match="'claims'"):
        page_families(pm)
    pm = kb.plugins.plugin_manager(entry_points=False)
    pm.register(_plugin(HELLO), name="one")
    pm.register(_plugin(HELLO), name="two")
    with pytest.raises(KBError, match="'hello'.*'two'"):
        page_families(pm)


def test_a_plugin_returning_something_else_is_refused() -> None:
    pm = kb.plugins.plugin_manager(_plugin("hello.html"), entry_points=False)  # type: ignore[arg-type]  # reason: a wrong return, on purpose
    with pytest.raises(KBError, match="as a page family"):
        page_families(pm)


MYPAGES = """
    '''A plugin installed apart from debate-kb: a page listing the claims' IDs.'''

    import kb.plugins
    from kb.site.page import Page
    from kb.site.registry import PageFamily


    def _pages(site):
        ids = ", ".join(sorted(site.kb.claims))
        yield Page("ids.html", lambda: f"<!doctype html><title>IDs</title><p>{ids}</p>\\n")


    @kb.plugins.hookimpl
    def kb_page_families():
        return [PageFamily("claim-ids", "Every claim's ID.", _pages)]
    """


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install `mypages` into a folder on sys.path, found through the debate_kb entry points."""
    where = tmp_path / "installed"
    (where / "mypages-1.0.dist-info").mkdir(parents=True)
    (where / "mypages.py").write_text(textwrap.dedent(MYPAGES), "utf-8")
    info = where / "mypages-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mypages\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[debate_kb]\nmypages = mypages\n")
    monkeypatch.syspath_prepend(str(where))
    monkeypatch.delitem(sys.modules, "mypages", raising=False)
    return where


def test_an_installed_plugin_adds_a_page_to_the_built_site(
    installed_plugin: Path, tmp_path: Path
) -> None:
    folder = write_kb(tmp_path / "kb")
    index = build(folder, tmp_path / "site", search=False)
    written = (index.parent / "ids.html").read_text("utf-8")
    assert "<p>curves-bend, loss-curves-straight, scaling-works</p>" in written
    assert "ids.html" in (index.parent / "sitemap.xml").read_text("utf-8")
